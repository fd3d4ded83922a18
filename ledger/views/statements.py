"""Pages of the books: members' statements of account, arrears by age, and the member panel.

A statement is open to those who read the books and to the member it belongs to; to anyone
else it does not exist (404), so a member cannot learn whether another member number has an
account. Each page also answers as PDF (what a member takes home) and CSV; each download is
recorded in the audit trail, because it carries a person's debts.
"""
from __future__ import annotations

import datetime as dt

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coop import audit, calendar, tasks
from coop.access import VIEW_COOP, Viewer, current_viewer
from coop.db import database, get_session
from coop.errors import DomainError
from coop.pages import coop_view, page_number, query_args, query_choice, query_int
from coop.paging import page_of
from coop.pdf import render_pdf
from coop.tenancy import Coop
from ledger import documents, statements
from ledger.permissions import MANAGE_BOOKS, READ_STATEMENT, VIEW_BOOKS
from ledger.views import bp
from ledger.views.output import (Period, amount, as_of_from_args, csv_download, period_from_args, period_params,
                                 report_format)
from members import reports as member_reports
from members.models import Member
from members.panels import Panel, member_panel

audit.describe("export.statement", _l("Statement of account printed or exported"))
audit.describe("export.arrears", _l("Arrears report printed or exported"))

#: the choices of the arrears filter: minimum days late
MIN_DAYS_CHOICES = (0, 1, 30, 60, 90)


def _is_own(member: Member) -> bool:
    return current_viewer().is_user(member.user_id)


# --- the member panel ------------------------------------------------------------------------

@member_panel
def account_panel(session, coop, member, viewer: Viewer) -> Panel | None:
    """The member's account on their page: for readers of the books, and for the member."""
    if not viewer.may(READ_STATEMENT, member):
        return None
    books = viewer.may(VIEW_BOOKS)
    today = calendar.today_in(coop)
    if books:
        statement_url = url_for("ledger.member_statement", member_id=member.id)
        print_url = url_for("ledger.member_statement_print", member_id=member.id)
    else:
        statement_url, print_url = url_for("ledger.my_statement"), url_for("ledger.my_statement_print")
    return Panel(title=_("Account with the co-op"), template="ledger/_member_panel.html", context={
        "member": member, "balance": statements.member_balance(session, coop, member.id),
        "arrears": statements.member_arrears(session, coop, member.id, today), "today": today,
        "payments": statements.last_payments(session, coop, member.id),
        "shares": statements.share_capital_status(session, coop, member.id),
        "statement_url": statement_url, "print_url": print_url,
        "may_record_payment": viewer.may(MANAGE_BOOKS)})


# --- statements ------------------------------------------------------------------------------

def _statement_page(member: Member, endpoint_args: dict):
    period = period_from_args(g.coop)
    db = get_session()
    statement = statements.member_statement(db, g.coop, member, period.start, period.end)
    if report_format() != "csv":
        print_url = url_for(request.endpoint + "_print", **endpoint_args, start=period.start.isoformat(),
                            end=period.end.isoformat())
        return render_template("ledger/statement.html", statement=statement, period=period,
                               endpoint_args=endpoint_args, own=_is_own(member), print_url=print_url)
    _record_statement_export(member, period, "csv")
    return csv_download(f"{_statement_name(member, period)}.csv", _statement_header(), list(_statement_rows(statement)))


def _statement_name(member: Member, period: Period) -> str:
    return f"estado-de-cuenta-{member.number}-{period.start.isoformat()}-{period.end.isoformat()}"


def _record_statement_export(member: Member, period: Period, fmt: str) -> None:
    # a download is recorded apart from the request; a printed copy with the task (no record if refused)
    summary = f"{member.number}: {member.full_name} ({fmt}, {period.start} – {period.end})"
    if fmt == "csv":
        audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.statement", obj=member,
                           summary=summary)
    else:
        audit.record(get_session(), coop=g.coop, actor=current_user, action="export.statement", obj=member,
                     summary=summary)


def _print_statement(member: Member):
    """Queue the statement the page shows (its dates are in the address) as a background document."""
    period = period_from_args(g.coop)

    def check() -> None:
        _refuse_errors(period)
        _record_statement_export(member, period, "pdf")

    return documents.print_report("statement", {"member_id": member.id, **period_params(period)},
                                  filename=f"{_statement_name(member, period)}.pdf",
                                  back=url_for(request.endpoint.removesuffix("_print"), **request.view_args,
                                               **query_args(*request.view_args)),
                                  before=check)


def _refuse_errors(period: Period) -> None:
    """A date the page could not read is not printed over."""
    if period.errors:
        raise DomainError(next(iter(period.errors.values())))


def _may_read_statement(viewer: Viewer, task: tasks.Task) -> bool:
    """A printed statement is for the books' readers and for the member it belongs to (as the page is)."""
    member = get_session().get(Member, (task.params or {}).get("member_id"))
    return member is not None and member.coop_id == task.coop_id and viewer.may(READ_STATEMENT, member)


@documents.report_document("statement", label=_l("Statement of account"), permission=READ_STATEMENT,
                           rule=_may_read_statement)
def render_statement(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    member = session.get(Member, params["member_id"])
    if member is None or member.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The member no longer exists.")))
    period = Period.of(params)
    progress(0, 2)
    statement = statements.member_statement(session, coop, member, period.start, period.end)
    progress(1, 2)
    return render_pdf("pdf/ledger_statement.html", coop=coop, statement=statement)


def _statement_header() -> list[str]:
    return [_("Date"), _("Entry"), _("Description"), _("Reference"), _("Charge"), _("Payment"), _("Balance")]


def _statement_rows(statement: statements.Statement):
    currency = g.coop.currency
    yield [statement.start.isoformat(), "", _("Opening balance"), "", "", "", amount(statement.opening, currency)]
    for line in statement.lines:
        description = line.description
        if line.is_reversed:
            description = _("%(description)s (cancelled by entry %(number)d)", description=description,
                            number=line.reversed_by_number)
        yield [line.entry_date.isoformat(), line.number, description, line.reference,
               amount(line.charge, currency) if line.charge else "",
               amount(line.payment, currency) if line.payment else "", amount(line.balance, currency)]
    yield [statement.end.isoformat(), "", _("Closing balance"), "", amount(statement.total_charges, currency),
           amount(statement.total_payments, currency), amount(statement.closing, currency)]


@bp.route("/members/<int:member_id>/statement")
@coop_view(READ_STATEMENT, member=Member)  # the books' readers, or the member themselves; anyone else: 404
def member_statement(member: Member):
    return _statement_page(member, {"member_id": member.id})


@bp.post("/members/<int:member_id>/statement/print")
@coop_view(READ_STATEMENT, member=Member)
def member_statement_print(member: Member):
    return _print_statement(member)


@bp.route("/me/statement")
@coop_view(VIEW_COOP)
def my_statement():
    member = member_reports.member_of_user(get_session(), g.coop, current_user.id)
    if member is None:
        return render_template("ledger/statement_no_member.html")
    return _statement_page(member, {})


@bp.post("/me/statement/print")
@coop_view(VIEW_COOP)
def my_statement_print():
    member = member_reports.member_of_user(get_session(), g.coop, current_user.id)
    if member is None:
        return render_template("ledger/statement_no_member.html")
    return _print_statement(member)


# --- arrears ---------------------------------------------------------------------------------

def _int_arg(name: str, default: int, allowed) -> int:
    value = query_int(name, min=0)
    return value if value in allowed else default


def _arrears_filters() -> tuple[Period, int, str]:
    return (as_of_from_args(g.coop), _int_arg("min_days", 1, MIN_DAYS_CHOICES),
            query_choice("sort", statements.ArrearsSort.ALL, "amount"))


def _record_arrears_export(report_as_of: dt.date, fmt: str, rows: int | None = None) -> None:
    if fmt == "csv":
        audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.arrears",
                           summary=f"{report_as_of} ({fmt}, {rows})")
    else:  # with the printed copy's task: no record when the request is refused
        audit.record(get_session(), coop=g.coop, actor=current_user, action="export.arrears",
                     summary=f"{report_as_of} ({fmt})")


@bp.route("/arrears")
@coop_view(VIEW_BOOKS)
def arrears():
    as_of, min_days, sort = _arrears_filters()
    report = statements.arrears_aging(get_session(), g.coop, as_of.start, min_days=min_days, sort=sort)
    if report_format() != "csv":
        page, size = page_number(), statements.ARREARS_PAGE_SIZE
        return render_template("ledger/arrears.html", report=report, errors=as_of.errors, min_days=min_days,
                               sort=sort, min_days_choices=MIN_DAYS_CHOICES, page=page, per_page=size,
                               rows=page_of(report.rows, page, size),
                               print_url=url_for("ledger.arrears_print", **query_args("page", "format")))
    _record_arrears_export(report.as_of, "csv", len(report.rows))
    name = f"morosidad-{g.coop.slug}-{report.as_of.isoformat()}"
    return csv_download(f"{name}.csv", _arrears_header(), list(_arrears_rows(report)))  # built in the request


@bp.post("/arrears/print")
@coop_view(VIEW_BOOKS)
def arrears_print():
    as_of, min_days, sort = _arrears_filters()
    return documents.print_report(
        "arrears", {"as_of": as_of.end.isoformat(), "min_days": min_days, "sort": sort},
        filename=f"morosidad-{g.coop.slug}-{as_of.end.isoformat()}.pdf",
        back=url_for("ledger.arrears", **query_args()),
        before=lambda: _refuse_errors(as_of) or _record_arrears_export(as_of.end, "pdf"))


@documents.report_document("arrears", label=_l("Arrears"), permission=VIEW_BOOKS)
def render_arrears(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    progress(0, 2)
    report = statements.arrears_aging(session, coop, dt.date.fromisoformat(params["as_of"]),
                                      min_days=params["min_days"], sort=params["sort"])
    progress(1, 2)
    return render_pdf("pdf/ledger_arrears.html", coop=coop, report=report, min_days=params["min_days"])


def _arrears_header() -> list[str]:
    return [_("Member no."), _("Name"), _("Current"), _("30–59 days"), _("60–89 days"), _("90 days or more"),
            _("Total open"), _("Overdue"), _("Oldest overdue"), _("Days late"), _("In credit")]


def _arrears_rows(report: statements.ArrearsReport):
    currency = g.coop.currency
    for row in report.rows:
        a = row.aging
        yield [row.number, row.name, *(amount(v, currency) for v in (a.current, a.days_30, a.days_60, a.days_90,
                                                                      a.total, row.overdue)),
               row.oldest_due.isoformat() if row.oldest_due else "", row.days_late, amount(row.credit, currency)]
    t = report.totals
    yield ["", _("Total"), *(amount(v, currency) for v in (t.current, t.days_30, t.days_60, t.days_90, t.total,
                                                           report.total_overdue)),
           "", "", amount(report.total_credit, currency)]
