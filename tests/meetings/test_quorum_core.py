"""The quorum each call needs, and the live count of present and represented voters."""
from __future__ import annotations

from meetings import quorum
from meetings.models import Call, Proxy
from meetings.rules import quorum_required, rules_of


def test_half_plus_one_of_a_hundred_is_fifty_one():
    assert quorum_required(100, 50, more_than=True) == 51
    assert quorum_required(101, 50, more_than=True) == 51
    assert quorum_required(100, 50, more_than=False) == 50
    assert quorum_required(101, 50, more_than=False) == 51


def test_second_call_with_no_percent_needs_whoever_is_present():
    assert quorum_required(1300, 0, more_than=True) == 1


def test_a_hundred_percent_never_asks_more_than_the_roll():
    assert quorum_required(10, 100, more_than=True) == 10


def test_present_and_represented_voters_are_counted(db, assembly_coop, make_meeting, make_roll, make_members):
    members = make_members(assembly_coop, 6)
    meeting = make_meeting(assembly_coop)
    present = make_roll(meeting, members[:2], present=True)
    absent = make_roll(meeting, members[2:5])
    make_roll(meeting, members[5:], may_vote=False, present=True)
    db.add(Proxy(coop_id=assembly_coop.id, meeting_id=meeting.id, grantor_id=absent[0].id,
                 holder_id=present[0].id, authorisation="Carta firmada"))
    db.commit()
    now = quorum.state(db, assembly_coop, meeting)
    assert (now.roll_voters, now.present, now.represented) == (5, 2, 1)
    assert now.call == Call.FIRST
    assert now.required == 3 and now.is_reached  # half plus one of 5
    rules_of(db, assembly_coop).first_call_quorum_pct = 80
    assert quorum.state(db, assembly_coop, meeting).required == 5
