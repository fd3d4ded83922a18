"""The minutes (acta): a draft built from the record, the secretary's notes, approval, corrections.

The draft is never stored: it is read from the record each time (the meeting, the call it sat
on, attendance and quorum at the opening, each agenda item with the secretary's notes, its
motions with every version and vote, the elections, the resolutions adopted, the late notice's
reason, the closing time), so it always says what the record says. Approving the minutes (at a
later meeting, or by the board on a date, signed by the president and the secretary) freezes that
content as JSON in an approved ``MinutesVersion``. An approved version never changes: the ORM
refuses to flush a change to one. A correction is a new version, drafted from the approved
content with the notes edited and a reason, and approved in turn; every version stays readable.

Times in the content are the co-op's wall-clock ("2027-03-13T09:00"), fixed when frozen, and
labels are stored as values ("ordinary", "carried") so the minutes read in either language.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.tenancy import Coop
from meetings import quorum, register
from meetings.models import (
    AgendaItem, Call, Candidate, Election, Meeting, MeetingRules, MeetingStatus, MinutesStatus, MinutesVersion, Motion,
    QuorumEvent, VoteRound)
from meetings.rules import required_for
from members import reports as member_reports
from members.models import Member

audit.describe("meetings.minutes_notes", _l("Wrote the notes of a meeting's minutes"))
audit.describe("meetings.approve_minutes", _l("Approved a meeting's minutes"))
audit.describe("meetings.correct_minutes", _l("Drafted a correction of a meeting's minutes"))

#: the longest notes of one item, and of the opening
NOTES_MAX = 20_000


class ApprovedMinutesChanged(RuntimeError):
    """A flush tried to change an approved version: a bug, never a user's doing."""


@sa.event.listens_for(MinutesVersion, "before_update")
def _approved_never_change(_mapper, _connection, version: MinutesVersion) -> None:
    status = sa.inspect(version).attrs.status.history
    was = (status.deleted or status.unchanged or [None])[0]
    if was == MinutesStatus.APPROVED:
        raise ApprovedMinutesChanged(f"minutes version {version.id} is approved and never changes")


# --- the content, read from the record ------------------------------------------------------------

def _local(coop: Coop, moment: dt.datetime | None) -> str | None:
    return calendar.utc_to_local(coop, moment).isoformat(timespec="minutes") if moment else None


def _name(session: so.Session, member_id: int | None) -> str:
    member = session.get(Member, member_id) if member_id else None
    return member.full_name if member else ""


def _opening(session: so.Session, coop: Coop, meeting: Meeting) -> dict:
    """Attendance and quorum when the meeting opened: the quorum event of the opening, else now."""
    events = sa.select(QuorumEvent).where(QuorumEvent.meeting_id == meeting.id)
    event = None
    if meeting.opened_dt is not None:
        event = session.scalars(events.where(QuorumEvent.at_dt <= meeting.opened_dt)
                                .order_by(QuorumEvent.at_dt.desc(), QuorumEvent.id.desc()).limit(1)).first()
    event = event or session.scalars(events.order_by(QuorumEvent.at_dt, QuorumEvent.id).limit(1)).first()
    if event is not None:
        roll_voters = quorum.counts(session, meeting)[0]
        return {"roll_voters": roll_voters, "present": event.present, "represented": event.represented,
                "required": event.required, "reached": event.is_reached}
    # never opened (or no event yet): the figures now, read without making the bylaws' row in a GET
    roll_voters, present, represented = quorum.counts(session, meeting)
    rules = session.scalar(sa.select(MeetingRules).where(MeetingRules.coop_id == coop.id))
    required = required_for(rules, roll_voters, meeting.call or Call.FIRST) if rules is not None else None
    return {"roll_voters": roll_voters, "present": present, "represented": represented, "required": required,
            "reached": required is not None and present + represented >= required}


def _round(vote_round: VoteRound) -> dict:
    return {"number": vote_round.number, "mode": vote_round.mode.value, "majority": vote_round.majority.value,
            "yes": vote_round.yes_count, "no": vote_round.no_count, "abstain": vote_round.abstain_count,
            "carried": vote_round.is_carried, "outcome": vote_round.outcome_text}


def _motions(session: so.Session, meeting: Meeting) -> dict[int, list[dict]]:
    """Each item's motions (amendments just before the motion they amend, as they were voted), with
    versions and closed votes."""
    motions = list(session.scalars(sa.select(Motion).where(Motion.meeting_id == meeting.id)
                                   .options(so.selectinload(Motion.versions)).order_by(Motion.id)))
    rounds: dict[int, list[dict]] = {}
    for vote_round in session.scalars(sa.select(VoteRound).where(
            VoteRound.meeting_id == meeting.id, VoteRound.motion_id.is_not(None), VoteRound.closed_dt.is_not(None))
            .order_by(VoteRound.number, VoteRound.id)):
        rounds.setdefault(vote_round.motion_id, []).append(_round(vote_round))
    names = _names(session, {m.proposer_id for m in motions} | {m.seconder_id for m in motions})
    by_item: dict[int, list[dict]] = {}
    parents = [m for m in motions if m.amends_id is None]
    amendments = [m for m in motions if m.amends_id is not None]
    titles = {m.id: m.title for m in parents}
    for motion in parents + amendments:
        entry = {"amends_title": titles.get(motion.amends_id, ""),"id": motion.id, "title": motion.title, "status": motion.status.value,
                 "status_note": motion.status_note, "amends": motion.amends_id,
                 "proposer": names.get(motion.proposer_id, ""), "seconder": names.get(motion.seconder_id, ""),
                 "versions": [{"number": v.number, "text": v.text} for v in motion.versions],
                 "votes": rounds.get(motion.id, [])}
        by_item.setdefault(motion.item_id, []).append(entry)
    for entries in by_item.values():  # an amendment right before its motion, which was voted after it
        order = {e["id"]: n for n, e in enumerate(entries)}
        entries.sort(key=lambda e: (order.get(e["amends"], order[e["id"]]), e["amends"] is None, e["id"]))
    return by_item


def _names(session: so.Session, member_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in member_ids if i}
    if not ids:
        return {}
    return {m.id: m.full_name for m in session.scalars(sa.select(Member).where(Member.id.in_(ids)))}


def _elections(session: so.Session, meeting: Meeting) -> list[dict]:
    elections = list(session.scalars(
        sa.select(Election).where(Election.meeting_id == meeting.id)
        .options(so.selectinload(Election.position), so.selectinload(Election.candidates)
                 .selectinload(Candidate.member)).order_by(Election.id)))
    return [{"item": e.item_id, "position": e.position.name, "seats": e.seats, "alternates": e.alternates,
             "status": e.status.value, "tie_note": e.tie_note,
             "candidates": [{"name": c.member.full_name, "votes": c.votes, "elected_rank": c.elected_rank,
                             "is_alternate": c.is_alternate, "form_of_address": c.member.form_of_address.value}
                            for c in sorted(e.candidates, key=lambda c: (-c.votes, c.member.family_names))]}
            for e in elections]


def draft_content(session: so.Session, coop: Coop, meeting: Meeting) -> dict:
    """The minutes as the record has them now (with the secretary's notes), ready to freeze."""
    motions = _motions(session, meeting)
    elections = _elections(session, meeting)
    items = [{"id": item.id, "position": item.position, "title": item.title, "notes": item.minutes_notes,
              "motions": motions.get(item.id, []), "elections": [e for e in elections if e["item"] == item.id]}
             for item in session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                         .order_by(AgendaItem.position))]
    item_ids = {item["id"] for item in items}
    return {
        "title": meeting.title, "kind": meeting.kind.value, "place": meeting.place,
        "first_call": _local(coop, meeting.first_call_dt), "second_call": _local(coop, meeting.second_call_dt),
        "call": meeting.call.value if meeting.call else None, "opened": _local(coop, meeting.opened_dt),
        "closed": _local(coop, meeting.closed_dt), "notice_issued": _local(coop, meeting.notice_issued_dt),
        "late_notice_reason": meeting.late_notice_reason, "opening_notes": meeting.opening_notes,
        "chair": _name(session, meeting.chair_member_id), "secretary": _name(session, meeting.secretary_member_id),
        "attendance": _opening(session, coop, meeting), "items": items,
        "other_elections": [e for e in elections if e["item"] not in item_ids],
        "resolutions": [{"id": r.id, "reference": r.reference, "title": r.title, "text": r.text,
                         "outcome": r.outcome_text} for r in register.of_meeting(session, meeting)],
    }


# --- versions --------------------------------------------------------------------------------------

def versions_of(session: so.Session, meeting: Meeting) -> list[MinutesVersion]:
    return list(session.scalars(sa.select(MinutesVersion).where(MinutesVersion.meeting_id == meeting.id)
                                .order_by(MinutesVersion.number)))


def latest_approved(session: so.Session, meeting: Meeting) -> MinutesVersion | None:
    return session.scalars(sa.select(MinutesVersion).where(
        MinutesVersion.meeting_id == meeting.id, MinutesVersion.status == MinutesStatus.APPROVED)
        .order_by(MinutesVersion.number.desc()).limit(1)).first()


def pending_correction(session: so.Session, meeting: Meeting) -> MinutesVersion | None:
    """The correction drafted and not yet approved (there is at most one)."""
    return session.scalars(sa.select(MinutesVersion).where(
        MinutesVersion.meeting_id == meeting.id, MinutesVersion.status == MinutesStatus.DRAFT)
        .order_by(MinutesVersion.number.desc()).limit(1)).first()


def content_of(version: MinutesVersion) -> dict:
    return json.loads(version.content)


def _frozen(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def _next_number(session: so.Session, meeting: Meeting) -> int:
    return (session.scalar(sa.select(sa.func.max(MinutesVersion.number))
                           .where(MinutesVersion.meeting_id == meeting.id)) or 0) + 1


# --- the secretary's notes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NotesData:
    opening_notes: str = ""
    chair_number: int | None = None
    secretary_number: int | None = None
    #: agenda item id -> notes
    item_notes: dict[int, str] | None = None


def _member_id(session: so.Session, coop: Coop, number: int | None, field: str, problems: Problems) -> int | None:
    if number is None:
        return None
    member = member_reports.member_by_number(session, coop, number)
    if member is None:
        problems.add(_l("There is no member with number %(number)s.", number=number), field=field)
        return None
    return member.id


def save_notes(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, data: NotesData) -> None:
    """Write the secretary's notes for the draft (refused once the minutes are approved: correct them)."""
    problems = Problems()
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CANCELLED):
        problems.add(_l("Minutes are written for a meeting that has been convened and held."))
    if latest_approved(session, meeting) is not None:
        problems.add(_l("These minutes are approved and never change; draft a correction instead."))
    if len(data.opening_notes) > NOTES_MAX or any(len(n) > NOTES_MAX for n in (data.item_notes or {}).values()):
        problems.add(_l("Notes have at most %(count)d characters.", count=NOTES_MAX))
    chair = _member_id(session, coop, data.chair_number, "chair_number", problems)
    secretary = _member_id(session, coop, data.secretary_number, "secretary_number", problems)
    problems.raise_any()
    meeting.opening_notes = data.opening_notes.strip()
    meeting.chair_member_id, meeting.secretary_member_id = chair, secretary
    items = {item.id: item for item in meeting.items}
    for item_id, notes in (data.item_notes or {}).items():
        if item_id in items:
            items[item_id].minutes_notes = notes.strip()
    session.flush()
    audit.record(session, action="meetings.minutes_notes", coop=coop, actor=actor, obj=meeting, summary=meeting.title)


# --- approval and corrections -------------------------------------------------------------------------

@dataclass(frozen=True)
class Approval:
    president_name: str
    secretary_name: str
    #: approved at this later meeting...
    at_meeting: Meeting | None = None
    #: ...or by the board on this day
    on: dt.date | None = None


def _check_approval(session: so.Session, coop: Coop, meeting: Meeting, approval: Approval,
                    today: dt.date) -> dt.date | None:
    problems = Problems()
    if meeting.status != MeetingStatus.CLOSED:
        problems.add(_l("Minutes are approved once the meeting has closed."))
    for field, name in (("president_name", approval.president_name), ("secretary_name", approval.secretary_name)):
        if not name.strip():
            problems.add(_l("Write the name of the person who signs."), field=field)
        elif len(name) > 250:
            problems.add(_l("A name has at most 250 characters."), field=field)
    day = _approval_day(coop, meeting, approval, today, problems)
    problems.raise_any()
    return day


def _approval_day(coop: Coop, meeting: Meeting, approval: Approval, today: dt.date,
                  problems: Problems) -> dt.date | None:
    held_on = calendar.utc_to_local(coop, meeting.first_call_dt).date()
    if approval.at_meeting is not None:
        later = approval.at_meeting
        if later.coop_id != coop.id or later.id == meeting.id or later.first_call_dt <= meeting.first_call_dt:
            problems.add(_l("Choose a meeting held after this one."), field="at_meeting")
        elif later.status not in (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED):
            problems.add(_l("The minutes are approved at a meeting that sits or has sat."), field="at_meeting")
        return calendar.utc_to_local(coop, later.opened_dt or later.first_call_dt).date()
    if approval.on is None:
        problems.add(_l("Choose the meeting that approved the minutes, or the day the board approved them."),
                     field="approved_on")
    elif approval.on < held_on or approval.on > today:
        problems.add(_l("The day of approval is between the meeting's day and today."), field="approved_on")
    return approval.on


def approve_minutes(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, approval: Approval, *,
                    today: dt.date) -> MinutesVersion:
    """Freeze the minutes: the pending correction if there is one, else the draft read from the record."""
    day = _check_approval(session, coop, meeting, approval, today)
    version = pending_correction(session, meeting)
    if version is None:
        if latest_approved(session, meeting) is not None:
            raise DomainError(_l("These minutes are already approved; draft a correction to change them."))
        version = MinutesVersion(coop_id=coop.id, meeting_id=meeting.id, number=_next_number(session, meeting),
                                 content=_frozen(draft_content(session, coop, meeting)),
                                 created_by_id=actor.id if actor else None)
        session.add(version)
    version.status = MinutesStatus.APPROVED
    version.approved_at_meeting_id = approval.at_meeting.id if approval.at_meeting else None
    version.approved_on = day
    version.president_name = " ".join(approval.president_name.split())
    version.secretary_name = " ".join(approval.secretary_name.split())
    session.flush()
    audit.record(session, action="meetings.approve_minutes", coop=coop, actor=actor, obj=meeting,
                 summary=meeting.title, details={"version": version.number, "on": day.isoformat() if day else None})
    return version


def correct_minutes(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, *, reason: str,
                    opening_notes: str, item_notes: dict[int, str]) -> MinutesVersion:
    """Draft (or redraft) a correction: the approved content with the notes edited, and why."""
    approved = latest_approved(session, meeting)
    problems = Problems()
    if approved is None:
        problems.add(_l("Only approved minutes are corrected; these are still a draft."))
    if not reason.strip():
        problems.add(_l("Say why the minutes are corrected."), field="reason")
    elif len(reason) > 2000:
        problems.add(_l("A reason has at most 2000 characters."), field="reason")
    if len(opening_notes) > NOTES_MAX or any(len(n) > NOTES_MAX for n in item_notes.values()):
        problems.add(_l("Notes have at most %(count)d characters.", count=NOTES_MAX))
    problems.raise_any()
    content = content_of(approved)
    content["opening_notes"] = opening_notes.strip()
    for item in content["items"]:
        item["notes"] = item_notes.get(item["id"], item["notes"]).strip()
    version = pending_correction(session, meeting)
    if version is None:
        version = MinutesVersion(coop_id=coop.id, meeting_id=meeting.id, number=_next_number(session, meeting),
                                 created_by_id=actor.id if actor else None)
        session.add(version)
    version.content = _frozen(content)
    version.correction_reason = reason.strip()
    session.flush()
    audit.record(session, action="meetings.correct_minutes", coop=coop, actor=actor, obj=meeting,
                 summary=meeting.title, details={"version": version.number})
    return version


def later_meetings(session: so.Session, coop: Coop, meeting: Meeting) -> list[Meeting]:
    """The meetings that may approve these minutes: held after this one, sitting or closed."""
    return list(session.scalars(sa.select(Meeting).where(
        Meeting.coop_id == coop.id, Meeting.first_call_dt > meeting.first_call_dt,
        Meeting.status.in_([MeetingStatus.IN_SESSION, MeetingStatus.CLOSED])).order_by(Meeting.first_call_dt)))
