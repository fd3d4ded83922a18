"""The budget explorer: the approved budget line by line, the expenses behind a line, one expense
with its receipt, and the same figures as CSV and JSON.

Members read it logged in (``VIEW_OBSERVATORY``). When the co-op publishes its budget
(``ObservatorySettings.is_budget_public``) the explorer, the lines and the files are also served
without log-in under ``/open/budget``: the same queries and templates, answering 404 while the
setting is off. The published copy lists a line's expenses (date, supplier, what for, amount,
status) but links to no expense page, shows no receipt or invoice number, and offers no questions
(asking needs a member): aggregates only, as for members, and receipts for members alone.
"""
from __future__ import annotations

import json

from flask import Response, abort, g, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop.db import get_session
from coop.pages import Load, coop_view, file_response, page_number, public_view, query_given, query_int
from coop.spreadsheets import csv_chunks
from coop.web import reader_locale
from ledger import charts
from ledger import expenses as ledger_expenses
from ledger.models import AccountType, Expense, ExpenseStatus
from ledger.views.budgets import percent_text  # the books' own way of writing a share
from meetings.observatory import explorer
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.views import bp

#: an expense members may see (approved or paid) of the request's co-op; any other answers 404
SHOWN_EXPENSE = Load.by(explorer.shown_expense, "expense_id")
STATUS_LABELS = {ExpenseStatus.APPROVED: _l("Approved"), ExpenseStatus.PAID: _l("Paid")}

#: the endpoints a page links to, for members and for the published copy
MEMBERS = {"budget": "observatory.budget", "line": "observatory.budget_line", "csv": "observatory.budget_csv",
           "json": "observatory.budget_json"}
PUBLIC = {"budget": "observatory.public_budget", "line": "observatory.public_budget_line",
          "csv": "observatory.public_budget_csv", "json": "observatory.public_budget_json"}


def _published() -> None:
    if not explorer.is_budget_public(get_session(), g.coop):
        abort(404)


def _budget_or_404(year: int | None):
    budget = explorer.approved_budget(get_session(), g.coop, year)
    if budget is None:
        abort(404)
    return budget


def _chart(months, voted, spent, alt: str):
    return charts.month_bars_chart(months, [(_("Voted"), voted), (_("Spent"), spent)], alt,
                                   currency=g.coop.currency, locale=reader_locale(), small_screens=True)


def _section_labels() -> dict:
    return {AccountType.EXPENSE: {"title": _("Expenses"), "spent": _("Spent")},
            AccountType.INCOME: {"title": _("Income"), "spent": _("Collected")}}


# --- the explorer --------------------------------------------------------------------------------

def _explorer_page(links: dict, public: bool):
    db = get_session()
    years = explorer.approved_years(db, g.coop)
    if query_given("year"):
        year = query_int("year", min=explorer.FIRST_YEAR, max=explorer.LAST_YEAR)
        budget = _budget_or_404(year)
    else:
        budget = explorer.approved_budget(db, g.coop, years[0]) if years else None
    figures = chart = None
    if budget is not None:
        figures = explorer.budget_figures(db, g.coop, budget)
        months = figures.expense.months
        chart = _chart(figures.months, [m.voted for m in months], [m.spent for m in months],
                       _("Bar chart: expenses voted and spent, month by month. The same figures are in the table."))
    return render_template("observatory/budget.html", figures=figures, years=years, chart=chart, links=links,
                           public=public, labels=_section_labels(), columns=explorer.CSV_COLUMNS,
                           percent=percent_text)


@bp.route("/budget", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget():
    return _explorer_page(MEMBERS, public=False)


@bp.route("/open/budget", methods=["GET"])
@public_view
def public_budget():
    _published()
    return _explorer_page(PUBLIC, public=True)


# --- one line ------------------------------------------------------------------------------------

def _line_page(year: int, account_id: int, links: dict, public: bool):
    db = get_session()
    budget = _budget_or_404(year)
    figures = explorer.budget_figures(db, g.coop, budget)
    line = figures.line(account_id)
    if line is None:
        abort(404)
    chart = _chart(figures.months, [m.voted for m in line.months], [m.spent for m in line.months],
                   _("Bar chart: voted and spent on this line, month by month. The same figures are in the table."))
    page = page_number()
    rows, total = explorer.line_expenses(db, g.coop, budget, account_id, page=page)
    return render_template("observatory/budget_line.html", budget=budget, figures=figures, line=line, rows=rows,
                           total=total, page=page, per_page=explorer.EXPENSES_PER_PAGE,
                           chart=chart, links=links, public=public, status_labels=STATUS_LABELS,
                           labels=_section_labels()[line.type], percent=percent_text)


@bp.route("/budget/<int:year>/lines/<int:account_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget_line(year, account_id):
    return _line_page(year, account_id, MEMBERS, public=False)


@bp.route("/open/budget/<int:year>/lines/<int:account_id>", methods=["GET"])
@public_view
def public_budget_line(year, account_id):
    _published()
    return _line_page(year, account_id, PUBLIC, public=True)


# --- one expense ---------------------------------------------------------------------------------

@bp.route("/budget/expenses/<int:expense_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, expense=SHOWN_EXPENSE)
def expense(expense: Expense):
    facts = explorer.expense_facts(get_session(), g.coop, expense)
    return render_template("observatory/expense.html", expense=expense, facts=facts, status_labels=STATUS_LABELS)


@bp.route("/budget/expenses/<int:expense_id>/receipt", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, expense=SHOWN_EXPENSE)
def expense_receipt(expense: Expense):
    """The receipt shown in the browser, with the type its first bytes proved when it was kept."""
    attachment = ledger_expenses.attachment_of(get_session(), g.coop, expense.id)
    if attachment is None:
        abort(404)
    response = file_response(attachment.content, attachment.name, attachment.content_type, download=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


# --- the files -----------------------------------------------------------------------------------

def _figures_or_404(year: int):
    return explorer.budget_figures(get_session(), g.coop, _budget_or_404(year))


def _csv(year: int) -> Response:
    figures = _figures_or_404(year)
    rows = explorer.csv_rows(figures, g.coop.currency, g.coop.currency_digits)
    response = Response(csv_chunks(list(explorer.CSV_COLUMNS), rows), mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=f"budget-{g.coop.slug}-{year}.csv")
    return response


def _json(year: int) -> Response:
    figures = _figures_or_404(year)
    body = json.dumps(explorer.figures_json(figures, g.coop.currency, g.coop.currency_digits),
                      ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment", filename=f"budget-{g.coop.slug}-{year}.json")
    return response


@bp.route("/budget/<int:year>.csv", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget_csv(year):
    return _csv(year)


@bp.route("/budget/<int:year>.json", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget_json(year):
    return _json(year)


@bp.route("/open/budget/<int:year>.csv", methods=["GET"])
@public_view
def public_budget_csv(year):
    _published()
    return _csv(year)


@bp.route("/open/budget/<int:year>.json", methods=["GET"])
@public_view
def public_budget_json(year):
    _published()
    return _json(year)
