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

#: entries read per round trip while verifying, so memory stays flat on a long journal
VERIFY_BATCH = 1000


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account's totals: debits and credits as positive minor units, balance signed."""

    code: str
    name: str
    type: AccountType
    debit: int
    credit: int

    @property
    def balance(self) -> int:
        """Debit minus credit: positive for a debit balance."""
        return self.debit - self.credit


def trial_balance(session: so.Session, coop: Coop, as_of: dt.date | None = None) -> list[TrialBalanceRow]:
    """Every account with postings up to ``as_of`` (inclusive; all when None), by code."""
    debit = sa.func.sum(sa.case((Posting.amount_minor > 0, Posting.amount_minor), else_=0))
    credit = sa.func.sum(sa.case((Posting.amount_minor < 0, -Posting.amount_minor), else_=0))
    query = (sa.select(Account.code, Account.name, Account.type, debit, credit)
             .select_from(Posting).join(Account, Account.id == Posting.account_id)
             .where(Posting.coop_id == coop.id)
             .group_by(Account.id, Account.code, Account.name, Account.type).order_by(Account.code))
    if as_of is not None:
        query = query.join(JournalEntry, JournalEntry.id == Posting.entry_id).where(JournalEntry.entry_date <= as_of)
    return [TrialBalanceRow(code, name, AccountType(kind), int(dr), int(cr))
            for code, name, kind, dr, cr in session.execute(query)]


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
