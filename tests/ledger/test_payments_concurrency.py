"""Twenty people paying at the same window at the same instant still get receipts 1 to 20, each
receipt's entry names its own payment, and their money settles the member's charges exactly once
(real threads, each with its own connection and transaction)."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from coop.tenancy import Coop
from ledger import payments, reports, services
from ledger.models import Charge, JournalEntry, Payment
from members.models import Member
from tests.ledger.conftest import DAY, run_at_once
from tests.ledger.payment_factories import add_charge

THREADS = 20


def test_concurrent_payments_get_receipts_without_gaps_or_repeats(app, db, books, make_member):
    person = make_member(books)
    db.rollback()
    charge = add_charge(db, db.merge(books), db.merge(person), 1000, DAY)
    db.commit()
    database, coop_id, member_id = app.extensions["coop.db"], books.id, person.id
    barrier, errors = threading.Barrier(THREADS), []

    def cashier(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with database.unit_of_work() as session:
                coop = session.get(Coop, coop_id)
                payments.record_payment(session, None, coop, member=session.get(Member, member_id),
                                        payment_date=DAY, amount_minor=100 + index, method="cash",
                                        account=services.account_by_code(session, coop, services.CASH_CODE))
        except Exception as error:  # reported below, with the thread's index
            errors.append((index, error))

    run_at_once(cashier, [(i,) for i in range(THREADS)])
    assert errors == []
    db.rollback()
    numbers = list(db.scalars(sa.select(Payment.receipt_number).where(Payment.coop_id == coop_id)
                              .order_by(Payment.receipt_number)))
    assert numbers == list(range(1, THREADS + 1))
    named = db.execute(sa.select(Payment.id, JournalEntry.origin_kind, JournalEntry.origin_id)
                       .join(JournalEntry, JournalEntry.id == Payment.entry_id).where(Payment.coop_id == coop_id)).all()
    assert sorted(named) == sorted((payment_id, "ledger.payment", payment_id) for payment_id, _kind, _id in named)
    assert len(named) == THREADS
    assert db.get(Charge, charge.id).settled_minor == 1000
    paid = sum(100 + i for i in range(THREADS))
    assert payments.member_credit(db, books, member_id) == paid - 1000
    assert reports.verify_ledger(db, books) == []
