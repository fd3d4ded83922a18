"""Two treasurers opening, or approving, the same year's budget at the same instant: one wins,
the other is told why (real threads, each with its own connection and transaction)."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import budgets
from ledger.models import Budget
from tests.ledger.conftest import account, run_at_once

THREADS = 8


def race(app, coop_id: int, action) -> tuple[int, list[str], list[tuple[int, Exception]]]:
    """Run ``action(session, coop)`` in THREADS threads at once: (successes, refusals, other errors)."""
    database = app.extensions["coop.db"]
    barrier, lock = threading.Barrier(THREADS), threading.Lock()
    done, refused, errors = [], [], []

    def treasurer(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with database.unit_of_work() as session:
                action(session, session.get(Coop, coop_id))
            with lock:
                done.append(index)
        except DomainError as error:
            with lock:
                refused.append(error.field)
        except Exception as error:  # reported below, with the thread's index
            with lock:
                errors.append((index, error))

    run_at_once(treasurer, [(i,) for i in range(THREADS)])
    return len(done), refused, errors


def test_the_same_years_budget_is_opened_once(app, db, books):
    done, refused, errors = race(app, books.id, lambda session, coop: budgets.create_budget(session, None, coop, 2026))
    assert errors == []
    assert done == 1 and refused == ["year"] * (THREADS - 1)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Budget)) == 1


def test_a_budget_is_approved_once(app, db, books):
    budget = budgets.create_budget(db, None, books, 2026)
    budgets.set_account_months(db, None, books, budget, account(db, books, "4.1"), {1: 100_00})
    db.commit()
    budget_id = budget.id

    def approve(session, coop):
        budgets.approve_budget(session, None, coop, session.get(Budget, budget_id), "Resolución 4")

    done, refused, errors = race(app, books.id, approve)
    assert errors == []
    assert done == 1 and refused == ["budget"] * (THREADS - 1)
