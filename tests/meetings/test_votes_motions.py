"""Motions and amendments: proposing them with a member's number, moving them through their
states, amendments voted before their motion, and a carried amendment making the next version."""
from __future__ import annotations

import pytest

from meetings import motions, voting
from meetings.models import Choice, MajorityRule, MotionStatus, Resolution, VotingMode
from tests.meetings.conftest import NOW, refusal
from tests.meetings.votes_factories import hall, open_vote, propose  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("ctx")


def test_a_motion_seconded_at_once_keeps_its_text_as_version_one(db, hall):
    motion = propose(db, hall, seconder_number=hall.members[1].number, majority=MajorityRule.TWO_THIRDS_CAST)
    assert motion.status == MotionStatus.SECONDED
    assert [(v.number, v.text) for v in motion.versions] == [(1, "Se aprueba el presupuesto 2027.")]
    assert (motion.proposer_id, motion.seconder_id) == (hall.members[0].id, hall.members[1].id)
    assert motion.majority == MajorityRule.TWO_THIRDS_CAST


def test_a_motion_needs_a_title_a_text_and_a_real_proposer(db, hall):
    errors = refusal(motions.propose_motion, db, None, hall.coop, hall.item, title=" ", text="", proposer_number=999999,
                     seconder_number=None, now=NOW)
    assert errors == {"title": "Give the motion a short title.",
                      "text": "Write the motion's text: what the assembly is asked to decide.",
                      "proposer": "There is no member number 999999."}


def test_nobody_seconds_their_own_motion(db, hall):
    number = hall.members[0].number
    errors = refusal(motions.propose_motion, db, None, hall.coop, hall.item, title="Pintar la casa comunal",
                     text="Se pinta.", proposer_number=number, seconder_number=number, now=NOW)
    assert errors == {"seconder": "The seconder must be someone other than the proposer."}


def test_a_motion_referred_to_a_commission_says_which(db, hall):
    motion = propose(db, hall)
    assert refusal(motions.move_motion, db, None, hall.coop, motion, MotionStatus.REFERRED) == {
        "note": "Say which commission the motion is referred to."}
    motions.move_motion(db, None, hall.coop, motion, MotionStatus.REFERRED, note="Comisión de obras")
    assert (motion.status, motion.status_note) == (MotionStatus.REFERRED, "Comisión de obras")
    assert refusal(motions.move_motion, db, None, hall.coop, motion, MotionStatus.IN_DEBATE) == {
        "status": "A motion that is referred to a commission cannot be in debate."}


def test_a_tabled_motion_can_be_taken_up_again(db, hall):
    motion = propose(db, hall)
    motions.move_motion(db, None, hall.coop, motion, MotionStatus.TABLED, note="Falta el informe")
    motions.move_motion(db, None, hall.coop, motion, MotionStatus.IN_DEBATE)
    assert motion.status == MotionStatus.IN_DEBATE


def test_a_draft_is_proposed_then_seconded_by_number(db, hall):
    motion = propose(db, hall, is_draft=True)
    assert motion.status == MotionStatus.DRAFT
    motions.move_motion(db, None, hall.coop, motion, MotionStatus.PROPOSED)
    assert refusal(motions.move_motion, db, None, hall.coop, motion, MotionStatus.SECONDED) == {
        "seconder": "Type the member number of who seconds the motion."}
    motions.move_motion(db, None, hall.coop, motion, MotionStatus.SECONDED, seconder_number=hall.members[2].number)
    assert (motion.status, motion.seconder_id) == (MotionStatus.SECONDED, hall.members[2].id)


def test_the_motion_waits_for_its_amendment_and_takes_its_wording_when_carried(db, hall):
    motion = propose(db, hall)
    amendment = propose(db, hall, title="Bajar la cuota a 20 dólares",
                        text="Se aprueba el presupuesto con cuota de 20.", amends=motion,
                        proposer_number=hall.members[3].number)
    assert refusal(voting.open_round, db, None, hall.coop, motion, VotingMode.HANDS, now=NOW) == {
        None: "Vote on the amendment “Bajar la cuota a 20 dólares” first: amendments are voted before their motion."}
    db.rollback()
    vote_round = open_vote(db, hall, amendment, VotingMode.HANDS)
    voting.enter_totals(db, None, hall.coop, vote_round, yes=6, no=2, abstain=0)
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    db.commit()
    db.refresh(motion)
    assert [(v.number, v.text, v.amendment_id) for v in motion.versions] == [
        (1, "Se aprueba el presupuesto 2027.", None), (2, "Se aprueba el presupuesto con cuota de 20.", amendment.id)]
    assert amendment.status == MotionStatus.CARRIED
    assert db.query(Resolution).count() == 0  # an amendment is folded into its motion, not resolved apart
    final = open_vote(db, hall, motion, VotingMode.HANDS)
    assert final.version_id == motion.versions[-1].id
    voting.enter_totals(db, None, hall.coop, final, yes=7, no=1, abstain=0)
    voting.close_round(db, None, hall.coop, final, now=NOW)
    db.commit()
    resolution = db.query(Resolution).one()
    assert resolution.text == "Se aprueba el presupuesto con cuota de 20."


def test_an_amendment_is_not_amended_again_nor_made_to_a_decided_motion(db, hall):
    motion = propose(db, hall)
    amendment = propose(db, hall, title="Otra cuota", text="…", amends=motion)
    assert refusal(motions.propose_motion, db, None, hall.coop, hall.item, title="Más", text="…",
                   proposer_number=hall.members[0].number, amends=amendment, now=NOW) == {
        "amends": "An amendment cannot be amended; propose another amendment to the motion."}
    motions.move_motion(db, None, hall.coop, motion, MotionStatus.WITHDRAWN)
    assert refusal(motions.propose_motion, db, None, hall.coop, hall.item, title="Más", text="…",
                   proposer_number=hall.members[0].number, amends=motion, now=NOW) == {
        "amends": "That motion is no longer open to amendments."}


def test_a_defeated_amendment_leaves_the_text_as_it_was(db, hall):
    motion = propose(db, hall)
    amendment = propose(db, hall, title="Cuota de 10", text="Cuota de 10.", amends=motion)
    vote_round = open_vote(db, hall, amendment, VotingMode.NAMED)
    for entry in hall.present[:5]:
        voting.cast_vote(db, None, hall.coop, vote_round, entry, Choice.NO, now=NOW)
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    db.commit()
    db.refresh(motion)
    assert [v.number for v in motion.versions] == [1]
    assert amendment.status == MotionStatus.DEFEATED
