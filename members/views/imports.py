"""The register's import and export pages.

Importing is two steps: the upload is checked whole and either every bad row is listed (nothing
is kept) or the file is kept as a draft with a preview; a confirmation then queues it as a
background task (``coop.tasks``), and the page refreshes itself (no JavaScript) until it is
done. Exports stream the register as CSV or build an XLSX, with the directory's filters, and are
recorded in the audit trail.
"""
from __future__ import annotations

from collections.abc import Iterator

from flask import Response, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from coop import audit, spreadsheets, tasks
from coop.access import can
from coop.calendar import today_in
from coop.db import database, get_session
from coop.pages import Load, coop_view, query_form, refreshing
from coop.tasks import Task, TaskStatus
from coop.tenancy import Coop
from members import exports, imports, reports, services
from members.forms import DirectoryFilterForm, MemberImportForm
from members.models import MemberStatus
from members.permissions import EXPORT_REGISTER, MANAGE_MEMBERS, VIEW_PERSONAL_DATA
from members.views import bp


def language() -> str:
    return str(get_locale() or "es").split("_")[0]


# --- import --------------------------------------------------------------------------------

@bp.route("/members/import", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS)
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
            return redirect(url_for("members.import_status", upload_id=upload.id))
    return render_template("members/import.html", form=form, plan=plan, columns=_column_help())


def _column_help() -> list[tuple[str, str, str, bool]]:
    """(header in English, header in Spanish, what it holds, required) for the page's table."""
    return [(key, spanish, imports.COLUMN_HELP[key], key in imports.REQUIRED)
            for key, spanish in imports.COLUMNS.items()]


@bp.route("/members/import/<int:upload_id>")
@coop_view(MANAGE_MEMBERS, upload=Load.by(imports.stored_import, "upload_id"))
def import_status(upload: Task):
    return refreshing(render_template(
        "members/import_status.html", upload=upload, params=upload.params or {}, result=upload.result or {},
        status_labels=services.STATUS_LABELS, refresh=tasks.REFRESH_SECONDS,
        first_number=imports.next_member_number(get_session(), g.coop)
        if upload.status is TaskStatus.DRAFT else None), upload.is_waiting, tasks.REFRESH_SECONDS)


@bp.route("/members/import/<int:upload_id>/confirm", methods=["POST"])
@coop_view(MANAGE_MEMBERS, upload=Load.by(imports.stored_import, "upload_id"))
def import_confirm(upload: Task):
    imports.confirm_import(get_session(), upload)  # a second click finds it queued already
    return redirect(url_for("members.import_status", upload_id=upload.id))


def _template_header() -> list[str]:
    return [name for _key, name in imports.column_names(language())]


@bp.route("/members/import/template.csv")
@coop_view(MANAGE_MEMBERS)
def import_template_csv():
    return _download("".join(spreadsheets.csv_chunks(_template_header(), [])), "text/csv; charset=utf-8",
                     _("members-template") + ".csv")


@bp.route("/members/import/template.xlsx")
@coop_view(MANAGE_MEMBERS)
def import_template_xlsx():
    content = exports.xlsx_bytes(_template_header(), [], title=_("Members"),
                                 help_rows=[(_("Column"), _("What it holds"))] + exports.template_help(language()))
    return _download(content, spreadsheets.XLSX_MIMETYPE, _("members-template") + ".xlsx")


def _download(content, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


# --- export --------------------------------------------------------------------------------

def _export_query() -> reports.DirectoryQuery:
    """The directory's filters from the address, so "export" gives what the directory shows."""
    form = query_form(DirectoryFilterForm)
    status = form.status.data if form.status.data in set(MemberStatus) else None
    return reports.DirectoryQuery(text=form.q.data or "", status=MemberStatus(status) if status else None,
                                  household_id=form.household_id.data or None, block=form.block.data or "",
                                  search_documents=can(VIEW_PERSONAL_DATA))


def _export(kind: str) -> tuple[list[str], Iterator[list[object]]]:
    """The header and rows of an export, recorded in the audit trail before anything is sent.

    Without VIEW_PERSONAL_DATA (the oversight council) the personal columns are left out.
    """
    query, personal = _export_query(), can(VIEW_PERSONAL_DATA)
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
@coop_view(EXPORT_REGISTER)
def export_csv():
    header, rows = _export("csv")
    return _download(spreadsheets.csv_chunks(header, rows), "text/csv; charset=utf-8", _export_name("csv"))


@bp.route("/members/export.xlsx")
@coop_view(EXPORT_REGISTER)
def export_xlsx():
    header, rows = _export("xlsx")
    return _download(exports.xlsx_bytes(header, rows, title=_("Members")), spreadsheets.XLSX_MIMETYPE,
                     _export_name("xlsx"))
