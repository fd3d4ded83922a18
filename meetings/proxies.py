"""Proxies (poderes): a voter who cannot come authorises, in writing, another voter on the roll
to represent them.

The rules, checked all at once so the secretary sees every mistake: the bylaws allow proxies;
grantor and holder are voters on this meeting's roll, typed by member number; not to oneself;
one proxy per grantor (the database's unique key, too); the grantor is not here (a person present
votes in person); nobody who gave their proxy holds others', and nobody who holds others' gives
theirs (a proxy is not passed on). The cap per holder is the database's: ``proxies_held`` is
raised by a conditional ``UPDATE ... WHERE proxies_held < cap``, so ten letters for one holder
recorded at the same instant leave exactly ``cap`` of them. Whether the holder is present and
the grantor still absent is decided when counting (``meetings.quorum``) and when voting, since
either may come or go after the letter is recorded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, duplicates
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.paging import one_page
from coop.tenancy import Coop
from meetings import quorum
from meetings.models import BallotReceipt, Meeting, Proxy, RollEntry, Vote
from meetings.rules import rules_of
from meetings.sitting import check_roll_open
from members.models import Member

#: the roll's lines in their parts; made once, so the statements built from them are cached
_GRANTOR, _HOLDER = so.aliased(RollEntry), so.aliased(RollEntry)
#: proxies listed per page
PAGE_SIZE = 50

audit.describe("meetings.proxy", _l("Proxy recorded"))
audit.describe("meetings.proxy_removed", _l("Proxy removed"))
duplicates.unique_rule("uq_proxy_meeting_id_grantor_id",
                       _l("This member's proxy was recorded a moment ago by someone else."), "grantor")


def _line_by_number(session: so.Session, meeting: Meeting, number: int | None, field: str) -> RollEntry:
    if number is None:
        raise DomainError(_l("Write the member number."), field=field)
    entry = session.scalar(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id, RollEntry.number == number))
    if entry is None:
        raise NotFoundError(_l("No. %(number)d is not on this meeting's roll.", number=number), field=field)
    return entry


def _check_grantor(session: so.Session, grantor: RollEntry) -> RollEntry:
    if not grantor.may_vote:
        raise DomainError(_l("%(name)s may not vote at this meeting, so cannot give a proxy.", name=grantor.name),
                          field="grantor")
    if grantor.is_present:
        raise DomainError(_l("%(name)s is here: a member present votes in person, not by proxy.", name=grantor.name),
                          field="grantor")
    given = session.scalar(sa.select(Proxy).where(Proxy.grantor_id == grantor.id))
    if given is not None:
        raise DomainError(_l("%(name)s has already given a proxy, to %(holder)s.", name=grantor.name,
                             holder=given.holder.name), field="grantor")
    if grantor.proxies_held:
        raise DomainError(_l("%(name)s holds proxies of others, so cannot give their own.", name=grantor.name),
                          field="grantor")
    if session.scalar(sa.select(RollEntry.id).where(RollEntry.stands_in_for_id == grantor.id)):
        raise DomainError(_l("An alternate stands in for %(name)s.", name=grantor.name), field="grantor")
    return grantor


def _check_holder(session: so.Session, holder: RollEntry, grantor: RollEntry | None) -> RollEntry:
    if grantor is not None and holder.id == grantor.id:
        raise DomainError(_l("A member cannot give a proxy to themselves."), field="holder")
    if not holder.may_vote:
        raise DomainError(_l("%(name)s may not vote at this meeting, so cannot hold a proxy.", name=holder.name),
                          field="holder")
    if session.scalar(sa.select(Proxy.id).where(Proxy.grantor_id == holder.id)):
        raise DomainError(_l("%(name)s has given their own proxy, so cannot hold others'.", name=holder.name),
                          field="holder")
    return holder


def record_proxy(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, *,
                 grantor_number: int | None, holder_number: int | None, authorisation: str,
                 now: dt.datetime) -> Proxy:
    """Record a written proxy within the bylaws' cap; every problem refused at once, nothing half-saved."""
    check_roll_open(meeting)
    rules = rules_of(session, coop)
    if not rules.proxies_allowed:
        raise DomainError(_l("The bylaws do not allow proxies."))
    problems = Problems()
    authorisation = (authorisation or "").strip()
    if not authorisation:
        problems.add(_l("Describe the written authorisation (a signed letter and its date)."), "authorisation")
    grantor = problems.check(_line_by_number, session, meeting, grantor_number, "grantor")
    grantor = problems.check(_check_grantor, session, grantor) if grantor is not None else None
    holder = problems.check(_line_by_number, session, meeting, holder_number, "holder")
    if holder is not None:
        problems.check(_check_holder, session, holder, grantor)
    problems.raise_any()
    raised = session.execute(
        sa.update(RollEntry).where(RollEntry.id == holder.id, RollEntry.proxies_held < rules.max_proxies_per_holder)
        .values(proxies_held=RollEntry.proxies_held + 1).execution_options(synchronize_session=False)).rowcount
    session.expire(holder, ["proxies_held"])
    if raised != 1:
        raise DomainError(_l("%(name)s already holds %(cap)d of them, the most the bylaws allow.", name=holder.name,
                             cap=rules.max_proxies_per_holder), field="holder")
    proxy = Proxy(coop_id=coop.id, meeting_id=meeting.id, grantor_id=grantor.id, holder_id=holder.id,
                  authorisation=authorisation[:300], recorded_by_id=actor.id if actor else None, recorded_dt=now)
    session.add(proxy)
    session.flush()
    audit.record(session, action="meetings.proxy", coop=coop, actor=actor, obj=proxy,
                 summary=f"{meeting.title} · {grantor.number}: {grantor.name} → {holder.number}: {holder.name}",
                 details={"authorisation": proxy.authorisation})
    quorum.refresh(session, coop, meeting, now)
    return proxy


def is_used(session: so.Session, proxy: Proxy) -> bool:
    """Whether a vote was cast for the grantor at this meeting (by the holder, or a secret ballot)."""
    by_holder = sa.select(Vote.id).where(Vote.voter_id == proxy.grantor_id, Vote.by_proxy_id.is_not(None))
    secret = sa.select(BallotReceipt.id).where(BallotReceipt.voter_id == proxy.grantor_id)
    return session.scalar(sa.select(sa.exists(by_holder) | sa.exists(secret))) or False


def remove_proxy(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, proxy: Proxy, *,
                 now: dt.datetime) -> None:
    """Take a proxy off the record (withdrawn, or recorded by mistake) before it is used in a vote."""
    if proxy.meeting_id != meeting.id:
        raise NotFoundError(_l("There is no such proxy at this meeting."))
    check_roll_open(meeting)
    if is_used(session, proxy):
        raise DomainError(_l("A vote has been cast with this proxy: it stays in the record."))
    grantor, holder = proxy.grantor, proxy.holder
    session.delete(proxy)
    session.execute(sa.update(RollEntry).where(RollEntry.id == holder.id, RollEntry.proxies_held > 0)
                    .values(proxies_held=RollEntry.proxies_held - 1).execution_options(synchronize_session=False))
    session.expire(holder, ["proxies_held"])
    session.flush()
    audit.record(session, action="meetings.proxy_removed", coop=coop, actor=actor, obj=meeting,
                 summary=f"{meeting.title} · {grantor.number}: {grantor.name} → {holder.number}: {holder.name}")
    quorum.refresh(session, coop, meeting, now)


# --- reading ----------------------------------------------------------------------------------------

def proxies_of(session: so.Session, meeting: Meeting, *, page: int = 1) -> tuple[list[Proxy], int]:
    """A page of the meeting's proxies, by grantor's name, and how many there are."""
    grantor = _GRANTOR
    total = session.scalar(sa.select(sa.func.count()).select_from(Proxy).where(Proxy.meeting_id == meeting.id))
    rows = session.scalars(one_page(
        sa.select(Proxy).join(grantor, grantor.id == Proxy.grantor_id).where(Proxy.meeting_id == meeting.id)
        .options(so.joinedload(Proxy.grantor), so.joinedload(Proxy.holder))
        .order_by(grantor.name, Proxy.id), page, PAGE_SIZE))
    return list(rows), total


@dataclass(frozen=True)
class MemberProxy:
    """A member's place at one meeting: their line on the frozen roll (None if not on it), the proxy
    they gave, and those they hold."""

    given: Proxy | None
    held: list[Proxy]
    entry: RollEntry | None = None
    #: the reader is a member of the co-op (so "not on the roll" means something)
    is_member: bool = False

    @property
    def any(self) -> bool:
        return self.given is not None or bool(self.held)


def member_proxy(session: so.Session, meeting: Meeting, member: Member | None) -> MemberProxy:
    if member is None:
        return MemberProxy(None, [])
    entry = session.scalar(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id,
                                                      RollEntry.member_id == member.id))
    if entry is None:
        return MemberProxy(None, [], None, True)
    grantor, holder = _GRANTOR, _HOLDER
    rows = session.scalars(
        sa.select(Proxy).join(grantor, grantor.id == Proxy.grantor_id).join(holder, holder.id == Proxy.holder_id)
        .where(Proxy.meeting_id == meeting.id, sa.or_(grantor.member_id == member.id, holder.member_id == member.id))
        .options(so.joinedload(Proxy.grantor), so.joinedload(Proxy.holder)).order_by(grantor.name)).unique().all()
    given = next((p for p in rows if p.grantor.member_id == member.id), None)
    return MemberProxy(given, [p for p in rows if p.holder.member_id == member.id], entry, True)
