"""The housing and construction fund (3.2) month by month, beside the money spent on building.

The fund's balance is what was credited to it less what was taken from it; construction spending
is the net debits of the accounts that hold materials and works (``CONSTRUCTION_CODES``), where a
transfer between them nets out. Two grouped queries: the totals before the period, and the
period's by month and account.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.calendar import months_between
from coop.tenancy import Coop
from ledger.models import JournalEntry, Posting
from ledger.reports.overview import month_columns
from ledger.reports.tree import chart, subtree_ids
from ledger.services import CONSTRUCTION_FUND_CODE

#: the accounts whose net debits are money spent on building: materials bought for the store,
#: works in progress, and the construction and materials expenses (a transfer between them nets out)
CONSTRUCTION_CODES = ("1.1.04", "1.2.02", "5.1", "5.2")


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
    year, month = month_columns()
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
