"""Read-only views of the books: the trial balance and the integrity check.

``trial_balance`` is one grouped query, whatever the size of the journal. ``verify_ledger`` reads
a co-op's entries in number order, turns them into plain values and hands them to the pure
``ledger.chain.check_chain``; it also checks that the account totals balance. Nothing here
writes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.tenancy import Coop
from ledger.chain import EntryFacts, check_chain
from ledger.models import Account, AccountType, JournalEntry, Posting
from ledger.services import BANK_CODE, CASH_CODE, CONSTRUCTION_FUND_CODE
from members.models import Member

#: entries read per round trip while verifying, so memory stays flat on a long journal
VERIFY_BATCH = 1000


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account's totals: debits and credits as positive minor units, balance signed.

    With a start date, ``debit`` and ``credit`` are the period's movements and ``opening`` the
    balance before it; without one, they are everything up to the as-of date and ``opening`` is 0.
    """

    code: str
    name: str
    type: AccountType
    debit: int
    credit: int
    account_id: int = 0
    opening: int = 0

    @property
    def balance(self) -> int:
        """Debit minus credit: positive for a debit balance."""
        return self.debit - self.credit

    @property
    def closing(self) -> int:
        """The balance at the end: opening plus the movements (debit positive)."""
        return self.opening + self.balance


def trial_balance(session: so.Session, coop: Coop, as_of: dt.date | None = None,
                  start: dt.date | None = None) -> list[TrialBalanceRow]:
    """Every account with postings up to ``as_of`` (inclusive; all when None), by code.

    With ``start``, debits and credits are the movements from ``start`` to ``as_of`` and each
    row carries the balance before ``start`` as ``opening``: still one grouped query.
    """
    amount = Posting.amount_minor
    in_period = JournalEntry.entry_date >= start if start is not None else None

    def movement(sign_test, value):
        test = sign_test if in_period is None else sa.and_(in_period, sign_test)
        return sa.func.sum(sa.case((test, value), else_=0))

    opening = (sa.func.sum(sa.case((JournalEntry.entry_date < start, amount), else_=0))
               if start is not None else sa.literal(0))
    # the sums read only the index (coop_id, account_id, amount_minor) unless dates are asked for
    sums = (sa.select(Posting.account_id, movement(amount > 0, amount).label("debit"),
                      movement(amount < 0, -amount).label("credit"), opening.label("opening"))
            .where(Posting.coop_id == coop.id).group_by(Posting.account_id))
    if as_of is not None or start is not None:
        sums = sums.join(JournalEntry, JournalEntry.id == Posting.entry_id)
    if as_of is not None:
        sums = sums.where(JournalEntry.entry_date <= as_of)
    sums = sums.subquery()
    query = (sa.select(Account.id, Account.code, Account.name, Account.type, sums.c.debit, sums.c.credit,
                       sums.c.opening)
             .join(sums, sums.c.account_id == Account.id).order_by(Account.code))
    return [TrialBalanceRow(code, name, AccountType(kind), int(dr or 0), int(cr or 0), account_id,
                            int(before or 0))
            for account_id, code, name, kind, dr, cr, before in session.execute(query)]


def _entry_facts(session: so.Session, coop: Coop) -> Iterator[EntryFacts]:
    codes = dict(session.execute(sa.select(Account.id, Account.code).where(Account.coop_id == coop.id)).all())
    last = 0
    while True:
        entries = list(session.scalars(
            sa.select(JournalEntry).where(JournalEntry.coop_id == coop.id, JournalEntry.number > last)
            .order_by(JournalEntry.number).limit(VERIFY_BATCH).options(so.selectinload(JournalEntry.postings))))
        if not entries:
            return
        for entry in entries:
            yield entry.facts(codes)
        last = entries[-1].number


def count_entries(session: so.Session, coop: Coop) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                          .where(JournalEntry.coop_id == coop.id))


def verify_ledger(session: so.Session, coop: Coop) -> list[str]:
    """Every problem in the co-op's books: unbalanced entries or totals, broken chain, gaps."""
    problems = check_chain(_entry_facts(session, coop))
    rows = trial_balance(session, coop)
    if sum(row.balance for row in rows) != 0:
        problems.append(str(_l("The account totals do not balance: debits and credits differ by %(diff)d.",
                               diff=sum(row.balance for row in rows))))
    return problems


# --- financial statements ----------------------------------------------------------------------
# Each statement reads the co-op's chart once (a few hundred rows at most) and the postings in one
# or two grouped queries; the tree, the signs and the totals are then worked out in Python.

#: how an account's balance is shown: assets and expenses as debits, the rest as credits, so
#: that every figure in a statement is normally positive
NATURAL_SIGN = {AccountType.ASSET: 1, AccountType.EXPENSE: 1, AccountType.LIABILITY: -1,
                AccountType.EQUITY: -1, AccountType.INCOME: -1}
#: the accounts whose net debits are money spent on building: materials bought for the store,
#: works in progress, and the construction and materials expenses (a transfer between them nets out)
CONSTRUCTION_CODES = ("1.1.04", "1.2.02", "5.1", "5.2")
#: lines per page of a general ledger on screen
LEDGER_PAGE_SIZE = 50


def natural(account_type: AccountType, amount: int) -> int:
    """A signed (debit positive) amount as the statements show it for this type of account."""
    return NATURAL_SIGN[AccountType(account_type)] * amount


def fiscal_year_start(coop: Coop, day: dt.date) -> dt.date:
    month = coop.fiscal_year_start_month or 1
    return dt.date(day.year if day.month >= month else day.year - 1, month, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from ``start``'s to ``end``'s, inclusive."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class ChartAccount:
    id: int
    code: str
    name: str
    type: AccountType
    parent_id: int | None
    is_receivable: bool

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.code.split(".") if part.isdigit())


def chart(session: so.Session, coop: Coop) -> list[ChartAccount]:
    """The co-op's accounts, in the order of their codes ("1.1.2" before "1.1.10")."""
    rows = session.execute(sa.select(Account.id, Account.code, Account.name, Account.type, Account.parent_id,
                                     Account.is_receivable).where(Account.coop_id == coop.id))
    return sorted((ChartAccount(i, c, n, AccountType(t), p, bool(r)) for i, c, n, t, p, r in rows),
                  key=lambda a: a.sort_key)


def subtree_ids(accounts: list[ChartAccount], codes: tuple[str, ...]) -> set[int]:
    """The ids of the accounts with these codes and of every account under them."""
    return {a.id for a in accounts if any(a.code == c or a.code.startswith(c + ".") for c in codes)}


@dataclass(frozen=True)
class StatementLine:
    """An account in a statement: its amount includes the accounts under it (a group)."""

    account_id: int
    code: str
    name: str
    depth: int
    amount: int
    is_group: bool


@dataclass(frozen=True)
class Section:
    """Assets, liabilities, equity, income or expenses: the lines and their total."""

    type: AccountType
    lines: tuple[StatementLine, ...]
    total: int


def _section(accounts: list[ChartAccount], sums: dict[int, int], account_type: AccountType) -> Section:
    """The accounts of one type with a posting, each under its parent, amounts with natural sign."""
    by_id = {a.id: a for a in accounts}
    subtotal: dict[int, int] = {}
    depth = {}
    for account in accounts:
        level, parent = 0, account.parent_id
        while parent is not None and parent in by_id:
            level, parent = level + 1, by_id[parent].parent_id
        depth[account.id] = level
    for account_id, amount in sums.items():
        account = by_id.get(account_id)
        while account is not None:  # the amount counts for the account and each one above it
            subtotal[account.id] = subtotal.get(account.id, 0) + natural(account.type, amount)
            account = by_id.get(account.parent_id)
    shown = [a for a in accounts if a.type == account_type and a.id in subtotal]
    parents = {a.parent_id for a in shown}
    lines = tuple(StatementLine(a.id, a.code, a.name, depth[a.id], subtotal[a.id], a.id in parents)
                  for a in shown)
    total = sum(natural(account_type, amount) for account_id, amount in sums.items()
                if account_id in by_id and by_id[account_id].type == account_type)
    return Section(account_type, lines, total)


def _sums(session: so.Session, coop: Coop, *, start: dt.date | None, end: dt.date,
          types: tuple[AccountType, ...] | None = None) -> dict[int, int]:
    """Each account's signed total of postings dated from ``start`` (or ever) to ``end``."""
    query = (sa.select(Posting.account_id, sa.func.sum(Posting.amount_minor))
             .join(JournalEntry, JournalEntry.id == Posting.entry_id)
             .where(Posting.coop_id == coop.id, JournalEntry.entry_date <= end)
             .group_by(Posting.account_id))
    if start is not None:
        query = query.where(JournalEntry.entry_date >= start)
    if types is not None:
        query = query.join(Account, Account.id == Posting.account_id).where(Account.type.in_(types))
    return {account_id: int(total) for account_id, total in session.execute(query)}


@dataclass(frozen=True)
class IncomeStatement:
    """Income and expenses of a period (estado de resultados) and the result (surplus positive)."""

    start: dt.date
    end: dt.date
    income: Section
    expenses: Section

    @property
    def result(self) -> int:
        return self.income.total - self.expenses.total


def income_statement(session: so.Session, coop: Coop, start: dt.date, end: dt.date) -> IncomeStatement:
    """The period's income and expenses by account, grouped under their parents: one query."""
    sums = _sums(session, coop, start=start, end=end, types=(AccountType.INCOME, AccountType.EXPENSE))
    accounts = chart(session, coop)
    return IncomeStatement(start, end, _section(accounts, sums, AccountType.INCOME),
                           _section(accounts, sums, AccountType.EXPENSE))


@dataclass(frozen=True)
class BalanceSheet:
    """What the co-op owns and owes on a day (balance general), with the result not yet closed.

    Income and expenses are not closed into equity until the year is closed, so their balance is
    shown as part of equity: the result of this fiscal year, and any earlier result left unclosed.
    """

    as_of: dt.date
    year_start: dt.date
    assets: Section
    liabilities: Section
    equity: Section
    result_this_year: int
    result_earlier: int

    @property
    def equity_total(self) -> int:
        return self.equity.total + self.result_this_year + self.result_earlier

    @property
    def liabilities_and_equity(self) -> int:
        return self.liabilities.total + self.equity_total

    @property
    def is_balanced(self) -> bool:
        return self.assets.total == self.liabilities_and_equity


def balance_sheet(session: so.Session, coop: Coop, as_of: dt.date) -> BalanceSheet:
    """Every account's balance on ``as_of``, by type, in one grouped query."""
    year_start = fiscal_year_start(coop, as_of)
    this_year = sa.func.sum(sa.case((JournalEntry.entry_date >= year_start, Posting.amount_minor), else_=0))
    query = (sa.select(Posting.account_id, sa.func.sum(Posting.amount_minor), this_year)
             .join(JournalEntry, JournalEntry.id == Posting.entry_id)
             .where(Posting.coop_id == coop.id, JournalEntry.entry_date <= as_of)
             .group_by(Posting.account_id))
    sums, year_sums = {}, {}
    for account_id, total, year in session.execute(query):
        sums[account_id], year_sums[account_id] = int(total), int(year or 0)
    accounts = chart(session, coop)
    results = {a.id for a in accounts if a.type in (AccountType.INCOME, AccountType.EXPENSE)}
    result_total = -sum(amount for account_id, amount in sums.items() if account_id in results)
    result_year = -sum(amount for account_id, amount in year_sums.items() if account_id in results)
    return BalanceSheet(as_of, year_start, _section(accounts, sums, AccountType.ASSET),
                        _section(accounts, sums, AccountType.LIABILITY), _section(accounts, sums, AccountType.EQUITY),
                        result_year, result_total - result_year)


# --- general ledger ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerLine:
    """One posting in a general ledger, with the account's balance after it (natural sign)."""

    entry_id: int
    number: int
    entry_date: dt.date
    description: str
    account_code: str
    member: str
    debit: int
    credit: int
    balance: int


@dataclass(frozen=True)
class GeneralLedger:
    """An account (with the accounts under it) over a period (libro mayor); one page of its lines."""

    account: Account
    start: dt.date
    end: dt.date
    opening: int
    debits: int
    credits: int
    count: int
    lines: list[LedgerLine]
    page: int
    per_page: int

    @property
    def closing(self) -> int:
        return self.opening + natural(self.account.type, self.debits - self.credits)


def _ledger_scope(session: so.Session, coop: Coop, account: Account) -> list[int]:
    if account.coop_id != coop.id:
        raise ValueError("the account belongs to another co-op")
    return sorted(subtree_ids(chart(session, coop), (account.code,)))


def _ledger_lines(ids: list[int], start: dt.date, end: dt.date) -> sa.Select:
    member = sa.func.coalesce(sa.cast(Member.number, sa.String) + " " + Member.family_names + ", "
                              + Member.given_names, "")
    return (sa.select(JournalEntry.id, JournalEntry.number, JournalEntry.entry_date, JournalEntry.description,
                      Account.code, member.label("member"), Posting.amount_minor)
            .select_from(Posting).join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .join(Account, Account.id == Posting.account_id)
            .outerjoin(Member, Member.id == Posting.member_id)
            .where(Posting.account_id.in_(ids), JournalEntry.entry_date.between(start, end)))


ORDER = (JournalEntry.entry_date, JournalEntry.number, Posting.id)


def general_ledger(session: so.Session, coop: Coop, account: Account, start: dt.date, end: dt.date,
                   page: int = 1, per_page: int = LEDGER_PAGE_SIZE) -> GeneralLedger:
    """One page of an account's postings with running balances: two queries whatever the page."""
    ids = _ledger_scope(session, coop, account)
    amount, date = Posting.amount_minor, JournalEntry.entry_date
    in_period = date >= start
    opening, debits, credits, count = session.execute(
        sa.select(sa.func.sum(sa.case((date < start, amount), else_=0)),
                  sa.func.sum(sa.case((sa.and_(in_period, amount > 0), amount), else_=0)),
                  sa.func.sum(sa.case((sa.and_(in_period, amount < 0), -amount), else_=0)),
                  sa.func.count(sa.case((in_period, Posting.id))))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id.in_(ids), date <= end)).one()
    opening = natural(account.type, int(opening or 0))
    # the running balance is a window over the whole period, so any page starts from the right figure
    running = sa.func.sum(amount).over(order_by=ORDER).label("running")
    page = max(page, 1)
    rows = session.execute(_ledger_lines(ids, start, end).add_columns(running).order_by(*ORDER)
                           .limit(per_page).offset((page - 1) * per_page))
    return GeneralLedger(account, start, end, opening, int(debits or 0), int(credits or 0), int(count or 0),
                         [_line(account, opening, row) for row in rows], page, per_page)


def _line(account: Account, opening: int, row) -> LedgerLine:
    entry_id, number, day, description, code, member, amount, running = row
    return LedgerLine(entry_id, number, day, description, code, member or "", max(amount, 0), max(-amount, 0),
                      opening + natural(account.type, int(running)))


def ledger_opening(session: so.Session, coop: Coop, account: Account, start: dt.date) -> int:
    """The balance (natural sign) of an account and those under it before ``start``."""
    before = session.scalar(sa.select(sa.func.sum(Posting.amount_minor))
                            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
                            .where(Posting.account_id.in_(_ledger_scope(session, coop, account)),
                                   JournalEntry.entry_date < start))
    return natural(account.type, int(before or 0))


def general_ledger_lines(session: so.Session, coop: Coop, account: Account, start: dt.date,
                         end: dt.date) -> Iterator[LedgerLine]:
    """Every line of the period in order, streamed in batches (for the CSV), with running balances."""
    ids = _ledger_scope(session, coop, account)
    opening, running = ledger_opening(session, coop, account, start), 0
    query = _ledger_lines(ids, start, end).order_by(*ORDER).execution_options(yield_per=1000)
    for row in session.execute(query):
        running += row[-1]
        yield _line(account, opening, (*row, running))


# --- by month: the charts and the construction fund ------------------------------------------------

def _month_columns():
    # EXTRACT compiles for SQLite and PostgreSQL alike, so the grouping stays portable
    return (sa.extract("year", JournalEntry.entry_date).label("year"),
            sa.extract("month", JournalEntry.entry_date).label("month"))


@dataclass(frozen=True)
class MonthTotals:
    """A month's income and expenses, both positive."""

    month: dt.date
    income: int
    expenses: int

    @property
    def result(self) -> int:
        return self.income - self.expenses


def monthly_income_expenses(session: so.Session, coop: Coop, start: dt.date, end: dt.date) -> list[MonthTotals]:
    """Income and expenses of every month from ``start`` to ``end`` (empty months as zero): one query."""
    year, month = _month_columns()
    query = (sa.select(year, month, Account.type, sa.func.sum(Posting.amount_minor))
             .select_from(Posting).join(JournalEntry, JournalEntry.id == Posting.entry_id)
             .join(Account, Account.id == Posting.account_id)
             .where(Posting.coop_id == coop.id, JournalEntry.entry_date.between(start, end),
                    Account.type.in_((AccountType.INCOME, AccountType.EXPENSE)))
             .group_by(year, month, Account.type))
    found: dict[tuple[dt.date, AccountType], int] = {}
    for y, m, kind, total in session.execute(query):
        found[(dt.date(int(y), int(m), 1), AccountType(kind))] = natural(kind, int(total))
    return [MonthTotals(m, found.get((m, AccountType.INCOME), 0), found.get((m, AccountType.EXPENSE), 0))
            for m in months_between(start, end)]


@dataclass(frozen=True)
class FundMonth:
    """One month of the construction fund: credited to it, taken from it, spent on building, balance."""

    month: dt.date
    raised: int
    withdrawn: int
    spent: int
    balance: int


@dataclass(frozen=True)
class ConstructionFund:
    """The housing and construction fund (3.2) and the money spent on construction, by month."""

    start: dt.date
    end: dt.date
    opening: int
    months: list[FundMonth]
    spent_before: int

    @property
    def closing(self) -> int:
        return self.months[-1].balance if self.months else self.opening

    @property
    def raised(self) -> int:
        return sum(m.raised for m in self.months)

    @property
    def withdrawn(self) -> int:
        return sum(m.withdrawn for m in self.months)

    @property
    def spent(self) -> int:
        return sum(m.spent for m in self.months)

    @property
    def points(self) -> list[tuple[dt.date, int]]:
        """The fund's balance at the end of each month, for the chart."""
        return [(m.month, m.balance) for m in self.months]


def construction_fund(session: so.Session, coop: Coop, start: dt.date, end: dt.date) -> ConstructionFund:
    """The fund's credits, debits and balance and the construction spending, month by month.

    Two grouped queries: the totals before ``start``, and the period's by month and account.
    """
    accounts = chart(session, coop)
    fund = subtree_ids(accounts, (CONSTRUCTION_FUND_CODE,))
    building = subtree_ids(accounts, CONSTRUCTION_CODES)
    ids = sorted(fund | building)
    if not ids:
        return ConstructionFund(start, end, 0, [FundMonth(m, 0, 0, 0, 0) for m in months_between(start, end)], 0)
    amount = Posting.amount_minor
    in_fund = Posting.account_id.in_(sorted(fund) or [0])
    fund_before, building_before = session.execute(
        sa.select(sa.func.sum(sa.case((in_fund, amount), else_=0)), sa.func.sum(sa.case((in_fund, 0), else_=amount)))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id.in_(ids), JournalEntry.entry_date < start)).one()
    year, month = _month_columns()
    query = (sa.select(year, month, Posting.account_id,
                       sa.func.sum(sa.case((amount < 0, -amount), else_=0)),
                       sa.func.sum(sa.case((amount > 0, amount), else_=0)))
             .join(JournalEntry, JournalEntry.id == Posting.entry_id)
             .where(Posting.account_id.in_(ids), JournalEntry.entry_date.between(start, end))
             .group_by(year, month, Posting.account_id))
    raised: dict[dt.date, int] = {}
    withdrawn: dict[dt.date, int] = {}
    spent: dict[dt.date, int] = {}
    for y, m, account_id, credit, debit in session.execute(query):
        key, credit, debit = dt.date(int(y), int(m), 1), int(credit), int(debit)
        if account_id in fund:
            raised[key] = raised.get(key, 0) + credit
            withdrawn[key] = withdrawn.get(key, 0) + debit
        else:
            spent[key] = spent.get(key, 0) + debit - credit
    opening = -int(fund_before or 0)
    balance, months = opening, []
    for m in months_between(start, end):
        balance += raised.get(m, 0) - withdrawn.get(m, 0)
        months.append(FundMonth(m, raised.get(m, 0), withdrawn.get(m, 0), spent.get(m, 0), balance))
    return ConstructionFund(start, end, opening, months, int(building_before or 0))


@dataclass(frozen=True)
class KeyFigures:
    """What the overview shows first: money at hand, owed by members, the fund, the year so far."""

    as_of: dt.date
    cash_and_bank: int
    receivable: int
    fund: int
    income: int
    expenses: int

    @property
    def result(self) -> int:
        return self.income - self.expenses


def key_figures(session: so.Session, coop: Coop, start: dt.date, end: dt.date) -> KeyFigures:
    """Balances on ``end`` and the period's income and expenses: one grouped query."""
    in_period = sa.func.sum(sa.case((JournalEntry.entry_date >= start, Posting.amount_minor), else_=0))
    query = (sa.select(Posting.account_id, sa.func.sum(Posting.amount_minor), in_period)
             .join(JournalEntry, JournalEntry.id == Posting.entry_id)
             .where(Posting.coop_id == coop.id, JournalEntry.entry_date <= end).group_by(Posting.account_id))
    rows = [(account_id, int(total), int(period or 0)) for account_id, total, period in session.execute(query)]
    accounts = chart(session, coop)
    cash = subtree_ids(accounts, (CASH_CODE, BANK_CODE))
    fund = subtree_ids(accounts, (CONSTRUCTION_FUND_CODE,))
    receivable = {a.id for a in accounts if a.is_receivable}
    kinds = {a.id: a.type for a in accounts}
    return KeyFigures(
        end, sum(t for i, t, _p in rows if i in cash), sum(t for i, t, _p in rows if i in receivable),
        -sum(t for i, t, _p in rows if i in fund),
        -sum(p for i, _t, p in rows if kinds.get(i) == AccountType.INCOME),
        sum(p for i, _t, p in rows if kinds.get(i) == AccountType.EXPENSE))
