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
                      sa.Index("ix_journal_entry_coop_date", "coop_id", "entry_date"))

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
                      sa.Index("ix_posting_coop_account", "coop_id", "account_id"),
                      sa.Index("ix_posting_coop_member", "coop_id", "member_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the entry this line belongs to
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"),
                                                index=True)
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
