"""Ballots at the same instant (real threads, each its own connection and transaction): 200 members
each send their ballot by phone while the secretary enters their paper ballot, and 50 of them tap
twice. Exactly one ballot per member survives, every other is refused with "already taken part",
and each proposal's counter equals its choices' rows. On PostgreSQL the unique (process, member)
decides between transactions at once; on SQLite its single writer queues them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from coop.tenancy import Coop
from meetings.observatory import ballots
from meetings.observatory.models import BallotChannel, ParticipatoryBudget, Proposal, SupportBallot
from members.models import Member
from tests.minga.test_signups_concurrency import at_once
from tests.observatory.ballot_factories import budget_with_proposals, supports_equal_choices  # noqa: F401
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
