"""Matching members' payments to their charges, oldest charge first.

``fifo`` is the pure rule: given a member's open charges (oldest first) and an amount of
unallocated money, it says how much goes to which charge. ``settle_member`` applies it in the
database: it takes the member's row lock (so a payment and a dues run for the same member never
allocate the same money twice), gathers every cent of the member's payments not yet allocated,
and spreads it over the open charges. What is left stays as credit and is applied by the next
call, after the next charge is posted. Voiding a payment or cancelling a charge releases its
allocations and settles the member again.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from ledger.models import Allocation, Charge, Payment, PaymentKind
from members.models import Member


def fifo(open_charges: Sequence[tuple[int, int]], available: int) -> list[tuple[int, int]]:
    """(charge id, amount) pairs covering ``open_charges`` (id, open amount) in order with
    ``available`` minor units; never more than a charge's open amount, never more than available."""
    allocations: list[tuple[int, int]] = []
    for charge_id, open_minor in open_charges:
        if available <= 0:
            break
        take = min(open_minor, available)
        if take > 0:
            allocations.append((charge_id, take))
            available -= take
    return allocations


def _lock_member(session: so.Session, member_id: int) -> None:
    session.execute(sa.select(Member.id).where(Member.id == member_id).with_for_update())


def credit_filter(coop_id: int):
    """The valid dues payments with money not yet applied (the partial index ix_payment_unallocated)."""
    return (Payment.coop_id == coop_id, Payment.amount_minor > Payment.allocated_minor,
            Payment.kind == PaymentKind.DUES, Payment.voided_dt.is_(None))


def unallocated_payments(session: so.Session, coop_id: int, member_id: int) -> list[Payment]:
    """The member's valid dues payments with money not yet applied, oldest first."""
    return list(session.scalars(sa.select(Payment).where(*credit_filter(coop_id), Payment.member_id == member_id)
                                .order_by(Payment.payment_date, Payment.id)))


def open_charges(session: so.Session, coop_id: int, member_id: int) -> list[Charge]:
    """The member's charges not fully paid, oldest due first."""
    return list(session.scalars(
        sa.select(Charge).where(Charge.coop_id == coop_id, Charge.member_id == member_id,
                                Charge.is_void.is_(False), Charge.settled_minor < Charge.amount_minor)
        .order_by(Charge.due_date, Charge.id)))


def settle_member(session: so.Session, coop_id: int, member_id: int) -> int:
    """Allocate the member's unallocated payments to their open charges; the credit left over."""
    _lock_member(session, member_id)
    session.flush()
    credits = unallocated_payments(session, coop_id, member_id)
    if not credits:
        return 0
    charges = open_charges(session, coop_id, member_id)
    pending = [(charge.id, charge.open_minor) for charge in charges]
    by_id = {charge.id: charge for charge in charges}
    for payment in credits:
        for charge_id, amount in fifo(pending, payment.amount_minor - payment.allocated_minor):
            session.add(Allocation(coop_id=coop_id, payment_id=payment.id, charge_id=charge_id,
                                   amount_minor=amount))
            by_id[charge_id].settled_minor += amount
            payment.allocated_minor += amount
        pending = [(charge.id, charge.open_minor) for charge in charges if charge.open_minor > 0]
    session.flush()
    return sum(payment.amount_minor - payment.allocated_minor for payment in credits)


def settle_members(session: so.Session, coop_id: int, member_ids: Iterable[int]) -> None:
    """``settle_member`` for each of these members who has unallocated money (after a dues run)."""
    with_credit = set(session.scalars(sa.select(Payment.member_id).distinct().where(*credit_filter(coop_id))))
    for member_id in sorted(with_credit & set(member_ids)):
        settle_member(session, coop_id, member_id)


def release(session: so.Session, allocations: Iterable[Allocation]) -> None:
    """Undo allocations (a voided payment, a cancelled charge): their charges reopen."""
    for allocation in list(allocations):
        allocation.charge.settled_minor -= allocation.amount_minor
        allocation.payment.allocated_minor -= allocation.amount_minor
        session.delete(allocation)
    session.flush()


def void_charges_of_entry(session: so.Session, coop_id: int, entry_id: int) -> list[int]:
    """Mark the charges an entry posted as void (the entry was reversed); the members affected."""
    charges = list(session.scalars(sa.select(Charge).where(Charge.coop_id == coop_id,
                                                           Charge.entry_id == entry_id)))
    for charge in charges:
        release(session, session.scalars(sa.select(Allocation).where(Allocation.charge_id == charge.id)))
        charge.is_void = True
    session.flush()
    for member_id in sorted({charge.member_id for charge in charges}):
        settle_member(session, coop_id, member_id)
    return [charge.member_id for charge in charges]
