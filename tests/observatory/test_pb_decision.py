"""The general assembly's decision: the result goes to a coming assembly as a motion; once it has
carried, its resolution decides the process and each funded proposal becomes a work package,
once. Under the LOT tie rule the tie is drawn when the result is put, and kept."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from meetings.models import AgendaItem, MeetingKind, MeetingStatus, Motion, MotionStatus
from meetings.observatory import pb_decision, pb_results
from meetings.observatory.models import (BudgetTieRule, ObservatorySettings, ParticipatoryBudget, Proposal,
                                         WorkPackage)
from tests.observatory.ballot_factories import budget_with_proposals, carry, cast, make_assembly  # noqa: F401
from tests.observatory.conftest import NOW, refusal

pytestmark = pytest.mark.usefixtures("ctx")
AFTER_BLOCKS = dt.date(2027, 4, 2)


@pytest.fixture
def counted(db, obs_coop, make_member, budget_with_proposals):
    """A process whose ballots are in: the wall (3 supports) and the lights (2) fill 9,500.00 of
    10,000.00; the clinic (1 support, 2,500.00) no longer fits; nobody chose the park."""
    process, (park, lights, wall, clinic) = budget_with_proposals()
    for pick in ([wall, lights], [wall, lights], [wall], [clinic]):
        cast(db, obs_coop, process, make_member(obs_coop), pick)
    proposer = make_member(obs_coop, given_names="Carmen")
    return process, (park, lights, wall, clinic), proposer


def put(db, obs_coop, process, meeting, proposer, today=AFTER_BLOCKS):
    db.rollback()
    motion = pb_decision.put_to_assembly(db, None, db.merge(obs_coop), db.get(ParticipatoryBudget, process.id),
                                         db.merge(meeting), proposer_number=proposer.number, today=today, now=NOW)
    db.commit()
    return motion


def test_the_result_goes_to_a_coming_assembly_as_an_item_and_a_motion(db, obs_coop, counted):
    process, (park, lights, wall, clinic), proposer = counted
    assembly = make_assembly(db, obs_coop)
    motion = put(db, obs_coop, process, assembly, proposer)
    (item,) = db.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == assembly.id)).all()
    assert item.title == motion.title == "Presupuesto participativo 2027: the result"
    assert motion.versions[0].text.startswith(
        "The general assembly approves the result of Presupuesto participativo 2027: 2 proposals are funded for "
        "$9,500.00 of $10,000.00; $500.00 is left.")
    assert "Not funded: P-4 (did not fit: $500.00 left)." in motion.versions[0].text
    process = db.get(ParticipatoryBudget, process.id)
    assert (process.meeting_id, process.motion_id) == (assembly.id, motion.id)
    again = refusal(pb_decision.put_to_assembly, db, None, obs_coop, process, assembly,
                    proposer_number=proposer.number, today=AFTER_BLOCKS, now=NOW)
    assert again == {None: "The result is already before the assembly as the motion “Presupuesto participativo "
                           "2027: the result”."}


def test_the_result_is_not_put_before_the_blocks_close_nor_to_a_closed_or_block_meeting(db, obs_coop, counted):
    process, _proposals, proposer = counted
    assembly = make_assembly(db, obs_coop)
    early = refusal(pb_decision.put_to_assembly, db, None, obs_coop, process, assembly,
                    proposer_number=proposer.number, today=dt.date(2027, 3, 31), now=NOW)
    assert early == {None: "The result goes to the assembly once the block assemblies close on Mar 31, 2027."}
    for meeting in (make_assembly(db, obs_coop, status=MeetingStatus.CLOSED, title="Pasada"),
                    make_assembly(db, obs_coop, kind=MeetingKind.BLOCK, title="Bloque B")):
        assert refusal(pb_decision.put_to_assembly, db, None, db.merge(obs_coop), db.merge(process), meeting,
                       proposer_number=proposer.number, today=AFTER_BLOCKS, now=NOW) == {
            "meeting": "Choose a coming general assembly whose order of the day is still open."}
    assert [m.title for m in pb_decision.coming_assemblies(db, obs_coop)] == ["Asamblea general ordinaria abril 2027"]


def test_the_decision_waits_for_the_motion_to_carry_then_opens_one_work_package_per_funded_proposal(
        db, obs_coop, counted):
    process, (park, lights, wall, clinic), proposer = counted
    put(db, obs_coop, process, make_assembly(db, obs_coop), proposer)
    waiting = refusal(pb_decision.record_decision, db, None, obs_coop, db.get(ParticipatoryBudget, process.id))
    assert waiting == {None: "The assembly has not carried the motion yet (it is: proposed); the decision is "
                             "recorded once it is a resolution."}
    resolution = carry(db, process)
    db.rollback()
    packages = pb_decision.record_decision(db, None, db.merge(obs_coop), db.get(ParticipatoryBudget, process.id))
    db.commit()
    assert [(p.title, p.voted_minor, p.proposal_id, p.resolution_id) for p in packages] == [
        ("Muro de contención de la quebrada", 650_000, wall.id, resolution.id),
        ("Alumbrado del pasaje", 300_000, lights.id, resolution.id)]
    process = db.get(ParticipatoryBudget, process.id)
    assert process.resolution_id == resolution.id and process.result_text.startswith("2 proposals are funded")
    assert all(p.account_id == process.account_id for p in packages)
    twice = refusal(pb_decision.record_decision, db, None, obs_coop, process)
    assert twice == {None: "The decision is already recorded."}
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkPackage)) == 2


def test_without_a_motion_there_is_nothing_to_record(db, obs_coop, counted):
    process, _proposals, _proposer = counted
    assert refusal(pb_decision.record_decision, db, None, obs_coop, process) == {
        None: "Put the result to a general assembly first."}


def test_a_defeated_motion_lets_the_result_go_to_another_assembly(db, obs_coop, counted):
    process, _proposals, proposer = counted
    first = put(db, obs_coop, process, make_assembly(db, obs_coop), proposer)
    db.get(Motion, first.id).status = MotionStatus.DEFEATED
    db.commit()
    may = make_assembly(db, obs_coop, title="Asamblea extraordinaria mayo 2027")
    second = put(db, obs_coop, process, may, proposer)
    assert db.get(ParticipatoryBudget, process.id).motion_id == second.id != first.id


def test_a_tie_by_lot_is_drawn_once_when_the_result_is_put_and_the_count_keeps_it(
        db, obs_coop, make_member, budget_with_proposals):
    db.rollback()
    db.add(ObservatorySettings(coop_id=obs_coop.id, tie_rule=BudgetTieRule.LOT))
    db.commit()
    process, (a, b) = budget_with_proposals(rows=(("Sede del bloque A", 600_000), ("Sede del bloque B", 600_000)))
    cast(db, obs_coop, process, make_member(obs_coop), [a])
    cast(db, obs_coop, process, make_member(obs_coop), [b])
    before = pb_results.results_of(db, obs_coop, db.get(ParticipatoryBudget, process.id))
    assert before.count.is_draw_pending and "drawn by lot when the result is put to the assembly" in before.explanation
    put(db, obs_coop, process, make_assembly(db, obs_coop), make_member(obs_coop))
    process = db.get(ParticipatoryBudget, process.id)
    drawn = [int(n) for n in process.tie_draw.split(",")]
    assert sorted(drawn) == [1, 2]
    after = pb_results.results_of(db, obs_coop, process)
    assert not after.count.is_draw_pending
    assert [line.candidate.number for line in after.count.funded] == drawn[:1]
    assert f"Order drawn: P-{drawn[0]}, P-{drawn[1]}." in after.explanation
    assert pb_results.results_of(db, obs_coop, process).count.funded == after.count.funded  # the draw stays


def test_counts_come_from_the_counters(db, obs_coop, counted):
    process, (park, lights, wall, clinic), _proposer = counted
    db.rollback()
    assert {c.number: c.supports for c in pb_results.candidates_of(db, db.get(ParticipatoryBudget, process.id))} == {
        1: 0, 2: 2, 3: 3, 4: 1}
    assert db.get(Proposal, wall.id).supports == 3
