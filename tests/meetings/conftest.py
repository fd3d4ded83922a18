"""Factories for the meetings' tests: a co-op with its books, meetings, and a roll made directly.

Each area's tests build what they need through these, not through another area's services, so a
check-in test does not depend on how the notice freezes the roll.
"""
from __future__ import annotations

import datetime as dt

import pytest

from coop import calendar
from meetings import offices
from meetings.models import Meeting, MeetingKind, MeetingStatus, PositionBody, RollEntry, RollRole
from tests.members.conftest import make_member  # noqa: F401  (the member factory)
from tests.minga.conftest import coop_with_books, ctx, refusal  # noqa: F401  (shared with Minga's tests)

#: the assembly's day; tests pass ``now`` to the services
ASSEMBLY_DAY = dt.date(2027, 3, 13)
#: UTC: Monday 1 March 2027, 10:00 in Quito (twelve days before the assembly)
NOW = dt.datetime(2027, 3, 1, 15, 0)


@pytest.fixture
def assembly_coop(db, make_coop):
    """A co-op in Quito whose chart of accounts is installed (arrears are read from its books)."""
    return coop_with_books(db, make_coop, "asamblea")


@pytest.fixture
def make_meeting(db):
    """A meeting, by default an ordinary assembly on ASSEMBLY_DAY at 09:00, second call at 10:00."""
    def factory(coop, *, kind=MeetingKind.ORDINARY, day=ASSEMBLY_DAY, first=dt.time(9), second=dt.time(10),
                status=MeetingStatus.CONVENED, title="Asamblea general ordinaria", **fields) -> Meeting:
        db.rollback()
        meeting = Meeting(
            coop_id=coop.id, kind=kind, title=title, place=fields.pop("place", "Casa comunal"),
            first_call_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, first)),
            second_call_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, second)) if second else None,
            status=status, **fields)
        db.add(meeting)
        db.commit()
        return meeting
    return factory


@pytest.fixture
def make_roll(db):
    """Put members on a meeting's roll directly (as a frozen roll would), voters unless told."""
    def factory(meeting, members, *, may_vote=True, present=False, role=RollRole.MEMBER, **fields) -> list[RollEntry]:
        db.rollback()
        entries = []
        for member in members:
            member = db.merge(member)
            entry = RollEntry(coop_id=meeting.coop_id, meeting_id=meeting.id, member_id=member.id, role=role,
                              may_vote=may_vote, is_present=present, number=member.number,
                              name=f"{member.given_names} {member.family_names}", **fields)
            db.add(entry)
            entries.append(entry)
        db.commit()
        return entries
    return factory


@pytest.fixture
def make_members(make_member):
    """``n`` active members of ``coop``."""
    def factory(coop, n, **fields):
        return [make_member(coop, **fields) for _ in range(n)]
    return factory


@pytest.fixture
def board(db, assembly_coop):
    """The board as an office: two seats, one alternate, two-year terms (a test module may name its own)."""
    position = offices.add_position(db, None, assembly_coop, offices.PositionData(
        name="Consejo de administración", body=PositionBody.BOARD, seats=2, alternates=1, term_months=24))
    db.commit()
    return position
