"""Minga's records: commissions, work sessions and their tasks, sign-ups, attendance with its
corrections, the co-op's obligation rules and exemptions, and each period's close.

Limits live in the database: a session's ``confirmed_count`` never passes its ``capacity`` (a
check constraint; sign-ups raise it with a conditional ``UPDATE``), one sign-up and one
attendance per member and session, one close per co-op and period, one close line per household
(or member) and period. Times are stored in UTC (``*_dt``) and shown in the co-op's timezone.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow, value_enum

if TYPE_CHECKING:
    from members.models import Household, Member


class SessionStatus(enum.StrEnum):
    """A work session's life: prepared, open for sign-ups, closed to them, worked, or called off."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DONE = "done"
    CANCELLED = "cancelled"


class SignUpStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class ObligationUnit(enum.StrEnum):
    """Who owes the hours: each household, or each member."""

    HOUSEHOLD = "household"
    MEMBER = "member"


class ObligationPeriod(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class SurplusRule(enum.StrEnum):
    """What happens to hours worked beyond the obligation of a period."""

    LOST = "lost"
    CARRIED = "carried"


class Commission(Base):
    """A work commission (comisión de Minga): quebrada, school, construction, park..."""

    __tablename__ = "commission"
    __table_args__ = (sa.UniqueConstraint("coop_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    #: as members know it ("Recuperación de la quebrada")
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    #: what the commission is for, in a paragraph
    purpose: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: an inactive commission keeps its history and takes no new sessions
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    #: its hours are valued as the household's share capital (work as capital: construction)
    is_capital_work: so.Mapped[bool] = so.mapped_column(default=False)
    #: office work for the co-op (horas funcionales): counted toward the obligation only if the co-op says so
    is_office_work: so.Mapped[bool] = so.mapped_column(default=False)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    standing: so.Mapped[list[CommissionMember]] = so.relationship(
        back_populates="commission", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Commission {self.name}>"


class CommissionMember(Base):
    """A standing member of a commission (its coordinators are people holding the scoped role)."""

    __tablename__ = "commission_member"
    __table_args__ = (sa.UniqueConstraint("commission_id", "member_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    commission_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    #: since when (the co-op's date)
    since: so.Mapped[dt.date] = so.mapped_column()

    commission: so.Mapped[Commission] = so.relationship(back_populates="standing")
    member: so.Mapped[Member] = so.relationship()


class SessionSeries(Base):
    """How a run of recurring sessions was made ("every Saturday 07:00-13:00 for 12 weeks").

    The sessions it created are ordinary sessions, each changed or cancelled on its own; the
    series only remembers the rule, so the coordinator can read where they came from.
    """

    __tablename__ = "session_series"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    commission_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="CASCADE"))
    #: the rule in words, as it was given ("every 7 days from 05/12/2026, 12 times, 07:00-13:00")
    rule_text: so.Mapped[str] = so.mapped_column(sa.String(300))
    #: days between sessions (7: weekly)
    every_days: so.Mapped[int] = so.mapped_column()
    #: how many sessions it made
    count: so.Mapped[int] = so.mapped_column()
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class WorkSession(Base):
    """A work session (jornada de Minga): when, where, how many people, and who signed up."""

    __tablename__ = "work_session"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_dt > starts_dt", name="ends_after_start"),
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity", name="within_capacity"),
        sa.Index("ix_work_session_coop_starts", "coop_id", "starts_dt"),
        sa.Index("ix_work_session_commission_starts", "commission_id", "starts_dt"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    commission_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="RESTRICT"))
    #: the series that created it, if it recurs
    series_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("session_series.id", ondelete="SET NULL"),
                                                        index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: where to meet ("Entrada de la quebrada, calle Los Andes")
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: when the work starts and ends (UTC)
    starts_dt: so.Mapped[dt.datetime] = so.mapped_column()
    ends_dt: so.Mapped[dt.datetime] = so.mapped_column()
    #: how many people it takes
    capacity: so.Mapped[int] = so.mapped_column()
    #: sign-ups open from (UTC); None: as soon as the session is open
    signup_opens_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: sign-ups and members' own cancellations close at (UTC); None: when the session starts
    signup_closes_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    status: so.Mapped[SessionStatus] = so.mapped_column(value_enum(SessionStatus), default=SessionStatus.DRAFT)
    #: a session to make up missing hours before a period's close
    is_compensation: so.Mapped[bool] = so.mapped_column(default=False)
    #: why it was cancelled (told to those signed up)
    cancel_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: confirmed sign-ups: raised only by a conditional UPDATE, never past capacity
    confirmed_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: the last arrival number given: a sign-up's place in the queue (the waitlist's order)
    arrivals: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: a reminder was queued for it (the reminders job's mark)
    reminded_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    commission: so.Mapped[Commission] = so.relationship()
    tasks: so.Mapped[list[SessionTask]] = so.relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionTask.position")

    @property
    def length_minutes(self) -> int:
        return int((self.ends_dt - self.starts_dt).total_seconds() // 60)

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    def __repr__(self) -> str:
        return f"<WorkSession {self.id} {self.title}>"


class SessionTask(Base):
    """One task of a session and the people it needs ("cargar piedra: 6")."""

    __tablename__ = "session_task"
    __table_args__ = (sa.CheckConstraint("people_needed > 0", name="people_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_session.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    people_needed: so.Mapped[int] = so.mapped_column()
    position: so.Mapped[int] = so.mapped_column(default=0)

    session: so.Mapped[WorkSession] = so.relationship(back_populates="tasks")


class SignUp(Base):
    """A member's place in a session, or in its waitlist.

    ``arrival`` is the order sign-ups reached the session (from its ``arrivals`` counter): the
    waitlist is served in that order. A cancelled sign-up keeps its row; signing up again reuses
    it with a new arrival number.
    """

    __tablename__ = "sign_up"
    __table_args__ = (sa.UniqueConstraint("session_id", "member_id"),
                      sa.UniqueConstraint("session_id", "arrival"),
                      sa.Index("ix_sign_up_member", "coop_id", "member_id"),
                      sa.Index("ix_sign_up_session_status", "session_id", "status", "arrival"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_session.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"))
    #: the task chosen, if any
    task_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("session_task.id", ondelete="SET NULL"))
    status: so.Mapped[SignUpStatus] = so.mapped_column(value_enum(SignUpStatus))
    arrival: so.Mapped[int] = so.mapped_column()
    #: taken at the office by a coordinator or the secretary (counts the same as the member's own)
    is_by_office: so.Mapped[bool] = so.mapped_column(default=False)
    signed_up_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: when it last changed status (promoted from the waitlist, moved back to it, cancelled)
    changed_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    session: so.Mapped[WorkSession] = so.relationship()
    member: so.Mapped[Member] = so.relationship()
    task: so.Mapped[SessionTask | None] = so.relationship()


class Attendance(Base):
    """Who worked a session, and how long (in minutes): present, absent, or excused with a reason.

    The member who worked may be another of the household than the one signed up (working in
    their place); ``household_id`` is the household the hours count for, fixed when recorded.
    A correction changes the row and adds an ``AttendanceChange`` saying who and why.
    """

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "member_id"),
                      sa.CheckConstraint("minutes >= 0", name="minutes_not_negative"),
                      sa.Index("ix_attendance_coop_household", "coop_id", "household_id"),
                      sa.Index("ix_attendance_coop_member", "coop_id", "member_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_session.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"))
    household_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("household.id", ondelete="SET NULL"))
    #: the sign-up it answers; None for a walk-in
    sign_up_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("sign_up.id", ondelete="SET NULL"))
    status: so.Mapped[AttendanceStatus] = so.mapped_column(value_enum(AttendanceStatus))
    #: minutes worked (0 unless present; partial allowed, never past the session's length)
    minutes: so.Mapped[int] = so.mapped_column(default=0)
    #: why excused (or absent)
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    session: so.Mapped[WorkSession] = so.relationship()
    member: so.Mapped[Member] = so.relationship()
    changes: so.Mapped[list[AttendanceChange]] = so.relationship(
        back_populates="attendance", cascade="all, delete-orphan", order_by="AttendanceChange.id")


class AttendanceChange(Base):
    """A correction of an attendance record: what it was, what it became, who changed it and why."""

    __tablename__ = "attendance_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    attendance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("attendance.id", ondelete="CASCADE"), index=True)
    previous_status: so.Mapped[AttendanceStatus] = so.mapped_column(value_enum(AttendanceStatus))
    previous_minutes: so.Mapped[int] = so.mapped_column()
    status: so.Mapped[AttendanceStatus] = so.mapped_column(value_enum(AttendanceStatus))
    minutes: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    attendance: so.Mapped[Attendance] = so.relationship(back_populates="changes")


class MingaRules(Base):
    """The co-op's Minga obligation, fines and work-as-capital settings (one row per co-op)."""

    __tablename__ = "minga_rules"
    __table_args__ = (sa.UniqueConstraint("coop_id"),
                      sa.CheckConstraint("owed_minutes >= 0", name="owed_not_negative"),
                      sa.CheckConstraint("fine_per_hour_minor >= 0", name="fine_not_negative"),
                      sa.CheckConstraint("capital_rate_minor >= 0", name="rate_not_negative"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: minutes of work owed per unit and period (0: no obligation)
    owed_minutes: so.Mapped[int] = so.mapped_column(default=0)
    unit: so.Mapped[ObligationUnit] = so.mapped_column(value_enum(ObligationUnit), default=ObligationUnit.HOUSEHOLD)
    period: so.Mapped[ObligationPeriod] = so.mapped_column(value_enum(ObligationPeriod),
                                                           default=ObligationPeriod.MONTH)
    #: the first period the obligation applies to (its first day)
    starts_on: so.Mapped[dt.date] = so.mapped_column()
    surplus: so.Mapped[SurplusRule] = so.mapped_column(value_enum(SurplusRule), default=SurplusRule.LOST)
    #: office work (horas funcionales) counts toward the obligation
    office_work_counts: so.Mapped[bool] = so.mapped_column(default=False)
    #: days after a period ends to make up hours in a compensation session, before its close
    grace_days: so.Mapped[int] = so.mapped_column(default=10)
    #: close periods automatically once their grace days are over
    is_closed_automatically: so.Mapped[bool] = so.mapped_column(default=False)
    #: the fine per missing hour (0: no fines)
    fine_per_hour_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: the income account fines are credited to (Multas de Minga)
    fine_account_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    #: the value of an hour of capital work (0: work is not credited as capital)
    capital_rate_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: the account debited for the work credited as capital (the homes under construction)
    capital_account_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    #: hours before a session that members signed up are reminded (0: no reminders)
    reminder_hours: so.Mapped[int] = so.mapped_column(default=24)
    updated_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class Exemption(Base):
    """A household or member excused from part of the obligation for a while (age, illness)."""

    __tablename__ = "exemption"
    __table_args__ = (sa.CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),
                      sa.CheckConstraint("(household_id IS NULL) <> (member_id IS NULL)", name="one_target"),
                      sa.CheckConstraint("to_date IS NULL OR to_date >= from_date", name="dates_in_order"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    household_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("household.id", ondelete="CASCADE"))
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    #: how much of the obligation is forgiven (100: all of it)
    percent: so.Mapped[int] = so.mapped_column()
    from_date: so.Mapped[dt.date] = so.mapped_column()
    #: None: until further notice
    to_date: so.Mapped[dt.date | None] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: ended early (an exemption is never deleted once a close has read it)
    revoked_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    household: so.Mapped[Household | None] = so.relationship()
    member: so.Mapped[Member | None] = so.relationship()


class PeriodClose(Base):
    """One period's close: its unique key (co-op, period) makes a second close impossible."""

    __tablename__ = "period_close"
    __table_args__ = (sa.UniqueConstraint("coop_id", "period_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    period_start: so.Mapped[dt.date] = so.mapped_column()
    period_end: so.Mapped[dt.date] = so.mapped_column()
    fines_count: so.Mapped[int] = so.mapped_column(default=0)
    fines_total_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    capital_count: so.Mapped[int] = so.mapped_column(default=0)
    capital_total_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: None when the scheduled job closed it
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    lines: so.Mapped[list[CloseLine]] = so.relationship(back_populates="close", order_by="CloseLine.id")


class CloseLine(Base):
    """What a period's close found for one household (or member) and what it posted."""

    __tablename__ = "close_line"
    __table_args__ = (sa.UniqueConstraint("close_id", "owner_key"),
                      sa.Index("ix_close_line_coop_member", "coop_id", "member_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    close_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("period_close.id", ondelete="CASCADE"))
    #: "h<household id>" or "m<member id>": one line per household (or member) and period
    owner_key: so.Mapped[str] = so.mapped_column(sa.String(24))
    household_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("household.id", ondelete="SET NULL"))
    #: the member the books charge or credit (by the rule dues use for a household)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"))
    owed_minutes: so.Mapped[int] = so.mapped_column()
    worked_minutes: so.Mapped[int] = so.mapped_column()
    missing_minutes: so.Mapped[int] = so.mapped_column()
    fine_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    capital_minutes: so.Mapped[int] = so.mapped_column(default=0)
    capital_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    fine_entry_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"))
    capital_entry_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("journal_entry.id",
                                                                             ondelete="RESTRICT"))
    #: the fine was reversed by the treasurer (its entry's reversal says why)
    is_fine_reversed: so.Mapped[bool] = so.mapped_column(default=False)
    is_capital_reversed: so.Mapped[bool] = so.mapped_column(default=False)

    close: so.Mapped[PeriodClose] = so.relationship(back_populates="lines")
    member: so.Mapped[Member] = so.relationship()


class CalendarToken(Base):
    """A private calendar link: a member's own sessions, or a commission's programme.

    Calendar programs cannot log in, so the link carries a random token; a new link replaces the
    old one, which then answers 404.
    """

    __tablename__ = "calendar_token"
    __table_args__ = (sa.UniqueConstraint("token"), sa.UniqueConstraint("coop_id", "member_id"),
                      sa.UniqueConstraint("coop_id", "commission_id"),
                      sa.CheckConstraint("(member_id IS NULL) <> (commission_id IS NULL)", name="one_owner"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    commission_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="CASCADE"))
    token: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
