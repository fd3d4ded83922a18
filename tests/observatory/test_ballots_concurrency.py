"""Ballots at the same instant (real threads, each its own connection and transaction): 200 members
each send their ballot by phone while the secretary enters their paper ballot, and 50 of them tap
twice. Exactly one ballot per member survives, every other is refused with "already taken part",
and each proposal's counter equals its choices' rows. And the assembly's decision recorded
five times at once opens each funded proposal's work package once. On PostgreSQL the unique (process, member)
decides between transactions at once; on SQLite its single writer queues them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from coop.tenancy import Coop
from meetings.observatory import ballots, pb_decision
from meetings.observatory.models import (BallotChannel, BlockResult, ParticipatoryBudget, Proposal, SupportBallot,
                                         WorkPackage)
from members.models import Member
from tests.minga.test_signups_concurrency import at_once
from tests.observatory.ballot_factories import (budget_with_proposals, carry, cast,  # noqa: F401
                                               make_assembly, supports_equal_choices)
from tests.observatory.conftest import NOW, TODAY

MEMBERS, TWICE = 200, 50
JOINED = dt.date(2010, 5, 1)


def crowd(db, coop, count: int) -> list[int]:
    db.rollback()
    first = (db.scalar(sa.select(sa.func.max(Member.number)).where(Member.coop_id == coop.id)) or 0) + 1
    db.execute(sa.insert(Member), [
        {"coop_id": coop.id, "number": n, "given_names": "Persona", "family_names": f"Socia {n}",
         "document_type": "cedula", "document_number": f"{n:010d}", "join_date": JOINED, "status": "active",
         "status_since": JOINED} for n in range(first, first + count)])
    db.commit()
    return db.scalars(sa.select(Member.id).where(Member.coop_id == coop.id, Member.number >= first)
                      .order_by(Member.number)).all()


def test_phone_and_paper_at_once_with_double_taps_leave_one_ballot_per_member(app, db, obs_coop,
                                                                              budget_with_proposals):
    process, proposals = budget_with_proposals()
    member_ids = crowd(db, obs_coop, MEMBERS)
    coop_id, process_id = obs_coop.id, process.id
    # each member's choice: two of the four proposals, always within the amount
    picks = [[proposals[i % 4].id, proposals[(i + 1) % 4].id] if (i % 4) != 1 else [proposals[3].id]
             for i in range(MEMBERS)]
    sends = ([(i, BallotChannel.PHONE) for i in range(MEMBERS)] + [(i, BallotChannel.PAPER) for i in range(MEMBERS)]
             + [(i, BallotChannel.PHONE) for i in range(TWICE)])

    def send(session, index):
        member_index, channel = sends[index]
        ballots.cast_ballot(session, None, session.get(Coop, coop_id), session.get(ParticipatoryBudget, process_id),
                            session.get(Member, member_ids[member_index]), picks[member_index], channel=channel,
                            today=TODAY, now=NOW)

    errors, refusals = at_once(app, len(sends), send)
    assert errors == []
    assert len(refusals) == MEMBERS + TWICE
    assert all("has already taken part" in text or text.startswith("You have already taken part") for text in refusals)
    db.rollback()
    voters = db.scalars(sa.select(SupportBallot.member_id).where(SupportBallot.process_id == process_id)).all()
    assert sorted(voters) == sorted(member_ids)
    assert db.get(ParticipatoryBudget, process_id).ballots_count == MEMBERS
    assert supports_equal_choices(db, process_id)
    supports = db.scalars(sa.select(Proposal.supports).where(Proposal.process_id == process_id)
                          .order_by(Proposal.number)).all()
    expected = [sum(1 for pick in picks if p.id in pick) for p in proposals]
    assert supports == expected


def test_the_decision_recorded_five_times_at_once_opens_each_work_package_once(app, db, obs_coop, make_member,
                                                                              budget_with_proposals, ctx):
    process, (park, lights, wall, clinic) = budget_with_proposals()
    for pick in ([wall, lights], [wall], [clinic]):
        cast(db, obs_coop, process, make_member(obs_coop), pick)
    proposer = make_member(obs_coop, given_names="Carmen")
    db.rollback()
    pb_decision.put_to_assembly(db, None, db.merge(obs_coop), db.get(ParticipatoryBudget, process.id),
                                db.merge(make_assembly(db, obs_coop)), proposer_number=proposer.number,
                                today=dt.date(2027, 4, 2), now=NOW)
    db.commit()
    carry(db, process)
    coop_id, process_id = obs_coop.id, process.id

    def record(session, _index):
        pb_decision.record_decision(session, None, session.get(Coop, coop_id),
                                    session.get(ParticipatoryBudget, process_id))

    errors, refusals = at_once(app, 5, record)
    assert errors == [] and refusals == ["The decision is already recorded."] * 4
    db.rollback()
    # the wall (2 supports), then the clinic ties the lights at 1 and, cheaper, goes first
    assert sorted(db.scalars(sa.select(WorkPackage.proposal_id)).all()) == sorted([wall.id, clinic.id])


def test_two_officers_entering_one_blocks_tally_at_once_leave_one_tally_and_no_error(app, db, obs_coop,
                                                                                   budget_with_proposals):
    process, proposals = budget_with_proposals()
    coop_id, process_id = obs_coop.id, process.id

    def enter(session, index):
        ballots.enter_block_result(session, None, session.get(Coop, coop_id), session.get(ParticipatoryBudget, process_id),
                                   block="B", meeting_id=None, present=40 + index,
                                   supports={p.id: index + 1 for p in proposals}, today=TODAY)

    errors, refusals = at_once(app, 6, enter)
    assert errors == [] and refusals == []
    db.rollback()
    rows = db.scalars(sa.select(BlockResult).where(BlockResult.process_id == process_id)).all()
    assert len(rows) == len(proposals)
    assert len({(row.present, row.supports) for row in rows}) == 1  # one officer's tally, whole
