"""A sitting assembly for the votes' tests: ten voters on the roll (eight in the hall, two away),
an agenda item, and helpers to propose a motion and open its vote, all made directly or through
the votes' own services (check-in and proxies are another area's: the roll lines and proxies are
written here as rows)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from meetings import motions, voting
from meetings.models import AgendaItem, Call, Meeting, MeetingStatus, Motion, Proxy, RollEntry, VotingMode
from tests.meetings.conftest import NOW


@dataclass
class Hall:
    coop: object
    meeting: Meeting
    item: AgendaItem
    members: list
    present: list[RollEntry]
    absent: list[RollEntry]


@pytest.fixture
def hall(db, assembly_coop, make_meeting, make_roll, make_members):
    members = make_members(assembly_coop, 10)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION, call=Call.FIRST, opened_dt=NOW)
    present = make_roll(meeting, members[:8], present=True)
    absent = make_roll(meeting, members[8:])
    db.rollback()
    item = AgendaItem(coop_id=assembly_coop.id, meeting_id=meeting.id, position=1, title="Presupuesto 2027")
    db.add(item)
    db.commit()
    return Hall(db.merge(assembly_coop), db.get(Meeting, meeting.id), item, [db.merge(m) for m in members],
                [db.get(RollEntry, e.id) for e in present], [db.get(RollEntry, e.id) for e in absent])


def propose(db, hall: Hall, title="Aprobar el presupuesto 2027", text="Se aprueba el presupuesto 2027.", **fields):
    db.rollback()  # a fresh transaction, so SQLite lets this session write after a page did
    fields.setdefault("proposer_number", hall.members[0].number)
    motion = motions.propose_motion(db, None, hall.coop, hall.item, title=title, text=text, now=NOW, **fields)
    db.commit()
    return motion


def open_vote(db, hall: Hall, motion: Motion, mode=VotingMode.NAMED):
    db.rollback()
    vote_round = voting.open_round(db, None, hall.coop, motion, mode, now=NOW)
    db.commit()
    return vote_round


def give_proxy(db, hall: Hall, grantor: RollEntry, holder: RollEntry) -> Proxy:
    db.rollback()
    proxy = Proxy(coop_id=hall.coop.id, meeting_id=hall.meeting.id, grantor_id=grantor.id, holder_id=holder.id,
                  authorisation="Carta firmada el 10/03/2027")
    holder.proxies_held += 1
    db.add(proxy)
    db.commit()
    return proxy
