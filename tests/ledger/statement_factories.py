"""Small stand-ins for dues and payments in the statements' tests: they post the entry through
``ledger.services.post_entry`` and write the Charge / Payment rows as the real services do, then
allocate with ``ledger.allocation.settle_member``. They flush; the test commits."""
from __future__ import annotations

import datetime as dt

from coop import numbering
from ledger import allocation, services
from ledger.dues import CHARGE_ORIGIN
from ledger.models import Charge, EntrySource, Payment, PaymentKind, PaymentMethod
from ledger.origins import Origin, reserve_id
from ledger.payments import PAYMENT_ORIGIN
from ledger.services import CASH_CODE, SHARE_CAPITAL_CODE, PostingLine

RECEIVABLE_CODE = "1.1.03"


def add_charge(db, coop, member, amount: int, *, due: dt.date, on: dt.date | None = None,
               description: str = "Aporte ordinario", income: str = "4.1") -> Charge:
    """Charge the member (debit their receivable, credit income) and settle them."""
    charge_id = reserve_id(db, Charge)
    entry = services.post_entry(
        db, None, coop, entry_date=on or due, description=description, source=EntrySource.DUES,
        postings=[PostingLine(services.account_by_code(db, coop, RECEIVABLE_CODE), amount, member),
                  PostingLine(services.account_by_code(db, coop, income), -amount)],
        origin=Origin(CHARGE_ORIGIN, charge_id))
    charge = Charge(id=charge_id, coop_id=coop.id, member_id=member.id, source=EntrySource.DUES, description=description,
                    due_date=due, amount_minor=amount, settled_minor=0, entry_id=entry.id)
    db.add(charge)
    db.flush()
    allocation.settle_member(db, coop.id, member.id)
    return charge


def add_payment(db, coop, member, amount: int, *, on: dt.date, reference: str = "",
                subscription=None) -> Payment:
    """A cash payment: of dues (credits the member's receivable) or of share capital."""
    cash = services.account_by_code(db, coop, CASH_CODE)
    if subscription is None:
        kind, other = PaymentKind.DUES, PostingLine(services.account_by_code(db, coop, RECEIVABLE_CODE),
                                                    -amount, member)
    else:
        kind, other = PaymentKind.SHARE_CAPITAL, PostingLine(
            services.account_by_code(db, coop, SHARE_CAPITAL_CODE), -amount)
    payment_id = reserve_id(db, Payment)
    entry = services.post_entry(db, None, coop, entry_date=on, description=f"Pago de {member.full_name}",
                                reference=reference, source=EntrySource.PAYMENT,
                                postings=[PostingLine(cash, amount), other],
                                origin=Origin(PAYMENT_ORIGIN, payment_id))
    payment = Payment(id=payment_id, coop_id=coop.id, member_id=member.id,
                      receipt_number=numbering.next_number(db, coop.id, "receipt"), payment_date=on,
                      amount_minor=amount, method=PaymentMethod.CASH, kind=kind, account_id=cash.id,
                      subscription_id=subscription.id if subscription is not None else None,
                      bank_reference=reference, entry_id=entry.id)
    db.add(payment)
    db.flush()
    if kind == PaymentKind.DUES:
        allocation.settle_member(db, coop.id, member.id)
    return payment


def void_payment(db, coop, payment: Payment, *, on: dt.date, reason: str = "Cheque sin fondos") -> Payment:
    reversal = services.post_reversal(db, None, coop, payment.entry, entry_date=on, reason=reason,
                                      origin=Origin(PAYMENT_ORIGIN, payment.id))
    payment.void_entry_id = reversal.id
    payment.voided_dt = dt.datetime.combine(on, dt.time(12))
    payment.void_reason = reason
    allocation.release(db, payment.allocations)
    allocation.settle_member(db, coop.id, payment.member_id)
    return payment
