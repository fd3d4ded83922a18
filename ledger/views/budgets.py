"""Pages of the books: yearly budgets, their approval, and budget against actual.

Everyone who sees the co-op's financial summaries sees approved budgets; those who read the books
also see drafts (the rule of ``READ_BUDGET``: to anyone else a draft does not exist); those who
keep the books draft, edit and record the assembly's approval. The rules live in
``ledger.budgets``; these views read the form and call one service, and ``coop.pages`` commits.
"""
from __future__ import annotations

from babel.dates import get_month_names
from babel.numbers import format_decimal
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, Length

from coop import tasks
from coop.access import Viewer, can
from coop.calendar import fiscal_months, fiscal_year_of, today_in
from coop.db import get_session
from coop.decisions import DecisionField
from coop.forms import MoneyField
from coop.pages import Load, coop_view, load_or_404, query_args, query_given, query_int, show_refusal
from coop.pdf import render_pdf
from coop.tenancy import Coop
from coop.web import reader_locale
from ledger import budgets, charts, documents
from ledger.models import Account, AccountType, Budget
from ledger.permissions import MANAGE_BOOKS, READ_BUDGET, VIEW_BOOKS, VIEW_FINANCE_SUMMARY
from ledger.views import bp
from ledger.views.output import amount, csv_download, pdf_download, report_format

SECTION_LABELS = {AccountType.INCOME: _l("Income"), AccountType.EXPENSE: _l("Expenses")}
#: a budget named by its year in the address (drafts only for the books' readers, by READ_BUDGET's rule)
BUDGET = Load(Budget, "year")


# --- forms -----------------------------------------------------------------------------------

class NewBudgetForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired()])
    copy_previous = BooleanField(_l("Start from the previous year's budget"))


class ApproveBudgetForm(FlaskForm):
    resolution_ref = StringField(_l("Resolution of the assembly that approved it"), validators=[Length(max=200)],
                                 description=_l("For example: General assembly of 14/03/2026, resolution 12"))
    resolution_id = DecisionField()


class BudgetAccountForm(FlaskForm):
    """Twelve amounts, one per calendar month (``month_1`` is January); blank means nothing."""

    def months(self) -> dict[int, int]:
        """Calendar month -> minor units, a blank month as zero (which removes its line)."""
        return {month: self[budgets.month_field(month)].data or 0 for month in budgets.MONTHS}


for _month in budgets.MONTHS:
    setattr(BudgetAccountForm, budgets.month_field(_month), MoneyField())


# --- helpers ---------------------------------------------------------------------------------

def month_names() -> dict[int, str]:
    return dict(get_month_names("wide", context="stand-alone", locale=reader_locale()))


def _books_reader() -> bool:
    return can(VIEW_BOOKS)


# --- the list of budgets -----------------------------------------------------------------------

def _render_budgets(form: NewBudgetForm | None = None):
    db = get_session()
    rows = budgets.budgets(db, g.coop, approved_only=not _books_reader())
    this_year = fiscal_year_of(g.coop, today_in(g.coop))
    if form is None and can(MANAGE_BOOKS):
        years = {b.year for b in rows}
        form = NewBudgetForm(formdata=None, year=this_year if this_year not in years else max(years) + 1)
    return render_template("ledger/budgets.html", rows=rows, form=form, this_year=this_year,
                           totals=budgets.budget_totals(db, [b.id for b in rows]),
                           types=budgets.BUDGET_TYPES, labels=SECTION_LABELS)


@bp.get("/budgets/", endpoint="budgets")
@coop_view(VIEW_FINANCE_SUMMARY)
def budget_list():
    return _render_budgets()


@bp.post("/budgets/new")
@coop_view(MANAGE_BOOKS)
def new_budget():
    form = NewBudgetForm()
    if form.validate_on_submit():
        with show_refusal(form):
            budget = budgets.create_budget(get_session(), current_user, g.coop, form.year.data,
                                           copy_previous=bool(form.copy_previous.data))
            flash(_("The draft budget for %(year)d is open.", year=budget.year), "success")
            return redirect(url_for("ledger.budget", year=budget.year))
    return _render_budgets(form), 400 if form.errors or form.form_errors else 200


# --- one budget ------------------------------------------------------------------------------

def _plan_context(budget) -> dict:
    db = get_session()
    return {"budget": budget, "sections": budgets.budget_plan(db, g.coop, budget),
            "months": fiscal_months(g.coop, budget.year), "labels": SECTION_LABELS,
            "approved": budgets.is_approved(budget), "coop": g.coop}


def _render_budget(budget, approve_form: ApproveBudgetForm | None = None, status: int = 200):
    context = _plan_context(budget)
    editable = can(MANAGE_BOOKS) and not context["approved"]
    accounts = budgets.budgetable_accounts(get_session(), g.coop) if editable else []
    return render_template("ledger/budget.html", editable=editable, accounts=accounts,
                           approve_form=approve_form or ApproveBudgetForm(formdata=None), **context), status


def _budget_csv(budget, sections):
    names = month_names()
    months = fiscal_months(g.coop, budget.year)
    header = [_("Code"), _("Account"), _("Type")] + [f"{names[m.month]} {m.year}" for m in months] + [_("Total")]
    currency = g.coop.currency
    rows = []
    for section in sections:
        label = str(SECTION_LABELS[section.type])
        for row in section.rows:
            rows.append([row.account.code, row.account.name, label]
                        + [amount(a, currency) for a in row.amounts] + [amount(row.total, currency)])
        rows.append(["", _("Total %(section)s", section=label.lower()), label]
                    + [amount(a, currency) for a in section.month_totals] + [amount(section.total, currency)])
    return csv_download(f"budget-{budget.year}.csv", header, rows)


@bp.get("/budgets/<int:year>")
@coop_view(READ_BUDGET, plan=BUDGET)
def budget(plan: Budget):
    fmt = report_format()
    if fmt == "csv":
        return _budget_csv(plan, budgets.budget_plan(get_session(), g.coop, plan))
    if fmt == "pdf":
        return pdf_download("pdf/ledger_budget.html", f"budget-{plan.year}.pdf", **_plan_context(plan))
    return _render_budget(plan)


@bp.route("/budgets/<int:year>/account", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS, plan=BUDGET)
def budget_account(plan: Budget):
    year = plan.year
    account = load_or_404(Account, query_int("account"))
    if budgets.is_approved(plan):
        flash(_("An approved budget does not change."), "error")
        return redirect(url_for("ledger.budget", year=year))
    form = BudgetAccountForm()
    if request.method == "GET":
        for month, minor in budgets.account_months(get_session(), plan, account).items():
            form[budgets.month_field(month)].data = minor
    if form.validate_on_submit():
        with show_refusal(form):
            budgets.set_account_months(get_session(), current_user, g.coop, plan, account, form.months())
            flash(_("The budget of %(account)s is saved.", account=account.label), "success")
            return redirect(url_for("ledger.budget", year=year, _anchor=f"a{account.id}"))
    names, months = month_names(), fiscal_months(g.coop, year)
    fields = [form[budgets.month_field(m.month)] for m in months]
    for f, m in zip(fields, months, strict=True):
        f.label.text = f"{names[m.month]} {m.year}"
    status = 400 if request.method == "POST" and (form.form_errors or any(f.errors for f in fields)) else 200
    return render_template("ledger/budget_account.html", budget=plan, account=account, form=form,
                           fields=fields), status


@bp.post("/budgets/<int:year>/approve")
@coop_view(MANAGE_BOOKS, plan=BUDGET)
def approve_budget(plan: Budget):
    form = ApproveBudgetForm()
    if form.validate_on_submit():
        with show_refusal(form):
            budgets.approve_budget(get_session(), current_user, g.coop, plan, form.resolution_ref.data or "",
                                   resolution_id=form.resolution_id.data)
            flash(_("The budget for %(year)d is approved.", year=plan.year), "success")
            return redirect(url_for("ledger.budget", year=plan.year))
    return _render_budget(plan, form, 400)


@bp.post("/budgets/<int:year>/delete")
@coop_view(MANAGE_BOOKS, plan=BUDGET)
def delete_budget(plan: Budget):
    year = plan.year
    with show_refusal():
        budgets.delete_budget(get_session(), current_user, g.coop, plan)
        flash(_("The draft budget for %(year)d is deleted.", year=year), "success")
        return redirect(url_for("ledger.budgets"))
    return redirect(url_for("ledger.budget", year=year))


# --- budget against actual -------------------------------------------------------------------

def _report_args() -> tuple[int, int, dict[str, str]]:
    """The year and the last month asked for, with a message for each that could not be read."""
    today = today_in(g.coop)
    this_year = fiscal_year_of(g.coop, today)
    errors: dict[str, str] = {}
    year = query_int("year", min=budgets.FIRST_YEAR, max=budgets.LAST_YEAR)
    if query_given("year") and year is None:
        errors["year"] = _("Choose a year between %(first)d and %(last)d.", first=budgets.FIRST_YEAR,
                           last=budgets.LAST_YEAR)
        year = None
    year = year or this_year
    months = fiscal_months(g.coop, year)
    default = today.month if year == this_year else months[-1].month
    through = query_int("through", min=0)
    if query_given("through") and through not in budgets.MONTHS:
        errors["through"] = _("There is no such month.")
        through = None
    return year, through or default, errors


def percent_text(value) -> str:
    """A percentage as the reader writes it ("83,3 %"); a dash when nothing was budgeted."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.0", locale=reader_locale()) + "\u00a0%"


#: income budgeted and received in greens, expenses budgeted and made in browns: pale for the plan
BUDGET_COLOURS = ("#a9cdb8", "#2f6b4f", "#e5c39a", "#8a4b00")


def budget_chart(report: budgets.BudgetReport, coop: Coop, *, small_screens: bool) -> Markup:
    """Budget and actual per month, income and expenses: the books' month bars (``ledger.charts``)."""
    income, expense = report.income.month_totals, report.expense.month_totals
    series = [(_("Income budgeted"), [c.budget for c in income]), (_("Income received"), [c.actual for c in income]),
              (_("Expenses budgeted"), [c.budget for c in expense]), (_("Expenses made"), [c.actual for c in expense])]
    return charts.month_bars_chart(
        report.months, series, _("Bar chart: income and expenses budgeted and actual, month by month. "
                                 "The same figures are in the table below."),
        currency=coop.currency, locale=reader_locale(), small_screens=small_screens, colours=BUDGET_COLOURS)


def _report_csv(report: budgets.BudgetReport):
    currency = g.coop.currency
    header = [_("Year"), _("Month"), _("Code"), _("Account"), _("Type"), _("Budget"), _("Actual"),
              _("Difference"), _("Percentage")]

    def line(month, code, name, label, cell):
        return [report.year, month, code, name, label, amount(cell.budget, currency), amount(cell.actual, currency),
                amount(cell.difference, currency), "" if cell.percent is None else str(cell.percent)]

    rows = []
    for section in report.sections:
        label = str(SECTION_LABELS[section.type])
        for row in section.rows:
            for month, cell in zip(report.months, row.cells, strict=True):
                rows.append(line(f"{month:%Y-%m}", row.code, row.name, label, cell))
            rows.append(line(_("Total"), row.code, row.name, label, row.total))
        for month, cell in zip(report.months, section.month_totals, strict=True):
            rows.append(line(f"{month:%Y-%m}", "", _("Total %(section)s", section=label.lower()), label, cell))
        rows.append(line(_("Total"), "", _("Total %(section)s", section=label.lower()), label, section.total))
    return csv_download(f"budget-vs-actual-{report.year}.csv", header, rows)


def _report_context(db, coop: Coop, year: int, through: int, *, approved_only: bool, small_screens: bool) -> dict:
    report = budgets.budget_vs_actual(db, coop, year, through, approved_only=approved_only)
    hidden_draft = report.budget is None and budgets.budget_for_year(db, coop, year) is not None
    return {"report": report, "labels": SECTION_LABELS, "percent": percent_text, "coop": coop,
            "chart": budget_chart(report, coop, small_screens=small_screens), "hidden_draft": hidden_draft}


@bp.get("/budget-vs-actual")
@coop_view(VIEW_FINANCE_SUMMARY)
def budget_vs_actual():
    year, through, errors = _report_args()
    db = get_session()
    if report_format() == "csv":
        return _report_csv(budgets.budget_vs_actual(db, g.coop, year, through, approved_only=not _books_reader()))
    context = _report_context(db, g.coop, year, through, approved_only=not _books_reader(), small_screens=True)
    years = sorted({b.year for b in budgets.budgets(db, g.coop, approved_only=not _books_reader())}
                   | {fiscal_year_of(g.coop, today_in(g.coop)), year}, reverse=True)
    return render_template("ledger/budget_vs_actual.html", years=years, through=through, errors=errors,
                           all_months=fiscal_months(g.coop, year),
                           print_url=url_for("ledger.budget_vs_actual_print", year=year, through=through), **context)


@bp.post("/budget-vs-actual/print")
@coop_view(VIEW_FINANCE_SUMMARY)
def budget_vs_actual_print():
    year, through, _errors = _report_args()  # a value it could not read is the one the page showed instead
    return documents.print_report("budget_vs_actual",
                                  {"year": year, "through": through, "approved_only": not _books_reader()},
                                  filename=f"budget-vs-actual-{year}.pdf",
                                  back=url_for("ledger.budget_vs_actual", **query_args()))


def _may_read_report(viewer: Viewer, task: tasks.Task) -> bool:
    """A copy that counts draft budgets is for the books' readers, as the page is."""
    return (task.params or {}).get("approved_only", True) or viewer.may(VIEW_BOOKS)


@documents.report_document("budget_vs_actual", label=_l("Budget against actual"), permission=VIEW_FINANCE_SUMMARY,
                           rule=_may_read_report)
def render_budget_vs_actual(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    progress(0, 2)
    context = _report_context(session, coop, params["year"], params["through"], approved_only=params["approved_only"],
                              small_screens=False)
    progress(1, 2)
    return render_pdf("pdf/ledger_budget_vs_actual.html", **context)
