"""What the finances overview shows first: the key figures, and income and expenses month by month.

Each is one grouped query. Months are grouped in SQL by year and month (``month_columns``, which
the construction fund shares) and named by their first day, as ``coop.calendar`` names them; a
month without postings is shown as zero, so a chart has no gaps.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.calendar import months_between
from coop.tenancy import Coop
from ledger.chart import natural
from ledger.models import Account, AccountType, JournalEntry, Posting
from ledger.reports.tree import chart, subtree_ids
from ledger.services import BANK_CODE, CASH_CODE, CONSTRUCTION_FUND_CODE


def month_columns():
    """The year and month of an entry's date, to group by in SQL."""
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
    year, month = month_columns()
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
