"""Yearly budgets (presupuesto anual) and how the books compare with them.

A budget holds, for one year of the co-op, an amount per income or expense account and month.
The treasurer drafts it; once the general assembly approves it, its resolution is recorded and
the budget no longer changes. A budget's year is the co-op's fiscal year that *starts* in that
year: with the fiscal year starting in January (the default) it is the calendar year; starting
in July, budget 2026 runs from July 2026 to June 2027 (``coop.calendar.fiscal_year_of`` and
``fiscal_months``). ``BudgetLine.month`` is always the calendar month (1 = January).

``budget_vs_actual`` compares the budget with the journal: one grouped query sums the postings of
each income and expense account per month, income as net credits and expenses as net debits (a
reversal cancels what it reverses; year-end closing entries are left out, since they only move
the year's result to equity). Nothing in the report section writes.
"""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, decisions
from coop.auth.models import User
from coop.calendar import add_months, fiscal_months
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop
from ledger.chart import code_key
from ledger.models import Account, AccountType, Budget, BudgetLine, EntrySource, JournalEntry, Posting

#: the accounts a budget plans, in the order its sections are shown
BUDGET_TYPES = (AccountType.INCOME, AccountType.EXPENSE)
MONTHS = range(1, 13)
FIRST_YEAR, LAST_YEAR = 1990, 2100

audit.describe("ledger.budget", _l("Budget changed"))
audit.describe("ledger.budget_approve", _l("Budget approved"))
audit.describe_field("copied_from", _l("Copied from the budget of"), on="budget")
for _month in MONTHS:  # a budget line's change is recorded under its month's number
    audit.describe_field(str(_month), audit.month_label(_month), values=audit.money_text, on="budget")


def month_field(month: int) -> str:
    """The form field of a calendar month's amount, named in every refusal about it."""
    return f"month_{month}"


def is_approved(budget: Budget) -> bool:
    return budget.approved_dt is not None


# --- reading budgets -------------------------------------------------------------------------

def budget_for_year(session: so.Session, coop: Coop, year: int) -> Budget | None:
    return session.scalar(sa.select(Budget).where(Budget.coop_id == coop.id, Budget.year == year))


def budgets(session: so.Session, coop: Coop, *, approved_only: bool = False) -> list[Budget]:
    """The co-op's budgets, newest year first (drafts left out when ``approved_only``)."""
    query = sa.select(Budget).where(Budget.coop_id == coop.id).order_by(Budget.year.desc())
    if approved_only:
        query = query.where(Budget.approved_dt.is_not(None))
    return list(session.scalars(query))


def budget_totals(session: so.Session, budget_ids: list[int]) -> dict[int, dict[AccountType, int]]:
    """Budget id -> {income: total, expense: total}, for the list of budgets."""
    totals: dict[int, dict[AccountType, int]] = {i: {} for i in budget_ids}
    if not budget_ids:
        return totals
    rows = session.execute(
        sa.select(BudgetLine.budget_id, Account.type, sa.func.sum(BudgetLine.amount_minor))
        .join(Account, Account.id == BudgetLine.account_id)
        .where(BudgetLine.budget_id.in_(budget_ids)).group_by(BudgetLine.budget_id, Account.type))
    for budget_id, kind, total in rows:
        totals[budget_id][AccountType(kind)] = int(total)
    return totals


def budgetable_accounts(session: so.Session, coop: Coop) -> list[Account]:
    """Open income and expense accounts with no accounts under them: what a budget line may plan."""
    child = so.aliased(Account)
    has_children = sa.select(child.id).where(child.parent_id == Account.id).exists()
    return sorted(session.scalars(sa.select(Account).where(
        Account.coop_id == coop.id, Account.type.in_(BUDGET_TYPES), Account.is_closed.is_(False),
        ~has_children)), key=lambda a: code_key(a.code))


def account_months(session: so.Session, budget: Budget, account: Account) -> dict[int, int]:
    """Calendar month -> amount budgeted for one account (months without a line are absent)."""
    return dict(session.execute(sa.select(BudgetLine.month, BudgetLine.amount_minor).where(
        BudgetLine.budget_id == budget.id, BudgetLine.account_id == account.id)).all())


@dataclass
class PlanRow:
    """One account of a budget: its amounts in the budget's month order, and their total."""

    account: Account
    amounts: list[int]

    @property
    def total(self) -> int:
        return sum(self.amounts)


@dataclass
class PlanSection:
    """The income or the expense accounts of a budget, with totals per month and for the year."""

    type: AccountType
    rows: list[PlanRow] = field(default_factory=list)

    @property
    def month_totals(self) -> list[int]:
        return [sum(r.amounts[i] for r in self.rows) for i in range(12)]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def budget_plan(session: so.Session, coop: Coop, budget: Budget) -> list[PlanSection]:
    """The budget as a table of accounts by month, one section per account type."""
    order = [m.month for m in fiscal_months(coop, budget.year)]
    lines = session.scalars(sa.select(BudgetLine).where(BudgetLine.budget_id == budget.id)
                            .options(so.joinedload(BudgetLine.account)))
    rows: dict[int, PlanRow] = {}
    for line in lines:
        row = rows.setdefault(line.account_id, PlanRow(line.account, [0] * 12))
        row.amounts[order.index(line.month)] = line.amount_minor
    sections = {kind: PlanSection(kind) for kind in BUDGET_TYPES}
    for row in sorted(rows.values(), key=lambda r: code_key(r.account.code)):
        sections[row.account.type].rows.append(row)
    return list(sections.values())


# --- writing budgets -------------------------------------------------------------------------

def _own(coop: Coop, budget: Budget) -> Budget:
    if budget is None or budget.coop_id != coop.id:
        raise NotFoundError(_l("There is no such budget."), field="budget")
    return budget


def _locked(session: so.Session, budget: Budget) -> Budget:
    """The budget re-read under a row lock (PostgreSQL), so an approval committed meanwhile shows."""
    return session.scalar(sa.select(Budget).where(Budget.id == budget.id).with_for_update()
                          .execution_options(populate_existing=True))


def _draft(coop: Coop, budget: Budget, session: so.Session | None = None) -> Budget:
    _own(coop, budget)
    if session is not None:
        budget = _locked(session, budget)
    if is_approved(budget):
        raise DomainError(_l("An approved budget does not change."), field="budget")
    return budget


def create_budget(session: so.Session, actor: User | None, coop: Coop, year: int, *,
                  copy_previous: bool = False) -> Budget:
    """Open the draft budget of a year (one per year), optionally with last year's lines."""
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(_l("Choose a year between %(first)d and %(last)d.", first=FIRST_YEAR,
                             last=LAST_YEAR), field="year")
    if budget_for_year(session, coop, year) is not None:
        raise DomainError(_l("There is already a budget for %(year)d.", year=year), field="year")
    previous = budget_for_year(session, coop, year - 1) if copy_previous else None
    if copy_previous and previous is None:
        raise DomainError(_l("There is no budget for %(year)d to copy.", year=year - 1), field="copy_previous")
    budget = Budget(coop_id=coop.id, year=year)
    try:
        with session.begin_nested():  # the unique (co-op, year) settles a race with another tab
            session.add(budget)
    except sa.exc.IntegrityError:
        raise DomainError(_l("There is already a budget for %(year)d.", year=year), field="year") from None
    if previous is not None:
        allowed = {a.id for a in budgetable_accounts(session, coop)}
        for line in session.scalars(sa.select(BudgetLine).where(BudgetLine.budget_id == previous.id)):
            if line.account_id in allowed:  # closed or since subdivided accounts are left behind
                session.add(BudgetLine(budget=budget, account_id=line.account_id, month=line.month,
                                       amount_minor=line.amount_minor))
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.budget", obj=budget, summary=str(year),
                 changes={"created": [None, year]} | ({"copied_from": [None, year - 1]} if previous else {}))
    return budget


def _check_account(session: so.Session, coop: Coop, account: Account | None) -> Account:
    if account is None or account.coop_id != coop.id:
        raise NotFoundError(_l("There is no such account."), field="account")
    if account.type not in BUDGET_TYPES:
        raise DomainError(_l("A budget plans income and expense accounts only."), field="account")
    if account.is_closed:
        raise DomainError(_l("Account %(code)s is closed.", code=account.code), field="account")
    if session.scalar(sa.select(Account.id).where(Account.parent_id == account.id).limit(1)) is not None:
        raise DomainError(_l("Account %(code)s has accounts under it: budget those instead.",
                             code=account.code), field="account")
    return account


def _check_amounts(problems: Problems, amounts: dict[int, int]) -> None:
    for month, amount in amounts.items():
        if month not in MONTHS:
            problems.add(_l("There is no such month."), field="months")
        elif not isinstance(amount, int) or isinstance(amount, bool):
            problems.add(_l("This is not an amount of money."), field=month_field(month))
        elif amount < 0:
            problems.add(_l("The amount cannot be negative."), field=month_field(month))


def set_account_months(session: so.Session, actor: User | None, coop: Coop, budget: Budget,
                       account: Account, amounts: dict[int, int]) -> dict[int, int]:
    """Set what a draft budget plans for one account in the calendar months given (others stay).

    An amount of zero removes the month's line. Gives back the account's months after the change.
    """
    problems = Problems()
    problems.check(_draft, coop, budget, session)
    problems.check(_check_account, session, coop, account)
    _check_amounts(problems, amounts)
    problems.raise_any()
    lines = {line.month: line for line in session.scalars(sa.select(BudgetLine).where(
        BudgetLine.budget_id == budget.id, BudgetLine.account_id == account.id))}
    changes = {}
    for month, amount in sorted(amounts.items()):
        line = lines.get(month)
        old = line.amount_minor if line is not None else 0
        if old == amount:
            continue
        changes[str(month)] = [old, amount]
        if amount == 0:
            session.delete(line)
        elif line is None:
            session.add(BudgetLine(budget_id=budget.id, account_id=account.id, month=month, amount_minor=amount))
        else:
            line.amount_minor = amount
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="ledger.budget", obj=budget,
                     summary=f"{budget.year}: {account.code} {account.name}", changes=changes)
    return account_months(session, budget, account)


def approve_budget(session: so.Session, actor: User | None, coop: Coop, budget: Budget,
                   resolution_ref: str, resolution_id: decisions.Cited = None) -> Budget:
    """Record the assembly's approval of a draft budget; from then on it does not change.

    The resolution is cited in the register (``resolution_id``), in words, or both.
    """
    _own(coop, budget)
    if is_approved(budget):
        raise DomainError(_l("This budget was already approved."), field="budget")
    resolution_id = decisions.checked(session, coop, resolution_id)
    # cited only in the register: the words say which resolution, for the printed budget
    resolution_ref = " ".join((resolution_ref or "").split()) or decisions.label(session, coop, resolution_id)
    if not resolution_ref:
        raise DomainError(_l("Write the resolution of the assembly that approved the budget."),
                          field="resolution_ref")
    if len(resolution_ref) > 200:
        raise DomainError(_l("A resolution reference has at most 200 characters."), field="resolution_ref")
    if session.scalar(sa.select(BudgetLine.id).where(BudgetLine.budget_id == budget.id).limit(1)) is None:
        raise DomainError(_l("An empty budget cannot be approved: plan at least one account."),
                          field="resolution_ref")
    # the conditional update settles a race between two approvals: only one finds it a draft
    approved = session.execute(
        sa.update(Budget).where(Budget.id == budget.id, Budget.approved_dt.is_(None))
        .values(approved_dt=utcnow(), resolution_ref=resolution_ref, resolution_id=resolution_id,
                approved_by_id=actor.id if actor is not None else None)
        .execution_options(synchronize_session=False)).rowcount
    if not approved:
        raise DomainError(_l("This budget was already approved."), field="budget")
    session.refresh(budget)
    audit.record(session, coop=coop, actor=actor, action="ledger.budget_approve", obj=budget,
                 summary=f"{budget.year}: {resolution_ref}", changes={"resolution_ref": [None, resolution_ref]}
                 | ({"resolution_id": [None, resolution_id]} if resolution_id else {}))
    return budget


def delete_budget(session: so.Session, actor: User | None, coop: Coop, budget: Budget) -> None:
    """Throw away a draft budget with its lines (an approved one stays forever)."""
    _draft(coop, budget, session)
    year = budget.year
    session.delete(budget)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.budget", summary=str(year),
                 changes={"deleted": [year, None]})


# --- budget against actual -------------------------------------------------------------------

def _percent(part: int, whole: int) -> decimal.Decimal | None:
    if whole == 0:
        return None
    return (decimal.Decimal(part) * 100 / decimal.Decimal(whole)).quantize(
        decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


@dataclass(frozen=True)
class Cell:
    """What was budgeted and what the books show for one account (or total) and month."""

    budget: int = 0
    actual: int = 0

    @property
    def difference(self) -> int:
        """Actual minus budget: above the budget when positive."""
        return self.actual - self.budget

    @property
    def percent(self) -> decimal.Decimal | None:
        """The actual as a percentage of the budget (one decimal); None when nothing was budgeted."""
        return _percent(self.actual, self.budget)

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.budget + other.budget, self.actual + other.actual)

    def __sub__(self, other: Cell) -> Cell:
        return Cell(self.budget - other.budget, self.actual - other.actual)


def _sum(cells) -> Cell:
    return sum(cells, Cell())


@dataclass
class ReportRow:
    """One account: a cell per month shown, their total, and the whole year's budget."""

    code: str
    name: str
    cells: list[Cell]
    year_budget: int

    @property
    def total(self) -> Cell:
        return _sum(self.cells)


@dataclass
class ReportSection:
    """The income or the expense accounts, with totals per month and overall."""

    type: AccountType
    rows: list[ReportRow]
    months: int

    @property
    def month_totals(self) -> list[Cell]:
        return [_sum(r.cells[i] for r in self.rows) for i in range(self.months)]

    @property
    def total(self) -> Cell:
        return _sum(r.total for r in self.rows)

    @property
    def year_budget(self) -> int:
        return sum(r.year_budget for r in self.rows)


@dataclass
class BudgetReport:
    """Budget against actual for one year, through one of its months."""

    year: int
    #: the first day of each month shown, in order
    months: list[dt.date]
    #: the budget compared with (None when there is none, or only a draft that may not be shown)
    budget: Budget | None
    income: ReportSection
    expense: ReportSection

    @property
    def sections(self) -> list[ReportSection]:
        return [self.income, self.expense]

    @property
    def result(self) -> list[Cell]:
        """Income minus expenses per month: the surplus (positive) or deficit."""
        return [i - e for i, e in zip(self.income.month_totals, self.expense.month_totals, strict=True)]

    @property
    def result_total(self) -> Cell:
        return self.income.total - self.expense.total


def month_number(column):
    """The calendar month (1-12) of a date column, in SQL.

    The one place where SQLite and PostgreSQL differ: SQLAlchemy compiles ``extract`` to
    ``EXTRACT(month FROM ...)`` on PostgreSQL and to ``CAST(STRFTIME('%m', ...) AS INTEGER)`` on
    SQLite; the cast keeps the result an integer on both.
    """
    return sa.cast(sa.extract("month", column), sa.Integer)


def actual_by_month(session: so.Session, coop: Coop, start: dt.date, end: dt.date) -> dict[tuple[int, int], int]:
    """(account id, calendar month) -> net movement of income and expense accounts in [start, end).

    Income counts net credits, expenses net debits, both positive in the usual case. The range
    spans at most twelve months, so the calendar month alone names each month in it.

    The entries are scoped to the co-op and the postings reached through them (an entry's postings
    are its co-op's): a condition on ``posting.coop_id`` as well would lead SQLite to read all of
    the co-op's postings by their (co-op, account) index, 2.4 million of them after 25 years, and
    take about ten times as long as reading the year's entries by date and their postings. Those
    postings' accounts and amounts come from the covering index ``posting(entry_id, account_id,
    amount_minor)`` alone; with only an ``entry_id`` index PostgreSQL's planner preferred to scan
    all 2.4 million postings in parallel and hash them against the year's entries (390 ms to 85 ms).
    """
    month = month_number(JournalEntry.entry_date).label("month")
    signed = sa.case((Account.type == AccountType.INCOME, -Posting.amount_minor), else_=Posting.amount_minor)
    query = (sa.select(Posting.account_id, month, sa.func.sum(signed))
             .select_from(Posting)
             .join(JournalEntry, JournalEntry.id == Posting.entry_id)
             .join(Account, Account.id == Posting.account_id)
             .where(JournalEntry.coop_id == coop.id,
                    Account.type.in_(BUDGET_TYPES), JournalEntry.source != EntrySource.CLOSING,
                    JournalEntry.entry_date >= start, JournalEntry.entry_date < end)
             .group_by(Posting.account_id, month))
    return {(account_id, int(m)): int(total) for account_id, m, total in session.execute(query)}


def _months_shown(coop: Coop, year: int, through_month: int | None) -> list[dt.date]:
    months = fiscal_months(coop, year)
    if through_month is None:
        return months
    if through_month not in MONTHS:
        raise DomainError(_l("There is no such month."), field="through")
    return months[:[m.month for m in months].index(through_month) + 1]


def budget_vs_actual(session: so.Session, coop: Coop, year: int, through_month: int | None = None, *,
                     approved_only: bool = False) -> BudgetReport:
    """Per income and expense account and month: the budget, the actual, their difference.

    Months run from the start of budget ``year`` through the calendar month ``through_month``
    (the whole year when None). Accounts appear when they are budgeted or moved in those months.
    With ``approved_only`` a draft budget counts as no budget (for members' eyes).
    """
    months = _months_shown(coop, year, through_month)
    budget = budget_for_year(session, coop, year)
    if budget is not None and approved_only and not is_approved(budget):
        budget = None
    planned: dict[tuple[int, int], int] = {}
    if budget is not None:
        planned = {(a, m): amount for a, m, amount in session.execute(
            sa.select(BudgetLine.account_id, BudgetLine.month, BudgetLine.amount_minor)
            .where(BudgetLine.budget_id == budget.id))}
    end = add_months(months[-1], 1)
    actual = actual_by_month(session, coop, months[0], end)
    account_ids = {a for a, _m in planned} | {a for a, _m in actual}
    accounts = sorted(session.scalars(sa.select(Account).where(Account.coop_id == coop.id,
                                                               Account.id.in_(account_ids))) if account_ids else [],
                      key=lambda a: code_key(a.code))
    sections = {kind: ReportSection(kind, [], len(months)) for kind in BUDGET_TYPES}
    for account in accounts:
        cells = [Cell(planned.get((account.id, m.month), 0), actual.get((account.id, m.month), 0)) for m in months]
        year_budget = sum(v for (a, _m), v in planned.items() if a == account.id)
        sections[account.type].rows.append(ReportRow(account.code, account.name, cells, year_budget))
    return BudgetReport(year, months, budget, sections[AccountType.INCOME], sections[AccountType.EXPENSE])
