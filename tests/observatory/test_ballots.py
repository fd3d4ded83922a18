"""Support ballots: one per member by phone or on paper, within the amount under the knapsack rule,
in their phases, with the counters raised in the same transaction."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from meetings.observatory import ballots
from meetings.observatory.models import (BallotChannel, BlockResult, ParticipatoryBudget, Proposal, SupportBallot,
                                         SupportRule)
from members.models import MemberStatus
from tests.observatory.ballot_factories import budget_with_proposals, cast, supports_equal_choices  # noqa: F401
from tests.observatory.conftest import NOW, TODAY, refusal

pytestmark = pytest.mark.usefixtures("ctx")


def counters(db, process):
    db.rollback()
    return (db.get(ParticipatoryBudget, process.id).ballots_count,
            [p.supports for p in db.scalars(sa.select(Proposal).where(Proposal.process_id == process.id)
                                            .order_by(Proposal.number))])


def test_a_member_supports_proposals_within_the_amount_and_the_counters_rise(db, obs_coop, make_member,
                                                                              budget_with_proposals):
    process, (park, lights, wall, clinic) = budget_with_proposals()
    ana = make_member(obs_coop)
    ballot = cast(db, obs_coop, process, ana, [park, lights, clinic])
    assert ballot.total_cost_minor == 950_000 and ballot.channel == BallotChannel.PHONE
    assert counters(db, process) == (1, [1, 1, 0, 1])
    assert supports_equal_choices(db, process.id)


def test_an_exact_fit_is_accepted_and_one_cent_over_is_refused(db, obs_coop, make_member, budget_with_proposals):
    process, (courts, benches, sign) = budget_with_proposals(rows=(("Canchas", 999_999), ("Bancas", 2),
                                                                   ("Letrero", 1)))
    assert cast(db, obs_coop, process, make_member(obs_coop), [courts, sign]).total_cost_minor == 1_000_000
    over = refusal(ballots.cast_ballot, db, None, obs_coop, db.merge(process), make_member(obs_coop),
                   [courts.id, benches.id], channel=BallotChannel.PHONE, today=TODAY, now=NOW)
    assert over == {"proposals": "You chose $10,000.01 of $10,000.00: take out proposals until they fit."}


def test_a_ballot_over_the_amount_is_refused_with_its_total_and_nothing_saved(db, obs_coop, make_member,
                                                                               budget_with_proposals):
    process, (park, lights, wall, clinic) = budget_with_proposals()
    errors = refusal(ballots.cast_ballot, db, None, obs_coop, process, make_member(obs_coop),
                     [park.id, wall.id], channel=BallotChannel.PHONE, today=TODAY, now=NOW)
    assert errors == {"proposals": "You chose $10,500.00 of $10,000.00: take out proposals until they fit."}
    db.rollback()
    assert counters(db, process) == (0, [0, 0, 0, 0])
    assert db.scalar(sa.select(sa.func.count()).select_from(SupportBallot)) == 0


def test_under_approval_a_member_may_support_every_proposal(db, obs_coop, make_member, budget_with_proposals):
    process, proposals = budget_with_proposals(rule=SupportRule.APPROVAL)
    assert cast(db, obs_coop, process, make_member(obs_coop), proposals).total_cost_minor == 1_600_000


def test_a_second_ballot_is_refused_naming_the_first_ones_channel_and_time(db, obs_coop, make_member,
                                                                           budget_with_proposals):
    process, (park, lights, wall, clinic) = budget_with_proposals()
    ana = make_member(obs_coop)
    cast(db, obs_coop, process, ana, [park])
    own = refusal(ballots.cast_ballot, db, None, obs_coop, process, ana, [lights.id],
                  channel=BallotChannel.PHONE, today=TODAY, now=NOW)
    assert own == {None: "You have already taken part: your ballot came by phone on 2 Mar 2027, 10:00."}
    paper = refusal(ballots.cast_ballot, db, None, obs_coop, process, ana, [lights.id],
                    channel=BallotChannel.PAPER, today=TODAY, now=NOW)
    assert paper == {"member": f"Member no. {ana.number} has already taken part: their ballot came by phone on "
                               "2 Mar 2027, 10:00. Nothing was saved."}
    db.rollback()
    assert counters(db, process) == (1, [1, 0, 0, 0])


def test_an_empty_ballot_or_a_proposal_not_on_it_is_refused(db, obs_coop, make_member, make_proposal,
                                                            budget_with_proposals):
    process, (park, *_rest) = budget_with_proposals()
    ana = make_member(obs_coop)
    assert refusal(ballots.cast_ballot, db, None, obs_coop, process, ana, [], channel=BallotChannel.PHONE,
                   today=TODAY, now=NOW) == {"proposals": "Choose at least one proposal."}
    submitted = make_proposal(process, ana, title="Sin revisar", status="submitted")
    assert refusal(ballots.cast_ballot, db, None, obs_coop, db.merge(process), db.merge(ana), [submitted.id],
                   channel=BallotChannel.PHONE, today=TODAY, now=NOW) == {
        "proposals": "Choose only proposals on this ballot."}


def test_phone_ballots_only_in_the_support_phase_paper_ones_until_the_blocks_close(db, obs_coop, make_member,
                                                                                   budget_with_proposals):
    process, (park, *_rest) = budget_with_proposals()
    in_blocks = dt.date(2027, 3, 20)
    phone = refusal(ballots.cast_ballot, db, None, obs_coop, process, make_member(obs_coop), [park.id],
                    channel=BallotChannel.PHONE, today=in_blocks, now=NOW)
    assert phone == {None: "Ballots are taken from Mar 1, 2027 to Mar 15, 2027."}
    assert cast(db, obs_coop, process, make_member(obs_coop), [park], channel=BallotChannel.PAPER,
                today=in_blocks).channel == BallotChannel.PAPER
    after = refusal(ballots.cast_ballot, db, None, obs_coop, db.merge(process), make_member(obs_coop), [park.id],
                    channel=BallotChannel.PAPER, today=dt.date(2027, 4, 1), now=NOW)
    assert after == {None: "Paper ballots are entered from Mar 1, 2027 until the block assemblies close on "
                           "Mar 31, 2027."}
    before = refusal(ballots.cast_ballot, db, None, obs_coop, db.merge(process), make_member(obs_coop), [park.id],
                     channel=BallotChannel.PAPER, today=dt.date(2027, 2, 28), now=NOW)
    assert list(before) == [None]


def test_a_suspended_member_does_not_take_part(db, obs_coop, make_member, budget_with_proposals):
    process, (park, *_rest) = budget_with_proposals()
    pedro = make_member(obs_coop, given_names="Pedro", status=MemberStatus.SUSPENDED)
    errors = refusal(ballots.cast_ballot, db, None, obs_coop, process, pedro, [park.id],
                     channel=BallotChannel.PAPER, today=TODAY, now=NOW)
    assert errors == {"member": f"Only active members take part; {pedro.full_name} is not active."}


def test_a_block_result_is_stored_per_proposal_and_replaced_when_entered_again(db, obs_coop, budget_with_proposals):
    process, (park, lights, wall, clinic) = budget_with_proposals()
    ballots.enter_block_result(db, None, obs_coop, process, block="B", meeting_id=None, present=30,
                               supports={park.id: 20, lights.id: 12}, today=dt.date(2027, 3, 20))
    db.commit()
    ballots.enter_block_result(db, None, obs_coop, db.merge(process), block="B", meeting_id=None, present=28,
                               supports={park.id: 18}, today=dt.date(2027, 3, 20))
    db.commit()
    rows = db.execute(sa.select(BlockResult.proposal_id, BlockResult.present, BlockResult.supports)
                      .where(BlockResult.block == "B").order_by(BlockResult.proposal_id)).all()
    assert rows == [(park.id, 28, 18), (lights.id, 28, 0), (wall.id, 28, 0), (clinic.id, 28, 0)]


def test_a_block_result_with_more_supports_than_people_present_is_refused_beside_the_field(
        db, obs_coop, budget_with_proposals):
    process, (park, *_rest) = budget_with_proposals()
    errors = refusal(ballots.enter_block_result, db, None, obs_coop, process, block=" ", meeting_id=None,
                     present=10, supports={park.id: 11}, today=TODAY)
    assert errors == {"block": "Name the block.",
                      f"support-{park.id}": "11 supports, but only 10 people were present."}
