"""The roll of a meeting: who is called and who may vote, frozen when the notice is issued.

Who is on it depends on the meeting:

- a members' general assembly: every active member, voters unless the bylaws bar them
  (``meetings.eligibility``), the reason beside each barred name;
- a representatives' general assembly (``MeetingRules.assembly_form``): the representatives in
  office on the meeting's day, and their alternates, who vote only while standing in for an
  absent representative of their block (``meetings.sitting``);
- a board or an oversight council meeting: the holders of that body's offices on the day;
- a commission meeting: the commission's standing members (Minga's ``CommissionMember``);
- a block assembly: the active members whose household has a lot in that block.

Each line copies the member's number and name (family names first, as the sheets sort them), so
the printed roll stays as it was frozen. The page reads it paged and searched here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import calendar
from coop.paging import count_of, one_page
from coop.text import fold, whole_number
from coop.tenancy import Coop
from meetings import eligibility
from meetings.models import (AssemblyForm, Meeting, MeetingKind, OfficeTerm, Position, PositionBody, RollEntry,
                             RollRole)
from meetings.rules import rules_of
from members.models import Lot, Member, MemberStatus
from minga.models import CommissionMember

ROLL_PAGE_SIZE = 50
ROLE_LABELS = {RollRole.MEMBER: _l("Member"), RollRole.REPRESENTATIVE: _l("Representative"),
               RollRole.ALTERNATE: _l("Alternate"), RollRole.OFFICER: _l("Office holder"),
               RollRole.COMMISSION: _l("Commission member")}
OFFICE_BODIES = {MeetingKind.BOARD: PositionBody.BOARD, MeetingKind.OVERSIGHT: PositionBody.OVERSIGHT}


@dataclass(frozen=True)
class RollLine:
    """One person as the roll will hold them."""

    member_id: int
    number: int
    name: str
    role: RollRole = RollRole.MEMBER
    may_vote: bool = True
    reason: str = ""
    block: str = ""


def meeting_day(coop: Coop, meeting: Meeting) -> dt.date:
    return calendar.utc_to_local(coop, meeting.first_call_dt).date()


def is_representatives(session: so.Session, coop: Coop, meeting: Meeting) -> bool:
    """A general assembly held through representatives, by the bylaws as they stand now."""
    return meeting.is_general and rules_of(session, coop).assembly_form == AssemblyForm.REPRESENTATIVES


def _name(member) -> str:
    """As the sheets sort it: "Quishpe Tipán, Rosa" (``member``: a Member or a row of its columns)."""
    return f"{member.family_names}, {member.given_names}"[:250]


def _judged(members, bars: eligibility.Bars, role: RollRole = RollRole.MEMBER) -> list[RollLine]:
    lines = []
    for member in members:
        reason = eligibility.bar_reason(bars, member.id, member.household_id)
        lines.append(RollLine(member.id, member.number, _name(member), role, not reason, reason))
    return lines


def _active(coop: Coop):
    """Active members' columns the roll copies (plain rows: 5,000 ORM objects cost a second)."""
    return (sa.select(Member.id, Member.number, Member.given_names, Member.family_names, Member.household_id)
            .where(Member.coop_id == coop.id, Member.status == MemberStatus.ACTIVE))


def _office_lines(session: so.Session, coop: Coop, day: dt.date, body: PositionBody, role: RollRole,
                  bars: eligibility.Bars | None) -> list[RollLine]:
    """The holders of ``body``'s offices on ``day``; alternates listed, without a vote of their own."""
    rows = session.execute(
        sa.select(OfficeTerm, Position, Member).join(Position, Position.id == OfficeTerm.position_id)
        .join(Member, Member.id == OfficeTerm.member_id)
        .where(OfficeTerm.coop_id == coop.id, Position.body == body, OfficeTerm.starts_on <= day,
               OfficeTerm.ends_on >= day, sa.or_(OfficeTerm.left_on.is_(None), OfficeTerm.left_on > day))
        .order_by(OfficeTerm.is_alternate, Member.number, OfficeTerm.id))
    lines: dict[int, RollLine] = {}
    for term, position, member in rows:
        if member.id in lines:  # two offices of one body: one line, the first (a seat before an alternate)
            continue
        if term.is_alternate:
            lines[member.id] = RollLine(member.id, member.number, _name(member), RollRole.ALTERNATE, False,
                                        _("Alternate: votes only standing in for an absent holder"), position.block)
            continue
        reason = eligibility.bar_reason(bars, member.id, member.household_id) if bars else ""
        lines[member.id] = RollLine(member.id, member.number, _name(member), role, not reason, reason, position.block)
    return sorted(lines.values(), key=lambda line: line.number)


def roll_lines(session: so.Session, coop: Coop, meeting: Meeting, as_of: dt.date) -> list[RollLine]:
    """Who the meeting's roll holds if frozen on ``as_of``, by member number (reasons in the current language)."""
    rules = rules_of(session, coop)
    day = meeting_day(coop, meeting)
    if meeting.kind in OFFICE_BODIES:
        return _office_lines(session, coop, day, OFFICE_BODIES[meeting.kind], RollRole.OFFICER, None)
    if meeting.kind == MeetingKind.COMMISSION:
        members = session.execute(_active(coop).join(CommissionMember, CommissionMember.member_id == Member.id)
                                  .where(CommissionMember.commission_id == meeting.commission_id)
                                  .order_by(Member.number))
        return [RollLine(m.id, m.number, _name(m), RollRole.COMMISSION) for m in members]
    language = (coop.locale or "es").split("_")[0]
    bars = eligibility.bars_of(session, coop, rules, as_of, language=language)
    if meeting.is_general and rules.assembly_form == AssemblyForm.REPRESENTATIVES:
        return _office_lines(session, coop, day, PositionBody.REPRESENTATIVE, RollRole.REPRESENTATIVE, bars)
    query = _active(coop)
    if meeting.kind == MeetingKind.BLOCK:
        in_block = sa.select(Lot.household_id).where(Lot.coop_id == coop.id, Lot.block == meeting.block,
                                                     Lot.household_id.is_not(None))
        query = query.where(Member.household_id.in_(in_block))
    return _judged(session.execute(query.order_by(Member.number)), bars)


def freeze_roll(session: so.Session, coop: Coop, meeting: Meeting, as_of: dt.date) -> int:
    """Write the meeting's roll (once: a meeting already holding a roll keeps it); the lines written.

    Reasons are written in the co-op's language: the roll is a record, read and printed as frozen.
    """
    if session.scalar(sa.select(RollEntry.id).where(RollEntry.meeting_id == meeting.id).limit(1)) is not None:
        return 0
    with force_locale(coop.format_locale((coop.locale or "es").split("_")[0])):
        lines = roll_lines(session, coop, meeting, as_of)
    meeting.is_representatives = is_representatives(session, coop, meeting)
    coop_id, meeting_id = coop.id, meeting.id  # read once: each read of a mapped attribute costs
    if lines:
        session.execute(sa.insert(RollEntry), [
            {"coop_id": coop_id, "meeting_id": meeting_id, "member_id": line.member_id, "role": line.role,
             "may_vote": line.may_vote, "ineligible_reason": line.reason, "block": line.block,
             "number": line.number, "name": line.name, "is_present": False, "proxies_held": 0}
            for line in lines])
    session.flush()
    return len(lines)


# --- reading the roll -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RollCounts:
    total: int
    voters: int

    @property
    def non_voters(self) -> int:
        return self.total - self.voters


def roll_counts(session: so.Session, meeting: Meeting) -> RollCounts:
    total, voters = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(RollEntry.may_vote.is_(True)))
        .where(RollEntry.meeting_id == meeting.id)).one()
    return RollCounts(total, voters)


VOTER_FILTERS = ("", "voters", "non_voters")


def _search(query: sa.Select, text: str) -> sa.Select:
    """A number finds that member; words find names holding each of them (accents as typed)."""
    number = whole_number(text)
    if number is not None:
        return query.where(RollEntry.number == number)
    for word in text.split()[:5]:
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(RollEntry.name).like(f"%{escaped}%", escape="\\"))
    return query


def roll_page(session: so.Session, meeting: Meeting, *, text: str = "", voters: str = "",
              page: int = 1) -> tuple[list[RollEntry], int]:
    """One page of the roll by member number, searched and filtered; and how many lines matched."""
    query = sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id)
    if text.strip():
        query = _search(query, text.strip())
    if voters == "voters":
        query = query.where(RollEntry.may_vote.is_(True))
    elif voters == "non_voters":
        query = query.where(RollEntry.may_vote.is_(False))
    found = count_of(session, query)
    entries = session.scalars(one_page(query.order_by(RollEntry.number, RollEntry.id), page, ROLL_PAGE_SIZE))
    return list(entries), found


def roll_entries(session: so.Session, meeting: Meeting, *, by_name: bool = False) -> list[RollEntry]:
    """The whole roll, by member number (or by name, as the sign-in sheet lists it: accents and
    capitals aside, so "de la Cruz" is among the D and "Álvarez" among the A)."""
    entries = list(session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id)
                                   .order_by(RollEntry.number, RollEntry.id)))
    if by_name:
        entries.sort(key=lambda entry: (fold(entry.name), entry.number))
    return entries
