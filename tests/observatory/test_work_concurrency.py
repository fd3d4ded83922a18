"""Two officers link the same expense, or the same Minga session, to two different works at the same
instant: the database's unique index lets one link in, and the other officer is told which work
already holds it (real threads, each with its own connection and transaction)."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from coop.auth.models import User
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger.models import Expense
from meetings.observatory import work as works
from meetings.observatory.models import WorkExpenseLink, WorkPackage, WorkSessionLink
from minga.models import WorkSession
from tests.ledger.conftest import run_at_once
from tests.observatory.work_factories import (make_commission, make_package, make_resolution,  # noqa: F401
                                              make_work_session, paid_expense)

PAIRS = 3


def test_an_expense_or_a_session_linked_to_two_works_at_once_ends_in_one(
        app, db, obs_coop, make_user, make_resolution, make_package, paid_expense, make_commission,
        make_work_session):
    resolution = make_resolution(obs_coop)
    park = make_package(obs_coop, resolution, title="Parque")
    school = make_package(obs_coop, resolution, title="Escuela")
    bills = [paid_expense(obs_coop, amount_minor=10_000 + n) for n in range(PAIRS)]
    commission = make_commission(obs_coop)
    sessions = [make_work_session(obs_coop, commission, f"Minga {n}") for n in range(PAIRS)]
    treasurer, secretary = (make_user(coop=obs_coop, roles=["treasurer"]),
                            make_user(coop=obs_coop, roles=["secretary"]))
    database, coop_id = app.extensions["coop.db"], obs_coop.id
    jobs = [(kind, thing.id, package.id, user.id) for kind, things in (("expense", bills), ("session", sessions))
            for thing in things for package, user in ((park, treasurer), (school, secretary))]
    start = threading.Barrier(len(jobs))
    outcomes: list[tuple[str, int, str]] = []

    def link(kind: str, thing_id: int, package_id: int, user_id: int) -> None:
        try:
            start.wait(timeout=30)
            with app.test_request_context(), database.unit_of_work() as session:
                coop, actor = session.get(Coop, coop_id), session.get(User, user_id)
                package = session.get(WorkPackage, package_id)
                if kind == "expense":
                    works.link_expense(session, actor, coop, package, session.get(Expense, thing_id))
                else:
                    works.link_session(session, actor, coop, package, session.get(WorkSession, thing_id))
            outcomes.append((kind, thing_id, "won"))
        except DomainError as error:
            outcomes.append((kind, thing_id, "refused" if "already counts for the work package" in error.text
                             else error.text))
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            outcomes.append((kind, thing_id, repr(error)))

    run_at_once(link, jobs)

    assert len(outcomes) == len(jobs)
    for kind, things in (("expense", bills), ("session", sessions)):
        for thing in things:
            assert sorted(r for k, t, r in outcomes if (k, t) == (kind, thing.id)) == ["refused", "won"], outcomes
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(WorkExpenseLink.id))) == PAIRS
    assert db.scalar(sa.select(sa.func.count(WorkSessionLink.id))) == PAIRS
