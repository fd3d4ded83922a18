"""Proposals in a participatory budget: any member proposes during the proposals phase, may
change or withdraw their own until support opens (so may the participation officers change it),
and the board reviews each one (feasible, perhaps at a revised cost, or not feasible with the
reason) during the proposals and review phases. A proposal its proposer changes after the board
reviewed it goes back to the board: what members support is what the board checked.

A proposal's number (P-1, P-2…) is the process's highest plus one, taken under the process row's
lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs one writer at a time), and the unique
constraint over (process, number) holds whatever happens.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, duplicates
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.tenancy import Coop
from members.models import Member
from minga.models import Commission
from meetings.observatory.models import ParticipatoryBudget, Proposal, ProposalStatus
from meetings.observatory.phases import PHASE_LABELS, Phase, phase_of

MAX_TITLE = 200
MAX_DESCRIPTION = 8000
MAX_BLOCK = 20
MAX_PLACE = 200
MAX_REASON = 2000

STATUS_LABELS = {
    ProposalStatus.SUBMITTED: _l("Waiting for the board's review"),
    ProposalStatus.FEASIBLE: _l("Feasible"),
    ProposalStatus.NOT_FEASIBLE: _l("Not feasible"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn by its proposer"),
}
#: the phases in which the board reviews
REVIEW_PHASES = (Phase.PROPOSALS, Phase.REVIEW)
#: until support opens, a proposal may still be changed or withdrawn
OPEN_PHASES = (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW)

audit.describe("observatory.submit_proposal", _l("Proposal submitted to a participatory budget"))
audit.describe("observatory.edit_proposal", _l("Proposal changed"))
audit.describe("observatory.withdraw_proposal", _l("Proposal withdrawn"))
audit.describe("observatory.review_proposal", _l("Proposal reviewed by the board"))
audit.describe_field("status", _l("State"), values=STATUS_LABELS, on="proposal")
for _field, _label, _values in (
        ("title", _l("Title"), None), ("block", _l("Block"), None), ("place", _l("Place"), None),
        ("estimated_cost_minor", _l("Estimated cost"), audit.money_text), ("commission", _l("Commission"), None),
        ("cost_minor", _l("Cost revised by the board"), audit.money_text),
        ("review_reason", _l("The board's reason"), None)):
    audit.describe_field(_field, _label, values=_values, on="proposal")
duplicates.unique_rule("uq_proposal_process_id_number",
                       _l("Another proposal took that number at the same moment. Send it again."))


@dataclass
class ProposalData:
    title: str
    description: str
    block: str
    place: str
    estimated_cost_minor: int | None
    commission_id: int | None


def reference(proposal: Proposal) -> str:
    return f"P-{proposal.number}"


def _check(session: so.Session, coop: Coop, data: ProposalData, problems: Problems,
           kept_commission_id: int | None = None) -> None:
    """Every problem of the data, beside its field; a commission the proposal already had stands
    even if it has closed since."""
    if not data.title.strip():
        problems.add(_l("Give your proposal a title."), "title")
    elif len(data.title.strip()) > MAX_TITLE:
        problems.add(_l("The title is too long."), "title")
    if not data.description.strip():
        problems.add(_l("Say what you propose and why."), "description")
    elif len(data.description) > MAX_DESCRIPTION:
        problems.add(_l("The description is too long."), "description")
    if len(data.block.strip()) > MAX_BLOCK:
        problems.add(_l("The block is too long."), "block")
    if len(data.place.strip()) > MAX_PLACE:
        problems.add(_l("The place is too long."), "place")
    if data.estimated_cost_minor is None:
        problems.add(_l("Give an estimate of what it costs."), "estimated_cost_minor")
    elif data.estimated_cost_minor <= 0:
        problems.add(_l("The cost must be more than zero."), "estimated_cost_minor")
    if data.commission_id and data.commission_id != kept_commission_id:
        commission = session.get(Commission, data.commission_id)
        if commission is None or commission.coop_id != coop.id or not commission.is_active:
            problems.add(_l("Choose one of the co-op's active commissions, or none."), "commission_id")


def _values(data: ProposalData) -> dict:
    """The proposal's own fields as the form gives them, trimmed."""
    return {"title": data.title.strip(), "description": data.description.strip(), "block": data.block.strip(),
            "place": data.place.strip(), "estimated_cost_minor": data.estimated_cost_minor,
            "commission_id": data.commission_id or None}


def locked_process(session: so.Session, process: ParticipatoryBudget) -> ParticipatoryBudget:
    """The process row, locked until the unit of work ends (proposal numbers are taken, and a
    block's tally replaced, one at a time)."""
    return session.scalars(sa.select(ParticipatoryBudget).where(ParticipatoryBudget.id == process.id)
                           .with_for_update().execution_options(populate_existing=True)).one()


def submit_proposal(session: so.Session, actor: User, coop: Coop, process: ParticipatoryBudget,
                    proposer: Member | None, data: ProposalData, *, today: dt.date) -> Proposal:
    """A member's proposal, numbered within the process; only during the proposals phase."""
    if proposer is None or proposer.coop_id != coop.id:
        raise DomainError(_l("Only a member of the co-op's register can propose. Ask the office to link your "
                             "account to your membership."))
    phase = phase_of(process, today)
    if phase is not Phase.PROPOSALS:
        raise DomainError(_l("Proposals are taken from %(opens)s to %(closes)s; this process is now in its phase "
                             "“%(phase)s”. Nothing was saved.", opens=process.proposals_opens_on.isoformat(),
                             closes=process.proposals_closes_on.isoformat(), phase=PHASE_LABELS[phase]))
    problems = Problems()
    _check(session, coop, data, problems)
    problems.raise_any()
    process = locked_process(session, process)
    number = (session.scalar(sa.select(sa.func.max(Proposal.number)).where(Proposal.process_id == process.id))
              or 0) + 1
    proposal = Proposal(coop_id=coop.id, process_id=process.id, number=number, proposer_id=proposer.id,
                        **_values(data))
    with duplicates.refusing_duplicates(session):
        session.add(proposal)
        session.flush()
    audit.record(session, action="observatory.submit_proposal", coop=coop, actor=actor, obj=proposal,
                 summary=f"{process.year} {reference(proposal)} · {proposal.title}",
                 details={"amount": proposal.estimated_cost_minor})
    return proposal


def may_withdraw(proposal: Proposal, member: Member | None, today: dt.date) -> bool:
    return (member is not None and proposal.proposer_id == member.id
            and proposal.status is not ProposalStatus.WITHDRAWN
            and phase_of(proposal.process, today) in OPEN_PHASES)


def may_edit(proposal: Proposal, member: Member | None, today: dt.date, *, is_officer: bool) -> bool:
    """Its proposer, or a participation officer, until support opens (a withdrawn one: never)."""
    return ((is_officer or (member is not None and proposal.proposer_id == member.id))
            and proposal.status is not ProposalStatus.WITHDRAWN
            and phase_of(proposal.process, today) in OPEN_PHASES)


def back_to_review(proposal: Proposal, *, is_officer: bool) -> bool:
    """Whether a change by this editor sends the proposal back to the board: its proposer changing
    what the board reviewed. An officer's change (the board's own) keeps the review."""
    return not is_officer and proposal.status in (ProposalStatus.FEASIBLE, ProposalStatus.NOT_FEASIBLE)


def _commission_name(session: so.Session, commission_id: int | None) -> str | None:
    commission = session.get(Commission, commission_id) if commission_id else None
    return commission.name if commission is not None else None


def edit_proposal(session: so.Session, actor: User, coop: Coop, proposal: Proposal, member: Member | None,
                  data: ProposalData, *, is_officer: bool, today: dt.date) -> dict[str, list]:
    """Change a proposal's title, description, place, estimate or commission until support opens;
    the changes recorded (none: nothing recorded)."""
    if not is_officer and (member is None or proposal.proposer_id != member.id):
        raise DomainError(_l("Only the member who made a proposal, or the officers of the participatory budget, "
                             "can change it."))
    process = locked_process(session, proposal.process)  # the dates as they stand, one change at a time
    session.refresh(proposal)
    if proposal.status is ProposalStatus.WITHDRAWN:
        raise DomainError(_l("This proposal was withdrawn: it can no longer change."))
    phase = phase_of(process, today)
    if phase not in OPEN_PHASES:
        raise DomainError(_l("Support opened on %(day)s: members are supporting the proposal as it stood, so it "
                             "can no longer change. Nothing was changed.", day=process.support_opens_on.isoformat()))
    problems = Problems()
    _check(session, coop, data, problems, kept_commission_id=proposal.commission_id)
    problems.raise_any()
    values = _values(data)
    changes = audit.changes_between(proposal, values)
    if not changes:
        return {}
    if back_to_review(proposal, is_officer=is_officer):
        review = {"status": ProposalStatus.SUBMITTED, "cost_minor": None, "review_reason": ""}
        changes.update(audit.changes_between(proposal, review))
        values.update(review)
    if "commission_id" in changes:
        changes["commission"] = [_commission_name(session, c) for c in changes.pop("commission_id")]
    for name, value in values.items():
        setattr(proposal, name, value)
    session.flush()
    audit.record(session, action="observatory.edit_proposal", coop=coop, actor=actor, obj=proposal,
                 summary=f"{process.year} {reference(proposal)} · {proposal.title}", changes=changes)
    return changes


def withdraw_proposal(session: so.Session, actor: User, coop: Coop, proposal: Proposal, member: Member | None,
                      *, today: dt.date) -> Proposal:
    """The proposer takes their proposal back, until support opens."""
    if member is None or proposal.proposer_id != member.id:
        raise DomainError(_l("Only the member who made a proposal can withdraw it."))
    if proposal.status is ProposalStatus.WITHDRAWN:
        raise DomainError(_l("This proposal was already withdrawn."))
    if not may_withdraw(proposal, member, today):
        raise DomainError(_l("Support has opened: the proposal stays on the ballot as the board left it."))
    changes = audit.changes_between(proposal, {"status": ProposalStatus.WITHDRAWN})
    proposal.status = ProposalStatus.WITHDRAWN
    session.flush()
    audit.record(session, action="observatory.withdraw_proposal", coop=coop, actor=actor, obj=proposal,
                 summary=f"{proposal.process.year} {reference(proposal)} · {proposal.title}", changes=changes)
    return proposal


def may_review(proposal: Proposal, today: dt.date) -> bool:
    return (proposal.status is not ProposalStatus.WITHDRAWN
            and phase_of(proposal.process, today) in REVIEW_PHASES)


def review_proposal(session: so.Session, actor: User, coop: Coop, proposal: Proposal, *, is_feasible: bool,
                    cost_minor: int | None, reason: str, today: dt.date, now: dt.datetime) -> Proposal:
    """The board's review: feasible (at the estimate, or at a revised cost with the reason) or not
    feasible with the reason. Again as often as needed until support opens."""
    phase = phase_of(proposal.process, today)
    if phase not in REVIEW_PHASES:
        raise DomainError(_l("The board reviews proposals until support opens; this process is in its phase "
                             "“%(phase)s”. Nothing was changed.", phase=PHASE_LABELS[phase]))
    if proposal.status is ProposalStatus.WITHDRAWN:
        raise DomainError(_l("Its proposer withdrew this proposal: there is nothing to review."))
    reason = reason.strip()
    problems = Problems()
    if len(reason) > MAX_REASON:
        problems.add(_l("The reason is too long."), "reason")
    if is_feasible:
        revised = cost_minor if cost_minor is not None and cost_minor != proposal.estimated_cost_minor else None
        if cost_minor is not None and cost_minor <= 0:
            problems.add(_l("The cost must be more than zero."), "cost_minor")
        elif revised is not None and not reason:
            problems.add(_l("Say why the cost was revised."), "reason")
    else:
        revised = None
        if not reason:
            problems.add(_l("Say why it is not feasible: its proposer and every member read it."), "reason")
    problems.raise_any()
    status = ProposalStatus.FEASIBLE if is_feasible else ProposalStatus.NOT_FEASIBLE
    values = {"status": status, "cost_minor": revised, "review_reason": reason}
    changes = audit.changes_between(proposal, values)
    for name, value in values.items():
        setattr(proposal, name, value)
    proposal.reviewed_by_id, proposal.reviewed_dt = actor.id, now
    session.flush()
    audit.record(session, action="observatory.review_proposal", coop=coop, actor=actor, obj=proposal,
                 summary=f"{proposal.process.year} {reference(proposal)} · {proposal.title}", changes=changes)
    return proposal


def may_see_supports(process: ParticipatoryBudget, today: dt.date, *, is_officer: bool) -> bool:
    """Supports are counted as ballots come in: officers see them from the support phase on,
    everyone once support has closed."""
    if today > process.support_closes_on or process.resolution_id is not None:
        return True
    return is_officer and today >= process.support_opens_on
