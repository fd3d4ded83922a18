"""Read-only queries of the register: the directory, a member's page, lists for forms.

Searching folds accents and case on both sides, so "guaman" finds "Guamán"; it matches the
member number, names and lot ("B-12") through one text column, and the start of the document
number for those allowed to see documents.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.paging import count_of, one_page
from coop.tenancy import Coop
from coop.text import fold
from members.models import (Application, ApplicationStatus, Household, Lot, LotAssignment, Member,
                            MemberStatus, MemberStatusChange, ShareSubscription, natural_key)

PAGE_SIZE = 50


class DirectorySort(enum.StrEnum):
    NAME = "name"
    NUMBER = "number"
    JOINED = "joined"
    STATUS = "status"


@dataclass(frozen=True)
class DirectoryQuery:
    """What the directory is narrowed to and how it is ordered."""

    text: str = ""
    status: MemberStatus | None = None
    household_id: int | None = None
    block: str = ""
    sort: DirectorySort = DirectorySort.NAME
    descending: bool = False
    #: officers may find a member by document number; members browsing the directory may not
    search_documents: bool = False
    #: members browsing the directory see only current members (active or suspended)
    current_only: bool = False


@dataclass(frozen=True)
class DirectoryRow:
    member: Member
    household_name: str | None
    lots: str


def _directory_select(coop: Coop, query: DirectoryQuery) -> sa.Select:
    select = sa.select(Member).where(Member.coop_id == coop.id)
    for word in fold(query.text).split()[:6]:
        matches = Member.search_text.contains(word, autoescape=True)
        if query.search_documents and len(word) >= 4:
            matches = sa.or_(matches, Member.document_number.startswith(word.upper(), autoescape=True))
        select = select.where(matches)
    if query.current_only:
        select = select.where(Member.status.in_([MemberStatus.ACTIVE, MemberStatus.SUSPENDED]))
    if query.status is not None:
        select = select.where(Member.status == query.status)
    if query.household_id:
        select = select.where(Member.household_id == query.household_id)
    if query.block:
        in_block = sa.select(Lot.household_id).where(Lot.coop_id == coop.id, Lot.block == query.block,
                                                      Lot.household_id.is_not(None))
        select = select.where(Member.household_id.in_(in_block))
    return select


def _order(query: DirectoryQuery) -> list:
    columns = {
        DirectorySort.NAME: [Member.family_names, Member.given_names],
        DirectorySort.NUMBER: [Member.number],
        DirectorySort.JOINED: [Member.join_date, Member.number],
        DirectorySort.STATUS: [Member.status, Member.family_names],
    }[query.sort]
    return [c.desc() if query.descending else c.asc() for c in columns] + [Member.id]


def directory(session: so.Session, coop: Coop, query: DirectoryQuery, *, page: int = 1,
              per_page: int = PAGE_SIZE) -> tuple[list[DirectoryRow], int]:
    """One page of the directory and the number of members matching."""
    select = _directory_select(coop, query)
    total = count_of(session, select)
    members = session.scalars(one_page(select.order_by(*_order(query)), page, per_page)).all()
    return _rows(session, members), total


def _rows(session: so.Session, members: list[Member]) -> list[DirectoryRow]:
    household_ids = {m.household_id for m in members if m.household_id}
    names, lots = {}, {}
    if household_ids:
        names = dict(session.execute(sa.select(Household.id, Household.name)
                                     .where(Household.id.in_(household_ids))).all())
        for lot in session.scalars(sa.select(Lot).where(Lot.household_id.in_(household_ids))
                                   .order_by(Lot.sort_key)):
            lots.setdefault(lot.household_id, []).append(lot.label)
    return [DirectoryRow(m, names.get(m.household_id), ", ".join(lots.get(m.household_id, [])))
            for m in members]


def all_members(session: so.Session, coop: Coop, query: DirectoryQuery | None = None):
    """Every matching member in register order (by number), streamed in batches for exports."""
    select = _directory_select(coop, query or DirectoryQuery()).order_by(Member.number)
    return session.scalars(select.execution_options(yield_per=500))


def member_by_number(session: so.Session, coop: Coop, number: int) -> Member | None:
    return session.scalar(sa.select(Member).where(Member.coop_id == coop.id, Member.number == number))


def member_of_user(session: so.Session, coop: Coop, user_id: int) -> Member | None:
    return session.scalar(sa.select(Member).where(Member.coop_id == coop.id, Member.user_id == user_id))


def active_members_of_households(session: so.Session, coop: Coop, household_ids: set[int]) -> dict[int, list[Member]]:
    """The active members of each of these households, by given names (one query): household id -> members."""
    found: dict[int, list[Member]] = {}
    if household_ids:
        for member in session.scalars(sa.select(Member).where(
                Member.coop_id == coop.id, Member.household_id.in_(household_ids), Member.status == MemberStatus.ACTIVE)
                .order_by(Member.given_names, Member.family_names, Member.number)):
            found.setdefault(member.household_id, []).append(member)
    return found


def status_history(session: so.Session, member: Member) -> list[MemberStatusChange]:
    return list(session.scalars(sa.select(MemberStatusChange).where(MemberStatusChange.member_id == member.id)
                                .order_by(MemberStatusChange.effective_date, MemberStatusChange.id)))


def lots_of_household(session: so.Session, household_id: int | None) -> list[Lot]:
    if household_id is None:
        return []
    return list(session.scalars(sa.select(Lot).where(Lot.household_id == household_id)
                                .order_by(Lot.sort_key)))


def lot_history(session: so.Session, lot: Lot) -> list[LotAssignment]:
    return list(session.scalars(sa.select(LotAssignment).where(LotAssignment.lot_id == lot.id)
                                .options(so.joinedload(LotAssignment.household))
                                .order_by(LotAssignment.from_date, LotAssignment.id)))


def subscriptions_of(session: so.Session, member: Member) -> list[ShareSubscription]:
    return list(session.scalars(sa.select(ShareSubscription).where(ShareSubscription.member_id == member.id)
                                .order_by(ShareSubscription.first_due_date, ShareSubscription.id)))


def households(session: so.Session, coop: Coop) -> list[Household]:
    return list(session.scalars(sa.select(Household).where(Household.coop_id == coop.id)
                                .order_by(Household.name)))


#: the accented letters of Spanish and what ``coop.text.fold`` makes of them
_ACCENTED, _PLAIN = "áéíóúüñÁÉÍÓÚÜÑ", "aeiouunaeiouun"


def _folded(column: sa.ColumnElement) -> sa.ColumnElement:
    """A column as ``coop.text.fold`` writes it, for Spanish text, in SQL both databases run
    (SQLite's ``lower`` leaves "Á" as it is, and it has no ``translate``)."""
    folded = sa.func.lower(column)
    for accented, plain in zip(_ACCENTED, _PLAIN, strict=True):
        folded = sa.func.replace(folded, accented, plain)
    return folded


def _households_matching(coop: Coop, text: str) -> sa.Select:
    """Households whose name, one of whose members (name or number) or one of whose lots matches
    every word typed: "chiluisa", "b-12", "Rosa Guamán" or a member number."""
    select = sa.select(Household).where(Household.coop_id == coop.id)
    for word in fold(text).split()[:6]:
        by_member = sa.select(Member.household_id).where(
            Member.coop_id == coop.id, Member.household_id.is_not(None),
            Member.search_text.contains(word, autoescape=True))
        by_lot = sa.select(Lot.household_id).where(
            Lot.coop_id == coop.id, Lot.household_id.is_not(None),
            sa.func.lower(Lot.block.concat("-").concat(Lot.number)).contains(word, autoescape=True))
        select = select.where(sa.or_(_folded(Household.name).contains(word, autoescape=True),
                                     Household.id.in_(by_member), Household.id.in_(by_lot)))
    return select


def household_summaries(session: so.Session, coop: Coop, *, text: str = "", page: int = 1,
                        per_page: int = PAGE_SIZE) -> tuple[list[tuple[Household, int, str]], int]:
    """Households (those matching ``text``, if given) with their number of members and their lots."""
    select = _households_matching(coop, text)
    total = count_of(session, select)
    rows = session.scalars(one_page(select.order_by(Household.name), page, per_page)).all()
    return _household_rows(session, rows), total


def find_households(session: so.Session, coop: Coop, text: str, *, limit: int = 10,
                    excluding: int | None = None) -> tuple[list[tuple[Household, int, str]], int]:
    """The first households matching what was typed, for choosing one: (household, members, lots),
    and how many match in all."""
    select = _households_matching(coop, text)
    if excluding is not None:
        select = select.where(Household.id != excluding)
    total = count_of(session, select)
    rows = session.scalars(select.order_by(Household.name, Household.id).limit(limit)).all()
    return _household_rows(session, rows), total


def _household_rows(session: so.Session, rows: list[Household]) -> list[tuple[Household, int, str]]:
    ids = [h.id for h in rows]
    counts = dict(session.execute(sa.select(Member.household_id, sa.func.count()).where(
        Member.household_id.in_(ids)).group_by(Member.household_id)).all()) if ids else {}
    lots: dict[int, list[str]] = {}
    if ids:
        for lot in session.scalars(sa.select(Lot).where(Lot.household_id.in_(ids)).order_by(Lot.sort_key)):
            lots.setdefault(lot.household_id, []).append(lot.label)
    return [(h, counts.get(h.id, 0), ", ".join(lots.get(h.id, []))) for h in rows]


def blocks(session: so.Session, coop: Coop) -> list[str]:
    """The co-op's blocks, as people count them ("2" before "10")."""
    return sorted(session.scalars(sa.select(Lot.block).where(Lot.coop_id == coop.id).distinct()),
                  key=natural_key)


def lots(session: so.Session, coop: Coop, *, block: str = "", page: int = 1,
         per_page: int = PAGE_SIZE) -> tuple[list[Lot], int]:
    """One page of the lots (of one block, if given) in natural order, and how many there are."""
    select = sa.select(Lot).where(Lot.coop_id == coop.id)
    if block:
        select = select.where(Lot.block == block)
    total = count_of(session, select)
    rows = session.scalars(one_page(select.options(so.joinedload(Lot.household)).order_by(Lot.sort_key, Lot.id),
                                    page, per_page))
    return list(rows), total


def counts_by_status(session: so.Session, coop: Coop) -> dict[MemberStatus, int]:
    return dict(session.execute(sa.select(Member.status, sa.func.count()).where(Member.coop_id == coop.id)
                                .group_by(Member.status)).all())


def pending_applications_count(session: so.Session, coop: Coop) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.coop_id == coop.id, Application.status == ApplicationStatus.PENDING))
