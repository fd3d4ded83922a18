"""Motions (mociones) and amendments on an agenda item: proposing them, moving them through their
states, and the versions of their text.

A motion is proposed by a member (typed by number), maybe seconded by another, with the majority
rule it will be voted under. Its text lives in versions: version 1 is the text as proposed; an
amendment is itself a motion that names the motion it amends and carries the new wording, and
when it is carried the wording becomes the motion's next version (``voting`` does that at close).
No version is ever changed. Amendments are voted before their motion: while one is undecided the
motion's vote cannot open.

The states a person moves a motion through here are draft, proposed, seconded, in debate,
withdrawn, tabled and referred (to a commission, named in the note); voting, carried and defeated
belong to the vote.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop
from members import reports as member_reports
from members.models import Member, MemberStatus
from meetings.models import AgendaItem, MajorityRule, Meeting, MeetingStatus, Motion, MotionStatus, MotionVersion

audit.describe("meetings.motion_proposed", _l("Recorded a motion at a meeting"))
audit.describe("meetings.motion_status", _l("Changed a motion's state"))

STATUS_LABELS = {
    MotionStatus.DRAFT: _l("Draft"),
    MotionStatus.PROPOSED: _l("Proposed"),
    MotionStatus.SECONDED: _l("Seconded"),
    MotionStatus.IN_DEBATE: _l("In debate"),
    MotionStatus.VOTING: _l("Being voted"),
    MotionStatus.CARRIED: _l("Carried"),
    MotionStatus.DEFEATED: _l("Defeated"),
    MotionStatus.WITHDRAWN: _l("Withdrawn"),
    MotionStatus.TABLED: _l("Tabled"),
    MotionStatus.REFERRED: _l("Referred to a commission"),
}
RULE_LABELS = {
    MajorityRule.SIMPLE: _l("Simple majority of the votes cast"),
    MajorityRule.ABSOLUTE_PRESENT: _l("Absolute majority of those present"),
    MajorityRule.TWO_THIRDS_CAST: _l("Two thirds of the votes cast"),
    MajorityRule.TWO_THIRDS_MEMBERS: _l("Two thirds of the members"),
    MajorityRule.UNANIMITY: _l("Unanimity"),
}
audit.describe_field("status", _l("State"), values=STATUS_LABELS, on="motion")

#: a motion in one of these states is settled: it takes no more votes nor amendments
DECIDED = frozenset({MotionStatus.CARRIED, MotionStatus.DEFEATED, MotionStatus.WITHDRAWN, MotionStatus.TABLED,
                     MotionStatus.REFERRED})
#: the states a motion may be put to the vote from
VOTABLE = frozenset({MotionStatus.PROPOSED, MotionStatus.SECONDED, MotionStatus.IN_DEBATE})
#: where a person may move a motion from each state (the vote moves it to voting, carried, defeated)
MOVES = {
    MotionStatus.DRAFT: {MotionStatus.PROPOSED, MotionStatus.WITHDRAWN},
    MotionStatus.PROPOSED: {MotionStatus.SECONDED, MotionStatus.IN_DEBATE, MotionStatus.WITHDRAWN,
                            MotionStatus.TABLED, MotionStatus.REFERRED},
    MotionStatus.SECONDED: {MotionStatus.IN_DEBATE, MotionStatus.WITHDRAWN, MotionStatus.TABLED,
                            MotionStatus.REFERRED},
    MotionStatus.IN_DEBATE: {MotionStatus.WITHDRAWN, MotionStatus.TABLED, MotionStatus.REFERRED},
    MotionStatus.TABLED: {MotionStatus.IN_DEBATE},  # taken from the table again
}
#: a meeting whose motions may still be recorded or moved
OPEN_MEETING = frozenset({MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.IN_SESSION})


def _member(session: so.Session, coop: Coop, number: int | None, field: str, problems: Problems,
            *, required: bool) -> Member | None:
    if number is None:
        if required:
            problems.add(_l("Type the member number of who proposes the motion."), field)
        return None
    member = member_reports.member_by_number(session, coop, number)
    if member is None:
        problems.add(_l("There is no member number %(number)d.", number=number), field)
    elif member.status != MemberStatus.ACTIVE:
        problems.add(_l("%(name)s is not an active member.", name=member.full_name), field)
    return member


def _check_text(problems: Problems, title: str, text: str) -> None:
    if not title.strip():
        problems.add(_l("Give the motion a short title."), "title")
    elif len(title.strip()) > 200:
        problems.add(_l("Keep the title under 200 characters."), "title")
    if not text.strip():
        problems.add(_l("Write the motion's text: what the assembly is asked to decide."), "text")


def _check_amends(coop: Coop, item: AgendaItem, amends: Motion | None, problems: Problems) -> None:
    if amends is None:
        return
    if amends.coop_id != coop.id or amends.meeting_id != item.meeting_id:
        problems.add(_l("That motion is not of this meeting."), "amends")
    elif amends.amends_id is not None:
        problems.add(_l("An amendment cannot be amended; propose another amendment to the motion."), "amends")
    elif amends.status in DECIDED or amends.status == MotionStatus.VOTING:
        problems.add(_l("That motion is no longer open to amendments."), "amends")


def propose_motion(session: so.Session, actor: User | None, coop: Coop, item: AgendaItem, *, title: str, text: str,
                   proposer_number: int | None, seconder_number: int | None = None,
                   majority: MajorityRule = MajorityRule.SIMPLE, amends: Motion | None = None,
                   is_draft: bool = False, now: dt.datetime) -> Motion:
    """Record a motion (or an amendment to ``amends``) on ``item``, its text as version 1.

    Proposed, or seconded when a seconder is named; a draft when prepared before the meeting.
    """
    if item.coop_id != coop.id:
        raise NotFoundError(_l("There is no such record in this co-op."))
    meeting = session.get(Meeting, item.meeting_id)
    if meeting.status not in OPEN_MEETING:
        raise DomainError(_l("This meeting is over: it takes no more motions."))
    problems = Problems()
    _check_text(problems, title, text)
    proposer = _member(session, coop, proposer_number, "proposer", problems, required=True)
    seconder = _member(session, coop, seconder_number, "seconder", problems, required=False)
    if proposer is not None and seconder is not None and proposer.id == seconder.id:
        problems.add(_l("The seconder must be someone other than the proposer."), "seconder")
    _check_amends(coop, item, amends, problems)
    problems.raise_any()
    status = (MotionStatus.DRAFT if is_draft else MotionStatus.SECONDED if seconder else MotionStatus.PROPOSED)
    motion = Motion(coop_id=coop.id, meeting_id=meeting.id, item_id=item.id, amends_id=amends.id if amends else None,
                    title=title.strip(), proposer_id=proposer.id, seconder_id=seconder.id if seconder else None,
                    status=status, majority=majority, created_by_id=actor.id if actor else None, created_dt=now)
    motion.versions.append(MotionVersion(coop_id=coop.id, number=1, text=text.strip(), created_dt=now))
    session.add(motion)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.motion_proposed", obj=motion,
                 summary=f"{meeting.title}: {motion.title}", details={"status": status.value})
    return motion


def move_motion(session: so.Session, actor: User | None, coop: Coop, motion: Motion, status: MotionStatus, *,
                note: str = "", seconder_number: int | None = None) -> Motion:
    """Move a motion to another state: seconded (naming the seconder), in debate, withdrawn,
    tabled, referred to a commission (the note names it), or from draft to proposed."""
    if motion.coop_id != coop.id:
        raise NotFoundError(_l("There is no such record in this co-op."))
    if status not in MOVES.get(motion.status, set()):
        raise DomainError(_l("A motion that is %(now)s cannot be %(then)s.",
                             now=str(STATUS_LABELS[motion.status]).lower(),
                             then=str(STATUS_LABELS[status]).lower()), field="status")
    problems = Problems()
    if status == MotionStatus.SECONDED:
        seconder = _member(session, coop, seconder_number, "seconder", problems, required=False)
        if seconder_number is None and motion.seconder_id is None:
            problems.add(_l("Type the member number of who seconds the motion."), "seconder")
        elif seconder is not None and seconder.id == motion.proposer_id:
            problems.add(_l("The seconder must be someone other than the proposer."), "seconder")
        elif seconder is not None:
            motion.seconder_id = seconder.id
    if status == MotionStatus.REFERRED and not note.strip():
        problems.add(_l("Say which commission the motion is referred to."), "note")
    problems.raise_any()
    before = motion.status
    motion.status = status
    if note.strip():
        motion.status_note = note.strip()
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.motion_status", obj=motion, summary=motion.title,
                 changes={"status": [before.value, status.value]})
    return motion


def add_version(session: so.Session, motion: Motion, text: str, amendment: Motion, now: dt.datetime) -> MotionVersion:
    """The motion's next version: the wording of a carried amendment (flushed)."""
    number = (session.scalar(sa.select(sa.func.max(MotionVersion.number))
                             .where(MotionVersion.motion_id == motion.id)) or 0) + 1
    version = MotionVersion(coop_id=motion.coop_id, motion_id=motion.id, number=number, text=text,
                            amendment_id=amendment.id, created_dt=now)
    session.add(version)
    session.flush()
    session.expire(motion, ["versions"])
    return version


def undecided_amendments(session: so.Session, motion: Motion) -> list[Motion]:
    """The amendments to ``motion`` still to be voted (or withdrawn, tabled, referred)."""
    return list(session.scalars(sa.select(Motion).where(Motion.amends_id == motion.id,
                                                        Motion.status.not_in(DECIDED)).order_by(Motion.id)))


def motions_of_item(session: so.Session, item: AgendaItem) -> list[Motion]:
    """The item's motions, each followed by its amendments, in the order they were made."""
    rows = list(session.scalars(sa.select(Motion).where(Motion.item_id == item.id).order_by(Motion.id)
                                .options(so.selectinload(Motion.versions), so.joinedload(Motion.proposer),
                                         so.joinedload(Motion.seconder))))
    ordered = []
    for motion in (m for m in rows if m.amends_id is None):
        ordered.append(motion)
        ordered.extend(m for m in rows if m.amends_id == motion.id)
    return ordered


def motions_by_item(session: so.Session, meeting: Meeting) -> dict[int, list[Motion]]:
    """Each agenda item's motions and amendments, in the order they were made (one query)."""
    found: dict[int, list[Motion]] = {}
    for motion in session.scalars(sa.select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id)):
        found.setdefault(motion.item_id, []).append(motion)
    return found


def amendments_of(session: so.Session, motion: Motion) -> list[Motion]:
    return list(session.scalars(sa.select(Motion).where(Motion.amends_id == motion.id).order_by(Motion.id)
                                .options(so.selectinload(Motion.versions))))
