"""Elections at an assembly: candidates, paper and secret rounds, proxies, ties, and the result as a
resolution and terms of office."""
from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from meetings import election_ballots, election_result, elections, offices
from meetings.models import (BallotReceipt, Call, ElectionStatus, MeetingStatus, OfficeTerm, PositionBody, Proxy,
                             Resolution, RoundStatus, SecretBallot, TieRule, VoteRound, VotingMode)
from meetings.rules import rules_of
from members.models import MemberStatus
from tests.meetings.conftest import NOW, refusal

pytestmark = pytest.mark.usefixtures("ctx")
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def sitting(db, assembly_coop, make_meeting, make_roll, make_members):
    """An assembly in session on its first call: ten voters, eight present."""
    members = make_members(assembly_coop, 10)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION, call=Call.FIRST)
    roll = make_roll(meeting, members[:8], present=True) + make_roll(meeting, members[8:])
    return meeting, members, roll


def _election(db, coop, meeting, position, members, **fields):
    election = elections.new_election(db, None, coop, meeting, position=position, **fields)
    for member in members:
        elections.add_candidate(db, None, coop, election, member)
    db.commit()
    return election


def _paper(db, coop, election, votes_by_member):
    elections.open_election(db, None, coop, election, mode=VotingMode.HANDS, now=NOW)
    by_member = {c.member_id: c.id for c in election.candidates}
    elections.enter_totals(db, None, coop, election, {by_member[m.id]: v for m, v in votes_by_member.items()})
    election_result.close_election(db, None, coop, election, now=LATER)
    db.commit()


def test_an_election_takes_its_seats_alternates_and_term_from_the_office(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    assert (election.seats, election.alternates, election.max_choices) == (2, 1, 2)
    assert election.term_starts_on == dt.date(2027, 3, 13)
    assert election.term_ends_on == dt.date(2029, 3, 12)
    errors = refusal(elections.new_election, db, None, assembly_coop, meeting, position=board, max_choices=4)
    assert "at most the seats plus the alternates" in errors["max_choices"]


def test_only_active_voters_on_the_roll_stand_and_only_once(db, assembly_coop, board, sitting, make_member):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:1])
    assert "already a candidate" in refusal(elections.add_candidate, db, None, assembly_coop, election,
                                            members[0])["member"]
    outsider = make_member(assembly_coop)
    assert "not a voter on this meeting's roll" in refusal(
        elections.add_candidate, db, None, assembly_coop, election, db.merge(outsider))["member"]
    suspended = make_member(assembly_coop, status=MemberStatus.SUSPENDED)
    assert "Only active members" in refusal(
        elections.add_candidate, db, None, assembly_coop, election, db.merge(suspended))["member"]


def test_no_one_stands_for_the_oversight_council_while_on_the_board(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    council = offices.add_position(db, None, assembly_coop, offices.PositionData(
        name="Consejo de vigilancia", body=PositionBody.OVERSIGHT, seats=3, alternates=1, term_months=24))
    election = elections.new_election(db, None, assembly_coop, meeting, position=council)
    starts = election.term_starts_on
    # on the board a year more; on the board until the very day the new council begins; left the board early
    offices.record_term(db, None, assembly_coop, position=board, member=members[0], starts_on=starts - dt.timedelta(
        days=365), ends_on=starts + dt.timedelta(days=365))
    offices.record_term(db, None, assembly_coop, position=board, member=members[1], starts_on=starts - dt.timedelta(
        days=730), ends_on=starts)
    early = offices.record_term(db, None, assembly_coop, position=board, member=members[2],
                                starts_on=starts - dt.timedelta(days=365), ends_on=starts + dt.timedelta(days=365))
    offices.end_term(db, None, assembly_coop, early, left_on=starts - dt.timedelta(days=30), reason="Renuncia")
    db.commit()
    refused = refusal(elections.add_candidate, db, None, assembly_coop, election, members[0])["member"]
    assert "holds the office of Consejo de administración until" in refused
    assert "no one sits on the board and the oversight council at once" in refused
    for member in members[1:3]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    db.commit()
    assert sorted(c.member_id for c in election.candidates) == [members[1].id, members[2].id]

def test_voting_opens_only_while_the_meeting_sits_with_quorum(db, assembly_coop, board, sitting, make_meeting):
    meeting, members, roll = sitting
    election = _election(db, assembly_coop, meeting, board, members[:3])
    for entry in roll[:5]:
        entry.is_present = False
    db.commit()
    assert "There is no quorum: 3 voters present or represented, 6 needed." in refusal(
        elections.open_election, db, None, assembly_coop, election, mode=VotingMode.HANDS, now=NOW).values()
    meeting.status = MeetingStatus.CONVENED
    assert "The meeting is not in session" in " ".join(refusal(
        elections.open_election, db, None, assembly_coop, election, mode=VotingMode.HANDS, now=NOW).values())


def test_paper_totals_above_what_the_voters_present_could_mark_are_refused(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:3])
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=NOW)
    ids = [c.id for c in election.candidates]
    assert "more votes than the 8 voters" in " ".join(refusal(
        elections.enter_totals, db, None, assembly_coop, election, {ids[0]: 9, ids[1]: 0, ids[2]: 0}).values())
    assert "more votes than 8 voters choosing up to 2" in " ".join(refusal(
        elections.enter_totals, db, None, assembly_coop, election, {ids[0]: 8, ids[1]: 8, ids[2]: 1}).values())
    assert all(c.votes == 0 for c in election.candidates)


def test_the_result_is_a_resolution_and_terms_of_office(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:4])
    _paper(db, assembly_coop, election, {members[0]: 7, members[1]: 5, members[2]: 3, members[3]: 1})
    assert election.status == ElectionStatus.DECIDED
    resolution = db.scalar(sa.select(Resolution).where(Resolution.election_id == election.id))
    assert resolution.meeting_id == meeting.id and resolution.number == 1
    assert members[0].full_name in resolution.text and members[2].full_name in resolution.text
    terms = db.scalars(sa.select(OfficeTerm).where(OfficeTerm.election_id == election.id)
                       .order_by(OfficeTerm.is_alternate, OfficeTerm.member_id)).all()
    assert [(t.member_id, t.is_alternate) for t in terms] == [
        (members[0].id, False), (members[1].id, False), (members[2].id, True)]
    assert {t.resolution_id for t in terms} == {resolution.id}
    serving = offices.in_office(db, assembly_coop, dt.date(2028, 1, 1), PositionBody.BOARD)
    assert {t.member_id for t in serving} == {members[0].id, members[1].id, members[2].id}
    assert offices.in_office(db, assembly_coop, dt.date(2029, 3, 13)) == []


def test_a_tie_for_the_last_seat_goes_to_a_runoff_among_the_tied(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:4], alternates=0)
    _paper(db, assembly_coop, election, {members[0]: 7, members[1]: 4, members[2]: 4, members[3]: 1})
    assert election.status == ElectionStatus.COUNTED
    runoff = election_result.settle_tie(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=LATER)
    assert runoff.number == 2 and runoff.status == RoundStatus.OPEN
    on_ballot = elections.round_candidates(election, runoff)
    assert {c.member_id for c in on_ballot} == {members[1].id, members[2].id}
    assert elections.round_max_choices(election, runoff) == 1
    elections.enter_totals(db, None, assembly_coop, election, {on_ballot[0].id: 3, on_ballot[1].id: 5})
    election_result.close_election(db, None, assembly_coop, election, now=LATER)
    assert election.status == ElectionStatus.DECIDED
    elected = {c.member_id for c in election_result.placed(election)}
    assert elected == {members[0].id, on_ballot[1].member_id}
    assert members[1].full_name in election.tie_note and members[2].full_name in election.tie_note
    assert [r.number for r in db.scalars(sa.select(VoteRound).where(VoteRound.election_id == election.id))] == [1, 2]


def test_a_runoff_that_ties_again_is_settled_by_lot(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:3], alternates=0, seats=1, max_choices=1)
    _paper(db, assembly_coop, election, {members[0]: 3, members[1]: 3, members[2]: 1})
    runoff = election_result.settle_tie(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=LATER)
    tied = elections.round_candidates(election, runoff)
    elections.enter_totals(db, None, assembly_coop, election, {tied[0].id: 4, tied[1].id: 4})
    election_result.close_election(db, None, assembly_coop, election, now=LATER)
    tie = elections.placement_now(election).tie
    assert election_result.tie_rule(db, assembly_coop, election, tie) == TieRule.LOT
    assert election_result.settle_tie(db, None, assembly_coop, election, now=LATER, rng=random.Random(1)) is None
    assert election.status == ElectionStatus.DECIDED
    assert election_result.placed(election)[0].member_id in {members[0].id, members[1].id}


def test_under_the_lot_rule_the_draw_is_written_in_the_record(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    rules_of(db, assembly_coop).election_tie_rule = TieRule.LOT
    election = _election(db, assembly_coop, meeting, board, members[:3])
    _paper(db, assembly_coop, election, {members[0]: 5, members[1]: 5, members[2]: 5})
    assert election.status == ElectionStatus.COUNTED
    election_result.settle_tie(db, None, assembly_coop, election, now=LATER, rng=random.Random(3))
    assert election.status == ElectionStatus.DECIDED
    assert len(election_result.placed(election)) == 3
    assert all(m.full_name in election.tie_note for m in members[:3])
    resolution = election_result.resolution_of(db, election)
    assert election.tie_note in resolution.text


def _secret(db, coop, meeting, position, members, **fields):
    election = _election(db, coop, meeting, position, members, **fields)
    elections.open_election(db, None, coop, election, mode=VotingMode.SECRET, now=NOW)
    db.commit()
    return election, {c.member_id: c.id for c in election.candidates}


def test_secret_ballots_choose_up_to_n_once_each_present_voter(db, assembly_coop, board, sitting):
    meeting, members, roll = sitting
    election, cand = _secret(db, assembly_coop, meeting, board, members[:3])
    cast = election_ballots.cast_ballot
    assert "Choose at most 2 candidates." == refusal(
        cast, db, assembly_coop, election, members[3], voter_id=roll[3].id,
        candidate_ids=list(cand.values()), now=NOW)["candidates"]
    cast(db, assembly_coop, election, members[3], voter_id=roll[3].id, candidate_ids=[cand[members[0].id]], now=NOW)
    db.commit()
    assert "already cast" in refusal(cast, db, assembly_coop, election, members[3], voter_id=roll[3].id,
                                     candidate_ids=[cand[members[1].id]], now=NOW)[None]
    assert "not checked in" in refusal(cast, db, assembly_coop, election, members[8], voter_id=roll[8].id,
                                       candidate_ids=[], now=NOW)[None]
    roll[4].may_vote = False
    db.commit()
    assert "may not vote" in refusal(cast, db, assembly_coop, election, members[4], voter_id=roll[4].id,
                                     candidate_ids=[], now=NOW)[None]
    assert "proxy" in refusal(cast, db, assembly_coop, election, members[5], voter_id=roll[6].id,
                              candidate_ids=[], now=NOW)[None]


def test_a_proxy_holder_casts_a_ballot_for_the_absent_grantor(db, assembly_coop, board, sitting):
    meeting, members, roll = sitting
    db.add(Proxy(coop_id=assembly_coop.id, meeting_id=meeting.id, grantor_id=roll[9].id, holder_id=roll[0].id,
                 authorisation="Carta firmada"))
    db.commit()
    election, cand = _secret(db, assembly_coop, meeting, board, members[:3])
    pending = election_ballots.pending_ballots(db, election, members[0])
    assert [(p.entry.id, p.by_proxy) for p in pending] == [(roll[0].id, False), (roll[9].id, True)]
    for voter in (roll[0], roll[9]):
        election_ballots.cast_ballot(db, assembly_coop, election, members[0], voter_id=voter.id,
                                     candidate_ids=[cand[members[1].id]], now=NOW)
    db.commit()
    assert election_ballots.pending_ballots(db, election, members[0]) == []
    election_result.close_election(db, None, assembly_coop, election, now=LATER)
    votes = {c.member_id: c.votes for c in election.candidates}
    assert votes[members[1].id] == 2


def test_secret_ballots_cannot_be_linked_to_their_voters(db, assembly_coop, board, sitting):
    meeting, members, roll = sitting
    election, cand = _secret(db, assembly_coop, meeting, board, members[:3])
    for i in range(8):
        chosen = [cand[members[i % 3].id]] if i < 7 else []  # the last ballot is blank
        election_ballots.cast_ballot(db, assembly_coop, election, members[i], voter_id=roll[i].id,
                                     candidate_ids=chosen, now=NOW + dt.timedelta(minutes=i))
        db.commit()
    assert {c.name for c in SecretBallot.__table__.columns} == {
        "id", "coop_id", "round_id", "ballot_key", "choice", "candidate_id"}
    rows = db.scalars(sa.select(SecretBallot).order_by(SecretBallot.id)).all()
    receipts = db.scalars(sa.select(BallotReceipt).order_by(BallotReceipt.id)).all()
    assert len(rows) == len(receipts) == 8
    assert len({r.ballot_key for r in rows}) == 8
    # neither the ids nor the keys follow the order of voting
    cast_order_ids = sorted(rows, key=lambda r: r.id)
    assert [r.id for r in cast_order_ids] != list(range(rows[0].id, rows[0].id + 8))
    assert all(r.id >= 2**30 for r in rows)
    tally = election_ballots.tally(db, elections.latest_round(db, election))
    assert (tally.ballots, tally.blank, sum(tally.votes.values())) == (8, 1, 7)
    election_result.close_election(db, None, assembly_coop, election, now=LATER)
    assert sorted(c.votes for c in election.candidates) == [2, 2, 3]


def test_the_office_register_keeps_historic_terms_and_early_ends(db, assembly_coop, board, make_members):
    ana, luis = make_members(assembly_coop, 2)
    old = offices.record_term(db, None, assembly_coop, position=board, member=ana, starts_on=dt.date(2019, 3, 1),
                              ends_on=dt.date(2021, 2, 28), note="Acta de 2019")
    now = offices.record_term(db, None, assembly_coop, position=board, member=luis, starts_on=dt.date(2025, 3, 1),
                              ends_on=dt.date(2027, 2, 28))
    db.commit()
    assert [t.id for t in offices.in_office(db, assembly_coop, dt.date(2020, 6, 1))] == [old.id]
    assert "within the term" in refusal(offices.end_term, db, None, assembly_coop, now, left_on=dt.date(2028, 1, 1),
                                        reason="Renuncia")["left_on"]
    assert "Say why" in refusal(offices.end_term, db, None, assembly_coop, now, left_on=dt.date(2026, 1, 1),
                                reason=" ")["reason"]
    offices.end_term(db, None, assembly_coop, now, left_on=dt.date(2026, 1, 10), reason="Renuncia")
    db.commit()
    assert [t.id for t in offices.in_office(db, assembly_coop, dt.date(2026, 1, 9))] == [now.id]
    assert offices.in_office(db, assembly_coop, dt.date(2026, 1, 10)) == []
    assert "already ended" in refusal(offices.end_term, db, None, assembly_coop, now, left_on=dt.date(2026, 2, 1),
                                      reason="x")[None]
    assert "cannot end before" in refusal(offices.record_term, db, None, assembly_coop, position=board, member=ana,
                                          starts_on=dt.date(2020, 1, 2), ends_on=dt.date(2020, 1, 1))["ends_on"]
    listing = offices.register(db, assembly_coop, position_id=board.id)
    assert listing.total == 2 and listing.terms[0].id == now.id


def test_a_representatives_office_names_its_block(db, assembly_coop):
    errors = refusal(offices.add_position, db, None, assembly_coop, offices.PositionData(
        name="Representante", body=PositionBody.REPRESENTATIVE, seats=0))
    assert set(errors) == {"block", "seats"}
