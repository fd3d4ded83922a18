"""The reminder the day before a general assembly, through the outbox (``meetings.notice``).

Every hour the job looks, in every co-op, for the convened general assemblies whose first call
is within the next ``REMINDER_HOURS`` hours, and reminds everyone on the roll with an address.
It keeps no list of whom it told: each reminder's dedupe key (meeting, first call, member) is
unique in the outbox, so a second run, or a second process, queues nothing, and an assembly
moved to another day reminds everyone again.
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
from meetings import notice
from meetings.models import GENERAL_KINDS, Meeting, MeetingStatus

#: how long before the first call the reminder goes out
REMINDER_HOURS = 24

QUEUED = job_detail(N_("%(count)d assembly reminders queued"))


def meetings_to_remind(session: so.Session, coop: Coop, now: dt.datetime) -> list[Meeting]:
    """The co-op's convened general assemblies whose first call is within ``REMINDER_HOURS``."""
    return list(session.scalars(
        sa.select(Meeting).where(Meeting.coop_id == coop.id, Meeting.status == MeetingStatus.CONVENED,
                                 Meeting.kind.in_(GENERAL_KINDS), Meeting.first_call_dt > now,
                                 Meeting.first_call_dt <= now + dt.timedelta(hours=REMINDER_HOURS))
        .order_by(Meeting.first_call_dt, Meeting.id)))


def remind_coop(session: so.Session, coop: Coop, *, now: dt.datetime | None = None) -> int:
    """Queue the reminders due in one co-op; the number queued (0 for those already sent)."""
    now = now or utcnow()
    return sum(notice.send_reminders(session, coop, meeting) for meeting in meetings_to_remind(session, coop, now))


@register("meetings.reminders", trigger="interval", minutes=60,
          description=_l("Remind those called to a general assembly the day before"))
def send_reminders(ctx: JobContext) -> str:
    queued = sum(remind_coop(ctx.session, coop, now=ctx.now) for coop in tenancy.all_coops(ctx.session))
    return QUEUED % {"count": queued}
