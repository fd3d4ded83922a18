"""The ordinary assembly sits: the secretary checks members in and out at the door, quorum is
reached and lost (and recorded), the meeting opens on its first or, with fewer present, on its
second call, an alternate takes the seat of an absent representative, and the meeting closes."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from meetings import quorum, sitting
from meetings.models import (AgendaItem, Call, MajorityRule, Meeting, MeetingKind, MeetingStatus, Motion,
                             MotionVersion, PresenceChange, QuorumEvent, RollEntry, RollRole, RoundStatus, VoteRound,
                             VotingMode)
from meetings.rules import rules_of
from tests.meetings.conftest import refusal

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def assembly(db, assembly_coop, make_meeting, make_roll, make_members):
    """A convened assembly of ten voters and one member who may not vote; first call 09:00, second 10:00."""
    members = make_members(assembly_coop, 11)
    meeting = make_meeting(assembly_coop)
    voters = make_roll(meeting, members[:10])
    barred = make_roll(meeting, members[10:], may_vote=False, ineligible_reason="Aportes en mora")
    db.rollback()
    return {"coop": db.merge(assembly_coop), "meeting": db.get(Meeting, meeting.id),
            "voters": [db.get(RollEntry, e.id) for e in voters], "barred": db.get(RollEntry, barred[0].id),
            "first": meeting.first_call_dt, "second": meeting.second_call_dt}


def arrive(db, a, entries, at):
    for entry in entries:
        sitting.check_in(db, None, a["coop"], a["meeting"], entry.id, now=at)
    db.commit()


def test_a_member_checked_in_is_present_and_the_change_is_kept(db, assembly):
    at = assembly["first"] - dt.timedelta(minutes=20)
    state = sitting.check_in(db, None, assembly["coop"], assembly["meeting"], assembly["voters"][0].id, now=at)
    db.commit()
    entry = db.get(RollEntry, assembly["voters"][0].id)
    assert entry.is_present and entry.checked_in_dt == at
    assert (state.present, state.roll_voters) == (1, 10)
    assert [(c.entry_id, c.is_present) for c in db.scalars(sa.select(PresenceChange))] == [(entry.id, True)]
    sitting.check_out(db, None, assembly["coop"], assembly["meeting"], entry.id, now=at + dt.timedelta(hours=1))
    db.commit()
    assert not db.get(RollEntry, entry.id).is_present
    assert [c.is_present for c in db.scalars(sa.select(PresenceChange).order_by(PresenceChange.id))] == [True, False]


def test_checking_in_twice_is_told_and_counted_once(db, assembly):
    entry = assembly["voters"][0]
    arrive(db, assembly, [entry], assembly["first"])
    assert refusal(sitting.check_in, db, None, assembly["coop"], assembly["meeting"], entry.id,
                   now=assembly["first"]) == {None: f"{entry.name} is already checked in."}
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(PresenceChange)) == 1
    assert refusal(sitting.check_out, db, None, assembly["coop"], assembly["meeting"], assembly["voters"][1].id,
                   now=assembly["first"]) == {None: f"{assembly['voters'][1].name} is not checked in."}


def test_someone_not_on_this_meetings_roll_cannot_be_checked_in(db, assembly, make_meeting, make_roll, make_members):
    other = make_meeting(assembly["coop"], title="Consejo de administración", kind=MeetingKind.BOARD)
    elsewhere = make_roll(other, make_members(assembly["coop"], 1))[0]
    db.rollback()
    meeting = db.get(Meeting, assembly["meeting"].id)
    for entry_id in (elsewhere.id, None, 999999):
        assert refusal(sitting.check_in, db, None, assembly["coop"], meeting, entry_id,
                       now=assembly["first"]) == {None: "This person is not on this meeting's roll."}


def test_nobody_checks_in_before_the_notice_or_after_the_close(db, assembly_coop, make_meeting, make_roll, make_members):
    draft = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    closed = make_meeting(assembly_coop, status=MeetingStatus.CLOSED)
    entries = make_roll(draft, make_members(assembly_coop, 1)) + make_roll(closed, make_members(assembly_coop, 1))
    db.rollback()
    coop = db.merge(assembly_coop)
    assert "has not been issued" in refusal(sitting.check_in, db, None, coop, db.get(Meeting, draft.id),
                                            entries[0].id, now=draft.first_call_dt)[None]
    assert "closed" in refusal(sitting.check_in, db, None, coop, db.get(Meeting, closed.id), entries[1].id,
                               now=closed.first_call_dt)[None]


def test_the_search_finds_a_number_exactly_first_and_names_without_accents(db, assembly_coop, make_meeting,
                                                                          make_roll, make_member):
    rosa = make_member(assembly_coop, given_names="Rosa", family_names="Guamán Quishpe")
    rocio = make_member(assembly_coop, given_names="Rocío", family_names="Tipán")
    outsider = make_member(assembly_coop, given_names="Luis", family_names="Chiluisa")
    meeting = make_meeting(assembly_coop)
    make_roll(meeting, [rosa, rocio])
    db.rollback()
    meeting = db.get(Meeting, meeting.id)
    assert [e.name for e in sitting.find_on_roll(db, meeting, str(rosa.number)).entries] == ["Rosa Guamán Quishpe"]
    assert [e.name for e in sitting.find_on_roll(db, meeting, "guaman").entries] == ["Rosa Guamán Quishpe"]
    assert [e.name for e in sitting.find_on_roll(db, meeting, "ROCIO tip").entries] == ["Rocío Tipán"]
    missing = sitting.find_on_roll(db, meeting, str(outsider.number))
    assert missing.entries == [] and missing.not_on_roll.id == outsider.id
    assert sitting.find_on_roll(db, meeting, "chiluisa").entries == []


def test_quorum_reached_and_lost_is_recorded_once_the_meeting_sits(db, assembly):
    coop, meeting, voters = assembly["coop"], assembly["meeting"], assembly["voters"]
    arrive(db, assembly, voters[:6], assembly["first"] - dt.timedelta(minutes=30))
    assert db.scalar(sa.select(sa.func.count()).select_from(QuorumEvent)) == 0  # not sitting yet: no history
    state = sitting.open_meeting(db, None, coop, meeting, "first", now=assembly["first"])
    db.commit()
    assert (state.required, state.counted, state.is_reached) == (6, 6, True)  # half plus one of ten
    leaves = assembly["first"] + dt.timedelta(minutes=40)
    sitting.check_out(db, None, coop, meeting, voters[0].id, now=leaves)
    sitting.check_in(db, None, coop, meeting, voters[7].id, now=leaves + dt.timedelta(minutes=5))
    db.commit()
    events = db.execute(sa.select(QuorumEvent.is_reached, QuorumEvent.call, QuorumEvent.present, QuorumEvent.required)
                        .order_by(QuorumEvent.id)).all()
    assert events == [(True, Call.FIRST, 6, 6), (False, Call.FIRST, 5, 6), (True, Call.FIRST, 6, 6)]
    meeting = db.get(Meeting, meeting.id)
    assert meeting.has_quorum and meeting.status is MeetingStatus.IN_SESSION and meeting.opened_dt == assembly["first"]


def test_the_first_call_needs_its_quorum_and_the_second_call_sits_with_fewer(db, assembly):
    coop, meeting = assembly["coop"], assembly["meeting"]
    arrive(db, assembly, assembly["voters"][:3] + [assembly["barred"]], assembly["first"] - dt.timedelta(minutes=5))
    assert refusal(sitting.open_meeting, db, None, coop, meeting, "first", now=assembly["first"]) == {
        "call": "There is no quorum for the first call: 6 voters are needed and 3 are present or represented "
                "(3 missing)."}
    assert "the meeting cannot open on it before then" in refusal(
        sitting.open_meeting, db, None, coop, meeting, "second", now=assembly["second"] - dt.timedelta(minutes=1))["call"]
    state = sitting.open_meeting(db, None, coop, meeting, Call.SECOND, now=assembly["second"])
    db.commit()
    assert (state.call, state.required, state.present) == (Call.SECOND, 1, 3)  # whoever is present
    assert db.get(Meeting, meeting.id).call is Call.SECOND
    assert db.scalar(sa.select(QuorumEvent.required)) == 1


def test_a_second_call_with_its_own_percent(db, assembly):
    rules_of(db, assembly["coop"]).second_call_quorum_pct = 40
    db.commit()
    arrive(db, assembly, assembly["voters"][:4], assembly["first"])
    assert quorum.state(db, assembly["coop"], assembly["meeting"], Call.SECOND).required == 5  # more than 40 %
    assert "There is no quorum for the second call" in refusal(
        sitting.open_meeting, db, None, assembly["coop"], assembly["meeting"], "second", now=assembly["second"])["call"]


def test_the_meeting_does_not_open_before_its_first_call_nor_twice(db, assembly):
    coop, meeting = assembly["coop"], assembly["meeting"]
    arrive(db, assembly, assembly["voters"], assembly["first"] - dt.timedelta(hours=1))
    assert "The first call is at 13 Mar 2027, 09:00" in refusal(
        sitting.open_meeting, db, None, coop, meeting, "first", now=assembly["first"] - dt.timedelta(seconds=1))["call"]
    sitting.open_meeting(db, None, coop, meeting, "first", now=assembly["first"])
    db.commit()
    assert refusal(sitting.open_meeting, db, None, coop, meeting, "first", now=assembly["first"]) == {
        None: "The meeting is already open."}
    assert refusal(sitting.open_meeting, db, None, coop, meeting, "third", now=assembly["first"]) == {
        "call": "Choose the first or the second call."}


def test_a_board_meeting_without_a_second_call_opens_only_on_the_first(db, assembly_coop, make_meeting, make_roll,
                                                                      make_members):
    board = make_meeting(assembly_coop, kind=MeetingKind.BOARD, second=None, title="Consejo")
    make_roll(board, make_members(assembly_coop, 3), present=True, role=RollRole.OFFICER)
    db.rollback()
    assert refusal(sitting.open_meeting, db, None, db.merge(assembly_coop), db.get(Meeting, board.id), "second",
                   now=board.first_call_dt + dt.timedelta(hours=3)) == {"call": "This meeting has no second call."}


def sit(db, a):
    arrive(db, a, a["voters"][:6], a["first"])
    sitting.open_meeting(db, None, a["coop"], a["meeting"], "first", now=a["first"])
    db.commit()


def test_the_item_under_debate_and_closing(db, assembly):
    coop, meeting = assembly["coop"], assembly["meeting"]
    item = AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=1, title="Informe de la gerencia")
    db.add(item)
    db.commit()
    assert refusal(sitting.set_current_item, db, meeting, item.id) == {
        "item": "The item under debate is chosen while the meeting sits."}
    sit(db, assembly)
    sitting.set_current_item(db, meeting, item.id)
    db.commit()
    assert db.get(Meeting, meeting.id).current_item_id == item.id
    assert refusal(sitting.set_current_item, db, meeting, 999999) == {"item": "That item is not on this meeting's agenda."}
    sitting.close_meeting(db, None, coop, meeting, now=assembly["first"] + dt.timedelta(hours=3))
    db.commit()
    closed = db.get(Meeting, meeting.id)
    assert (closed.status, closed.current_item_id) == (MeetingStatus.CLOSED, None)
    assert refusal(sitting.close_meeting, db, None, coop, closed, now=assembly["first"]) == {
        None: "Only an open meeting can be closed."}
    assert "closed" in refusal(sitting.check_in, db, None, coop, closed, assembly["voters"][8].id,
                               now=assembly["first"])[None]


def open_vote(db, a, title="Aprobación del presupuesto 2027", text="Se aprueba el presupuesto."):
    item = AgendaItem(coop_id=a["coop"].id, meeting_id=a["meeting"].id, position=1, title="Presupuesto")
    db.add(item)
    db.flush()
    motion = Motion(coop_id=a["coop"].id, meeting_id=a["meeting"].id, item_id=item.id, title=title)
    db.add(motion)
    db.flush()
    version = MotionVersion(coop_id=a["coop"].id, motion_id=motion.id, number=1, text=text)
    db.add(version)
    db.flush()
    round_ = VoteRound(coop_id=a["coop"].id, meeting_id=a["meeting"].id, motion_id=motion.id, mode=VotingMode.HANDS,
                       majority=MajorityRule.SIMPLE, abstentions_count=False, version_id=version.id, roll_voters=10,
                       present_voters=6)
    db.add(round_)
    db.commit()
    return round_


def test_the_meeting_does_not_close_while_a_vote_is_open(db, assembly):
    sit(db, assembly)
    round_ = open_vote(db, assembly)
    assert refusal(sitting.close_meeting, db, None, assembly["coop"], assembly["meeting"], now=assembly["first"]) == {
        None: "A vote is still open: close it before closing the meeting."}
    round_ = db.get(VoteRound, round_.id)
    round_.status, round_.outcome_text = RoundStatus.CLOSED, "Aprobada: 5 a favor, 1 en contra."
    round_.closed_dt = assembly["first"] + dt.timedelta(hours=1)
    db.commit()
    sitting.close_meeting(db, None, assembly["coop"], assembly["meeting"], now=assembly["first"] + dt.timedelta(hours=2))


def test_the_hall_screen_shows_the_motion_voted_then_its_result(db, assembly):
    sit(db, assembly)
    round_ = open_vote(db, assembly)
    screen = sitting.hall_screen(db, assembly["coop"], assembly["meeting"])
    assert (screen.voting_title, screen.voting_text, screen.outcome_text) == (
        "Aprobación del presupuesto 2027", "Se aprueba el presupuesto.", "")
    assert (screen.quorum.counted, screen.quorum.required) == (6, 6)
    round_ = db.get(VoteRound, round_.id)
    round_.status, round_.closed_dt = RoundStatus.CLOSED, assembly["first"] + dt.timedelta(minutes=30)
    round_.outcome_text = "Aprobada: 5 a favor, 1 en contra; se requerían 3."
    db.commit()
    screen = sitting.hall_screen(db, assembly["coop"], assembly["meeting"])
    assert (screen.voting_title, screen.outcome_title, screen.outcome_text) == (
        "", "Aprobación del presupuesto 2027", "Aprobada: 5 a favor, 1 en contra; se requerían 3.")


# --- a representatives' assembly: alternates stand in ---------------------------------------------

@pytest.fixture
def representatives(db, assembly_coop, make_meeting, make_roll, make_members):
    """Four representatives (two of block A, two of B) and one alternate of each block."""
    people = make_members(assembly_coop, 6)
    meeting = make_meeting(assembly_coop, is_representatives=True)
    reps = (make_roll(meeting, people[:2], role=RollRole.REPRESENTATIVE, block="A")
            + make_roll(meeting, people[2:4], role=RollRole.REPRESENTATIVE, block="B"))
    alternates = (make_roll(meeting, people[4:5], role=RollRole.ALTERNATE, block="A", may_vote=False)
                  + make_roll(meeting, people[5:6], role=RollRole.ALTERNATE, block="B", may_vote=False))
    db.rollback()
    return {"coop": db.merge(assembly_coop), "meeting": db.get(Meeting, meeting.id),
            "reps": [db.get(RollEntry, e.id) for e in reps], "alternates": [db.get(RollEntry, e.id) for e in alternates],
            "first": meeting.first_call_dt}


def test_an_alternate_stands_in_for_an_absent_representative_of_their_block(db, representatives):
    r = representatives
    coop, meeting, (a1, a2, _b1, _b2), (alt_a, alt_b) = r["coop"], r["meeting"], r["reps"], r["alternates"]
    arrive(db, r, [a2, alt_a, alt_b], r["first"])
    assert [e.id for e in sitting.absent_representatives(db, meeting, "A")] == [a1.id]
    sitting.stand_in(db, None, coop, meeting, alt_a.id, a1.id, now=r["first"])
    db.commit()
    alt_a = db.get(RollEntry, alt_a.id)
    assert alt_a.may_vote and alt_a.stands_in_for_id == a1.id
    state = quorum.state(db, coop, meeting)
    assert (state.roll_voters, state.present) == (4, 2)  # one voter per seat: the alternate holds a1's
    assert sitting.absent_representatives(db, meeting, "A") == []
    assert refusal(sitting.stand_in, db, None, coop, meeting, alt_b.id, a1.id, now=r["first"]) == {
        None: "An alternate stands in only for a representative of their own block (B)."}


def test_the_stand_in_ends_when_the_representative_arrives(db, representatives):
    r = representatives
    a1, alt_a = r["reps"][0], r["alternates"][0]
    arrive(db, r, [alt_a], r["first"])
    sitting.stand_in(db, None, r["coop"], r["meeting"], alt_a.id, a1.id, now=r["first"])
    sitting.check_in(db, None, r["coop"], r["meeting"], a1.id, now=r["first"] + dt.timedelta(minutes=20))
    db.commit()
    alt_a = db.get(RollEntry, alt_a.id)
    assert (alt_a.stands_in_for_id, alt_a.may_vote, alt_a.is_present) == (None, False, True)
    state = quorum.state(db, r["coop"], r["meeting"])
    assert (state.roll_voters, state.present) == (4, 1)


def test_the_stand_in_ends_when_the_alternate_leaves(db, representatives):
    r = representatives
    a1, alt_a = r["reps"][0], r["alternates"][0]
    arrive(db, r, [alt_a], r["first"])
    sitting.stand_in(db, None, r["coop"], r["meeting"], alt_a.id, a1.id, now=r["first"])
    sitting.check_out(db, None, r["coop"], r["meeting"], alt_a.id, now=r["first"] + dt.timedelta(hours=1))
    db.commit()
    alt_a = db.get(RollEntry, alt_a.id)
    assert (alt_a.stands_in_for_id, alt_a.may_vote) == (None, False)
    assert quorum.state(db, r["coop"], r["meeting"]).roll_voters == 4


def test_an_alternate_not_here_or_for_a_present_representative_is_refused(db, representatives):
    r = representatives
    a1, a2 = r["reps"][:2]
    alt_a = r["alternates"][0]
    assert refusal(sitting.stand_in, db, None, r["coop"], r["meeting"], alt_a.id, a1.id, now=r["first"]) == {
        None: f"Check {alt_a.name} in first: only an alternate who is here stands in."}
    arrive(db, r, [alt_a, a2], r["first"])
    assert refusal(sitting.stand_in, db, None, r["coop"], r["meeting"], alt_a.id, a2.id, now=r["first"]) == {
        None: f"{a2.name} is here: nobody stands in for them."}
    assert refusal(sitting.stand_in, db, None, r["coop"], r["meeting"], a2.id, a1.id, now=r["first"]) == {
        None: f"{a2.name} is not an alternate."}
