"""Log-in, log-out, password reset and change, and the user's own account page."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from coop.auth import services
from coop.auth.forms import (AccountForm, ChangePasswordForm, ForgotPasswordForm, LoginForm,
                             ResetPasswordForm)
from coop.auth.models import User
from coop.db import SAFE_METHODS, database, get_session
from coop.errors import DomainError, apply_to_form
from coop.pages import account_view, public_view, query_text, show_refusal

bp = Blueprint("auth", __name__)


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the cookie's token must name a live server-side session."""
    db = get_session()
    found = services.session_user(db, token, services.SessionPolicy.from_config(current_app.config))
    if found is None:
        return None
    user, row = found
    if services.needs_touch(row):
        if request.method in SAFE_METHODS:
            # a reading request keeps its read transaction; the touch is its own short write
            with database().unit_of_work() as writer:
                services.touch_session(writer, row.id)
        else:
            services.touch_session(db, row.id)
    user.auth_token = token
    return user


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, never another host (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def begin_session(user: User) -> None:
    """Log the user in on this browser with a new server-side session."""
    token = services.start_session(get_session(), user)
    session.clear()  # nothing from before log-in survives into the new session (fixation)
    user.auth_token = token
    login_user(user)


def _reset_link(token: str) -> str:
    return url_for("auth.reset_password", token=token, _external=True)


@bp.route("/login", methods=["GET", "POST"])
@public_view
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                get_session(), email=form.email.data, password=form.password.data,
                client=request.remote_addr or "unknown", secret=current_app.config["SECRET_KEY"],
                policy=services.ThrottlePolicy.from_config(current_app.config))
        except services.LoginRefused as error:
            # not show_refusal, which rolls back: the failure is counted although the log-in is
            # refused, so the page's unit of work commits it
            apply_to_form(form, error)
        else:
            begin_session(user)
            return redirect(_safe_next(query_text("next", 500)) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@account_view
def logout():
    services.revoke_all_sessions(get_session(), current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out on every device."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public_view
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(get_session(), form.email.data, secret=current_app.config["SECRET_KEY"],
                                        link_for=_reset_link,
                                        hours=current_app.config["PASSWORD_RESET_HOURS"])
        flash(_("If an account uses this e-mail, a link to choose a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public_view
def reset_password(token: str):
    db = get_session()
    max_age = dt.timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    try:
        user = services.user_for_reset_token(db, token, current_app.config["SECRET_KEY"], max_age)
    except DomainError as error:
        return render_template("auth/reset_invalid.html", message=error.text), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with show_refusal(form):
            services.reset_password(db, user, form.password.data,
                                    min_length=current_app.config["PASSWORD_MIN_LENGTH"])
            logout_user()
            session.clear()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@account_view
def account():
    form = AccountForm(obj=current_user) if request.method == "GET" else AccountForm()
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        services.update_account(get_session(), current_user._get_current_object(), name=form.name.data,
                                locale=form.locale.data or None)
        flash(_("Your account is saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@account_view
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with show_refusal(form):
            services.change_password(get_session(), user, current=form.current_password.data,
                                     new=form.new_password.data,
                                     min_length=current_app.config["PASSWORD_MIN_LENGTH"])
            begin_session(user)  # every other device is logged out; this one gets a new session
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language", methods=["POST"])
@public_view
def set_language():
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = language
    if current_user.is_authenticated:
        services.choose_language(get_session(), current_user._get_current_object(), language)
    return redirect(_safe_next(request.form.get("next")) or url_for("home.index"))
