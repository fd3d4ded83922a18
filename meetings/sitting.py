"""The meeting as it sits: people checked in and out at the door, alternates standing in for
absent representatives, the meeting opened on its first or second call and closed, the item
under debate, and what the hall screen shows.

Every change of presence locks the meeting's row first, so two secretaries checking people in
at two doors take turns: each recount (``quorum.refresh``) then sees the other's check-in, and
the moment quorum is reached or lost is recorded once. A check-in is also a conditional
``UPDATE`` (``... WHERE is_present = false``): the second tap on the same person is told, never
counted twice. Presence keeps its own history (``PresenceChange``), so the audit trail records
only the acts that shape the meeting (opening, closing, a stand-in), not hundreds of arrivals.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError
from coop.tenancy import Coop
from coop.text import fold, whole_number
from meetings import quorum
from meetings.models import (AgendaItem, Call, Election, Meeting, MeetingStatus, Motion, MotionVersion,
                             PresenceChange, Proxy, QuorumEvent, RollEntry, RollRole, RoundStatus, VoteRound)
from members import reports as member_reports
from members.models import Member

#: the statuses in which people come and go: the roll is frozen, the meeting not over
WITH_ROLL = frozenset({MeetingStatus.CONVENED, MeetingStatus.IN_SESSION})
#: the most people a check-in search shows at once (type more of the name for the rest)
SEARCH_LIMIT = 15
#: the roll's lines in their parts; made once, so the statements built from them are cached
_HOLDER, _STANDING_IN = so.aliased(RollEntry), so.aliased(RollEntry)
CALL_LABELS = {Call.FIRST: _l("first call"), Call.SECOND: _l("second call")}

audit.describe("meetings.open", _l("Meeting opened"))
audit.describe("meetings.close", _l("Meeting closed"))
audit.describe("meetings.stand_in", _l("Alternate stands in for a representative"))


# --- checks ---------------------------------------------------------------------------------------

def check_roll_open(meeting: Meeting) -> None:
    """People come and go (and give proxies) only while the roll is frozen and the meeting not over."""
    if meeting.status == MeetingStatus.DRAFT:
        raise DomainError(_l("The notice of this meeting has not been issued: there is no roll yet."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_l("This meeting was cancelled."))
    if meeting.status == MeetingStatus.CLOSED:
        raise DomainError(_l("This meeting is closed: its attendance can no longer change."))


def _lock(session: so.Session, meeting: Meeting) -> None:
    """Take the meeting's row lock (PostgreSQL; SQLite's single writer already serialises) and reread it."""
    session.refresh(meeting, with_for_update=True)


def entry_of(session: so.Session, meeting: Meeting, entry_id: int | None, field: str | None = None) -> RollEntry:
    """A line of this meeting's roll, or the refusal a person not on it gets."""
    entry = session.get(RollEntry, entry_id) if entry_id is not None else None
    if entry is None or entry.meeting_id != meeting.id:
        raise NotFoundError(_l("This person is not on this meeting's roll."), field=field)
    return entry


# --- finding people on the roll ---------------------------------------------------------------------

@dataclass(frozen=True)
class RollSearch:
    """A check-in search: the roll lines found, whether there are more, and a member of the
    register typed by number who is not on the roll (so the page can say so)."""

    entries: list[RollEntry]
    has_more: bool
    not_on_roll: Member | None = None


def find_on_roll(session: so.Session, meeting: Meeting, text: str, *, limit: int = SEARCH_LIMIT) -> RollSearch:
    """People on the roll by member number (exact, first) or by the words of their name."""
    text = (text or "").strip()
    number = whole_number(text)
    if number is not None:
        entries = list(session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id,
                                                                  RollEntry.number == number)))
        outsider = None
        if not entries:
            outsider = member_reports.member_by_number(session, _coop_of(session, meeting), number)
        return RollSearch(entries, False, outsider)
    words = re.findall(r"\w+", fold(text))[:6]  # "Family, Given" as the roll prints it reads too
    if not words:
        return RollSearch([], False)
    # the words are matched in the register (its folded search text) first, then those members
    # looked up on the roll by its unique (meeting, member) index
    matching = sa.select(Member.id).where(Member.coop_id == meeting.coop_id)
    for word in words:
        matching = matching.where(Member.search_text.contains(word, autoescape=True))
    found = list(session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id,
                                                            RollEntry.member_id.in_(matching))
                                 .order_by(RollEntry.name, RollEntry.number).limit(limit + 1)))
    return RollSearch(found[:limit], len(found) > limit)


def _coop_of(session: so.Session, meeting: Meeting) -> Coop:
    return session.get(Coop, meeting.coop_id)


@dataclass(frozen=True)
class EntryNotes:
    """What the check-in page says beside each person found: their proxy, their stand-in."""

    proxy_holder: dict[int, str]
    stands_in_for: dict[int, str]
    stood_in_by: dict[int, str]
    #: for a present alternate: the absent representatives of their block they may stand in for
    may_stand_in_for: dict[int, list[RollEntry]]


def notes_for(session: so.Session, meeting: Meeting, entries: list[RollEntry]) -> EntryNotes:
    """The notes beside the people found (the stand-ins asked only when representatives or alternates are among them)."""
    ids = [e.id for e in entries]
    proxies = dict(session.execute(
        sa.select(Proxy.grantor_id, _HOLDER.name).join(_HOLDER, _HOLDER.id == Proxy.holder_id)
        .where(Proxy.grantor_id.in_(ids))).all()) if ids else {}
    representatives = [e.id for e in entries if e.role == RollRole.REPRESENTATIVE]
    stood_in_by = dict(session.execute(sa.select(RollEntry.stands_in_for_id, RollEntry.name).where(
        RollEntry.meeting_id == meeting.id, RollEntry.stands_in_for_id.in_(representatives))).all()) \
        if representatives else {}
    standing = {e.id: e.stands_in_for_id for e in entries if e.stands_in_for_id}
    names = dict(session.execute(sa.select(RollEntry.id, RollEntry.name).where(
        RollEntry.id.in_(standing.values()))).all()) if standing else {}
    free = {e.id: absent_representatives(session, meeting, e.block) for e in entries
            if e.role == RollRole.ALTERNATE and e.is_present and not e.stands_in_for_id}
    return EntryNotes(proxies, {k: names.get(v, "") for k, v in standing.items()}, stood_in_by, free)


def absent_representatives(session: so.Session, meeting: Meeting, block: str) -> list[RollEntry]:
    """Representatives of ``block`` who are absent, may vote, and have nobody standing in yet."""
    standing = _STANDING_IN
    taken = sa.select(standing.stands_in_for_id).where(standing.meeting_id == meeting.id,
                                                       standing.stands_in_for_id.is_not(None))
    return list(session.scalars(sa.select(RollEntry).where(
        RollEntry.meeting_id == meeting.id, RollEntry.role == RollRole.REPRESENTATIVE, RollEntry.block == block,
        RollEntry.is_present.is_(False), RollEntry.may_vote.is_(True), RollEntry.id.not_in(taken))
        .order_by(RollEntry.name)))


# --- coming and going -----------------------------------------------------------------------------

def check_in(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, entry_id: int | None, *,
             now: dt.datetime) -> quorum.QuorumState:
    """Mark a person of the roll present; an alternate standing in for them steps back. The quorum now."""
    entry = entry_of(session, meeting, entry_id)
    _lock(session, meeting)
    check_roll_open(meeting)
    if not _set_presence(session, entry, True, now):
        raise DomainError(_l("%(name)s is already checked in.", name=entry.name))
    if entry.role == RollRole.REPRESENTATIVE:
        for alternate in session.scalars(sa.select(RollEntry).where(RollEntry.stands_in_for_id == entry.id)):
            _end_stand_in(alternate)
    return _record_presence(session, actor, coop, meeting, entry, True, now)


def check_out(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, entry_id: int | None, *,
              now: dt.datetime) -> quorum.QuorumState:
    """Mark a person of the roll gone; an alternate who leaves stops standing in. The quorum now."""
    entry = entry_of(session, meeting, entry_id)
    _lock(session, meeting)
    check_roll_open(meeting)
    if not _set_presence(session, entry, False, now):
        raise DomainError(_l("%(name)s is not checked in.", name=entry.name))
    if entry.stands_in_for_id is not None:
        _end_stand_in(entry)
    return _record_presence(session, actor, coop, meeting, entry, False, now)


def _set_presence(session: so.Session, entry: RollEntry, present: bool, now: dt.datetime) -> bool:
    """Change presence only if it is not so already (a conditional UPDATE); whether it changed."""
    moment = {"checked_in_dt": now} if present else {"checked_out_dt": now}
    changed = session.execute(
        sa.update(RollEntry).where(RollEntry.id == entry.id, RollEntry.is_present.is_(not present))
        .values(is_present=present, **moment).execution_options(synchronize_session=False)).rowcount
    session.expire(entry, ["is_present", "checked_in_dt", "checked_out_dt"])
    return changed == 1


def _end_stand_in(alternate: RollEntry) -> None:
    alternate.stands_in_for_id = None
    alternate.may_vote = False


def _record_presence(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, entry: RollEntry,
                     present: bool, now: dt.datetime) -> quorum.QuorumState:
    session.add(PresenceChange(coop_id=coop.id, meeting_id=meeting.id, entry_id=entry.id, is_present=present,
                               at_dt=now, recorded_by_id=actor.id if actor else None))
    session.flush()
    return quorum.refresh(session, coop, meeting, now)


def stand_in(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, alternate_id: int | None,
             representative_id: int | None, *, now: dt.datetime) -> RollEntry:
    """A present alternate takes the seat (and the vote) of an absent representative of their block."""
    alternate = entry_of(session, meeting, alternate_id)
    representative = entry_of(session, meeting, representative_id)
    _lock(session, meeting)
    check_roll_open(meeting)
    session.refresh(alternate)
    session.refresh(representative)
    _check_stand_in(session, meeting, alternate, representative)
    alternate.stands_in_for_id = representative.id
    alternate.may_vote = True
    session.flush()
    audit.record(session, action="meetings.stand_in", coop=coop, actor=actor, obj=alternate,
                 summary=f"{meeting.title} · {alternate.number}: {alternate.name} → {representative.number}: "
                         f"{representative.name}")
    quorum.refresh(session, coop, meeting, now)
    return alternate


def _check_stand_in(session: so.Session, meeting: Meeting, alternate: RollEntry, representative: RollEntry) -> None:
    if alternate.role != RollRole.ALTERNATE:
        raise DomainError(_l("%(name)s is not an alternate.", name=alternate.name))
    if alternate.ineligible_reason:
        raise DomainError(_l("%(name)s may not vote (%(reason)s), so cannot stand in.", name=alternate.name,
                             reason=alternate.ineligible_reason))
    if not alternate.is_present:
        raise DomainError(_l("Check %(name)s in first: only an alternate who is here stands in.", name=alternate.name))
    if alternate.stands_in_for_id is not None:
        raise DomainError(_l("%(name)s already stands in for a representative.", name=alternate.name))
    if representative.role != RollRole.REPRESENTATIVE or representative.block != alternate.block:
        raise DomainError(_l("An alternate stands in only for a representative of their own block (%(block)s).",
                             block=alternate.block or "—"))
    if representative.is_present:
        raise DomainError(_l("%(name)s is here: nobody stands in for them.", name=representative.name))
    if not representative.may_vote:
        raise DomainError(_l("%(name)s may not vote at this meeting: nobody stands in for them.",
                             name=representative.name))
    if session.scalar(sa.select(RollEntry.id).where(RollEntry.stands_in_for_id == representative.id)):
        raise DomainError(_l("Another alternate already stands in for %(name)s.", name=representative.name))
    if session.scalar(sa.select(Proxy.id).where(Proxy.grantor_id == representative.id)):
        raise DomainError(_l("%(name)s has given a proxy: the proxy holder represents them.", name=representative.name))


# --- opening, closing, the item under debate ------------------------------------------------------

def call_time(coop: Coop, meeting: Meeting, call: Call) -> str:
    moment = meeting.first_call_dt if call == Call.FIRST else meeting.second_call_dt
    return format_datetime(calendar.utc_to_local(coop, moment), "d MMM y, HH:mm", rebase=False) if moment else ""


def open_meeting(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, call: Call | str, *,
                 now: dt.datetime) -> quorum.QuorumState:
    """Open the meeting on its first or second call: the call's time has come and its quorum is there."""
    try:
        call = Call(call)
    except ValueError:
        raise DomainError(_l("Choose the first or the second call."), field="call") from None
    _lock(session, meeting)
    if meeting.status == MeetingStatus.IN_SESSION:
        raise DomainError(_l("The meeting is already open."))
    check_roll_open(meeting)
    moment = meeting.first_call_dt if call == Call.FIRST else meeting.second_call_dt
    if moment is None:
        raise DomainError(_l("This meeting has no second call."), field="call")
    if now < moment:
        raise DomainError(_l("The %(call)s is at %(time)s: the meeting cannot open on it before then.",
                             call=CALL_LABELS[call], time=call_time(coop, meeting, call)), field="call")
    now_state = quorum.state(session, coop, meeting, call)
    if not now_state.is_reached:
        raise DomainError(_l("There is no quorum for the %(call)s: %(required)d voters are needed and "
                             "%(counted)d are present or represented (%(missing)d missing).",
                             call=CALL_LABELS[call], required=now_state.required, counted=now_state.counted,
                             missing=now_state.missing), field="call")
    meeting.status, meeting.call, meeting.opened_dt, meeting.has_quorum = MeetingStatus.IN_SESSION, call, now, False
    session.flush()
    audit.record(session, action="meetings.open", coop=coop, actor=actor, obj=meeting, summary=meeting.title,
                 details={"call": call.value, "present": now_state.present, "represented": now_state.represented,
                          "required": now_state.required})
    return quorum.refresh(session, coop, meeting, now)  # records quorum reached at the opening


def open_round(session: so.Session, meeting: Meeting) -> VoteRound | None:
    return session.scalar(sa.select(VoteRound).where(VoteRound.meeting_id == meeting.id,
                                                     VoteRound.status == RoundStatus.OPEN).order_by(VoteRound.id))


def close_meeting(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, *,
                  now: dt.datetime) -> Meeting:
    """End the sitting: nothing more is voted; the minutes are written from here."""
    _lock(session, meeting)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise DomainError(_l("Only an open meeting can be closed."))
    if open_round(session, meeting) is not None:
        raise DomainError(_l("A vote is still open: close it before closing the meeting."))
    meeting.status, meeting.closed_dt, meeting.current_item_id = MeetingStatus.CLOSED, now, None
    session.flush()
    audit.record(session, action="meetings.close", coop=coop, actor=actor, obj=meeting, summary=meeting.title)
    return meeting


def set_current_item(session: so.Session, meeting: Meeting, item_id: int | None) -> AgendaItem | None:
    """The item under debate (None: between items), shown on the hall screen."""
    if meeting.status != MeetingStatus.IN_SESSION:
        raise DomainError(_l("The item under debate is chosen while the meeting sits."), field="item")
    item = session.get(AgendaItem, item_id) if item_id is not None else None
    if item_id is not None and (item is None or item.meeting_id != meeting.id):
        raise NotFoundError(_l("That item is not on this meeting's agenda."), field="item")
    meeting.current_item_id = item.id if item else None
    session.flush()
    return item


# --- reading: the quorum page and the hall screen -------------------------------------------------

def quorum_history(session: so.Session, meeting: Meeting) -> list[QuorumEvent]:
    return list(session.scalars(sa.select(QuorumEvent).where(QuorumEvent.meeting_id == meeting.id)
                                .order_by(QuorumEvent.at_dt, QuorumEvent.id)))


def presence_counts(session: so.Session, meeting: Meeting) -> tuple[int, int]:
    """(people checked in, lines on the roll), voters or not."""
    return session.execute(sa.select(sa.func.count().filter(RollEntry.is_present.is_(True)), sa.func.count())
                           .where(RollEntry.meeting_id == meeting.id)).one()


@dataclass(frozen=True)
class HallScreen:
    """What the projector shows."""

    meeting: Meeting
    item: AgendaItem | None
    quorum: quorum.QuorumState
    #: the vote open now: what is voted (a motion's title and text, or an election's office)
    voting_title: str = ""
    voting_text: str = ""
    #: once no vote is open: the latest result, in words
    outcome_text: str = ""
    outcome_title: str = ""


def hall_screen(session: so.Session, coop: Coop, meeting: Meeting) -> HallScreen:
    item = session.get(AgendaItem, meeting.current_item_id) if meeting.current_item_id else None
    state = quorum.state(session, coop, meeting)
    current = open_round(session, meeting)
    if current is not None:
        title, text = _what_is_voted(session, current)
        return HallScreen(meeting, item, state, voting_title=title, voting_text=text)
    latest = session.scalar(sa.select(VoteRound).where(VoteRound.meeting_id == meeting.id,
                                                       VoteRound.status == RoundStatus.CLOSED)
                            .order_by(VoteRound.closed_dt.desc(), VoteRound.id.desc()).limit(1))
    if latest is not None and latest.outcome_text:
        return HallScreen(meeting, item, state, outcome_title=_what_is_voted(session, latest)[0],
                          outcome_text=latest.outcome_text)
    return HallScreen(meeting, item, state)


def _what_is_voted(session: so.Session, round_: VoteRound) -> tuple[str, str]:
    if round_.motion_id is not None:
        motion = session.get(Motion, round_.motion_id)
        version = session.get(MotionVersion, round_.version_id) if round_.version_id else None
        return motion.title, version.text if version else motion.text
    election = session.get(Election, round_.election_id)
    return election.position.name, ""
