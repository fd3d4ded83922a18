"""The general ledger (libro mayor): an account, with the accounts under it, over a period.

Lines carry the account's running balance on its normal side. On screen a page costs two queries
whatever the page: one for the opening balance and the period's totals, one for the page, whose
running balance is a window over the whole period. For the CSV every line is streamed in batches.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.paging import one_page
from coop.tenancy import Coop
from ledger.chart import natural
from ledger.models import Account, JournalEntry, Posting
from ledger.reports.tree import chart, subtree_ids
from members.models import Member

#: lines per page of a general ledger on screen
LEDGER_PAGE_SIZE = 50
ORDER = (JournalEntry.entry_date, JournalEntry.number, Posting.id)


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
    rows = session.execute(one_page(_ledger_lines(ids, start, end).add_columns(running).order_by(*ORDER),
                                    page, per_page))
    return GeneralLedger(account, start, end, opening, int(debits or 0), int(credits or 0), int(count or 0),
                         [_line(account, opening, row) for row in rows], max(page, 1), per_page)


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
