"""The trial balance and the integrity check of the books.

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
from ledger.chart import code_key
from ledger.models import Account, AccountType, JournalEntry, Posting

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
    """Every account with postings up to ``as_of`` (inclusive; all when None), in code order.

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
    rows = [TrialBalanceRow(code, name, AccountType(kind), int(dr or 0), int(cr or 0), account_id, int(before or 0))
            for account_id, code, name, kind, dr, cr, before in session.execute(query)]
    return sorted(rows, key=lambda row: code_key(row.code))


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
