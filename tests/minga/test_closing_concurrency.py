"""The treasurer and the scheduled job close the same Minga period at the same instant: the
unique (co-op, period) key of the close lets exactly one through; the other is told it was
already closed, and each short household is fined once (real threads, own transactions)."""
from __future__ import annotations

import threading

import sqlalchemy as sa
from flask_babel import force_locale

from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import reports
from ledger.models import Charge, JournalEntry
from minga import closing
from minga.models import PeriodClose
from tests.conftest import is_postgres
from tests.ledger.conftest import run_at_once
from tests.minga.obligation_factories import AFTER_NOVEMBER, NOVEMBER, household, set_rules

THREADS = 2


def test_two_closes_of_the_same_period_at_once_fine_everybody_once(app, db, minga_coop, make_member):
    set_rules(db, minga_coop, starts_on=NOVEMBER)
    for index in range(5):
        make_member(minga_coop, household=household(db, minga_coop, f"Familia {index}"))
    database, coop_id = app.extensions["coop.db"], minga_coop.id
    barrier, outcomes = threading.Barrier(THREADS), []

    def treasurer(index: int) -> None:
        try:
            with app.test_request_context(), force_locale("en"):
                if not is_postgres():
                    barrier.wait(timeout=30)  # before the transaction: SQLite's writers queue at BEGIN
                with database.unit_of_work() as session:
                    coop = session.get(Coop, coop_id)
                    if is_postgres():
                        barrier.wait(timeout=30)  # both transactions open and both have read the co-op
                    closing.close_period(session, None, coop, NOVEMBER, today=AFTER_NOVEMBER)
            outcomes.append("closed")
        except DomainError as error:
            outcomes.append("refused" if "cerrado" in error.text or "closed" in error.text else error.text)
        except Exception as error:  # reported below
            outcomes.append(f"{type(error).__name__}: {error}")

    run_at_once(treasurer, [(i,) for i in range(THREADS)])
    assert sorted(outcomes) == ["closed", "refused"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(PeriodClose)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(Charge)) == 5
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 5
    assert reports.verify_ledger(db, minga_coop) == []
