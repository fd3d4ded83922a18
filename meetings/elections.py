"""Elections at a meeting: candidates, the rounds of voting, the count, ties and the result.

An election fills one position's seats, then its alternates, in order of votes. Candidates are
active members, on the meeting's roll as voters once the roll is frozen. A round opens only while
the meeting sits with quorum, as a ``VoteRound`` naming the election: on paper (the secretary
enters each candidate's votes, which cannot exceed what the voters present could have marked) or
by secret ballot from the phone (``meetings.election_ballots``). Closing a round counts it
(``meetings.election_result``, over the pure ``meetings.counting``); where a tie straddles the
last seat or the last alternate's place the bylaws settle it by a runoff among the tied (a new
round; a runoff that ties again goes to lot) or by lot (the secretary draws, and the draw is
written down). Once every place is settled the result becomes a resolution and each person
placed an ``OfficeTerm``.

Words stored for the record (the rounds' outcome, the tie note, the resolution) are written in
the co-op's language, as the minutes are.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.tenancy import Coop
from meetings import counting, offices, quorum
from meetings.models import (AgendaItem, Candidate, Election, ElectionStatus, MajorityRule, Meeting, MeetingStatus,
                             Position, RollEntry, RoundStatus, VoteRound, VotingMode)
from members.models import Member

audit.describe("meetings.election_new", _l("Called an election"))
audit.describe("meetings.candidate_add", _l("Put a candidate forward in an election"))
audit.describe("meetings.candidate_remove", _l("Withdrew a candidate from an election"))
audit.describe("meetings.election_open", _l("Opened a round of an election"))
audit.describe("meetings.election_totals", _l("Entered the paper votes of an election"))
audit.describe("meetings.election_close", _l("Closed and counted a round of an election"))
audit.describe("meetings.election_lot", _l("Drew lots to settle a tie in an election"))
audit.describe("meetings.election_decided", _l("Recorded an election's result and the terms of office"))

STATUS_LABELS = {
    ElectionStatus.DRAFT: _l("Candidates being put forward"),
    ElectionStatus.VOTING: _l("Voting"),
    ElectionStatus.COUNTED: _l("Counted: a tie to settle"),
    ElectionStatus.DECIDED: _l("Decided"),
}
MODE_LABELS = {VotingMode.HANDS: _l("Paper ballots counted by hand"),
               VotingMode.SECRET: _l("Secret ballot on the phone")}
ELECTION_MODES = (VotingMode.HANDS, VotingMode.SECRET)
#: meetings at which an election may still be called
_OPEN_MEETING = (MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.IN_SESSION)


def check_in_coop(coop: Coop, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.coop_id != coop.id:
            raise DomainError(_l("There is no such record in this co-op."))


def meeting_day(coop: Coop, meeting: Meeting) -> dt.date:
    return calendar.utc_to_local(coop, meeting.first_call_dt).date()


def elections_of(session: so.Session, meeting: Meeting) -> list[Election]:
    return list(session.scalars(sa.select(Election).where(Election.meeting_id == meeting.id)
                                .options(so.joinedload(Election.position)).order_by(Election.id)))


# --- calling an election and its candidates --------------------------------------------------------

def new_election(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, *, position: Position | None,
                 seats: int | None = None, alternates: int | None = None, max_choices: int | None = None,
                 term_starts_on: dt.date | None = None, term_ends_on: dt.date | None = None,
                 item: AgendaItem | None = None) -> Election:
    """Call an election at ``meeting``; what is not given comes from the position (the term from the meeting's day)."""
    check_in_coop(coop, meeting, position, item)
    if meeting.status not in _OPEN_MEETING:
        raise DomainError(_l("This meeting is over or cancelled: it holds no more elections."))
    problems = Problems()
    if position is None or not position.is_active:
        problems.add(_l("Choose the office to elect."), "position")
        problems.raise_any()
    seats = position.seats if seats is None else seats
    alternates = position.alternates if alternates is None else alternates
    max_choices = seats if max_choices is None else max_choices
    starts = term_starts_on or meeting_day(coop, meeting)
    ends = term_ends_on or offices.term_end(position, starts)
    if not 1 <= seats <= offices.MAX_SEATS:
        problems.add(_l("Seats must be between 1 and %(max)d.", max=offices.MAX_SEATS), "seats")
    if not 0 <= alternates <= offices.MAX_SEATS:
        problems.add(_l("Alternates must be between 0 and %(max)d.", max=offices.MAX_SEATS), "alternates")
    if not 1 <= max_choices <= seats + max(alternates, 0):
        problems.add(_l("A ballot chooses at least one candidate and at most the seats plus the alternates."),
                     "max_choices")
    if ends < starts:
        problems.add(_l("A term cannot end before it starts."), "term_ends_on")
    if item is not None and item.meeting_id != meeting.id:
        problems.add(_l("Choose an item of this meeting's agenda."), "item")
    problems.raise_any()
    election = Election(coop_id=coop.id, meeting_id=meeting.id, position_id=position.id,
                        item_id=item.id if item else None, seats=seats, alternates=alternates,
                        max_choices=max_choices, term_starts_on=starts, term_ends_on=ends)
    session.add(election)
    session.flush()
    audit.record(session, action="meetings.election_new", coop=coop, actor=actor, obj=election,
                 summary=f"{position.name} · {meeting.title}", details={"seats": seats, "alternates": alternates})
    return election


def candidate_problem(session: so.Session, coop: Coop, election: Election, member: Member | None) -> str | None:
    """Why ``member`` may not stand in this election, or None."""
    meeting = session.get(Meeting, election.meeting_id)
    if not offices.eligible_member(member):
        return _("Only active members may stand.")
    held = offices.incompatible_term(session, coop, member, election.position.body,
                                     election.term_starts_on, election.term_ends_on)
    if held is not None:
        return _("%(name)s holds the office of %(office)s until %(end)s: no one sits on the board and the "
                 "oversight council at once.", name=member.full_name, office=held.position.name,
                 end=format_date(held.left_on or held.ends_on, "long"))
    if meeting.status != MeetingStatus.DRAFT:  # the roll is frozen: candidates come from its voters
        on_roll = session.scalar(sa.select(RollEntry.may_vote).where(
            RollEntry.meeting_id == meeting.id, RollEntry.member_id == member.id))
        if not on_roll:
            return _("%(name)s is not a voter on this meeting's roll.", name=member.full_name)
    return None


def add_candidate(session: so.Session, actor: User | None, coop: Coop, election: Election,
                  member: Member | None) -> Candidate:
    check_in_coop(coop, election, member)
    if election.status != ElectionStatus.DRAFT:
        raise DomainError(_l("Voting has begun: the candidates can no longer change."), field="member")
    if member is None:
        raise DomainError(_l("There is no member with this number."), field="member")
    problem = candidate_problem(session, coop, election, member)
    if problem:
        raise DomainError(problem, field="member")
    if any(c.member_id == member.id for c in election.candidates):
        raise DomainError(_l("%(name)s is already a candidate.", name=member.full_name), field="member")
    candidate = Candidate(coop_id=coop.id, member_id=member.id)
    election.candidates.append(candidate)
    session.flush()
    audit.record(session, action="meetings.candidate_add", coop=coop, actor=actor, obj=election,
                 summary=f"{election.position.name}: {member.number} {member.full_name}")
    return candidate


def remove_candidate(session: so.Session, actor: User | None, coop: Coop, election: Election,
                     candidate: Candidate | None) -> None:
    if candidate is None or candidate.election_id != election.id:
        raise DomainError(_l("Choose a candidate of this election."))
    if election.status != ElectionStatus.DRAFT:
        raise DomainError(_l("Voting has begun: the candidates can no longer change."))
    audit.record(session, action="meetings.candidate_remove", coop=coop, actor=actor, obj=election,
                 summary=f"{election.position.name}: {candidate.member.number} {candidate.member.full_name}")
    election.candidates.remove(candidate)
    session.flush()


# --- rounds --------------------------------------------------------------------------------------

def latest_round(session: so.Session, election: Election) -> VoteRound | None:
    return session.scalar(sa.select(VoteRound).where(VoteRound.election_id == election.id)
                          .order_by(VoteRound.number.desc()).limit(1))


def placement_now(election: Election) -> counting.Placement:
    """The count as the candidates' rows stand: places settled, the runoff's candidates, the rest."""
    placed = sorted((c for c in election.candidates if c.elected_rank is not None), key=lambda c: c.elected_rank)
    standings = {c.id: (1, c.votes) for c in election.candidates if c.elected_rank is None and c.is_in_runoff}
    standings.update({c.id: (0, c.votes) for c in election.candidates
                      if c.elected_rank is None and not c.is_in_runoff and c.votes > 0})
    return counting.place(standings, election.seats, election.alternates, [c.id for c in placed])


def round_candidates(election: Election, vote_round: VoteRound | None) -> list[Candidate]:
    """Who is on the ballot: everyone in the first round, the tied in a runoff."""
    if vote_round is None or vote_round.number == 1:
        return sorted(election.candidates, key=lambda c: (c.member.family_names, c.member.given_names))
    return sorted((c for c in election.candidates if c.is_in_runoff and c.elected_rank is None),
                  key=lambda c: (c.member.family_names, c.member.given_names))


def round_max_choices(election: Election, vote_round: VoteRound | None) -> int:
    """How many candidates a ballot may choose: the election's N; in a runoff, at most the places at stake."""
    if vote_round is None or vote_round.number == 1:
        return election.max_choices
    # the places at stake, from the places settled before the runoff (they stay put while it runs)
    settled = sum(1 for c in election.candidates if c.elected_rank is not None)
    boundary = election.seats if settled < election.seats else election.seats + election.alternates
    return max(min(election.max_choices, boundary - settled), 1)


def move_status(session: so.Session, election: Election, expected: ElectionStatus, new: ElectionStatus) -> None:
    """Move the election on with a conditional ``UPDATE``: of two secretaries pressing the same button
    at once, one moves it and the other is refused (the row lock queues the second on PostgreSQL)."""
    moved = session.execute(sa.update(Election).where(Election.id == election.id, Election.status == expected)
                            .values(status=new).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("Someone else changed this election a moment ago: look at it again."))
    so.attributes.set_committed_value(election, "status", new)


def open_round(session: so.Session, actor: User | None, coop: Coop, election: Election, meeting: Meeting,
               mode: VotingMode | None, number: int, now: dt.datetime) -> VoteRound:
    problems = Problems()
    if mode not in ELECTION_MODES:
        problems.add(_l("Choose how the votes are cast."), "mode")
    if meeting.status != MeetingStatus.IN_SESSION:
        problems.add(_l("The meeting is not in session: a vote opens only while it sits."))
    else:
        state = quorum.state(session, coop, meeting)
        if not state.is_reached:
            problems.add(_l("There is no quorum: %(counted)d voters present or represented, %(required)d needed.",
                            counted=state.counted, required=state.required))
    problems.raise_any()
    roll_voters, present, represented = quorum.counts(session, meeting)
    vote_round = VoteRound(coop_id=coop.id, meeting_id=meeting.id, election_id=election.id, number=number, mode=mode,
                           majority=MajorityRule.SIMPLE, abstentions_count=False, roll_voters=roll_voters,
                           present_voters=present + represented, opened_dt=now,
                           opened_by_id=actor.id if actor is not None else None)
    move_status(session, election, election.status, ElectionStatus.VOTING)
    session.add(vote_round)
    session.flush()
    audit.record(session, action="meetings.election_open", coop=coop, actor=actor, obj=election,
                 summary=election.position.name, details={"round": number, "mode": mode.value})
    return vote_round


def open_election(session: so.Session, actor: User | None, coop: Coop, election: Election, *,
                  mode: VotingMode | None, now: dt.datetime) -> VoteRound:
    """Open the first round: the meeting sits with quorum and someone stands."""
    check_in_coop(coop, election)
    if election.status != ElectionStatus.DRAFT:
        raise DomainError(_l("This election's voting has already begun."))
    if not election.candidates:
        raise DomainError(_l("Put at least one candidate forward first."))
    return open_round(session, actor, coop, election, session.get(Meeting, election.meeting_id), mode, 1, now)


def open_round_of(session: so.Session, election: Election) -> VoteRound:
    vote_round = latest_round(session, election)
    if vote_round is None or vote_round.status != RoundStatus.OPEN or election.status != ElectionStatus.VOTING:
        raise DomainError(_l("No round of this election is open."))
    return vote_round


def claim_close(session: so.Session, vote_round: VoteRound, now: dt.datetime) -> None:
    """Close the round with a conditional ``UPDATE``, so two presses of "close" count it once."""
    closed = session.execute(sa.update(VoteRound).where(VoteRound.id == vote_round.id,
                                                        VoteRound.status == RoundStatus.OPEN)
                             .values(status=RoundStatus.CLOSED, closed_dt=now)
                             .execution_options(synchronize_session=False)).rowcount
    if closed != 1:
        raise DomainError(_l("No round of this election is open."))
    so.attributes.set_committed_value(vote_round, "status", RoundStatus.CLOSED)
    so.attributes.set_committed_value(vote_round, "closed_dt", now)


def enter_totals(session: so.Session, actor: User | None, coop: Coop, election: Election,
                 votes: dict[int, int | None]) -> VoteRound:
    """The secretary's count of the paper ballots: each candidate's votes in the open round."""
    check_in_coop(coop, election)
    vote_round = open_round_of(session, election)
    if vote_round.mode != VotingMode.HANDS:
        raise DomainError(_l("This round is a secret ballot: its votes are counted from the ballots at close."))
    standing = round_candidates(election, vote_round)
    problems = Problems()
    for candidate in standing:
        if votes.get(candidate.id) is None:
            problems.add(_l("Write a whole number of votes (0 if none)."), f"c{candidate.id}")
    problems.raise_any()
    given = {c.id: votes[c.id] for c in standing}
    problem = counting.totals_problem(given, vote_round.present_voters, round_max_choices(election, vote_round))
    if problem == "negative":
        raise DomainError(_l("Votes cannot be negative."))
    if problem == "over_voters":
        raise DomainError(_l("No candidate can have more votes than the %(voters)d voters present and represented.",
                             voters=vote_round.present_voters))
    if problem == "over_ballots":
        raise DomainError(_l("These totals add up to more votes than %(voters)d voters choosing up to %(n)d each "
                             "could cast.", voters=vote_round.present_voters,
                             n=round_max_choices(election, vote_round)))
    for candidate in standing:
        candidate.votes = given[candidate.id]
    session.flush()
    audit.record(session, action="meetings.election_totals", coop=coop, actor=actor, obj=election,
                 summary=election.position.name, details={"round": vote_round.number, "votes": sum(given.values())})
    return vote_round
