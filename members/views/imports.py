"""The register's import and export pages.

Importing is two steps: the upload is checked whole and either every bad row is listed (nothing
is kept) or the file is kept with a preview; a confirmation then saves it in the background,
and the page refreshes itself (no JavaScript) until it is done. Exports stream the register as
CSV or build an XLSX, with the directory's filters, and are recorded in the audit trail.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

from flask import (Flask, Response, abort, current_app, g, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from coop import audit
from coop.access import Permission, can, coop_view
from coop.db import database, get_session, utcnow
from coop.documents import DocumentStatus
from coop.tenancy import Coop, today_in
from members import exports, imports, reports, services
from members.forms import DirectoryFilterForm, MemberImportForm
from members.models import MemberStatus
from members.views import bp

#: a running import that has not finished after this long is shown as stopped
STALLED_AFTER = dt.timedelta(minutes=30)
REFRESH_SECONDS = 2


def language() -> str:
    return str(get_locale() or "es").split("_")[0]


# --- import --------------------------------------------------------------------------------

@bp.route("/members/import", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def import_members():
    form = MemberImportForm()
    plan = None
    if form.validate_on_submit():
        content = form.file.data.read()
        db = get_session()
        plan = imports.check_import(db, g.coop, content, today=today_in(g.coop))
        if plan.ok:
            upload = imports.store_upload(db, current_user, g.coop, content, plan=plan,
                                          filename=secure_filename(form.file.data.filename or "") or "import")
            db.commit()
            return redirect(url_for("members.import_status", upload_id=upload.id))
    return render_template("members/import.html", form=form, plan=plan, columns=_column_help())


def _column_help() -> list[tuple[str, str, str, bool]]:
    """(header in English, header in Spanish, what it holds, required) for the page's table."""
    return [(key, spanish, imports.COLUMN_HELP[key], key in imports.REQUIRED)
            for key, spanish in imports.COLUMNS.items()]


@bp.route("/members/import/<int:upload_id>")
@coop_view(Permission.MANAGE_MEMBERS)
def import_status(upload_id: int):
    db = get_session()
    upload = imports.stored_import(db, g.coop, upload_id)
    if upload is None:
        abort(404)
    params = upload.params or {}
    running = upload.status is DocumentStatus.RUNNING
    started = params.get("started")
    stalled = running and bool(started) and utcnow() - dt.datetime.fromisoformat(started) > STALLED_AFTER
    response = make_response(render_template(
        "members/import_status.html", upload=upload, params=params, stalled=stalled,
        status_labels=services.STATUS_LABELS,
        refresh=REFRESH_SECONDS if running and not stalled else None,
        first_number=imports.next_member_number(db, g.coop) if upload.status is DocumentStatus.PENDING else None))
    if running and not stalled:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.route("/members/import/<int:upload_id>/confirm", methods=["POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def import_confirm(upload_id: int):
    db = get_session()
    upload = imports.stored_import(db, g.coop, upload_id)
    if upload is None:
        abort(404)
    if imports.start_stored_import(db, upload):
        db.commit()
        _run_in_background(current_app._get_current_object(), upload.id)
    return redirect(url_for("members.import_status", upload_id=upload.id))


def _run_in_background(app: Flask, upload_id: int) -> None:
    def work() -> None:
        with app.app_context():
            imports.run_stored_import(database(), upload_id)

    threading.Thread(target=work, name=f"member-import-{upload_id}", daemon=True).start()


def _template_header() -> list[str]:
    return [name for _key, name in imports.column_names(language())]


@bp.route("/members/import/template.csv")
@coop_view(Permission.MANAGE_MEMBERS)
def import_template_csv():
    return _download("".join(exports.csv_chunks(_template_header(), [])), "text/csv; charset=utf-8",
                     _("members-template") + ".csv")


@bp.route("/members/import/template.xlsx")
@coop_view(Permission.MANAGE_MEMBERS)
def import_template_xlsx():
    content = exports.xlsx_bytes(_template_header(), [], title=_("Members"),
                                 help_rows=[(_("Column"), _("What it holds"))] + exports.template_help(language()))
    return _download(content, imports.XLSX_MIMETYPE, _("members-template") + ".xlsx")


def _download(content, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


# --- export --------------------------------------------------------------------------------

def _export_query() -> reports.DirectoryQuery:
    """The directory's filters from the address, so "export" gives what the directory shows."""
    form = DirectoryFilterForm(request.args)
    status = form.status.data if form.status.data in set(MemberStatus) else None
    return reports.DirectoryQuery(text=form.q.data or "", status=MemberStatus(status) if status else None,
                                  household_id=form.household_id.data or None, block=form.block.data or "",
                                  search_documents=can(Permission.VIEW_PERSONAL_DATA))


def _export(kind: str) -> tuple[list[str], Iterator[list[object]]]:
    """The header and rows of an export, recorded in the audit trail before anything is sent.

    Without Permission.VIEW_PERSONAL_DATA (the oversight council) the personal columns are left out.
    """
    query, personal = _export_query(), can(Permission.VIEW_PERSONAL_DATA)
    _page, total = reports.directory(get_session(), g.coop, query, per_page=1)  # for its count
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.register",
                       summary="; ".join(filter(None, [kind, f"n={total}", exports.describe_query(query),
                                                       "" if personal else "personal data: no"])))
    reader, coop_id, register = language(), g.coop.id, database()

    def rows():
        # A streamed body is read after the view's unit of work has closed, so it reads in a
        # unit of its own that needs no request context (closed even if the client goes away).
        with register.unit_of_work(write=False) as session:
            yield from exports.export_rows(session, session.get(Coop, coop_id), query, language=reader,
                                           personal=personal)

    return exports.export_header(reader, personal=personal), rows()


def _export_name(extension: str) -> str:
    name = _("register")  # extracted for translation: the file is named in the reader's language
    return f"{name}-{g.coop.slug}-{today_in(g.coop).isoformat()}.{extension}"


@bp.route("/members/export.csv")
@coop_view(Permission.EXPORT_REGISTER)
def export_csv():
    header, rows = _export("csv")
    return _download(exports.csv_chunks(header, rows), "text/csv; charset=utf-8", _export_name("csv"))


@bp.route("/members/export.xlsx")
@coop_view(Permission.EXPORT_REGISTER)
def export_xlsx():
    header, rows = _export("xlsx")
    return _download(exports.xlsx_bytes(header, rows, title=_("Members")), imports.XLSX_MIMETYPE,
                     _export_name("xlsx"))
