"""Assemblies' and board meetings' records: the co-op's bylaws settings, meetings and their agenda,
the roll frozen when the notice goes out, proxies, quorum, motions with their versions, votes,
resolutions, minutes and elections.

Limits live in the database: one roll line per member and meeting, one proxy per grantor and
meeting, a holder's proxies never past the cap (``proxies_held`` is raised by a conditional
``UPDATE``), one named vote and one secret-ballot receipt per voter and round, one resolution per
(co-op, year, number), one minutes version per (meeting, number). A secret ballot
(``SecretBallot``) names no voter, carries no time and has a random key, so it cannot be joined
to the receipt that says who voted. Times are stored in UTC (``*_dt``) and shown in the co-op's
timezone.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow, value_enum
from coop.officers import Officer

if TYPE_CHECKING:
    from members.models import Member


class MeetingKind(enum.StrEnum):
    ORDINARY = "ordinary"            # asamblea general ordinaria
    EXTRAORDINARY = "extraordinary"  # asamblea general extraordinaria
    BOARD = "board"                  # consejo de administración
    OVERSIGHT = "oversight"          # consejo de vigilancia
    COMMISSION = "commission"        # reunión de una comisión
    BLOCK = "block"                  # asamblea de bloque o sector (elige e instruye a sus representantes)


#: the kinds that are the co-op's general assembly (members' or representatives')
GENERAL_KINDS = frozenset({MeetingKind.ORDINARY, MeetingKind.EXTRAORDINARY})


class MeetingStatus(enum.StrEnum):
    """Prepared, convened (notice issued: roll frozen), sitting, ended, or called off."""

    DRAFT = "draft"
    CONVENED = "convened"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AssemblyForm(enum.StrEnum):
    """Who makes up the general assembly: every member, or the representatives in office."""

    MEMBERS = "members"
    REPRESENTATIVES = "representatives"


class TieRule(enum.StrEnum):
    """How an election tie for the last seat is settled."""

    RUNOFF = "runoff"
    LOT = "lot"


class Call(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"


class RollRole(enum.StrEnum):
    """Why a person is on the roll."""

    MEMBER = "member"
    REPRESENTATIVE = "representative"
    ALTERNATE = "alternate"
    OFFICER = "officer"          # a board or council member (board and council meetings)
    COMMISSION = "commission"    # a standing member of the commission


class MotionStatus(enum.StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SECONDED = "seconded"
    IN_DEBATE = "in_debate"
    VOTING = "voting"
    CARRIED = "carried"
    DEFEATED = "defeated"
    WITHDRAWN = "withdrawn"
    TABLED = "tabled"
    REFERRED = "referred"


class MajorityRule(enum.StrEnum):
    SIMPLE = "simple"                      # more yes than no among votes cast
    ABSOLUTE_PRESENT = "absolute_present"  # more than half of those present (and represented)
    TWO_THIRDS_CAST = "two_thirds_cast"    # two thirds of votes cast
    TWO_THIRDS_MEMBERS = "two_thirds_members"  # two thirds of the voters on the roll
    UNANIMITY = "unanimity"                # every vote cast is yes


class VotingMode(enum.StrEnum):
    HANDS = "hands"    # paper or show of hands: the secretary enters the totals
    NAMED = "named"    # each voter's choice recorded
    SECRET = "secret"  # secret electronic ballot


class Choice(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MinutesStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class ElectionStatus(enum.StrEnum):
    DRAFT = "draft"        # candidates being put forward
    VOTING = "voting"
    COUNTED = "counted"    # result known (maybe a tie still to settle)
    DECIDED = "decided"    # seats filled, resolution adopted


class PositionBody(enum.StrEnum):
    """The body an office belongs to."""

    BOARD = "board"
    OVERSIGHT = "oversight"
    REPRESENTATIVE = "representative"
    COMMISSION = "commission"
    OTHER = "other"


# --- the bylaws ----------------------------------------------------------------------------------

class MeetingRules(Base):
    """The co-op's bylaws on meetings, as typed settings (one row per co-op, made on first use)."""

    __tablename__ = "meeting_rules"
    __table_args__ = (
        sa.UniqueConstraint("coop_id"),
        sa.CheckConstraint("notice_days >= 0", name="notice_days_not_negative"),
        sa.CheckConstraint("first_call_quorum_pct BETWEEN 1 AND 100", name="first_quorum_percent"),
        sa.CheckConstraint("second_call_quorum_pct BETWEEN 0 AND 100", name="second_quorum_percent"),
        sa.CheckConstraint("max_proxies_per_holder >= 0", name="proxies_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: the notice goes out at least this many days before the first call
    notice_days: so.Mapped[int] = so.mapped_column(default=8)
    #: quorum at the first call: this percent of the voters on the roll...
    first_call_quorum_pct: so.Mapped[int] = so.mapped_column(default=50)
    #: ...and at the second call (0: whoever is present)
    second_call_quorum_pct: so.Mapped[int] = so.mapped_column(default=0)
    #: True: more than the percent ("la mitad más uno"); False: at least the percent
    quorum_is_more_than: so.Mapped[bool] = so.mapped_column(default=True)
    #: members with dues in arrears beyond this many months may not vote (None: arrears do not count)
    arrears_months_limit: so.Mapped[int | None] = so.mapped_column()
    #: members whose household is short on Minga hours in the last closed period may not vote
    minga_shortfall_excludes: so.Mapped[bool] = so.mapped_column(default=False)
    proxies_allowed: so.Mapped[bool] = so.mapped_column(default=True)
    #: the most proxies one person may hold
    max_proxies_per_holder: so.Mapped[int] = so.mapped_column(default=1)
    #: the chair settles a tie with a casting vote
    chair_has_casting_vote: so.Mapped[bool] = so.mapped_column(default=False)
    #: abstentions count as votes cast (so they weigh like a no under a majority of votes cast)
    abstentions_count: so.Mapped[bool] = so.mapped_column(default=False)
    #: a members' assembly, or a representatives' assembly
    assembly_form: so.Mapped[AssemblyForm] = so.mapped_column(value_enum(AssemblyForm), default=AssemblyForm.MEMBERS)
    #: how an election tie for the last seat is settled
    election_tie_rule: so.Mapped[TieRule] = so.mapped_column(value_enum(TieRule), default=TieRule.RUNOFF)
    updated_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


# --- meetings and their agenda ---------------------------------------------------------------------

class Meeting(Base):
    """An assembly or a board, council, commission or block meeting."""

    __tablename__ = "meeting"
    __table_args__ = (
        sa.CheckConstraint("second_call_dt IS NULL OR second_call_dt > first_call_dt", name="second_call_after_first"),
        sa.Index("ix_meeting_coop_first_call", "coop_id", "first_call_dt"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    kind: so.Mapped[MeetingKind] = so.mapped_column(value_enum(MeetingKind))
    #: as the notice names it ("Asamblea general ordinaria 2026")
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: first and second call (UTC); the second call is usually an hour later, with a lower quorum
    first_call_dt: so.Mapped[dt.datetime] = so.mapped_column()
    second_call_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    status: so.Mapped[MeetingStatus] = so.mapped_column(value_enum(MeetingStatus), default=MeetingStatus.DRAFT)
    #: who attends and who votes, in words for the notice ("Socios activos al día en sus aportes")
    attendance_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: a commission meeting's commission
    commission_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="SET NULL"))
    #: a block assembly's block or sector (as the lots name it: "B", "Sector 3")
    block: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    #: the roll is the representatives in office (frozen from the bylaws when the notice is issued)
    is_representatives: so.Mapped[bool] = so.mapped_column(default=False)
    #: the notice (convocatoria): when it was issued, and why late if it was
    notice_issued_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    notice_issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    late_notice_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: words the notice adds to the agenda (signature, where documents can be read)
    notice_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the call the meeting sits on, once opened
    call: so.Mapped[Call | None] = so.mapped_column(value_enum(Call))
    opened_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    closed_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: whether quorum is held now (kept by the quorum service; its history is QuorumEvent)
    has_quorum: so.Mapped[bool] = so.mapped_column(default=False)
    #: the item under debate (shown on the hall screen)
    current_item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("agenda_item.id", ondelete="SET NULL", use_alter=True, name="fk_meeting_current_item"))
    chair_member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))
    secretary_member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))
    #: the secretary's words for the minutes before the first item (opening, who chaired)
    opening_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    cancel_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    items: so.Mapped[list[AgendaItem]] = so.relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position",
        foreign_keys="AgendaItem.meeting_id")
    current_item: so.Mapped[AgendaItem | None] = so.relationship(foreign_keys=[current_item_id], post_update=True)

    @property
    def is_general(self) -> bool:
        return self.kind in GENERAL_KINDS

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title}>"


class AgendaItem(Base):
    """One point of the order of the day, in its place."""

    __tablename__ = "agenda_item"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3... in the order of the day
    position: so.Mapped[int] = so.mapped_column()
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the secretary's notes for the minutes (debate, who spoke)
    minutes_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    meeting: so.Mapped[Meeting] = so.relationship(back_populates="items", foreign_keys=[meeting_id])
    documents: so.Mapped[list[AgendaDocument]] = so.relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="AgendaDocument.id")


class AgendaDocument(Base):
    """A document attached to an agenda item (the budget, the report, a draft rule)."""

    __tablename__ = "agenda_document"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int] = so.mapped_column()
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    item: so.Mapped[AgendaItem] = so.relationship(back_populates="documents")


# --- roll, proxies, quorum ------------------------------------------------------------------------

class RollEntry(Base):
    """A person on a meeting's roll, frozen when the notice is issued; presence kept here live."""

    __tablename__ = "roll_entry"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id"),
        sa.CheckConstraint("proxies_held >= 0", name="proxies_held_not_negative"),
        sa.Index("ix_roll_entry_meeting_present", "meeting_id", "is_present"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[RollRole] = so.mapped_column(value_enum(RollRole), default=RollRole.MEMBER)
    #: may vote (eligible when the roll was frozen); an alternate votes only while standing in
    may_vote: so.Mapped[bool] = so.mapped_column(default=True)
    #: why not ("Aportes en mora más de 3 meses"), shown on the roll
    ineligible_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the block or sector a representative answers for
    block: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    #: an alternate standing in for this absent representative's roll line
    stands_in_for_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="SET NULL"))
    is_present: so.Mapped[bool] = so.mapped_column(default=False)
    checked_in_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    checked_out_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: proxies this person holds: raised only by a conditional UPDATE, never past the bylaws' cap
    proxies_held: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: copied from the register when frozen, so the printed roll stays as it was
    number: so.Mapped[int] = so.mapped_column()
    name: so.Mapped[str] = so.mapped_column(sa.String(250))

    member: so.Mapped[Member] = so.relationship()


class PresenceChange(Base):
    """Each check-in and check-out, in order: when someone came and left."""

    __tablename__ = "presence_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="CASCADE"), index=True)
    is_present: so.Mapped[bool] = so.mapped_column()
    at_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))


class Proxy(Base):
    """A written authorisation: the grantor (absent) is represented by the holder (present)."""

    __tablename__ = "proxy"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "grantor_id"),
        sa.CheckConstraint("grantor_id <> holder_id", name="not_to_oneself"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    grantor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="CASCADE"))
    holder_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="CASCADE"), index=True)
    #: the written authorisation ("Carta firmada el 02/03/2027, cédula adjunta")
    authorisation: so.Mapped[str] = so.mapped_column(sa.String(300))
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    grantor: so.Mapped[RollEntry] = so.relationship(foreign_keys=[grantor_id])
    holder: so.Mapped[RollEntry] = so.relationship(foreign_keys=[holder_id])


class QuorumEvent(Base):
    """Quorum reached or lost, with the figures at that moment."""

    __tablename__ = "quorum_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    is_reached: so.Mapped[bool] = so.mapped_column()
    call: so.Mapped[Call] = so.mapped_column(value_enum(Call))
    present: so.Mapped[int] = so.mapped_column()
    represented: so.Mapped[int] = so.mapped_column()
    required: so.Mapped[int] = so.mapped_column()
    at_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


# --- motions and votes ---------------------------------------------------------------------------

class Motion(Base):
    """A motion (moción) on an agenda item, or an amendment to another motion."""

    __tablename__ = "motion"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    #: an amendment names the motion it amends
    amends_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("motion.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    proposer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))
    seconder_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))
    status: so.Mapped[MotionStatus] = so.mapped_column(value_enum(MotionStatus), default=MotionStatus.DRAFT)
    majority: so.Mapped[MajorityRule] = so.mapped_column(value_enum(MajorityRule, 24), default=MajorityRule.SIMPLE)
    #: the commission a referred motion went to, or why it was tabled or withdrawn
    status_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    versions: so.Mapped[list[MotionVersion]] = so.relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="MotionVersion.number",
        foreign_keys="MotionVersion.motion_id")
    amends: so.Mapped[Motion | None] = so.relationship(remote_side=[id], foreign_keys=[amends_id])
    proposer: so.Mapped[Member | None] = so.relationship(foreign_keys=[proposer_id])
    seconder: so.Mapped[Member | None] = so.relationship(foreign_keys=[seconder_id])

    @property
    def text(self) -> str:
        """The motion's text now: its latest version."""
        return self.versions[-1].text if self.versions else ""


class MotionVersion(Base):
    """One version of a motion's text; a carried amendment makes the next. None is ever changed."""

    __tablename__ = "motion_version"
    __table_args__ = (sa.UniqueConstraint("motion_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    motion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("motion.id", ondelete="CASCADE"))
    number: so.Mapped[int] = so.mapped_column()
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the carried amendment that made this version (None: the text as proposed)
    amendment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("motion.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    motion: so.Mapped[Motion] = so.relationship(back_populates="versions", foreign_keys=[motion_id])


class VoteRound(Base):
    """One vote on a motion, or one round of an election. Its rule and voters are locked at opening."""

    __tablename__ = "vote_round"
    __table_args__ = (
        sa.CheckConstraint("(motion_id IS NULL) <> (election_id IS NULL)", name="motion_or_election"),
        sa.CheckConstraint("yes_count >= 0 AND no_count >= 0 AND abstain_count >= 0", name="totals_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    motion_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("motion.id", ondelete="CASCADE"), index=True)
    election_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("election.id", ondelete="CASCADE"), index=True)
    #: 1 for the first vote; an election's runoff is round 2...
    number: so.Mapped[int] = so.mapped_column(default=1)
    mode: so.Mapped[VotingMode] = so.mapped_column(value_enum(VotingMode))
    status: so.Mapped[RoundStatus] = so.mapped_column(value_enum(RoundStatus), default=RoundStatus.OPEN)
    #: locked at opening: the rule, whether abstentions count, the motion version voted
    majority: so.Mapped[MajorityRule] = so.mapped_column(value_enum(MajorityRule, 24))
    abstentions_count: so.Mapped[bool] = so.mapped_column()
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("motion_version.id", ondelete="SET NULL"))
    #: locked at opening: voters on the roll, and voters present plus represented
    roll_voters: so.Mapped[int] = so.mapped_column()
    present_voters: so.Mapped[int] = so.mapped_column()
    #: totals: entered by the secretary (hands), or counted at close (named, secret)
    yes_count: so.Mapped[int] = so.mapped_column(default=0)
    no_count: so.Mapped[int] = so.mapped_column(default=0)
    abstain_count: so.Mapped[int] = so.mapped_column(default=0)
    #: the outcome at close: carried or not, and in words
    is_carried: so.Mapped[bool | None] = so.mapped_column()
    required: so.Mapped[int | None] = so.mapped_column()
    outcome_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the chair's casting vote, when it settled a tie
    casting_vote: so.Mapped[Choice | None] = so.mapped_column(value_enum(Choice))
    opened_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    opened_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    closed_dt: so.Mapped[dt.datetime | None] = so.mapped_column()


class Vote(Base):
    """A named vote: whose, what, cast by whom (the voter, their proxy holder, or the secretary)."""

    __tablename__ = "vote"
    __table_args__ = (sa.UniqueConstraint("round_id", "voter_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("vote_round.id", ondelete="CASCADE"))
    #: the roll line whose vote this is
    voter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="CASCADE"), index=True)
    choice: so.Mapped[Choice] = so.mapped_column(value_enum(Choice))
    #: the proxy holder's roll line when a proxy cast it
    by_proxy_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="SET NULL"))
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    cast_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class BallotReceipt(Base):
    """Who has voted in a secret round (and nothing of what)."""

    __tablename__ = "ballot_receipt"
    __table_args__ = (sa.UniqueConstraint("round_id", "voter_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("vote_round.id", ondelete="CASCADE"))
    voter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roll_entry.id", ondelete="CASCADE"), index=True)
    cast_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class SecretBallot(Base):
    """What was voted in a secret round, with no voter and no time: a random key, a round, a choice.

    An election's secret ballot has one row per candidate chosen, sharing the ballot's key.
    """

    __tablename__ = "secret_ballot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    #: random, so the order of keys says nothing of the order of voting
    ballot_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    choice: so.Mapped[Choice | None] = so.mapped_column(value_enum(Choice))
    candidate_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("candidate.id", ondelete="CASCADE"))


# --- resolutions and minutes ---------------------------------------------------------------------

class Resolution(Base):
    """A decision of the co-op, numbered per year without gaps ("Resolución 2027-014")."""

    __tablename__ = "resolution"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "year", "number"),
        sa.Index("ix_resolution_coop_decided", "coop_id", "decided_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    year: so.Mapped[int] = so.mapped_column()
    number: so.Mapped[int] = so.mapped_column()
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="RESTRICT"), index=True)
    motion_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("motion.id", ondelete="SET NULL"))
    round_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("vote_round.id", ondelete="SET NULL"))
    election_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("election.id", ondelete="SET NULL"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: the text resolved (the motion's carried version), and the vote in words
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    outcome_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decided_on: so.Mapped[dt.date] = so.mapped_column()
    #: lower-cased words for the register's search
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    meeting: so.Mapped[Meeting] = so.relationship()

    @property
    def reference(self) -> str:
        """As people cite it: "2027-014"."""
        return f"{self.year}-{self.number:03d}"


class MinutesVersion(Base):
    """A version of a meeting's minutes (acta). Approved versions never change; a correction is a new one."""

    __tablename__ = "minutes_version"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int] = so.mapped_column()
    status: so.Mapped[MinutesStatus] = so.mapped_column(value_enum(MinutesStatus), default=MinutesStatus.DRAFT)
    #: the minutes as approved: the record and notes, frozen (JSON)
    content: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: why a new version corrects the approved one
    correction_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: approved at a later meeting, or by the board on this date
    approved_at_meeting_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"))
    approved_on: so.Mapped[dt.date | None] = so.mapped_column()
    #: who signed: the president and the secretary, as named on the day
    president_name: so.Mapped[str] = so.mapped_column(sa.String(250), default="")
    secretary_name: so.Mapped[str] = so.mapped_column(sa.String(250), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


# --- elections and offices -----------------------------------------------------------------------

class Position(Base):
    """An office the co-op elects: president of the board, a council seat, a block's representative."""

    __tablename__ = "position"
    __table_args__ = (sa.UniqueConstraint("coop_id", "name"),
                      # one office signs as the co-op's president, one as its secretary (NULLs are distinct)
                      sa.UniqueConstraint("coop_id", "signs_as"),
                      sa.CheckConstraint("seats > 0", name="seats_positive"),
                      sa.CheckConstraint("term_months > 0", name="term_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    body: so.Mapped[PositionBody] = so.mapped_column(value_enum(PositionBody))
    #: a representative's block or sector
    block: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    #: how many hold it at once (board: 5; a block: 2 representatives)
    seats: so.Mapped[int] = so.mapped_column(default=1)
    #: alternates elected with it (suplentes)
    alternates: so.Mapped[int] = so.mapped_column(default=0)
    term_months: so.Mapped[int] = so.mapped_column(default=24)
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    #: whoever holds it signs the co-op's documents (a membership certificate) under this title
    signs_as: so.Mapped[Officer | None] = so.mapped_column(value_enum(Officer))


class Election(Base):
    """An election at a meeting for one position: candidates, ballots choosing up to N, the count."""

    __tablename__ = "election"
    __table_args__ = (sa.CheckConstraint("max_choices > 0", name="max_choices_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("agenda_item.id", ondelete="SET NULL"))
    position_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("position.id", ondelete="RESTRICT"))
    #: seats to fill, and alternates after them, in order of votes
    seats: so.Mapped[int] = so.mapped_column()
    alternates: so.Mapped[int] = so.mapped_column(default=0)
    #: each ballot chooses up to this many candidates
    max_choices: so.Mapped[int] = so.mapped_column()
    status: so.Mapped[ElectionStatus] = so.mapped_column(value_enum(ElectionStatus), default=ElectionStatus.DRAFT)
    #: how a tie was settled, in words (the lot drawn, the runoff's round)
    tie_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the term of those elected
    term_starts_on: so.Mapped[dt.date] = so.mapped_column()
    term_ends_on: so.Mapped[dt.date] = so.mapped_column()
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    position: so.Mapped[Position] = so.relationship()
    candidates: so.Mapped[list[Candidate]] = so.relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="Candidate.id")


class Candidate(Base):
    """A member standing in an election, and the votes counted for them."""

    __tablename__ = "candidate"
    __table_args__ = (sa.UniqueConstraint("election_id", "member_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    election_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("election.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    #: votes of the latest round (entered from paper, or counted from the ballots)
    votes: so.Mapped[int] = so.mapped_column(default=0)
    #: 1, 2... the seat won; None: not elected
    elected_rank: so.Mapped[int | None] = so.mapped_column()
    is_alternate: so.Mapped[bool] = so.mapped_column(default=False)
    #: tied for the last seat and standing in the runoff
    is_in_runoff: so.Mapped[bool] = so.mapped_column(default=False)

    election: so.Mapped[Election] = so.relationship(back_populates="candidates")
    member: so.Mapped[Member] = so.relationship()


class OfficeTerm(Base):
    """Who held which office when: the register of offices (and the representatives in office)."""

    __tablename__ = "office_term"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
                      sa.Index("ix_office_term_coop_position", "coop_id", "position_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    position_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("position.id", ondelete="RESTRICT"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    is_alternate: so.Mapped[bool] = so.mapped_column(default=False)
    starts_on: so.Mapped[dt.date] = so.mapped_column()
    #: the term's planned end
    ends_on: so.Mapped[dt.date] = so.mapped_column()
    #: left early (resigned, removed, died): when and why
    left_on: so.Mapped[dt.date | None] = so.mapped_column()
    left_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    election_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("election.id", ondelete="SET NULL"))
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    #: recorded by hand for offices held before the co-op used Ayllu
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    position: so.Mapped[Position] = so.relationship()
    member: so.Mapped[Member] = so.relationship()
