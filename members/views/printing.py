"""The register's printed documents: a member's certificate, and the register of members
(libro de socios), which is rendered in the background (``coop.tasks``) and downloaded from the
task's page when done.

Printing is an export of personal data, so each is recorded in the audit trail: the certificate
apart (its request only reads), the register when it is asked for, and each download apart.
"""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import audit, tasks
from coop.access import can, current_viewer
from coop.db import database, get_session
from coop.pages import Load, coop_view, refreshing, show_refusal
from coop.pdf import pdf_response
from coop.web import reader_locale
from members import printing
from members.models import Member
from members.permissions import EXPORT_REGISTER, MANAGE_MEMBERS, VIEW_PERSONAL_DATA
from members.views import bp


@bp.route("/members/<int:number>/certificate.pdf")
@coop_view(MANAGE_MEMBERS, member=Load(Member, "number"))  # the secretary issues it; it carries the identity document
def certificate(member: Member):
    pdf = printing.render_certificate(get_session(), g.coop, member)
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.certificate",
                       obj=member, summary=f"{member.number}: {member.full_name}")
    return pdf_response(pdf, printing.certificate_filename(g.coop, member))


@bp.route("/members/register", methods=["GET", "POST"])
@coop_view(EXPORT_REGISTER)
def register():
    """The printed registers of the last days, and a button to print a new one."""
    db = get_session()
    if request.method == "POST":  # no fields: CSRFProtect checks the token of every POST
        with show_refusal():
            printing.request_register(db, g.coop, current_user, locale=reader_locale(),
                                      personal=can(VIEW_PERSONAL_DATA))
            flash(_("The register is being printed. This page shows how far it got."), "success")
        return redirect(url_for("members.register"))
    viewer = current_viewer()
    registers = [(task, name) for task, name in tasks.tasks_of(db, g.coop, printing.REGISTER_KIND)
                 if tasks.may_see(viewer, task)]
    waiting = any(task.is_waiting for task, _name in registers)
    return refreshing(render_template(
        "members/register.html", registers=registers, waiting=waiting, refresh=tasks.REFRESH_SECONDS,
        keep_days=tasks.KEEP_DAYS, member_count=printing.member_count(db, g.coop)), waiting, tasks.REFRESH_SECONDS)
