"""The register's printed documents: a member's certificate, and the register of members
(libro de socios), which is rendered in the background and downloaded when done.

Printing is an export of personal data, so each is recorded in the audit trail: the certificate
apart (its request only reads), the register when it is asked for, and each download apart.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from coop import audit, documents
from coop.access import Permission, can, coop_view
from coop.db import database, get_session
from coop.documents import DocumentStatus
from coop.pdf import pdf_response
from members import printing, reports
from members.views import bp

#: seconds between reloads of a page that waits for a document (no JavaScript needed)
REFRESH_SECONDS = 3


@bp.route("/members/<int:number>/certificate.pdf")
@coop_view(Permission.MANAGE_MEMBERS)  # the secretary issues it; it carries the identity document
def certificate(number: int):
    db = get_session()
    member = reports.member_by_number(db, g.coop, number)
    if member is None:
        abort(404)
    pdf = printing.render_certificate(db, g.coop, member)
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.certificate",
                       obj=member, summary=f"{member.number}: {member.full_name}")
    return pdf_response(pdf, printing.certificate_filename(g.coop, member))


@bp.route("/members/register", methods=["GET", "POST"])
@coop_view(Permission.EXPORT_REGISTER)
def register():
    """The printed registers of the last days, and a button to print a new one."""
    db = get_session()
    if request.method == "POST":  # no fields: CSRFProtect checks the token of every POST
        document = printing.request_register(db, g.coop, current_user, locale=str(get_locale()),
                                             personal=can(Permission.VIEW_PERSONAL_DATA))
        db.commit()
        documents.start_rendering(current_app._get_current_object(), document.id)
        flash(_("The register is being printed. This page shows how far it got."), "success")
        return redirect(url_for("members.register"))
    registers = documents.documents_of(db, g.coop, printing.REGISTER_KIND)
    waiting = any(document.is_waiting for document, _name in registers)
    return _refreshing(render_template(
        "members/register.html", registers=registers, waiting=waiting, refresh=REFRESH_SECONDS,
        keep_days=documents.KEEP_DAYS, member_count=printing.member_count(db, g.coop)), waiting)


@bp.route("/members/documents/<int:document_id>")
@coop_view(Permission.EXPORT_REGISTER)
def document(document_id: int):
    """The file once it is done; until then, a page that shows its progress and reloads itself."""
    db = get_session()
    found = documents.document_of(db, g.coop, document_id, printing.REGISTER_KIND)
    if found is None:
        abort(404)
    if found.status is not DocumentStatus.DONE:
        return _refreshing(render_template("members/document.html", document=found, refresh=REFRESH_SECONDS),
                           found.is_waiting)
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.document", obj=found,
                       summary=found.filename)
    return pdf_response(found.content, found.filename, download=True)


def _refreshing(html: str, waiting: bool):
    """A page that reloads itself every few seconds while a document is being rendered.

    The ``Refresh`` header does what ``<meta http-equiv="refresh">`` does (the templates carry
    the tag too); either works without JavaScript, on every browser.
    """
    response = current_app.make_response(html)
    if waiting:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response
