"""Casting a support ballot in a participatory budget: by the member's phone, or from their paper
ballot entered by the secretary. One ballot per member and process whichever way it came.

The database holds the limit: ``support_ballot`` is unique per (process, member), so of two
ballots sent at once (a double tap, two tabs, the phone and the secretary's desk) the second
waits for the first transaction and is refused when it commits; nothing of it is saved. The
counters the results read (``Proposal.supports`` and ``ParticipatoryBudget.ballots_count``) are
raised by ``UPDATE ... SET x = x + 1`` in the ballot's own transaction, so they always equal the
rows without a count over the choices.

Phone ballots are taken in the support phase only. Paper ballots are entered from the support
phase until the block assemblies close (``blocks_close_on``): the ones collected in the streets
and at block assemblies during the support phase reach the office late, and the block phase
is when the secretary enters them. After that the count is final and goes to the assembly.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.calendar import utc_to_local
from coop.errors import DomainError, NotFoundError, Problems
from coop.money import Money, format_money
from coop.tenancy import Coop
from members.models import Lot, Member, MemberStatus
from meetings.models import Meeting, MeetingKind
from meetings.observatory.models import (BallotChannel, BallotChoice, BlockResult, ParticipatoryBudget, Proposal,
                                         ProposalStatus, SupportBallot, SupportRule)
from meetings.observatory.phases import Phase, phase_of
from meetings.observatory.proposals import locked_process

audit.describe("observatory.paper_ballot", _l("Entered a member's paper support ballot"))
audit.describe("observatory.phone_ballot", _l("Sent a support ballot by phone"))

CHANNEL_LABELS = {BallotChannel.PHONE: _l("by phone"), BallotChannel.PAPER: _l("on paper")}
#: the phases each channel takes ballots in
OPEN_PHASES = {BallotChannel.PHONE: frozenset({Phase.SUPPORT}),
               BallotChannel.PAPER: frozenset({Phase.SUPPORT, Phase.BLOCKS})}


def money_words(coop: Coop, minor: int) -> str:
    """An amount in the reader's format (the co-op's when nobody reads: a job, a test thread)."""
    return format_money(Money(int(minor), coop.currency), str(get_locale() or coop.format_locale(coop.locale)))


def feasible_proposals(session: so.Session, process: ParticipatoryBudget) -> list[Proposal]:
    """The proposals on the ballot, by number."""
    return list(session.scalars(sa.select(Proposal).where(
        Proposal.process_id == process.id, Proposal.status == ProposalStatus.FEASIBLE).order_by(Proposal.number)))


def voter_of_user(session: so.Session, coop: Coop, user_id: int) -> Member | None:
    """The co-op's member linked to the logged-in user (as the assembly's ballots find them)."""
    return session.scalar(sa.select(Member).where(Member.coop_id == coop.id, Member.user_id == user_id))


def ballot_of(session: so.Session, process: ParticipatoryBudget, member_id: int | None) -> SupportBallot | None:
    if member_id is None:
        return None
    return session.scalar(sa.select(SupportBallot).where(SupportBallot.process_id == process.id,
                                                         SupportBallot.member_id == member_id)
                          .options(so.selectinload(SupportBallot.choices)))


def chosen_total(proposals: Iterable[Proposal], chosen_ids: Iterable[int]) -> tuple[int, int]:
    """(how many, what they cost together) of the chosen proposals."""
    chosen = set(chosen_ids)
    picked = [p for p in proposals if p.id in chosen]
    return len(picked), sum(p.final_cost_minor for p in picked)


def already_taken_part(coop: Coop, ballot: SupportBallot, *, own: bool, member: Member | None = None) -> DomainError:
    """The refusal of a second ballot: says how and when the first one came."""
    when = format_datetime(utc_to_local(coop, ballot.created_dt), "d MMM yyyy, HH:mm", rebase=False)
    channel = CHANNEL_LABELS[ballot.channel]
    if own:
        return DomainError(_l("You have already taken part: your ballot came %(channel)s on %(when)s.",
                              channel=channel, when=when))
    return DomainError(_l("Member no. %(number)d has already taken part: their ballot came %(channel)s on %(when)s. "
                          "Nothing was saved.", number=member.number, channel=channel, when=when), field="member")


def _check_open(process: ParticipatoryBudget, channel: BallotChannel, today: dt.date) -> None:
    if phase_of(process, today) in OPEN_PHASES[channel]:
        return
    if channel == BallotChannel.PHONE:
        raise DomainError(_l("Ballots are taken from %(start)s to %(end)s.",
                             start=format_date(process.support_opens_on), end=format_date(process.support_closes_on)))
    raise DomainError(_l("Paper ballots are entered from %(start)s until the block assemblies close on %(end)s.",
                         start=format_date(process.support_opens_on), end=format_date(process.blocks_close_on)))


def _check_choices(coop: Coop, process: ParticipatoryBudget, on_ballot: list[Proposal], chosen_ids: set[int],
                   problems: Problems) -> int:
    valid = {p.id for p in on_ballot}
    if not chosen_ids:
        problems.add(_l("Choose at least one proposal."), "proposals")
    elif not chosen_ids <= valid:
        problems.add(_l("Choose only proposals on this ballot."), "proposals")
    _count, total = chosen_total(on_ballot, chosen_ids)
    if process.rule == SupportRule.KNAPSACK and total > process.amount_minor:
        problems.add(_l("You chose %(total)s of %(amount)s: take out proposals until they fit.",
                        total=money_words(coop, total), amount=money_words(coop, process.amount_minor)), "proposals")
    return total


def cast_ballot(session: so.Session, actor: User | None, coop: Coop, process: ParticipatoryBudget, member: Member,
                proposal_ids: Iterable[int], *, channel: BallotChannel, today: dt.date,
                now: dt.datetime) -> SupportBallot:
    """Record ``member``'s one ballot, choosing ``proposal_ids``; raise the counters with it."""
    if process.coop_id != coop.id or member.coop_id != coop.id:
        raise NotFoundError(_l("There is no such record in this co-op."))
    own = channel == BallotChannel.PHONE
    _check_open(process, channel, today)
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_l("Only active members take part; %(name)s is not active.", name=member.full_name),
                          field=None if own else "member")
    earlier = ballot_of(session, process, member.id)
    if earlier is not None:
        raise already_taken_part(coop, earlier, own=own, member=member)
    problems = Problems()
    chosen = set(proposal_ids)
    total = _check_choices(coop, process, feasible_proposals(session, process), chosen, problems)
    problems.raise_any()
    ballot = SupportBallot(coop_id=coop.id, process_id=process.id, member_id=member.id, channel=channel,
                           entered_by_id=actor.id if actor is not None and not own else None,
                           total_cost_minor=total, created_dt=now)
    try:
        with session.begin_nested():  # the unique (process, member) decides between two at once
            session.add(ballot)
    except sa.exc.IntegrityError:
        first = ballot_of(session, process, member.id)
        if first is None:  # the other one was refused after all: a rare race, worth one more try
            raise DomainError(_l("Another ballot was being saved at the same moment. Send it again.")) from None
        raise already_taken_part(coop, first, own=own, member=member) from None
    # the process's counter first: its row lock queues the ballots of a process here, so the
    # proposals' counters below are never raised by two transactions in different orders
    session.execute(sa.update(ParticipatoryBudget).where(ParticipatoryBudget.id == process.id)
                    .values(ballots_count=ParticipatoryBudget.ballots_count + 1)
                    .execution_options(synchronize_session=False))
    session.execute(sa.insert(BallotChoice), [{"coop_id": coop.id, "ballot_id": ballot.id, "proposal_id": pid}
                                             for pid in sorted(chosen)])
    session.execute(sa.update(Proposal).where(Proposal.id.in_(chosen))
                    .values(supports=Proposal.supports + 1).execution_options(synchronize_session=False))
    session.expire(process, ["ballots_count"])
    audit.record(session, coop=coop, actor=actor, action=f"observatory.{channel.value}_ballot", obj=ballot,
                 summary=f"{process.title}: {member.number}", details={"proposals": len(chosen)})
    return ballot


# --- the block assemblies' paper tallies ---------------------------------------------------------

audit.describe("observatory.block_result", _l("Entered a block assembly's result"))
#: the phases block results are entered in (the support phase too: some blocks meet early)
BLOCK_PHASES = frozenset({Phase.SUPPORT, Phase.BLOCKS})


def known_blocks(session: so.Session, coop: Coop) -> list[str]:
    """The co-op's blocks (manzanas) as its lots name them."""
    return list(session.scalars(sa.select(Lot.block).where(Lot.coop_id == coop.id).distinct().order_by(Lot.block)))


def enter_block_result(session: so.Session, actor: User | None, coop: Coop, process: ParticipatoryBudget, *,
                       block: str, meeting_id: int | None, present: int | None, supports: dict[int, int | None],
                       today: dt.date) -> list[BlockResult]:
    """Record (or replace) a block assembly's tally: those present, and supports by proposal.

    ``supports`` maps a proposal's id to its supports (None: none). Errors name the fields
    ``block``, ``meeting``, ``present`` and ``support-<proposal id>``.
    """
    if process.coop_id != coop.id:
        raise NotFoundError(_l("There is no such record in this co-op."))
    if phase_of(process, today) not in BLOCK_PHASES:
        raise DomainError(_l("Block results are entered from %(start)s until the block assemblies close on %(end)s.",
                             start=format_date(process.support_opens_on), end=format_date(process.blocks_close_on)))
    problems = Problems()
    block = " ".join((block or "").split())
    if not block:
        problems.add(_l("Name the block."), "block")
    elif len(block) > 20:
        problems.add(_l("A block's name has at most 20 characters."), "block")
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None or meeting.coop_id != coop.id or meeting.kind != MeetingKind.BLOCK:
            problems.add(_l("Choose one of the co-op's block assemblies."), "meeting")
    if present is None or present < 1:
        problems.add(_l("Type how many people were present."), "present")
    on_ballot = feasible_proposals(session, process)
    for proposal in on_ballot:
        value = supports.get(proposal.id) or 0
        if value < 0:
            problems.add(_l("Supports cannot be negative."), f"support-{proposal.id}")
        elif present is not None and value > present:
            problems.add(_l("%(supports)d supports, but only %(present)d people were present.",
                            supports=value, present=present), f"support-{proposal.id}")
    problems.raise_any()
    # two officers re-entering one block at once: the second waits, then replaces the first's rows
    process = locked_process(session, process)
    replaced = session.execute(sa.delete(BlockResult).where(BlockResult.process_id == process.id,
                                                            BlockResult.block == block)
                               .execution_options(synchronize_session=False)).rowcount
    rows = [BlockResult(coop_id=coop.id, process_id=process.id, block=block, meeting_id=meeting_id,
                        proposal_id=p.id, present=present, supports=supports.get(p.id) or 0,
                        entered_by_id=actor.id if actor is not None else None) for p in on_ballot]
    session.add_all(rows)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.block_result", obj=process,
                 summary=f"{process.title}: {block}",
                 details={"present": present, "supports": sum(r.supports for r in rows), "replaced": bool(replaced)})
    return rows
