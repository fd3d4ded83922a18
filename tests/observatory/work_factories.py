"""Factories for the work packages' tests: resolutions of an assembly, Minga sessions with their
attendance, expenses taken through the ledger's own services (recorded, approved by someone
else, paid), and work packages made directly."""
from __future__ import annotations

import datetime as dt

import pytest

from coop import calendar
from ledger import expenses as ledger_expenses
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.observatory.models import WorkExpenseLink, WorkPackage, WorkSessionLink, WorkStatus
from meetings.resolutions import adopt_resolution
from minga.models import Attendance, AttendanceStatus, Commission, SessionStatus, WorkSession
from tests.observatory.conftest import account

RECEIPT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def make_resolution(db):
    """A resolution of a general assembly held on ``day``."""
    def factory(coop, title="Aprobar la obra del parque", *, day=dt.date(2026, 11, 14)):
        db.rollback()
        coop = db.merge(coop)
        meeting = Meeting(coop_id=coop.id, kind=MeetingKind.ORDINARY, title=f"Asamblea general {day.isoformat()}",
                          place="Casa comunal", status=MeetingStatus.CLOSED,
                          first_call_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(9))))
        db.add(meeting)
        db.flush()
        resolution = adopt_resolution(db, coop, meeting, title=title, text=f"La asamblea resuelve: {title}.",
                                      decided_on=day)
        db.commit()
        return resolution
    return factory


@pytest.fixture
def make_commission(db):
    def factory(coop, name="Parques y áreas verdes"):
        db.rollback()
        commission = Commission(coop_id=coop.id, name=name)
        db.add(commission)
        db.commit()
        return commission
    return factory


@pytest.fixture
def make_work_session(db):
    """A Minga session of a commission on ``day`` (8:00-12:00 in Quito), with attendance:
    ``worked`` is a list of (member, status, minutes)."""
    def factory(coop, commission, title="Minga del parque", *, day=dt.date(2027, 1, 16), worked=()):
        db.rollback()
        coop = db.merge(coop)
        session = WorkSession(coop_id=coop.id, commission_id=commission.id, title=title, capacity=80,
                              starts_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(8))),
                              ends_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(12))),
                              status=SessionStatus.DONE)
        db.add(session)
        db.flush()
        for member, status, minutes in worked:
            db.add(Attendance(coop_id=coop.id, session_id=session.id, member_id=member.id,
                              status=AttendanceStatus(status), minutes=minutes))
        db.commit()
        return session
    return factory


@pytest.fixture
def paid_expense(db, make_user):
    """An expense taken the ledger's way: recorded by the secretary, approved by the treasurer, and paid
    from the bank (``pay=False`` leaves it approved)."""
    people = {}

    def factory(coop, code="1.2.03", amount_minor=120_000, *, supplier="Ferretería El Constructor",
                day=dt.date(2027, 2, 10), pay=True, description="Materiales para la obra"):
        if coop.id not in people:
            people[coop.id] = (make_user(coop=coop, roles=["secretary"]), make_user(coop=coop, roles=["treasurer"]))
        recorder, treasurer = people[coop.id]
        db.rollback()
        coop = db.merge(coop)
        expense = ledger_expenses.record_expense(
            db, db.merge(recorder), coop, expense_date=day, supplier=supplier, description=description,
            invoice_ref=f"001-001-{amount_minor:09d}-{day.isoformat()}", account=account(db, coop, code),
            amount_minor=amount_minor, attachment=("factura.pdf", RECEIPT))
        ledger_expenses.approve_expense(db, db.merge(treasurer), coop, expense)
        if pay:
            ledger_expenses.pay_expense(db, db.merge(treasurer), coop, expense, paid_date=day,
                                        from_account=account(db, coop, "1.1.02"))
        db.commit()
        return expense
    return factory


@pytest.fixture
def make_package(db):
    """A work package made directly (as the participatory budget's decision opens them)."""
    def factory(coop, resolution=None, *, title="Juegos infantiles en el parque", code="1.2.03", voted_minor=250_000,
                proposal=None, commission=None, status=WorkStatus.PLANNED, progress_pct=0, sessions=(), expenses=()):
        db.rollback()
        coop = db.merge(coop)
        package = WorkPackage(coop_id=coop.id, title=title, resolution_id=resolution.id if resolution else None,
                              proposal_id=proposal.id if proposal else None, account_id=account(db, coop, code).id,
                              voted_minor=voted_minor, commission_id=commission.id if commission else None,
                              status=status, progress_pct=progress_pct)
        db.add(package)
        db.flush()
        for session in sessions:
            db.add(WorkSessionLink(coop_id=coop.id, package_id=package.id, session_id=session.id))
        for expense in expenses:
            db.add(WorkExpenseLink(coop_id=coop.id, package_id=package.id, expense_id=expense.id))
        db.commit()
        return package
    return factory
