"""The demo co-op's Minga: a year of four commissions' work that holds together as the services keep it."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from coop import tenancy
from coop.auth import services as auth
from coop.calendar import add_months, today_in
from coop.db import utcnow
from coop.tenancy import Grant, Role, Scope
from ledger import reports
from ledger.models import Charge, EntrySource
from minga.models import (Attendance, AttendanceChange, AttendanceStatus, CloseLine, Commission, CommissionMember,
                          Exemption, MingaRules, PeriodClose, SessionSeries, SessionStatus, SignUp, SignUpStatus,
                          WorkSession)
from minga.permissions import COMMISSION_SCOPE

FOUR = {"Recuperación de la quebrada", "Mantenimiento de la escuela", "Construcción de viviendas",
        "Parque y áreas verdes"}


def commissions_of(db, coop) -> dict[str, Commission]:
    return {c.name: c for c in db.scalars(sa.select(Commission).where(Commission.coop_id == coop.id))}


def test_four_commissions_worked_a_year_and_meet_in_the_coming_weeks(demo_db, demo_coop):
    commissions = commissions_of(demo_db, demo_coop)
    assert FOUR <= set(commissions)
    assert [c.name for c in commissions.values() if c.is_capital_work] == ["Construcción de viviendas"]
    assert "parque" in commissions["Recuperación de la quebrada"].purpose
    now = utcnow()
    for name in FOUR:
        starts = demo_db.scalars(sa.select(WorkSession.starts_dt).where(
            WorkSession.commission_id == commissions[name].id).order_by(WorkSession.starts_dt)).all()
        weekly = name in ("Recuperación de la quebrada", "Construcción de viviendas")
        assert len(starts) >= (50 if weekly else 25), name
        assert starts[0] <= now - dt.timedelta(days=350), name
        assert now + dt.timedelta(days=7) <= starts[-1] <= now + dt.timedelta(days=35), name
    for name in ("Recuperación de la quebrada", "Construcción de viviendas"):
        starts = demo_db.scalars(sa.select(WorkSession.starts_dt).where(
            WorkSession.commission_id == commissions[name].id).order_by(WorkSession.starts_dt)).all()
        assert {later - earlier for earlier, later in zip(starts, starts[1:])} == {dt.timedelta(days=7)}
    # the recurring sessions came from series, as a coordinator makes them
    in_series = demo_db.scalar(sa.select(sa.func.count()).select_from(WorkSession).where(
        WorkSession.coop_id == demo_coop.id, WorkSession.series_id.is_not(None)))
    assert in_series >= 150
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(SessionSeries)
                          .where(SessionSeries.coop_id == demo_coop.id)) >= 4
    capacities = demo_db.scalars(sa.select(WorkSession.capacity).where(
        WorkSession.commission_id.in_([commissions[name].id for name in FOUR]))).all()
    assert 15 <= min(capacities) and max(capacities) <= 40


def test_every_session_counts_its_sign_ups_as_the_services_do_and_never_passes_its_capacity(demo_db, demo_coop):
    sessions = demo_db.execute(sa.select(WorkSession.id, WorkSession.capacity, WorkSession.confirmed_count,
                                         WorkSession.arrivals).where(WorkSession.coop_id == demo_coop.id)).all()
    sign_ups: dict[int, list[tuple[int, SignUpStatus]]] = {}
    for session_id, arrival, status in demo_db.execute(sa.select(SignUp.session_id, SignUp.arrival, SignUp.status)
                                                       .where(SignUp.coop_id == demo_coop.id)):
        sign_ups.setdefault(session_id, []).append((arrival, status))
    assert sum(len(rows) for rows in sign_ups.values()) > 3000
    for session_id, capacity, confirmed_count, arrivals in sessions:
        rows = sorted(sign_ups.get(session_id, []))
        confirmed = [arrival for arrival, status in rows if status is SignUpStatus.CONFIRMED]
        waitlisted = [arrival for arrival, status in rows if status is SignUpStatus.WAITLISTED]
        assert confirmed_count == len(confirmed) <= capacity, session_id
        assert [arrival for arrival, _status in rows] == list(range(1, arrivals + 1)), session_id
        if waitlisted:  # a waitlist only behind a full session, served in arrival order
            assert len(confirmed) == capacity and max(confirmed) < min(waitlisted), session_id


def test_past_sessions_have_their_attendance_and_the_coming_ones_are_open(demo_db, demo_coop):
    now = utcnow()
    statuses = dict(demo_db.execute(sa.select(WorkSession.status, sa.func.count()).where(
        WorkSession.coop_id == demo_coop.id).group_by(WorkSession.status)).all())
    assert statuses[SessionStatus.DONE] > 150 and statuses[SessionStatus.CANCELLED] == 1
    cancelled = demo_db.scalar(sa.select(WorkSession).where(WorkSession.coop_id == demo_coop.id,
                                                            WorkSession.status == SessionStatus.CANCELLED))
    assert cancelled.cancel_reason and cancelled.starts_dt < now and cancelled.confirmed_count == 0

    attendance = demo_db.execute(sa.select(Attendance.status, Attendance.minutes, Attendance.reason,
                                           Attendance.sign_up_id, WorkSession.starts_dt, WorkSession.ends_dt)
                                 .join(WorkSession, WorkSession.id == Attendance.session_id)
                                 .where(Attendance.coop_id == demo_coop.id)).all()
    assert all(row.starts_dt < now for row in attendance)
    length = [int((row.ends_dt - row.starts_dt).total_seconds() // 60) for row in attendance]
    present = [row for row in attendance if row.status is AttendanceStatus.PRESENT]
    assert len(present) > 0.7 * len(attendance)
    assert all(0 < row.minutes <= full for row, full in zip(attendance, length)
               if row.status is AttendanceStatus.PRESENT)
    assert any(row.minutes < full for row, full in zip(attendance, length) if row.status is AttendanceStatus.PRESENT)
    assert any(row.status is AttendanceStatus.ABSENT for row in attendance)
    excused = [row for row in attendance if row.status is AttendanceStatus.EXCUSED]
    assert excused and all(row.reason for row in excused)
    assert any(row.sign_up_id is None for row in present)  # walk-ins
    change = demo_db.scalar(sa.select(AttendanceChange).where(AttendanceChange.coop_id == demo_coop.id))
    assert change.reason and change.changed_by_id and change.minutes > change.previous_minutes

    coming = demo_db.scalars(sa.select(WorkSession).where(
        WorkSession.coop_id == demo_coop.id, WorkSession.starts_dt > now,
        WorkSession.status == SessionStatus.OPEN)).all()
    assert sum(1 for s in coming if s.free_places > 0) >= 5
    full = [s for s in coming if s.free_places == 0]
    assert len(full) == 1
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(SignUp).where(
        SignUp.session_id == full[0].id, SignUp.status == SignUpStatus.WAITLISTED)) >= 3


def test_the_coordinator_coordinates_the_quebrada_alone_and_each_commission_has_standing_members(demo_db, demo_coop):
    commissions = commissions_of(demo_db, demo_coop)
    quebrada = commissions["Recuperación de la quebrada"]
    coordinator = auth.user_by_email(demo_db, "minga@quebrada-verde.example")
    assert tenancy.grants_of(demo_db, coordinator, demo_coop) == {
        Grant(Role.COORDINATOR, Scope(COMMISSION_SCOPE, quebrada.id)), Grant(Role.MEMBER)}
    standing = demo_db.execute(sa.select(CommissionMember.commission_id, sa.func.count()).where(
        CommissionMember.coop_id == demo_coop.id).group_by(CommissionMember.commission_id)).all()
    assert {commissions[name].id for name in FOUR} <= {commission for commission, count in standing if count >= 3}
    assert coordinator.id in {m.member.user_id for m in quebrada.standing}


def test_the_rules_fine_missing_hours_and_value_construction_hours_and_two_households_are_exempt(demo_db, demo_coop):
    rules = demo_db.scalar(sa.select(MingaRules).where(MingaRules.coop_id == demo_coop.id))
    assert (rules.owed_minutes, rules.fine_per_hour_minor, rules.capital_rate_minor) == (480, 500, 300)
    exemptions = demo_db.scalars(sa.select(Exemption).where(Exemption.coop_id == demo_coop.id)).all()
    assert sorted(e.percent for e in exemptions) == [50, 100]
    assert all(e.reason for e in exemptions)
    assert any(e.to_date is not None for e in exemptions)


def test_the_month_before_last_was_closed_once_with_its_fines_and_construction_hours_in_the_books(demo_db, demo_coop):
    closes = demo_db.scalars(sa.select(PeriodClose).where(PeriodClose.coop_id == demo_coop.id)).all()
    assert len(closes) == 1
    close = closes[0]
    this_month = today_in(demo_coop).replace(day=1)
    assert close.period_start == add_months(this_month, -2)
    assert close.fines_count > 5 and close.capital_count > 5
    lines = demo_db.scalars(sa.select(CloseLine).where(CloseLine.close_id == close.id)).all()
    fined = [line for line in lines if line.fine_minor]
    assert len(fined) == close.fines_count and sum(line.fine_minor for line in fined) == close.fines_total_minor
    # $5,00 for each missing hour, and a charge on the member's account in the books for each fine
    assert all(line.missing_minutes > 0 and line.fine_entry_id for line in fined)
    assert all(line.fine_minor == (line.missing_minutes * 500 + 30) // 60 for line in fined)
    fines_charged = demo_db.scalar(sa.select(sa.func.coalesce(sa.func.sum(Charge.amount_minor), 0)).where(
        Charge.coop_id == demo_coop.id, Charge.source == EntrySource.FINE))
    assert fines_charged == close.fines_total_minor
    credited = [line for line in lines if line.capital_minor]
    assert all(line.capital_entry_id and line.capital_minor == (line.capital_minutes * 300 + 30) // 60
               for line in credited)
    assert reports.verify_ledger(demo_db, demo_coop) == []
