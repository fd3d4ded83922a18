"""Helpers for the payments tests: charges posted the way dues post them, and payments."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ledger import allocation, payments, services
from ledger.dues import CHARGE_ORIGIN
from ledger.models import Allocation, Charge, EntrySource, Payment
from ledger.origins import Origin, reserve_id
from ledger.services import CASH_CODE, PostingLine
from tests.ledger.conftest import DAY, account


def add_charge(db, coop, member, amount: int, due: dt.date, description: str = "Aporte ordinario") -> Charge:
    """A charge as a dues run posts it (debit the member, credit income), then settled from credit."""
    charge_id = reserve_id(db, Charge)
    entry = services.post_entry(db, None, coop, entry_date=DAY, description=description, source=EntrySource.DUES,
                                postings=[PostingLine(account(db, coop, "1.1.03"), amount, member),
                                          PostingLine(account(db, coop, "4.1"), -amount)],
                                origin=Origin(CHARGE_ORIGIN, charge_id))
    charge = Charge(id=charge_id, coop_id=coop.id, member_id=member.id, source=EntrySource.DUES, description=description,
                    due_date=due, amount_minor=amount, entry_id=entry.id)
    db.add(charge)
    db.flush()
    allocation.settle_member(db, coop.id, member.id)
    return charge


def pay(db, coop, member, amount: int, **fields) -> Payment:
    fields.setdefault("payment_date", DAY)
    fields.setdefault("method", "cash")
    fields.setdefault("account", account(db, coop, CASH_CODE))
    return payments.record_payment(db, None, coop, member=member, amount_minor=amount, **fields)


def allocated_to(db, charge: Charge) -> int:
    return int(db.scalar(sa.select(sa.func.coalesce(sa.func.sum(Allocation.amount_minor), 0))
                         .where(Allocation.charge_id == charge.id)))


def fields_of(error) -> set[str | None]:
    return {e.field for e in getattr(error, "errors", [error])}
