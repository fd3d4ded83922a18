"""The kernel's pages: choosing a co-op, its home, its administration (settings, people and roles,
audit trail, outbox, job runs), and the page of any background task."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import access, audit, invitations, outbox, printing, scheduler, tasks, tenancy
from coop import home as coop_home
from coop.access import (ALL_ROLES, MANAGE_PEOPLE, MANAGE_SETTINGS, VIEW_AUDIT, VIEW_COOP, VIEW_JOBS, VIEW_OUTBOX,
                         current_viewer)
from coop.auth import services as auth_services
from coop.auth.forms import JoinForm
from coop.auth.views import begin_session
from coop.db import database, get_session
from coop.errors import DomainError
from coop.forms import AuditFilterForm, CoopSettingsForm, GrantRoleForm, RevokeRoleForm
from coop.pages import (account_view, coop_blueprint, coop_view, file_response, page_number, public_view,
                        query_choice, query_form, query_int, query_text, refreshing, show_refusal)
from coop.tasks import Task
from coop.tenancy import Invitation, Role, Scope
from coop.text import whole_number
from coop.web import reader_locale

home_bp = Blueprint("home", __name__)
bp = coop_blueprint("coop", __name__)

#: a background task and its result: for whoever may see tasks of its kind
READ_TASK = access.define("read_task", ALL_ROLES, rule=tasks.may_see)


def invitation() -> Invitation:
    """Invitation links for new users, built for this site."""
    return Invitation(secret=current_app.config["SECRET_KEY"],
                      link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
                      hours=max(current_app.config["PASSWORD_RESET_HOURS"], 72))


@home_bp.route("/")
@public_view
def index():
    """Anonymous visitors see what Ayllu is; a user of one co-op goes straight to it."""
    if not current_user.is_authenticated:
        return render_template("coop/welcome.html")
    coops = tenancy.coops_of(get_session(), current_user)
    if len(coops) == 1 and not current_user.is_platform_admin:
        return redirect(url_for("coop.home", coop_slug=coops[0].slug))
    return render_template("coop/choose.html", coops=coops)


@home_bp.route("/healthz")
@public_view
def health():
    get_session().execute(sa.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/")
@coop_view(VIEW_COOP)
def home():
    viewer = current_viewer()
    return render_template("coop/home.html", roles=sorted(viewer.roles, key=list(Role).index),
                           panels=coop_home.panels_for(get_session(), g.coop, viewer))


@bp.route("/admin/settings", methods=["GET", "POST"])
@coop_view(MANAGE_SETTINGS)
def settings():
    form = CoopSettingsForm(obj=g.coop)
    if form.validate_on_submit():
        values = {field: getattr(form, field).data for field in tenancy.SETTING_FIELDS}
        values["currency"] = values["currency"].upper()
        values["country"] = values["country"].upper()
        with show_refusal(form):
            tenancy.update_coop_settings(get_session(), current_user, g.coop, **values)
            flash(_("The co-op's settings are saved."), "success")
            return redirect(url_for("coop.settings"))
    return render_template("coop/settings.html", form=form)


# --- people and roles ----------------------------------------------------------------------------

def _scope_choices() -> list[tuple[str, str]]:
    """The scopes a role may be held for, as "kind:id", after the whole co-op ('')."""
    choices = [("", _("The whole co-op"))]
    for kind in access.SCOPE_KINDS.values():
        choices += [(f"{kind.name}:{scope_id}", f"{kind.label}: {name}")
                    for scope_id, name in kind.choices(get_session(), g.coop)]
    return choices


def _scope(value: str | None) -> Scope | None:
    kind, _sep, scope_id = (value or "").partition(":")
    number = whole_number(scope_id)
    return Scope(kind, number) if kind and number is not None else None


def invitation_link(token: str) -> str:
    """The link an invited person opens to answer (coop.invitations)."""
    return url_for("home.invitation", token=token, _external=True)


@bp.route("/admin/people", methods=["GET", "POST"])
@coop_view(MANAGE_PEOPLE)
def people():
    """Who holds which role, the invitations waiting for an answer, and a form to invite someone.

    The answer to an invitation reads the same whether or not the address has an account.
    """
    form = GrantRoleForm()
    form.scope.choices = _scope_choices()
    if form.validate_on_submit():
        role = Role(form.role.data)
        with show_refusal(form):
            invitations.invite(get_session(), current_user, g.coop, email=form.email.data, name=form.name.data or "",
                               role=role, scope=_scope(form.scope.data), link_for=invitation_link)
            flash(_("Invitation sent to %(email)s.", email=form.email.data.strip().lower()), "success")
            return redirect(url_for("coop.people"))
    return render_template("coop/people.html", form=form, people=tenancy.people_of(get_session(), g.coop),
                           invitations=invitations.pending(get_session(), g.coop),
                           scope_names=dict(form.scope.choices))


@bp.post("/admin/people/invitations/<int:invitation_id>/withdraw")
@coop_view(MANAGE_PEOPLE)
def withdraw_invitation(invitation_id: int):
    withdrawn = invitations.withdraw(get_session(), current_user, g.coop, invitation_id)
    if withdrawn is None:
        abort(404)
    flash(_("The invitation to %(email)s is withdrawn.", email=withdrawn.email), "success")
    return redirect(url_for("coop.people"))


def _grant_to_revoke(form: RevokeRoleForm):
    """The person and role a revoke form names, within this co-op (404 for anyone else)."""
    user = tenancy.person_in_coop(get_session(), g.coop, form.user_id.data)
    if user is None:
        abort(404)
    return user, Role(form.role.data), _scope(form.scope.data)


@bp.get("/admin/people/revoke")
@coop_view(MANAGE_PEOPLE)
def confirm_revoke():
    """"Remove the role X from Y?": the step before removing, which works without JavaScript."""
    form = RevokeRoleForm(formdata=None)
    form.user_id.data = query_int("user_id")
    form.role.data = query_choice("role", set(Role), "")
    form.scope.data = query_text("scope", 60)
    if form.user_id.data is None or not form.role.data:
        return redirect(url_for("coop.people"))
    user, role, scope = _grant_to_revoke(form)
    scope_label = dict(_scope_choices()).get(form.scope.data) if scope else None
    return render_template("coop/revoke_confirm.html", form=form, user=user, role=role, scope_label=scope_label)


@bp.route("/admin/people/revoke", methods=["POST"])
@coop_view(MANAGE_PEOPLE)
def revoke():
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a person and a role."), "error")
        return redirect(url_for("coop.people"))
    user, role, scope = _grant_to_revoke(form)
    with show_refusal():
        tenancy.revoke_role(get_session(), current_user, g.coop, user, role, scope)
        flash(_("The role was removed."), "success")
    return redirect(url_for("coop.people"))


# --- answering an invitation (anyone holding the link) ---------------------------------------------

def _open_invitation(token: str):
    try:
        return invitations.by_token(get_session(), token), None
    except DomainError as error:
        return None, (render_template("coop/invitation_invalid.html", message=error.text), 404)


@home_bp.route("/invitations/<token>", methods=["GET", "POST"], endpoint="invitation")
@public_view
def invitation_page(token: str):
    """The invited person's page: accept (logged in as the address invited), create the account, or decline."""
    found, refusal = _open_invitation(token)
    if refusal:
        return refusal
    db = get_session()
    account = auth_services.user_by_email(db, found.email)
    has_password = account is not None and bool(account.password_hash)
    form = JoinForm(name=found.name or (account.name if account else ""))
    if not current_user.is_authenticated and not has_password and form.validate_on_submit():
        with show_refusal(form):
            user = invitations.join_with_new_account(db, found, name=form.name.data, password=form.password.data,
                                                     min_length=current_app.config["PASSWORD_MIN_LENGTH"])
            begin_session(user)
            flash(_("Welcome to %(coop)s.", coop=found.coop.name), "success")
            return redirect(url_for("coop.home", coop_slug=found.coop.slug))
    return render_template("coop/invitation.html", invitation=found, form=form, has_password=has_password,
                           is_invitee=current_user.is_authenticated
                           and current_user.email == found.email)


@home_bp.post("/invitations/<token>/accept")
@account_view
def accept_invitation(token: str):
    found, refusal = _open_invitation(token)
    if refusal:
        return refusal
    with show_refusal():
        invitations.accept(get_session(), current_user._get_current_object(), found)
        flash(_("You now take part in %(coop)s as %(role)s.", coop=found.coop.name, role=found.role.label), "success")
        return redirect(url_for("coop.home", coop_slug=found.coop.slug))
    return redirect(url_for("home.invitation", token=token))


@home_bp.post("/invitations/<token>/decline")
@public_view
def decline_invitation(token: str):
    found, refusal = _open_invitation(token)
    if refusal:
        return refusal
    invitations.decline(get_session(), found)
    flash(_("You declined the invitation. Nothing was changed."), "info")
    return redirect(url_for("home.index"))


# --- the audit trail -----------------------------------------------------------------------------

def _audit_filters() -> tuple[AuditFilterForm, audit.AuditFilter]:
    form = query_form(AuditFilterForm)
    form.action.choices = [("", _("All"))] + [(a, audit.action_label(a))
                                              for a in audit.action_names(get_session(), g.coop.id)]
    if not form.validate():
        return form, audit.AuditFilter()
    return form, audit.AuditFilter(action=form.action.data or "", actor=form.actor.data or "",
                                   date_from=form.date_from.data, date_to=form.date_to.data)


def _render_audit(form: AuditFilterForm, filters: audit.AuditFilter):
    page = page_number()
    events, total = audit.events(get_session(), g.coop.id, filters, page=page)
    return render_template("coop/audit.html", form=form, events=events, total=total, page=page,
                           per_page=audit.PAGE_SIZE)


@bp.route("/audit")
@coop_view(VIEW_AUDIT)
def audit_trail():
    return _render_audit(*_audit_filters())


@bp.route("/audit/print", methods=["POST"])
@coop_view(VIEW_AUDIT)
def audit_print():
    """Print the trail the page shows (its filters are in the address) in the background."""
    form, filters = _audit_filters()
    with show_refusal(form):
        task = printing.request_audit_trail(get_session(), g.coop, current_user, filters, locale=reader_locale())
        flash(_("The audit trail is being printed. This page shows how far it got."), "success")
        return redirect(url_for("coop.task", task_id=task.id))
    return _render_audit(form, filters), 422


# --- background tasks ------------------------------------------------------------------------------

@bp.route("/tasks/<int:task_id>")
@coop_view(READ_TASK, task=Task)
def task(task: Task):
    """A task's progress, refreshing itself until it is done; then its file, from the same address."""
    content = _file_of(task) if task.status is tasks.TaskStatus.DONE else None
    if content is not None:
        audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.document", obj=task,
                           summary=task.filename)
        return file_response(content, task.filename, task.mimetype)
    return refreshing(render_template("coop/task.html", task=task, kind=tasks.KINDS.get(task.kind),
                                      refresh=tasks.REFRESH_SECONDS), task.is_waiting)


def _file_of(task: Task) -> bytes | None:
    return get_session().scalar(sa.select(Task.content).where(Task.id == task.id))


# --- the outbox and the jobs -------------------------------------------------------------------------

@bp.route("/admin/outbox")
@coop_view(VIEW_OUTBOX)
def outbox_page():
    page = page_number()
    status = query_text("status", 20)
    messages, total = outbox.messages(get_session(), coop_id=g.coop.id, status=status, page=page)
    return render_template("admin/outbox.html", messages=messages, total=total, page=page,
                           per_page=outbox.PAGE_SIZE, status=status, platform=False)


@bp.route("/admin/jobs")
@coop_view(VIEW_JOBS)
def jobs():
    db = get_session()
    return render_template("admin/jobs.html", specs=scheduler.REGISTRY.values(),
                           last=scheduler.last_runs(db), runs=scheduler.recent_runs(db), platform=False)
