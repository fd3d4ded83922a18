"""The live quorum: voters present, voters represented by a proxy, and how many the call needs.

A voter is a roll line that may vote. Present: checked in. Represented: absent, with a proxy
whose holder is present (a proxy whose holder has left represents nobody). A representative
for whom an alternate stands in is not counted: the alternate, present and voting, holds the
seat, so the roll keeps one voter per seat. The figures are
counted by the database each time they are asked for, so two secretaries checking people in at
two doors never disagree. ``refresh`` records a ``QuorumEvent`` whenever quorum is reached or
lost, and keeps ``Meeting.has_quorum``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.tenancy import Coop
from meetings.models import Call, Meeting, Proxy, QuorumEvent, RollEntry
from meetings.rules import required_for, rules_of


@dataclass(frozen=True)
class QuorumState:
    call: Call
    roll_voters: int
    present: int
    represented: int
    required: int

    @property
    def counted(self) -> int:
        return self.present + self.represented

    @property
    def is_reached(self) -> bool:
        return self.counted >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.counted, 0)


#: the roll's lines in their parts; made once, so the statements built from them are cached
_GRANTOR, _HOLDER = so.aliased(RollEntry), so.aliased(RollEntry)


def counts(session: so.Session, meeting: Meeting) -> tuple[int, int, int]:
    """(voters on the roll, voters present, voters represented by a present holder).

    An alternate standing in votes (``may_vote``) in the place of an absent representative, who
    still may vote on paper: each stand-in takes one voter off the roll's count, so it stays one
    per seat. (A representative is never present while someone stands in for them.)
    """
    voting = RollEntry.may_vote.is_(True)
    roll_voters, present, standing_in = session.execute(
        sa.select(sa.func.count().filter(voting), sa.func.count().filter(voting, RollEntry.is_present.is_(True)),
                  sa.func.count().filter(RollEntry.stands_in_for_id.is_not(None)))
        .where(RollEntry.meeting_id == meeting.id)).one()
    grantor, holder = _GRANTOR, _HOLDER
    represented = session.scalar(
        sa.select(sa.func.count()).select_from(Proxy)
        .join(grantor, grantor.id == Proxy.grantor_id).join(holder, holder.id == Proxy.holder_id)
        .where(Proxy.meeting_id == meeting.id, grantor.may_vote.is_(True), grantor.is_present.is_(False),
               holder.is_present.is_(True)))
    return roll_voters - standing_in, present, represented


def state(session: so.Session, coop: Coop, meeting: Meeting, call: Call | None = None) -> QuorumState:
    """The quorum now, for ``call`` (default: the call the meeting sits on, else the first)."""
    call = call or meeting.call or Call.FIRST
    roll_voters, present, represented = counts(session, meeting)
    return QuorumState(call=call, roll_voters=roll_voters, present=present, represented=represented,
                       required=required_for(rules_of(session, coop), roll_voters, call))


def refresh(session: so.Session, coop: Coop, meeting: Meeting, now: dt.datetime) -> QuorumState:
    """Recount after a check-in, a check-out or a proxy; record when quorum is reached or lost.

    Only a sitting meeting (opened on a call) keeps a quorum history.
    """
    current = state(session, coop, meeting)
    if meeting.call is not None and current.is_reached != meeting.has_quorum:
        meeting.has_quorum = current.is_reached
        session.add(QuorumEvent(coop_id=coop.id, meeting_id=meeting.id, is_reached=current.is_reached,
                                call=current.call, present=current.present, represented=current.represented,
                                required=current.required, at_dt=now))
        session.flush()
    return current
