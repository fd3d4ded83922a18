"""Secret election ballots at the same instant (real threads, each with its own connection and
transaction): thirty voters sending their ballot twice at once end with exactly one receipt each,
and the ballots counted equal the receipts. On PostgreSQL the receipt's unique key makes the second
insert wait for the first and fail; on SQLite its single writer does the same."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from coop.errors import DomainError
from coop.tenancy import Coop
from meetings import election_ballots, elections, offices
from meetings.models import BallotReceipt, Call, Election, MeetingStatus, PositionBody, VotingMode
from members.models import Member
from tests.ledger.conftest import run_at_once
from tests.meetings.conftest import NOW


def test_thirty_voters_clicking_twice_at_once_cast_thirty_ballots(app, db, assembly_coop, make_meeting, make_roll,
                                                                  make_members, ctx):
    members = make_members(assembly_coop, 30)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION, call=Call.FIRST)
    roll = make_roll(meeting, members, present=True)
    position = offices.add_position(db, None, assembly_coop, offices.PositionData(
        name="Consejo de vigilancia", body=PositionBody.OVERSIGHT, seats=2))
    election = elections.new_election(db, None, assembly_coop, meeting, position=position)
    for member in members[:3]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.SECRET, now=NOW)
    db.commit()
    ids = dict(coop=assembly_coop.id, election=election.id, candidates=[c.id for c in election.candidates],
               members=[m.id for m in members], roll=[r.id for r in roll])
    database, barrier, errors, refused = app.extensions["coop.db"], threading.Barrier(60), [], []

    def vote(index: int) -> None:
        voter = index % 30
        try:
            barrier.wait(timeout=60)
            with app.test_request_context(), database.unit_of_work() as session:
                election_ballots.cast_ballot(
                    session, session.get(Coop, ids["coop"]), session.get(Election, ids["election"]),
                    session.get(Member, ids["members"][voter]), voter_id=ids["roll"][voter],
                    candidate_ids=[ids["candidates"][voter % 3]], now=NOW)
        except DomainError as refusal:
            refused.append(refusal.text)
        except Exception as error:  # reported by the test, with the thread's index
            errors.append((index, repr(error)))

    run_at_once(vote, [(i,) for i in range(60)])
    assert errors == []
    assert len(refused) == 30 and all("already cast" in text for text in refused)
    db.rollback()
    vote_round = elections.latest_round(db, db.get(Election, election.id))
    receipts = db.scalars(sa.select(BallotReceipt.voter_id).where(BallotReceipt.round_id == vote_round.id)).all()
    assert sorted(receipts) == sorted(ids["roll"])
    tally = election_ballots.tally(db, vote_round)
    assert tally.ballots == 30 and sorted(tally.votes.values()) == [10, 10, 10]


def test_two_secretaries_closing_the_same_round_at_once_record_one_result(app, db, assembly_coop, make_meeting,
                                                                          make_roll, make_members, ctx):
    from meetings import election_result
    from meetings.models import OfficeTerm, Resolution

    members = make_members(assembly_coop, 6)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION, call=Call.FIRST)
    make_roll(meeting, members, present=True)
    position = offices.add_position(db, None, assembly_coop, offices.PositionData(
        name="Consejo de administración", body=PositionBody.BOARD, seats=2))
    election = elections.new_election(db, None, assembly_coop, meeting, position=position)
    for member in members[:3]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=NOW)
    elections.enter_totals(db, None, assembly_coop, election, dict(zip([c.id for c in election.candidates], [5, 4, 2])))
    db.commit()
    coop_id, election_id = assembly_coop.id, election.id
    database, barrier, errors, refused = app.extensions["coop.db"], threading.Barrier(2), [], []

    def close(_index: int) -> None:
        try:
            barrier.wait(timeout=60)
            with app.test_request_context(), database.unit_of_work() as session:
                election_result.close_election(session, None, session.get(Coop, coop_id),
                                               session.get(Election, election_id), now=NOW)
        except DomainError as refusal:
            refused.append(refusal.text)
        except Exception as error:  # reported by the test, with the thread's index
            errors.append((_index, repr(error)))

    run_at_once(close, [(0,), (1,)])
    assert errors == [] and len(refused) == 1
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Resolution).where(
        Resolution.election_id == election_id)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(OfficeTerm).where(
        OfficeTerm.election_id == election_id)) == 2
