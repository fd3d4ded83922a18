"""Factories for Minga's tests: a co-op with its books and members, commissions and sessions."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from coop import calendar
from ledger import services as ledger_services
from coop.errors import DomainError
from minga.models import Commission, SessionStatus, WorkSession
from tests.members.conftest import make_member  # noqa: F401  (the member factory)

#: a Saturday; sessions are made around it (tests pass ``now`` to the services)
SATURDAY = dt.date(2026, 12, 5)
NOW = dt.datetime(2026, 12, 1, 15, 0)  # UTC: Tuesday 10:00 in Quito


def coop_with_books(db, make_coop, slug: str):
    """A co-op in Quito whose chart of accounts is installed."""
    coop = make_coop(slug)
    db.rollback()
    coop = db.merge(coop)
    ledger_services.install_chart(db, None, coop)
    db.commit()
    return coop


@pytest.fixture
def minga_coop(db, make_coop):
    """A co-op in Quito whose chart of accounts is installed (fines go through its books)."""
    return coop_with_books(db, make_coop, "minga")


@pytest.fixture
def make_commission(db):
    def factory(coop, name="Recuperación de la quebrada", **fields) -> Commission:
        db.rollback()
        commission = Commission(coop_id=coop.id, name=name, **fields)
        db.add(commission)
        db.commit()
        return commission
    return factory


@pytest.fixture
def make_session(db):
    """A work session of a commission, by default open, Saturday 07:00-13:00 in the co-op's time."""
    def factory(commission, *, day=SATURDAY, start=dt.time(7), end=dt.time(13), capacity=10,
                status=SessionStatus.OPEN, title="Minga de la quebrada", **fields) -> WorkSession:
        db.rollback()
        coop = commission_coop(db, commission)
        session = WorkSession(
            coop_id=commission.coop_id, commission_id=commission.id, title=title, capacity=capacity,
            starts_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, start)),
            ends_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, end)), status=status, **fields)
        db.add(session)
        db.commit()
        return session
    return factory


def commission_coop(db, commission):
    from coop.tenancy import Coop
    return db.get(Coop, commission.coop_id)


@pytest.fixture
def ctx(app):
    """A request's context, read in English (the messages tests compare are the msgids)."""
    with app.test_request_context(), force_locale("en"):
        yield


def refusal(call, *args, **kwargs) -> dict[str | None, str]:
    """The messages of the refusal ``call(*args, **kwargs)`` raises, by field."""
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    return {error.field: error.text for error in getattr(raised.value, "errors", None) or [raised.value]}
