"""The member portal, under /c/<slug>/me: a member's own page, their contact details, their data.

Every page starts from the member record linked to the logged-in user in this co-op, never
from a number in the URL, so a member sees and changes only their own record. A user with a
role but no member record (an officer from outside, an account not yet linked) gets a page
saying so. The two exports read only; each is recorded apart in the audit trail.
"""
from __future__ import annotations

import json

from flask import Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import audit
from coop.access import VIEW_COOP, current_viewer
from coop.db import database, get_session, utcnow
from coop.pages import coop_view, show_refusal
from coop.pdf import pdf_response, render_pdf
from members import portal, reports, services
from members.forms import ContactForm
from members.models import Member
from members.panels import panels_for
from members.views import bp

LABELS = {"status_labels": services.STATUS_LABELS, "document_labels": services.DOCUMENT_LABELS,
          "lot_status_labels": services.LOT_STATUS_LABELS}


def own_member() -> Member | None:
    """The logged-in user's member record in this co-op, if any."""
    return reports.member_of_user(get_session(), g.coop, current_user.id)


def no_member_page():
    return render_template("members/portal_no_member.html")


@bp.route("/me")
@coop_view(VIEW_COOP)
def portal_home():
    member = own_member()
    if member is None:
        return no_member_page()
    db = get_session()
    return render_template("members/portal.html", home=portal.portal_home(db, member),
                           panels=panels_for(db, g.coop, member, current_viewer()), **LABELS)


@bp.route("/me/contact", methods=["GET", "POST"])
@coop_view(VIEW_COOP)
def portal_contact():
    member = own_member()
    if member is None:
        return no_member_page()
    form = ContactForm(obj=member)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = portal.update_own_contact(get_session(), current_user, g.coop, member, form.contact_data())
            flash(_("Your contact details are saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("members.portal_home"))
    return render_template("members/portal_contact.html", form=form, member=member)


def _export_filename(member: Member, extension: str) -> str:
    return f"mis-datos-{g.coop.slug}-{member.number}.{extension}"


def _record_export(member: Member, kind: str) -> None:
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.my_data", obj=member,
                       summary=f"{member.number}: {member.full_name} ({kind})")


@bp.route("/me/data.json")
@coop_view(VIEW_COOP)
def portal_data_json():
    member = own_member()
    if member is None:
        return no_member_page()
    data = portal.my_data(get_session(), g.coop, member)
    body = json.dumps(portal.my_data_json(data, exported=utcnow()), ensure_ascii=False, indent=2)
    _record_export(member, "json")
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{_export_filename(member, "json")}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/me/data.pdf")
@coop_view(VIEW_COOP)
def portal_data_pdf():
    member = own_member()
    if member is None:
        return no_member_page()
    data = portal.my_data(get_session(), g.coop, member)
    pdf = render_pdf("pdf/members/my_data.html", coop=g.coop, data=data, **LABELS)
    _record_export(member, "pdf")
    return pdf_response(pdf, _export_filename(member, "pdf"), download=True)
