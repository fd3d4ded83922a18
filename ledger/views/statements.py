"""Pages of the books: members' statements of account, arrears by age, and the member panel.

A statement is open to those who read the books and to the member it belongs to; to anyone
else it does not exist (404), so a member cannot learn whether another member number has an
account. Each page also answers as PDF (what a member takes home) and CSV; each download is
recorded in the audit trail, because it carries a person's debts.
"""
from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coop import audit, calendar
from coop.access import VIEW_COOP, Viewer, current_viewer
from coop.db import database, get_session
from coop.pages import coop_view, page_number, query_choice, query_int
from ledger import statements
from ledger.permissions import MANAGE_BOOKS, READ_STATEMENT, VIEW_BOOKS
from ledger.views import bp
from ledger.views.output import as_of_from_args, amount, csv_download, pdf_download, period_from_args, report_format
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
        pdf_url = url_for("ledger.member_statement", member_id=member.id, format="pdf")
    else:
        statement_url, pdf_url = url_for("ledger.my_statement"), url_for("ledger.my_statement", format="pdf")
    return Panel(title=_("Account with the co-op"), template="ledger/_member_panel.html", context={
        "member": member, "balance": statements.member_balance(session, coop, member.id),
        "arrears": statements.member_arrears(session, coop, member.id, today), "today": today,
        "payments": statements.last_payments(session, coop, member.id),
        "shares": statements.share_capital_status(session, coop, member.id),
        "statement_url": statement_url, "pdf_url": pdf_url,
        "may_record_payment": viewer.may(MANAGE_BOOKS)})


# --- statements ------------------------------------------------------------------------------

def _statement_page(member: Member, endpoint_args: dict):
    period = period_from_args(g.coop)
    db = get_session()
    statement = statements.member_statement(db, g.coop, member, period.start, period.end)
    fmt = report_format()
    if fmt == "html":
        return render_template("ledger/statement.html", statement=statement, period=period,
                               endpoint_args=endpoint_args, own=_is_own(member))
    name = f"estado-de-cuenta-{member.number}-{period.start.isoformat()}-{period.end.isoformat()}"
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.statement", obj=member,
                       summary=f"{member.number}: {member.full_name} ({fmt}, {period.start} – {period.end})")
    if fmt == "pdf":
        return pdf_download("pdf/ledger_statement.html", f"{name}.pdf", coop=g.coop, statement=statement)
    return csv_download(f"{name}.csv", _statement_header(), list(_statement_rows(statement)))


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


@bp.route("/me/statement")
@coop_view(VIEW_COOP)
def my_statement():
    member = member_reports.member_of_user(get_session(), g.coop, current_user.id)
    if member is None:
        return render_template("ledger/statement_no_member.html")
    return _statement_page(member, {})


# --- arrears ---------------------------------------------------------------------------------

def _int_arg(name: str, default: int, allowed) -> int:
    value = query_int(name, min=0)
    return value if value in allowed else default


@bp.route("/arrears")
@coop_view(VIEW_BOOKS)
def arrears():
    as_of = as_of_from_args(g.coop)
    min_days = _int_arg("min_days", 1, MIN_DAYS_CHOICES)
    sort = query_choice("sort", statements.ArrearsSort.ALL, "amount")
    report = statements.arrears_aging(get_session(), g.coop, as_of.start, min_days=min_days, sort=sort)
    fmt = report_format()
    if fmt == "html":
        page = page_number()
        size = statements.ARREARS_PAGE_SIZE
        return render_template("ledger/arrears.html", report=report, errors=as_of.errors, min_days=min_days,
                               sort=sort, min_days_choices=MIN_DAYS_CHOICES, page=page, per_page=size,
                               rows=report.rows[(page - 1) * size:page * size])
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.arrears",
                       summary=f"{report.as_of} ({fmt}, {len(report.rows)})")
    name = f"morosidad-{g.coop.slug}-{report.as_of.isoformat()}"
    if fmt == "pdf":
        return pdf_download("pdf/ledger_arrears.html", f"{name}.pdf", coop=g.coop, report=report,
                            min_days=min_days)
    return csv_download(f"{name}.csv", _arrears_header(), list(_arrears_rows(report)))  # built in the request


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
