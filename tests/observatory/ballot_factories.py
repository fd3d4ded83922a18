"""Factories for the ballots' tests: a process with proposals on its ballot, ballots cast through
the service, and assemblies to put the result to."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.tenancy import Coop
from meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus, Motion, MotionStatus, Resolution
from meetings.observatory import ballots
from meetings.observatory.models import BallotChannel, BallotChoice, ParticipatoryBudget, Proposal
from tests.observatory.conftest import NOW, TODAY

#: proposals of the ballot in the examples: (title, cost in minor units)
PARK, LIGHTS, WALL, CLINIC = (("Juegos infantiles en el parque", 400_000), ("Alumbrado del pasaje", 300_000),
                              ("Muro de contención de la quebrada", 650_000), ("Botiquín comunitario", 250_000))


@pytest.fixture
def budget_with_proposals(db, obs_coop, make_member, make_process, make_proposal):
    """(process, [proposals]) of 10,000.00 with four proposals on the ballot, and their proposer."""
    def factory(rule=None, rows=(PARK, LIGHTS, WALL, CLINIC), **dates):
        proposer = make_member(obs_coop, given_names="Rosa")
        process = make_process(obs_coop, **({"rule": rule} if rule else {}), **dates)
        made = [make_proposal(process, proposer, title=title, cost_minor=cost) for title, cost in rows]
        return process, made
    return factory


def cast(db, coop, process, member, proposals, *, channel=BallotChannel.PHONE, today=TODAY, actor=None):
    """Cast a ballot through the service and commit."""
    db.rollback()
    ballot = ballots.cast_ballot(db, actor, db.merge(coop), db.merge(process), db.merge(member),
                                 [p.id for p in proposals], channel=channel, today=today, now=NOW)
    db.commit()
    return ballot


def supports_equal_choices(db, process_id: int) -> bool:
    """Every proposal's counter equals its choices' rows."""
    db.rollback()
    counted = dict(db.execute(sa.select(BallotChoice.proposal_id, sa.func.count()).group_by(BallotChoice.proposal_id)
                              .join(Proposal, Proposal.id == BallotChoice.proposal_id)
                              .where(Proposal.process_id == process_id)).all())
    counters = dict(db.execute(sa.select(Proposal.id, Proposal.supports)
                               .where(Proposal.process_id == process_id)).all())
    return all(counters[pid] == counted.get(pid, 0) for pid in counters)


def make_assembly(db, coop, *, status=MeetingStatus.CONVENED, kind=MeetingKind.ORDINARY,
                  title="Asamblea general ordinaria abril 2027") -> Meeting:
    db.rollback()
    meeting = Meeting(coop_id=coop.id, kind=kind, title=title, first_call_dt=dt.datetime(2027, 4, 10, 14, 0),
                      status=status)
    db.add(meeting)
    db.commit()
    return meeting


def carry(db, process: ParticipatoryBudget, *, number=1) -> Resolution:
    """The assembly carries the process's motion: it becomes a resolution (as the vote's close does)."""
    db.rollback()
    process = db.get(ParticipatoryBudget, process.id)
    motion = db.get(Motion, process.motion_id)
    motion.status = MotionStatus.CARRIED
    resolution = Resolution(coop_id=process.coop_id, year=2027, number=number, meeting_id=motion.meeting_id,
                            motion_id=motion.id, title=motion.title, text=motion.versions[-1].text,
                            decided_on=dt.date(2027, 4, 10))
    db.add(resolution)
    db.commit()
    return resolution


def items_of(db, meeting: Meeting) -> list[AgendaItem]:
    db.rollback()
    return list(db.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)))


def coop_of(db, coop) -> Coop:
    db.rollback()
    return db.get(Coop, coop.id)


def phase_dates(today: dt.date, phase: str) -> dict:
    """A process's dates such that ``today`` falls in ``phase`` (support, blocks or assembly)."""
    day = dt.timedelta(days=1)
    support_opens = {"support": today - 5 * day, "blocks": today - 20 * day, "assembly": today - 40 * day}[phase]
    support_closes = {"support": today + 5 * day, "blocks": today - day, "assembly": today - 20 * day}[phase]
    blocks_close = {"support": today + 15 * day, "blocks": today + 10 * day, "assembly": today - day}[phase]
    return {"proposals_opens_on": support_opens - 60 * day, "proposals_closes_on": support_opens - 40 * day,
            "review_closes_on": support_opens - 20 * day, "support_opens_on": support_opens,
            "support_closes_on": support_closes, "blocks_close_on": blocks_close}
