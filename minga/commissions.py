"""Work commissions: their name and purpose, their standing members and their coordinators.

A commission's coordinators are not a column of it: they are people of the co-op holding the
coordinator role within the commission's scope (``coop.tenancy`` grants and revokes it, and
``coop.access`` then lets them manage only that commission's sessions). Standing members are
members of the register who belong to the commission between sessions. Every change is in the
audit trail; a commission is never deleted, only made inactive, so its history stays readable.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, duplicates, tenancy
from coop.access import Viewer
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop, CoopRole, Role, Scope
from members.models import Member, MemberStatus
from minga.models import Commission, CommissionMember, SessionStatus, WorkSession
from minga.permissions import COMMISSION_SCOPE, MANAGE_SESSIONS

#: members who may stand in a commission: those of the register today
CURRENT_STATUSES = (MemberStatus.ACTIVE, MemberStatus.SUSPENDED)
#: the coming sessions shown beside each commission in the list
NEXT_SESSIONS = 3

audit.describe("minga.commission", _l("Commission changed"))
audit.describe("minga.commission_member", _l("Standing member of a commission changed"))
audit.describe("minga.coordinator", _l("Coordinator of a commission changed"))
for _field, _label in (("name", _l("Name")), ("purpose", _l("Purpose")), ("is_active", _l("Active")),
                       ("is_capital_work", _l("Hours valued as share capital")),
                       ("is_office_work", _l("Office work (horas funcionales)"))):
    audit.describe_field(_field, _label, on="commission")
duplicates.unique_rule("uq_commission_coop_id_name", _l("Another commission already has this name."), field="name")


@dataclass
class CommissionData:
    """What the secretary writes about a commission."""

    name: str
    purpose: str = ""
    is_active: bool = True
    #: its hours are valued as share capital (construction)
    is_capital_work: bool = False
    #: office work: horas funcionales
    is_office_work: bool = False


@dataclass
class CommissionSummary:
    """A commission as the list shows it: its coordinators' names and its next sessions."""

    commission: Commission
    coordinators: list[str] = field(default_factory=list)
    next_sessions: list[WorkSession] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------

def commissions(session: so.Session, coop: Coop, *, active_only: bool = False) -> list[Commission]:
    """The co-op's commissions, active ones first, then by name."""
    query = sa.select(Commission).where(Commission.coop_id == coop.id)
    if active_only:
        query = query.where(Commission.is_active.is_(True))
    return list(session.scalars(query.order_by(Commission.is_active.desc(), Commission.name)))


def own_commission(coop: Coop, commission: Commission | None) -> Commission:
    """The commission, when it is the co-op's; else ``NotFoundError``."""
    if commission is None or commission.coop_id != coop.id:
        raise NotFoundError(_l("There is no such commission."), field="commission")
    return commission


def coordinators_of(session: so.Session, coop: Coop, commission: Commission) -> list[User]:
    """The people holding the coordinator role for this commission, by name."""
    own_commission(coop, commission)
    return list(session.scalars(
        sa.select(User).join(CoopRole, CoopRole.user_id == User.id).where(
            CoopRole.coop_id == coop.id, CoopRole.role == Role.COORDINATOR,
            CoopRole.scope_kind == COMMISSION_SCOPE, CoopRole.scope_id == commission.id)
        .order_by(User.name, User.id)))


def coordinator_names(session: so.Session, coop: Coop) -> dict[int, list[str]]:
    """Commission id -> its coordinators' names, for every commission at once (one query)."""
    names: dict[int, list[str]] = {}
    for scope_id, name in session.execute(
            sa.select(CoopRole.scope_id, User.name).join(User, User.id == CoopRole.user_id).where(
                CoopRole.coop_id == coop.id, CoopRole.role == Role.COORDINATOR,
                CoopRole.scope_kind == COMMISSION_SCOPE).order_by(User.name)):
        names.setdefault(scope_id, []).append(name)
    return names


def next_sessions(session: so.Session, coop: Coop, *, now: dt.datetime, commission_ids=None,
                  per_commission: int = NEXT_SESSIONS) -> dict[int, list[WorkSession]]:
    """Commission id -> its next open or closed sessions (not drafts), soonest first.

    One query: each commission's sessions are numbered in order and only the first few read, so
    a commission with a year of weekly sessions planned costs no more than one with three.
    """
    query = sa.select(WorkSession.id, sa.func.row_number().over(
        partition_by=WorkSession.commission_id, order_by=(WorkSession.starts_dt, WorkSession.id)).label("rank")).where(
        WorkSession.coop_id == coop.id, WorkSession.ends_dt >= now,
        WorkSession.status.in_((SessionStatus.OPEN, SessionStatus.CLOSED)))
    if commission_ids is not None:
        query = query.where(WorkSession.commission_id.in_(commission_ids))
    ranked = query.subquery()
    found: dict[int, list[WorkSession]] = {}
    for work_session in session.scalars(
            sa.select(WorkSession).join(ranked, ranked.c.id == WorkSession.id)
            .where(ranked.c.rank <= per_commission).order_by(WorkSession.starts_dt, WorkSession.id)):
        found.setdefault(work_session.commission_id, []).append(work_session)
    return found


def commission_summaries(session: so.Session, coop: Coop, *, now: dt.datetime | None = None) -> list[CommissionSummary]:
    """Every commission with its coordinators and next sessions (three queries in all)."""
    now = now or utcnow()
    names = coordinator_names(session, coop)
    coming = next_sessions(session, coop, now=now)
    return [CommissionSummary(commission, names.get(commission.id, []), coming.get(commission.id, []))
            for commission in commissions(session, coop)]


def standing_members(session: so.Session, commission: Commission) -> list[CommissionMember]:
    """A commission's standing members, by family name."""
    return list(session.scalars(
        sa.select(CommissionMember).join(Member, Member.id == CommissionMember.member_id)
        .where(CommissionMember.commission_id == commission.id)
        .options(so.contains_eager(CommissionMember.member))
        .order_by(Member.family_names, Member.given_names, Member.id)))


def managed_commission_ids(viewer: Viewer) -> frozenset[int] | None:
    """The commissions whose sessions this viewer manages: None for all of them."""
    return viewer.scope_ids(MANAGE_SESSIONS)


def people_choices(session: so.Session, coop: Coop) -> list[tuple[int, str]]:
    """(user id, "name <e-mail>") of the co-op's people, to choose a coordinator among."""
    return [(user.id, f"{user.name} <{user.email}>") for user, _grants in tenancy.people_of(session, coop)]


# --- writing ------------------------------------------------------------------------------------

def _check(session: so.Session, coop: Coop, data: CommissionData, commission: Commission | None) -> dict:
    problems = Problems()
    name = " ".join((data.name or "").split())
    if not name:
        problems.add(_l("Give the commission a name, as members know it."), field="name")
    elif len(name) > 120:
        problems.add(_l("A name has at most 120 characters."), field="name")
    elif session.scalar(sa.select(Commission.id).where(
            Commission.coop_id == coop.id, sa.func.lower(Commission.name) == name.lower(),
            Commission.id != (commission.id if commission is not None else -1))) is not None:
        problems.add(_l("Another commission already has this name."), field="name")
    purpose = (data.purpose or "").strip()
    if len(purpose) > 4000:
        problems.add(_l("A purpose has at most 4,000 characters."), field="purpose")
    problems.raise_any()
    return {"name": name, "purpose": purpose, "is_active": bool(data.is_active),
            "is_capital_work": bool(data.is_capital_work), "is_office_work": bool(data.is_office_work)}


def _flush(session: so.Session) -> None:
    try:
        with session.begin_nested():  # the unique name settles a race with another secretary
            session.flush()
    except sa.exc.IntegrityError:
        raise DomainError(_l("Another commission already has this name."), field="name") from None


def create_commission(session: so.Session, actor: User | None, coop: Coop, data: CommissionData) -> Commission:
    """Record a new work commission."""
    values = _check(session, coop, data, None)
    commission = Commission(coop_id=coop.id, **values)
    session.add(commission)
    _flush(session)
    audit.record(session, coop=coop, actor=actor, action="minga.commission", obj=commission,
                 summary=commission.name, changes={"created": [None, commission.name]})
    return commission


def update_commission(session: so.Session, actor: User | None, coop: Coop, commission: Commission,
                      data: CommissionData) -> dict:
    """Change a commission; the changes made (empty when nothing changed)."""
    own_commission(coop, commission)
    values = _check(session, coop, data, commission)
    changes = audit.changes_between(commission, values)
    if changes:
        for key, value in values.items():
            setattr(commission, key, value)
        _flush(session)
        audit.record(session, coop=coop, actor=actor, action="minga.commission", obj=commission,
                     summary=commission.name, changes=changes)
    return changes


def member_by_number(session: so.Session, coop: Coop, number: int | None, field_name: str = "member") -> Member:
    """The co-op's member with this number, or a refusal beside the field."""
    member = None
    if number is not None:
        member = session.scalar(sa.select(Member).where(Member.coop_id == coop.id, Member.number == number))
    if member is None:
        raise DomainError(_l("No member of this co-op has that number."), field=field_name)
    return member


def add_standing_member(session: so.Session, actor: User | None, coop: Coop, commission: Commission,
                        member: Member, *, today: dt.date | None = None) -> CommissionMember:
    """Make a member of the co-op a standing member of the commission."""
    own_commission(coop, commission)
    if member is None or member.coop_id != coop.id:
        raise NotFoundError(_l("No member of this co-op has that number."), field="member")
    if member.status not in CURRENT_STATUSES:
        raise DomainError(_l("%(name)s is not a current member of the co-op.", name=member.full_name), field="member")
    if session.scalar(sa.select(CommissionMember.id).where(
            CommissionMember.commission_id == commission.id, CommissionMember.member_id == member.id)):
        raise DomainError(_l("%(name)s is already a standing member of this commission.", name=member.full_name),
                          field="member")
    row = CommissionMember(coop_id=coop.id, commission_id=commission.id, member_id=member.id,
                           since=today or calendar.today_in(coop))
    session.add(row)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.commission_member", obj=commission,
                 summary=commission.name, changes={"standing_member": [None, f"{member.number} {member.full_name}"]})
    return row


def remove_standing_member(session: so.Session, actor: User | None, coop: Coop, commission: Commission,
                           member: Member) -> None:
    """A member no longer stands in the commission (their past work stays counted)."""
    own_commission(coop, commission)
    row = session.scalar(sa.select(CommissionMember).where(
        CommissionMember.coop_id == coop.id, CommissionMember.commission_id == commission.id,
        CommissionMember.member_id == (member.id if member is not None else -1)))
    if row is None:
        raise NotFoundError(_l("This person is not a standing member of the commission."), field="member")
    session.delete(row)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.commission_member", obj=commission,
                 summary=commission.name, changes={"standing_member": [f"{member.number} {member.full_name}", None]})


def _person(session: so.Session, coop: Coop, user_id: int | None) -> User:
    user = tenancy.person_in_coop(session, coop, user_id) if user_id else None
    if user is None:
        raise DomainError(_l("Choose the coordinator among the co-op's people."), field="user")
    return user


def appoint_coordinator(session: so.Session, actor: User | None, coop: Coop, commission: Commission,
                        user_id: int | None) -> User:
    """Make a person of the co-op a coordinator of the commission (they then manage its sessions)."""
    own_commission(coop, commission)
    user = _person(session, coop, user_id)
    if any(person.id == user.id for person in coordinators_of(session, coop, commission)):
        raise DomainError(_l("%(name)s already coordinates this commission.", name=user.name), field="user")
    tenancy.grant_role(session, actor, coop, user, Role.COORDINATOR, Scope(COMMISSION_SCOPE, commission.id))
    audit.record(session, coop=coop, actor=actor, action="minga.coordinator", obj=commission,
                 summary=commission.name, changes={"coordinator": [None, user.name]})
    return user


def remove_coordinator(session: so.Session, actor: User | None, coop: Coop, commission: Commission,
                       user_id: int | None) -> User:
    """A person stops coordinating the commission (their other roles stay)."""
    own_commission(coop, commission)
    user = _person(session, coop, user_id)
    if all(person.id != user.id for person in coordinators_of(session, coop, commission)):
        raise DomainError(_l("%(name)s does not coordinate this commission.", name=user.name), field="user")
    tenancy.revoke_role(session, actor, coop, user, Role.COORDINATOR, Scope(COMMISSION_SCOPE, commission.id))
    audit.record(session, coop=coop, actor=actor, action="minga.coordinator", obj=commission,
                 summary=commission.name, changes={"coordinator": [user.name, None]})
    return user
