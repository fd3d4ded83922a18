"""Pages of the books: the finances overview, the financial statements and their charts.

Each report is one page, its PDF (``?format=pdf``) and its CSV (``?format=csv``), built from the
same figures of ``ledger.reports``; the period comes from ``?start=&end=`` (or ``?as_of=``) through
``ledger.views.output``, whose problems are shown beside the date fields. The co-op-wide
summaries (overview, income statement, balance sheet, construction fund) are for whoever holds
VIEW_FINANCE_SUMMARY (every member, when the co-op publishes its finances); the trial balance
and the general ledger are for the book-keepers and the oversight council.
"""
from __future__ import annotations

import datetime as dt

from flask import g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coop import audit, calendar, tasks
from coop.access import can
from coop.db import database, get_session
from coop.errors import DomainError
from coop.pages import coop_view, page_number, query_args
from coop.pdf import render_pdf
from coop.tenancy import Coop
from ledger import charts, documents, reports
from ledger.models import Account
from ledger.permissions import MANAGE_BOOKS, VIEW_BOOKS, VIEW_FINANCE_SUMMARY
from ledger.views import bp
from ledger.views.output import (Period, amount, as_of_from_args, csv_download, pdf_download, period_from_args,
                                 period_params, report_format)

#: more lines than this and a general ledger is not printed: the CSV carries any number
LEDGER_PDF_LIMIT = 3000
#: months of the construction fund's chart on the overview, this month included
FUND_CHART_MONTHS = 24
audit.describe("export.ledger", _l("General ledger downloaded"))

#: the book-keeping pages linked from the overview: endpoint, label, permission
BOOK_LINKS = (
    ("ledger.journal", _l("Journal"), VIEW_BOOKS),
    ("ledger.accounts", _l("Chart of accounts"), VIEW_BOOKS),
    ("ledger.new_entry", _l("New journal entry"), MANAGE_BOOKS),
    ("ledger.payments", _l("Payments and receipts"), VIEW_BOOKS),
    ("ledger.new_payment", _l("Record a payment"), MANAGE_BOOKS),
    ("ledger.dues_plans", _l("Dues plans"), VIEW_BOOKS),
    ("ledger.expenses", _l("Expenses"), VIEW_BOOKS),
    ("ledger.arrears", _l("Arrears"), VIEW_BOOKS),
    ("ledger.periods", _l("Closing months"), MANAGE_BOOKS),
    ("ledger.opening_import", _l("Opening balances"), MANAGE_BOOKS),
    ("ledger.exports", _l("Exports"), VIEW_BOOKS),
)


def _locale() -> str:
    return g.coop.format_locale(str(get_locale() or "es").split("_")[0])


def _chart_options(small_screens: bool = True) -> dict:
    """The reader's currency and language; a page also carries the charts drawn for phones."""
    return {"currency": g.coop.currency, "locale": _locale(), "small_screens": small_screens}


def _back() -> str:
    """The report's page, with the filters the print form was posted with."""
    return url_for(request.endpoint.removesuffix("_print"), **request.view_args, **query_args(*request.view_args))


def _filename(name: str, *days: dt.date, extension: str) -> str:
    return "-".join([name, g.coop.slug, *(d.isoformat() for d in days)]) + "." + extension


def _book_links() -> list[tuple[str, str]]:
    """The book-keeping pages this reader may open."""
    return [(url_for(endpoint), label) for endpoint, label, permission in BOOK_LINKS if can(permission)]


def _money(minor: int) -> str:
    return amount(minor, g.coop.currency)


# --- the overview ------------------------------------------------------------------------------

def _home_context(db, coop: Coop, today, *, small_screens: bool) -> dict:
    year_start, year_end = calendar.fiscal_year_start(coop, today), calendar.fiscal_year_end(coop, today)
    fund_start = calendar.add_months(calendar.month_start(today), 1 - FUND_CHART_MONTHS)
    months = reports.monthly_income_expenses(db, coop, year_start, year_end)
    fund = reports.construction_fund(db, coop, fund_start, today)
    figures = reports.key_figures(db, coop, year_start, today)
    options = _chart_options(small_screens)
    return dict(coop=coop, months=months, fund=fund, figures=figures, year_start=year_start, today=today,
                income_chart=charts.income_expenses_chart(months, **options),
                fund_chart=charts.fund_balance_chart(fund.points, **options))


@bp.get("/")
@coop_view(VIEW_FINANCE_SUMMARY)
def home():
    db, coop = get_session(), g.coop
    today = calendar.today_in(coop)
    if report_format() == "csv":
        context = _home_context(db, coop, today, small_screens=False)
        return _home_csv(context["months"], context["fund"])
    return render_template("ledger/home.html", book_links=_book_links(),
                           **_home_context(db, coop, today, small_screens=True))


@bp.post("/print")
@coop_view(VIEW_FINANCE_SUMMARY)
def home_print():
    today = calendar.today_in(g.coop)
    return documents.print_report("finances", {"today": today.isoformat()},
                                  filename=_filename(_("finances"), today, extension="pdf"), back=_back())


@documents.report_document("finances", label=_l("Finances"), permission=VIEW_FINANCE_SUMMARY)
def render_finances(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    context = _home_context(session, coop, dt.date.fromisoformat(params["today"]), small_screens=False)
    progress(1, 2)
    return render_pdf("pdf/ledger_home.html", **context)


def _home_csv(months, fund):
    spent = {m.month: m for m in fund.months}
    header = [_("Month"), _("Income"), _("Expenses"), _("Result"), _("Raised for the fund"),
              _("Spent on construction"), _("Fund balance")]
    rows = [[m.month.strftime("%Y-%m"), _money(m.income), _money(m.expenses), _money(m.result),
             *([_money(spent[m.month].raised), _money(spent[m.month].spent), _money(spent[m.month].balance)]
               if m.month in spent else ["", "", ""])] for m in months]
    return csv_download(_filename(_("finances"), calendar.today_in(g.coop), extension="csv"), header, rows)


# --- trial balance ------------------------------------------------------------------------------

@bp.get("/trial-balance")
@coop_view(VIEW_BOOKS)
def trial_balance():
    period = period_from_args(g.coop)
    rows = reports.trial_balance(get_session(), g.coop, as_of=period.end, start=period.start)
    totals = {"debit": sum(r.debit for r in rows), "credit": sum(r.credit for r in rows)}
    fmt = report_format()
    if fmt == "csv":
        header = [_("Code"), _("Account"), _("Opening balance"), _("Debits"), _("Credits"), _("Closing balance")]
        return csv_download(
            _filename(_("trial-balance"), period.start, period.end, extension="csv"), header,
            [[r.code, r.name, _money(reports.natural(r.type, r.opening)), _money(r.debit), _money(r.credit),
              _money(reports.natural(r.type, r.closing))] for r in rows]
            + [["", _("Total"), "", _money(totals["debit"]), _money(totals["credit"]), ""]])
    context = dict(coop=g.coop, period=period, rows=rows, totals=totals, natural=reports.natural)
    if fmt == "pdf":
        return pdf_download("pdf/ledger_trial_balance.html",
                            _filename(_("trial-balance"), period.start, period.end, extension="pdf"), **context)
    return render_template("ledger/report_trial_balance.html", **context)


# --- income statement and balance sheet ------------------------------------------------------------

def _section_rows(section, label: str, total_label: str) -> list[list[str]]:
    return ([[label, line.code, line.name, _money(line.amount)] for line in section.lines]
            + [[label, "", total_label, _money(section.total)]])


@bp.get("/income-statement")
@coop_view(VIEW_FINANCE_SUMMARY)
def income_statement():
    period = period_from_args(g.coop)
    statement = reports.income_statement(get_session(), g.coop, period.start, period.end)
    fmt = report_format()
    if fmt == "csv":
        rows = (_section_rows(statement.income, _("Income"), _("Total income"))
                + _section_rows(statement.expenses, _("Expenses"), _("Total expenses"))
                + [[_("Result"), "", _("Surplus") if statement.result >= 0 else _("Deficit"),
                    _money(statement.result)]])
        return csv_download(_filename(_("income-statement"), period.start, period.end, extension="csv"),
                            [_("Section"), _("Code"), _("Account"), _("Amount")], rows)
    context = dict(coop=g.coop, period=period, statement=statement)
    if fmt == "pdf":
        return pdf_download("pdf/ledger_income_statement.html",
                            _filename(_("income-statement"), period.start, period.end, extension="pdf"), **context)
    return render_template("ledger/report_income_statement.html", **context)


@bp.get("/balance-sheet")
@coop_view(VIEW_FINANCE_SUMMARY)
def balance_sheet():
    period = as_of_from_args(g.coop)
    sheet = reports.balance_sheet(get_session(), g.coop, period.end)
    fmt = report_format()
    if fmt == "csv":
        rows = (_section_rows(sheet.assets, _("Assets"), _("Total assets"))
                + _section_rows(sheet.liabilities, _("Liabilities"), _("Total liabilities"))
                + _section_rows(sheet.equity, _("Equity"), _("Equity accounts"))
                + [[_("Equity"), "", _("Result of earlier years not yet closed"), _money(sheet.result_earlier)],
                   [_("Equity"), "", _("Result of this year"), _money(sheet.result_this_year)],
                   [_("Equity"), "", _("Total equity"), _money(sheet.equity_total)],
                   ["", "", _("Total liabilities and equity"), _money(sheet.liabilities_and_equity)]])
        return csv_download(_filename(_("balance-sheet"), period.end, extension="csv"),
                            [_("Section"), _("Code"), _("Account"), _("Amount")], rows)
    context = dict(coop=g.coop, period=period, sheet=sheet)
    if fmt == "pdf":
        return pdf_download("pdf/ledger_balance_sheet.html", _filename(_("balance-sheet"), period.end,
                                                                       extension="pdf"), **context)
    return render_template("ledger/report_balance_sheet.html", **context)


# --- construction fund ---------------------------------------------------------------------------

def _fund_context(db, coop: Coop, period: Period, *, small_screens: bool) -> dict:
    fund = reports.construction_fund(db, coop, period.start, period.end)
    return dict(coop=coop, period=period, fund=fund,
                fund_chart=charts.fund_balance_chart(fund.points, **_chart_options(small_screens)))


def _fund_filename(period: Period, extension: str) -> str:
    return _filename(_("construction-fund"), period.start, period.end, extension=extension)


@bp.get("/construction-fund")
@coop_view(VIEW_FINANCE_SUMMARY)
def construction_fund():
    period = period_from_args(g.coop)
    if report_format() == "csv":
        fund = reports.construction_fund(get_session(), g.coop, period.start, period.end)
        header = [_("Month"), _("Raised for the fund"), _("Taken from the fund"), _("Spent on construction"),
                  _("Fund balance")]
        rows = [[m.month.strftime("%Y-%m"), _money(m.raised), _money(m.withdrawn), _money(m.spent),
                 _money(m.balance)] for m in fund.months]
        return csv_download(_fund_filename(period, "csv"), header, rows)
    return render_template("ledger/report_construction_fund.html",
                           print_url=url_for("ledger.construction_fund_print", **query_args("page")),
                           **_fund_context(get_session(), g.coop, period, small_screens=True))


@bp.post("/construction-fund/print")
@coop_view(VIEW_FINANCE_SUMMARY)
def construction_fund_print():
    period = period_from_args(g.coop)
    return documents.print_report("construction_fund", period_params(period),
                                  filename=_fund_filename(period, "pdf"), back=_back())


@documents.report_document("construction_fund", label=_l("Construction fund"), permission=VIEW_FINANCE_SUMMARY)
def render_construction_fund(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    context = _fund_context(session, coop, Period.of(params), small_screens=False)
    progress(1, 2)
    return render_pdf("pdf/ledger_construction_fund.html", **context)


# --- general ledger ------------------------------------------------------------------------------

def _ledger_filename(account: Account, period: Period, extension: str) -> str:
    return _filename(_("general-ledger") + "-" + account.code, period.start, period.end, extension=extension)


@bp.get("/general-ledger/<int:account_id>")
@coop_view(VIEW_BOOKS, account=Account)
def general_ledger(account: Account):
    period = period_from_args(g.coop)
    if report_format() == "csv" and not period.errors:
        return _general_ledger_csv(account, period)
    ledger = reports.general_ledger(get_session(), g.coop, account, period.start, period.end, page=page_number())
    return render_template("ledger/report_general_ledger.html", coop=g.coop, period=period, ledger=ledger,
                           print_url=url_for("ledger.general_ledger_print", account_id=account.id,
                                             **query_args("page", "account_id")))


@bp.post("/general-ledger/<int:account_id>/print")
@coop_view(VIEW_BOOKS, account=Account)
def general_ledger_print(account: Account):
    period = period_from_args(g.coop)

    def check() -> None:
        if period.errors:
            raise DomainError(next(iter(period.errors.values())))
        count = reports.general_ledger(get_session(), g.coop, account, period.start, period.end, per_page=1).count
        if count > LEDGER_PDF_LIMIT:
            raise DomainError(_l("This period has %(count)d lines, too many to print: choose a shorter period or "
                                 "download the CSV.", count=count))

    return documents.print_report("general_ledger", {"account_id": account.id, **period_params(period)},
                                  filename=_ledger_filename(account, period, "pdf"), back=_back(), before=check)


@documents.report_document("general_ledger", label=_l("General ledger"), permission=VIEW_BOOKS)
def render_general_ledger(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    account = session.get(Account, params["account_id"])
    if account is None or account.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The account no longer exists.")))
    period = Period.of(params)
    progress(0, 2)
    ledger = reports.general_ledger(session, coop, account, period.start, period.end, per_page=LEDGER_PDF_LIMIT)
    progress(1, 2)
    return render_pdf("pdf/ledger_general_ledger.html", coop=coop, period=period, ledger=ledger)


def _general_ledger_csv(account: Account, period):
    # the lines name members: the download is recorded, as every export of personal data is
    audit.record_apart(database(), coop=g.coop, actor=current_user, action="export.ledger",
                       summary=f"{account.code} {period.start.isoformat()}..{period.end.isoformat()}")
    books, coop_id, account_id, currency = database(), g.coop.id, account.id, g.coop.currency
    opening_label = _("Opening balance")

    def rows():
        # a streamed body is read after the request's session has closed: it reads in its own
        with books.unit_of_work(write=False) as session:
            coop, books_account = session.get(Coop, coop_id), session.get(Account, account_id)
            yield ["", period.start.isoformat(), opening_label, "", "", "", "",
                   amount(reports.ledger_opening(session, coop, books_account, period.start), currency)]
            for line in reports.general_ledger_lines(session, coop, books_account, period.start, period.end):
                yield [line.number, line.entry_date.isoformat(), line.description, line.account_code, line.member,
                       amount(line.debit, currency), amount(line.credit, currency), amount(line.balance, currency)]

    header = [_("Entry"), _("Date"), _("Description"), _("Account"), _("Member"), _("Debit"), _("Credit"),
              _("Balance")]
    return csv_download(_filename(_("general-ledger") + "-" + account.code, period.start, period.end,
                                  extension="csv"), header, rows())
