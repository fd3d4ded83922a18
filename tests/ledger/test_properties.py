"""Invariants of the books for any entries hypothesis can think of: every entry balances, the
trial balance sums to zero, reversing everything brings every account back to zero, and the
chain verifies."""
from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import reports, services
from ledger.chain import GENESIS_HASH, EntryFacts, PostingFacts, check_chain, entry_hash
from ledger.models import EntrySource, JournalEntry
from ledger.services import PostingLine
from tests.ledger.conftest import DAY, account

CODES = ("1.1.01", "1.1.02", "1.2.02", "2.1", "3.2", "4.1", "4.3", "5.3", "5.4")
amounts = st.integers(min_value=-10**11, max_value=10**11).filter(bool)


@st.composite
def balanced_lines(draw) -> list[tuple[str, int]]:
    """One to four random lines, plus the line that balances them when they do not."""
    lines = draw(st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=4))
    rest = -sum(amount for _, amount in lines)
    if rest:
        lines.append((draw(st.sampled_from(CODES)), rest))
    return lines


entries = st.lists(balanced_lines(), min_size=1, max_size=6)
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(batch=entries)
def test_balanced_entries_keep_the_books_balanced_and_reversals_cancel_them(db, books, batch):
    db.rollback()
    posted = [services.post_entry(db, None, books, entry_date=DAY, description="Movimiento",
                                  postings=[PostingLine(account(db, books, c), a) for c, a in lines])
              for lines in batch]
    assert all(sum(p.amount_minor for p in entry.postings) == 0 for entry in posted)
    rows = reports.trial_balance(db, books)
    assert sum(r.balance for r in rows) == 0 and sum(r.debit for r in rows) == sum(r.credit for r in rows)
    for entry in posted:
        services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="Prueba")
    db.commit()
    assert all(r.balance == 0 for r in reports.trial_balance(db, books))
    assert reports.verify_ledger(db, books) == []
    assert db.scalar(sa.select(sa.func.max(JournalEntry.number)).where(JournalEntry.coop_id == books.id)) \
        == db.scalar(sa.select(sa.func.count()).select_from(JournalEntry).where(JournalEntry.coop_id == books.id))


@settings(max_examples=200)
@given(batch=entries, data=st.data())
def test_any_single_change_to_a_chain_in_memory_is_caught(batch, data):
    chain, prev = [], GENESIS_HASH
    for number, lines in enumerate(batch, start=1):
        facts = EntryFacts(number=number, entry_date=dt.date(2026, 1, 1), description="Movimiento", reference="",
                           source=EntrySource.MANUAL.value, reverses_id=None, reason="", prev_hash=prev,
                           postings=tuple(PostingFacts(c, None, a) for c, a in lines))
        facts = dataclasses.replace(facts, hash=entry_hash(prev, facts))
        chain.append(facts)
        prev = facts.hash
    assert check_chain(chain) == []
    victim = data.draw(st.integers(min_value=0, max_value=len(chain) - 1))
    delta = data.draw(amounts)
    first, *others = chain[victim].postings
    changed = dataclasses.replace(first, amount_minor=first.amount_minor + delta)
    chain[victim] = dataclasses.replace(chain[victim], postings=(changed, *others))
    assert check_chain(chain) != []
