"""Forms for logging in and managing one's own account."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(), EqualTo("new_password", message=_l("The two passwords are not the same."))])


class AccountForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=[("", _l("As my co-op")), ("es", "Español"),
                                                  ("en", "English")])


class JoinForm(FlaskForm):
    """Someone invited to a co-op creates their account from the link."""

    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=200)])
    password = PasswordField(_l("Choose a password"), validators=[InputRequired(), Length(max=1024)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])
