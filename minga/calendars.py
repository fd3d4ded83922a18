"""Minga in members' own calendars: iCalendar feeds behind private links.

A calendar program cannot log in, so each feed is reached by a link carrying a random token
(``CalendarToken``): one per member (their own sign-ups) and one per commission (its
programme). Making a new link replaces the token, and the old link answers 404 from then on.

A feed holds the sessions of the last ``PAST_DAYS`` days and every coming one. Times are written
in UTC, so no time zone needs describing; each event's UID is the session's id and the co-op's
slug under a domain that names no host, so it stays the same whatever address the site moves to,
and a calendar updates a moved session instead of adding a second one. A cancelled session stays
in the feed as ``STATUS:CANCELLED`` so calendars take it off; a place on the waitlist is
``TENTATIVE``. Feeds name no member: only the session, its commission, place and tasks.
"""
from __future__ import annotations

import datetime as dt
import secrets

import icalendar
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.db import utcnow
from coop.tenancy import Coop
from members.models import Member
from minga.models import (CalendarToken, Commission, SessionStatus, SignUp, SignUpStatus, WorkSession)

#: how far back a feed reaches (a member checks where they worked last month)
PAST_DAYS = 60
#: how often calendar programs are asked to fetch a feed again
REFRESH = dt.timedelta(hours=1)
#: the sessions a commission's feed shows (drafts are not announced)
COMMISSION_STATUSES = (SessionStatus.OPEN, SessionStatus.CLOSED, SessionStatus.DONE, SessionStatus.CANCELLED)

audit.describe("minga.calendar_link", _l("New calendar link for a commission"))


# --- the private links ------------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def member_token(session: so.Session, coop: Coop, member: Member) -> CalendarToken | None:
    return session.scalar(sa.select(CalendarToken).where(CalendarToken.coop_id == coop.id,
                                                         CalendarToken.member_id == member.id))


def commission_token(session: so.Session, coop: Coop, commission: Commission) -> CalendarToken | None:
    return session.scalar(sa.select(CalendarToken).where(CalendarToken.coop_id == coop.id,
                                                         CalendarToken.commission_id == commission.id))


def _renew(session: so.Session, coop: Coop, existing: CalendarToken | None, **owner) -> CalendarToken:
    """Give the owner a fresh token: the row's token replaced, or a first row."""
    if existing is None:
        try:
            with session.begin_nested():  # two first links asked for at once: the unique key decides
                row = CalendarToken(coop_id=coop.id, token=new_token(), created_dt=utcnow(), **owner)
                session.add(row)
            return row
        except sa.exc.IntegrityError:
            existing = session.scalar(sa.select(CalendarToken).filter_by(coop_id=coop.id, **owner))
    existing.token, existing.created_dt = new_token(), utcnow()
    session.flush()
    return existing


def renew_member_link(session: so.Session, coop: Coop, member: Member) -> CalendarToken:
    """A new private link for the member's own calendar; the previous one stops working."""
    if member.coop_id != coop.id:
        raise ValueError("the member is not of this co-op")
    return _renew(session, coop, member_token(session, coop, member), member_id=member.id)


def renew_commission_link(session: so.Session, actor: User | None, coop: Coop,
                          commission: Commission) -> CalendarToken:
    """A new link to the commission's programme; the previous one stops working."""
    if commission.coop_id != coop.id:
        raise ValueError("the commission is not of this co-op")
    token = _renew(session, coop, commission_token(session, coop, commission), commission_id=commission.id)
    audit.record(session, coop=coop, actor=actor, action="minga.calendar_link", obj=commission,
                 summary=commission.name)
    return token


def member_by_token(session: so.Session, coop: Coop, token: str) -> Member | None:
    return session.scalar(sa.select(Member).join(CalendarToken, CalendarToken.member_id == Member.id)
                          .where(CalendarToken.coop_id == coop.id, CalendarToken.token == token,
                                 Member.coop_id == coop.id))


def commission_by_token(session: so.Session, coop: Coop, token: str) -> Commission | None:
    return session.scalar(sa.select(Commission).join(CalendarToken, CalendarToken.commission_id == Commission.id)
                          .where(CalendarToken.coop_id == coop.id, CalendarToken.token == token,
                                 Commission.coop_id == coop.id))


# --- the feeds --------------------------------------------------------------------------------

def event_uid(coop: Coop, work_session: WorkSession) -> str:
    """The same for a session whatever changes in it and wherever the site is served from."""
    return f"minga-{work_session.id}@{coop.slug}.ayllu"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC)


def _description(work_session: WorkSession) -> str:
    lines = [_("Commission: %(name)s", name=work_session.commission.name)]
    if work_session.tasks:
        lines += ["", _("Tasks:")]
        lines += [_("- %(task)s (%(count)d people)", task=task.name, count=task.people_needed)
                  for task in work_session.tasks]
    if work_session.description:
        lines += ["", work_session.description]
    if work_session.status is SessionStatus.CANCELLED and work_session.cancel_reason:
        lines += ["", _("Cancelled: %(reason)s", reason=work_session.cancel_reason)]
    return "\n".join(lines)


def _event(coop: Coop, work_session: WorkSession, now: dt.datetime, *, waitlisted: bool = False) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", event_uid(coop, work_session))
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(work_session.starts_dt))
    event.add("dtend", _utc(work_session.ends_dt))
    summary = work_session.title
    if work_session.status is SessionStatus.CANCELLED:
        status, summary = "CANCELLED", _("Cancelled: %(title)s", title=summary)
    elif waitlisted:
        status, summary = "TENTATIVE", _("Waitlist: %(title)s", title=summary)
    else:
        status = "CONFIRMED"
    event.add("summary", summary)
    event.add("status", status)
    if work_session.place:
        event.add("location", work_session.place)
    event.add("description", _description(work_session))
    event.add("categories", ["Minga"])
    return event


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Ayllu//Minga//ES")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    return calendar


def _sessions_select(coop: Coop, since: dt.datetime):
    return (sa.select(WorkSession).where(WorkSession.coop_id == coop.id, WorkSession.ends_dt >= since)
            .options(so.joinedload(WorkSession.commission), so.selectinload(WorkSession.tasks))
            .order_by(WorkSession.starts_dt, WorkSession.id))


def member_feed(session: so.Session, coop: Coop, member: Member, *, now: dt.datetime | None = None) -> bytes:
    """The member's confirmed and waitlisted sessions, as an iCalendar file."""
    now = now or utcnow()
    rows = session.execute(
        _sessions_select(coop, now - dt.timedelta(days=PAST_DAYS)).add_columns(SignUp.status)
        .join(SignUp, SignUp.session_id == WorkSession.id)
        .where(SignUp.coop_id == coop.id, SignUp.member_id == member.id,
               SignUp.status.in_((SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)),
               WorkSession.status != SessionStatus.DRAFT)).unique().all()
    calendar = _calendar(_("Minga · %(coop)s", coop=coop.name))
    for work_session, status in rows:
        calendar.add_component(_event(coop, work_session, now, waitlisted=status is SignUpStatus.WAITLISTED))
    return calendar.to_ical()


def commission_feed(session: so.Session, coop: Coop, commission: Commission, *,
                    now: dt.datetime | None = None) -> bytes:
    """The commission's announced sessions (open, closed, done; cancelled ones marked so)."""
    now = now or utcnow()
    sessions = session.scalars(
        _sessions_select(coop, now - dt.timedelta(days=PAST_DAYS))
        .where(WorkSession.commission_id == commission.id, WorkSession.status.in_(COMMISSION_STATUSES))).unique()
    calendar = _calendar(_("Minga · %(commission)s", commission=commission.name))
    for work_session in sessions:
        calendar.add_component(_event(coop, work_session, now))
    return calendar.to_ical()
