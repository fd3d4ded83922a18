"""The books of a co-op: the chart of accounts, journal entries with their postings, and closed
months.

Amounts are exact integers of minor units (cents), signed: a debit is positive, a credit
negative, so the postings of every entry sum to zero. Entries and postings are only ever
inserted (the migration adds triggers that refuse UPDATE and DELETE); a mistake is corrected by a
reversing entry. Each entry carries a SHA-256 over its predecessor's hash and its own canonical
content (see ``ledger.chain``), so a rewritten row breaks the chain for anyone who verifies it.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow, value_enum
from ledger.chain import EntryFacts, PostingFacts

if TYPE_CHECKING:
    from members.models import Member



class AccountType(enum.StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class EntrySource(enum.StrEnum):
    """What produced an entry: a person's manual entry, or one of the ledger's own processes."""

    MANUAL = "manual"
    DUES = "dues"
    PAYMENT = "payment"
    FINE = "fine"
    SHARE_CAPITAL = "share_capital"
    EXPENSE = "expense"
    REVERSAL = "reversal"
    OPENING = "opening"
    CLOSING = "closing"


class Account(Base):
    """One account of a co-op's chart (plan de cuentas). Never deleted once it exists: closed."""

    __tablename__ = "account"
    __table_args__ = (sa.UniqueConstraint("coop_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the co-op whose chart this is
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: hierarchical code, each level a dotted part ("1.1.02" is under "1.1"); never changes
    code: so.Mapped[str] = so.mapped_column(sa.String(32))
    #: the account's name as printed in the books (in the co-op's language)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: asset, liability, equity, income or expense
    type: so.Mapped[AccountType] = so.mapped_column(value_enum(AccountType))
    #: the account one level up in the chart, if any
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"),
                                                        index=True)
    #: a member account (cuentas por cobrar): every posting on it names the member
    is_receivable: so.Mapped[bool] = so.mapped_column(default=False)
    #: a closed account takes no new postings; its history stays
    is_closed: so.Mapped[bool] = so.mapped_column(default=False)
    #: when the account was opened in Ayllu (UTC)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    parent: so.Mapped[Account | None] = so.relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def __repr__(self) -> str:
        return f"<Account {self.code}>"


class JournalEntry(Base):
    """One transaction in the journal (libro diario). Never updated, never deleted."""

    __tablename__ = "journal_entry"
    __table_args__ = (sa.UniqueConstraint("coop_id", "number"),
                      sa.Index("ix_journal_entry_coop_date", "coop_id", "entry_date"),
                      sa.Index("ix_journal_entry_origin", "coop_id", "origin_kind", "origin_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the co-op whose books hold the entry
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    #: entry number: sequential per co-op without gaps (series "journal"), never reused
    number: so.Mapped[int] = so.mapped_column()
    #: the accounting date (which month it belongs to)
    entry_date: so.Mapped[dt.date] = so.mapped_column()
    #: what happened, in a line a member can read
    description: so.Mapped[str] = so.mapped_column(sa.String(500))
    #: an outside reference: bank transfer, invoice or resolution number
    reference: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: what produced the entry
    source: so.Mapped[EntrySource] = so.mapped_column(value_enum(EntrySource))
    #: what the entry belongs to, as the package that posted it registered it ("ledger.payment");
    #: '' for an entry of its own (manual, opening). A cross-reference, not a fact of the books:
    #: it is not part of the hash
    origin_kind: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")
    #: which one of that kind (the payment's id)
    origin_id: so.Mapped[int | None] = so.mapped_column()
    #: for a reversal, the entry it cancels; an entry is reversed at most once
    reverses_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"), unique=True)
    #: why a reversal was made ("" for other entries)
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the hash of the entry numbered one less (64 zeros for the first entry)
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: hex SHA-256 over prev_hash and this entry's canonical content
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: who posted it; None for jobs and the command line
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    #: when it was posted (UTC)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    postings: so.Mapped[list[Posting]] = so.relationship(back_populates="entry", order_by="Posting.id")

    def facts(self, codes: dict[int, str]) -> EntryFacts:
        """The hashed content of the entry, with ``codes`` mapping account ids to codes."""
        return EntryFacts(
            number=self.number, entry_date=self.entry_date, description=self.description,
            reference=self.reference, source=str(self.source), reverses_id=self.reverses_id,
            reason=self.reason, prev_hash=self.prev_hash, hash=self.hash,
            postings=tuple(PostingFacts(codes.get(p.account_id, f"?{p.account_id}"), p.member_id,
                                        p.amount_minor) for p in self.postings))

    def __repr__(self) -> str:
        return f"<JournalEntry {self.number}>"


class Posting(Base):
    """One line of an entry: an amount on an account, and the member for a receivable account."""

    __tablename__ = "posting"
    __table_args__ = (sa.CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
                      # covering: the trial balance sums amounts from the index alone
                      sa.Index("ix_posting_coop_account_amount", "coop_id", "account_id", "amount_minor"),
                      sa.Index("ix_posting_coop_member", "coop_id", "member_id"),
                      # covering: budget against actual reaches the year's entries by date and sums
                      # their postings' amounts per account from this index alone (PostgreSQL would
                      # otherwise scan every posting); its first column serves an entry's postings
                      sa.Index("ix_posting_entry_account_amount", "entry_id", "account_id", "amount_minor"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the entry this line belongs to
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"))
    #: the co-op (repeated from the entry so that balances are one indexed query)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    #: the account debited or credited
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    #: the member whose account this is, on receivable accounts only
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"))
    #: signed minor units (cents): debit positive, credit negative, never zero
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    entry: so.Mapped[JournalEntry] = so.relationship(back_populates="postings")
    account: so.Mapped[Account] = so.relationship()
    member: so.Mapped[Member | None] = so.relationship("Member")


class ClosedPeriod(Base):
    """A month the treasurer closed: nothing posts into it any more."""

    __tablename__ = "closed_period"
    __table_args__ = (sa.UniqueConstraint("coop_id", "month"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the co-op whose books are closed
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: the first day of the closed month
    month: so.Mapped[dt.date] = so.mapped_column()
    #: who closed it; None for the command line
    closed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    #: when it was closed (UTC)
    closed_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


# --- members' money: dues, charges, payments and receipts -----------------------------------

class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    ONE_OFF = "one_off"


class Debtors(enum.StrEnum):
    """Who owes a dues plan: every active member, or every household (charged to its first member)."""

    MEMBERS = "members"
    HOUSEHOLDS = "households"


class DuesPlan(Base):
    """A contribution the assembly approved: how much, how often, who owes it, from when to when."""

    __tablename__ = "dues_plan"
    __table_args__ = (sa.UniqueConstraint("coop_id", "name"),
                      sa.CheckConstraint("amount_minor > 0", name="amount_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: as members read it on their statement ("Cuota ordinaria")
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: the charge per debtor and period, in minor units
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    frequency: so.Mapped[Frequency] = so.mapped_column(value_enum(Frequency))
    debtors: so.Mapped[Debtors] = so.mapped_column(value_enum(Debtors))
    #: the income account credited by each charge (the receivable account is debited)
    income_account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    #: the first period charged
    start_date: so.Mapped[dt.date] = so.mapped_column()
    #: the last day a period may start; None for open-ended plans
    end_date: so.Mapped[dt.date | None] = so.mapped_column()
    #: the day of the month the scheduled job runs the plan's current period; None: by hand only
    run_day: so.Mapped[int | None] = so.mapped_column()
    #: days after the period starts when a charge falls due
    due_days: so.Mapped[int] = so.mapped_column(default=0)
    #: the resolution of the assembly that approved it
    resolution_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the resolution in Ayllu's register that decided it (the text above stays for older decisions)
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    income_account: so.Mapped[Account] = so.relationship()


class DuesRun(Base):
    """One plan charged for one period. The unique key makes a second run impossible."""

    __tablename__ = "dues_run"
    __table_args__ = (sa.UniqueConstraint("coop_id", "plan_id", "period_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("dues_plan.id", ondelete="RESTRICT"))
    #: the first day of the period charged
    period_start: so.Mapped[dt.date] = so.mapped_column()
    #: how many charges it posted, and their total
    charges_count: so.Mapped[int] = so.mapped_column(default=0)
    total_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: None when the scheduled job ran it
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    plan: so.Mapped[DuesPlan] = so.relationship()


class Charge(Base):
    """Something a member owes (a period's dues, a fine), posted on the receivable account.

    ``settled_minor`` grows as payments are allocated to it, oldest charge first; a cancelled
    charge (its entry reversed) is ``is_void`` and takes no allocation.
    """

    __tablename__ = "charge"
    __table_args__ = (sa.UniqueConstraint("run_id", "member_id"),
                      sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
                      sa.CheckConstraint("settled_minor >= 0 AND settled_minor <= amount_minor",
                                         name="settled_within_amount"),
                      sa.Index("ix_charge_coop_member_due", "coop_id", "member_id", "due_date"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"))
    #: for a household plan, the household the charge is for
    household_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("household.id", ondelete="RESTRICT"))
    #: the dues run that made it; None for fines and manual charges
    run_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("dues_run.id", ondelete="RESTRICT"))
    #: dues, fine...
    source: so.Mapped[EntrySource] = so.mapped_column(value_enum(EntrySource))
    description: so.Mapped[str] = so.mapped_column(sa.String(500))
    #: when it falls due; arrears age from this day
    due_date: so.Mapped[dt.date] = so.mapped_column()
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: how much of it payments have covered
    settled_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    is_void: so.Mapped[bool] = so.mapped_column(default=False)
    #: the journal entry that posted it
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"),
                                                index=True)

    member: so.Mapped[Member] = so.relationship("Member")
    entry: so.Mapped[JournalEntry] = so.relationship()

    @property
    def open_minor(self) -> int:
        return 0 if self.is_void else self.amount_minor - self.settled_minor


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"
    DEPOSIT = "deposit"
    CHEQUE = "cheque"


class PaymentKind(enum.StrEnum):
    """What a payment pays: the member's charges, or their share capital subscription."""

    DUES = "dues"
    SHARE_CAPITAL = "share_capital"


#: the payments whose bank reference must be unique in the co-op
UNIQUE_REFERENCE = "voided_dt IS NULL AND bank_reference <> '' AND NOT is_repeat_reference"


class Payment(Base):
    """Money a member paid, with its receipt. Voiding reverses its entry; the number stays used."""

    __tablename__ = "payment"
    __table_args__ = (sa.UniqueConstraint("coop_id", "receipt_number"),
                      sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
                      sa.CheckConstraint("allocated_minor >= 0 AND allocated_minor <= amount_minor",
                                         name="allocated_within_amount"),
                      # the few payments with money not yet applied (members' credit)
                      sa.Index("ix_payment_unallocated", "coop_id", "member_id",
                               sqlite_where=sa.text("amount_minor > allocated_minor"),
                               postgresql_where=sa.text("amount_minor > allocated_minor")),
                      sa.Index("ix_payment_coop_member", "coop_id", "member_id"),
                      sa.Index("ix_payment_coop_bank_reference", "coop_id", "bank_reference"),
                      # one valid payment per bank reference, unless the treasurer confirmed a repeat;
                      # named as the convention names a constraint, so coop.duplicates tells it apart
                      sa.Index("uq_payment_coop_id_bank_reference", "coop_id", "bank_reference", unique=True,
                               sqlite_where=sa.text(UNIQUE_REFERENCE),
                               postgresql_where=sa.text(UNIQUE_REFERENCE)))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"))
    #: receipt number: gapless per co-op (series "receipt"), never reused, even when voided
    receipt_number: so.Mapped[int] = so.mapped_column()
    payment_date: so.Mapped[dt.date] = so.mapped_column()
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: how much of it is applied to charges (the allocations' sum); the rest is the member's credit
    allocated_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    method: so.Mapped[PaymentMethod] = so.mapped_column(value_enum(PaymentMethod))
    kind: so.Mapped[PaymentKind] = so.mapped_column(value_enum(PaymentKind), default=PaymentKind.DUES)
    #: the bank's transfer or deposit number ("" for cash)
    bank_reference: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: the treasurer confirmed that another valid payment carries the same bank reference
    is_repeat_reference: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: the cash or bank account the money went into
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    #: for a share capital payment, the subscription it pays
    subscription_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("share_subscription.id", ondelete="RESTRICT"))
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"))
    #: set when voided: the reversing entry, when and why
    void_entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"))
    voided_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    void_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    member: so.Mapped[Member] = so.relationship("Member")
    account: so.Mapped[Account] = so.relationship()
    entry: so.Mapped[JournalEntry] = so.relationship(foreign_keys=[entry_id])
    allocations: so.Mapped[list[Allocation]] = so.relationship(back_populates="payment")

    @property
    def is_void(self) -> bool:
        return self.voided_dt is not None


class Allocation(Base):
    """How much of a payment went to which charge (oldest open charge first)."""

    __tablename__ = "allocation"
    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    payment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("payment.id", ondelete="CASCADE"), index=True)
    charge_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("charge.id", ondelete="CASCADE"), index=True)
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    payment: so.Mapped[Payment] = so.relationship(back_populates="allocations")
    charge: so.Mapped[Charge] = so.relationship()


# --- expenses and budgets --------------------------------------------------------------------

class ExpenseStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


class Expense(Base):
    """A bill to pay: recorded with its receipt, approved by someone else, then paid (posted)."""

    __tablename__ = "expense"
    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
                      sa.Index("ix_expense_coop_status", "coop_id", "status"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    expense_date: so.Mapped[dt.date] = so.mapped_column()
    supplier: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.String(500))
    #: the supplier's invoice number
    invoice_ref: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: the expense (or asset, for construction) account debited when paid
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    status: so.Mapped[ExpenseStatus] = so.mapped_column(value_enum(ExpenseStatus), default=ExpenseStatus.PENDING)
    #: the scanned receipt or invoice (PDF, JPEG or PNG), kept with the expense
    attachment_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    attachment_type: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    attachment: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    decided_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    rejection_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: when paid: the entry debiting the account and crediting cash or bank
    paid_entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"))

    account: so.Mapped[Account] = so.relationship()


class Budget(Base):
    """A year's budget: an amount per account and month, approved by the assembly."""

    __tablename__ = "budget"
    __table_args__ = (sa.UniqueConstraint("coop_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    year: so.Mapped[int] = so.mapped_column()
    #: the resolution that approved it; set on approval, after which lines no longer change
    resolution_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the resolution in Ayllu's register that decided it (the text above stays for older decisions)
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    approved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    approved_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    lines: so.Mapped[list[BudgetLine]] = so.relationship(back_populates="budget", cascade="all, delete-orphan")


class BudgetLine(Base):
    """The amount budgeted for one account in one month (positive: expected activity)."""

    __tablename__ = "budget_line"
    __table_args__ = (sa.UniqueConstraint("budget_id", "account_id", "month"),
                      sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_in_year"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    budget_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("budget.id", ondelete="CASCADE"))
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    month: so.Mapped[int] = so.mapped_column()
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    budget: so.Mapped[Budget] = so.relationship(back_populates="lines")
    account: so.Mapped[Account] = so.relationship()
