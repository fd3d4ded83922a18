"""Votes on motions: opening only with quorum in a sitting meeting, the show of hands' totals,
named and secret ballots with proxies, one vote per voter, closing with the outcome in words
and numbers, the chair's casting vote, and a carried motion becoming a numbered resolution."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from meetings import voting
from meetings.models import (BallotReceipt, Choice, MajorityRule, MeetingStatus, MotionStatus, Resolution,
                             RoundStatus, SecretBallot, Vote, VotingMode)
from meetings.rules import rules_of
from tests.meetings.conftest import NOW, refusal
from tests.meetings.votes_factories import give_proxy, hall, open_vote, propose  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("ctx")


def cast(db, hall, vote_round, entry, choice, **kwargs):
    voting.cast_vote(db, None, hall.coop, vote_round, entry, choice, now=NOW, **kwargs)
    db.commit()


# --- opening ---------------------------------------------------------------------------------------

def test_a_vote_does_not_open_without_quorum(db, hall):
    motion = propose(db, hall)
    for entry in hall.present[3:]:
        entry.is_present = False
    db.commit()
    assert refusal(voting.open_round, db, None, hall.coop, motion, VotingMode.HANDS, now=NOW) == {
        None: "There is no quorum: 3 present and represented, 6 required. A vote cannot open without quorum."}
    db.rollback()
    assert db.get(type(motion), motion.id).status == MotionStatus.PROPOSED


def test_a_vote_opens_only_while_the_meeting_sits(db, hall):
    motion = propose(db, hall)
    hall.meeting.status = MeetingStatus.CONVENED
    db.commit()
    assert refusal(voting.open_round, db, None, hall.coop, motion, VotingMode.HANDS, now=NOW) == {
        None: "A vote opens only while the meeting is in session."}


def test_opening_locks_the_rule_the_text_and_the_voters(db, hall):
    rules_of(db, hall.coop).abstentions_count = True
    db.commit()
    give_proxy(db, hall, hall.absent[0], hall.present[0])
    motion = propose(db, hall, majority=MajorityRule.ABSOLUTE_PRESENT)
    vote_round = open_vote(db, hall, motion)
    assert (vote_round.majority, vote_round.abstentions_count, vote_round.version_id) == (
        MajorityRule.ABSOLUTE_PRESENT, True, motion.versions[0].id)
    assert (vote_round.roll_voters, vote_round.present_voters) == (10, 9)  # 8 present + 1 represented
    assert motion.status == MotionStatus.VOTING
    assert refusal(voting.open_round, db, None, hall.coop, motion, VotingMode.HANDS, now=NOW) == {
        None: "A motion that is being voted cannot be put to the vote."}


# --- show of hands --------------------------------------------------------------------------------

def test_totals_above_the_voters_present_are_refused(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall), VotingMode.HANDS)
    assert refusal(voting.enter_totals, db, None, hall.coop, vote_round, yes=5, no=3, abstain=1) == {
        "yes": "These totals add up to 9, more than the 8 voters present and represented when the vote opened."}
    db.rollback()
    voting.enter_totals(db, None, hall.coop, vote_round, yes=5, no=2, abstain=1)
    closed = voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    assert closed.outcome_text == ("Carried: 5 in favour, 2 against, 1 abstention; 4 were required "
                                   "(more than half of the votes cast)")


def test_a_show_of_hands_closes_only_with_its_totals(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall), VotingMode.HANDS)
    assert refusal(voting.close_round, db, None, hall.coop, vote_round, now=NOW) == {
        "yes": "Enter the totals of the show of hands before closing the vote."}


# --- named votes ----------------------------------------------------------------------------------

def test_voting_twice_is_refused_and_the_first_vote_stands(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall))
    cast(db, hall, vote_round, hall.present[0], Choice.YES)
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, hall.present[0], Choice.NO, now=NOW) == {
        "number": "You have already voted."}
    db.rollback()
    assert db.scalars(sa.select(Vote.choice)).all() == [Choice.YES]


def test_the_database_refuses_a_second_named_vote_and_keeps_the_first(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall))
    cast(db, hall, vote_round, hall.present[0], Choice.YES)
    with pytest.raises(sa.exc.IntegrityError):  # the unique key itself, whatever the service checks
        with db.begin_nested():
            db.add(Vote(coop_id=hall.coop.id, round_id=vote_round.id, voter_id=hall.present[0].id, choice=Choice.NO))
    db.rollback()
    assert db.scalars(sa.select(Vote.choice)).all() == [Choice.YES]


def test_an_absent_member_does_not_vote_in_person(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall))
    name = hall.absent[0].name
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, hall.absent[0], Choice.YES, now=NOW) == {
        "number": f"{name} is not checked in: only those present vote, or their proxy holder for them."}


def test_a_member_in_arrears_cannot_vote(db, hall):
    entry = hall.present[1]
    entry.may_vote, entry.ineligible_reason = False, "Aportes en mora más de 3 meses"
    db.commit()
    vote_round = open_vote(db, hall, propose(db, hall))
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, entry, Choice.YES, now=NOW) == {
        "number": f"{entry.name} may not vote at this meeting: Aportes en mora más de 3 meses."}


def test_a_proxy_holder_votes_for_the_absent_grantor(db, hall):
    holder, grantor = hall.present[0], hall.absent[0]
    give_proxy(db, hall, grantor, holder)
    vote_round = open_vote(db, hall, propose(db, hall))
    cast(db, hall, vote_round, holder, Choice.YES)
    cast(db, hall, vote_round, grantor, Choice.NO, holder=holder)
    votes = {v.voter_id: (v.choice, v.by_proxy_id) for v in db.scalars(sa.select(Vote))}
    assert votes == {holder.id: (Choice.YES, None), grantor.id: (Choice.NO, holder.id)}
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, grantor, Choice.YES, holder=holder,
                   now=NOW) == {"number": f"The vote of {grantor.name} has already been cast."}


def test_a_proxy_votes_only_through_a_present_holder(db, hall):
    holder, grantor = hall.absent[1], hall.absent[0]
    give_proxy(db, hall, grantor, holder)
    vote_round = open_vote(db, hall, propose(db, hall))
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, grantor, Choice.YES, holder=holder,
                   now=NOW) == {"number": f"The proxy holder {holder.name} is not present: a proxy votes only "
                                          "through a holder who is."}


def test_nobody_votes_for_someone_whose_proxy_they_do_not_hold(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall))
    stranger, grantor = hall.present[2], hall.absent[0]
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, grantor, Choice.YES, holder=stranger,
                   now=NOW) == {"number": f"{stranger.name} holds no proxy for {grantor.name}."}


def test_the_secretary_records_an_absent_members_vote_through_the_holder(db, hall):
    holder, grantor = hall.present[0], hall.absent[0]
    give_proxy(db, hall, grantor, holder)
    vote_round = open_vote(db, hall, propose(db, hall))
    voter = voting.record_vote(db, None, hall.coop, vote_round, grantor.number, Choice.ABSTAIN, now=NOW)
    db.commit()
    assert voter.id == grantor.id
    assert db.scalars(sa.select(Vote.by_proxy_id)).all() == [holder.id]
    assert refusal(voting.record_vote, db, None, hall.coop, vote_round, grantor.number, Choice.NO, now=NOW) == {
        "number": f"{grantor.name} has already voted in this vote."}
    assert refusal(voting.record_vote, db, None, hall.coop, vote_round, 999999, Choice.NO, now=NOW) == {
        "number": "Number 999999 is not on this meeting's roll."}


def test_a_vote_after_closing_is_refused(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall))
    cast(db, hall, vote_round, hall.present[0], Choice.YES)
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    db.commit()
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, hall.present[1], Choice.YES, now=NOW) == {
        None: "This vote is closed."}


# --- closing ----------------------------------------------------------------------------------------

def test_a_carried_motion_becomes_the_years_next_resolution(db, hall):
    motion = propose(db, hall, majority=MajorityRule.TWO_THIRDS_CAST)
    vote_round = open_vote(db, hall, motion)
    for entry, choice in zip(hall.present, [Choice.YES] * 6 + [Choice.NO, Choice.ABSTAIN], strict=True):
        cast(db, hall, vote_round, entry, choice)
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    db.commit()
    assert (vote_round.status, vote_round.is_carried, vote_round.required) == (RoundStatus.CLOSED, True, 5)
    assert (vote_round.yes_count, vote_round.no_count, vote_round.abstain_count) == (6, 1, 1)
    assert vote_round.outcome_text == ("Carried: 6 in favour, 1 against, 1 abstention; 5 were required "
                                       "(two thirds of the votes cast)")
    resolution = db.scalars(sa.select(Resolution)).one()
    assert (resolution.reference, resolution.motion_id, resolution.round_id) == ("2027-001", motion.id, vote_round.id)
    assert (resolution.title, resolution.text) == ("Aprobar el presupuesto 2027", "Se aprueba el presupuesto 2027.")
    assert resolution.outcome_text == vote_round.outcome_text
    assert motion.status == MotionStatus.CARRIED


def test_a_defeated_motion_makes_no_resolution(db, hall):
    motion = propose(db, hall, majority=MajorityRule.TWO_THIRDS_MEMBERS)
    vote_round = open_vote(db, hall, motion)
    for entry in hall.present[:6]:
        cast(db, hall, vote_round, entry, Choice.YES)
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    db.commit()
    assert vote_round.outcome_text == ("Defeated: 6 in favour, 0 against, 0 abstentions; 7 were required "
                                       "(two thirds of the 10 voters on the roll)")
    assert (motion.status, db.scalar(sa.select(sa.func.count()).select_from(Resolution))) == (MotionStatus.DEFEATED, 0)


def test_a_tie_waits_for_the_chairs_casting_vote_when_the_bylaws_give_one(db, hall):
    rules_of(db, hall.coop).chair_has_casting_vote = True
    db.commit()
    vote_round = open_vote(db, hall, propose(db, hall))
    for entry, choice in zip(hall.present[:4], [Choice.YES, Choice.YES, Choice.NO, Choice.NO], strict=True):
        cast(db, hall, vote_round, entry, choice)
    assert refusal(voting.close_round, db, None, hall.coop, vote_round, now=NOW) == {
        "casting_vote": "It is a tie, 2 to 2: record the chair's casting vote to close it."}
    db.rollback()
    assert db.get(type(vote_round), vote_round.id).status == RoundStatus.OPEN
    voting.close_round(db, None, hall.coop, vote_round, casting_vote=Choice.YES, now=NOW)
    db.commit()
    assert (vote_round.is_carried, vote_round.casting_vote) == (True, Choice.YES)
    assert vote_round.outcome_text.endswith("; a tie, settled in favour by the chair's casting vote")


def test_without_a_casting_vote_a_tie_does_not_carry(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall))
    cast(db, hall, vote_round, hall.present[0], Choice.YES)
    cast(db, hall, vote_round, hall.present[1], Choice.NO)
    voting.close_round(db, None, hall.coop, vote_round, casting_vote=Choice.YES, now=NOW)
    assert (vote_round.is_carried, vote_round.casting_vote) == (False, None)
    assert vote_round.outcome_text.endswith("; a tie, which does not carry a motion")


# --- secret ballot -----------------------------------------------------------------------------------

def test_a_secret_ballot_cannot_be_linked_to_its_voter(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall), VotingMode.SECRET)
    choices = [Choice.YES, Choice.NO, Choice.YES, Choice.ABSTAIN, Choice.YES, Choice.YES, Choice.NO, Choice.YES]
    for entry, choice in zip(hall.present, choices, strict=True):
        cast(db, hall, vote_round, entry, choice)
    # the ballot names no voter and carries no time: nothing to join a receipt on
    assert {c.name for c in SecretBallot.__table__.columns} == {
        "id", "coop_id", "round_id", "ballot_key", "choice", "candidate_id"}
    assert not any(fk.column.table.name in ("roll_entry", "ballot_receipt", "member")
                   for fk in SecretBallot.__table__.foreign_keys)
    assert db.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
    receipts = db.scalars(sa.select(BallotReceipt.voter_id).order_by(BallotReceipt.id)).all()
    assert receipts == [entry.id for entry in hall.present]
    ballots = db.execute(sa.select(SecretBallot.id, SecretBallot.ballot_key, SecretBallot.choice)).all()
    assert sorted(choice for _i, _k, choice in ballots) == sorted(choices)
    # neither the ids nor the keys keep the order of voting
    ids, keys = [row.id for row in ballots], [row.ballot_key for row in ballots]
    assert len(set(keys)) == 8 and all(len(key) == 32 for key in keys)
    assert sorted(ids) != list(range(min(ids), min(ids) + 8))
    assert max(ids) > 10_000


def test_a_secret_ballot_hides_the_results_until_it_closes(db, hall):
    vote_round = open_vote(db, hall, propose(db, hall), VotingMode.SECRET)
    cast(db, hall, vote_round, hall.present[0], Choice.NO)
    assert (vote_round.yes_count, vote_round.no_count, voting.ballots_cast(db, vote_round)) == (0, 0, 1)
    assert voting.named_votes(db, vote_round) == []
    assert refusal(voting.cast_vote, db, None, hall.coop, vote_round, hall.present[0], Choice.YES, now=NOW) == {
        "number": "You have already voted."}
    db.rollback()
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    assert (vote_round.yes_count, vote_round.no_count, vote_round.is_carried) == (0, 1, False)


# --- the ballot a member sees -------------------------------------------------------------------------

def test_the_ballot_sheet_lists_the_proxies_held_and_what_is_cast(db, hall):
    holder, grantor = hall.present[0], hall.absent[0]
    give_proxy(db, hall, grantor, holder)
    vote_round = open_vote(db, hall, propose(db, hall))
    sheet = voting.ballot_sheet(db, vote_round, holder.member_id)
    assert (sheet.may_vote, sheet.open_proxies) == (True, [grantor])
    cast(db, hall, vote_round, grantor, Choice.YES, holder=holder)
    sheet = voting.ballot_sheet(db, vote_round, holder.member_id)
    assert (sheet.may_vote, sheet.proxies, sheet.has_anything) == (True, [(grantor, True)], True)
    cast(db, hall, vote_round, holder, Choice.YES)
    assert not voting.ballot_sheet(db, vote_round, holder.member_id).has_anything
    away = voting.ballot_sheet(db, vote_round, hall.absent[1].member_id)
    assert away.reason == "You are not checked in: ask at the door, then vote here."
