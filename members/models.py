"""The member register: members and their status history, households, homes and lots with
their assignment history, share capital subscriptions, and applications to join.

Nothing a member or an auditor relies on is overwritten: a status change or a lot assignment
adds a history row; the current value kept on the member or lot is only an index of the latest.
"""
from __future__ import annotations

import datetime as dt
import enum
import re

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow, value_enum
from coop.text import fold



class DocumentType(enum.StrEnum):
    CEDULA = "cedula"
    RUC = "ruc"
    PASSPORT = "passport"


class FormOfAddress(enum.StrEnum):
    """How the co-op's pages and documents address a member: "socia", "socio" or neutral wording."""

    FEMININE = "feminine"
    MASCULINE = "masculine"
    NEUTRAL = "neutral"


class MemberStatus(enum.StrEnum):
    APPLICANT = "applicant"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXCLUDED = "excluded"
    DECEASED = "deceased"


#: which status may follow which; anything else is refused
ALLOWED_TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.APPLICANT: frozenset({MemberStatus.ACTIVE, MemberStatus.WITHDRAWN, MemberStatus.DECEASED}),
    MemberStatus.ACTIVE: frozenset({MemberStatus.SUSPENDED, MemberStatus.WITHDRAWN, MemberStatus.EXCLUDED,
                                    MemberStatus.DECEASED}),
    MemberStatus.SUSPENDED: frozenset({MemberStatus.ACTIVE, MemberStatus.WITHDRAWN, MemberStatus.EXCLUDED,
                                       MemberStatus.DECEASED}),
    # readmission needs an assembly's resolution, recorded with the change
    MemberStatus.WITHDRAWN: frozenset({MemberStatus.ACTIVE, MemberStatus.DECEASED}),
    MemberStatus.EXCLUDED: frozenset({MemberStatus.DECEASED}),
    MemberStatus.DECEASED: frozenset(),
}


class LotStatus(enum.StrEnum):
    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    BUILT = "built"
    DELIVERED = "delivered"


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Household(Base):
    """A family living (or to live) in one home; obligations and votes may count per household."""

    __tablename__ = "household"
    __table_args__ = (sa.UniqueConstraint("coop_id", "name"),
                      sa.CheckConstraint("dependants >= 0", name="dependants_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    #: how the co-op calls the family, usually its family names ("Familia Quishpe Guamán")
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: people in the household who are not members (children, elders)
    dependants: so.Mapped[int] = so.mapped_column(default=0)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    members: so.Mapped[list["Member"]] = so.relationship(back_populates="household",
                                                         order_by="Member.number")
    lots: so.Mapped[list["Lot"]] = so.relationship(back_populates="household")


class Member(Base):
    """A person in the co-op's register."""

    __tablename__ = "member"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "number"),
        sa.UniqueConstraint("coop_id", "document_number"),
        sa.UniqueConstraint("coop_id", "user_id"),
        sa.Index("ix_member_coop_status", "coop_id", "status"),
        sa.Index("ix_member_coop_family", "coop_id", "family_names", "given_names"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: member number: sequential per co-op, without gaps, never reused
    number: so.Mapped[int] = so.mapped_column()
    given_names: so.Mapped[str] = so.mapped_column(sa.String(120))
    family_names: so.Mapped[str] = so.mapped_column(sa.String(120))
    document_type: so.Mapped[DocumentType] = so.mapped_column(value_enum(DocumentType, 24))
    #: cédula, RUC or passport number, without spaces or dashes
    document_number: so.Mapped[str] = so.mapped_column(sa.String(20))
    birth_date: so.Mapped[dt.date | None] = so.mapped_column()
    phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    #: a second phone (a relative's, a neighbour's)
    phone_alt: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    address: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the date the assembly admitted the member
    join_date: so.Mapped[dt.date] = so.mapped_column()
    #: language of letters and messages to this member
    preferred_language: so.Mapped[str] = so.mapped_column(sa.String(8), default="es")
    #: "socia", "socio" or neutral wording ("persona socia") on pages and documents about the member
    form_of_address: so.Mapped[FormOfAddress] = so.mapped_column(
        value_enum(FormOfAddress), default=FormOfAddress.NEUTRAL, server_default=FormOfAddress.NEUTRAL.value)
    #: the member's current status; its history is in member_status_change
    status: so.Mapped[MemberStatus] = so.mapped_column(value_enum(MemberStatus, 24))
    #: since when the current status holds
    status_since: so.Mapped[dt.date] = so.mapped_column()
    household_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("household.id", ondelete="SET NULL"), index=True)
    #: the account with which the member logs in to the portal, if any
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    #: lower-cased, accent-free "number names lots" for the directory search
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    updated_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    household: so.Mapped[Household | None] = so.relationship(back_populates="members")
    status_changes: so.Mapped[list["MemberStatusChange"]] = so.relationship(
        back_populates="member", order_by="MemberStatusChange.id")
    subscriptions: so.Mapped[list["ShareSubscription"]] = so.relationship(
        back_populates="member", order_by="ShareSubscription.id")

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}"

    @property
    def sort_name(self) -> str:
        return f"{self.family_names}, {self.given_names}"


class MemberStatusChange(Base):
    """One change of a member's status: never edited, never deleted."""

    __tablename__ = "member_status_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    #: None for the first status, when the member entered the register
    previous_status: so.Mapped[MemberStatus | None] = so.mapped_column(value_enum(MemberStatus, 24))
    status: so.Mapped[MemberStatus] = so.mapped_column(value_enum(MemberStatus, 24))
    #: the date the change takes effect
    effective_date: so.Mapped[dt.date] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the resolution that decided it ("Asamblea general 2026-03-14, resolución 12")
    resolution_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the resolution in Ayllu's register that decided it (the text above stays for older decisions)
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    member: so.Mapped[Member] = so.relationship(back_populates="status_changes")


#: width of the block's part of a lot's sort key, and of each run of digits in it
_BLOCK_WIDTH, _DIGITS_WIDTH = 40, 12


def natural_key(text: str) -> str:
    """Text that sorts as people count: "2" before "10", "A-2" before "A-10".

    Upper-case letters and digits only, each run of digits zero-padded to a fixed width, so that
    the database compares it the same way under SQLite's byte order and PostgreSQL's collations.
    """
    runs = re.findall(r"[0-9]+|[A-Z]+", fold(text).upper())
    return "".join(run.zfill(_DIGITS_WIDTH) if run.isdigit() else run for run in runs)


def lot_sort_key(block: str, number: str) -> str:
    """A lot's place in the list: by block, then the number's numeric part, then the rest ("12B")."""
    return natural_key(block).ljust(_BLOCK_WIDTH, "0")[:_BLOCK_WIDTH] + natural_key(number)[:60]


def _lot_sort_key_default(context) -> str:
    row = context.get_current_parameters()
    return lot_sort_key(row["block"], row["number"])


class Lot(Base):
    """A plot and the home built (or to be built) on it."""

    __tablename__ = "lot"
    __table_args__ = (sa.UniqueConstraint("coop_id", "block", "number"),
                      sa.Index("ix_lot_coop_sort_key", "coop_id", "sort_key"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    #: the block (manzana), such as "A" or "12"
    block: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: the lot (lote) within the block
    number: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: ``lot_sort_key(block, number)``, set on insert (a lot's place never changes)
    sort_key: so.Mapped[str] = so.mapped_column(sa.String(100), default=_lot_sort_key_default)
    #: the construction phase (etapa) the lot belongs to
    phase: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    status: so.Mapped[LotStatus] = so.mapped_column(value_enum(LotStatus, 24), default=LotStatus.PLANNED)
    #: the household the lot is assigned to now; history in lot_assignment
    household_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("household.id", ondelete="SET NULL"), index=True)

    household: so.Mapped[Household | None] = so.relationship(back_populates="lots")
    assignments: so.Mapped[list["LotAssignment"]] = so.relationship(
        back_populates="lot", order_by="LotAssignment.id")

    @property
    def label(self) -> str:
        return f"{self.block}-{self.number}"


class LotAssignment(Base):
    """A lot was assigned to a household from one date (to another, once it ended)."""

    __tablename__ = "lot_assignment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    lot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    household_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("household.id", ondelete="CASCADE"),
                                                    index=True)
    from_date: so.Mapped[dt.date] = so.mapped_column()
    #: None while the assignment lasts
    to_date: so.Mapped[dt.date | None] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    resolution_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the resolution in Ayllu's register that decided it (the text above stays for older decisions)
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    lot: so.Mapped[Lot] = so.relationship(back_populates="assignments")
    household: so.Mapped[Household] = so.relationship()


class ShareSubscription(Base):
    """Share capital (aportaciones) a member has subscribed, payable in equal instalments."""

    __tablename__ = "share_subscription"
    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
                      sa.CheckConstraint("instalments >= 1", name="instalments_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    #: total subscribed, in minor units of the co-op's currency
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: number of monthly instalments
    instalments: so.Mapped[int] = so.mapped_column(default=1)
    #: when the first instalment is due
    first_due_date: so.Mapped[dt.date] = so.mapped_column()
    resolution_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the resolution in Ayllu's register that decided it (the text above stays for older decisions)
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    member: so.Mapped[Member] = so.relationship(back_populates="subscriptions")


class Application(Base):
    """Someone asks to join the co-op; the secretary approves or rejects it."""

    __tablename__ = "membership_application"
    __table_args__ = (sa.Index("ix_membership_application_coop_status", "coop_id", "status"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    given_names: so.Mapped[str] = so.mapped_column(sa.String(120))
    family_names: so.Mapped[str] = so.mapped_column(sa.String(120))
    document_type: so.Mapped[DocumentType] = so.mapped_column(value_enum(DocumentType, 24))
    document_number: so.Mapped[str] = so.mapped_column(sa.String(20))
    birth_date: so.Mapped[dt.date | None] = so.mapped_column()
    phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    address: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: what the applicant wrote to the co-op
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: "public" (the co-op's web page) or "secretary" (typed in from a paper form)
    source: so.Mapped[str] = so.mapped_column(sa.String(16), default="public")
    status: so.Mapped[ApplicationStatus] = so.mapped_column(value_enum(ApplicationStatus, 24),
                                                            default=ApplicationStatus.PENDING)
    submitted_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: the date of the decision (of the assembly or board), not of its typing
    decision_date: so.Mapped[dt.date | None] = so.mapped_column()
    decision_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    resolution_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the resolution in Ayllu's register that decided it (the text above stays for older decisions)
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: the member created when the application was approved
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}"
