"""Ballots at the same instant (real threads, each with its own connection and transaction): 500
voters cast their ballots at once, 100 of them twice, and the vote ends with exactly one vote per
voter, the second ones refused, and a tally equal to the rows; the same for a secret ballot, with
one receipt and one ballot per voter. On PostgreSQL the unique keys decide between two
transactions at once; on SQLite its single writer queues them. And a vote closing while ballots
arrive counts every ballot it accepted."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.tenancy import Coop
from meetings import motions, voting
from meetings.models import (AgendaItem, BallotReceipt, Call, Choice, Meeting, MeetingStatus, RollEntry, SecretBallot,
                             Vote, VoteRound, VotingMode)
from members.models import Member
from tests.meetings.conftest import NOW
from tests.minga.test_signups_concurrency import at_once

VOTERS, TWICE = 500, 100
CHOICES = (Choice.YES, Choice.YES, Choice.NO, Choice.ABSTAIN)
JOINED = dt.date(2010, 5, 1)


def _crowd(db, coop, count: int) -> Meeting:
    """A sitting assembly with ``count`` voters in the hall, written in bulk."""
    meeting = Meeting(coop_id=coop.id, kind="ordinary", title="Asamblea multitudinaria", first_call_dt=NOW,
                      status=MeetingStatus.IN_SESSION, call=Call.FIRST)
    db.add(meeting)
    db.flush()
    db.execute(sa.insert(Member), [
        {"coop_id": coop.id, "number": n, "given_names": "Persona", "family_names": f"Socia {n}",
         "document_type": "cedula", "document_number": f"{n:010d}", "join_date": JOINED, "status": "active",
         "status_since": JOINED} for n in range(1, count + 1)])
    member_ids = db.scalars(sa.select(Member.id).where(Member.coop_id == coop.id).order_by(Member.number)).all()
    db.execute(sa.insert(RollEntry), [
        {"coop_id": coop.id, "meeting_id": meeting.id, "member_id": member_id, "number": n, "name": f"Persona {n}",
         "is_present": True, "may_vote": True} for n, member_id in enumerate(member_ids, start=1)])
    db.add(AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=1, title="Reglamento interno"))
    db.commit()
    return meeting


@pytest.fixture
def crowd_round(db, assembly_coop):
    """(co-op id, round id, roll line ids) for a vote of ``mode`` among VOTERS voters."""
    def factory(mode: VotingMode):
        db.rollback()
        coop = db.merge(assembly_coop)
        meeting = _crowd(db, coop, VOTERS)
        item = db.scalar(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
        first = db.scalar(sa.select(Member.number).where(Member.coop_id == coop.id).order_by(Member.number))
        motion = motions.propose_motion(db, None, coop, item, title="Reglamento interno",
                                        text="Se aprueba el reglamento.", proposer_number=first, now=NOW)
        vote_round = voting.open_round(db, None, coop, motion, mode, now=NOW)
        db.commit()
        entries = db.scalars(sa.select(RollEntry.id).where(RollEntry.meeting_id == meeting.id)
                             .order_by(RollEntry.number)).all()
        return coop.id, vote_round.id, entries
    return factory


def ballots_at_once(app, coop_id: int, round_id: int, entries: list[int]):
    """Every voter's ballot, and a second one from the first TWICE voters, all released together."""
    senders = entries + entries[:TWICE]

    def vote(session, index):
        voting.cast_vote(session, None, session.get(Coop, coop_id), session.get(VoteRound, round_id),
                         session.get(RollEntry, senders[index]), CHOICES[senders[index] % len(CHOICES)], now=NOW)

    return at_once(app, len(senders), vote)


def expected_tally(entries: list[int]) -> dict[Choice, int]:
    tally = {choice: 0 for choice in Choice}
    for entry in entries:
        tally[CHOICES[entry % len(CHOICES)]] += 1
    return tally


def close(db, coop_id, round_id) -> VoteRound:
    db.rollback()
    vote_round = voting.close_round(db, None, db.get(Coop, coop_id), db.get(VoteRound, round_id), now=NOW)
    db.commit()
    return vote_round


def test_500_named_ballots_at_once_with_100_double_taps_leave_one_vote_each(app, db, crowd_round):
    coop_id, round_id, entries = crowd_round(VotingMode.NAMED)
    errors, refusals = ballots_at_once(app, coop_id, round_id, entries)
    assert errors == []
    assert len(refusals) == TWICE and set(refusals) == {"You have already voted."}
    db.rollback()
    rows = db.execute(sa.select(Vote.voter_id, Vote.choice).where(Vote.round_id == round_id)).all()
    assert sorted(voter for voter, _choice in rows) == sorted(entries)  # exactly one vote per voter
    vote_round = close(db, coop_id, round_id)
    tally = expected_tally(entries)
    assert (vote_round.yes_count, vote_round.no_count, vote_round.abstain_count) == (
        tally[Choice.YES], tally[Choice.NO], tally[Choice.ABSTAIN])
    assert vote_round.yes_count + vote_round.no_count + vote_round.abstain_count == len(rows) == VOTERS


def test_500_secret_ballots_at_once_with_100_double_taps_leave_one_ballot_each(app, db, crowd_round):
    coop_id, round_id, entries = crowd_round(VotingMode.SECRET)
    errors, refusals = ballots_at_once(app, coop_id, round_id, entries)
    assert errors == []
    assert len(refusals) == TWICE and set(refusals) == {"You have already voted."}
    db.rollback()
    receipts = db.scalars(sa.select(BallotReceipt.voter_id).where(BallotReceipt.round_id == round_id)).all()
    ballots = db.scalars(sa.select(SecretBallot.choice).where(SecretBallot.round_id == round_id)).all()
    assert sorted(receipts) == sorted(entries)
    assert len(ballots) == VOTERS
    vote_round = close(db, coop_id, round_id)
    tally = expected_tally(entries)
    assert (vote_round.yes_count, vote_round.no_count, vote_round.abstain_count) == (
        tally[Choice.YES], tally[Choice.NO], tally[Choice.ABSTAIN])
    assert sorted(ballots) == sorted(CHOICES[e % len(CHOICES)] for e in entries)


def test_closing_while_ballots_arrive_counts_exactly_the_ballots_accepted(app, db, crowd_round):
    coop_id, round_id, entries = crowd_round(VotingMode.NAMED)
    voters = entries[:60]

    def vote_or_close(session, index):
        coop, vote_round = session.get(Coop, coop_id), session.get(VoteRound, round_id)
        if index == len(voters):
            voting.close_round(session, None, coop, vote_round, now=NOW)
        else:
            voting.cast_vote(session, None, coop, vote_round, session.get(RollEntry, voters[index]), Choice.YES,
                             now=NOW)

    errors, refusals = at_once(app, len(voters) + 1, vote_or_close)
    assert errors == []
    assert set(refusals) <= {"This vote is closed."}
    db.rollback()
    rows = db.scalar(sa.select(sa.func.count()).select_from(Vote).where(Vote.round_id == round_id))
    vote_round = db.get(VoteRound, round_id)
    assert rows == vote_round.yes_count == len(voters) - len(refusals)
