"""Factories for the member register's tests."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from stdnum.ec import ci

from members import services
from members.models import DocumentType, MemberStatus
from members.services import MemberData
from tests.conftest import log_in

TODAY = dt.date(2026, 11, 27)


def cedula(serial: int, province: int = 17) -> str:
    """A valid Ecuadorian cédula: province, third digit below 6, a serial, the check digit."""
    body = f"{province:02d}{serial % 5}{serial % 1_000_000:06d}"
    return next(body + digit for digit in "0123456789" if ci.is_valid(body + digit))


@pytest.fixture
def make_member(db):
    serials = itertools.count(1000)

    def factory(coop, *, given_names="Ana María", family_names=None, status=MemberStatus.ACTIVE,
                household=None, actor=None, **fields):
        serial = next(serials)
        data = MemberData(given_names=given_names, family_names=family_names or f"Toapanta {serial}",
                          document_type=DocumentType.CEDULA,
                          document_number=fields.pop("document_number", cedula(serial)),
                          join_date=fields.pop("join_date", dt.date(2010, 5, 1)), **fields)
        db.rollback()
        member = services.create_member(db, actor, db.merge(coop), data, today=TODAY, status=status,
                                        household=db.merge(household) if household else None)
        db.commit()
        return member
    return factory


@pytest.fixture
def coop(make_coop):
    """The co-op of the register's page tests."""
    return make_coop("quebrada")


@pytest.fixture
def secretary(client, coop, make_user):
    """The co-op's secretary, logged in on ``client``."""
    user = make_user("maria@example.org", coop=coop, roles=["secretary"], name="María Guamán")
    log_in(client, user.email)
    return user
