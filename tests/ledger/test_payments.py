"""A member pays the treasurer: the receipt is numbered, the oldest charges are settled first,
what is left waits as credit, a mistaken receipt is voided (never deleted), share capital is
paid up to what was subscribed, and no cent is ever lost or made up."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.audit import AuditEvent
from coop.errors import DomainError
from ledger import payments, services
from ledger.models import Allocation, Charge, EntrySource, JournalEntry, Payment, PaymentKind
from ledger.services import BANK_CODE, SHARE_CAPITAL_CODE
from members import services as member_services
from tests.ledger.conftest import DAY, account
from tests.ledger.payment_factories import add_charge, allocated_to, fields_of, pay

JAN, FEB, MAR, APR = (dt.date(2026, m, 5) for m in (1, 2, 3, 4))


@pytest.fixture
def member(db, books, make_member):
    person = make_member(books)
    db.rollback()
    return db.merge(person)


def count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


# --- allocation ------------------------------------------------------------------------------

def test_a_payment_settles_the_oldest_charges_first_and_keeps_the_rest_as_credit(db, books, member):
    march, january, february = (add_charge(db, books, member, 3000, d) for d in (MAR, JAN, FEB))
    first = pay(db, books, member, 5000)
    assert (january.settled_minor, february.settled_minor, march.settled_minor) == (3000, 2000, 0)
    assert payments.unallocated(db, first) == 0

    second = pay(db, books, member, 5000)
    assert (february.settled_minor, march.settled_minor) == (3000, 3000)
    assert payments.unallocated(db, second) == 1000
    assert payments.member_credit(db, books, member.id) == 1000
    assert (first.receipt_number, second.receipt_number) == (1, 2)

    april = add_charge(db, books, member, 3000, APR)  # the credit waiting is applied at once
    assert april.settled_minor == 1000
    assert payments.member_credit(db, books, member.id) == 0
    assert [(c.due_date, a.amount_minor) for a, c in payments.allocations_of(db, second)] == [
        (FEB, 1000), (MAR, 3000), (APR, 1000)]


def test_a_partial_payment_leaves_the_charge_open_for_the_rest(db, books, member):
    charge = add_charge(db, books, member, 10000, JAN)
    pay(db, books, member, 4000)
    assert (charge.settled_minor, charge.open_minor) == (4000, 6000)
    pay(db, books, member, 6000)
    assert charge.open_minor == 0 and allocated_to(db, charge) == 10000


def test_the_entry_debits_the_cash_and_credits_the_members_account(db, books, member):
    payment = pay(db, books, member, 2550, method="transfer", bank_reference="TRX 778",
                  account=account(db, books, BANK_CODE))
    entry = payment.entry
    assert entry.source is EntrySource.PAYMENT and entry.reference == "TRX 778"
    assert str(payment.receipt_number) in entry.description and member.full_name in entry.description
    assert sorted((p.account.code, p.amount_minor, p.member_id) for p in entry.postings) == [
        (BANK_CODE, 2550, None), ("1.1.03", -2550, member.id)]
    cash_payment = pay(db, books, member, 100)
    assert cash_payment.entry.reference.endswith(" 2")  # "Recibo 2" when there is no bank reference
    db.commit()
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "ledger.payment")) == 2


# --- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize("amount", [0, -500])
def test_an_amount_of_nothing_or_less_is_refused(db, books, member, amount):
    with pytest.raises(DomainError) as caught:
        pay(db, books, member, amount)
    assert fields_of(caught.value) == {"amount"}


def test_every_mistake_is_named_at_once_and_nothing_is_written(db, books, member, make_coop, make_member):
    other_coop = make_coop("vecina")
    stranger = make_member(other_coop)
    db.rollback()
    books = db.merge(books)
    with pytest.raises(DomainError) as caught:
        payments.record_payment(db, None, books, member=db.merge(stranger), payment_date=DAY, amount_minor=0,
                                method="transfer", account=account(db, books, "1.1.03"))
    assert fields_of(caught.value) == {"amount", "member", "account", "bank_reference"}
    with pytest.raises(DomainError) as caught:
        pay(db, books, db.merge(member), 100, method="barter", payment_date=dt.date(2099, 1, 1))
    assert fields_of(caught.value) == {"method", "payment_date"}
    assert count(db, Payment) == 0 and count(db, JournalEntry) == 0


def test_a_payment_into_a_closed_month_is_refused(db, books, member):
    services.close_month(db, None, books, dt.date(2026, 2, 1))
    with pytest.raises(DomainError) as caught:
        pay(db, books, member, 100, payment_date=dt.date(2026, 2, 20))
    assert fields_of(caught.value) == {"payment_date"}


def test_a_bank_reference_used_before_is_a_warning_the_treasurer_confirms(db, books, member):
    bank = account(db, books, BANK_CODE)
    first = pay(db, books, member, 100, method="transfer", bank_reference="TRX-1", account=bank)
    with pytest.raises(DomainError) as caught:
        pay(db, books, member, 100, method="deposit", bank_reference=" TRX-1 ", account=bank)
    assert payments.is_duplicate_warning(caught.value) and fields_of(caught.value) == {"bank_reference"}
    assert "Receipt 1 " in caught.value.text
    again = pay(db, books, member, 100, method="deposit", bank_reference="TRX-1", account=bank,
                confirm_duplicate=True)
    assert again.receipt_number == 2 and again.bank_reference == "TRX-1"
    payments.void_payment(db, None, books, first, reason="Duplicado", on_date=DAY)
    payments.void_payment(db, None, books, again, reason="Duplicado", on_date=DAY)
    assert pay(db, books, member, 100, method="transfer", bank_reference="TRX-1", account=bank).receipt_number == 3


# --- voiding ---------------------------------------------------------------------------------

def test_voiding_releases_what_it_paid_reverses_the_entry_and_keeps_the_number(db, books, member):
    january, february = add_charge(db, books, member, 3000, JAN), add_charge(db, books, member, 3000, FEB)
    wrong = pay(db, books, member, 4500)
    later = pay(db, books, member, 1000)  # settles 1000 of February after the mistaken receipt
    assert (january.settled_minor, february.settled_minor) == (3000, 2500)

    payments.void_payment(db, None, books, wrong, reason="Se registró al socio equivocado", on_date=DAY)
    assert wrong.is_void and wrong.void_reason == "Se registró al socio equivocado"
    assert db.scalar(sa.select(sa.func.count()).select_from(Allocation)
                     .where(Allocation.payment_id == wrong.id)) == 0
    # the later receipt still says what it paid (February): a printed receipt never changes meaning
    assert (january.settled_minor, february.settled_minor) == (0, 1000)
    assert [a.charge_id for a, _c in payments.allocations_of(db, later)] == [february.id]
    reversal = db.get(JournalEntry, wrong.void_entry_id)
    assert reversal.reverses_id == wrong.entry_id and reversal.source is EntrySource.REVERSAL
    assert sorted(p.amount_minor for p in reversal.postings) == [-4500, 4500]
    assert pay(db, books, member, 100).receipt_number == 3  # number 1 stays used, void

    with pytest.raises(DomainError) as caught:
        payments.void_payment(db, None, books, wrong, reason="Otra vez", on_date=DAY)
    assert fields_of(caught.value) == {"payment"}


def test_a_void_needs_a_reason_and_a_date_not_before_the_payment(db, books, member):
    payment = pay(db, books, member, 100)
    with pytest.raises(DomainError) as caught:
        payments.void_payment(db, None, books, payment, reason="  ", on_date=DAY - dt.timedelta(days=1))
    assert fields_of(caught.value) == {"reason", "on_date"}
    assert not payment.is_void


def test_a_payments_entry_is_not_reversed_by_hand_but_by_voiding_the_receipt(db, books, member):
    payment = pay(db, books, member, 100)
    entries = count(db, JournalEntry)
    with pytest.raises(DomainError) as caught:
        services.reverse_entry(db, None, books, payment.entry, entry_date=DAY, reason="A mano")
    assert (caught.value.field, caught.value.text) == (
        "entry", "This entry records a payment: void the receipt instead.")
    assert count(db, JournalEntry) == entries and not payment.is_void
    payments.void_payment(db, None, books, payment, reason="Recibo duplicado", on_date=DAY)
    void = db.get(JournalEntry, payment.void_entry_id)
    assert void.reverses_id == payment.entry_id and count(db, JournalEntry) == entries + 1


def test_the_entries_of_a_receipt_and_of_its_void_name_the_payment(db, books, member):
    dues_payment = pay(db, books, member, 100)
    subscription = member_services.subscribe_shares(db, None, books, member, amount_minor=10000, instalments=4,
                                                    first_due_date=JAN)
    capital = payments.record_share_payment(db, None, books, subscription=subscription, payment_date=DAY,
                                            amount_minor=6000, method="cash", account=account(db, books, "1.1.01"))
    for payment in (dues_payment, capital):
        assert (payment.entry.origin_kind, payment.entry.origin_id) == ("ledger.payment", payment.id)
    payments.void_payment(db, None, books, capital, reason="Cheque sin fondos", on_date=DAY)
    void = db.get(JournalEntry, capital.void_entry_id)
    assert (void.origin_kind, void.origin_id) == ("ledger.payment", capital.id)


# --- share capital ---------------------------------------------------------------------------

def test_share_capital_is_paid_up_to_what_was_subscribed(db, books, member):
    subscription = member_services.subscribe_shares(db, None, books, member, amount_minor=10000, instalments=4,
                                                    first_due_date=JAN)
    first = payments.record_share_payment(db, None, books, subscription=subscription, payment_date=DAY,
                                          amount_minor=6000, method="cash", account=account(db, books, "1.1.01"))
    assert first.kind is PaymentKind.SHARE_CAPITAL and first.receipt_number == 1
    assert sorted((p.account.code, p.amount_minor) for p in first.entry.postings) == [
        ("1.1.01", 6000), (SHARE_CAPITAL_CODE, -6000)]
    with pytest.raises(DomainError) as caught:
        payments.record_share_payment(db, None, books, subscription=subscription, payment_date=DAY,
                                      amount_minor=4001, method="cash", account=account(db, books, "1.1.01"))
    assert fields_of(caught.value) == {"amount"} and "$40,00" in caught.value.text
    payments.record_share_payment(db, None, books, subscription=subscription, payment_date=DAY,
                                  amount_minor=4000, method="cash", account=account(db, books, "1.1.01"))
    assert payments.subscription_paid(db, subscription) == 10000
    with pytest.raises(DomainError):
        payments.record_share_payment(db, None, books, subscription=subscription, payment_date=DAY,
                                      amount_minor=1, method="cash", account=account(db, books, "1.1.01"))
    payments.void_payment(db, None, books, first, reason="Cheque sin fondos", on_date=DAY)
    assert payments.subscription_paid(db, subscription) == 4000
    # share capital is not credit for dues
    assert payments.member_credit(db, books, member.id) == 0 and add_charge(db, books, member, 100, JAN).settled_minor == 0


# --- the property: not a cent lost or made up ------------------------------------------------

operations = st.lists(st.one_of(
    st.tuples(st.just("charge"), st.integers(1, 50_000), st.integers(0, 11)),
    st.tuples(st.just("pay"), st.integers(1, 80_000), st.just(0)),
    st.tuples(st.just("void"), st.integers(0, 20), st.just(0))), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_allocation_never_loses_or_creates_a_cent(db, books, member, steps):
    db.rollback()
    coop, person = db.merge(books), db.merge(member)
    made: list[Payment] = []
    for kind, amount, month in steps:
        if kind == "charge":
            add_charge(db, coop, person, amount, dt.date(2026, month + 1, 1))
        elif kind == "pay":
            made.append(pay(db, coop, person, amount))
        elif made and not made[amount % len(made)].is_void:
            payments.void_payment(db, None, coop, made[amount % len(made)], reason="Prueba", on_date=DAY)
    db.flush()
    valid = [p for p in made if not p.is_void]
    allocations = list(db.scalars(sa.select(Allocation).join(Payment).where(Payment.member_id == person.id)))
    credit = payments.member_credit(db, coop, person.id)
    assert sum(a.amount_minor for a in allocations) + credit == sum(p.amount_minor for p in valid)
    assert all(not a.payment.is_void for a in allocations)
    charges = list(db.scalars(sa.select(Charge).where(Charge.member_id == person.id)))
    for charge in charges:
        assert 0 <= charge.settled_minor <= charge.amount_minor
        assert charge.settled_minor == sum(a.amount_minor for a in allocations if a.charge_id == charge.id)
    if credit > 0:  # money waiting as credit means nothing is left unpaid
        assert all(charge.open_minor == 0 for charge in charges)
    assert [p.receipt_number for p in made] == list(range(1, len(made) + 1))
    db.rollback()
