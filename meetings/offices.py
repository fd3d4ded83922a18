"""The offices the co-op elects (positions) and the register of who held which office when.

A term (``OfficeTerm``) is made by an election's result, or recorded by hand for offices held
before the co-op used Ayllu. A term is never deleted: one that ends early (a resignation, a
removal, a death) keeps its planned end and gains the day the person left and why. A person is
in office on a day from the term's start, through its planned end, and before the day they left;
``in_office`` is the question the roll of a representatives' assembly and the minutes ask.

An office may sign the co-op's documents as its president or its secretary (``signs_as``): the
register answers ``coop.officers``, so a membership certificate names who held them on its day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, duplicates, officers
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.officers import Officer
from coop.paging import one_page
from coop.tenancy import Coop
from meetings.models import OfficeTerm, Position, PositionBody
from members.models import Member, MemberStatus

audit.describe("meetings.position_new", _l("Added an elected office"))
audit.describe("meetings.position_edit", _l("Changed an elected office"))
audit.describe("meetings.term_new", _l("Recorded a term of office by hand"))
audit.describe("meetings.term_end", _l("Ended a term of office early"))

BODY_LABELS = {
    PositionBody.BOARD: _l("Board (consejo de administración)"),
    PositionBody.OVERSIGHT: _l("Oversight council (consejo de vigilancia)"),
    PositionBody.REPRESENTATIVE: _l("Representatives"),
    PositionBody.COMMISSION: _l("Commission"),
    PositionBody.OTHER: _l("Other"),
}
SIGNS_AS_LABELS = {Officer.PRESIDENT: _l("President of the co-op"), Officer.SECRETARY: _l("Secretary of the co-op")}
duplicates.unique_rule("uq_position_coop_id_signs_as", _l("Another office already signs as this."), field="signs_as")
#: bounds the forms and the services share
MAX_SEATS = 500
MAX_TERM_MONTHS = 120
PAGE_SIZE = 50


@dataclass(frozen=True)
class PositionData:
    name: str
    body: PositionBody
    block: str = ""
    seats: int = 1
    alternates: int = 0
    term_months: int = 24
    is_active: bool = True
    signs_as: Officer | None = None


def positions(session: so.Session, coop: Coop, *, active_only: bool = False) -> list[Position]:
    query = sa.select(Position).where(Position.coop_id == coop.id)
    if active_only:
        query = query.where(Position.is_active.is_(True))
    return list(session.scalars(query.order_by(Position.body, Position.block, Position.name)))


def _check_position(session: so.Session, coop: Coop, data: PositionData, position: Position | None) -> None:
    problems = Problems()
    name = " ".join(data.name.split())
    if not name:
        problems.add(_l("Name the office."), "name")
    elif session.scalar(sa.select(Position.id).where(
            Position.coop_id == coop.id, sa.func.lower(Position.name) == name.lower(),
            Position.id != (position.id if position else -1))) is not None:
        problems.add(_l("There is already an office with this name."), "name")
    if not 1 <= data.seats <= MAX_SEATS:
        problems.add(_l("Seats must be between 1 and %(max)d.", max=MAX_SEATS), "seats")
    if not 0 <= data.alternates <= MAX_SEATS:
        problems.add(_l("Alternates must be between 0 and %(max)d.", max=MAX_SEATS), "alternates")
    if not 1 <= data.term_months <= MAX_TERM_MONTHS:
        problems.add(_l("The term must be between 1 and %(max)d months.", max=MAX_TERM_MONTHS), "term_months")
    if data.body == PositionBody.REPRESENTATIVE and not data.block.strip():
        problems.add(_l("A representatives' office answers for a block or sector: name it."), "block")
    if data.signs_as is not None and session.scalar(sa.select(Position.name).where(
            Position.coop_id == coop.id, Position.signs_as == data.signs_as,
            Position.id != (position.id if position else -1))) is not None:
        problems.add(_l("Another office already signs as this."), "signs_as")
    problems.raise_any()


def add_position(session: so.Session, actor: User | None, coop: Coop, data: PositionData) -> Position:
    _check_position(session, coop, data, None)
    position = Position(coop_id=coop.id, name=" ".join(data.name.split()), body=data.body,
                        block=data.block.strip(), seats=data.seats, alternates=data.alternates,
                        term_months=data.term_months, is_active=data.is_active, signs_as=data.signs_as)
    session.add(position)
    session.flush()
    audit.record(session, action="meetings.position_new", coop=coop, actor=actor, obj=position,
                 summary=position.name)
    return position


def edit_position(session: so.Session, actor: User | None, coop: Coop, position: Position,
                  data: PositionData) -> Position:
    _check_position(session, coop, data, position)
    values = {"name": " ".join(data.name.split()), "body": data.body, "block": data.block.strip(),
              "seats": data.seats, "alternates": data.alternates, "term_months": data.term_months,
              "is_active": data.is_active, "signs_as": data.signs_as}
    changes = audit.changes_between(position, values)
    for key, value in values.items():
        setattr(position, key, value)
    session.flush()
    if changes:
        audit.record(session, action="meetings.position_edit", coop=coop, actor=actor, obj=position,
                     summary=position.name, changes=changes)
    return position


# --- the register -----------------------------------------------------------------------------------

def _serving_on(day: dt.date):
    return sa.and_(OfficeTerm.starts_on <= day, OfficeTerm.ends_on >= day,
                   sa.or_(OfficeTerm.left_on.is_(None), OfficeTerm.left_on > day))


def in_office(session: so.Session, coop: Coop, day: dt.date, body: PositionBody | None = None, *,
              position: Position | None = None) -> list[OfficeTerm]:
    """The terms being served on ``day`` (of one body, or one position), office by office."""
    query = (sa.select(OfficeTerm).join(Position, Position.id == OfficeTerm.position_id)
             .join(Member, Member.id == OfficeTerm.member_id)
             .where(OfficeTerm.coop_id == coop.id, _serving_on(day))
             .options(so.contains_eager(OfficeTerm.position), so.contains_eager(OfficeTerm.member)))
    if body is not None:
        query = query.where(Position.body == body)
    if position is not None:
        query = query.where(Position.id == position.id)
    return list(session.scalars(query.order_by(Position.body, Position.block, Position.name,
                                               OfficeTerm.is_alternate, Member.family_names, Member.given_names)))


#: bodies no one may sit on at once: those who administer are not those who oversee them
INCOMPATIBLE = {PositionBody.BOARD: PositionBody.OVERSIGHT, PositionBody.OVERSIGHT: PositionBody.BOARD}


def incompatible_term(session: so.Session, coop: Coop, member: Member, body: PositionBody,
                      starts_on: dt.date, ends_on: dt.date) -> OfficeTerm | None:
    """A term of ``member`` in the body incompatible with ``body`` that is still served after
    ``starts_on`` (a term ending the day the new one starts, as at an assembly that renews both
    councils, does not count), or None."""
    other = INCOMPATIBLE.get(body)
    if other is None:
        return None
    return session.scalar(
        sa.select(OfficeTerm).join(Position, Position.id == OfficeTerm.position_id)
        .where(OfficeTerm.coop_id == coop.id, OfficeTerm.member_id == member.id, Position.body == other,
               OfficeTerm.starts_on <= ends_on, OfficeTerm.ends_on > starts_on,
               sa.or_(OfficeTerm.left_on.is_(None), OfficeTerm.left_on > starts_on))
        .options(so.contains_eager(OfficeTerm.position)).order_by(OfficeTerm.ends_on.desc()).limit(1))


def is_serving(term: OfficeTerm, day: dt.date) -> bool:
    return term.starts_on <= day <= term.ends_on and (term.left_on is None or term.left_on > day)


@dataclass(frozen=True)
class RegisterPage:
    terms: list[OfficeTerm]
    total: int


def _register_filter(coop: Coop, position_id: int | None, on_day: dt.date | None) -> list:
    where = [OfficeTerm.coop_id == coop.id]
    if position_id is not None:
        where.append(OfficeTerm.position_id == position_id)
    if on_day is not None:
        where.append(_serving_on(on_day))
    return where


def register(session: so.Session, coop: Coop, *, position_id: int | None = None, on_day: dt.date | None = None,
             page: int = 1) -> RegisterPage:
    """Every term, latest first; of one office, or those served on one day."""
    where = _register_filter(coop, position_id, on_day)
    total = session.scalar(sa.select(sa.func.count()).select_from(OfficeTerm).where(*where))
    terms = session.scalars(one_page(
        sa.select(OfficeTerm).where(*where)
        .options(so.joinedload(OfficeTerm.position), so.joinedload(OfficeTerm.member))
        .order_by(OfficeTerm.starts_on.desc(), OfficeTerm.position_id, OfficeTerm.is_alternate, OfficeTerm.id),
        page, PAGE_SIZE))
    return RegisterPage(list(terms), total)


def register_by_office(session: so.Session, coop: Coop, *, position_id: int | None = None,
                       on_day: dt.date | None = None) -> list[OfficeTerm]:
    """The register as printed: every term the page's filters match, office by office, latest first."""
    return list(session.scalars(
        sa.select(OfficeTerm).join(Position, Position.id == OfficeTerm.position_id)
        .join(Member, Member.id == OfficeTerm.member_id)
        .where(*_register_filter(coop, position_id, on_day))
        .options(so.contains_eager(OfficeTerm.position), so.contains_eager(OfficeTerm.member))
        .order_by(Position.body, Position.block, Position.name, OfficeTerm.starts_on.desc(),
                  OfficeTerm.is_alternate, Member.family_names, Member.given_names, OfficeTerm.id)))


def term_end(position: Position, starts_on: dt.date) -> dt.date:
    """A term's planned last day: the day before the same date ``term_months`` later."""
    return calendar.same_day_months_later(starts_on, position.term_months) - dt.timedelta(days=1)


def _check_dates(problems: Problems, starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if starts_on is None:
        problems.add(_l("Give the day the term starts."), "starts_on")
    if ends_on is None:
        problems.add(_l("Give the day the term ends."), "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        problems.add(_l("A term cannot end before it starts."), "ends_on")


def record_term(session: so.Session, actor: User | None, coop: Coop, *, position: Position, member: Member | None,
                starts_on: dt.date | None, ends_on: dt.date | None, is_alternate: bool = False,
                note: str = "") -> OfficeTerm:
    """Record a term by hand: one served before the co-op used Ayllu, or appointed outside an election."""
    problems = Problems()
    if position is None or position.coop_id != coop.id:
        problems.add(_l("Choose the office."), "position")
    if member is None or member.coop_id != coop.id:
        problems.add(_l("There is no member with this number."), "member")
    _check_dates(problems, starts_on, ends_on)
    problems.raise_any()
    term = OfficeTerm(coop_id=coop.id, position_id=position.id, member_id=member.id, is_alternate=is_alternate,
                      starts_on=starts_on, ends_on=ends_on, note=note.strip())
    session.add(term)
    session.flush()
    audit.record(session, action="meetings.term_new", coop=coop, actor=actor, obj=term,
                 summary=f"{position.name}: {member.number} {member.full_name}",
                 details={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return term


def end_term(session: so.Session, actor: User | None, coop: Coop, term: OfficeTerm, *, left_on: dt.date | None,
             reason: str) -> OfficeTerm:
    """A term ends before its planned end: the day the person left and why (the term stays on record)."""
    problems = Problems()
    if term.left_on is not None:
        raise DomainError(_l("This term already ended early."))
    if left_on is None:
        problems.add(_l("Give the day the person left the office."), "left_on")
    elif not term.starts_on <= left_on <= term.ends_on:
        problems.add(_l("The day must fall within the term (%(start)s to %(end)s).",
                        start=term.starts_on.isoformat(), end=term.ends_on.isoformat()), "left_on")
    if not reason.strip():
        problems.add(_l("Say why the term ends early (resigned, removed...)."), "reason")
    problems.raise_any()
    term.left_on, term.left_reason = left_on, reason.strip()
    session.flush()
    audit.record(session, action="meetings.term_end", coop=coop, actor=actor, obj=term,
                 summary=f"{term.position.name}: {term.member.number} {term.member.full_name}",
                 details={"left_on": left_on.isoformat()})
    return term


def eligible_member(member: Member | None) -> bool:
    return member is not None and member.status == MemberStatus.ACTIVE


# --- the provider the membership certificate asks (coop.officers) -----------------------------------

def signers_on(session: so.Session, coop: Coop, day: dt.date) -> tuple[str, str]:
    """The names of the president and the secretary in office on ``day`` ("" for one nobody holds),
    as the minutes' and the notice's signature lines print them."""
    held = _Officers().holders(session, coop, day)
    names = [held.get(officer) for officer in (Officer.PRESIDENT, Officer.SECRETARY)]
    return tuple(m.full_name if m is not None else "" for m in names)


class _Officers:
    """Who holds the offices that sign, as ``coop.officers`` asks."""

    def holders(self, session: so.Session, coop: Coop, day: dt.date) -> dict[Officer, Member]:
        rows = session.execute(
            sa.select(Position.signs_as, Member).join(OfficeTerm, OfficeTerm.position_id == Position.id)
            .join(Member, Member.id == OfficeTerm.member_id)
            .where(Position.coop_id == coop.id, Position.signs_as.is_not(None),
                   OfficeTerm.is_alternate.is_(False), _serving_on(day))
            .order_by(OfficeTerm.starts_on, OfficeTerm.id))
        # terms that overlap on a handover day: the one that started last is in office
        return {officer: member for officer, member in rows}


officers.provide(_Officers())
