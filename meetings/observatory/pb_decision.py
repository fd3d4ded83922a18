"""The general assembly's decision on a participatory budget, in two steps.

First the result is put to a coming general assembly: Ayllu adds an item to its order of the
day and a motion whose text is the computed result in words (under the LOT tie rule the tie is
drawn here, once, and kept, so the assembly votes on one result). The assembly debates and votes
the motion with its own tools. Once the motion has carried and become a resolution, the decision
is recorded: the process points at the resolution, its result's text is frozen as it was, and
each funded proposal becomes a work package against the process's budget line, in one
transaction. Recording twice creates nothing twice: the process row is claimed by a conditional
``UPDATE ... WHERE resolution_id IS NULL`` and a proposal has at most one work package.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError
from coop.tenancy import Coop
from meetings import agenda, motions
from meetings.models import GENERAL_KINDS, Meeting, MeetingStatus, Motion, MotionStatus, Resolution
from meetings.observatory.models import BudgetTieRule, ParticipatoryBudget, Proposal, WorkPackage
from meetings.observatory.pb_counting import draw_lot
from meetings.observatory.pb_results import candidates_of, count_process, explain, tie_rule_of
from meetings.observatory.phases import Phase, phase_of

audit.describe("observatory.put_to_assembly", _l("Put a participatory budget's result to the assembly"))
audit.describe("observatory.decision", _l("Recorded the assembly's decision on a participatory budget"))

#: the assemblies a result may be put to: general ones whose order of the day still changes
OPEN_FOR_ITEMS = (MeetingStatus.DRAFT, MeetingStatus.CONVENED)
#: a motion that ended so may be replaced by a new one put to another assembly
ENDED_WITHOUT_DECISION = frozenset({MotionStatus.DEFEATED, MotionStatus.WITHDRAWN, MotionStatus.REFERRED})


def coming_assemblies(session: so.Session, coop: Coop) -> list[Meeting]:
    return list(session.scalars(sa.select(Meeting).where(
        Meeting.coop_id == coop.id, Meeting.kind.in_(GENERAL_KINDS), Meeting.status.in_(OPEN_FOR_ITEMS))
        .order_by(Meeting.first_call_dt)))


def _check_may_put(session: so.Session, process: ParticipatoryBudget, today: dt.date) -> None:
    phase = phase_of(process, today)
    if phase == Phase.DECIDED:
        raise DomainError(_l("This participatory budget is decided."))
    if phase != Phase.ASSEMBLY:
        raise DomainError(_l("The result goes to the assembly once the block assemblies close on %(day)s.",
                             day=format_date(process.blocks_close_on)))
    if process.motion_id is not None:
        motion = session.get(Motion, process.motion_id)
        if motion is not None and motion.status not in ENDED_WITHOUT_DECISION:
            raise DomainError(_l("The result is already before the assembly as the motion “%(title)s”.",
                                 title=motion.title))


def put_to_assembly(session: so.Session, actor: User | None, coop: Coop, process: ParticipatoryBudget,
                    meeting: Meeting | None, *, proposer_number: int | None, today: dt.date,
                    now: dt.datetime) -> Motion:
    """Add the result to ``meeting``'s order of the day as a motion; keep the meeting and motion."""
    if process.coop_id != coop.id:
        raise NotFoundError(_l("There is no such record in this co-op."))
    _check_may_put(session, process, today)
    if meeting is None or meeting.coop_id != coop.id or meeting.kind not in GENERAL_KINDS \
            or meeting.status not in OPEN_FOR_ITEMS:
        raise DomainError(_l("Choose a coming general assembly whose order of the day is still open."), field="meeting")
    if tie_rule_of(session, coop) == BudgetTieRule.LOT and not process.tie_draw:
        process.tie_draw = ",".join(str(n) for n in draw_lot([c.number for c in candidates_of(session, process)]))
    text = explain(coop, count_process(session, coop, process))
    title = _("%(title)s: the result", title=process.title)[:200]
    item = agenda.add_item(session, actor, coop, meeting, title, text)
    motion = motions.propose_motion(
        session, actor, coop, item, title=title, proposer_number=proposer_number, now=now,
        text=_("The general assembly approves the result of %(title)s: %(result)s", title=process.title, result=text))
    process.meeting_id, process.motion_id = meeting.id, motion.id
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.put_to_assembly", obj=process,
                 summary=f"{process.title}: {meeting.title}", details={"tie_draw": process.tie_draw})
    return motion


def resolution_of(session: so.Session, process: ParticipatoryBudget) -> Resolution | None:
    if process.motion_id is None:
        return None
    return session.scalar(sa.select(Resolution).where(Resolution.motion_id == process.motion_id))


def record_decision(session: so.Session, actor: User | None, coop: Coop,
                    process: ParticipatoryBudget) -> list[WorkPackage]:
    """The carried motion's resolution decides the process: freeze its result, open work packages."""
    if process.coop_id != coop.id:
        raise NotFoundError(_l("There is no such record in this co-op."))
    if process.resolution_id is not None:
        raise DomainError(_l("The decision is already recorded."))
    if process.motion_id is None:
        raise DomainError(_l("Put the result to a general assembly first."))
    resolution = resolution_of(session, process)
    if resolution is None:
        motion = session.get(Motion, process.motion_id)
        state = motions.STATUS_LABELS[motion.status] if motion is not None else "—"
        raise DomainError(_l("The assembly has not carried the motion yet (it is: %(state)s); the decision is "
                             "recorded once it is a resolution.", state=str(state).lower()))
    result = count_process(session, coop, process)
    text = explain(coop, result)
    claimed = session.execute(sa.update(ParticipatoryBudget).where(
        ParticipatoryBudget.id == process.id, ParticipatoryBudget.resolution_id.is_(None))
        .values(resolution_id=resolution.id, result_text=text).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise DomainError(_l("The decision is already recorded."))
    session.expire(process, ["resolution_id", "result_text"])
    proposals = {p.id: p for p in session.scalars(sa.select(Proposal).where(
        Proposal.id.in_([line.candidate.id for line in result.funded])))}
    packages = [WorkPackage(coop_id=coop.id, title=p.title, description=p.description, proposal_id=p.id,
                            resolution_id=resolution.id, account_id=process.account_id, voted_minor=p.final_cost_minor,
                            commission_id=p.commission_id)
                for p in (proposals[line.candidate.id] for line in result.funded)]
    session.add_all(packages)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.decision", obj=process,
                 summary=f"{process.title}: {resolution.reference}", details={"work_packages": len(packages)})
    return packages
