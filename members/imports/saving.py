"""Saving a checked import: members, households and lots in one transaction, numbered in one block.

Rows go in as bulk INSERT statements rather than one ORM object each, so 5,000 members take
seconds; member numbers still come from ``coop.numbering`` as one gapless block.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, numbering
from coop.auth.models import User
from coop.errors import DomainError
from coop.numbering import CoopCounter
from coop.tenancy import Coop
from coop.text import fold
from members.imports.checking import ImportPlan, ImportRow
from members.models import Household, Lot, LotAssignment, Member, MemberStatusChange
from members.services import MEMBER_SERIES, search_text

@dataclass(frozen=True)
class ImportResult:
    members: int
    first_number: int
    last_number: int
    households: int
    lots: int


def next_member_number(session: so.Session, coop: Coop) -> int:
    """The number the next member will get (for the preview; allocation is in ``save_members``)."""
    last = session.scalar(sa.select(CoopCounter.last_value).where(
        CoopCounter.coop_id == coop.id, CoopCounter.series == MEMBER_SERIES))
    return (last or 0) + 1


def save_members(session: so.Session, actor: User | None, coop: Coop, plan: ImportPlan, *,
                 filename: str = "") -> ImportResult:
    """Enter a checked file's members, households and lots, numbered in one block; flushes only.

    Rows go in as bulk INSERT ... RETURNING statements rather than one ORM object each: building
    5,000 objects costs seconds, the statements a fraction of it.
    """
    if not plan.ok:
        raise DomainError(_l("The file has problems: nothing was imported."))
    first = numbering.next_number(session, coop.id, MEMBER_SERIES)
    last = first + len(plan.rows) - 1
    numbering.raise_to_at_least(session, coop.id, MEMBER_SERIES, last)
    recorded = {"coop_id": coop.id, "recorded_by_id": actor.id if actor else None,
                "reason": str(_l("Imported from a file"))}
    households = dict(plan.households)
    _insert(session, Household, [{"coop_id": coop.id, "name": name} for name in plan.new_households.values()])
    ids = dict(session.execute(sa.select(Household.name, Household.id).where(Household.coop_id == coop.id)).all())
    households.update({key: ids[name] for key, name in plan.new_households.items()})
    labels = _save_lots(session, plan, households, recorded)
    language = coop.locale if coop.locale in ("es", "en") else "es"
    _insert(session, Member, [
        _member_values(coop, row, first + index, households.get(fold(row.household)), labels, language)
        for index, row in enumerate(plan.rows)])
    member_ids = dict(session.execute(sa.select(Member.number, Member.id).where(
        Member.coop_id == coop.id, Member.number.between(first, last))).all())
    _insert(session, MemberStatusChange, [
        {**recorded, "member_id": member_ids[first + index], "previous_status": None, "status": row.status,
         "effective_date": row.join_date} for index, row in enumerate(plan.rows)])
    _refresh_earlier_members(session, plan, households, labels, first)
    result = ImportResult(len(plan.rows), first, last, len(plan.new_households), plan.new_lots)
    audit.record(session, coop=coop, actor=actor, action="member.import",
                 summary=f"{filename}: {result.members} (no. {first}-{last}); "
                         f"households +{result.households}; lots +{result.lots}",
                 changes={"members": [None, result.members], "numbers": [first, last]})
    return result


def _insert(session: so.Session, model: type, rows: list[dict]) -> None:
    """Insert rows with one executemany; the caller reads new ids back by a unique key.

    The table's Core insert, not the ORM's bulk insert: the ORM splits rows whose None values
    differ into separate statements, and ids returned in order cost SQLite one statement per row.
    """
    if rows:
        session.execute(model.__table__.insert(), rows)


def _save_lots(session: so.Session, plan: ImportPlan, households: dict[str, int],
               recorded: dict) -> dict[int, list[str]]:
    """Create missing lots and assign them; returns household id -> every lot label it holds."""
    coop_id = recorded["coop_id"]
    _insert(session, Lot, [{"coop_id": coop_id, "block": lot.block, "number": lot.number,
                            "household_id": households[lot.household]}
                           for lot in plan.lots.values() if lot.lot_id is None])
    lot_ids = {(block, number): id_ for id_, block, number in session.execute(
        sa.select(Lot.id, Lot.block, Lot.number).where(Lot.coop_id == coop_id))}
    existing = [{"id": lot.lot_id, "household_id": households[lot.household]}
                for lot in plan.lots.values() if lot.lot_id is not None and lot.assign]
    if existing:
        session.execute(sa.update(Lot), existing)
    assigned = [(key, lot) for key, lot in plan.lots.items() if lot.assign]
    _insert(session, LotAssignment, [
        {**recorded, "lot_id": lot_ids[key], "household_id": households[lot.household], "from_date": lot.from_date}
        for key, lot in assigned])
    labels = {id_: list(names) for id_, names in plan.household_lots.items()}
    for _key, lot in assigned:
        labels.setdefault(households[lot.household], []).append(f"{lot.block}-{lot.number}")
    return labels


def _member_values(coop: Coop, row: ImportRow, number: int, household_id: int | None,
                   labels: dict[int, list[str]], language: str) -> dict:
    lots = sorted(labels.get(household_id, [])) if household_id else []
    return {"coop_id": coop.id, "number": number, "given_names": row.given_names,
            "family_names": row.family_names, "document_type": row.document_type,
            "document_number": row.document_number, "birth_date": row.birth_date, "phone": row.phone,
            "phone_alt": "", "email": row.email, "address": row.address, "join_date": row.join_date,
            "preferred_language": language, "form_of_address": row.form_of_address,
            "status": row.status, "status_since": row.join_date,
            "household_id": household_id,
            # the same text as members.services.refresh_search_text, without a query per member
            "search_text": search_text(number, row.given_names, row.family_names, lots)}


def _refresh_earlier_members(session: so.Session, plan: ImportPlan, households: dict[str, int],
                             labels: dict[int, list[str]], first_new: int) -> None:
    """Members already in a household that received a lot are found by that lot from now on."""
    changed = {households[lot.household] for lot in plan.lots.values() if lot.assign} & set(plan.households.values())
    if not changed:
        return
    for member in session.scalars(sa.select(Member).where(Member.household_id.in_(changed),
                                                          Member.number < first_new)):
        member.search_text = search_text(member.number, member.given_names, member.family_names,
                                         sorted(labels[member.household_id]))
    session.flush()
