"""Who worked a session: the coordinator's sheet, recording it, walk-ins, and corrections.

After a session the coordinator records, for each person on the sheet (the confirmed sign-ups and
anyone already recorded), whether they were present and for how long (partial hours allowed,
never more than the session lasted), absent, or excused with a reason. Every row is checked
before anything is written: one wrong row refuses the whole sheet, each problem named beside its
row (``row_field``). Recording a row again with another status or other hours is a correction:
it needs a reason and leaves an ``AttendanceChange`` with what it was, what it became, who and why.
Rewording only why someone was absent or excused changes no hours, so it needs no correction: the
audit trail keeps the old and the new wording, who and when. A member who came without
signing up (a walk-in, or another of the household working in the signed-up member's place) is
recorded with no sign-up; the hours count for the household fixed at that moment.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from coop import audit, duplicates
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop
from coop.text import fold, whole_number
from members.models import Household, Member, MemberStatus
from members.services import status_label
from minga import wording
from minga.models import (Attendance, AttendanceChange, AttendanceStatus, SessionStatus, SignUp, SignUpStatus,
                          WorkSession)

#: the member statuses whose work is recorded (a suspended member still works their hours)
WORKING_STATUSES = frozenset({MemberStatus.ACTIVE, MemberStatus.SUSPENDED})

STATUS_LABELS = {AttendanceStatus.PRESENT: _l("Present"), AttendanceStatus.ABSENT: _l("Absent"),
                 AttendanceStatus.EXCUSED: _l("Excused")}

audit.describe("minga.attendance", _l("Minga attendance recorded"))
audit.describe("minga.attendance_correction", _l("Minga attendance corrected"))
audit.describe("minga.attendance_reason", _l("Reason of a Minga absence changed"))
audit.describe("minga.walk_in", _l("Minga walk-in recorded"))
audit.describe_field("minutes", _l("Minutes worked"), on="attendance")
audit.describe_field("status", _l("Attendance"), values=STATUS_LABELS, on="attendance")
audit.describe_field("reason", _l("Reason"), on="attendance")
duplicates.unique_rule("uq_attendance_session_id_member_id",
                       _l("Someone else recorded this person's attendance a moment ago. Look at the sheet "
                          "again and correct it if needed."))


@dataclass(frozen=True)
class AttendanceEntry:
    """One row of a recorded sheet, as the coordinator wrote it."""

    member_id: int
    status: AttendanceStatus | str
    minutes: int = 0
    #: why excused (or absent)
    reason: str = ""
    #: why an attendance already recorded is changed (needed for a correction)
    correction_reason: str = ""


@dataclass(frozen=True)
class SheetRow:
    """A person on the attendance sheet: signed up, or already recorded (a walk-in)."""

    member: Member
    household: Household | None
    sign_up: SignUp | None
    attendance: Attendance | None

    @property
    def is_walk_in(self) -> bool:
        return self.sign_up is None or self.sign_up.status is not SignUpStatus.CONFIRMED


def row_field(member_id: int, name: str) -> str:
    """The name of a row's field on the attendance page ("m12-minutes"), where its refusal is shown."""
    return f"m{member_id}-{name}"


# --- hours as people type them -------------------------------------------------------------------

_DECIMAL_HOURS = re.compile(r"^(\d{1,3})(?:[.,](\d+))?$")
_CLOCK_HOURS = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def parse_hours(text: str | None, field: str | None = None) -> int | None:
    """Hours typed as "4,5", "4.5", "4" or "4:30", as minutes (270); None when nothing was typed.

    Refuses more than two decimals and anything that is not hours, with a message saying how.
    """
    text = (text or "").strip().replace(" ", "").lower().removesuffix("h")
    if not text:
        return None
    clock = _CLOCK_HOURS.match(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    decimal = _DECIMAL_HOURS.match(text)
    if decimal is None:
        raise DomainError(_l("Write the hours as a number, such as 4 or 4,5."), field=field)
    if decimal.group(2) and len(decimal.group(2)) > 2:
        raise DomainError(_l("Write the hours with two decimals at most, such as 4,25."), field=field)
    hours = Decimal(f"{decimal.group(1)}.{decimal.group(2) or 0}")
    return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_input(minutes: int | None, language: str = "es") -> str:
    """Minutes as the hours field shows them back ("4,5" in Spanish, "4.5" in English)."""
    if minutes is None:
        return ""
    return wording.hours_text(minutes, language).removesuffix(" h").replace("\u00a0", "")


# --- reading -------------------------------------------------------------------------------------

def attendance_of_session(session: so.Session, coop: Coop, work_session: WorkSession) -> dict[int, Attendance]:
    """The session's recorded attendance, by member id."""
    rows = session.scalars(sa.select(Attendance).where(Attendance.coop_id == coop.id,
                                                       Attendance.session_id == work_session.id))
    return {row.member_id: row for row in rows}


def attendance_sheet(session: so.Session, coop: Coop, work_session: WorkSession) -> list[SheetRow]:
    """Every confirmed sign-up and every recorded attendance (walk-ins too), by family names."""
    _check_session_of(coop, work_session)
    recorded = attendance_of_session(session, coop, work_session)
    sign_ups = {s.member_id: s for s in session.scalars(
        sa.select(SignUp).where(SignUp.coop_id == coop.id, SignUp.session_id == work_session.id,
                                SignUp.status != SignUpStatus.CANCELLED))}
    member_ids = set(recorded) | {m for m, s in sign_ups.items() if s.status is SignUpStatus.CONFIRMED}
    if not member_ids:
        return []
    members = session.scalars(sa.select(Member).where(Member.id.in_(member_ids))
                              .options(so.selectinload(Member.household))
                              .order_by(Member.family_names, Member.given_names, Member.number)).all()
    return [SheetRow(member, member.household, sign_ups.get(member.id), recorded.get(member.id))
            for member in members]


def changes_of(session: so.Session, attendance: Attendance) -> list[tuple[AttendanceChange, str]]:
    """An attendance's corrections, oldest first, each with the name of who made it."""
    return [(change, name or "") for change, name in session.execute(
        sa.select(AttendanceChange, User.name).outerjoin(User, User.id == AttendanceChange.changed_by_id)
        .where(AttendanceChange.attendance_id == attendance.id).order_by(AttendanceChange.id))]


def changes_of_session(session: so.Session, coop: Coop,
                       work_session: WorkSession) -> dict[int, list[tuple[AttendanceChange, str]]]:
    """Every correction of a session's attendance, by attendance id (one query for the page)."""
    found: dict[int, list[tuple[AttendanceChange, str]]] = {}
    for change, name in session.execute(
            sa.select(AttendanceChange, User.name).join(Attendance, Attendance.id == AttendanceChange.attendance_id)
            .outerjoin(User, User.id == AttendanceChange.changed_by_id)
            .where(Attendance.coop_id == coop.id, Attendance.session_id == work_session.id)
            .order_by(AttendanceChange.id)):
        found.setdefault(change.attendance_id, []).append((change, name or ""))
    return found


# --- checks ---------------------------------------------------------------------------------------

def _check_session_of(coop: Coop, work_session: WorkSession) -> None:
    if work_session is None or work_session.coop_id != coop.id:
        raise NotFoundError(_l("There is no such work session."))


def check_session_open_to_attendance(coop: Coop, work_session: WorkSession, now: dt.datetime) -> None:
    """Attendance is recorded for a session that took place (or is taking place), never a draft or a cancelled one."""
    _check_session_of(coop, work_session)
    if work_session.status is SessionStatus.CANCELLED:
        raise DomainError(_l("This session was cancelled: there is no attendance to record."))
    if work_session.status is SessionStatus.DRAFT:
        raise DomainError(_l("This session is still a draft: there is no attendance to record."))
    if now < work_session.starts_dt:
        raise DomainError(_l("This session has not started yet: attendance is recorded once it starts (%(when)s).",
                             when=wording.session_when(coop, work_session, _language())))


def _language() -> str:
    return str(get_locale() or "es").split("_")[0]


def _member_of(session: so.Session, coop: Coop, member_id: int | None, field: str | None) -> Member:
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None or member.coop_id != coop.id:
        raise NotFoundError(_l("Attendance is recorded only for members of the co-op: this person is not in "
                               "the register."), field=field)
    if member.status not in WORKING_STATUSES:
        raise DomainError(_l("%(name)s is %(status)s: attendance is recorded only for active or suspended "
                             "members.", name=member.full_name, status=status_label(member.status).lower()),
                          field=field)
    return member


def _check_entry(work_session: WorkSession, entry: AttendanceEntry) -> tuple[AttendanceStatus, int, str]:
    """A row's status, minutes and reason as they will be kept; DomainErrors name the row's fields."""
    member_id = entry.member_id
    try:
        status = AttendanceStatus(entry.status)
    except ValueError:
        raise DomainError(_l("Choose present, absent or excused."), field=row_field(member_id, "status")) from None
    reason = (entry.reason or "").strip()
    if status is AttendanceStatus.PRESENT:
        return status, _check_minutes(work_session, entry.minutes, row_field(member_id, "minutes")), reason
    if status is AttendanceStatus.EXCUSED and not reason:
        raise DomainError(_l("Say why this person is excused."), field=row_field(member_id, "reason"))
    return status, 0, reason


def _check_minutes(work_session: WorkSession, minutes: int | None, field: str) -> int:
    if minutes is None or minutes <= 0:
        raise DomainError(_l("Write the hours this person worked."), field=field)
    length = work_session.length_minutes
    if minutes > length:
        language = _language()
        raise DomainError(_l("A session of %(length)s does not allow %(hours)s.",
                             length=wording.hours_text(length, language),
                             hours=wording.hours_text(minutes, language)), field=field)
    return minutes


# --- writing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Checked:
    member: Member
    status: AttendanceStatus
    minutes: int
    reason: str
    correction_reason: str
    existing: Attendance | None


def _check_all(session: so.Session, coop: Coop, work_session: WorkSession, entries: list[AttendanceEntry],
               problems: Problems) -> list[_Checked]:
    recorded = attendance_of_session(session, coop, work_session)
    checked, seen = [], set()
    for entry in entries:
        if entry.member_id in seen:
            continue  # the same person twice in one sheet: the first row counts
        seen.add(entry.member_id)
        member = problems.check(_member_of, session, coop, entry.member_id, row_field(entry.member_id, "status"))
        values = problems.check(_check_entry, work_session, entry)
        existing = recorded.get(entry.member_id)
        correction = (entry.correction_reason or "").strip()
        if member is None or values is None:
            continue
        if existing is not None and _corrects(existing, *values[:2]) and not correction:
            problems.add(_l("Say why this attendance is corrected."), row_field(entry.member_id, "correction_reason"))
            continue
        checked.append(_Checked(member, *values, correction, existing))
    return checked


def _differs(attendance: Attendance, status: AttendanceStatus, minutes: int, reason: str) -> bool:
    return (attendance.status, attendance.minutes, attendance.reason) != (status, minutes, reason)


def _corrects(attendance: Attendance, status: AttendanceStatus, minutes: int) -> bool:
    """Whether the row changes what counts (the status or the hours): a correction, with its reason."""
    return (attendance.status, attendance.minutes) != (status, minutes)


def record_attendance(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession,
                      entries: list[AttendanceEntry], *, now: dt.datetime | None = None) -> list[Attendance]:
    """Record (or correct) a session's attendance, all rows or none; returns the rows written.

    A row already recorded with the same values is left as it is (sending the sheet twice changes
    nothing); one recorded with another status or other hours is a correction and needs
    ``correction_reason``; one whose only change is the reason takes the new reason (audited).
    The first attendance recorded after the session ended marks it done.
    """
    now = now or utcnow()
    check_session_open_to_attendance(coop, work_session, now)
    problems = Problems()
    checked = _check_all(session, coop, work_session, entries, problems)
    problems.raise_any()
    written = []
    for row in checked:
        if row.existing is None:
            written.append(_create(session, actor, coop, work_session, row.member, row.status, row.minutes,
                                   row.reason, now, "minga.attendance"))
        elif _corrects(row.existing, row.status, row.minutes):
            written.append(_correct(session, actor, coop, row, now))
        elif _differs(row.existing, row.status, row.minutes, row.reason):
            written.append(_reword(session, actor, coop, row))
    _mark_done(session, actor, coop, work_session, now)
    session.flush()
    return written


def _sign_up_of(session: so.Session, work_session: WorkSession, member: Member) -> SignUp | None:
    return session.scalar(sa.select(SignUp).where(SignUp.session_id == work_session.id,
                                                  SignUp.member_id == member.id,
                                                  SignUp.status != SignUpStatus.CANCELLED))


def _create(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession, member: Member,
            status: AttendanceStatus, minutes: int, reason: str, now: dt.datetime, action: str) -> Attendance:
    sign_up = _sign_up_of(session, work_session, member)
    attendance = Attendance(coop_id=coop.id, session_id=work_session.id, member_id=member.id,
                            household_id=member.household_id, sign_up_id=sign_up.id if sign_up else None,
                            status=status, minutes=minutes, reason=reason,
                            recorded_by_id=actor.id if actor else None, recorded_dt=now)
    session.add(attendance)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action=action, obj=attendance,
                 summary=f"{work_session.title} · {member.number}: {member.full_name}",
                 changes={"status": [None, status.value], "minutes": [None, minutes]})
    return attendance


def _correct(session: so.Session, actor: User | None, coop: Coop, row: _Checked, now: dt.datetime) -> Attendance:
    attendance = row.existing
    changes = audit.changes_between(attendance, {"status": row.status, "minutes": row.minutes, "reason": row.reason})
    session.add(AttendanceChange(coop_id=coop.id, attendance_id=attendance.id, previous_status=attendance.status,
                                 previous_minutes=attendance.minutes, status=row.status, minutes=row.minutes,
                                 reason=row.correction_reason, changed_by_id=actor.id if actor else None,
                                 changed_dt=now))
    attendance.status, attendance.minutes, attendance.reason = row.status, row.minutes, row.reason
    audit.record(session, coop=coop, actor=actor, action="minga.attendance_correction", obj=attendance,
                 summary=f"{row.member.number}: {row.member.full_name} · {row.correction_reason}", changes=changes)
    return attendance


def _reword(session: so.Session, actor: User | None, coop: Coop, row: _Checked) -> Attendance:
    """A new reason for an absence or excuse: the hours stand, the audit trail keeps the old wording."""
    attendance = row.existing
    changes = audit.changes_between(attendance, {"reason": row.reason})
    attendance.reason = row.reason
    audit.record(session, coop=coop, actor=actor, action="minga.attendance_reason", obj=attendance,
                 summary=" · ".join(filter(None, [f"{row.member.number}: {row.member.full_name}",
                                                  row.correction_reason])), changes=changes)
    return attendance


def _mark_done(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession,
               now: dt.datetime) -> None:
    """A session whose attendance is recorded after it ended has been worked: it is done."""
    if now >= work_session.ends_dt and work_session.status in (SessionStatus.OPEN, SessionStatus.CLOSED):
        changes = audit.changes_between(work_session, {"status": SessionStatus.DONE})
        work_session.status = SessionStatus.DONE
        audit.record(session, coop=coop, actor=actor, action="minga.attendance", obj=work_session,
                     summary=work_session.title, changes=changes)


def add_walk_in(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession,
                member: Member | None, minutes: int | None, *, now: dt.datetime | None = None) -> Attendance:
    """Record a member who worked without a place on the sheet: a walk-in, or another of a signed-up
    member's household working in their place (the hours count for the household)."""
    now = now or utcnow()
    check_session_open_to_attendance(coop, work_session, now)
    problems = Problems()
    member = problems.check(_member_of, session, coop, member.id if member is not None else None, "member")
    checked_minutes = problems.check(_check_minutes, work_session, minutes, "hours")
    if member is not None and member.id in attendance_of_session(session, coop, work_session):
        problems.add(_l("%(name)s is already on the attendance sheet: change their row instead.",
                        name=member.full_name), "member")
    problems.raise_any()
    attendance = _create(session, actor, coop, work_session, member, AttendanceStatus.PRESENT, checked_minutes, "",
                         now, "minga.walk_in")
    _mark_done(session, actor, coop, work_session, now)
    session.flush()
    return attendance


def household_members_signed_up(session: so.Session, coop: Coop, work_session: WorkSession,
                                member: Member) -> list[Member]:
    """Others of the member's household with a confirmed place in the session (whom they may stand in for)."""
    if member.household_id is None:
        return []
    return list(session.scalars(
        sa.select(Member).join(SignUp, SignUp.member_id == Member.id)
        .where(SignUp.session_id == work_session.id, SignUp.status == SignUpStatus.CONFIRMED,
               Member.coop_id == coop.id, Member.household_id == member.household_id, Member.id != member.id)))


def find_members(session: so.Session, coop: Coop, text: str, *, limit: int = 10) -> list[Member]:
    """Members who may be recorded (active or suspended), by number or by the words of their name."""
    text = (text or "").strip()
    select = sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(WORKING_STATUSES))
    number = whole_number(text)
    if number is not None:  # by number, whatever the status: the service then says why not
        return list(session.scalars(sa.select(Member).where(Member.coop_id == coop.id, Member.number == number)))
    words = fold(text).split()[:6]
    if not words:
        return []
    for word in words:
        select = select.where(Member.search_text.contains(word, autoescape=True))
    return list(session.scalars(select.order_by(Member.family_names, Member.given_names).limit(limit)))
