"""The kernel's pages: choosing a co-op, its home, and its administration (settings, people and
roles, audit trail, outbox, job runs)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from coop import audit, outbox, scheduler, tenancy
from coop.access import Permission, coop_blueprint, coop_view, public_view
from coop.db import database, get_session
from coop.errors import DomainError, apply_to_form
from coop.forms import AuditFilterForm, CoopSettingsForm, GrantRoleForm, RevokeRoleForm
from coop.pdf import pdf_response, render_pdf
from coop.tenancy import Invitation, Role

home_bp = Blueprint("home", __name__)
bp = coop_blueprint("coop", __name__)


def invitation() -> Invitation:
    """Invitation links for new users, built for this site."""
    return Invitation(secret=current_app.config["SECRET_KEY"],
                      link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
                      hours=max(current_app.config["PASSWORD_RESET_HOURS"], 72))


def page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


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
@coop_view(Permission.VIEW_COOP)
def home():
    roles = sorted(g.coop_roles, key=list(Role).index)
    return render_template("coop/home.html", roles=roles)


@bp.route("/admin/settings", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_SETTINGS)
def settings():
    form = CoopSettingsForm(obj=g.coop)
    if form.validate_on_submit():
        db = get_session()
        values = {field: getattr(form, field).data for field in tenancy.SETTING_FIELDS}
        values["currency"] = values["currency"].upper()
        values["country"] = values["country"].upper()
        try:
            tenancy.update_coop_settings(db, current_user, g.coop, **values)
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("The co-op's settings are saved."), "success")
            return redirect(url_for("coop.settings"))
    return render_template("coop/settings.html", form=form)


@bp.route("/admin/people", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_PEOPLE)
def people():
    db = get_session()
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            tenancy.add_person(db, current_user, g.coop, email=form.email.data, name=form.name.data or "",
                               role=Role(form.role.data), invitation=invitation())
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("%(email)s now has the role %(role)s.", email=form.email.data,
                    role=Role(form.role.data).label), "success")
            return redirect(url_for("coop.people"))
    return render_template("coop/people.html", form=form, people=tenancy.people_of(db, g.coop))


@bp.route("/admin/people/revoke", methods=["POST"])
@coop_view(Permission.MANAGE_PEOPLE)
def revoke():
    db = get_session()
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a person and a role."), "error")
        return redirect(url_for("coop.people"))
    user = tenancy.person_in_coop(db, g.coop, form.user_id.data)
    if user is None:
        abort(404)
    try:
        tenancy.revoke_role(db, current_user, g.coop, user, Role(form.role.data))
    except DomainError as error:
        db.rollback()
        flash(error.text, "error")
    else:
        db.commit()
        flash(_("The role was removed."), "success")
    return redirect(url_for("coop.people"))


def _audit_filters() -> tuple[AuditFilterForm, audit.AuditFilter]:
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All"))] + [(a, audit.action_label(a))
                                              for a in audit.action_names(get_session(), g.coop.id)]
    if not form.validate():
        return form, audit.AuditFilter()
    return form, audit.AuditFilter(action=form.action.data or "", actor=form.actor.data or "",
                                   date_from=form.date_from.data, date_to=form.date_to.data)


@bp.route("/audit")
@coop_view(Permission.VIEW_AUDIT)
def audit_trail():
    form, filters = _audit_filters()
    page = page_number()
    events, total = audit.events(get_session(), g.coop.id, filters, page=page)
    return render_template("coop/audit.html", form=form, events=events, total=total, page=page,
                           per_page=audit.PAGE_SIZE)


@bp.route("/audit.pdf")
@coop_view(Permission.VIEW_AUDIT)
def audit_pdf():
    _form, filters = _audit_filters()
    events = audit.all_events(get_session(), g.coop.id, filters)
    pdf = render_pdf("pdf/audit.html", coop=g.coop, events=events, filters=filters)
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.audit",
                       summary="; ".join(filter(None, [f"n={len(events)}", filters.describe()])))
    return pdf_response(pdf, f"auditoria-{g.coop.slug}.pdf")


@bp.route("/admin/outbox")
@coop_view(Permission.VIEW_OUTBOX)
def outbox_page():
    page = page_number()
    status = request.args.get("status", "")
    messages, total = outbox.messages(get_session(), coop_id=g.coop.id, status=status, page=page)
    return render_template("admin/outbox.html", messages=messages, total=total, page=page,
                           per_page=outbox.PAGE_SIZE, status=status, platform=False)


@bp.route("/admin/jobs")
@coop_view(Permission.VIEW_JOBS)
def jobs():
    db = get_session()
    return render_template("admin/jobs.html", specs=scheduler.REGISTRY.values(),
                           last=scheduler.last_runs(db), runs=scheduler.recent_runs(db), platform=False)
