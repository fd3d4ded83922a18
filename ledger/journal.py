"""Read-only queries behind the book-keeping pages: the chart as a tree with balances, the
journal searched and paged, one entry with what reverses it.

Balances are one grouped query over the postings (as ``reports.trial_balance``), rolled up the
tree in Python, so the chart page costs two queries whatever the size of the journal. Nothing
here writes.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.auth.models import User
from coop.paging import one_page
from coop.tenancy import Coop
from ledger.chart import CREDIT_NORMAL, code_key, natural  # noqa: F401  (CREDIT_NORMAL: its old home)
from ledger.models import Account, ClosedPeriod, EntrySource, JournalEntry, Posting

PAGE_SIZE = 50


@dataclass(frozen=True)
class ChartRow:
    """One account of the tree: its own postings' balance and, for a parent, its subtree's."""

    account: Account
    depth: int
    #: debit minus credit of the account and every account under it
    total: int
    has_children: bool

    @property
    def balance(self) -> int:
        """The balance on the account's normal side (a bank's debit, an income's credit)."""
        return natural(self.account.type, self.total)


def accounts_of(session: so.Session, coop: Coop, *, open_only: bool = False) -> list[Account]:
    """The co-op's accounts in code order."""
    query = sa.select(Account).where(Account.coop_id == coop.id)
    if open_only:
        query = query.where(Account.is_closed.is_(False))
    return sorted(session.scalars(query), key=lambda a: code_key(a.code))


def chart(session: so.Session, coop: Coop) -> list[ChartRow]:
    """Every account, in code order, with the balance of its subtree."""
    own = dict(session.execute(
        sa.select(Posting.account_id, sa.func.sum(Posting.amount_minor))
        .where(Posting.coop_id == coop.id).group_by(Posting.account_id)).all())
    accounts = accounts_of(session, coop)
    totals: dict[int, int] = defaultdict(int)
    children: set[int] = set()
    by_id = {a.id: a for a in accounts}
    for account in accounts:
        amount = int(own.get(account.id) or 0)
        node: Account | None = account
        while node is not None:
            totals[node.id] += amount
            node = by_id.get(node.parent_id) if node.parent_id else None
        if account.parent_id:
            children.add(account.parent_id)
    return [ChartRow(a, a.code.count("."), totals[a.id], a.id in children) for a in accounts]


@dataclass
class JournalQuery:
    """The journal page's filters; empty values filter nothing."""

    start: dt.date | None = None
    end: dt.date | None = None
    source: EntrySource | None = None
    account_id: int | None = None
    text: str = ""
    number: int | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def journal(session: so.Session, coop: Coop, query: JournalQuery, *, page: int = 1,
            per_page: int = PAGE_SIZE) -> tuple[list[JournalEntry], int]:
    """One page of entries, newest first, with their postings and accounts loaded; and the count."""
    where = [JournalEntry.coop_id == coop.id]
    if query.start:
        where.append(JournalEntry.entry_date >= query.start)
    if query.end:
        where.append(JournalEntry.entry_date <= query.end)
    if query.source:
        where.append(JournalEntry.source == query.source)
    if query.number:
        where.append(JournalEntry.number == query.number)
    if query.account_id:
        where.append(sa.exists().where(Posting.entry_id == JournalEntry.id,
                                       Posting.coop_id == coop.id, Posting.account_id == query.account_id))
    text = " ".join(query.text.split())
    if text:
        pattern = _like(text.lower())
        where.append(sa.or_(sa.func.lower(JournalEntry.description).like(pattern, escape="\\"),
                            sa.func.lower(JournalEntry.reference).like(pattern, escape="\\")))
    total = session.scalar(sa.select(sa.func.count()).select_from(JournalEntry).where(*where))
    entries = list(session.scalars(
        one_page(sa.select(JournalEntry).where(*where).order_by(JournalEntry.number.desc()), page, per_page)
        .options(so.selectinload(JournalEntry.postings).joinedload(Posting.account))))
    return entries, total


def entry_by_id(session: so.Session, coop: Coop, entry_id: int) -> JournalEntry | None:
    """One entry of the co-op with its postings, their accounts and members."""
    return session.scalar(
        sa.select(JournalEntry).where(JournalEntry.coop_id == coop.id, JournalEntry.id == entry_id)
        .options(so.selectinload(JournalEntry.postings).joinedload(Posting.account),
                 so.selectinload(JournalEntry.postings).joinedload(Posting.member)))


def reversal_of(session: so.Session, coop: Coop, entry: JournalEntry) -> JournalEntry | None:
    """The entry that cancels ``entry``, if one does."""
    return session.scalar(sa.select(JournalEntry).where(JournalEntry.coop_id == coop.id,
                                                        JournalEntry.reverses_id == entry.id))


def entries_of_source(session: so.Session, coop: Coop, source: EntrySource) -> list[JournalEntry]:
    return list(session.scalars(sa.select(JournalEntry).where(
        JournalEntry.coop_id == coop.id, JournalEntry.source == source).order_by(JournalEntry.number)))


@dataclass(frozen=True)
class ClosedMonth:
    month: dt.date
    closed_dt: dt.datetime
    closed_by: str | None


def closed_months(session: so.Session, coop: Coop) -> list[ClosedMonth]:
    """The co-op's closed months, newest first, with who closed each (the periods page).

    To test dates against them, ``ledger.services.closed_month_starts`` reads only the months."""
    rows = session.execute(
        sa.select(ClosedPeriod.month, ClosedPeriod.closed_dt, User.name)
        .outerjoin(User, User.id == ClosedPeriod.closed_by_id)
        .where(ClosedPeriod.coop_id == coop.id).order_by(ClosedPeriod.month.desc()))
    return [ClosedMonth(month, closed, name) for month, closed, name in rows]


def first_entry_date(session: so.Session, coop: Coop) -> dt.date | None:
    return session.scalar(sa.select(sa.func.min(JournalEntry.entry_date)).where(JournalEntry.coop_id == coop.id))


def user_name(session: so.Session, user_id: int | None) -> str | None:
    return session.scalar(sa.select(User.name).where(User.id == user_id)) if user_id else None
