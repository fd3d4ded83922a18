"""Members' payments and their receipts: recording, voiding, share capital, and the lists of them.

A payment is money a member handed the treasurer (cash) or sent to the co-op's bank. Recording it
checks everything at once, takes the next receipt number (series "receipt": gapless per co-op;
the counter's row lock queues concurrent payments), posts the entry (debit cash or bank, credit
the member's receivable account, or share capital for a subscription) and, for dues payments,
lets ``ledger.allocation.settle_member`` spread it over the member's oldest open charges; what
is left stays as credit for the next charge. Voiding never deletes: it reverses the entry,
releases the allocations and keeps the receipt number used, so the series a member or auditor
holds in their hands has no holes. The receipt's entry and its void's name the payment as their
origin (``ledger.origins``), which no one may reverse by hand: only voiding does.

A bank reference already on a valid payment is refused unless the treasurer confirms the new
payment is another one (``is_repeat_reference``). The read gives the message; a partial unique
index gives the guarantee when two clerks type the same reference at once (``coop.duplicates``).
An amount above the co-op's ceiling (``coop.tenancy.check_amount``) is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from coop import audit, duplicates, numbering
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.money import MAX_MINOR, Money, format_money
from coop.calendar import today_in
from coop.paging import one_page
from coop.tenancy import Coop, check_amount
from coop.text import whole_number
from ledger import allocation, services
from ledger.models import (Account, Allocation, Charge, EntrySource, Payment, PaymentKind,
                           PaymentMethod)
from ledger.origins import Origin, register_origin, reserve_id
from ledger.services import SHARE_CAPITAL_CODE, PostingLine
from members.models import Member, ShareSubscription

RECEIPT_SERIES = "receipt"
PAGE_SIZE = 50

audit.describe("ledger.payment", _l("Payment recorded"))
audit.describe("ledger.payment_void", _l("Payment voided"))

#: the entries of a receipt and of its void; the origin's id is the payment's
PAYMENT_ORIGIN = "ledger.payment"
register_origin(PAYMENT_ORIGIN, label=_l("Payment recorded"),
                manual_reversal=_l("This entry records a payment: void the receipt instead."))

METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.TRANSFER: _l("Bank transfer"),
    PaymentMethod.DEPOSIT: _l("Bank deposit"),
    PaymentMethod.CHEQUE: _l("Cheque"),
}
#: the bank gives these a number the treasurer copies from the slip or the statement
NEEDS_BANK_REFERENCE = frozenset({PaymentMethod.TRANSFER, PaymentMethod.DEPOSIT})


class DuplicateBankReference(DomainError):
    """Another valid payment already carries this bank reference: a warning the treasurer confirms."""


duplicates.unique_rule("uq_payment_coop_id_bank_reference",
                       _l("Another receipt already carries this bank reference. If this is really another "
                          "payment, tick the box to record it anyway."), field="bank_reference")


def is_duplicate_warning(error: DomainError) -> bool:
    """Whether a refusal includes a repeated bank reference (the form then offers "record it anyway")."""
    return any(isinstance(each, DuplicateBankReference) for each in getattr(error, "errors", None) or [error])


# --- accounts --------------------------------------------------------------------------------

# --- recording -------------------------------------------------------------------------------

def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _reference_in_use(session: so.Session, coop: Coop, reference: str) -> Payment | None:
    return session.scalar(sa.select(Payment).where(
        Payment.coop_id == coop.id, Payment.bank_reference == reference, Payment.voided_dt.is_(None))
        .order_by(Payment.id).limit(1))


def _repeat_warning(earlier: Payment) -> DuplicateBankReference:
    return DuplicateBankReference(
        _l("Receipt %(number)d already carries this bank reference. If this is really another "
           "payment, tick the box to record it anyway.", number=earlier.receipt_number),
        field="bank_reference")


def _refuse_reference_in_use(session: so.Session, coop: Coop, reference: str) -> None:
    """After the unique index refused a reference: the warning naming the receipt that has it."""
    earlier = _reference_in_use(session, coop, reference)
    if earlier is not None:
        raise _repeat_warning(earlier)


@dataclass
class _Checked:
    bank_reference: str
    note: str
    #: the treasurer confirmed another valid payment carries the same reference
    is_repeat: bool = False


def _check_payment(session: so.Session, coop: Coop, problems: Problems, *, member, payment_date,
                   amount_minor, method, account, bank_reference, note, confirm_duplicate) -> _Checked:
    """Every refusal common to dues and share capital payments, gathered in ``problems``."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
        problems.add(_l("The amount must be more than zero."), field="amount")
    elif amount_minor >= MAX_MINOR:
        problems.add(_l("This amount is too large."), field="amount")
    else:
        problems.check(check_amount, coop, amount_minor)
    if member is None or member.coop_id != coop.id:
        problems.add(_l("There is no member with this number."), field="member")
    if not isinstance(payment_date, dt.date):
        problems.add(_l("Write the date."), field="payment_date")
    elif payment_date > today_in(coop):
        problems.add(_l("A payment is recorded once the money is received, not before."), field="payment_date")
    elif services.is_closed_month(session, coop, payment_date):
        problems.add(_l("The month of this date is closed: nothing more is posted into it."),
                     field="payment_date")
    try:
        method = PaymentMethod(method)
    except ValueError:
        problems.add(_l("Choose how it was paid."), field="method")
        method = None
    if account is None or account.coop_id != coop.id or account.id not in {
            a.id for a in services.money_accounts(session, coop)}:
        problems.add(_l("Choose the cash or bank account the money went into."), field="account")
    bank_reference = _clean(bank_reference)
    if len(bank_reference) > 100:
        problems.add(_l("A bank reference has at most 100 characters."), field="bank_reference")
    elif method in NEEDS_BANK_REFERENCE and not bank_reference:
        problems.add(_l("Write the number of the transfer or deposit."), field="bank_reference")
    is_repeat = False
    if bank_reference and len(bank_reference) <= 100:
        earlier = _reference_in_use(session, coop, bank_reference)
        if earlier is not None and not confirm_duplicate:
            problems.errors.append(_repeat_warning(earlier))
        is_repeat = earlier is not None
    note = (note or "").strip()
    if len(note) > 500:
        problems.add(_l("A note has at most 500 characters."), field="note")
    return _Checked(bank_reference, note, is_repeat)


def _post_payment(session: so.Session, actor: User | None, coop: Coop, *, member: Member, kind: PaymentKind,
                  payment_date: dt.date, amount_minor: int, method: PaymentMethod, account: Account,
                  credit_line: PostingLine, checked: _Checked, number: int,
                  subscription: ShareSubscription | None = None) -> Payment:
    """Post the receipt's entry and create the payment (the number is already allocated)."""
    payment_id = reserve_id(session, Payment)  # the entry names its payment, which is written after it
    if kind is PaymentKind.SHARE_CAPITAL:
        description = _l("Receipt %(receipt)d: share capital from member no. %(number)d, %(name)s",
                         receipt=number, number=member.number, name=member.full_name)
    else:
        description = _l("Receipt %(receipt)d: payment from member no. %(number)d, %(name)s",
                         receipt=number, number=member.number, name=member.full_name)
    entry = services.post_entry(
        session, actor, coop, entry_date=payment_date, description=str(description)[:500],
        postings=[PostingLine(account, amount_minor), credit_line],
        source=EntrySource.SHARE_CAPITAL if kind is PaymentKind.SHARE_CAPITAL else EntrySource.PAYMENT,
        reference=checked.bank_reference or str(_l("Receipt %(number)d", number=number)),
        origin=Origin(PAYMENT_ORIGIN, payment_id))
    payment = Payment(id=payment_id, coop_id=coop.id, member_id=member.id, member=member, receipt_number=number,
                      payment_date=payment_date, amount_minor=amount_minor, method=PaymentMethod(method),
                      kind=kind, bank_reference=checked.bank_reference, is_repeat_reference=checked.is_repeat,
                      account_id=account.id, account=account,
                      subscription_id=subscription.id if subscription is not None else None,
                      note=checked.note, entry_id=entry.id, entry=entry,
                      created_by_id=actor.id if actor is not None else None)
    # another clerk may have recorded the same reference meanwhile: the index refuses, the read explains
    with duplicates.refusing_duplicates(
            session, recheck=lambda: _refuse_reference_in_use(session, coop, checked.bank_reference)):
        session.add(payment)
    return payment


def _audit_payment(session, actor, coop, payment: Payment, member: Member) -> None:
    money = Money(payment.amount_minor, coop.currency)
    audit.record(session, coop=coop, actor=actor, action="ledger.payment", obj=payment,
                 summary=f"{payment.receipt_number}: {member.number} {member.full_name}, "
                         f"{money.to_decimal()} {coop.currency}")


def record_payment(session: so.Session, actor: User | None, coop: Coop, *, member: Member | None,
                   payment_date: dt.date, amount_minor: int, method: PaymentMethod | str,
                   account: Account | None, bank_reference: str = "", note: str = "",
                   confirm_duplicate: bool = False) -> Payment:
    """Record money a member paid towards their charges; it settles the oldest open charges first.

    Refuses with every reason at once (field names as in the payment form) before writing.
    """
    problems = Problems()
    checked = _check_payment(session, coop, problems, member=member, payment_date=payment_date,
                             amount_minor=amount_minor, method=method, account=account,
                             bank_reference=bank_reference, note=note, confirm_duplicate=confirm_duplicate)
    receivable = services.receivable_account(session, coop)
    if receivable is None:
        problems.add(_l("The chart of accounts has no open member account (accounts receivable)."))
    problems.raise_any()
    number = numbering.next_number(session, coop.id, RECEIPT_SERIES)
    payment = _post_payment(session, actor, coop, member=member, kind=PaymentKind.DUES,
                            payment_date=payment_date, amount_minor=amount_minor, method=PaymentMethod(method),
                            account=account, credit_line=PostingLine(receivable, -amount_minor, member),
                            checked=checked, number=number)
    allocation.settle_member(session, coop.id, member.id)
    _audit_payment(session, actor, coop, payment, member)
    return payment


def subscription_paid(session: so.Session, subscription: ShareSubscription) -> int:
    """How much of a share capital subscription valid (not void) payments have paid, in minor units."""
    return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_minor), 0)).where(
        Payment.subscription_id == subscription.id, Payment.kind == PaymentKind.SHARE_CAPITAL,
        Payment.voided_dt.is_(None))))


def _check_unpaid(session: so.Session, coop: Coop, subscription: ShareSubscription, amount_minor: int) -> None:
    remaining = subscription.amount_minor - subscription_paid(session, subscription)
    if remaining <= 0:
        raise DomainError(_l("This subscription is fully paid."), field="amount")
    if isinstance(amount_minor, int) and amount_minor > remaining:
        raise DomainError(_l("Only %(amount)s remain unpaid on this subscription.",
                             amount=format_money(Money(remaining, coop.currency),
                                                 str(get_locale() or coop.format_locale(coop.locale)))),
                          field="amount")


def record_share_payment(session: so.Session, actor: User | None, coop: Coop, *,
                         subscription: ShareSubscription | None, payment_date: dt.date, amount_minor: int,
                         method: PaymentMethod | str, account: Account | None, bank_reference: str = "",
                         note: str = "", confirm_duplicate: bool = False) -> Payment:
    """Record a payment on a member's share capital subscription (credit share capital, 3.1).

    Never more than what remains unpaid on the subscription; checked again once the receipt
    counter's lock is held, so two clerks at once cannot overpay it together.
    """
    if subscription is None or subscription.coop_id != coop.id:
        raise NotFoundError(_l("There is no such share capital subscription."), field="subscription")
    member = subscription.member
    problems = Problems()
    checked = _check_payment(session, coop, problems, member=member, payment_date=payment_date,
                             amount_minor=amount_minor, method=method, account=account,
                             bank_reference=bank_reference, note=note, confirm_duplicate=confirm_duplicate)
    problems.check(_check_unpaid, session, coop, subscription, amount_minor)
    capital = services.account_by_code(session, coop, SHARE_CAPITAL_CODE)
    if capital is None or capital.is_closed:
        problems.add(_l("The chart of accounts has no open share capital account (%(code)s).",
                        code=SHARE_CAPITAL_CODE))
    problems.raise_any()
    number = numbering.next_number(session, coop.id, RECEIPT_SERIES)
    _check_unpaid(session, coop, subscription, amount_minor)  # again, now that concurrent payments queue
    payment = _post_payment(session, actor, coop, member=member, kind=PaymentKind.SHARE_CAPITAL,
                            payment_date=payment_date, amount_minor=amount_minor, method=PaymentMethod(method),
                            account=account, credit_line=PostingLine(capital, -amount_minor),
                            checked=checked, number=number, subscription=subscription)
    _audit_payment(session, actor, coop, payment, member)
    return payment


# --- voiding ---------------------------------------------------------------------------------

def void_payment(session: so.Session, actor: User | None, coop: Coop, payment: Payment, *, reason: str,
                 on_date: dt.date) -> Payment:
    """Void a receipt: reverse its entry, release what it paid, settle the member again.

    The payment and its receipt number stay (stamped void); the charges it paid reopen and the
    member's other credit, if any, flows into them.
    """
    if payment is None or payment.coop_id != coop.id:
        raise NotFoundError(_l("There is no such payment."), field="payment")
    problems = Problems()
    if payment.is_void:
        problems.add(_l("This receipt is already void."), field="payment")
    reason = _clean(reason)
    if not reason:
        problems.add(_l("Say why the receipt is voided."), field="reason")
    if not isinstance(on_date, dt.date):
        problems.add(_l("Write the date."), field="on_date")
    elif on_date < payment.payment_date:
        problems.add(_l("A receipt is voided on or after the day of the payment."), field="on_date")
    elif services.is_closed_month(session, coop, on_date):
        problems.add(_l("The month of this date is closed: nothing more is posted into it."), field="on_date")
    problems.raise_any()
    # the journal counter's lock comes first, as in every other posting, so voids and dues runs queue
    reversal = services.post_reversal(session, actor, coop, payment.entry, entry_date=on_date, reason=reason,
                                      origin=Origin(PAYMENT_ORIGIN, payment.id))
    allocation.release(session, payment.allocations)
    payment.voided_dt = utcnow()
    payment.void_reason = reason
    payment.void_entry_id = reversal.id
    session.flush()
    if payment.kind is PaymentKind.DUES:
        allocation.settle_member(session, coop.id, payment.member_id)
    audit.record(session, coop=coop, actor=actor, action="ledger.payment_void", obj=payment,
                 summary=f"{payment.receipt_number}: {reason}")
    return payment


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentFilter:
    """What the payments list narrows to."""

    member_number: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    method: PaymentMethod | None = None
    #: "valid", "void" or "" for both
    state: str = ""
    #: a receipt number or (the start of) a bank reference
    text: str = ""


def _filtered(coop: Coop, filters: PaymentFilter) -> sa.Select:
    query = sa.select(Payment).join(Member, Member.id == Payment.member_id).where(Payment.coop_id == coop.id)
    if filters.member_number is not None:
        query = query.where(Member.number == filters.member_number)
    if filters.date_from:
        query = query.where(Payment.payment_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Payment.payment_date <= filters.date_to)
    if filters.method:
        query = query.where(Payment.method == filters.method)
    if filters.state == "valid":
        query = query.where(Payment.voided_dt.is_(None))
    elif filters.state == "void":
        query = query.where(Payment.voided_dt.is_not(None))
    text = filters.text.strip()[:100]
    if text:
        by_reference = Payment.bank_reference.startswith(text, autoescape=True)
        number = whole_number(text)  # an integer column
        query = query.where(sa.or_(Payment.receipt_number == number, by_reference) if number is not None
                            else by_reference)
    return query


def payments_page(session: so.Session, coop: Coop, filters: PaymentFilter, *, page: int = 1,
                  per_page: int = PAGE_SIZE) -> tuple[list[Payment], int, int]:
    """One page of payments, newest receipt first; the number matching and their valid total."""
    query = _filtered(coop, filters)
    counted = query.with_only_columns(sa.func.count(), sa.func.coalesce(sa.func.sum(
        sa.case((Payment.voided_dt.is_(None), Payment.amount_minor), else_=0)), 0)).order_by(None)
    total, amount = session.execute(counted).one()
    rows = session.scalars(one_page(query.options(so.joinedload(Payment.member))
                                    .order_by(Payment.receipt_number.desc()), page, per_page))
    return list(rows), int(total), int(amount)


def payment_by_id(session: so.Session, coop: Coop, payment_id: int) -> Payment | None:
    payment = session.get(Payment, payment_id)
    return payment if payment is not None and payment.coop_id == coop.id else None


def allocations_of(session: so.Session, payment: Payment) -> list[tuple[Allocation, Charge]]:
    """What a payment paid: each allocation with its charge, oldest charge first."""
    return list(session.execute(
        sa.select(Allocation, Charge).join(Charge, Charge.id == Allocation.charge_id)
        .where(Allocation.payment_id == payment.id).order_by(Charge.due_date, Charge.id)).all())


def unallocated(session: so.Session, payment: Payment) -> int:
    """The part of a valid dues payment not (yet) applied to a charge: the member's credit from it."""
    if payment.is_void or payment.kind is not PaymentKind.DUES:
        return 0
    return payment.amount_minor - payment.allocated_minor


def member_credit(session: so.Session, coop: Coop, member_id: int) -> int:
    """Money the member paid that no charge has used yet."""
    return sum(unallocated(session, p) for p in allocation.unallocated_payments(session, coop.id, member_id))


def recent_payments(session: so.Session, coop: Coop, member_id: int, limit: int = 5) -> list[Payment]:
    return list(session.scalars(sa.select(Payment).where(Payment.coop_id == coop.id,
                                                         Payment.member_id == member_id)
                                .order_by(Payment.receipt_number.desc()).limit(limit)))


def subscriptions_with_paid(session: so.Session, coop: Coop, member_id: int
                            ) -> list[tuple[ShareSubscription, int]]:
    """A member's share capital subscriptions, each with how much is paid."""
    subscriptions = session.scalars(sa.select(ShareSubscription).where(
        ShareSubscription.coop_id == coop.id, ShareSubscription.member_id == member_id)
        .order_by(ShareSubscription.id))
    return [(s, subscription_paid(session, s)) for s in subscriptions]


def subscription_by_id(session: so.Session, coop: Coop, subscription_id: int) -> ShareSubscription | None:
    subscription = session.get(ShareSubscription, subscription_id)
    return subscription if subscription is not None and subscription.coop_id == coop.id else None


def amount_in_words(minor: int, currency: str, language: str) -> str:
    """The amount written out ("mil doscientos dólares con cincuenta centavos"), as receipts carry it;
    "" when num2words cannot say it in this language or currency."""
    try:
        from num2words import num2words
        return num2words(Money(minor, currency).to_decimal(), lang=language, to="currency", currency=currency)
    except (ImportError, NotImplementedError, KeyError, ValueError, TypeError):
        return ""
