"""Meetings as the secretary prepares them: an assembly, a board, council, commission or block
meeting, with its place and its first and second call, changed while that is still honest, and
called off with a reason.

Times arrive as the co-op's wall clock ("sábado 13 de marzo, 09:00") and are stored in UTC. A
meeting lives draft -> convened (the notice went out: ``meetings.notice``) -> in session ->
closed, or is cancelled. Once the notice is out, the members were told a day, an hour, a place
and an order of the day: the calls, the place and the kind no longer change here (that needs a
new notice: cancel and convene again), and cancelling tells everyone on the roll through the
outbox. Members see a meeting once it is convened; drafts are the officers' own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_date, format_time
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, outbox
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.paging import count_of, one_page
from coop.tenancy import Coop
from meetings.models import Meeting, MeetingKind, MeetingStatus, RollEntry
from minga import commissions as minga_commissions
from minga.models import Commission

PAGE_SIZE = 20
MAX_TITLE = 200
MAX_PLACE = 200
MAX_NOTE = 4000
MAX_REASON = 2000
#: the second call comes at most this long after the first (the same day, in practice)
MAX_CALL_GAP = dt.timedelta(days=7)

KIND_LABELS = {MeetingKind.ORDINARY: _l("Ordinary general assembly"),
               MeetingKind.EXTRAORDINARY: _l("Extraordinary general assembly"),
               MeetingKind.BOARD: _l("Board of directors"),
               MeetingKind.OVERSIGHT: _l("Oversight council"),
               MeetingKind.COMMISSION: _l("Commission meeting"),
               MeetingKind.BLOCK: _l("Block assembly")}
STATUS_LABELS = {MeetingStatus.DRAFT: _l("Draft"), MeetingStatus.CONVENED: _l("Convened"),
                 MeetingStatus.IN_SESSION: _l("In session"), MeetingStatus.CLOSED: _l("Closed"),
                 MeetingStatus.CANCELLED: _l("Cancelled")}
#: the meetings members see: convened, sitting, closed (and cancelled after their notice went out)
SHOWN_TO_MEMBERS = (MeetingStatus.CONVENED, MeetingStatus.IN_SESSION, MeetingStatus.CLOSED, MeetingStatus.CANCELLED)

audit.describe("meetings.meeting", _l("Meeting changed"))
audit.describe("meetings.cancel", _l("Meeting cancelled"))
for _field, _label in (("title", _l("Title")), ("place", _l("Place")), ("first_call_dt", _l("First call (UTC)")),
                       ("second_call_dt", _l("Second call (UTC)")), ("attendance_note", _l("Who attends and votes")),
                       ("commission_id", _l("Commission")), ("block", _l("Block or sector"))):
    audit.describe_field(_field, _label, on="meeting")
audit.describe_field("kind", _l("Kind"), values=KIND_LABELS, on="meeting")
audit.describe_field("status", _l("Status"), values=STATUS_LABELS, on="meeting")


@dataclass
class MeetingData:
    """A meeting as the secretary writes it, in the co-op's wall clock."""

    kind: str
    title: str
    day: dt.date | None
    first_time: dt.time | None
    #: the second call's hour, on the same day (None: no second call)
    second_time: dt.time | None = None
    place: str = ""
    attendance_note: str = ""
    commission_id: int | None = None
    block: str = ""


# --- who sees what -------------------------------------------------------------------------------

def is_shown_to_members(meeting: Meeting) -> bool:
    """Convened, sitting or closed; a cancelled meeting only if its notice had gone out."""
    if meeting.status is MeetingStatus.CANCELLED:
        return meeting.notice_issued_dt is not None
    return meeting.status in SHOWN_TO_MEMBERS


def commission_choices(session: so.Session, coop: Coop) -> list[tuple[int, str]]:
    """The co-op's active commissions, for a commission meeting."""
    return [(c.id, c.name) for c in minga_commissions.commissions(session, coop, active_only=True)]


def own_meeting(coop: Coop, meeting: Meeting | None) -> Meeting:
    if meeting is None or meeting.coop_id != coop.id:
        raise NotFoundError(_l("There is no such meeting."))
    return meeting


# --- checking what was written --------------------------------------------------------------------

def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _check_kind(session: so.Session, coop: Coop, data: MeetingData, problems: Problems) -> dict:
    try:
        kind = MeetingKind(data.kind)
    except ValueError:
        problems.add(_l("Choose the kind of meeting."), field="kind")
        return {}
    values = {"kind": kind, "commission_id": None, "block": ""}
    if kind is MeetingKind.COMMISSION:
        commission = session.get(Commission, data.commission_id) if data.commission_id else None
        if commission is None or commission.coop_id != coop.id:
            problems.add(_l("Choose the commission that meets."), field="commission_id")
        else:
            values["commission_id"] = commission.id
    if kind is MeetingKind.BLOCK:
        block = _text(data.block)
        if not block:
            problems.add(_l("Write the block or sector whose members meet."), field="block")
        elif len(block) > 20:
            problems.add(_l("A block or sector has at most 20 characters."), field="block")
        values["block"] = block
    return values


def _check_calls(coop: Coop, data: MeetingData, problems: Problems) -> dict:
    if data.day is None:
        problems.add(_l("Write the day of the meeting."), field="day")
    if data.first_time is None:
        problems.add(_l("Write the hour of the first call."), field="first_time")
    if data.day is None or data.first_time is None:
        return {}
    first = dt.datetime.combine(data.day, data.first_time)
    values = {"first_call_dt": calendar.local_to_utc(coop, first), "second_call_dt": None}
    if data.second_time is not None:
        second = dt.datetime.combine(data.day, data.second_time)
        if second <= first:
            problems.add(_l("The second call comes after the first."), field="second_time")
        else:
            values["second_call_dt"] = calendar.local_to_utc(coop, second)
    return values


def _check(session: so.Session, coop: Coop, data: MeetingData) -> dict:
    """Every refusal of what was written at once; else the meeting's values."""
    problems = Problems()
    title = _text(data.title)
    if not title:
        problems.add(_l("Give the meeting a title, as the notice names it."), field="title")
    elif len(title) > MAX_TITLE:
        problems.add(_l("A title has at most %(max)d characters.", max=MAX_TITLE), field="title")
    place = _text(data.place)
    if len(place) > MAX_PLACE:
        problems.add(_l("A place has at most %(max)d characters.", max=MAX_PLACE), field="place")
    note = (data.attendance_note or "").strip()
    if len(note) > MAX_NOTE:
        problems.add(_l("At most 4,000 characters."), field="attendance_note")
    values = {"title": title, "place": place, "attendance_note": note}
    values.update(_check_kind(session, coop, data, problems))
    values.update(_check_calls(coop, data, problems))
    problems.raise_any()
    return values


# --- making and changing meetings -----------------------------------------------------------------

def create_meeting(session: so.Session, actor: User | None, coop: Coop, data: MeetingData, *,
                   now: dt.datetime) -> Meeting:
    """Prepare a meeting (a draft: members see it once its notice is issued)."""
    values = _check(session, coop, data)
    if values["first_call_dt"] <= now:
        raise DomainError(_l("The first call is in the past: a new meeting is still to come."), field="day")
    meeting = Meeting(coop_id=coop.id, status=MeetingStatus.DRAFT,
                      created_by_id=actor.id if actor is not None else None, **values)
    session.add(meeting)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.meeting", obj=meeting, summary=meeting.title,
                 changes={"created": [None, meeting.title]}, details={"kind": meeting.kind.value})
    return meeting


#: what the notice told members: fixed once it is issued
_ON_THE_NOTICE = {"kind": "kind", "first_call_dt": "day", "second_call_dt": "second_time", "place": "place",
                  "commission_id": "commission_id", "block": "block"}


def _refuse_if_over(meeting: Meeting) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise DomainError(_l("This meeting was cancelled: it cannot be changed."))
    if meeting.status is MeetingStatus.CLOSED:
        raise DomainError(_l("This meeting is closed: it cannot be changed."))
    if meeting.status is MeetingStatus.IN_SESSION:
        raise DomainError(_l("This meeting is in session: it cannot be changed now."))


def update_meeting(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, data: MeetingData, *,
                   now: dt.datetime) -> dict:
    """Change a draft freely; a convened meeting keeps what its notice said. The changes made."""
    own_meeting(coop, meeting)
    _refuse_if_over(meeting)
    values = _check(session, coop, data)
    changes = audit.changes_between(meeting, values)
    if meeting.status is MeetingStatus.CONVENED:
        problems = Problems()
        for name, field in _ON_THE_NOTICE.items():
            if name in changes:
                problems.add(_l("The notice has been issued with this: changing it needs a new notice. "
                                "Cancel the meeting and convene it again."), field=field)
        problems.raise_any()
    elif "first_call_dt" in changes and values["first_call_dt"] <= now:
        raise DomainError(_l("The first call is in the past: a meeting is prepared before it happens."), field="day")
    for key, value in values.items():
        setattr(meeting, key, value)
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="meetings.meeting", obj=meeting,
                     summary=meeting.title, changes=changes)
    return changes


def cancel_meeting(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, reason: str, *,
                   now: dt.datetime) -> int:
    """Call a meeting off, saying why; a convened meeting's roll is told. The number told."""
    own_meeting(coop, meeting)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the meeting is cancelled."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("A reason has at most 2,000 characters."), field="reason")
    # the row lock first: a notice being issued at the same moment lands before, or finds it cancelled
    session.execute(sa.update(Meeting).where(Meeting.id == meeting.id).values(status=Meeting.status)
                    .execution_options(synchronize_session=False))
    session.refresh(meeting)
    if meeting.status is MeetingStatus.IN_SESSION:
        raise DomainError(_l("This meeting is in session: close it instead of cancelling it."))
    _refuse_if_over(meeting)
    before = meeting.status
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    session.flush()
    told = tell_cancelled(session, coop, meeting) if before is MeetingStatus.CONVENED else 0
    audit.record(session, coop=coop, actor=actor, action="meetings.cancel", obj=meeting, summary=meeting.title,
                 changes={"status": [before.value, MeetingStatus.CANCELLED.value]},
                 details={"reason": reason, "told": told})
    return told


# --- telling the roll -----------------------------------------------------------------------------

def calls_in_words(coop: Coop, meeting: Meeting, language: str = "es") -> str:
    """The calls where the co-op is: "sábado, 13 de marzo de 2027, 09:00 (segunda convocatoria: 10:00)"."""
    first = calendar.utc_to_local(coop, meeting.first_call_dt)
    day = format_date(first.date(), format="full", locale=language)
    hour = format_time(first.time(), "HH:mm", locale=language)
    text = f"{day}, {hour}"
    if meeting.second_call_dt is None:
        return text
    second = calendar.utc_to_local(coop, meeting.second_call_dt)
    hour = format_time(second.time(), "HH:mm", locale=language)
    if second.date() != first.date():
        hour = f"{format_date(second.date(), format='medium', locale=language)} {hour}"
    with force_locale(language):
        return _("%(first)s (second call: %(second)s)", first=text, second=hour)


def _address_of(session: so.Session, entry: RollEntry) -> str | None:
    member = entry.member
    if member.email:
        return member.email
    if member.user_id is not None:
        user = session.get(User, member.user_id)
        return user.email if user is not None else None
    return None


def tell_cancelled(session: so.Session, coop: Coop, meeting: Meeting) -> int:
    """Mail everyone on the roll with an address that the meeting is off (once each, whatever happens)."""
    entries = session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id)
                              .options(so.joinedload(RollEntry.member)).order_by(RollEntry.number))
    told = 0
    for entry in entries:
        to = _address_of(session, entry)
        if not to:
            continue
        language = entry.member.preferred_language or coop.locale.split("_")[0]
        with force_locale(language):
            body = render_template("mail/meeting_cancelled.txt", coop_name=coop.name, meeting=meeting,
                                   when=calls_in_words(coop, meeting, language))
            subject = _("Meeting cancelled: %(title)s", title=meeting.title)
        if outbox.enqueue(session, to=to, subject=subject, body=body, coop_id=coop.id,
                          dedupe_key=f"meetings.cancelled:{meeting.id}:{entry.member_id}") is not None:
            told += 1
    return told


# --- reading the lists ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingLists:
    coming: list[Meeting]
    past: list[Meeting]
    past_total: int


def _visible(coop: Coop, with_drafts: bool) -> sa.Select:
    query = sa.select(Meeting).where(Meeting.coop_id == coop.id)
    if not with_drafts:
        query = query.where(sa.or_(Meeting.status.in_((MeetingStatus.CONVENED, MeetingStatus.IN_SESSION,
                                                       MeetingStatus.CLOSED)),
                                   sa.and_(Meeting.status == MeetingStatus.CANCELLED,
                                           Meeting.notice_issued_dt.is_not(None))))
    return query


def _is_coming(now: dt.datetime):
    """Still ahead: sitting, or prepared or convened and not yet a day past its first call."""
    return sa.or_(Meeting.status == MeetingStatus.IN_SESSION,
                  sa.and_(Meeting.status.in_((MeetingStatus.DRAFT, MeetingStatus.CONVENED)),
                          Meeting.first_call_dt >= now - dt.timedelta(hours=12)))


def meeting_lists(session: so.Session, coop: Coop, *, with_drafts: bool, now: dt.datetime,
                  page: int = 1, per_page: int = PAGE_SIZE) -> MeetingLists:
    """The coming meetings (soonest first) and the past ones (latest first, paged)."""
    visible = _visible(coop, with_drafts)
    coming = list(session.scalars(visible.where(_is_coming(now)).order_by(Meeting.first_call_dt, Meeting.id)
                                  .limit(100)))
    past_query = visible.where(~_is_coming(now))
    past = list(session.scalars(one_page(past_query.order_by(Meeting.first_call_dt.desc(), Meeting.id.desc()),
                                         page, per_page)))
    total = count_of(session, past_query)
    return MeetingLists(coming, past, total or 0)


def next_meeting(session: so.Session, coop: Coop, *, now: dt.datetime, general_only: bool = False) -> Meeting | None:
    """The next meeting members were called to (sitting now, or convened and still ahead)."""
    query = _visible(coop, False).where(_is_coming(now))
    if general_only:
        query = query.where(Meeting.kind.in_((MeetingKind.ORDINARY, MeetingKind.EXTRAORDINARY)))
    return session.scalar(query.order_by(Meeting.first_call_dt, Meeting.id).limit(1))


def waiting_for_notice(session: so.Session, coop: Coop, *, now: dt.datetime, limit: int = 5) -> list[Meeting]:
    """Drafts still ahead: the notice is the secretary's next step."""
    return list(session.scalars(
        sa.select(Meeting).where(Meeting.coop_id == coop.id, Meeting.status == MeetingStatus.DRAFT,
                                 Meeting.first_call_dt >= now)
        .order_by(Meeting.first_call_dt, Meeting.id).limit(limit)))


def officers_next(session: so.Session, coop: Coop, *, now: dt.datetime,
                  limit: int = 5) -> tuple[Meeting | None, list[Meeting]]:
    """``next_meeting`` and ``waiting_for_notice`` in one query, for the officers' home page.

    Reads the coming meetings, drafts included, soonest first: the next convened one is among the
    first few unless many drafts come before it, when the panel names the drafts alone.
    """
    coming = list(session.scalars(_visible(coop, True).where(_is_coming(now))
                                  .order_by(Meeting.first_call_dt, Meeting.id).limit(4 * limit)))
    convened = next((m for m in coming if m.status is not MeetingStatus.DRAFT), None)
    drafts = [m for m in coming if m.status is MeetingStatus.DRAFT and m.first_call_dt >= now]
    return convened, drafts[:limit]
