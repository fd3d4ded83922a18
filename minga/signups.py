"""Signing up for Minga work sessions: places, the waitlist, cancelling, capacity, substitutes.

Capacity is held by the database, never by a count followed by an insert. Every change to a
session's places first takes the session's row lock with a write (``UPDATE work_session ...``):
on PostgreSQL the row lock queues concurrent requests for the same session, on SQLite the write
transaction does. A sign-up takes the next arrival number (``arrivals + 1 ... RETURNING``), then
asks for a place with a conditional ``UPDATE ... WHERE confirmed_count < capacity``: one row
changed means a confirmed place, none means the waitlist. The check constraint
``confirmed_count <= capacity`` backs it. The waitlist is served in arrival order: a freed place
(a cancellation, a larger capacity) goes to the waitlisted sign-up with the lowest arrival, who is
told through the outbox; a smaller capacity sends the latest confirmed sign-ups back to it.

A member may sign up once per session (a unique key; a cancelled sign-up's row is reused with a
new arrival number). The office (a coordinator of the commission, the secretary) may sign people
up and cancel for them until the session starts; members themselves only until the sign-ups
close. Another member of the same household may work in a member's place.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_datetime
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, PermissionDenied
from coop.paging import count_of, one_page
from coop.tenancy import Coop
from members import reports as member_reports
from members.models import Member, MemberStatus
from members.services import status_label
from minga import notices
from minga.models import SessionStatus, SessionTask, SignUp, SignUpStatus, WorkSession

audit.describe("minga.sign_up_office", _l("Signed a member up for a Minga session at the office"))
audit.describe("minga.sign_up_cancel", _l("Cancelled a Minga sign-up"))
audit.describe("minga.capacity", _l("Changed the places of a Minga session"))
audit.describe("minga.substitute", _l("Another member of the household works in a Minga place"))
audit.describe_field("capacity", _l("Places"), on="work_session")
audit.describe_field("promoted", _l("Moved up from the waitlist"))
audit.describe_field("moved_to_waitlist", _l("Moved back to the waitlist"))
audit.describe_field("by_office", _l("At the office"))

#: the sign-ups that hold a place or wait for one
ACTIVE = (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)
PAGE_SIZE = 30

STATUS_LABELS = {
    SignUpStatus.CONFIRMED: _l("Confirmed"),
    SignUpStatus.WAITLISTED: _l("On the waitlist"),
    SignUpStatus.CANCELLED: _l("Cancelled"),
}
audit.describe_field("status", _l("Status"), values=STATUS_LABELS, on="sign_up")
SESSION_STATUS_LABELS = {
    SessionStatus.DRAFT: _l("Draft"),
    SessionStatus.OPEN: _l("Open for sign-ups"),
    SessionStatus.CLOSED: _l("Sign-ups closed"),
    SessionStatus.DONE: _l("Done"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}
_NOT_OPEN = {
    SessionStatus.DRAFT: _l("This session is not open for sign-ups yet."),
    SessionStatus.CLOSED: _l("Sign-ups for this session are closed."),
    SessionStatus.DONE: _l("This session has already taken place."),
    SessionStatus.CANCELLED: _l("This session was cancelled."),
}


# --- small helpers ---------------------------------------------------------------------------------

def moment_text(coop: Coop, moment: dt.datetime) -> str:
    """A stored UTC time as the reader reads it where the co-op is ("5/12/26, 7:00")."""
    locale = str(get_locale() or coop.locale) if has_request_context() else coop.locale
    return format_datetime(calendar.utc_to_local(coop, moment), format="short", locale=locale)


def closes_at(work_session: WorkSession) -> dt.datetime:
    """When sign-ups and members' own cancellations close: the set time, else the start."""
    return work_session.signup_closes_dt or work_session.starts_dt


def is_taking_sign_ups(work_session: WorkSession, now: dt.datetime) -> bool:
    """Whether a member may sign up now: open, not started, within the sign-up window."""
    return (work_session.status == SessionStatus.OPEN and now < closes_at(work_session)
            and now < work_session.starts_dt
            and (work_session.signup_opens_dt is None or now >= work_session.signup_opens_dt))


def may_cancel_own(work_session: WorkSession, now: dt.datetime) -> bool:
    """Whether members may still cancel their own sign-ups (before the sign-ups close)."""
    return now < closes_at(work_session) and now < work_session.starts_dt


def _check_in_coop(coop: Coop, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.coop_id != coop.id:
            raise NotFoundError(_l("There is no such record in this co-op."))


def _check_own(actor: User | None, member: Member, by_office: bool) -> None:
    # The views pass the reader's own member; this keeps it true for any caller. Jobs, the demo
    # and tests act without a user (actor None).
    if not by_office and actor is not None and member.user_id != actor.id:
        raise PermissionDenied(_l("You can only sign yourself up; the office can sign up others."))


def _lock(session: so.Session, work_session: WorkSession, *, next_arrival: bool = False) -> int:
    """Take the session's row lock by writing to it (PostgreSQL queues the others on the row lock,
    SQLite on its write transaction), then read the session again as it now stands.

    With ``next_arrival`` the write hands out the next arrival number, which it returns.
    """
    value = WorkSession.arrivals + 1 if next_arrival else WorkSession.arrivals
    arrival = session.execute(
        sa.update(WorkSession).where(WorkSession.id == work_session.id).values(arrivals=value)
        .returning(WorkSession.arrivals).execution_options(synchronize_session=False)).scalar_one()
    session.refresh(work_session)
    return arrival


def _take_place(session: so.Session, work_session: WorkSession) -> bool:
    """One more confirmed place if one is free (a conditional UPDATE); False: the session is full."""
    taken = session.execute(
        sa.update(WorkSession).where(WorkSession.id == work_session.id,
                                     WorkSession.confirmed_count < WorkSession.capacity)
        .values(confirmed_count=WorkSession.confirmed_count + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    if taken:
        so.attributes.set_committed_value(work_session, "confirmed_count", work_session.confirmed_count + 1)
    return taken


def _free_place(session: so.Session, work_session: WorkSession) -> None:
    session.execute(sa.update(WorkSession).where(WorkSession.id == work_session.id)
                    .values(confirmed_count=WorkSession.confirmed_count - 1)
                    .execution_options(synchronize_session=False))
    so.attributes.set_committed_value(work_session, "confirmed_count", work_session.confirmed_count - 1)


def _summary(sign_up: SignUp) -> str:
    return f"{sign_up.member.number}: {sign_up.member.full_name} — {sign_up.session.title}"


# --- signing up ------------------------------------------------------------------------------------

def _check_can_sign_up(coop: Coop, work_session: WorkSession, member: Member, task: SessionTask | None, *,
                       by_office: bool, now: dt.datetime) -> None:
    if now >= work_session.starts_dt:
        raise DomainError(_l("This session has already started; it takes no more sign-ups."), field="session")
    if work_session.status != SessionStatus.OPEN:
        raise DomainError(_NOT_OPEN[work_session.status], field="session")
    if work_session.signup_opens_dt is not None and now < work_session.signup_opens_dt:
        raise DomainError(_l("Sign-ups for this session open on %(when)s.",
                             when=moment_text(coop, work_session.signup_opens_dt)), field="session")
    if not by_office and now >= closes_at(work_session):
        raise DomainError(_l("Sign-ups for this session closed on %(when)s; the office can still sign you up.",
                             when=moment_text(coop, closes_at(work_session))), field="session")
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_l("Only active members sign up for Minga work; %(name)s is %(status)s.",
                             name=member.full_name, status=str(status_label(member.status)).lower()),
                          field="member")
    if task is not None and task.session_id != work_session.id:
        raise DomainError(_l("That task belongs to another session."), field="task")


def _refuse_second(session: so.Session, existing: SignUp, by_office: bool) -> None:
    name = existing.member.full_name
    if existing.status == SignUpStatus.CONFIRMED:
        raise DomainError(_l("%(name)s already has a place in this session.", name=name) if by_office
                          else _l("You already have a place in this session."), field="member")
    position = waitlist_position(session, existing)
    raise DomainError(_l("%(name)s is already on this session's waitlist, number %(position)d.",
                         name=name, position=position) if by_office
                      else _l("You are already on this session's waitlist, number %(position)d.",
                              position=position), field="member")


def _existing(session: so.Session, work_session: WorkSession, member: Member) -> SignUp | None:
    return session.scalar(sa.select(SignUp).where(SignUp.session_id == work_session.id,
                                                  SignUp.member_id == member.id)
                          .execution_options(populate_existing=True))


def sign_up(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession, member: Member, *,
            task: SessionTask | None = None, by_office: bool = False, now: dt.datetime | None = None) -> SignUp:
    """Sign a member up: a confirmed place while there is one, else the waitlist, in arrival order.

    The office (``by_office``) may sign people up after the sign-ups close, until the session
    starts. Refuses a session that is not open, started or outside its sign-up window, a member
    who is not active or of another co-op, a task of another session, and a second sign-up.
    """
    now = now or utcnow()
    _check_in_coop(coop, work_session, member, task)
    _check_own(actor, member, by_office)
    _check_can_sign_up(coop, work_session, member, task, by_office=by_office, now=now)
    existing = _existing(session, work_session, member)
    if existing is not None and existing.status in ACTIVE:
        _refuse_second(session, existing, by_office)  # the common case, told before any write
    try:
        with session.begin_nested():
            arrival = _lock(session, work_session, next_arrival=True)
            # read again under the lock: a request at the same instant may have changed both
            _check_can_sign_up(coop, work_session, member, task, by_office=by_office, now=now)
            existing = _existing(session, work_session, member)
            if existing is not None and existing.status in ACTIVE:
                _refuse_second(session, existing, by_office)
            status = SignUpStatus.CONFIRMED if _take_place(session, work_session) else SignUpStatus.WAITLISTED
            place = existing or SignUp(coop_id=coop.id, session_id=work_session.id, member_id=member.id,
                                       created_dt=now)
            place.status, place.arrival, place.task_id, place.changed_dt = status, arrival, \
                task.id if task else None, now
            place.is_by_office, place.signed_up_by_id = by_office, actor.id if actor else None
            session.add(place)
            session.flush()
    except sa.exc.IntegrityError:
        # the same member's request at the same instant won (PostgreSQL let both read "none")
        session.expire(work_session)
        raise DomainError(_l("This member is already signed up for this session."), field="member") from None
    except DomainError:
        session.expire(work_session)
        raise
    if by_office:
        audit.record(session, coop=coop, actor=actor, action="minga.sign_up_office", obj=place,
                     summary=_summary(place), details={"status": place.status.value})
    return place


# --- the waitlist moving ---------------------------------------------------------------------------

def _first_waiting(session: so.Session, work_session: WorkSession, count: int) -> list[SignUp]:
    return list(session.scalars(
        sa.select(SignUp).where(SignUp.session_id == work_session.id, SignUp.status == SignUpStatus.WAITLISTED)
        .order_by(SignUp.arrival).limit(count).options(so.joinedload(SignUp.member))
        .execution_options(populate_existing=True)))


def _promote(session: so.Session, coop: Coop, work_session: WorkSession, now: dt.datetime) -> list[SignUp]:
    """Give the free places to the waitlist in arrival order, telling each person; under the lock."""
    promoted = []
    free = work_session.capacity - work_session.confirmed_count
    for waiting in _first_waiting(session, work_session, free) if free > 0 else []:
        if not _take_place(session, work_session):
            break
        waiting.status, waiting.changed_dt = SignUpStatus.CONFIRMED, now
        promoted.append(waiting)
    session.flush()
    for each in promoted:
        notices.promoted(session, coop, each)
    return promoted


def cancel_sign_up(session: so.Session, actor: User | None, coop: Coop, sign_up: SignUp, *,
                   now: dt.datetime | None = None, by_office: bool = False) -> list[SignUp]:
    """Cancel a sign-up; a freed place goes to the first on the waitlist, who is told.

    A member cancels their own until the sign-ups close; the office until the session starts.
    Returns the sign-ups promoted (none or one).
    """
    now = now or utcnow()
    _check_in_coop(coop, sign_up)
    _check_own(actor, sign_up.member, by_office)
    work_session = sign_up.session
    _lock(session, work_session)
    session.refresh(sign_up)
    if sign_up.status == SignUpStatus.CANCELLED:
        raise DomainError(_l("This sign-up is already cancelled."))
    if now >= work_session.starts_dt:
        raise DomainError(_l("This session has already started: a sign-up can no longer be cancelled."))
    if not by_office and now >= closes_at(work_session):
        raise DomainError(_l("The time to cancel ended on %(when)s; please tell the commission's coordinator.",
                             when=moment_text(coop, closes_at(work_session))))
    was_confirmed = sign_up.status == SignUpStatus.CONFIRMED
    sign_up.status, sign_up.changed_dt = SignUpStatus.CANCELLED, now
    session.flush()
    promoted = []
    if was_confirmed:
        _free_place(session, work_session)
        promoted = _promote(session, coop, work_session, now)
    if by_office and (actor is None or sign_up.member.user_id != actor.id):
        notices.cancelled_by_office(session, coop, sign_up)  # the member did not do it: tell them
    audit.record(session, coop=coop, actor=actor, action="minga.sign_up_cancel", obj=sign_up,
                 summary=_summary(sign_up), details={"by_office": by_office,
                                                     "promoted": [p.member.number for p in promoted]})
    return promoted


def set_capacity(session: so.Session, actor: User | None, coop: Coop, work_session: WorkSession, capacity: int,
                 *, now: dt.datetime | None = None) -> tuple[list[SignUp], list[SignUp]]:
    """Change how many people a session takes: more places promote the waitlist in arrival order;
    fewer than the confirmed send the latest confirmed back to it (each told). Returns (promoted,
    moved back to the waitlist)."""
    now = now or utcnow()
    _check_in_coop(coop, work_session)
    if capacity is None or capacity < 1:
        raise DomainError(_l("A session takes at least one person."), field="capacity")
    _lock(session, work_session)
    old = work_session.capacity
    if capacity == old:
        return [], []
    moved = _move_back(session, work_session, work_session.confirmed_count - capacity, now) \
        if capacity < work_session.confirmed_count else []
    # capacity and the count change in one statement, so the check constraint holds throughout
    session.execute(sa.update(WorkSession).where(WorkSession.id == work_session.id)
                    .values(capacity=capacity, confirmed_count=WorkSession.confirmed_count - len(moved))
                    .execution_options(synchronize_session=False))
    session.refresh(work_session)
    promoted = _promote(session, coop, work_session, now)
    for each in moved:
        notices.moved_to_waitlist(session, coop, each, waitlist_position(session, each))
    audit.record(session, coop=coop, actor=actor, action="minga.capacity", obj=work_session,
                 summary=work_session.title, changes={"capacity": [old, capacity]},
                 details={"promoted": len(promoted), "moved_to_waitlist": len(moved)})
    return promoted, moved


def _move_back(session: so.Session, work_session: WorkSession, count: int, now: dt.datetime) -> list[SignUp]:
    latest = list(session.scalars(
        sa.select(SignUp).where(SignUp.session_id == work_session.id, SignUp.status == SignUpStatus.CONFIRMED)
        .order_by(SignUp.arrival.desc()).limit(count).options(so.joinedload(SignUp.member))
        .execution_options(populate_existing=True)))
    for each in latest:
        each.status, each.changed_dt = SignUpStatus.WAITLISTED, now
    session.flush()
    return latest


# --- another member of the household -----------------------------------------------------------------

def substitute(session: so.Session, actor: User | None, coop: Coop, sign_up: SignUp, member: Member) -> SignUp:
    """Another member of the same household works in this place: same arrival, same status."""
    _check_in_coop(coop, sign_up, member)
    original = sign_up.member
    if sign_up.status == SignUpStatus.CANCELLED:
        raise DomainError(_l("This sign-up is cancelled."), field="member")
    if sign_up.session.status in (SessionStatus.DONE, SessionStatus.CANCELLED):
        raise DomainError(_NOT_OPEN[sign_up.session.status], field="member")
    if member.id == original.id:
        raise DomainError(_l("That is the member already signed up."), field="member")
    if original.household_id is None or member.household_id != original.household_id:
        raise DomainError(_l("Only another member of %(name)s's household can work in their place.",
                             name=original.full_name), field="member")
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_l("Only active members sign up for Minga work; %(name)s is %(status)s.",
                             name=member.full_name, status=str(status_label(member.status)).lower()),
                          field="member")
    _lock(session, sign_up.session)
    other = _existing(session, sign_up.session, member)
    if other is not None and other.status in ACTIVE:
        raise DomainError(_l("%(name)s is already signed up for this session.", name=member.full_name),
                          field="member")
    if other is not None:
        sign_up = _swap_into(session, sign_up, other)
    else:
        sign_up.member_id, sign_up.changed_dt = member.id, utcnow()
        session.flush()
        session.refresh(sign_up, ["member"])
    audit.record(session, coop=coop, actor=actor, action="minga.substitute", obj=sign_up,
                 summary=_summary(sign_up), changes={"member": [original.number, member.number]})
    return sign_up


def stand_ins(session: so.Session, coop: Coop, listed: SessionSignUps) -> dict[int, list[Member]]:
    """Who may work in each listed place (sign-up id -> members): the other active members of its
    member's household who are not signed up for the session themselves."""
    rows = [*listed.confirmed, *listed.waitlisted]
    taken = {row.member_id for row in rows}
    households = member_reports.active_members_of_households(
        session, coop, {row.member.household_id for row in rows if row.member.household_id is not None})
    return {row.id: [m for m in households.get(row.member.household_id, []) if m.id not in taken] for row in rows}


def _swap_into(session: so.Session, place: SignUp, cancelled: SignUp) -> SignUp:
    """The substitute's own cancelled row (one row per member and session) takes over the place:
    its status, arrival and task; the member it replaces keeps a cancelled row. Arrival numbers
    are unique per session, so one of them waits on a negative number while they trade."""
    now = utcnow()
    status, arrival, task_id = place.status, place.arrival, place.task_id
    old_arrival = cancelled.arrival
    place.arrival = -arrival
    session.flush()
    cancelled.status, cancelled.arrival, cancelled.task_id, cancelled.changed_dt = status, arrival, task_id, now
    cancelled.is_by_office, cancelled.signed_up_by_id = place.is_by_office, place.signed_up_by_id
    session.flush()
    place.status, place.arrival, place.changed_dt = SignUpStatus.CANCELLED, old_arrival, now
    session.flush()
    return cancelled


# --- reading ---------------------------------------------------------------------------------------

def waitlist_position(session: so.Session, sign_up: SignUp) -> int | None:
    """The sign-up's number on the waitlist (1: next to get a place); None if it is not waiting."""
    if sign_up.status != SignUpStatus.WAITLISTED:
        return None
    return session.scalar(sa.select(sa.func.count()).select_from(SignUp).where(
        SignUp.session_id == sign_up.session_id, SignUp.status == SignUpStatus.WAITLISTED,
        SignUp.arrival <= sign_up.arrival))


def _position_column():
    """The waitlist position of the outer query's sign-up, as a correlated subquery."""
    ahead = so.aliased(SignUp)
    return (sa.select(sa.func.count()).select_from(ahead)
            .where(ahead.session_id == SignUp.session_id, ahead.status == SignUpStatus.WAITLISTED,
                   ahead.arrival <= SignUp.arrival).correlate(SignUp).scalar_subquery())


@dataclass(frozen=True)
class SessionSignUps:
    """A session's sign-ups in arrival order: those with a place, and the waitlist."""

    confirmed: list[SignUp]
    waitlisted: list[SignUp]


def sign_ups_of_session(session: so.Session, coop: Coop, work_session: WorkSession) -> SessionSignUps:
    _check_in_coop(coop, work_session)
    rows = session.scalars(sa.select(SignUp).where(SignUp.session_id == work_session.id,
                                                   SignUp.status.in_(ACTIVE))
                           .order_by(SignUp.arrival).options(so.joinedload(SignUp.member),
                                                             so.joinedload(SignUp.task))).all()
    return SessionSignUps([s for s in rows if s.status == SignUpStatus.CONFIRMED],
                          [s for s in rows if s.status == SignUpStatus.WAITLISTED])


@dataclass(frozen=True)
class MySignUp:
    sign_up: SignUp
    #: the number on the waitlist, or None with a place
    position: int | None


def member_sign_ups(session: so.Session, coop: Coop, member: Member, *, now: dt.datetime) -> list[MySignUp]:
    """A member's sign-ups for sessions not yet over, soonest first, with waitlist positions (one query)."""
    _check_in_coop(coop, member)
    rows = session.execute(
        sa.select(SignUp, _position_column()).join(WorkSession, WorkSession.id == SignUp.session_id)
        .where(SignUp.coop_id == coop.id, SignUp.member_id == member.id, SignUp.status.in_(ACTIVE),
               WorkSession.ends_dt > now)
        .order_by(WorkSession.starts_dt, WorkSession.id)
        .options(so.contains_eager(SignUp.session).joinedload(WorkSession.commission))).all()
    return [MySignUp(s, position if s.status == SignUpStatus.WAITLISTED else None) for s, position in rows]


@dataclass(frozen=True)
class UpcomingPage:
    sessions: list[WorkSession]
    total: int
    #: session id -> people on its waitlist (only sessions that have one)
    waiting: dict[int, int]


def upcoming_sessions(session: so.Session, coop: Coop, *, now: dt.datetime, commission_id: int | None = None,
                      page: int = 1, per_page: int = PAGE_SIZE) -> UpcomingPage:
    """The open and closed sessions starting after ``now``, soonest first, one page of them."""
    select = sa.select(WorkSession).where(WorkSession.coop_id == coop.id, WorkSession.starts_dt > now,
                                          WorkSession.status.in_([SessionStatus.OPEN, SessionStatus.CLOSED]))
    if commission_id is not None:
        select = select.where(WorkSession.commission_id == commission_id)
    total = count_of(session, select)
    sessions = list(session.scalars(one_page(select.order_by(WorkSession.starts_dt, WorkSession.id)
                                             .options(so.joinedload(WorkSession.commission)), page, per_page)))
    full = [s.id for s in sessions if s.confirmed_count >= s.capacity]
    waiting = dict(session.execute(
        sa.select(SignUp.session_id, sa.func.count()).where(SignUp.session_id.in_(full),
                                                            SignUp.status == SignUpStatus.WAITLISTED)
        .group_by(SignUp.session_id)).all()) if full else {}
    return UpcomingPage(sessions, total, waiting)


@dataclass(frozen=True)
class MyPlace:
    sign_up_id: int
    status: SignUpStatus
    position: int | None


def places_of(session: so.Session, member: Member | None, session_ids: list[int]) -> dict[int, MyPlace]:
    """The member's own sign-up in each of these sessions (one query): session id -> their place."""
    if member is None or not session_ids:
        return {}
    rows = session.execute(sa.select(SignUp.session_id, SignUp.id, SignUp.status, _position_column())
                           .where(SignUp.member_id == member.id, SignUp.session_id.in_(session_ids),
                                  SignUp.status.in_(ACTIVE))).all()
    return {sid: MyPlace(id_, status, position if status == SignUpStatus.WAITLISTED else None)
            for sid, id_, status, position in rows}


def sign_up_of(session: so.Session, work_session: WorkSession, member: Member | None) -> SignUp | None:
    """The member's sign-up for a session that holds or waits for a place, if any."""
    if member is None:
        return None
    return session.scalar(sa.select(SignUp).where(SignUp.session_id == work_session.id,
                                                  SignUp.member_id == member.id, SignUp.status.in_(ACTIVE)))
