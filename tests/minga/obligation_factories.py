"""Helpers of the obligations and closing tests: rules, households, and hours worked."""
from __future__ import annotations

import datetime as dt

from coop import calendar
from ledger.services import account_by_code
from members import services as member_services
from minga import obligations
from minga.models import (Attendance, AttendanceStatus, Commission, ObligationPeriod, ObligationUnit,
                          SessionStatus, SurplusRule, WorkSession)

NOVEMBER, DECEMBER = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
#: the co-op's date after November's ten grace days
AFTER_NOVEMBER = dt.date(2026, 12, 11)


def rules_data(db, coop, **fields) -> obligations.RulesData:
    values = dict(owed_minutes=8 * 60, unit=ObligationUnit.HOUSEHOLD, period=ObligationPeriod.MONTH,
                  starts_on=dt.date(2026, 10, 1), surplus=SurplusRule.LOST, office_work_counts=False, grace_days=10,
                  is_closed_automatically=False, fine_per_hour_minor=500,
                  fine_account_id=account_by_code(db, coop, "4.3").id, capital_rate_minor=0,
                  capital_account_id=account_by_code(db, coop, "1.2.02").id, reminder_hours=24)
    values.update(fields)
    return obligations.RulesData(**values)


def set_rules(db, coop, **fields):
    db.rollback()
    obligations.update_rules(db, None, coop, rules_data(db, coop, **fields))
    db.commit()
    return obligations.rules_of(db, coop)


def household(db, coop, name):
    db.rollback()
    made = member_services.create_household(db, None, coop, name=name)
    db.commit()
    return made


def commission(db, coop, name="Recuperación de la quebrada", **fields) -> Commission:
    db.rollback()
    made = Commission(coop_id=coop.id, name=name, **fields)
    db.add(made)
    db.commit()
    return made


def work(db, coop, member, day: dt.date, minutes: int, *, where: Commission, compensation=False,
         status=AttendanceStatus.PRESENT) -> Attendance:
    """``member`` worked ``minutes`` in a session of ``where`` on the co-op's ``day`` (07:00)."""
    starts = calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(7)))
    session = WorkSession(coop_id=coop.id, commission_id=where.id, title="Minga", capacity=50, starts_dt=starts,
                          ends_dt=starts + dt.timedelta(hours=12), status=SessionStatus.DONE,
                          is_compensation=compensation)
    db.add(session)
    db.flush()
    attendance = Attendance(coop_id=coop.id, session_id=session.id, member_id=member.id,
                            household_id=member.household_id, status=status, minutes=minutes)
    db.add(attendance)
    db.commit()
    return attendance
