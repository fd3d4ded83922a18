"""Secret ballots in an election, cast from the member's phone, for themself and for those whose
proxy they hold.

A ballot chooses up to N of the round's candidates (none: a blank ballot). Casting writes two
things that cannot be joined: a ``BallotReceipt`` saying that this roll line has voted (the
database admits one per voter and round, so a second click or a second phone is refused), and
one ``SecretBallot`` row per candidate chosen (one row with no candidate for a blank ballot),
sharing a random key, with no voter and no time. Their ids are random too: a sequence would
number ballots in the order they were cast, the same order as the receipts' ids, and so tie each
ballot to its voter. The results are counted only at close.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from coop.errors import DomainError
from coop.tenancy import Coop
from meetings import counting
from meetings.elections import check_in_coop, latest_round, round_candidates, round_max_choices
from meetings.models import (BallotReceipt, Election, ElectionStatus, Proxy, RollEntry, RoundStatus, SecretBallot,
                             VoteRound, VotingMode)
from members.models import Member

#: secret ballots' ids are drawn from the upper half of the integer range, away from any sequence
_ID_LOW, _ID_SPAN = 2**30, 2**30 - 1


@dataclass(frozen=True)
class Tally:
    votes: dict[int, int]
    ballots: int
    blank: int


def tally(session: so.Session, vote_round: VoteRound) -> Tally:
    """The round's votes per candidate, ballots cast and blank ballots, counted from the rows."""
    votes = dict(session.execute(
        sa.select(SecretBallot.candidate_id, sa.func.count()).where(
            SecretBallot.round_id == vote_round.id, SecretBallot.candidate_id.is_not(None))
        .group_by(SecretBallot.candidate_id)).all())
    ballots, blank = session.execute(
        sa.select(sa.func.count(sa.distinct(SecretBallot.ballot_key)),
                  sa.func.count().filter(SecretBallot.candidate_id.is_(None)))
        .where(SecretBallot.round_id == vote_round.id)).one()
    return Tally(votes, ballots, blank)


def receipts_count(session: so.Session, vote_round: VoteRound) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(BallotReceipt)
                          .where(BallotReceipt.round_id == vote_round.id))


@dataclass(frozen=True)
class PendingBallot:
    """A ballot the reader may cast now: their own, or a grantor's (``by_proxy``)."""

    entry: RollEntry
    by_proxy: bool


def secret_round(session: so.Session, election: Election) -> VoteRound | None:
    """The election's open secret round, if one is taking ballots."""
    vote_round = latest_round(session, election)
    if (election.status != ElectionStatus.VOTING or vote_round is None or vote_round.status != RoundStatus.OPEN
            or vote_round.mode != VotingMode.SECRET):
        return None
    return vote_round


def own_entry(session: so.Session, election: Election, member: Member | None) -> RollEntry | None:
    if member is None:
        return None
    return session.scalar(sa.select(RollEntry).where(RollEntry.meeting_id == election.meeting_id,
                                                     RollEntry.member_id == member.id))


def pending_ballots(session: so.Session, election: Election, member: Member | None) -> list[PendingBallot]:
    """The ballots ``member`` may cast now in the open secret round: their own, then their grantors'."""
    vote_round, own = secret_round(session, election), own_entry(session, election, member)
    if vote_round is None or own is None or not own.is_present:
        return []
    voted = set(session.scalars(sa.select(BallotReceipt.voter_id).where(BallotReceipt.round_id == vote_round.id)))
    pending = [PendingBallot(own, False)] if own.may_vote and own.id not in voted else []
    grantors = session.scalars(
        sa.select(RollEntry).join(Proxy, Proxy.grantor_id == RollEntry.id)
        .where(Proxy.meeting_id == election.meeting_id, Proxy.holder_id == own.id, RollEntry.may_vote.is_(True),
               RollEntry.is_present.is_(False)).order_by(RollEntry.number))
    pending += [PendingBallot(g, True) for g in grantors if g.id not in voted]
    return pending


def _voter_problem(session: so.Session, election: Election, own: RollEntry | None, voter: RollEntry | None):
    if own is None:
        return _l("You are not on this meeting's roll.")
    if not own.is_present:
        return _l("You are not checked in: you can vote once the secretary has checked you in.")
    if voter is None or voter.meeting_id != election.meeting_id:
        return _l("Choose whose ballot this is.")
    if voter.id != own.id:
        holds = session.scalar(sa.select(Proxy.id).where(Proxy.meeting_id == election.meeting_id,
                                                         Proxy.grantor_id == voter.id, Proxy.holder_id == own.id))
        if holds is None:
            return _l("You do not hold a proxy for %(name)s.", name=voter.name)
        if voter.is_present:
            return _l("%(name)s is present and votes in person.", name=voter.name)
    if not voter.may_vote:
        return _l("%(name)s may not vote at this meeting.", name=voter.name)
    return None


def cast_ballot(session: so.Session, coop: Coop, election: Election, member: Member | None, *,
                voter_id: int | None, candidate_ids: list[int], now: dt.datetime) -> None:
    """Cast one secret ballot for the voter ``voter_id`` (the reader, or a grantor of theirs)."""
    check_in_coop(coop, election)
    vote_round = secret_round(session, election)
    if vote_round is None:
        raise DomainError(_l("This election is not taking ballots now."))
    own = own_entry(session, election, member)
    voter = session.get(RollEntry, voter_id) if voter_id is not None else None
    problem = _voter_problem(session, election, own, voter)
    if problem:
        raise DomainError(problem)
    allowed = [c.id for c in round_candidates(election, vote_round)]
    limit = round_max_choices(election, vote_round)
    problem = counting.ballot_problem(candidate_ids, allowed, limit)
    if problem == "over":
        raise DomainError(lazy_ngettext("Choose at most %(num)d candidate.", "Choose at most %(num)d candidates.",
                                        limit), field="candidates")
    if problem:
        raise DomainError(_l("Choose among this round's candidates."), field="candidates")
    try:
        with session.begin_nested():
            session.add(BallotReceipt(coop_id=coop.id, round_id=vote_round.id, voter_id=voter.id, cast_dt=now))
    except sa.exc.IntegrityError:
        raise DomainError(_l("This ballot was already cast: each voter votes once.")) from None
    _insert_secret(session, coop, vote_round, candidate_ids or [None])


def _insert_secret(session: so.Session, coop: Coop, vote_round: VoteRound, chosen: list[int | None]) -> None:
    key = secrets.token_hex(16)
    for _attempt in range(5):
        rows = [SecretBallot(id=_ID_LOW + secrets.randbelow(_ID_SPAN), coop_id=coop.id, round_id=vote_round.id,
                             ballot_key=key, candidate_id=candidate_id) for candidate_id in chosen]
        try:
            with session.begin_nested():
                session.add_all(rows)
            return
        except sa.exc.IntegrityError:  # an id drawn twice: draw again
            continue
    raise RuntimeError("could not draw free ids for a secret ballot")
