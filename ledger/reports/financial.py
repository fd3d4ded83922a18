"""The financial statements: the income statement (estado de resultados) and the balance sheet
(balance general).

Each reads the co-op's chart once and the postings in one grouped query; every account is shown
under its parent, a parent's amount includes the accounts under it, and amounts stand on the
account's normal side (``ledger.chart.natural``), so a statement's figures are normally positive.
Income and expenses are not closed into equity until the year is closed, so the balance sheet
shows their balance as the result of this fiscal year and of earlier years left unclosed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.calendar import fiscal_year_start
from coop.tenancy import Coop
from ledger.chart import natural
from ledger.models import Account, AccountType, JournalEntry, Posting
from ledger.reports.tree import ChartAccount, chart


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
