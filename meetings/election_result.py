"""Closing an election's round, settling a tie, and recording the result.

Closing counts the round (the paper totals entered, or the secret ballots' rows) and fills the
places it can (``meetings.counting``). A tie that straddles the last seat or the last alternate's
place stops the count: under the bylaws' runoff the tied stand again in a new round (its winners
take the places at stake; a runoff that ties again is settled by lot, as most bylaws say), under
the lot the secretary draws with ``secrets.SystemRandom`` and the draw is written in the
election's ``tie_note``. When every place is settled the result is adopted as a resolution and
each person placed gets an ``OfficeTerm`` for the election's term, pointing to both.
"""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.errors import DomainError
from coop.tenancy import Coop
from meetings import counting, election_ballots
from meetings.elections import (check_in_coop, claim_close, latest_round, move_status, open_round, open_round_of,
                                placement_now, round_candidates)
from meetings.models import (Candidate, Election, ElectionStatus, Meeting, OfficeTerm, Resolution, TieRule,
                             VoteRound, VotingMode)
from meetings.resolutions import adopt_resolution
from meetings.rules import rules_of


def _names(candidates: list[Candidate]) -> str:
    return ", ".join(c.member.full_name for c in candidates)


def _by_id(election: Election) -> dict[int, Candidate]:
    return {c.id: c for c in election.candidates}


def _round_text(vote_round: VoteRound, standing: list[Candidate]) -> str:
    ranked = sorted(standing, key=lambda c: (-c.votes, c.member.family_names))
    votes = "; ".join(f"{c.member.full_name}: {c.votes}" for c in ranked)
    if vote_round.number > 1:
        text = _("Runoff (round %(n)d). Votes: %(votes)s.", n=vote_round.number, votes=votes)
    else:
        text = _("Votes: %(votes)s.", votes=votes)
    if vote_round.mode == VotingMode.SECRET:
        text += " " + _("%(ballots)d ballots, %(blank)d blank.", ballots=vote_round.yes_count,
                        blank=vote_round.abstain_count)
    return text


def _tie_text(tie: counting.Tie, tied: list[Candidate]) -> str:
    if tie.for_seat:
        return ngettext("Tie at %(votes)d votes between %(names)s for %(num)d seat.",
                        "Tie at %(votes)d votes between %(names)s for %(num)d seats.",
                        tie.places, votes=tied[0].votes, names=_names(tied))
    return ngettext("Tie at %(votes)d votes between %(names)s for %(num)d alternate's place.",
                    "Tie at %(votes)d votes between %(names)s for %(num)d alternates' places.",
                    tie.places, votes=tied[0].votes, names=_names(tied))


def _place(election: Election, places: tuple[int, ...] | list[int]) -> None:
    candidates = _by_id(election)
    for index, candidate_id in enumerate(places[:election.seats + election.alternates]):
        candidates[candidate_id].elected_rank = index + 1
        candidates[candidate_id].is_alternate = index >= election.seats


def tie_rule(session: so.Session, coop: Coop, election: Election, tie: counting.Tie) -> TieRule:
    """How this tie is settled: the bylaws' rule, but by lot once the tied have had their runoff."""
    candidates = _by_id(election)
    if any(candidates[c].is_in_runoff for c in tie.candidates):
        return TieRule.LOT
    return rules_of(session, coop).election_tie_rule


def close_election(session: so.Session, actor: User | None, coop: Coop, election: Election, *,
                   now: dt.datetime) -> VoteRound:
    """Close the open round, count it, and fill the places (deciding the election if nothing is tied)."""
    check_in_coop(coop, election)
    vote_round = open_round_of(session, election)
    claim_close(session, vote_round, now)
    standing = round_candidates(election, vote_round)
    if vote_round.mode == VotingMode.SECRET:
        tally = election_ballots.tally(session, vote_round)
        for candidate in standing:
            candidate.votes = tally.votes.get(candidate.id, 0)
        vote_round.yes_count, vote_round.abstain_count = tally.ballots, tally.blank
    elif not any(c.votes for c in standing):
        raise DomainError(_l("Enter each candidate's votes before closing the round."))
    with force_locale(coop.locale):
        vote_round.outcome_text = _round_text(vote_round, standing)
    session.flush()
    audit.record(session, action="meetings.election_close", coop=coop, actor=actor, obj=election,
                 summary=election.position.name, details={"round": vote_round.number})
    _fill(session, actor, coop, election, now)
    return vote_round


def _fill(session: so.Session, actor: User | None, coop: Coop, election: Election, now: dt.datetime) -> None:
    placement = placement_now(election)
    _place(election, placement.places)
    if placement.tie is None:
        _decide(session, actor, coop, election, now)
        return
    election.status = ElectionStatus.COUNTED
    candidates = _by_id(election)
    with force_locale(coop.locale):
        line = _tie_text(placement.tie, [candidates[c] for c in placement.tie.candidates])
    round_ = latest_round(session, election)
    round_.outcome_text = f"{round_.outcome_text} {line}".strip()
    session.flush()


def settle_tie(session: so.Session, actor: User | None, coop: Coop, election: Election, *,
               mode: VotingMode | None = None, now: dt.datetime, rng=None) -> VoteRound | None:
    """Settle the tie the count stopped at: open the runoff (returned), or draw lots (None)."""
    check_in_coop(coop, election)
    placement = placement_now(election)
    if election.status != ElectionStatus.COUNTED or placement.tie is None:
        raise DomainError(_l("This election has no tie to settle."))
    tie, candidates = placement.tie, _by_id(election)
    tied = [candidates[c] for c in tie.candidates]
    if tie_rule(session, coop, election, tie) == TieRule.RUNOFF:
        number = latest_round(session, election).number + 1
        vote_round = open_round(session, actor, coop, election, session.get(Meeting, election.meeting_id),
                                 mode, number, now)
        for candidate in election.candidates:
            candidate.is_in_runoff = candidate.elected_rank is None and candidate.id in tie.candidates
        with force_locale(coop.locale):
            _note(election, _("%(tie)s Runoff among them in round %(n)d.", tie=_tie_text(tie, tied), n=number))
        session.flush()
        return vote_round
    # the draw happens once: a second press at the same moment finds the election moved on
    move_status(session, election, ElectionStatus.COUNTED, ElectionStatus.DECIDED)
    order = counting.draw_lots(tie, rng or secrets.SystemRandom())
    _place(election, list(placement.places) + order)
    with force_locale(coop.locale):
        _note(election, _("%(tie)s Lot drawn; the order drawn: %(order)s.", tie=_tie_text(tie, tied),
                          order=_names([candidates[c] for c in order])))
    session.flush()
    audit.record(session, action="meetings.election_lot", coop=coop, actor=actor, obj=election,
                 summary=election.position.name, details={"order": [candidates[c].member.number for c in order]})
    _fill(session, actor, coop, election, now)
    return None


def _note(election: Election, line: str) -> None:
    election.tie_note = f"{election.tie_note}\n{line}".strip()


def placed(election: Election) -> list[Candidate]:
    return sorted((c for c in election.candidates if c.elected_rank is not None), key=lambda c: c.elected_rank)


def _result_text(election: Election) -> str:
    people = placed(election)
    seats = [c for c in people if not c.is_alternate]
    alternates = [c for c in people if c.is_alternate]
    line = _("Elected to %(office)s for the term %(start)s to %(end)s: %(names)s.",
             office=election.position.name, start=election.term_starts_on.isoformat(),
             end=election.term_ends_on.isoformat(), names=_names(seats) or "-")
    if alternates:
        line += " " + _("Alternates, in order: %(names)s.", names=_names(alternates))
    if len(seats) < election.seats:
        line += " " + ngettext("%(num)d seat left empty: not enough candidates received votes.",
                               "%(num)d seats left empty: not enough candidates received votes.",
                               election.seats - len(seats))
    if election.tie_note:
        line += "\n" + election.tie_note
    return line


def _decide(session: so.Session, actor: User | None, coop: Coop, election: Election, now: dt.datetime) -> Resolution:
    meeting = session.get(Meeting, election.meeting_id)
    rounds = list(session.scalars(sa.select(VoteRound).where(VoteRound.election_id == election.id)
                                  .order_by(VoteRound.number)))
    with force_locale(coop.locale):
        resolution = adopt_resolution(
            session, coop, meeting, title=_("Election: %(office)s", office=election.position.name),
            text=_result_text(election), outcome_text="\n".join(r.outcome_text for r in rounds),
            decided_on=calendar.utc_to_local(coop, now).date(), round_id=rounds[-1].id if rounds else None,
            election_id=election.id)
    for candidate in placed(election):
        session.add(OfficeTerm(coop_id=coop.id, position_id=election.position_id, member_id=candidate.member_id,
                               is_alternate=candidate.is_alternate, starts_on=election.term_starts_on,
                               ends_on=election.term_ends_on, election_id=election.id, resolution_id=resolution.id))
    election.status = ElectionStatus.DECIDED
    session.flush()
    audit.record(session, action="meetings.election_decided", coop=coop, actor=actor, obj=election,
                 summary=f"{election.position.name} · {resolution.reference}",
                 details={"elected": [c.member.number for c in placed(election)]})
    return resolution


def resolution_of(session: so.Session, election: Election) -> Resolution | None:
    """The resolution that recorded the election's result, once decided."""
    return session.scalar(sa.select(Resolution).where(Resolution.election_id == election.id)
                          .order_by(Resolution.id.desc()).limit(1))
