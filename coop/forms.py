"""Forms of the kernel's pages: co-op settings, people and roles, audit filters, new co-ops."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from coop.errors import DomainError
from coop.tenancy import ROLE_LABELS, Basis, check_country, check_currency, check_timezone

LANGUAGE_CHOICES = [("es", "Español"), ("en", "English")]
PAPER_CHOICES = [("A4", "A4"), ("Letter", _l("Letter"))]
BASIS_CHOICES = [(Basis.MEMBER.value, _l("Per member")), (Basis.HOUSEHOLD.value, _l("Per household"))]
MONTH_CHOICES = [(n, str(n)) for n in range(1, 13)]


class RuleCheck:
    """A field validator that asks the domain rule, so every field's error shows at once.

    The service checks again when it runs: the form only lets the person see all their
    mistakes in one go instead of one per submission.
    """

    def __init__(self, check, transform=str.upper):
        self.check = check
        self.transform = transform

    def __call__(self, _form, field):
        if field.data:
            try:
                self.check(self.transform(field.data.strip()))
            except DomainError as error:
                raise ValidationError(str(error.message)) from None


CURRENCY_CHECK = RuleCheck(check_currency)
COUNTRY_CHECK = RuleCheck(check_country)
TIMEZONE_CHECK = RuleCheck(check_timezone, transform=str)


def role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class NewCoopForm(FlaskForm):
    name = StringField(_l("Name of the co-op"), validators=[InputRequired(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[InputRequired(), Length(max=50)],
                       description=_l("Lower-case letters, digits and hyphens: /c/<address>/"))
    currency = StringField(_l("Currency"), default="USD", validators=[InputRequired(), CURRENCY_CHECK])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="es")
    country = StringField(_l("Country code"), default="EC", validators=[InputRequired(), COUNTRY_CHECK])
    timezone = StringField(_l("Time zone"), default="America/Guayaquil",
                           validators=[InputRequired(), TIMEZONE_CHECK])
    admin_email = EmailField(_l("E-mail of its first administrator"),
                             validators=[InputRequired(), Email(check_deliverability=False)])
    admin_name = StringField(_l("Name of its first administrator"), validators=[InputRequired(),
                                                                              Length(max=200)])


class CoopSettingsForm(FlaskForm):
    name = StringField(_l("Name of the co-op"), validators=[InputRequired(), Length(max=200)])
    currency = StringField(_l("Currency"), validators=[InputRequired(), CURRENCY_CHECK])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    country = StringField(_l("Country code"), validators=[InputRequired(), COUNTRY_CHECK])
    timezone = StringField(_l("Time zone"), validators=[InputRequired(), Length(max=64), TIMEZONE_CHECK])
    paper_size = SelectField(_l("Paper size"), choices=PAPER_CHOICES)
    voting_basis = SelectField(_l("Votes are cast"), choices=BASIS_CHOICES)
    obligation_basis = SelectField(_l("Dues and Minga hours are owed"), choices=BASIS_CHOICES)
    quorum_percent = IntegerField(_l("Quorum at first call (%)"),
                                  validators=[InputRequired(), NumberRange(min=1, max=100)])
    second_call_minutes = IntegerField(_l("Second call after (minutes)"),
                                       validators=[InputRequired(), NumberRange(min=0, max=24 * 60)])
    notice_days = IntegerField(_l("Days of notice for a general assembly"),
                               validators=[InputRequired(), NumberRange(min=0, max=365)])
    fiscal_year_start_month = SelectField(_l("Fiscal year starts in month"), choices=MONTH_CHOICES,
                                          coerce=int)
    members_see_directory = BooleanField(_l("Members see a directory of names and lots"))
    members_see_finances = BooleanField(_l("Members see the co-op's financial summaries"))


class GrantRoleForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)],
                       description=_l("Needed only for someone without an account yet."))
    role = SelectField(_l("Role"), choices=role_choices)


class RevokeRoleForm(FlaskForm):
    user_id = IntegerField(validators=[InputRequired()])
    role = SelectField(choices=role_choices)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(_l("Who"), validators=[Optional(), Length(max=200)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
