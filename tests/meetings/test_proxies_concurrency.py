"""Ten letters for one holder recorded at the same instant at two tables (real threads, each in its
own transaction): the bylaws allow two, and exactly two are recorded; the holder's count is two.
And two secretaries checking the same member in at once count them once."""
from __future__ import annotations

import threading

import sqlalchemy as sa
from flask_babel import force_locale

from coop.errors import DomainError
from coop.tenancy import Coop
from meetings import proxies, sitting
from meetings.models import Meeting, PresenceChange, Proxy, RollEntry
from meetings.rules import rules_of
from tests.ledger.conftest import run_at_once


def at_once(app, count: int, act) -> tuple[list, list]:
    """Run ``act(session, index)`` in ``count`` threads released together, each in its own unit of
    work; the unexpected errors and the refusals' texts."""
    database, barrier, errors, refusals = app.extensions["coop.db"], threading.Barrier(count), [], []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            with app.test_request_context(), force_locale("en"), database.unit_of_work() as session:
                act(session, index)
        except DomainError as refusal:
            refusals.append(refusal.text)
        except Exception as error:  # reported by the test, with the thread's index
            errors.append((index, repr(error)))

    run_at_once(run, [(i,) for i in range(count)])
    return errors, refusals


def test_ten_proxies_at_once_for_one_holder_with_a_cap_of_two(app, db, assembly_coop, make_meeting, make_roll,
                                                             make_members):
    meeting = make_meeting(assembly_coop)
    entries = make_roll(meeting, make_members(assembly_coop, 11))
    db.rollback()
    rules_of(db, db.merge(assembly_coop)).max_proxies_per_holder = 2
    db.commit()
    holder_number, grantor_numbers = entries[0].number, [e.number for e in entries[1:]]
    coop_id, meeting_id = assembly_coop.id, meeting.id
    first_call = meeting.first_call_dt

    def record(session, index):
        proxies.record_proxy(session, None, session.get(Coop, coop_id), session.get(Meeting, meeting_id),
                             grantor_number=grantor_numbers[index], holder_number=holder_number,
                             authorisation="Carta firmada", now=first_call)

    errors, refusals = at_once(app, 10, record)
    assert errors == []
    assert len(refusals) == 8 and all("the most the bylaws allow" in text for text in refusals)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Proxy)) == 2
    assert db.get(RollEntry, entries[0].id).proxies_held == 2


def test_two_doors_checking_the_same_member_in_at_once_count_them_once(app, db, assembly_coop, make_meeting,
                                                                       make_roll, make_members):
    meeting = make_meeting(assembly_coop)
    entry = make_roll(meeting, make_members(assembly_coop, 1))[0]
    coop_id, meeting_id, entry_id, at = assembly_coop.id, meeting.id, entry.id, meeting.first_call_dt

    def door(session, _index):
        sitting.check_in(session, None, session.get(Coop, coop_id), session.get(Meeting, meeting_id), entry_id, now=at)

    errors, refusals = at_once(app, 2, door)
    assert errors == []
    assert len(refusals) == 1 and "is already checked in" in refusals[0]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(PresenceChange)) == 1
