"""Resolution numbers at the same instant (real threads, each with its own connection and transaction):
two secretaries closing votes at once, and twelve at once of which some roll back, leave the year's
numbers 1, 2, 3... without a gap or a double. On PostgreSQL the counter's row lock queues them; on
SQLite its single writer does."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from coop.tenancy import Coop
from meetings.models import Meeting, Resolution
from meetings.resolutions import adopt_resolution
from tests.ledger.conftest import run_at_once
from tests.meetings.conftest import ASSEMBLY_DAY
from tests.meetings.record_factories import resolve


class RolledBack(Exception):
    """A vote whose unit of work fails after it took its number."""


def adopt_at_once(app, coop_id: int, meeting_id: int, count: int, *, failing=frozenset(), on=ASSEMBLY_DAY):
    database, barrier, errors = app.extensions["coop.db"], threading.Barrier(count), []

    def adopt(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            with app.app_context(), database.unit_of_work() as session:
                adopt_resolution(session, session.get(Coop, coop_id), session.get(Meeting, meeting_id),
                                 title=f"Moción {index}", text="", decided_on=on)
                if index in failing:
                    raise RolledBack(index)
        except RolledBack:
            pass
        except Exception as error:  # reported by the test, with the thread's index
            errors.append((index, repr(error)))

    run_at_once(adopt, [(i,) for i in range(count)])
    return errors


def numbers(db, coop_id: int, year: int) -> list[int]:
    db.rollback()
    return list(db.scalars(sa.select(Resolution.number).where(Resolution.coop_id == coop_id, Resolution.year == year)
                           .order_by(Resolution.number)))


def test_two_votes_closing_at_once_take_numbers_one_and_two(app, db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop)
    assert adopt_at_once(app, assembly_coop.id, meeting.id, 2) == []
    assert numbers(db, assembly_coop.id, 2027) == [1, 2]


def test_twelve_at_once_with_four_rolled_back_leave_no_gap(app, db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop)
    resolve(db, assembly_coop, meeting, "La primera del año")
    assert adopt_at_once(app, assembly_coop.id, meeting.id, 12, failing={1, 4, 7, 10}) == []
    assert numbers(db, assembly_coop.id, 2027) == list(range(1, 10))
    resolve(db, assembly_coop, meeting, "La siguiente")
    assert numbers(db, assembly_coop.id, 2027)[-1] == 10


def test_each_year_and_each_coop_counts_from_one(app, db, assembly_coop, make_meeting, make_coop):
    meeting = make_meeting(assembly_coop)
    other = make_coop("vecina")
    other_meeting = make_meeting(other)
    resolve(db, assembly_coop, meeting, "Del año pasado", on=dt.date(2026, 12, 30))
    assert adopt_at_once(app, assembly_coop.id, meeting.id, 3) == []
    assert adopt_at_once(app, other.id, other_meeting.id, 2) == []
    assert numbers(db, assembly_coop.id, 2026) == [1]
    assert numbers(db, assembly_coop.id, 2027) == [1, 2, 3]
    assert numbers(db, other.id, 2027) == [1, 2]
