"""The office sets up this year's participatory budget, members propose during the proposals
phase, and the board reviews what can be done before support opens: each rule at its edge, and
nothing half-saved when one says no."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.auth.models import User
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger.models import Account, AccountType, Budget
from meetings.observatory import participation
from meetings.observatory import proposals as proposal_services
from meetings.observatory.models import ParticipatoryBudget, Proposal, ProposalStatus, SupportRule
from meetings.observatory.phases import Phase
from members.models import Member
from minga.models import Commission
from tests.observatory.conftest import NOW, TODAY, account, refusal
from tests.observatory.participation_factories import dates_in
from tests.ledger.conftest import run_at_once


@pytest.fixture
def secretary(db, obs_coop, make_user):
    return make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"])


def process_data(db, coop, **changes) -> participation.ProcessData:
    values = dict(year=2027, title="Presupuesto participativo 2027", description="Obras del barrio",
                  amount_minor=1_500_000, account_id=account(db, coop, "1.2.03").id, budget_id=None,
                  rule=SupportRule.KNAPSACK.value, **dates_in(Phase.UPCOMING, TODAY))
    values.update(changes)
    return participation.ProcessData(**values)


def proposal_data(**changes) -> proposal_services.ProposalData:
    values = dict(title="Graderíos en la cancha", description="Graderíos de hormigón para el bloque C.",
                  block="C", place="Cancha del bloque C", estimated_cost_minor=320_000, commission_id=None)
    values.update(changes)
    return proposal_services.ProposalData(**values)


def fresh(db, *objects):
    db.rollback()
    return [db.merge(o) for o in objects]


# --- the process --------------------------------------------------------------------------------------

def test_the_secretary_sets_up_this_years_process_and_it_is_audited(ctx, db, obs_coop, secretary):
    coop, actor = fresh(db, obs_coop, secretary)
    process = participation.create_process(db, actor, coop, process_data(db, coop))
    db.commit()
    assert process.amount_minor == 1_500_000 and process.rule is SupportRule.KNAPSACK
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "observatory.create_process"))
    assert event.object_id == process.id and "2027" in event.summary


def test_a_second_process_for_the_same_year_is_refused_beside_the_year(ctx, db, obs_coop, secretary, make_process):
    make_process(obs_coop, year=2027)
    coop, actor = fresh(db, obs_coop, secretary)
    assert refusal(participation.create_process, db, actor, coop, process_data(db, coop)) == {
        "year": "There is already a participatory budget for 2027."}


def test_dates_out_of_order_are_each_reported_beside_their_field(ctx, db, obs_coop, secretary):
    coop, actor = fresh(db, obs_coop, secretary)
    data = process_data(db, coop, proposals_closes_on=dt.date(2027, 1, 1), proposals_opens_on=dt.date(2027, 1, 10),
                        review_closes_on=dt.date(2027, 2, 1), support_opens_on=dt.date(2027, 1, 20),
                        support_closes_on=dt.date(2027, 2, 10), blocks_close_on=None)
    errors = refusal(participation.create_process, db, actor, coop, data)
    assert set(errors) == {"proposals_closes_on", "support_opens_on", "blocks_close_on"}
    assert errors["proposals_closes_on"].startswith("It cannot be before “Proposals open on”")
    assert errors["blocks_close_on"] == "Give the date."
    assert db.scalar(sa.select(sa.func.count(ParticipatoryBudget.id))) == 0


def test_the_amount_must_be_positive_and_come_from_a_fund_or_budget_line(ctx, db, obs_coop, secretary):
    coop, actor = fresh(db, obs_coop, secretary)
    income = db.scalar(sa.select(Account).where(Account.coop_id == coop.id, Account.type == AccountType.INCOME))
    errors = refusal(participation.create_process, db, actor, coop,
                     process_data(db, coop, amount_minor=0, account_id=income.id, rule="lottery"))
    assert errors == {"amount_minor": "The amount must be more than zero.",
                      "account_id": "The money comes from a fund, a budget line or a reserve: an open asset, "
                                    "expense or equity account.",
                      "rule": "Choose how members support proposals."}
    assert income.id not in {a.id for a in participation.source_accounts(db, coop)}


def test_the_budget_named_must_be_the_processs_year(ctx, db, obs_coop, secretary):
    coop, actor = fresh(db, obs_coop, secretary)
    budget = Budget(coop_id=coop.id, year=2026)
    db.add(budget)
    db.flush()
    assert refusal(participation.create_process, db, actor, coop, process_data(db, coop, budget_id=budget.id)) == {
        "budget_id": "The budget must be the one of the process's year."}


def test_once_support_has_begun_only_title_and_description_change(ctx, db, obs_coop, secretary, make_process):
    process = make_process(obs_coop)  # in its support phase on TODAY
    coop, actor, process = fresh(db, obs_coop, secretary, process)
    data = process_data(db, coop, amount_minor=2_000_000, rule=SupportRule.APPROVAL.value,
                        **{name: getattr(process, name) for name, _label in participation.DATE_FIELDS})
    errors = refusal(participation.update_process, db, actor, coop, process, data, today=TODAY)
    assert set(errors) == {"amount_minor", "rule"}
    process = fresh(db, process)[0]
    assert process.amount_minor == 1_000_000

    same = participation.ProcessData(
        year=process.year, title="Presupuesto participativo 2027: obras del barrio", description="Nueva descripción",
        amount_minor=process.amount_minor, account_id=process.account_id, budget_id=None, rule=process.rule.value,
        **{name: getattr(process, name) for name, _label in participation.DATE_FIELDS})
    participation.update_process(db, actor, coop, process, same, today=TODAY)
    db.commit()
    assert fresh(db, process)[0].title.endswith("obras del barrio")
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "observatory.update_process"))
    assert set(event.changes) == {"title", "description"}


def test_before_support_the_dates_and_amount_may_still_change(ctx, db, obs_coop, secretary, make_process):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, TODAY))
    coop, actor, process = fresh(db, obs_coop, secretary, process)
    later = dates_in(Phase.UPCOMING, TODAY)
    participation.update_process(db, actor, coop, process, process_data(db, coop, amount_minor=900_000, **later),
                                 today=TODAY)
    db.commit()
    process = fresh(db, process)[0]
    assert process.amount_minor == 900_000 and process.proposals_opens_on == later["proposals_opens_on"]


# --- proposals -------------------------------------------------------------------------------------

def test_members_proposals_are_numbered_within_the_process(ctx, db, obs_coop, make_member, make_process, make_user):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, TODAY))
    other_year = make_process(obs_coop, year=2026)
    rosa = make_member(obs_coop, given_names="Rosa")
    user = make_user(coop=obs_coop, roles=["member"])
    coop, process, other_year, rosa, user = fresh(db, obs_coop, process, other_year, rosa, user)
    db.add(Proposal(coop_id=coop.id, process_id=other_year.id, number=7, proposer_id=rosa.id, title="Antes",
                    description="x", estimated_cost_minor=100))
    first = proposal_services.submit_proposal(db, user, coop, process, rosa, proposal_data(), today=TODAY)
    second = proposal_services.submit_proposal(db, user, coop, process, rosa, proposal_data(title="Luminarias"),
                                               today=TODAY)
    db.commit()
    assert (first.number, second.number) == (1, 2)
    assert proposal_services.reference(second) == "P-2" and first.status is ProposalStatus.SUBMITTED
    assert db.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "observatory.submit_proposal")
                     .order_by(AuditEvent.id).limit(1)).startswith("2027 P-1")


@pytest.mark.parametrize("phase", [Phase.UPCOMING, Phase.REVIEW, Phase.SUPPORT])
def test_a_proposal_outside_the_proposals_phase_is_refused_and_nothing_saved(ctx, db, obs_coop, make_member,
                                                                              make_process, make_user, phase):
    process = make_process(obs_coop, **dates_in(phase, TODAY))
    rosa, user = make_member(obs_coop), make_user(coop=obs_coop, roles=["member"])
    coop, process, rosa, user = fresh(db, obs_coop, process, rosa, user)
    message = refusal(proposal_services.submit_proposal, db, user, coop, process, rosa, proposal_data(),
                      today=TODAY)[None]
    assert message.startswith("Proposals are taken from") and "Nothing was saved." in message
    assert db.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_a_proposal_needs_a_positive_cost_a_title_and_an_active_commission_of_the_coop(
        ctx, db, obs_coop, make_member, make_process, make_user, make_coop):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, TODAY))
    rosa, user = make_member(obs_coop), make_user(coop=obs_coop, roles=["member"])
    elsewhere = make_coop("otra")
    coop, process, rosa, user = fresh(db, obs_coop, process, rosa, user)
    foreign = Commission(coop_id=elsewhere.id, name="Ajena")
    resting = Commission(coop_id=coop.id, name="Dormida", is_active=False)
    db.add_all([foreign, resting])
    db.flush()
    for commission in (foreign, resting):
        errors = refusal(proposal_services.submit_proposal, db, user, coop, process, rosa,
                         proposal_data(title=" ", estimated_cost_minor=0, commission_id=commission.id), today=TODAY)
        assert errors == {"title": "Give your proposal a title.",
                          "estimated_cost_minor": "The cost must be more than zero.",
                          "commission_id": "Choose one of the co-op's active commissions, or none."}
    assert refusal(proposal_services.submit_proposal, db, user, coop, process, None, proposal_data(),
                   today=TODAY)[None].startswith("Only a member of the co-op's register can propose.")


def test_the_proposer_withdraws_until_support_opens_and_nobody_else_can(ctx, db, obs_coop, make_member, make_process,
                                                                          make_proposal, make_user):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, TODAY))
    rosa, luis = make_member(obs_coop, given_names="Rosa"), make_member(obs_coop, given_names="Luis")
    proposal = make_proposal(process, rosa, status=ProposalStatus.SUBMITTED)
    user = make_user(coop=obs_coop, roles=["member"])
    coop, proposal, rosa, luis, user = fresh(db, obs_coop, proposal, rosa, luis, user)
    assert refusal(proposal_services.withdraw_proposal, db, user, coop, proposal, luis, today=TODAY) == {
        None: "Only the member who made a proposal can withdraw it."}
    support_day = proposal.process.support_opens_on
    assert not proposal_services.may_withdraw(proposal, rosa, support_day)
    assert refusal(proposal_services.withdraw_proposal, db, user, coop, proposal, rosa, today=support_day)[None] \
        .startswith("Support has opened")
    proposal_services.withdraw_proposal(db, user, coop, proposal, rosa, today=TODAY)
    db.commit()
    assert fresh(db, proposal)[0].status is ProposalStatus.WITHDRAWN


# --- the board's review --------------------------------------------------------------------------------

def test_the_board_finds_a_proposal_feasible_at_a_revised_cost_with_its_reason(ctx, db, obs_coop, make_member,
                                                                                make_process, make_proposal, secretary):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, TODAY))
    proposal = make_proposal(process, make_member(obs_coop), status=ProposalStatus.SUBMITTED, cost_minor=300_000)
    coop, proposal, actor = fresh(db, obs_coop, proposal, secretary)
    assert refusal(proposal_services.review_proposal, db, actor, coop, proposal, is_feasible=True,
                   cost_minor=350_000, reason="", today=TODAY, now=NOW) == {"reason": "Say why the cost was revised."}
    assert refusal(proposal_services.review_proposal, db, actor, coop, proposal, is_feasible=True,
                   cost_minor=0, reason="", today=TODAY, now=NOW) == {"cost_minor": "The cost must be more than zero."}
    proposal_services.review_proposal(db, actor, coop, proposal, is_feasible=True, cost_minor=350_000,
                                      reason="El hormigón subió de precio.", today=TODAY, now=NOW)
    db.commit()
    proposal = fresh(db, proposal)[0]
    assert (proposal.status, proposal.final_cost_minor, proposal.estimated_cost_minor) == (
        ProposalStatus.FEASIBLE, 350_000, 300_000)
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "observatory.review_proposal"))
    assert event.changes["status"] == ["submitted", "feasible"] and event.changes["cost_minor"] == [None, 350_000]


def test_a_proposal_is_not_feasible_only_with_a_reason(ctx, db, obs_coop, make_member, make_process, make_proposal,
                                                       secretary):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, TODAY))  # the board may start early
    proposal = make_proposal(process, make_member(obs_coop), status=ProposalStatus.SUBMITTED)
    coop, proposal, actor = fresh(db, obs_coop, proposal, secretary)
    assert "reason" in refusal(proposal_services.review_proposal, db, actor, coop, proposal, is_feasible=False,
                               cost_minor=None, reason="  ", today=TODAY, now=NOW)
    proposal_services.review_proposal(db, actor, coop, proposal, is_feasible=False, cost_minor=None,
                                      reason="El terreno no es de la cooperativa.", today=TODAY, now=NOW)
    db.commit()
    proposal = fresh(db, proposal)[0]
    assert proposal.status is ProposalStatus.NOT_FEASIBLE and proposal.review_reason.startswith("El terreno")


@pytest.mark.parametrize("phase", [Phase.UPCOMING, Phase.SUPPORT, Phase.ASSEMBLY])
def test_the_board_cannot_review_outside_its_phases(ctx, db, obs_coop, make_member, make_process, make_proposal,
                                                    secretary, phase):
    process = make_process(obs_coop, **dates_in(phase, TODAY))
    proposal = make_proposal(process, make_member(obs_coop), status=ProposalStatus.SUBMITTED)
    coop, proposal, actor = fresh(db, obs_coop, proposal, secretary)
    assert "Nothing was changed." in refusal(proposal_services.review_proposal, db, actor, coop, proposal,
                                             is_feasible=True, cost_minor=None, reason="", today=TODAY, now=NOW)[None]
    assert fresh(db, proposal)[0].status is ProposalStatus.SUBMITTED


def test_a_withdrawn_proposal_is_not_reviewed(ctx, db, obs_coop, make_member, make_process, make_proposal, secretary):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, TODAY))
    proposal = make_proposal(process, make_member(obs_coop), status=ProposalStatus.WITHDRAWN)
    coop, proposal, actor = fresh(db, obs_coop, proposal, secretary)
    assert refusal(proposal_services.review_proposal, db, actor, coop, proposal, is_feasible=True, cost_minor=None,
                   reason="", today=TODAY, now=NOW) == {
        None: "Its proposer withdrew this proposal: there is nothing to review."}


# --- reading --------------------------------------------------------------------------------------------

def test_the_page_lists_feasible_proposals_first_and_withdrawn_ones_only_for_officers(db, obs_coop, make_member,
                                                                                       make_process, make_proposal):
    process = make_process(obs_coop)
    rosa = make_member(obs_coop)
    make_proposal(process, rosa, title="No se puede", status=ProposalStatus.NOT_FEASIBLE)
    make_proposal(process, rosa, title="Retirada", status=ProposalStatus.WITHDRAWN)
    make_proposal(process, rosa, title="Parque")
    make_proposal(process, rosa, title="Pendiente", status=ProposalStatus.SUBMITTED)
    make_proposal(process, rosa, title="Cancha")
    process = fresh(db, process)[0]
    assert [p.title for p in participation.listed_proposals(db, process, with_withdrawn=False)] == [
        "Parque", "Cancha", "Pendiente", "No se puede"]
    assert [p.title for p in participation.listed_proposals(db, process, with_withdrawn=True)][-1] == "Retirada"


def test_supports_show_to_officers_during_support_and_to_everyone_after_it(db, obs_coop, make_process):
    process = fresh(db, make_process(obs_coop))[0]
    during, after = process.support_opens_on, process.support_closes_on + dt.timedelta(days=1)
    before = process.support_opens_on - dt.timedelta(days=1)
    assert not proposal_services.may_see_supports(process, before, is_officer=True)
    assert proposal_services.may_see_supports(process, during, is_officer=True)
    assert not proposal_services.may_see_supports(process, during, is_officer=False)
    assert proposal_services.may_see_supports(process, after, is_officer=False)


# --- at the same moment ----------------------------------------------------------------------------------

def test_members_proposing_at_the_same_moment_get_distinct_numbers(app, db, obs_coop, make_member, make_process,
                                                                   make_user):
    count = 8
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, TODAY))
    members = [make_member(obs_coop) for _ in range(count)]
    user = make_user(coop=obs_coop, roles=["member"])
    database, start, outcomes = app.extensions["coop.db"], threading.Barrier(count), []

    def propose(member_id: int) -> None:
        try:
            start.wait(timeout=30)
            with database.unit_of_work() as session, app.test_request_context():
                proposal_services.submit_proposal(
                    session, session.get(User, user.id), session.get(Coop, obs_coop.id),
                    session.get(ParticipatoryBudget, process.id), session.get(Member, member_id),
                    proposal_data(title=f"Propuesta {member_id}"), today=TODAY)
            outcomes.append("saved")
        except DomainError as error:
            outcomes.append(error.text)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            outcomes.append(repr(error))

    run_at_once(propose, [(m.id,) for m in members])
    assert outcomes == ["saved"] * count
    db.rollback()
    numbers = db.scalars(sa.select(Proposal.number).where(Proposal.process_id == process.id)
                         .order_by(Proposal.number)).all()
    assert numbers == list(range(1, count + 1))
