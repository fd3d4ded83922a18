"""Pages of the books: exporting the journal to hledger, beancount and CSV.

Each download is recorded in the audit trail before its first byte is sent, then streamed: the
body is read after this request's unit of work has closed, so it reads in a read-only unit of
its own (as the register's export does), entry batch by entry batch. It needs nothing from the
request, so it is not wrapped in ``stream_with_context``: that would keep the request's context
(its session, its logged-in user) alive for as long as a client takes to read the file.
"""
from __future__ import annotations

from flask import Response, g, render_template
from flask_login import current_user

from coop import audit
from coop.calendar import today_in
from coop.db import database, get_session
from coop.pages import coop_view
from coop.tenancy import Coop
from ledger import exports
from ledger.permissions import VIEW_BOOKS
from ledger.views import bp


@bp.route("/exports", endpoint="exports")
@coop_view(VIEW_BOOKS)
def exports_page():
    entries = exports.last_number(get_session(), g.coop)
    return render_template("ledger/exports.html", entries=entries)


def _download(fmt: str) -> Response:
    entries = exports.last_number(get_session(), g.coop)
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.ledger",
                       summary=f"{fmt}; n={entries}")
    header = [str(label) for label in exports.CSV_HEADER]  # in the reader's language
    books, coop_id = database(), g.coop.id

    def chunks():
        with books.unit_of_work(write=False) as session:
            yield from exports.export_chunks(session, session.get(Coop, coop_id), fmt, csv_header=header,
                                             up_to=entries)

    response = Response(chunks(), mimetype=exports.FILE_TYPES[fmt][1])
    response.headers.set("Content-Disposition", "attachment",
                         filename=exports.export_filename(g.coop, fmt, today_in(g.coop)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/exports/journal.hledger")
@coop_view(VIEW_BOOKS)
def export_hledger():
    return _download("hledger")


@bp.route("/exports/journal.beancount")
@coop_view(VIEW_BOOKS)
def export_beancount():
    return _download("beancount")


@bp.route("/exports/journal.csv")
@coop_view(VIEW_BOOKS)
def export_csv():
    return _download("csv")
