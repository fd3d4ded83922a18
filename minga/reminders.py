"""Reminders before each work session, through the outbox (``minga.notices.reminder``).

Every half hour the job looks, in every co-op, for the open or closed sessions starting within
the co-op's ``MingaRules.reminder_hours`` (24 when the co-op set no rules; 0 switches reminders
off) and reminds each member with a confirmed place. It keeps no list of whom it told: each
notice's dedupe key (sign-up's session, member and start time) is unique in the outbox, so a
second run, or a second process, queues nothing, while a member who signed up after the first
reminder still gets one, and a session moved to another time reminds everyone again.
``WorkSession.reminded_dt`` records when the session's reminders were last queued.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import tenancy
from coop.db import utcnow
from coop.scheduler import N_, JobContext, job_detail, register
from coop.tenancy import Coop
from minga import notices
from minga.models import MingaRules, SessionStatus, SignUp, SignUpStatus, WorkSession

#: hours before a session members are reminded when the co-op set no Minga rules
DEFAULT_REMINDER_HOURS = 24
#: sessions still taking place: a draft was never announced, a done or cancelled one is over
REMINDED_STATUSES = (SessionStatus.OPEN, SessionStatus.CLOSED)

QUEUED = job_detail(N_("%(count)d reminders queued"))


def reminder_hours(session: so.Session, coop: Coop) -> int:
    hours = session.scalar(sa.select(MingaRules.reminder_hours).where(MingaRules.coop_id == coop.id))
    return DEFAULT_REMINDER_HOURS if hours is None else hours


def sessions_to_remind(session: so.Session, coop: Coop, now: dt.datetime, hours: int) -> list[WorkSession]:
    """The co-op's sessions not yet started that start within ``hours``."""
    return list(session.scalars(
        sa.select(WorkSession).where(WorkSession.coop_id == coop.id, WorkSession.status.in_(REMINDED_STATUSES),
                                     WorkSession.starts_dt > now,
                                     WorkSession.starts_dt <= now + dt.timedelta(hours=hours))
        .order_by(WorkSession.starts_dt, WorkSession.id)))


def remind_coop(session: so.Session, coop: Coop, *, now: dt.datetime | None = None) -> int:
    """Queue the reminders due in one co-op; the number queued (0 for those already sent)."""
    now = now or utcnow()
    hours = reminder_hours(session, coop)
    if hours <= 0:
        return 0
    queued = 0
    for work_session in sessions_to_remind(session, coop, now, hours):
        sign_ups = session.scalars(
            sa.select(SignUp).where(SignUp.session_id == work_session.id, SignUp.status == SignUpStatus.CONFIRMED)
            .options(so.joinedload(SignUp.member)).order_by(SignUp.arrival))
        told = sum(1 for sign_up in sign_ups if notices.reminder(session, coop, sign_up))
        if told:
            work_session.reminded_dt = now
        queued += told
    session.flush()
    return queued


@register("minga.reminders", trigger="interval", minutes=30,
          description=_l("Remind members signed up for a Minga session before it starts"))
def send_reminders(ctx: JobContext) -> str:
    queued = sum(remind_coop(ctx.session, coop, now=ctx.now) for coop in tenancy.all_coops(ctx.session))
    return QUEUED % {"count": queued}
