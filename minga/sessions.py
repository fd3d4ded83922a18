"""Work sessions (jornadas) on the coordinator's side: making them, alone or as a recurring
series, changing them, moving them through their life, and calling them off.

Times arrive as the co-op's wall clock (a day and the hours, "sábado 07:00-13:00") and are
stored in UTC. A series ("every 7 days from 5/12, 12 times") makes ordinary sessions, each then
changed or cancelled on its own; the ``SessionSeries`` row only remembers the rule. A session
lives draft -> open <-> closed -> done, or is cancelled with a reason told to everyone signed up.
Cancelling first takes the session's row lock with a write, so a sign-up arriving at the same
moment either lands before (and is cancelled and told) or waits and finds the session cancelled.
Sign-ups themselves, and capacity changes with their waitlist moves, are ``minga.signups``'.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.paging import one_page
from coop.tenancy import Coop
from minga import notices, signups
from minga.commissions import own_commission
from minga.models import (Attendance, Commission, SessionSeries, SessionStatus, SessionTask, SignUp, SignUpStatus,
                          WorkSession)

MAX_CAPACITY = 1000
MAX_TASKS = 30
MAX_SERIES = 52
MAX_EVERY_DAYS = 365
PAGE_SIZE = 50
#: sessions that ended within this many days are "recent" on the manager's page
RECENT_DAYS = 60

STATUS_LABELS = {SessionStatus.DRAFT: _l("Draft"), SessionStatus.OPEN: _l("Open for sign-ups"),
                 SessionStatus.CLOSED: _l("Sign-ups closed"), SessionStatus.DONE: _l("Done"),
                 SessionStatus.CANCELLED: _l("Cancelled")}
#: status -> the statuses ``set_status`` may move it to (cancelling is ``cancel_session``'s)
TRANSITIONS = {SessionStatus.DRAFT: frozenset({SessionStatus.OPEN}),
               SessionStatus.OPEN: frozenset({SessionStatus.CLOSED, SessionStatus.DONE}),
               SessionStatus.CLOSED: frozenset({SessionStatus.OPEN, SessionStatus.DONE}),
               SessionStatus.DONE: frozenset(), SessionStatus.CANCELLED: frozenset()}
LIVE_SIGN_UPS = (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)

audit.describe("minga.session", _l("Work session changed"))
audit.describe("minga.series", _l("Recurring work sessions created"))
audit.describe("minga.session_status", _l("Work session status changed"))
audit.describe("minga.session_cancel", _l("Work session cancelled"))
for _field, _label in (("title", _l("Title")), ("description", _l("Description")), ("place", _l("Place")),
                       ("starts_dt", _l("Starts (UTC)")), ("ends_dt", _l("Ends (UTC)")), ("capacity", _l("Places")),
                       ("signup_opens_dt", _l("Sign-ups open (UTC)")), ("signup_closes_dt", _l("Sign-ups close (UTC)")),
                       ("is_compensation", _l("Compensation session")), ("tasks", _l("Tasks"))):
    audit.describe_field(_field, _label, on="work_session")
audit.describe_field("status", _l("Status"), values=STATUS_LABELS, on="work_session")


@dataclass
class TaskData:
    name: str
    people_needed: int


@dataclass
class SessionData:
    """A session as the coordinator writes it, in the co-op's wall clock."""

    title: str
    day: dt.date | None
    start: dt.time | None
    end: dt.time | None
    capacity: int | None
    place: str = ""
    description: str = ""
    #: sign-ups open from (wall clock); None: as soon as the session is open
    signup_opens: dt.datetime | None = None
    #: sign-ups close at (wall clock); None: when the session starts
    signup_closes: dt.datetime | None = None
    tasks: list[TaskData] = field(default_factory=list)
    is_compensation: bool = False
    #: a new session opens for sign-ups at once (else it stays a draft)
    is_open: bool = True


@dataclass(frozen=True)
class ManagedSession:
    """A session on the manager's page, with its waitlist counted."""

    session: WorkSession
    waitlisted: int


@dataclass(frozen=True)
class ManagerSessions:
    upcoming: list[ManagedSession]
    upcoming_total: int
    recent: list[ManagedSession]


# --- checking what was written ------------------------------------------------------------------

def parse_tasks(text: str) -> list[TaskData]:
    """Tasks typed one a line, "Cargar piedra: 6" (the people it needs after a colon)."""
    tasks = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        found = re.fullmatch(r"(.+?)\s*[:=]\s*(\d{1,4})", line)
        if found is None:
            raise DomainError(_l("Line %(line)d: write the task, a colon and the people it needs "
                                 "(\"Cargar piedra: 6\").", line=number), field="tasks")
        tasks.append(TaskData(found.group(1), int(found.group(2))))
    return tasks


def tasks_text(work_session: WorkSession) -> str:
    """A session's tasks as the form shows them again, one a line."""
    return "\n".join(f"{task.name}: {task.people_needed}" for task in work_session.tasks)


def _check_tasks(tasks: list[TaskData], problems: Problems) -> list[TaskData]:
    if len(tasks) > MAX_TASKS:
        problems.add(_l("At most %(max)d tasks.", max=MAX_TASKS), field="tasks")
        return []
    clean = []
    for task in tasks:
        name = " ".join((task.name or "").split())
        if not name or len(name) > 200:
            problems.add(_l("Each task needs a name of at most 200 characters."), field="tasks")
        elif not isinstance(task.people_needed, int) or task.people_needed < 1:
            problems.add(_l("The task \"%(name)s\" needs at least one person.", name=name), field="tasks")
        elif task.people_needed > MAX_CAPACITY:
            problems.add(_l("The task \"%(name)s\" needs too many people.", name=name), field="tasks")
        else:
            clean.append(TaskData(name, task.people_needed))
    return clean


def _check_times(coop: Coop, data: SessionData, problems: Problems) -> dict:
    """The session's times in UTC, or refusals beside the day, the hours and the window."""
    if data.day is None:
        problems.add(_l("Write the day of the session."), field="day")
    if data.start is None:
        problems.add(_l("Write when the work starts."), field="start")
    if data.end is None:
        problems.add(_l("Write when the work ends."), field="end")
    if data.day is None or data.start is None or data.end is None:
        return {}
    if data.end <= data.start:
        problems.add(_l("The end comes after the start."), field="end")
        return {}
    starts = dt.datetime.combine(data.day, data.start)
    times = {"starts_dt": calendar.local_to_utc(coop, starts),
             "ends_dt": calendar.local_to_utc(coop, dt.datetime.combine(data.day, data.end)),
             "signup_opens_dt": None, "signup_closes_dt": None}
    if data.signup_opens is not None:
        if data.signup_opens >= starts:
            problems.add(_l("Sign-ups open before the session starts."), field="signup_opens")
        times["signup_opens_dt"] = calendar.local_to_utc(coop, data.signup_opens)
    if data.signup_closes is not None:
        if data.signup_closes > starts:
            problems.add(_l("Sign-ups close at the latest when the session starts."), field="signup_closes")
        elif data.signup_opens is not None and data.signup_closes <= data.signup_opens:
            problems.add(_l("Sign-ups close after they open."), field="signup_closes")
        times["signup_closes_dt"] = calendar.local_to_utc(coop, data.signup_closes)
    return times


def _check(coop: Coop, data: SessionData) -> dict:
    """Every refusal of what was written at once; else the session's values and its tasks."""
    problems = Problems()
    title = " ".join((data.title or "").split())
    if not title:
        problems.add(_l("Give the session a title."), field="title")
    elif len(title) > 200:
        problems.add(_l("A title has at most 200 characters."), field="title")
    place = " ".join((data.place or "").split())
    if len(place) > 200:
        problems.add(_l("A place has at most 200 characters."), field="place")
    description = (data.description or "").strip()
    if len(description) > 4000:
        problems.add(_l("A description has at most 4,000 characters."), field="description")
    capacity = data.capacity
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        problems.add(_l("A session takes at least one person."), field="capacity")
    elif capacity > MAX_CAPACITY:
        problems.add(_l("At most %(max)d places.", max=MAX_CAPACITY), field="capacity")
    times = _check_times(coop, data, problems)
    tasks = _check_tasks(data.tasks, problems)
    problems.raise_any()
    values = {"title": title, "place": place, "description": description, "capacity": capacity,
              "is_compensation": bool(data.is_compensation), **times}
    return {"values": values, "tasks": tasks}


def _check_commission(coop: Coop, commission: Commission) -> None:
    own_commission(coop, commission)
    if not commission.is_active:
        raise DomainError(_l("The commission %(name)s is inactive: it takes no new sessions.", name=commission.name))


def own_session(coop: Coop, work_session: WorkSession | None) -> WorkSession:
    if work_session is None or work_session.coop_id != coop.id:
        raise NotFoundError(_l("There is no such work session."), field="session")
    return work_session


# --- making sessions ----------------------------------------------------------------------------

def _new_session(coop: Coop, actor: User | None, commission: Commission, checked: dict, *,
                 is_open: bool, series_id: int | None = None, shift: dt.timedelta = dt.timedelta(0)) -> WorkSession:
    values = dict(checked["values"])
    for key in ("starts_dt", "ends_dt", "signup_opens_dt", "signup_closes_dt"):
        if values[key] is not None:
            values[key] = values[key] + shift
    work_session = WorkSession(coop_id=coop.id, commission_id=commission.id, series_id=series_id,
                               status=SessionStatus.OPEN if is_open else SessionStatus.DRAFT,
                               created_by_id=actor.id if actor is not None else None, **values)
    work_session.tasks = [SessionTask(coop_id=coop.id, name=task.name, people_needed=task.people_needed,
                                      position=position) for position, task in enumerate(checked["tasks"])]
    return work_session


def create_session(session: so.Session, actor: User | None, coop: Coop, commission: Commission,
                   data: SessionData) -> WorkSession:
    """Make one work session of a commission (open for sign-ups, or a draft)."""
    _check_commission(coop, commission)
    checked = _check(coop, data)
    work_session = _new_session(coop, actor, commission, checked, is_open=data.is_open)
    session.add(work_session)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.session", obj=work_session,
                 summary=work_session.title, changes={"created": [None, work_session.title]},
                 details={"commission": commission.name})
    return work_session


def _local_shift(coop: Coop, data: SessionData, days: int) -> dt.timedelta:
    """How far the k-th session lies from the first in UTC: the same wall clock ``days`` later."""
    first = dt.datetime.combine(data.day, data.start)
    return calendar.local_to_utc(coop, first + dt.timedelta(days=days)) - calendar.local_to_utc(coop, first)


def series_rule_text(data: SessionData, every_days: int, count: int) -> str:
    """The rule in words, in the writer's language ("every 7 days from 5/12/26, 12 times, 07:00–13:00")."""
    return _("every %(days)d days from %(day)s, %(count)d times, %(start)s–%(end)s", days=every_days,
             day=format_date(data.day, "short"), count=count, start=format_time(data.start, "HH:mm"),
             end=format_time(data.end, "HH:mm"))


def create_series(session: so.Session, actor: User | None, coop: Coop, commission: Commission, data: SessionData,
                  *, every_days: int | None, count: int | None) -> SessionSeries:
    """Make ``count`` sessions ``every_days`` apart at the same wall-clock hours, and the series' rule.

    Each session is an ordinary one (changed or cancelled on its own); the sign-up window, if
    given, moves with each session.
    """
    _check_commission(coop, commission)
    problems = Problems()
    if not isinstance(every_days, int) or not 1 <= every_days <= MAX_EVERY_DAYS:
        problems.add(_l("From 1 to %(max)d days between sessions.", max=MAX_EVERY_DAYS), field="every_days")
    if not isinstance(count, int) or not 2 <= count <= MAX_SERIES:
        problems.add(_l("From 2 to %(max)d sessions.", max=MAX_SERIES), field="count")
    checked = problems.check(_check, coop, data)
    problems.raise_any()
    series = SessionSeries(coop_id=coop.id, commission_id=commission.id, every_days=every_days, count=count,
                           rule_text=series_rule_text(data, every_days, count)[:300],
                           created_by_id=actor.id if actor is not None else None)
    session.add(series)
    session.flush()
    for number in range(count):
        session.add(_new_session(coop, actor, commission, checked, is_open=data.is_open, series_id=series.id,
                                 shift=_local_shift(coop, data, number * every_days)))
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.series", obj=series,
                 summary=f"{checked['values']['title']}: {series.rule_text}",
                 details={"commission": commission.name, "count": count})
    return series


def sessions_of_series(session: so.Session, series: SessionSeries) -> list[WorkSession]:
    return list(session.scalars(sa.select(WorkSession).where(WorkSession.series_id == series.id)
                                .order_by(WorkSession.starts_dt)))


# --- changing them ------------------------------------------------------------------------------

def _refuse_if_over(work_session: WorkSession) -> None:
    if work_session.status is SessionStatus.CANCELLED:
        raise DomainError(_l("This session was cancelled: it cannot be changed."))
    if work_session.status is SessionStatus.DONE:
        raise DomainError(_l("This session is done: it cannot be changed."))


def _replace_tasks(coop: Coop, work_session: WorkSession, tasks: list[TaskData]) -> bool:
    """Keep the tasks whose name stays (sign-ups keep their task), drop the others, add the new."""
    before = [(task.name, task.people_needed) for task in work_session.tasks]
    existing = {task.name.lower(): task for task in work_session.tasks}
    kept = []
    for position, data in enumerate(tasks):
        task = existing.pop(data.name.lower(), None) or SessionTask(coop_id=coop.id, name=data.name)
        task.name, task.people_needed, task.position = data.name, data.people_needed, position
        kept.append(task)
    work_session.tasks = kept
    return before != [(task.name, task.people_needed) for task in kept]


def update_session(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession,
                   data: SessionData, *, now: dt.datetime | None = None) -> dict:
    """Change a session; a new capacity goes through ``minga.signups.set_capacity`` (its waitlist
    moves and notices). The changes made."""
    own_session(coop, work_session)
    _refuse_if_over(work_session)
    checked = _check(coop, data)
    values = checked["values"]
    capacity = values.pop("capacity")
    changes = audit.changes_between(work_session, values)
    for key, value in values.items():
        setattr(work_session, key, value)
    if _replace_tasks(coop, work_session, checked["tasks"]):
        changes["tasks"] = [None, ", ".join(f"{task.name}: {task.people_needed}" for task in checked["tasks"])]
    session.flush()
    if capacity != work_session.capacity:
        changes["capacity"] = [work_session.capacity, capacity]
        # the sign-ups' own rules: more places promote the waitlist, fewer send the latest back to it
        signups.set_capacity(session, actor, coop, work_session, capacity, now=now or utcnow())
    if changes:
        audit.record(session, coop=coop, actor=actor, action="minga.session", obj=work_session,
                     summary=work_session.title, changes=changes)
    return changes


def set_status(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession,
               status: SessionStatus, *, now: dt.datetime | None = None) -> WorkSession:
    """Move a session along its life (draft -> open <-> closed -> done once it has ended)."""
    own_session(coop, work_session)
    now = now or utcnow()
    if status is SessionStatus.CANCELLED:
        raise DomainError(_l("Cancel a session with its own form, saying why."), field="status")
    if status not in TRANSITIONS[work_session.status]:
        raise DomainError(_l("A session that is \"%(now)s\" cannot become \"%(then)s\".",
                             now=STATUS_LABELS[work_session.status], then=STATUS_LABELS[status]), field="status")
    if status is SessionStatus.DONE and now < work_session.ends_dt:
        raise DomainError(_l("A session is done only after it has ended."), field="status")
    if status is SessionStatus.OPEN and now >= work_session.ends_dt:
        raise DomainError(_l("This session has already ended: it cannot open for sign-ups."), field="status")
    before = work_session.status
    work_session.status = status
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.session_status", obj=work_session,
                 summary=work_session.title, changes={"status": [before.value, status.value]})
    return work_session


def _lock(session: so.Session, work_session: WorkSession) -> None:
    """Take the session's row lock with a write, and read the row as it now is."""
    session.execute(sa.update(WorkSession).where(WorkSession.id == work_session.id)
                    .values(arrivals=WorkSession.arrivals).execution_options(synchronize_session=False))
    session.refresh(work_session)


def cancel_session(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession, reason: str,
                   *, now: dt.datetime | None = None) -> int:
    """Call a session off: every sign-up and waitlist place is cancelled and each person told why.

    A session whose attendance was recorded happened, and cannot be cancelled. The number of
    people told (or, without an address, only cancelled).
    """
    own_session(coop, work_session)
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the session is cancelled: everyone signed up is told."), field="reason")
    if len(reason) > 2000:
        raise DomainError(_l("A reason has at most 2,000 characters."), field="reason")
    _lock(session, work_session)
    _refuse_if_over(work_session)
    if session.scalar(sa.select(Attendance.id).where(Attendance.session_id == work_session.id).limit(1)):
        raise DomainError(_l("Attendance was recorded for this session: it cannot be cancelled."))
    sign_ups = list(session.scalars(
        sa.select(SignUp).where(SignUp.session_id == work_session.id, SignUp.status.in_(LIVE_SIGN_UPS))
        .options(so.joinedload(SignUp.member)).order_by(SignUp.arrival)))
    before = work_session.status
    work_session.status = SessionStatus.CANCELLED
    work_session.cancel_reason = reason
    work_session.confirmed_count = 0
    for sign_up in sign_ups:
        sign_up.status = SignUpStatus.CANCELLED
        sign_up.changed_dt = now
    session.flush()
    for sign_up in sign_ups:
        notices.cancelled(session, coop, sign_up)
    audit.record(session, coop=coop, actor=actor, action="minga.session_cancel", obj=work_session,
                 summary=work_session.title, changes={"status": [before.value, SessionStatus.CANCELLED.value]},
                 details={"reason": reason, "sign_ups": len(sign_ups)})
    return len(sign_ups)


# --- reading for the manager --------------------------------------------------------------------

def _waitlist_counts(session: so.Session, session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    return dict(session.execute(
        sa.select(SignUp.session_id, sa.func.count()).where(
            SignUp.session_id.in_(session_ids), SignUp.status == SignUpStatus.WAITLISTED)
        .group_by(SignUp.session_id)).all())


def _scoped(query: sa.Select, coop: Coop, commission_ids: frozenset[int] | None) -> sa.Select:
    query = query.where(WorkSession.coop_id == coop.id)
    if commission_ids is not None:
        query = query.where(WorkSession.commission_id.in_(commission_ids or [-1]))
    return query


def sessions_for_manager(session: so.Session, coop: Coop, commission_ids: frozenset[int] | None, *,
                         now: dt.datetime, page: int = 1, limit: int = PAGE_SIZE,
                         recent: bool = True) -> ManagerSessions:
    """The coming sessions (paged, soonest first) and those of the last weeks, with their waitlists."""
    base = _scoped(sa.select(WorkSession), coop, commission_ids).options(so.joinedload(WorkSession.commission))
    upcoming = list(session.scalars(one_page(base.where(WorkSession.ends_dt >= now)
                                             .order_by(WorkSession.starts_dt, WorkSession.id), page, limit)))
    total = session.scalar(_scoped(sa.select(sa.func.count(WorkSession.id)), coop, commission_ids)
                           .where(WorkSession.ends_dt >= now))
    past = list(session.scalars(base.where(WorkSession.ends_dt < now,
                                           WorkSession.ends_dt >= now - dt.timedelta(days=RECENT_DAYS))
                                .order_by(WorkSession.starts_dt.desc(), WorkSession.id.desc())
                                .limit(limit))) if recent else []
    waiting = _waitlist_counts(session, [s.id for s in upcoming + past])
    return ManagerSessions([ManagedSession(s, waiting.get(s.id, 0)) for s in upcoming], total or 0,
                           [ManagedSession(s, waiting.get(s.id, 0)) for s in past])


def awaiting_attendance(session: so.Session, coop: Coop, commission_ids: frozenset[int] | None, *,
                        now: dt.datetime, limit: int = 10) -> list[WorkSession]:
    """Sessions that ended, neither done nor cancelled, with no attendance recorded yet."""
    recorded = sa.select(Attendance.id).where(Attendance.session_id == WorkSession.id).exists()
    return list(session.scalars(
        _scoped(sa.select(WorkSession), coop, commission_ids)
        .where(WorkSession.ends_dt < now, WorkSession.status.in_((SessionStatus.OPEN, SessionStatus.CLOSED)),
               ~recorded)
        .order_by(WorkSession.starts_dt.desc()).limit(limit)))


def has_attendance(session: so.Session, work_session: WorkSession) -> bool:
    return session.scalar(sa.select(Attendance.id).where(Attendance.session_id == work_session.id).limit(1)) is not None
