"""What the board reads about Minga: hours per commission by month, and a commission's activity.

Hours are the minutes of PRESENT attendance, counted in the month the session started in the
co-op's own time. The month is found in SQL by comparing the stored UTC start with the UTC
instants at which each month began where the co-op is (``month_bounds``): plain comparisons
both SQLite and PostgreSQL understand, right across daylight-saving changes, so no time-zone
function of either database is needed and the whole table is one grouped query.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop import calendar
from coop.tenancy import Coop, CoopRole, Role
from coop.auth.models import User
from minga.models import Attendance, AttendanceStatus, Commission, SessionStatus, WorkSession
from minga.permissions import COMMISSION_SCOPE

#: months of the hours page, this month included
HOURS_MONTHS = 12
#: the longest period an activity report covers
MAX_REPORT_MONTHS = 60


@dataclass
class HoursTable:
    """Minutes worked per commission and month (``minutes[(commission_id, month)]``)."""

    months: list[dt.date]
    commissions: list[tuple[int, str]]
    minutes: dict[tuple[int, dt.date], int] = field(default_factory=dict)

    def of(self, commission_id: int, month: dt.date) -> int:
        return self.minutes.get((commission_id, month), 0)

    def month_total(self, month: dt.date) -> int:
        return sum(self.of(commission_id, month) for commission_id, _name in self.commissions)

    def commission_total(self, commission_id: int) -> int:
        return sum(self.of(commission_id, month) for month in self.months)

    @property
    def total(self) -> int:
        return sum(self.minutes.values())


def month_bounds(coop: Coop, months: list[dt.date]) -> list[dt.datetime]:
    """The UTC instants at which each month starts where the co-op is, and the one after the last."""
    firsts = [*months, calendar.add_months(months[-1], 1)]
    return [calendar.local_to_utc(coop, dt.datetime.combine(first, dt.time())) for first in firsts]


def _month_index(column, bounds: list[dt.datetime]):
    """Which of the months (0, 1, ...) a UTC time falls in; the one place SQL cuts months."""
    return sa.case(*[(column < bound, index - 1) for index, bound in enumerate(bounds) if index > 0], else_=None)


def last_months(today: dt.date, count: int = HOURS_MONTHS) -> list[dt.date]:
    this_month = calendar.month_start(today)
    return calendar.months_between(calendar.add_months(this_month, 1 - count), this_month)


def hours_by_commission(session: so.Session, coop: Coop, months: list[dt.date], *, commission_id: int | None = None,
                        since: dt.datetime | None = None, until: dt.datetime | None = None) -> HoursTable:
    """PRESENT minutes summed by commission and month of the session's start (one grouped query).

    ``since`` and ``until`` (UTC) narrow the first and last month to a report's dates.
    """
    bounds = month_bounds(coop, months)
    since, until = max(since or bounds[0], bounds[0]), min(until or bounds[-1], bounds[-1])
    worked = (sa.select(WorkSession.commission_id.label("commission_id"), Attendance.minutes.label("minutes"),
                        _month_index(WorkSession.starts_dt, bounds).label("month"))
              .join(WorkSession, WorkSession.id == Attendance.session_id)
              .where(Attendance.coop_id == coop.id, WorkSession.coop_id == coop.id,
                     Attendance.status == AttendanceStatus.PRESENT,
                     WorkSession.starts_dt >= since, WorkSession.starts_dt < until))
    if commission_id is not None:
        worked = worked.where(WorkSession.commission_id == commission_id)
    worked = worked.subquery()
    rows = session.execute(
        sa.select(worked.c.commission_id, Commission.name, worked.c.month, sa.func.sum(worked.c.minutes))
        .join(Commission, Commission.id == worked.c.commission_id)
        .group_by(worked.c.commission_id, Commission.name, worked.c.month)).all()
    table = HoursTable(months=list(months), commissions=sorted({(row[0], row[1]) for row in rows},
                                                               key=lambda c: (c[1].casefold(), c[0])))
    for commission, _name, month, minutes in rows:
        table.minutes[(commission, months[month])] = int(minutes or 0)
    return table


# --- a commission's activity -----------------------------------------------------------------

@dataclass(frozen=True)
class HeldSession:
    """A session of the report: when, what, people confirmed and attending, minutes worked."""

    starts_dt: dt.datetime
    title: str
    confirmed: int
    attended: int
    minutes: int


@dataclass(frozen=True)
class CancelledSession:
    starts_dt: dt.datetime
    title: str
    reason: str


@dataclass
class Activity:
    """A commission's activity between two dates (the co-op's), for its printed report."""

    commission: Commission
    start: dt.date
    end: dt.date
    coordinators: list[str]
    held: list[HeldSession]
    cancelled: list[CancelledSession]
    households: int
    hours: HoursTable

    @property
    def confirmed(self) -> int:
        return sum(s.confirmed for s in self.held)

    @property
    def attended(self) -> int:
        return sum(s.attended for s in self.held)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.held)


def coordinator_names(session: so.Session, coop: Coop, commission: Commission) -> list[str]:
    """The names of the people who coordinate the commission (its scoped role)."""
    return list(session.scalars(
        sa.select(User.name).join(CoopRole, CoopRole.user_id == User.id)
        .where(CoopRole.coop_id == coop.id, CoopRole.role == Role.COORDINATOR,
               CoopRole.scope_kind == COMMISSION_SCOPE, CoopRole.scope_id == commission.id)
        .distinct().order_by(User.name)))


def _utc_range(coop: Coop, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (calendar.local_to_utc(coop, dt.datetime.combine(start, dt.time())),
            calendar.local_to_utc(coop, dt.datetime.combine(end + dt.timedelta(days=1), dt.time())))


def _held(session: so.Session, coop: Coop, commission: Commission, since, until) -> list[HeldSession]:
    present = Attendance.status == AttendanceStatus.PRESENT
    rows = session.execute(
        sa.select(WorkSession.starts_dt, WorkSession.title, WorkSession.confirmed_count,
                  sa.func.count(Attendance.id).filter(present),
                  sa.func.coalesce(sa.func.sum(Attendance.minutes).filter(present), 0))
        .outerjoin(Attendance, Attendance.session_id == WorkSession.id)
        .where(WorkSession.coop_id == coop.id, WorkSession.commission_id == commission.id,
               WorkSession.status.in_((SessionStatus.OPEN, SessionStatus.CLOSED, SessionStatus.DONE)),
               WorkSession.starts_dt >= since, WorkSession.starts_dt < until)
        .group_by(WorkSession.id, WorkSession.starts_dt, WorkSession.title, WorkSession.confirmed_count)
        .order_by(WorkSession.starts_dt, WorkSession.id)).all()
    return [HeldSession(*row[:3], int(row[3]), int(row[4])) for row in rows]


def commission_activity(session: so.Session, coop: Coop, commission: Commission, start: dt.date,
                        end: dt.date) -> Activity:
    """Sessions held and cancelled, people, households and hours of a commission from ``start`` to ``end``."""
    if commission.coop_id != coop.id:
        raise ValueError("the commission is not of this co-op")
    since, until = _utc_range(coop, start, end)
    cancelled = [CancelledSession(*row) for row in session.execute(
        sa.select(WorkSession.starts_dt, WorkSession.title, WorkSession.cancel_reason)
        .where(WorkSession.coop_id == coop.id, WorkSession.commission_id == commission.id,
               WorkSession.status == SessionStatus.CANCELLED,
               WorkSession.starts_dt >= since, WorkSession.starts_dt < until)
        .order_by(WorkSession.starts_dt, WorkSession.id))]
    households = session.scalar(
        sa.select(sa.func.count(sa.distinct(Attendance.household_id)))
        .join(WorkSession, WorkSession.id == Attendance.session_id)
        .where(Attendance.coop_id == coop.id, WorkSession.commission_id == commission.id,
               Attendance.status == AttendanceStatus.PRESENT, Attendance.household_id.is_not(None),
               WorkSession.starts_dt >= since, WorkSession.starts_dt < until)) or 0
    hours = hours_by_commission(session, coop, calendar.months_between(start, end), commission_id=commission.id,
                                since=since, until=until)
    return Activity(commission=commission, start=start, end=end,
                    coordinators=coordinator_names(session, coop, commission),
                    held=_held(session, coop, commission, since, until), cancelled=cancelled,
                    households=households, hours=hours)
