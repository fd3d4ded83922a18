"""Sign-ups at the same instant (real threads, each with its own connection and transaction):
200 people for 40 places end with exactly 40 places taken in arrival order and 160 waiting in
that order; ten cancellations at once promote exactly the first ten waiting; and one member's
twenty clicks at once make one sign-up. On PostgreSQL the session's row lock queues them; on
SQLite its single writer does."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from coop.errors import DomainError
from coop.outbox import OutboxMessage
from coop.tenancy import Coop
from members.models import Member
from minga import signups
from minga.models import SignUp, SignUpStatus, WorkSession
from tests.ledger.conftest import run_at_once
from tests.minga.conftest import NOW


def at_once(app, count: int, act) -> list:
    """Run ``act(session, coop, index)`` in ``count`` threads released together, each in its own unit
    of work (with an app context, for the notices); the errors that were not a ``DomainError``."""
    database, barrier, errors = app.extensions["coop.db"], threading.Barrier(count), []
    refusals = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            with app.app_context(), database.unit_of_work() as session:
                act(session, index)
        except DomainError as refusal:
            refusals.append(refusal.text)
        except Exception as error:  # reported by the test, with the thread's index
            errors.append((index, repr(error)))

    run_at_once(run, [(i,) for i in range(count)])
    return errors, refusals


def many_members(db, coop, count: int, make_member, **fields) -> list[int]:
    return [make_member(coop, given_names=f"Persona {n}", **fields).id for n in range(count)]


def rows_of(db, work_session_id: int) -> list[tuple[int, int, SignUpStatus]]:
    db.rollback()
    return db.execute(sa.select(SignUp.id, SignUp.arrival, SignUp.status)
                      .where(SignUp.session_id == work_session_id).order_by(SignUp.arrival)).all()


def test_200_people_at_once_for_40_places(app, db, minga_coop, make_commission, make_session, make_member):
    session_id = make_session(make_commission(minga_coop), capacity=40).id
    member_ids = many_members(db, minga_coop, 200, make_member)
    coop_id = minga_coop.id

    def member_signs_up(session, index):
        signups.sign_up(session, None, session.get(Coop, coop_id), session.get(WorkSession, session_id),
                        session.get(Member, member_ids[index]), now=NOW)

    errors, refusals = at_once(app, 200, member_signs_up)
    assert (errors, refusals) == ([], [])
    rows = rows_of(db, session_id)
    assert [arrival for _id, arrival, _status in rows] == list(range(1, 201))
    assert [status for _id, _arrival, status in rows] == [SignUpStatus.CONFIRMED] * 40 + [SignUpStatus.WAITLISTED] * 160
    positions = [signups.waitlist_position(db, db.get(SignUp, sign_up_id)) for sign_up_id, *_ in rows[40:]]
    assert positions == list(range(1, 161))
    work_session = db.get(WorkSession, session_id)
    assert (work_session.confirmed_count, work_session.arrivals) == (40, 200)


def test_ten_cancellations_at_once_promote_exactly_the_first_ten_waiting(app, db, minga_coop, make_commission,
                                                                         make_session, make_member):
    session_id = make_session(make_commission(minga_coop), capacity=10).id
    member_ids = many_members(db, minga_coop, 30, make_member, email="persona@example.org")
    db.rollback()
    coop, work_session = db.merge(minga_coop), db.get(WorkSession, session_id)
    places = [signups.sign_up(db, None, coop, work_session, db.get(Member, m), now=NOW) for m in member_ids]
    db.commit()
    confirmed_ids = [p.id for p in places[:10]]
    coop_id, promoted = coop.id, []

    def office_cancels(session, index):
        promoted.extend(p.id for p in signups.cancel_sign_up(
            session, None, session.get(Coop, coop_id), session.get(SignUp, confirmed_ids[index]), now=NOW,
            by_office=True))

    errors, refusals = at_once(app, 10, office_cancels)
    assert (errors, refusals) == ([], [])
    rows = rows_of(db, session_id)
    assert sorted(promoted) == [p.id for p in places[10:20]]
    assert [status for _id, _arrival, status in rows] == (
        [SignUpStatus.CANCELLED] * 10 + [SignUpStatus.CONFIRMED] * 10 + [SignUpStatus.WAITLISTED] * 10)
    assert db.get(WorkSession, session_id).confirmed_count == 10
    assert [signups.waitlist_position(db, db.get(SignUp, p.id)) for p in places[20:]] == list(range(1, 11))
    told = sorted(key.split(":")[0] for key in db.scalars(sa.select(OutboxMessage.dedupe_key)))
    assert told == ["minga.office_cancelled"] * 10 + ["minga.promoted"] * 10  # the ten cancelled, the ten promoted


def test_one_member_clicking_twenty_times_at_once_signs_up_once(app, db, minga_coop, make_commission,
                                                               make_session, make_member):
    session_id = make_session(make_commission(minga_coop), capacity=5).id
    member_id, coop_id = make_member(minga_coop).id, minga_coop.id

    def same_member(session, _index):
        signups.sign_up(session, None, session.get(Coop, coop_id), session.get(WorkSession, session_id),
                        session.get(Member, member_id), now=NOW)

    errors, refusals = at_once(app, 20, same_member)
    assert errors == []
    assert len(refusals) == 19
    assert set(refusals) <= {"You already have a place in this session.",
                             "This member is already signed up for this session."}
    rows = rows_of(db, session_id)
    assert [(arrival, status) for _id, arrival, status in rows] == [(1, SignUpStatus.CONFIRMED)]
    work_session = db.get(WorkSession, session_id)
    assert (work_session.confirmed_count, work_session.arrivals) == (1, 1)
