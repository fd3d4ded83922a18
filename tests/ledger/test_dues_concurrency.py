"""Two treasurers (or the job and a treasurer) charge the same period at the same instant: the
unique (co-op, plan, period) key lets exactly one run through; the other is told it was already
charged (real threads, each with its own connection and transaction)."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import dues, reports
from ledger.models import Charge, Debtors, DuesPlan, DuesRun, Frequency, JournalEntry
from tests.conftest import is_postgres
from tests.ledger.conftest import account, run_at_once

THREADS = 2
MARCH = dt.date(2026, 3, 1)


def test_two_runs_of_the_same_period_at_once_charge_everybody_once(app, db, books, make_member):
    for _ in range(5):
        make_member(books)
    db.rollback()
    plan = dues.create_plan(db, None, books, dues.PlanData(
        name="Aporte ordinario", amount_minor=2500, frequency=Frequency.MONTHLY, debtors=Debtors.MEMBERS,
        income_account_id=account(db, books, "4.1").id, start_date=dt.date(2026, 1, 1)))
    db.commit()
    database, coop_id, plan_id = app.extensions["coop.db"], books.id, plan.id
    barrier, outcomes = threading.Barrier(THREADS), []

    def treasurer(index: int) -> None:
        try:
            if not is_postgres():
                barrier.wait(timeout=30)  # before the transaction: SQLite's writers queue at BEGIN
            with database.unit_of_work() as session:
                coop = session.get(Coop, coop_id)
                mine = session.get(DuesPlan, plan_id)
                if is_postgres():
                    barrier.wait(timeout=30)  # both transactions open and both have read the plan
                dues.run_dues(session, None, coop, mine, MARCH)
            outcomes.append("charged")
        except DomainError as error:
            outcomes.append(error.text)
        except Exception as error:  # reported below
            outcomes.append(f"{type(error).__name__}: {error}")

    run_at_once(treasurer, [(i,) for i in range(THREADS)])
    assert sorted(outcomes) == ["This period was already charged.", "charged"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(DuesRun)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(Charge)) == 5
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 5
    assert reports.verify_ledger(db, books) == []
