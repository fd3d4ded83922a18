"""What each member owes: balances, statements of account, arrears by age, payments and shares.

A member's balance is the sum of their postings on the receivable accounts (cuentas por cobrar a
socios): positive means the member owes, negative that they are in credit. The statement reads
those postings with their entries in one ordered query and carries a running balance from the
balance before the period. Arrears are aged from the open part of each non-void charge (amount
less what payments settled) against its due date, in grouped queries whatever the number of
members. Nothing here writes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.tenancy import Coop
from ledger import allocation
from ledger.models import (Account, Charge, JournalEntry, Payment, PaymentKind, Posting)
from members.models import Member, ShareSubscription

#: the lower bound in days late of each arrears bucket after "current"
BUCKET_DAYS = (30, 60, 90)
#: rows per page of the arrears table
ARREARS_PAGE_SIZE = 50


# --- balances --------------------------------------------------------------------------------

def _member_postings(coop_id: int) -> sa.Select:
    return (sa.select(sa.func.coalesce(sa.func.sum(Posting.amount_minor), 0))
            .join(Account, Account.id == Posting.account_id)
            .where(Posting.coop_id == coop_id, Account.is_receivable.is_(True)))


def member_balance(session: so.Session, coop: Coop, member_id: int, as_of: dt.date | None = None) -> int:
    """What the member owes at the end of ``as_of`` (all time when None); negative is credit."""
    query = _member_postings(coop.id).where(Posting.member_id == member_id)
    if as_of is not None:
        query = query.join(JournalEntry, JournalEntry.id == Posting.entry_id).where(
            JournalEntry.entry_date <= as_of)
    return int(session.scalar(query))


def member_balances(session: so.Session, coop: Coop, as_of: dt.date | None = None) -> dict[int, int]:
    """Every member's balance with any posting (member id -> minor units), in one grouped query."""
    query = (sa.select(Posting.member_id, sa.func.sum(Posting.amount_minor))
             .join(Account, Account.id == Posting.account_id)
             .where(Posting.coop_id == coop.id, Account.is_receivable.is_(True), Posting.member_id.is_not(None))
             .group_by(Posting.member_id))
    if as_of is not None:
        query = query.join(JournalEntry, JournalEntry.id == Posting.entry_id).where(
            JournalEntry.entry_date <= as_of)
    return {member_id: int(total) for member_id, total in session.execute(query)}


# --- statement of account --------------------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    """One entry on the member's account: charge (debit) and payment (credit) as positive amounts."""

    entry_id: int
    entry_date: dt.date
    number: int
    description: str
    reference: str
    charge: int
    payment: int
    balance: int
    #: for a reversal, the number of the entry it cancels
    reverses_number: int | None = None
    #: for a reversed entry, the number of the entry that cancelled it
    reversed_by_number: int | None = None

    @property
    def is_reversal(self) -> bool:
        return self.reverses_number is not None

    @property
    def is_reversed(self) -> bool:
        return self.reversed_by_number is not None


@dataclass(frozen=True)
class StatementNote:
    """A line below the statement's entries that another package adds: what, how much of it, its value
    ("Work credited as capital: 24 h = $96,00")."""

    label: str
    detail: str
    amount_minor: int


#: (session, coop, member, start, end) -> StatementNote | None, registered with ``statement_note``
NoteProvider = Callable[[so.Session, Coop, Member, dt.date, dt.date], "StatementNote | None"]
_NOTE_PROVIDERS: dict[str, NoteProvider] = {}


def statement_note(provider: NoteProvider) -> NoteProvider:
    """Register a note for members' statements (a package above the ledger: the ledger imports none)."""
    _NOTE_PROVIDERS[f"{provider.__module__}.{provider.__qualname__}"] = provider
    return provider


def statement_notes(session: so.Session, coop: Coop, member: Member, start: dt.date,
                    end: dt.date) -> list[StatementNote]:
    notes = (provider(session, coop, member, start, end) for provider in _NOTE_PROVIDERS.values())
    return [note for note in notes if note is not None]


@dataclass(frozen=True)
class Statement:
    """A member's statement of account (estado de cuenta) for a period."""

    member: Member
    start: dt.date
    end: dt.date
    opening: int
    lines: list[StatementLine] = field(default_factory=list)
    #: what other packages add below the lines (Minga: work credited as capital)
    notes: list[StatementNote] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def total_charges(self) -> int:
        return sum(line.charge for line in self.lines)

    @property
    def total_payments(self) -> int:
        return sum(line.payment for line in self.lines)


def member_statement(session: so.Session, coop: Coop, member: Member, start: dt.date,
                     end: dt.date) -> Statement:
    """The member's entries dated from ``start`` to ``end`` (inclusive) with a running balance."""
    opening = member_balance(session, coop, member.id, start - dt.timedelta(days=1))
    reversal, original = so.aliased(JournalEntry), so.aliased(JournalEntry)
    rows = session.execute(
        sa.select(JournalEntry.id, JournalEntry.entry_date, JournalEntry.number, JournalEntry.description,
                  JournalEntry.reference, Posting.amount_minor, original.number, reversal.number)
        .select_from(Posting)
        .join(Account, Account.id == Posting.account_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .outerjoin(original, original.id == JournalEntry.reverses_id)
        .outerjoin(reversal, reversal.reverses_id == JournalEntry.id)
        .where(Posting.coop_id == coop.id, Posting.member_id == member.id, Account.is_receivable.is_(True),
               JournalEntry.entry_date >= start, JournalEntry.entry_date <= end)
        .order_by(JournalEntry.entry_date, JournalEntry.number, Posting.id))
    lines: list[StatementLine] = []
    balance = opening
    for entry_id, day, number, description, reference, amount, reverses, reversed_by in rows:
        if lines and lines[-1].entry_id == entry_id:  # two lines of one entry: one line, net
            previous = lines.pop()
            amount += previous.charge - previous.payment
            balance -= previous.charge - previous.payment
        balance += amount
        lines.append(StatementLine(entry_id=entry_id, entry_date=day, number=number, description=description,
                                   reference=reference, charge=max(amount, 0), payment=max(-amount, 0),
                                   balance=balance, reverses_number=reverses, reversed_by_number=reversed_by))
    return Statement(member=member, start=start, end=end, opening=opening, lines=lines,
                     notes=statement_notes(session, coop, member, start, end))


# --- arrears ---------------------------------------------------------------------------------

@dataclass
class Aging:
    """Open amounts by how late they are: not yet due or under 30 days, 30-59, 60-89, 90 and more."""

    current: int = 0
    days_30: int = 0
    days_60: int = 0
    days_90: int = 0

    @property
    def total(self) -> int:
        return self.current + self.days_30 + self.days_60 + self.days_90

    @property
    def overdue_30(self) -> int:
        """What is at least 30 days late."""
        return self.days_30 + self.days_60 + self.days_90

    def add(self, other: Aging) -> None:
        self.current += other.current
        self.days_30 += other.days_30
        self.days_60 += other.days_60
        self.days_90 += other.days_90


@dataclass
class ArrearsRow:
    """One member with open charges."""

    member_id: int
    number: int
    name: str
    aging: Aging
    #: the due date of the oldest open charge already past due; None when nothing is late yet
    oldest_due: dt.date | None
    #: days the oldest overdue charge is late on the report's date (0 when none is)
    days_late: int
    #: payments not yet applied to any charge
    credit: int = 0
    #: what is past due on the report's date
    overdue: int = 0


@dataclass
class ArrearsReport:
    as_of: dt.date
    rows: list[ArrearsRow]
    totals: Aging
    total_overdue: int
    total_credit: int


class ArrearsSort:
    AMOUNT = "amount"
    DAYS = "days"
    NUMBER = "number"
    ALL = (AMOUNT, DAYS, NUMBER)


def _aging_select(coop_id: int, as_of: dt.date) -> sa.Select:
    """Each member's open amounts by bucket and oldest overdue due date: one grouped query.

    Grouped over the joined rows rather than joining an aggregate, which PostgreSQL may otherwise
    re-run for every member when its statistics are stale."""
    open_part = Charge.amount_minor - Charge.settled_minor
    day_30, day_60, day_90 = (as_of - dt.timedelta(days=days) for days in BUCKET_DAYS)

    def bucket(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, open_part), else_=0)), 0)

    return (sa.select(Member.id, Member.number, Member.given_names, Member.family_names,
                      bucket(Charge.due_date > day_30),
                      bucket(sa.and_(Charge.due_date <= day_30, Charge.due_date > day_60)),
                      bucket(sa.and_(Charge.due_date <= day_60, Charge.due_date > day_90)),
                      bucket(Charge.due_date <= day_90),
                      bucket(Charge.due_date < as_of),
                      sa.func.min(sa.case((Charge.due_date < as_of, Charge.due_date), else_=None)))
            .join(Member, Member.id == Charge.member_id)
            .join(JournalEntry, JournalEntry.id == Charge.entry_id)
            .where(Charge.coop_id == coop_id, Charge.is_void.is_(False),
                   Charge.settled_minor < Charge.amount_minor, JournalEntry.entry_date <= as_of)
            .group_by(Member.id, Member.number, Member.given_names, Member.family_names))


def member_credits(session: so.Session, coop: Coop, member_id: int | None = None) -> dict[int, int]:
    """Money of valid dues payments not yet applied to any charge, per member.

    Reads only the payments with money left (the partial index ix_payment_unallocated)."""
    query = (sa.select(Payment.member_id, sa.func.sum(Payment.amount_minor - Payment.allocated_minor))
             .where(*allocation.credit_filter(coop.id)).group_by(Payment.member_id))
    if member_id is not None:
        query = query.where(Payment.member_id == member_id)
    return {member: int(credit) for member, credit in session.execute(query) if credit}


def _rows(session: so.Session, coop: Coop, as_of: dt.date, member_id: int | None = None) -> list[ArrearsRow]:
    query = _aging_select(coop.id, as_of)
    if member_id is not None:
        query = query.where(Charge.member_id == member_id)
    credits = member_credits(session, coop, member_id)
    rows = []
    for mid, number, given, family, current, d30, d60, d90, overdue, oldest in session.execute(query):
        oldest = _as_date(oldest)
        rows.append(ArrearsRow(member_id=mid, number=number, name=f"{family}, {given}",
                               aging=Aging(int(current), int(d30), int(d60), int(d90)), oldest_due=oldest,
                               days_late=(as_of - oldest).days if oldest else 0,
                               credit=credits.get(mid, 0), overdue=int(overdue)))
    return rows


def _as_date(value) -> dt.date | None:
    """MIN() over a CASE loses the column's type on SQLite, which hands back text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def arrears_aging(session: so.Session, coop: Coop, as_of: dt.date, *, min_days: int = 0,
                  sort: str = ArrearsSort.AMOUNT) -> ArrearsReport:
    """Every member with open charges on ``as_of`` and at least ``min_days`` late, with totals.

    ``min_days`` 0 lists also those whose charges are not yet due. ``sort``: "amount" (largest
    open amount first), "days" (longest late first) or "number" (register order).
    """
    rows = [row for row in _rows(session, coop, as_of) if row.aging.total > 0 and row.days_late >= min_days]
    keys = {ArrearsSort.AMOUNT: lambda r: (-r.aging.total, -r.days_late, r.number),
            ArrearsSort.DAYS: lambda r: (-r.days_late, -r.aging.total, r.number),
            ArrearsSort.NUMBER: lambda r: r.number}
    rows.sort(key=keys.get(sort, keys[ArrearsSort.AMOUNT]))
    totals = Aging()
    for row in rows:
        totals.add(row.aging)
    return ArrearsReport(as_of=as_of, rows=rows, totals=totals, total_overdue=sum(r.overdue for r in rows),
                         total_credit=sum(r.credit for r in rows))


def member_arrears(session: so.Session, coop: Coop, member_id: int, as_of: dt.date) -> ArrearsRow | None:
    """One member's open charges by age on ``as_of``; None when nothing is open."""
    rows = _rows(session, coop, as_of, member_id)
    return rows[0] if rows and rows[0].aging.total > 0 else None


# --- payments and share capital --------------------------------------------------------------

def last_payments(session: so.Session, coop: Coop, member_id: int, limit: int = 3) -> list[Payment]:
    """The member's latest payments, newest first, voided ones included (``is_void`` says so)."""
    return list(session.scalars(
        sa.select(Payment).where(Payment.coop_id == coop.id, Payment.member_id == member_id)
        .order_by(Payment.payment_date.desc(), Payment.id.desc()).limit(limit)))


@dataclass(frozen=True)
class ShareStatus:
    """A share capital subscription and how much of it the member paid."""

    subscription: ShareSubscription
    paid: int

    @property
    def subscribed(self) -> int:
        return self.subscription.amount_minor

    @property
    def outstanding(self) -> int:
        return max(self.subscribed - self.paid, 0)


def share_capital_status(session: so.Session, coop: Coop, member_id: int) -> list[ShareStatus]:
    """Each of the member's subscriptions with the sum of its valid share capital payments."""
    paid = (sa.select(Payment.subscription_id, sa.func.sum(Payment.amount_minor).label("paid"))
            .where(Payment.coop_id == coop.id, Payment.member_id == member_id,
                   Payment.kind == PaymentKind.SHARE_CAPITAL, Payment.voided_dt.is_(None))
            .group_by(Payment.subscription_id).subquery())
    rows = session.execute(
        sa.select(ShareSubscription, sa.func.coalesce(paid.c.paid, 0))
        .outerjoin(paid, paid.c.subscription_id == ShareSubscription.id)
        .where(ShareSubscription.coop_id == coop.id, ShareSubscription.member_id == member_id)
        .order_by(ShareSubscription.first_due_date, ShareSubscription.id))
    return [ShareStatus(subscription, int(amount)) for subscription, amount in rows]
