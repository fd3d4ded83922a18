"""The observatory's records: questions on the books with their answers, followers and history;
participatory budgets with their proposals, support ballots and the block assemblies' results;
and the work packages that trace a funded proposal to Minga hours and expenses.

Limits live in the database: one question per (co-op, year, number), one follow per member and
question, one support ballot per member and process whether it came by phone or on paper, one
choice per proposal and ballot, one block result per (process, block, proposal), one work package
per funded proposal, and a Minga session or an expense in at most one work package. A question
points at its subject through one real foreign key per kind of subject, so "the questions about
this expense" is an indexed join and a subject of another co-op cannot be named.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow, value_enum

if TYPE_CHECKING:
    from members.models import Member


# --- questions on the books (consultas) ---------------------------------------------------------

class SubjectKind(enum.StrEnum):
    """What a question is about; each kind but GENERAL fills its own foreign key."""

    GENERAL = "general"
    BUDGET_LINE = "budget_line"      # budget_id + account_id: one account's line in a year's budget
    EXPENSE = "expense"
    JOURNAL_ENTRY = "journal_entry"
    DUES_PLAN = "dues_plan"
    RESOLUTION = "resolution"
    WORK_PACKAGE = "work_package"


class QuestionStatus(enum.StrEnum):
    """submitted → accepted (or rejected) → answered → assessed."""

    SUBMITTED = "submitted"   # waiting for the oversight council
    REJECTED = "rejected"     # by the council, with a reason the asker sees
    ACCEPTED = "accepted"     # waiting for the assigned office's answer, due on ``due_on``
    ANSWERED = "answered"     # waiting for the asker's assessment
    ASSESSED = "assessed"     # the asker said whether the answer satisfied them


class Office(enum.StrEnum):
    """Who must answer an accepted question."""

    TREASURER = "treasurer"
    BOARD = "board"           # consejo de administración: the administrator and the secretary
    COMMISSION = "commission"  # a Minga commission's coordinators (``commission_id``)


class Question(Base):
    """A member's question on the co-op's books, numbered per year without gaps."""

    __tablename__ = "question"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "year", "number"),
        sa.Index("ix_question_coop_status", "coop_id", "status"),
        sa.CheckConstraint("(subject_kind <> 'budget_line') OR (budget_id IS NOT NULL AND account_id IS NOT NULL)",
                           name="budget_line_subject"),
        sa.CheckConstraint("(subject_kind <> 'expense') OR expense_id IS NOT NULL", name="expense_subject"),
        sa.CheckConstraint("(subject_kind <> 'journal_entry') OR journal_entry_id IS NOT NULL", name="entry_subject"),
        sa.CheckConstraint("(subject_kind <> 'dues_plan') OR dues_plan_id IS NOT NULL", name="dues_plan_subject"),
        sa.CheckConstraint("(subject_kind <> 'resolution') OR resolution_id IS NOT NULL", name="resolution_subject"),
        sa.CheckConstraint("(subject_kind <> 'work_package') OR work_package_id IS NOT NULL",
                           name="work_package_subject"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: the year it was asked in, and its number in that year (C-2026-7)
    year: so.Mapped[int] = so.mapped_column()
    number: so.Mapped[int] = so.mapped_column()
    #: the member who asked
    asker_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    #: the asker's name is hidden from other members (never from the council and the officers)
    is_name_hidden: so.Mapped[bool] = so.mapped_column(default=False)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    subject_kind: so.Mapped[SubjectKind] = so.mapped_column(value_enum(SubjectKind, 20), default=SubjectKind.GENERAL)
    budget_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("budget.id", ondelete="RESTRICT"))
    account_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    expense_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("expense.id", ondelete="RESTRICT"), index=True)
    journal_entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("journal_entry.id", ondelete="RESTRICT"), index=True)
    dues_plan_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("dues_plan.id", ondelete="RESTRICT"))
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="RESTRICT"))
    work_package_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("work_package.id", ondelete="RESTRICT"), index=True)
    status: so.Mapped[QuestionStatus] = so.mapped_column(value_enum(QuestionStatus), default=QuestionStatus.SUBMITTED)
    #: the council's decision
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    rejection_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: who must answer (set on acceptance), and by when
    office: so.Mapped[Office | None] = so.mapped_column(value_enum(Office))
    commission_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="RESTRICT"))
    due_on: so.Mapped[dt.date | None] = so.mapped_column(index=True)
    #: the answer
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    answered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: the asker's assessment of the answer
    is_satisfactory: so.Mapped[bool | None] = so.mapped_column()
    assessment_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    assessed_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: the agenda item it became, when sent to an assembly (unsatisfactory or overdue)
    agenda_item_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("agenda_item.id", ondelete="SET NULL"))
    #: the last day an overdue reminder went out (the job sends at most one a day)
    reminded_on: so.Mapped[dt.date | None] = so.mapped_column()
    #: lower-case words of title, body and answer, for the register's search
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    asker: so.Mapped[Member] = so.relationship()
    attachments: so.Mapped[list[QuestionAttachment]] = so.relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionAttachment.id")
    events: so.Mapped[list[QuestionEvent]] = so.relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionEvent.id")

    @property
    def reference(self) -> str:
        """How people cite it: C-2026-7."""
        return f"C-{self.year}-{self.number}"


class QuestionAttachment(Base):
    """A document attached to an answer (an invoice, a contract, a report)."""

    __tablename__ = "question_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int] = so.mapped_column()
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    question: so.Mapped[Question] = so.relationship(back_populates="attachments")


class QuestionFollower(Base):
    """A member who follows a question (is told of each change) and may say "me too"."""

    __tablename__ = "question_follower"
    __table_args__ = (sa.UniqueConstraint("question_id", "member_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    #: "me too": the member has the same question
    is_me_too: so.Mapped[bool] = so.mapped_column(default=False)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class QuestionEvent(Base):
    """One step in a question's life, for its page's history (append-only)."""

    __tablename__ = "question_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), index=True)
    #: submitted, accepted, rejected, answered, assessed, sent_to_assembly, reminded
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    question: so.Mapped[Question] = so.relationship(back_populates="events")


# --- participatory budgeting (presupuesto participativo) -----------------------------------------

class SupportRule(enum.StrEnum):
    """How members support proposals, and how the result is counted (greedy, by supports)."""

    KNAPSACK = "knapsack"   # each ballot's chosen proposals together cost at most the amount
    APPROVAL = "approval"   # each ballot approves as many feasible proposals as the member likes


class BudgetTieRule(enum.StrEnum):
    """Bylaws: proposals with equal support, of which not all fit."""

    CHEAPER_FIRST = "cheaper_first"  # the cheaper proposal first (funds more of them)
    LOT = "lot"                      # drawn by lot, written in the result


class ParticipatoryBudget(Base):
    """A year's participatory budget: an amount from a fund or budget line, and its phases' dates.

    The phase is read from the dates (proposals, review, support, block assemblies) until the
    general assembly's resolution decides it (``resolution_id``)."""

    __tablename__ = "participatory_budget"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "year"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint("proposals_opens_on <= proposals_closes_on AND proposals_closes_on <= review_closes_on"
                           " AND review_closes_on <= support_opens_on AND support_opens_on <= support_closes_on"
                           " AND support_closes_on <= blocks_close_on", name="phases_in_order"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    year: so.Mapped[int] = so.mapped_column()
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: the fund or budget line the amount comes from (and that the work packages spend against)
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    budget_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("budget.id", ondelete="SET NULL"))
    rule: so.Mapped[SupportRule] = so.mapped_column(value_enum(SupportRule), default=SupportRule.KNAPSACK)
    #: each phase's dates, in the co-op's calendar, both days included
    proposals_opens_on: so.Mapped[dt.date] = so.mapped_column()
    proposals_closes_on: so.Mapped[dt.date] = so.mapped_column()
    review_closes_on: so.Mapped[dt.date] = so.mapped_column()
    support_opens_on: so.Mapped[dt.date] = so.mapped_column()
    support_closes_on: so.Mapped[dt.date] = so.mapped_column()
    blocks_close_on: so.Mapped[dt.date] = so.mapped_column()
    #: the general assembly that takes the final decision, and the motion put to it
    meeting_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"))
    motion_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("motion.id", ondelete="SET NULL"))
    #: the resolution that decided it; from then on the process is closed
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="SET NULL"))
    #: the result's explanation as computed when the assembly decided (kept as it was)
    result_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: under the LOT tie rule: the proposals' numbers in the order drawn ("7,3,12"), drawn once when
    #: the result is put to the assembly, so every later count gives the same result
    tie_draw: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    ballots_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    proposals: so.Mapped[list[Proposal]] = so.relationship(
        back_populates="process", order_by="Proposal.number")


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"        # waiting for the board's review
    FEASIBLE = "feasible"          # on the ballot, at its (revised) cost
    NOT_FEASIBLE = "not_feasible"  # with the board's reason
    WITHDRAWN = "withdrawn"        # by its proposer, before the support phase


class Proposal(Base):
    """A member's proposal in a participatory budget, numbered within the process (P-7)."""

    __tablename__ = "proposal"
    __table_args__ = (sa.UniqueConstraint("process_id", "number"),
                      sa.CheckConstraint("estimated_cost_minor > 0", name="estimate_positive"),
                      sa.CheckConstraint("cost_minor IS NULL OR cost_minor > 0", name="cost_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("participatory_budget.id", ondelete="CASCADE"))
    number: so.Mapped[int] = so.mapped_column()
    proposer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    #: where: a block ("B"), a place ("the ravine"), or the whole co-op (empty)
    block: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    estimated_cost_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: the commission that could do the work
    commission_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="SET NULL"))
    status: so.Mapped[ProposalStatus] = so.mapped_column(value_enum(ProposalStatus, 16),
                                                         default=ProposalStatus.SUBMITTED)
    #: the board's review: the cost it revised (None: the estimate stands) and its reason
    cost_minor: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    review_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reviewed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: supports counted so far (ballots choosing it), raised with each ballot in its transaction
    supports: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    process: so.Mapped[ParticipatoryBudget] = so.relationship(back_populates="proposals")
    proposer: so.Mapped[Member] = so.relationship()

    @property
    def final_cost_minor(self) -> int:
        """What it costs on the ballot: the board's revised cost, or the proposer's estimate."""
        return self.cost_minor if self.cost_minor is not None else self.estimated_cost_minor


class BallotChannel(enum.StrEnum):
    PHONE = "phone"   # the member, logged in
    PAPER = "paper"   # entered by the secretary from the member's paper ballot


class SupportBallot(Base):
    """A member's one support ballot in a process, by phone or on paper (never both)."""

    __tablename__ = "support_ballot"
    __table_args__ = (sa.UniqueConstraint("process_id", "member_id"),
                      sa.CheckConstraint("total_cost_minor >= 0", name="total_not_negative"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("participatory_budget.id", ondelete="CASCADE"))
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    channel: so.Mapped[BallotChannel] = so.mapped_column(value_enum(BallotChannel))
    #: the secretary who entered a paper ballot
    entered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    #: what the chosen proposals cost together (checked against the amount under the knapsack rule)
    total_cost_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    choices: so.Mapped[list[BallotChoice]] = so.relationship(
        back_populates="ballot", cascade="all, delete-orphan", order_by="BallotChoice.proposal_id")


class BallotChoice(Base):
    """One proposal chosen on a support ballot."""

    __tablename__ = "ballot_choice"
    __table_args__ = (sa.UniqueConstraint("ballot_id", "proposal_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    ballot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("support_ballot.id", ondelete="CASCADE"))
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposal.id", ondelete="RESTRICT"), index=True)

    ballot: so.Mapped[SupportBallot] = so.relationship(back_populates="choices")


class BlockResult(Base):
    """A block assembly's paper result for one proposal, entered by the secretary: how many of
    those present supported it. Shown beside the ballots' count for the general assembly."""

    __tablename__ = "block_result"
    __table_args__ = (sa.UniqueConstraint("process_id", "block", "proposal_id"),
                      sa.CheckConstraint("supports >= 0 AND present >= supports", name="supports_within_present"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("participatory_budget.id", ondelete="CASCADE"))
    block: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: the block assembly in Ayllu's record, when it was held through it
    meeting_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"))
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"))
    present: so.Mapped[int] = so.mapped_column()
    supports: so.Mapped[int] = so.mapped_column()
    entered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


# --- what became of it (rendición de cuentas) -----------------------------------------------------

class WorkStatus(enum.StrEnum):
    PLANNED = "planned"
    UNDER_WAY = "under_way"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class WorkPackage(Base):
    """What an assembly decided to do with money, traced: its budget line, the Minga sessions that
    work on it, the expenses paid for it, its progress and photos. Most come from a funded
    proposal; the board may open one for any resolution."""

    __tablename__ = "work_package"
    __table_args__ = (sa.CheckConstraint("voted_minor >= 0", name="voted_not_negative"),
                      sa.CheckConstraint("progress_pct BETWEEN 0 AND 100", name="progress_is_percent"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the funded proposal it carries out (one package per proposal)
    proposal_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("proposal.id", ondelete="RESTRICT"), unique=True)
    #: the assembly's decision
    resolution_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resolution.id", ondelete="RESTRICT"),
                                                            index=True)
    #: the budget line it spends against, and what was voted for it
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("account.id", ondelete="RESTRICT"))
    voted_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: the commission doing the work
    commission_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("commission.id", ondelete="SET NULL"))
    status: so.Mapped[WorkStatus] = so.mapped_column(value_enum(WorkStatus, 12), default=WorkStatus.PLANNED)
    progress_pct: so.Mapped[int] = so.mapped_column(default=0)
    finished_on: so.Mapped[dt.date | None] = so.mapped_column()
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    updates: so.Mapped[list[WorkUpdate]] = so.relationship(
        back_populates="package", cascade="all, delete-orphan", order_by="WorkUpdate.id")


class WorkSessionLink(Base):
    """A Minga session that worked on a package (a session counts for one package at most)."""

    __tablename__ = "work_package_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    package_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_package.id", ondelete="CASCADE"), index=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_session.id", ondelete="CASCADE"), unique=True)


class WorkExpenseLink(Base):
    """An expense paid for a package (an expense counts for one package at most)."""

    __tablename__ = "work_package_expense"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    package_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_package.id", ondelete="CASCADE"), index=True)
    expense_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("expense.id", ondelete="RESTRICT"), unique=True)


class WorkUpdate(Base):
    """A report on a package's progress, with an optional photo (append-only)."""

    __tablename__ = "work_update"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    package_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("work_package.id", ondelete="CASCADE"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    progress_pct: so.Mapped[int] = so.mapped_column()
    photo_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    photo_type: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    photo: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    package: so.Mapped[WorkPackage] = so.relationship(back_populates="updates")


# --- the co-op's observatory settings ------------------------------------------------------------

class ObservatorySettings(Base):
    """Per co-op: how long an office has to answer a question, and whether the budget's figures
    are published without log-in (off by default)."""

    __tablename__ = "observatory_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), unique=True)
    #: bylaws: an accepted question is answered within this many days
    answer_days: so.Mapped[int] = so.mapped_column(default=30)
    #: the budget explorer (aggregates only) and its CSV and JSON are open to anyone
    is_budget_public: so.Mapped[bool] = so.mapped_column(default=False)
    #: bylaws: equal support among proposals that do not all fit
    tie_rule: so.Mapped[BudgetTieRule] = so.mapped_column(value_enum(BudgetTieRule, 16),
                                                          default=BudgetTieRule.CHEAPER_FIRST)
    updated_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
