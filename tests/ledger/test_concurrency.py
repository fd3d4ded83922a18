"""Twenty treasurers' clerks posting at the same instant still get entries 1 to 20, each linked
to the one before it (real threads, each with its own connection and transaction)."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from coop.tenancy import Coop
from ledger import reports, services
from ledger.models import JournalEntry
from ledger.services import PostingLine
from tests.ledger.conftest import DAY, run_at_once

THREADS = 20


def test_concurrent_posts_get_gapless_numbers_and_an_unbroken_chain(app, db, books):
    database, coop_id = app.extensions["coop.db"], books.id
    barrier, errors = threading.Barrier(THREADS), []

    def clerk(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with database.unit_of_work() as session:
                coop = session.get(Coop, coop_id)
                lines = [PostingLine(services.account_by_code(session, coop, "1.1.02"), 100 + index),
                         PostingLine(services.account_by_code(session, coop, "4.1"), -100 - index)]
                services.post_entry(session, None, coop, entry_date=DAY, description=f"Aporte {index}",
                                    postings=lines)
        except Exception as error:  # reported below, with the thread's index
            errors.append((index, error))

    run_at_once(clerk, [(i,) for i in range(THREADS)])
    assert errors == []
    db.rollback()
    numbers = list(db.scalars(sa.select(JournalEntry.number).where(JournalEntry.coop_id == coop_id)
                              .order_by(JournalEntry.number)))
    assert numbers == list(range(1, THREADS + 1))
    assert reports.verify_ledger(db, books) == []
    assert sum(r.debit for r in reports.trial_balance(db, books)) == sum(100 + i for i in range(THREADS))
