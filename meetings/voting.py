"""Votes on motions: opening a round, the show of hands' totals, named and secret ballots (cast by
the voter on their phone, by their proxy holder, or by the secretary), and closing with the
outcome in words and numbers, which makes a carried motion a resolution.

A round opens only while the meeting sits with quorum; opening locks the majority rule, whether
abstentions count, the version of the text voted, the voters on the roll and the voters present
and represented. One vote per voter per round is the database's rule (the unique keys on ``vote``
and ``ballot_receipt``), never a count followed by an insert. A vote takes a shared lock on its
round (``FOR SHARE`` on PostgreSQL) and closing takes the round's write lock first, so a vote is
either counted or refused as late, never lost between the two; SQLite's single writer does the
same. A secret ballot writes, in one transaction, a receipt (who voted) and a ballot (what) that
share nothing: the ballot has a random key, a random id, no voter and no time, so its order says
nothing of the order of voting, and results stay hidden until the round closes.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError
from coop.tenancy import Coop
from meetings import majority, motions, quorum
from meetings.models import (BallotReceipt, Choice, Meeting, MeetingStatus, Motion, MotionStatus, MotionVersion,
                             Proxy, RollEntry, RoundStatus, SecretBallot, Vote, VoteRound, VotingMode)
from meetings.outcome import outcome_text
from meetings.resolutions import adopt_resolution
from meetings.rules import rules_of
from members.models import Member

audit.describe("meetings.vote_opened", _l("Opened a vote on a motion"))
audit.describe("meetings.vote_totals", _l("Entered the totals of a show of hands"))
audit.describe("meetings.vote_closed", _l("Closed a vote on a motion"))

MODE_LABELS = {
    VotingMode.HANDS: _l("Show of hands or paper: the secretary enters the totals"),
    VotingMode.NAMED: _l("Named vote: each voter's choice is recorded"),
    VotingMode.SECRET: _l("Secret ballot from the phone"),
}
CHOICE_LABELS = {Choice.YES: _l("Yes"), Choice.NO: _l("No"), Choice.ABSTAIN: _l("Abstain")}
#: the largest id a secret ballot may draw (PostgreSQL's integer)
_MAX_ID = 2**31 - 1


def _in_coop(coop: Coop, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.coop_id != coop.id:
            raise NotFoundError(_l("There is no such record in this co-op."))


# --- opening ---------------------------------------------------------------------------------------

def _check_can_open(session: so.Session, coop: Coop, meeting: Meeting, motion: Motion) -> quorum.QuorumState:
    if meeting.status != MeetingStatus.IN_SESSION:
        raise DomainError(_l("A vote opens only while the meeting is in session."))
    if motion.status not in motions.VOTABLE:
        raise DomainError(_l("A motion that is %(state)s cannot be put to the vote.",
                             state=str(motions.STATUS_LABELS[motion.status]).lower()))
    pending = motions.undecided_amendments(session, motion)
    if pending:
        raise DomainError(_l("Vote on the amendment “%(title)s” first: amendments are voted before their motion.",
                             title=pending[0].title))
    now_quorum = quorum.state(session, coop, meeting)
    if not now_quorum.is_reached:
        raise DomainError(_l("There is no quorum: %(counted)d present and represented, %(required)d required. "
                             "A vote cannot open without quorum.",
                             counted=now_quorum.counted, required=now_quorum.required))
    return now_quorum


def open_round(session: so.Session, actor: User | None, coop: Coop, motion: Motion, mode: VotingMode, *,
               now: dt.datetime) -> VoteRound:
    """Put ``motion`` to the vote in ``mode``, locking its rule, text and voters."""
    _in_coop(coop, motion)
    meeting = session.get(Meeting, motion.meeting_id)
    now_quorum = _check_can_open(session, coop, meeting, motion)
    # the motion's state moves with a conditional UPDATE: two secretaries opening at once open one round
    moved = session.execute(sa.update(Motion).where(Motion.id == motion.id, Motion.status.in_(motions.VOTABLE))
                            .values(status=MotionStatus.VOTING)
                            .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("This motion is already being voted."))
    session.refresh(motion)
    version = motion.versions[-1]
    number = (session.scalar(sa.select(sa.func.max(VoteRound.number)).where(VoteRound.motion_id == motion.id)) or 0) + 1
    vote_round = VoteRound(coop_id=coop.id, meeting_id=meeting.id, motion_id=motion.id, number=number, mode=mode,
                           majority=motion.majority, abstentions_count=rules_of(session, coop).abstentions_count,
                           version_id=version.id, roll_voters=now_quorum.roll_voters,
                           present_voters=now_quorum.counted, opened_dt=now,
                           opened_by_id=actor.id if actor else None)
    session.add(vote_round)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.vote_opened", obj=vote_round,
                 summary=motion.title, details={"mode": mode.value, "majority": motion.majority.value,
                                                "present_voters": vote_round.present_voters})
    return vote_round


# --- the show of hands -------------------------------------------------------------------------------

def enter_totals(session: so.Session, actor: User | None, coop: Coop, vote_round: VoteRound, *, yes: int | None,
                 no: int | None, abstain: int | None) -> VoteRound:
    """The secretary's count of a show of hands (or of paper ballots); may be entered again until close."""
    _in_coop(coop, vote_round)
    if vote_round.mode != VotingMode.HANDS:
        raise DomainError(_l("Totals are entered only for a show of hands; this vote counts its ballots."))
    _check_open(vote_round)
    values = {"yes": yes, "no": no, "abstain": abstain}
    for name, value in values.items():
        if value is None or value < 0:
            raise DomainError(_l("Type a whole number, 0 or more."), field=name)
    total = yes + no + abstain
    if total > vote_round.present_voters:
        raise DomainError(_l("These totals add up to %(total)d, more than the %(present)d voters present and "
                             "represented when the vote opened.", total=total, present=vote_round.present_voters),
                          field="yes")
    vote_round.yes_count, vote_round.no_count, vote_round.abstain_count = yes, no, abstain
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.vote_totals", obj=vote_round,
                 details={"yes": yes, "no": no, "abstain": abstain})
    return vote_round


def _check_open(vote_round: VoteRound) -> None:
    if vote_round.status != RoundStatus.OPEN:
        raise DomainError(_l("This vote is closed."))


# --- casting a vote --------------------------------------------------------------------------------

def holds_proxy(session: so.Session, grantor: RollEntry, holder: RollEntry) -> bool:
    """Whether ``holder`` holds ``grantor``'s proxy at their meeting."""
    return session.scalar(sa.select(Proxy.id).where(Proxy.meeting_id == grantor.meeting_id,
                                                    Proxy.grantor_id == grantor.id,
                                                    Proxy.holder_id == holder.id)) is not None


def _check_voter(session: so.Session, vote_round: VoteRound, voter: RollEntry, holder: RollEntry | None) -> None:
    if voter.meeting_id != vote_round.meeting_id:
        raise DomainError(_l("This person is not on this meeting's roll."), field="number")
    if not voter.may_vote:
        raise DomainError(_l("%(name)s may not vote at this meeting: %(reason)s.", name=voter.name,
                             reason=voter.ineligible_reason) if voter.ineligible_reason
                          else _l("%(name)s may not vote at this meeting.", name=voter.name), field="number")
    if holder is None:
        if not voter.is_present:
            raise DomainError(_l("%(name)s is not checked in: only those present vote, or their proxy holder "
                                 "for them.", name=voter.name), field="number")
        return
    if not holds_proxy(session, voter, holder):
        raise DomainError(_l("%(holder)s holds no proxy for %(name)s.", holder=holder.name, name=voter.name),
                          field="number")
    if not holder.is_present or not holder.may_vote:
        raise DomainError(_l("The proxy holder %(holder)s is not present: a proxy votes only through a holder "
                             "who is.", holder=holder.name), field="number")
    if voter.is_present:
        raise DomainError(_l("%(name)s is present and votes in person, not by proxy.", name=voter.name),
                          field="number")


def _already_voted(voter: RollEntry, holder: RollEntry | None, by_office: bool) -> DomainError:
    if by_office:
        return DomainError(_l("%(name)s has already voted in this vote.", name=voter.name), field="number")
    if holder is not None:
        return DomainError(_l("The vote of %(name)s has already been cast.", name=voter.name), field="number")
    return DomainError(_l("You have already voted."), field="number")


def has_voted(session: so.Session, vote_round: VoteRound, voter_ids: list[int]) -> set[int]:
    """Which of these roll lines have voted in the round (a named vote or a secret-ballot receipt)."""
    if not voter_ids:
        return set()
    table = BallotReceipt if vote_round.mode == VotingMode.SECRET else Vote
    return set(session.scalars(sa.select(table.voter_id).where(table.round_id == vote_round.id,
                                                               table.voter_id.in_(voter_ids))))


def _lock_open(session: so.Session, vote_round: VoteRound) -> None:
    """Hold the round open while the vote is written: closing waits for this transaction."""
    status = session.scalar(sa.select(VoteRound.status).where(VoteRound.id == vote_round.id)
                            .with_for_update(read=True))
    if status != RoundStatus.OPEN:
        raise DomainError(_l("This vote is closed."))


def _write_ballot(session: so.Session, vote_round: VoteRound, voter: RollEntry, choice: Choice,
                  holder: RollEntry | None, actor: User | None, now: dt.datetime) -> None:
    if vote_round.mode == VotingMode.NAMED:
        session.add(Vote(coop_id=vote_round.coop_id, round_id=vote_round.id, voter_id=voter.id, choice=choice,
                         by_proxy_id=holder.id if holder else None, recorded_by_id=actor.id if actor else None,
                         cast_dt=now))
        session.flush()
        return
    session.add(BallotReceipt(coop_id=vote_round.coop_id, round_id=vote_round.id, voter_id=voter.id, cast_dt=now))
    session.flush()
    _add_secret_ballot(session, vote_round, choice)


def _add_secret_ballot(session: so.Session, vote_round: VoteRound, choice: Choice) -> None:
    """The ballot itself: a random id (a counter's order would follow the receipts'), a random key."""
    for _attempt in range(5):
        try:
            with session.begin_nested():
                session.add(SecretBallot(id=secrets.randbelow(_MAX_ID) + 1, coop_id=vote_round.coop_id,
                                         round_id=vote_round.id, ballot_key=secrets.token_hex(16), choice=choice))
            return
        except sa.exc.IntegrityError:
            continue  # the random id was taken: draw again
    raise RuntimeError("could not draw a free id for a secret ballot")


def cast_vote(session: so.Session, actor: User | None, coop: Coop, vote_round: VoteRound, voter: RollEntry,
              choice: Choice, *, holder: RollEntry | None = None, by_office: bool = False,
              now: dt.datetime) -> None:
    """Record ``voter``'s vote: in person (present), or by ``holder``, their present proxy holder.

    ``by_office``: the secretary records it (the messages name the voter). Refuses a closed round,
    a show of hands, someone absent or not a voter, a proxy not held, and a second vote.
    """
    _in_coop(coop, vote_round, voter, holder)
    if vote_round.motion_id is None:
        raise DomainError(_l("This is an election: vote on its ballot."))
    if vote_round.mode == VotingMode.HANDS:
        raise DomainError(_l("This vote is by show of hands: the secretary enters the totals."))
    _check_open(vote_round)
    _check_voter(session, vote_round, voter, holder)
    # no "has voted?" read first: the unique key answers a second vote in the same statement
    try:
        with session.begin_nested():
            _lock_open(session, vote_round)
            _write_ballot(session, vote_round, voter, Choice(choice), holder, actor, now)
    except sa.exc.IntegrityError:
        # the same voter's other request at the same instant was first: the unique key said no
        raise _already_voted(voter, holder, by_office) from None


def record_vote(session: so.Session, actor: User | None, coop: Coop, vote_round: VoteRound, number: int | None,
                choice: Choice, *, now: dt.datetime) -> RollEntry:
    """The secretary records a voter's choice by member number; an absent voter's through the present
    holder of their proxy. Returns the voter's roll line."""
    if number is None:
        raise DomainError(_l("Type the voter's member number."), field="number")
    voter = session.scalar(sa.select(RollEntry).where(RollEntry.meeting_id == vote_round.meeting_id,
                                                      RollEntry.number == number))
    if voter is None:
        raise DomainError(_l("Number %(number)d is not on this meeting's roll.", number=number), field="number")
    holder = None
    if not voter.is_present:
        proxy = session.scalar(sa.select(Proxy).where(Proxy.meeting_id == voter.meeting_id,
                                                      Proxy.grantor_id == voter.id))
        holder = session.get(RollEntry, proxy.holder_id) if proxy is not None else None
    cast_vote(session, actor, coop, vote_round, voter, choice, holder=holder, by_office=True, now=now)
    return voter


# --- closing ---------------------------------------------------------------------------------------

def count_round(session: so.Session, vote_round: VoteRound) -> majority.Tally:
    """The round's totals: the secretary's (hands), else counted from the rows."""
    if vote_round.mode == VotingMode.HANDS:
        return majority.Tally(vote_round.yes_count, vote_round.no_count, vote_round.abstain_count)
    table = SecretBallot if vote_round.mode == VotingMode.SECRET else Vote
    counted = dict(session.execute(sa.select(table.choice, sa.func.count()).where(table.round_id == vote_round.id)
                                   .group_by(table.choice)).all())
    return majority.Tally(counted.get(Choice.YES, 0), counted.get(Choice.NO, 0), counted.get(Choice.ABSTAIN, 0))


def _decide(session: so.Session, coop: Coop, vote_round: VoteRound, tally: majority.Tally,
            casting_vote: Choice | None) -> majority.Outcome:
    locked = {"abstentions_count": vote_round.abstentions_count, "present_voters": vote_round.present_voters,
              "roll_voters": vote_round.roll_voters}
    if majority.is_tie(vote_round.majority, tally, abstentions_count=vote_round.abstentions_count):
        if not rules_of(session, coop).chair_has_casting_vote:
            casting_vote = None  # the bylaws give no casting vote: a tie is not carried
        elif casting_vote not in (Choice.YES, Choice.NO):
            raise DomainError(_l("It is a tie, %(yes)d to %(no)d: record the chair's casting vote to close it.",
                                 yes=tally.yes, no=tally.cast(vote_round.abstentions_count) - tally.yes),
                              field="casting_vote")
    return majority.decide(vote_round.majority, tally, casting_vote=casting_vote, **locked)


def close_round(session: so.Session, actor: User | None, coop: Coop, vote_round: VoteRound, *,
                casting_vote: Choice | None = None, now: dt.datetime) -> VoteRound:
    """Close the vote, count it and say the outcome; a carried motion becomes a resolution, a
    carried amendment its motion's next version."""
    _in_coop(coop, vote_round)
    if vote_round.motion_id is None:
        raise DomainError(_l("This is an election: close it on its page."))
    _check_open(vote_round)
    if vote_round.mode == VotingMode.HANDS and not (vote_round.yes_count + vote_round.no_count
                                                     + vote_round.abstain_count):
        raise DomainError(_l("Enter the totals of the show of hands before closing the vote."), field="yes")
    with session.begin_nested():
        # the write lock first: votes still being written finish (and are counted), later ones are refused
        closed = session.execute(sa.update(VoteRound).where(VoteRound.id == vote_round.id,
                                                            VoteRound.status == RoundStatus.OPEN)
                                 .values(status=RoundStatus.CLOSED, closed_dt=now)
                                 .execution_options(synchronize_session=False)).rowcount
        if closed != 1:
            raise DomainError(_l("This vote is closed."))
        session.refresh(vote_round)
        tally = count_round(session, vote_round)
        outcome = _decide(session, coop, vote_round, tally, casting_vote)
        vote_round.yes_count, vote_round.no_count, vote_round.abstain_count = tally.yes, tally.no, tally.abstain
        vote_round.is_carried, vote_round.required = outcome.is_carried, outcome.required
        vote_round.casting_vote = outcome.casting_vote
        vote_round.outcome_text = outcome_text(vote_round, outcome)
        motion = session.get(Motion, vote_round.motion_id)
        motion.status = MotionStatus.CARRIED if outcome.is_carried else MotionStatus.DEFEATED
        session.flush()
        if outcome.is_carried:
            _carry(session, coop, motion, vote_round, now)
    audit.record(session, coop=coop, actor=actor, action="meetings.vote_closed", obj=vote_round,
                 summary=motion.title, details={"yes": tally.yes, "no": tally.no, "abstain": tally.abstain,
                                                "carried": outcome.is_carried})
    return vote_round


def _carry(session: so.Session, coop: Coop, motion: Motion, vote_round: VoteRound, now: dt.datetime) -> None:
    voted = session.get(MotionVersion, vote_round.version_id)
    text = voted.text if voted is not None else motion.text
    if motion.amends_id is not None:
        motions.add_version(session, session.get(Motion, motion.amends_id), text, motion, now)
        return
    meeting = session.get(Meeting, motion.meeting_id)
    adopt_resolution(session, coop, meeting, title=motion.title, text=text,
                     decided_on=calendar.utc_to_local(coop, now).date(), outcome_text=vote_round.outcome_text,
                     motion_id=motion.id, round_id=vote_round.id)


# --- what a voter sees ---------------------------------------------------------------------------------

@dataclass
class BallotSheet:
    """What one person may vote in a round: their own vote and those of the proxies they hold."""

    entry: RollEntry | None
    #: why they cannot vote in person ("" when they can, or have)
    reason: str = ""
    has_voted: bool = False
    #: (grantor's roll line, whether their vote is cast) for each proxy held
    proxies: list[tuple[RollEntry, bool]] = field(default_factory=list)

    @property
    def may_vote(self) -> bool:
        return self.entry is not None and not self.reason and not self.has_voted

    @property
    def open_proxies(self) -> list[RollEntry]:
        return [grantor for grantor, voted in self.proxies if not voted]

    @property
    def has_anything(self) -> bool:
        """Whether there is a vote left for this person to cast."""
        return self.may_vote or bool(self.open_proxies)


def _reason(entry: RollEntry | None) -> str:
    if entry is None:
        return str(_l("You are not on this meeting's roll."))
    if not entry.may_vote:
        return str(_l("You may not vote at this meeting: %(reason)s.", reason=entry.ineligible_reason)
                   if entry.ineligible_reason else _l("You may not vote at this meeting."))
    if not entry.is_present:
        return str(_l("You are not checked in: ask at the door, then vote here."))
    return ""


def ballot_sheet(session: so.Session, vote_round: VoteRound, member_id: int | None) -> BallotSheet:
    """The reader's ballot in the round: may they vote, have they, and for whom else (proxies)."""
    entry = session.scalar(sa.select(RollEntry).where(RollEntry.meeting_id == vote_round.meeting_id,
                                                      RollEntry.member_id == member_id)) if member_id else None
    sheet = BallotSheet(entry=entry, reason=_reason(entry))
    if entry is None:
        return sheet
    grantors = []
    if entry.is_present and entry.may_vote:
        grantors = list(session.scalars(
            sa.select(RollEntry).join(Proxy, Proxy.grantor_id == RollEntry.id)
            .where(Proxy.holder_id == entry.id, RollEntry.is_present.is_(False), RollEntry.may_vote.is_(True))
            .order_by(RollEntry.number)))
    voted = has_voted(session, vote_round, [entry.id] + [g.id for g in grantors])
    sheet.has_voted = entry.id in voted
    if sheet.has_voted:
        sheet.reason = ""
    sheet.proxies = [(grantor, grantor.id in voted) for grantor in grantors]
    return sheet


def own_roll_entry(session: so.Session, vote_round: VoteRound, user_id: int) -> RollEntry | None:
    """The roll line, at the round's meeting, of the member the user is (one query)."""
    return session.scalar(sa.select(RollEntry).join(Member, Member.id == RollEntry.member_id)
                          .where(RollEntry.meeting_id == vote_round.meeting_id, Member.user_id == user_id))


def open_rounds(session: so.Session, meeting: Meeting) -> list[VoteRound]:
    """The meeting's votes on motions now open (oldest first)."""
    return list(session.scalars(sa.select(VoteRound).where(VoteRound.meeting_id == meeting.id,
                                                           VoteRound.motion_id.is_not(None),
                                                           VoteRound.status == RoundStatus.OPEN)
                                .order_by(VoteRound.id)))


def rounds_of(session: so.Session, motion: Motion) -> list[VoteRound]:
    return list(session.scalars(sa.select(VoteRound).where(VoteRound.motion_id == motion.id).order_by(VoteRound.id)))


def ballots_cast(session: so.Session, vote_round: VoteRound) -> int:
    """How many have voted so far (receipts or named votes): shown while a secret vote is open."""
    table = BallotReceipt if vote_round.mode == VotingMode.SECRET else Vote
    return session.scalar(sa.select(sa.func.count()).select_from(table).where(table.round_id == vote_round.id))


def named_votes(session: so.Session, vote_round: VoteRound) -> list:
    """A named vote's votes with their voters, by member number (never for a secret ballot)."""
    if vote_round.mode != VotingMode.NAMED:
        return []
    return list(session.execute(sa.select(Vote, RollEntry).join(RollEntry, RollEntry.id == Vote.voter_id)
                                .where(Vote.round_id == vote_round.id).order_by(RollEntry.number)).all())
