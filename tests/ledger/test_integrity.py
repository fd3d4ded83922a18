"""Tamper evidence: the hash chain, ``verify_ledger``, and the nightly check that alerts admins."""
from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from coop import scheduler
from coop.outbox import OutboxMessage
from ledger import reports
from ledger.chain import GENESIS_HASH, EntryFacts, PostingFacts, check_chain, entry_hash
from ledger.models import JournalEntry
from tests.conftest import is_postgres


def chain_of(*amounts: int) -> list[EntryFacts]:
    """A sound chain in memory: entry n moves amounts[n-1] from the bank to dues."""
    entries, prev = [], GENESIS_HASH
    for number, amount in enumerate(amounts, start=1):
        facts = EntryFacts(number=number, entry_date=dt.date(2026, 1, number), description=f"Aporte {number}",
                           reference="", source="dues", reverses_id=None, reason="", prev_hash=prev,
                           postings=(PostingFacts("1.1.02", None, amount), PostingFacts("4.1", None, -amount)))
        facts = dataclasses.replace(facts, hash=entry_hash(prev, facts))
        entries.append(facts)
        prev = facts.hash
    return entries


def test_a_sound_chain_has_no_problems():
    assert check_chain(chain_of(100, 200, 300)) == []
    assert check_chain([]) == []


def test_a_changed_amount_breaks_the_hash_of_that_entry_only():
    entries = chain_of(100, 200, 300)
    entries[1] = dataclasses.replace(entries[1], postings=(PostingFacts("1.1.02", None, 20000),
                                                           PostingFacts("4.1", None, -20000)))
    assert check_chain(entries) == ["Entry 2 was changed after it was posted (its hash does not match)."]


def test_a_rehashed_forgery_breaks_the_link_to_the_next_entry():
    entries = chain_of(100, 200, 300)
    forged = dataclasses.replace(entries[1], description="Otro concepto")
    entries[1] = dataclasses.replace(forged, hash=entry_hash(forged.prev_hash, forged))
    assert check_chain(entries) == ["Entry 3 is not linked to the entry before it."]


def test_a_missing_entry_and_an_unbalanced_one_are_found():
    entries = chain_of(100, 200, 300)
    unbalanced = dataclasses.replace(entries[0], postings=(PostingFacts("1.1.02", None, 100),))
    problems = check_chain([unbalanced, entries[2]])
    assert "Entry 1 does not balance: its postings add up to 100." in problems
    assert "Entry numbers jump from 1 to 3." in problems


@contextmanager
def triggers_off(db, table: str):
    """Let the test rewrite an append-only table inside its transaction, as an intruder would."""
    if is_postgres():
        db.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        yield
        db.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
    else:
        db.execute(sa.text(f"DROP TRIGGER {table}_no_update"))
        yield
        db.execute(sa.text(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"))


def test_verify_finds_an_amount_rewritten_in_the_database(db, books, post):
    post(books, ("1.1.02", 4000), ("4.1", -4000))
    post(books, ("1.1.02", 1500), ("4.3", -1500))
    db.rollback()
    with triggers_off(db, "posting"):
        db.execute(sa.text("UPDATE posting SET amount_minor = amount_minor / 10 WHERE entry_id = "
                           "(SELECT id FROM journal_entry WHERE number = 2)"))
    assert reports.verify_ledger(db, books) == [
        "Entry 2 was changed after it was posted (its hash does not match)."]
    db.rollback()  # the rewrite, and the trigger's absence, are undone
    assert reports.verify_ledger(db, books) == []
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.execute(sa.text("UPDATE posting SET amount_minor = 1"))


def test_verify_finds_a_forged_row_slipped_into_the_journal(db, books, post):
    first = post(books, ("1.1.02", 4000), ("4.1", -4000))
    insert_forged_entry(db, books, number=3, prev_hash=first.hash)
    problems = reports.verify_ledger(db, books)
    assert problems == ["Entry numbers jump from 1 to 3.",
                        "Entry 3 was changed after it was posted (its hash does not match)."]


def insert_forged_entry(db, coop, *, number: int, prev_hash: str) -> None:
    db.execute(sa.insert(JournalEntry).values(
        coop_id=coop.id, number=number, entry_date=dt.date(2026, 3, 1), description="Retiro", reference="",
        source="manual", reason="", prev_hash=prev_hash, hash="f" * 64, created_dt=dt.datetime(2026, 3, 1)))
    db.commit()


def test_nightly_check_alerts_the_admins_of_a_broken_ledger_once(app, db, books, post, make_user, make_coop):
    admin = make_user("admin@quebrada.org", coop=books, roles=["admin"])
    make_user("tesorera@quebrada.org", coop=books, roles=["treasurer"])
    make_coop("sana")
    first = post(books, ("1.1.02", 4000), ("4.1", -4000))
    insert_forged_entry(db, books, number=2, prev_hash=first.hash)
    details = [scheduler.run_job(app, "ledger.verify", now=dt.datetime(2026, 3, 2, 2, 0)).detail
               for _ in range(2)]  # a second run the same day mails nobody again
    assert details == ["2 ledgers checked, broken: quebrada; 1 alerts queued",
                       "2 ledgers checked, broken: quebrada; 0 alerts queued"]
    db.rollback()
    messages = list(db.scalars(sa.select(OutboxMessage)))
    assert [m.to_address for m in messages] == [admin.email]
    assert messages[0].coop_id == books.id
    assert messages[0].body.count("\n- ") == 1  # one problem listed (in the co-op's language)


def test_nightly_check_of_sound_ledgers_mails_nobody(app, db, books, post, make_user):
    make_user("admin@quebrada.org", coop=books, roles=["admin"])
    post(books, ("1.1.02", 4000), ("4.1", -4000))
    run = scheduler.run_job(app, "ledger.verify")
    assert run.detail == "1 ledgers checked, all sound"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert scheduler.REGISTRY["ledger.verify"].trigger_args == {"hour": 2}
