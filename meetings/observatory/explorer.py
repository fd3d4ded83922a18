"""The budget explorer: the approved budget of a year, line by line, against what was spent.

Read-only queries and the value objects the members' pages, the published copy and the CSV and
JSON files share. A line is one account of an approved budget, its twelve months summed; what was
spent (or, for an income account, received) comes from ``ledger.budgets.budget_vs_actual``, the
same figures the treasurer's budget-against-actual report shows: expenses as net debits, income as
net credits, reversals cancelling what they reverse, year-end closing left out. Only aggregates
per account and month appear, and expenses by their supplier: never a member or a member's
balance (a dues payment moves the income line's total, nothing else).

Expenses are shown to members once approved (approved or paid); a pending or rejected one does not
exist here, nor does its receipt.
"""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.auth.models import User
from coop.calendar import add_months, fiscal_months, fiscal_year_of
from coop.pages import QUERY_INT_MAX
from coop.paging import count_of, one_page
from coop.tenancy import Coop
from ledger import budgets
from ledger.models import Account, AccountType, Budget, BudgetLine, Expense, ExpenseStatus, JournalEntry
from meetings.observatory.models import ObservatorySettings

#: the expenses members see: decided for, whether paid yet or not
SHOWN_STATUSES = (ExpenseStatus.APPROVED, ExpenseStatus.PAID)
#: the years a page or file may name (the budgets' own bounds)
FIRST_YEAR, LAST_YEAR = budgets.FIRST_YEAR, budgets.LAST_YEAR
#: a line's expenses shown on one page (a busy line has hundreds in a year)
EXPENSES_PER_PAGE = 50


def is_budget_public(session: so.Session, coop: Coop) -> bool:
    """Whether the co-op publishes its budget's figures without log-in (no settings row: not)."""
    return bool(session.scalar(sa.select(ObservatorySettings.is_budget_public)
                               .where(ObservatorySettings.coop_id == coop.id)))


def approved_years(session: so.Session, coop: Coop) -> list[int]:
    """The years with an approved budget, newest first."""
    return [b.year for b in budgets.budgets(session, coop, approved_only=True)]


def approved_budget(session: so.Session, coop: Coop, year: int | None) -> Budget | None:
    """The approved budget of ``year`` (None for a draft, a missing one or a year out of bounds)."""
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    budget = budgets.budget_for_year(session, coop, year)
    return budget if budget is not None and budgets.is_approved(budget) else None


# --- value objects -----------------------------------------------------------------------------

def _percent(part: int, whole: int) -> decimal.Decimal | None:
    return budgets.Cell(whole, part).percent


class _VotedAndSpent:
    """What a month, a line and a section say alike, from their ``voted`` and ``spent``."""

    voted: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.voted - self.spent

    @property
    def percent(self) -> decimal.Decimal | None:
        """Spent as a percentage of the amount voted (one decimal); None when nothing was voted."""
        return _percent(self.spent, self.voted)


@dataclass(frozen=True)
class Month(_VotedAndSpent):
    """One month of a line (or of a section's total): voted and spent (or received)."""

    month: dt.date
    voted: int
    spent: int


@dataclass(frozen=True)
class Line(_VotedAndSpent):
    """One account of an approved budget over its year."""

    account_id: int
    code: str
    name: str
    type: AccountType
    months: tuple[Month, ...]

    @property
    def voted(self) -> int:
        return sum(m.voted for m in self.months)

    @property
    def spent(self) -> int:
        return sum(m.spent for m in self.months)


@dataclass(frozen=True)
class Section(_VotedAndSpent):
    """The expense lines or the income lines of a budget, with their totals."""

    type: AccountType
    lines: tuple[Line, ...]
    month_starts: tuple[dt.date, ...]

    @property
    def months(self) -> list[Month]:
        return [Month(start, sum(line.months[i].voted for line in self.lines),
                      sum(line.months[i].spent for line in self.lines))
                for i, start in enumerate(self.month_starts)]

    @property
    def voted(self) -> int:
        return sum(line.voted for line in self.lines)

    @property
    def spent(self) -> int:
        return sum(line.spent for line in self.lines)


@dataclass(frozen=True)
class BudgetFigures:
    """An approved budget's lines against the books: expenses first, then income."""

    budget: Budget
    months: tuple[dt.date, ...]
    expense: Section
    income: Section

    @property
    def year(self) -> int:
        return self.budget.year

    @property
    def sections(self) -> list[Section]:
        return [s for s in (self.expense, self.income) if s.lines]

    def line(self, account_id: int) -> Line | None:
        return next((line for s in (self.expense, self.income) for line in s.lines
                     if line.account_id == account_id), None)


def budget_figures(session: so.Session, coop: Coop, budget: Budget) -> BudgetFigures:
    """Each account of an approved budget: voted and spent per month, from the ledger's own report."""
    report = budgets.budget_vs_actual(session, coop, budget.year, approved_only=True)
    accounts = {a.code: a for a in session.scalars(
        sa.select(Account).where(Account.coop_id == coop.id, Account.id.in_(
            sa.select(BudgetLine.account_id).where(BudgetLine.budget_id == budget.id))))}
    months = tuple(report.months)
    sections = {}
    for section in report.sections:
        lines = tuple(Line(accounts[row.code].id, row.code, row.name, section.type,
                           tuple(Month(start, cell.budget, cell.actual) for start, cell in zip(months, row.cells,
                                                                                            strict=True)))
                      for row in section.rows if row.code in accounts)  # moved but never voted: not a line
        sections[section.type] = Section(section.type, lines, months)
    return BudgetFigures(budget, months, sections[AccountType.EXPENSE], sections[AccountType.INCOME])


# --- the expenses behind a line ------------------------------------------------------------------

@dataclass(frozen=True)
class ExpenseRow:
    """An approved or paid expense as a line's page lists it."""

    id: int
    expense_date: dt.date
    supplier: str
    description: str
    amount_minor: int
    status: ExpenseStatus


def line_expenses(session: so.Session, coop: Coop, budget: Budget, account_id: int, *, page: int = 1,
                  per_page: int = EXPENSES_PER_PAGE) -> tuple[list[ExpenseRow], int]:
    """One page of the approved and paid expenses of one account dated in the budget's year, oldest
    first; and how many there are in all."""
    months = fiscal_months(coop, budget.year)
    query = (sa.select(Expense.id, Expense.expense_date, Expense.supplier, Expense.description,
                       Expense.amount_minor, Expense.status)
             .where(Expense.coop_id == coop.id, Expense.account_id == account_id,
                    Expense.status.in_(SHOWN_STATUSES),
                    Expense.expense_date >= months[0], Expense.expense_date < add_months(months[-1], 1)))
    rows = session.execute(one_page(query.order_by(Expense.expense_date, Expense.id), page, per_page))
    return [ExpenseRow(r.id, r.expense_date, r.supplier, r.description, r.amount_minor, ExpenseStatus(r.status))
            for r in rows], count_of(session, query)


# --- one expense -------------------------------------------------------------------------------

def shown_expense(session: so.Session, coop: Coop, expense_id: int) -> Expense | None:
    """An approved or paid expense of the co-op (a pending or rejected one is not shown)."""
    if not 1 <= expense_id <= QUERY_INT_MAX:  # a crafted address: more than the database's integer holds
        return None
    return session.scalar(sa.select(Expense).where(Expense.id == expense_id, Expense.coop_id == coop.id,
                                                   Expense.status.in_(SHOWN_STATUSES))
                          .options(so.joinedload(Expense.account)))


@dataclass(frozen=True)
class ExpenseFacts:
    """What an expense's page shows beyond the expense itself."""

    #: the approved budget of the expense's year when its account is one of its lines
    budget: Budget | None
    #: who approved it (an officer's name), or ""
    decided_by: str
    #: the number of the journal entry that paid it
    paid_entry_number: int | None


def expense_facts(session: so.Session, coop: Coop, expense: Expense) -> ExpenseFacts:
    budget = approved_budget(session, coop, fiscal_year_of(coop, expense.expense_date))
    if budget is not None and session.scalar(sa.select(BudgetLine.id).where(
            BudgetLine.budget_id == budget.id, BudgetLine.account_id == expense.account_id).limit(1)) is None:
        budget = None
    decided_by = ""
    if expense.decided_by_id is not None:
        decided_by = session.scalar(sa.select(User.name).where(User.id == expense.decided_by_id)) or ""
    number = None
    if expense.paid_entry_id is not None:
        number = session.scalar(sa.select(JournalEntry.number).where(JournalEntry.id == expense.paid_entry_id,
                                                                     JournalEntry.coop_id == coop.id))
    return ExpenseFacts(budget, decided_by, number)


# --- machine-readable copies -----------------------------------------------------------------------

def amount_text(minor: int, digits: int) -> str:
    """An exact decimal in the currency's units ("1234.50"), whatever the reader's language."""
    return str(decimal.Decimal(minor).scaleb(-digits).quantize(decimal.Decimal(1).scaleb(-digits)))


#: the CSV's columns, in order (documented on the explorer's page and in ``figures_json``)
CSV_COLUMNS = ("year", "month", "type", "account_code", "account_name", "voted", "spent", "remaining",
               "voted_minor", "spent_minor", "remaining_minor", "currency")


def csv_rows(figures: BudgetFigures, currency: str, digits: int) -> list[list[object]]:
    """One row per line and month (``month`` 1-12, calendar), then one per line for the year ("year")."""
    rows = []
    for section in figures.sections:
        for line in section.lines:
            for month in line.months:
                rows.append(_csv_row(figures.year, str(month.month.month), line, month.voted, month.spent,
                                     currency, digits))
            rows.append(_csv_row(figures.year, "year", line, line.voted, line.spent, currency, digits))
    return rows


def _csv_row(year: int, month: str, line: Line, voted: int, spent: int, currency: str, digits: int) -> list[object]:
    return [year, month, line.type.value, line.code, line.name, amount_text(voted, digits),
            amount_text(spent, digits), amount_text(voted - spent, digits), voted, spent, voted - spent, currency]


def _amounts(voted: int, spent: int, digits: int) -> dict:
    return {"voted": amount_text(voted, digits), "spent": amount_text(spent, digits),
            "remaining": amount_text(voted - spent, digits), "voted_minor": voted, "spent_minor": spent,
            "remaining_minor": voted - spent}


def figures_json(figures: BudgetFigures, currency: str, digits: int) -> dict:
    """The budget's figures as plain data: amounts as decimal strings and in minor units."""
    def section(s: Section) -> dict:
        return {"type": s.type.value, **_amounts(s.voted, s.spent, digits),
                "months": [{"month": m.month.isoformat()[:7], **_amounts(m.voted, m.spent, digits)}
                           for m in s.months],
                "lines": [{"account_code": line.code, "account_name": line.name,
                           **_amounts(line.voted, line.spent, digits),
                           "months": [{"month": m.month.isoformat()[:7], **_amounts(m.voted, m.spent, digits)}
                                      for m in line.months]} for line in s.lines]}
    return {"year": figures.year, "currency": currency, "minor_unit_digits": digits,
            "approved_on": figures.budget.approved_dt.date().isoformat() if figures.budget.approved_dt else None,
            "resolution": figures.budget.resolution_ref,
            "note": "spent: net debits of an expense account, net credits (received) of an income account",
            "sections": [section(s) for s in figures.sections]}
