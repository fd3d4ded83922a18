"""The member portal: a member's own page, their own contact details, and "download my data".

Everything here starts from the member record linked to the logged-in user, never from a number
in the URL, so the portal can only ever show or change the reader's own record. A member may
correct their phones, e-mail and address themselves; every change is in the audit trail with
old and new values, as for any change to personal data. ``my_data`` gathers everything the
co-op holds about one member (DESIGN §3) for the JSON and PDF exports; about other people it
keeps no more than their names.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, decisions
from coop.audit import AuditEvent
from coop.auth.models import User
from coop.errors import DomainError, DomainErrors, PermissionDenied
from coop.money import Money
from coop.tenancy import Coop, Role, roles_of
from members import reports
from members.models import (Application, Household, Lot, LotAssignment, Member, MemberStatusChange,
                            ShareSubscription)
from members.services import check_email, instalment_schedule

audit.describe("member.self_update", _l("Updated their own contact details"))
audit.describe("export.my_data", _l("Downloaded their own data"))

PHONE_CHARACTERS_RE = re.compile(r"^[0-9 +\-()]+$")
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 7, 20
PHONE_MAX_LENGTH = 40
ADDRESS_MAX_LENGTH = 500
#: the format version of the JSON export, raised when its shape changes
EXPORT_FORMAT = 1


# --- the member's own contact details ------------------------------------------------------

@dataclass
class ContactData:
    """What a member may correct about themselves."""

    phone: str = ""
    phone_alt: str = ""
    email: str | None = None
    address: str = ""

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def check_phone(phone: str | None, field: str = "phone") -> str:
    """A phone as people write it: digits, spaces, +, - and parentheses, with 7 to 20 digits.

    Returns it with runs of spaces folded to one; an empty phone is allowed.
    """
    phone = " ".join((phone or "").split())
    if not phone:
        return ""
    if not PHONE_CHARACTERS_RE.match(phone) or len(phone) > PHONE_MAX_LENGTH:
        raise DomainError(_l("Write the phone with digits; spaces, +, - and parentheses are allowed."),
                          field=field)
    digits = sum(c.isdigit() for c in phone)
    if not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        raise DomainError(_l("A phone number has between %(least)d and %(most)d digits.",
                             least=PHONE_MIN_DIGITS, most=PHONE_MAX_DIGITS), field=field)
    return phone


class ContactError(DomainErrors):
    """Some of the contact fields are wrong: ``errors`` holds one error per bad field."""


def _check_address(address: str | None, field: str = "address") -> str:
    address = (address or "").strip()
    if len(address) > ADDRESS_MAX_LENGTH:
        raise DomainError(_l("The address is too long (at most %(most)d characters).",
                             most=ADDRESS_MAX_LENGTH), field=field)
    return address


def check_contact(data: ContactData) -> ContactData:
    """Validate and clean what the member typed, every field at once, so that every mistake is
    shown beside its field in one go; raises ``ContactError`` if any field is wrong."""
    checks = {"phone": check_phone, "phone_alt": check_phone, "email": check_email, "address": _check_address}
    clean, errors = {}, []
    for name, check in checks.items():
        try:
            clean[name] = check(getattr(data, name), name)
        except DomainError as error:
            errors.append(error)
    if errors:
        raise ContactError(errors)
    return ContactData(**clean)


def update_own_contact(session: so.Session, actor: User, coop: Coop, member: Member,
                       data: ContactData) -> dict[str, list]:
    """A member corrects their own phones, e-mail and address.

    Everything is checked before anything is written; the changed fields go to the audit trail
    with their old and new values. Returns those changes ({} when nothing changed).
    """
    if member.coop_id != coop.id or member.user_id != actor.id:
        # the views only ever pass the reader's own record; this keeps it true for any caller
        raise PermissionDenied(_l("You can only change your own details."))
    clean = check_contact(data)
    changes = audit.changes_between(member, clean.as_dict())
    if not changes:
        return {}
    for key in changes:
        setattr(member, key, getattr(clean, key))
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="member.self_update", obj=member,
                 summary=f"{member.number}: {member.full_name}", changes=changes)
    return changes


# --- the portal's home page ----------------------------------------------------------------

@dataclass(frozen=True)
class PortalHome:
    """What a member's own page shows about them."""

    member: Member
    household: Household | None
    #: the other members of the household: their names only
    housemates: list[str]
    lots: list[Lot]
    #: each subscription with its schedule of (due date, amount in minor units)
    subscriptions: list[tuple[ShareSubscription, list[tuple[dt.date, int]]]]


def _housemates(member: Member) -> list[str]:
    if member.household is None:
        return []
    return [m.full_name for m in member.household.members if m.id != member.id]


def portal_home(session: so.Session, member: Member) -> PortalHome:
    return PortalHome(
        member=member, household=member.household, housemates=_housemates(member),
        lots=reports.lots_of_household(session, member.household_id),
        subscriptions=[(s, instalment_schedule(s)) for s in reports.subscriptions_of(session, member)])


# --- everything the co-op holds about a member ---------------------------------------------

@dataclass(frozen=True)
class MyData:
    """Everything the co-op holds about one member, for "download my data"."""

    coop: Coop
    member: Member
    status_history: list[MemberStatusChange]
    household: Household | None
    housemates: list[str]
    #: each lot the household holds or held, with the household's own assignments of it
    lots: list[tuple[Lot, list[LotAssignment]]]
    subscriptions: list[tuple[ShareSubscription, list[tuple[dt.date, int]]]]
    applications: list[Application]
    user: User | None
    roles: list[Role]
    events: list[AuditEvent]
    #: the resolutions of the register cited above, as they are cited in words ("2027-014 Budget")
    resolutions: dict[int, str] = field(default_factory=dict)

    def resolution(self, ref: str, resolution_id: int | None) -> str:
        """How a record cites its decision: the register's resolution if linked, else the free text."""
        return self.resolutions.get(resolution_id, "") if resolution_id else ref


def _lots_and_assignments(session: so.Session, member: Member) -> list[tuple[Lot, list[LotAssignment]]]:
    # Only the household's own assignments: who held a lot before or after it is another
    # family's business, not this member's data.
    if member.household_id is None:
        return []
    assignments = session.scalars(
        sa.select(LotAssignment).where(LotAssignment.coop_id == member.coop_id,
                                       LotAssignment.household_id == member.household_id)
        .options(so.joinedload(LotAssignment.lot)).order_by(LotAssignment.from_date, LotAssignment.id)).all()
    lots = {lot.id: lot for lot in reports.lots_of_household(session, member.household_id)}
    for assignment in assignments:
        lots.setdefault(assignment.lot_id, assignment.lot)
    by_lot = {lot_id: [a for a in assignments if a.lot_id == lot_id] for lot_id in lots}
    ordered = sorted(lots.values(), key=lambda lot: (lot.block, lot.number))
    return [(lot, by_lot[lot.id]) for lot in ordered]


def _applications(session: so.Session, member: Member) -> list[Application]:
    return list(session.scalars(
        sa.select(Application).where(Application.coop_id == member.coop_id,
                                     sa.or_(Application.member_id == member.id,
                                            Application.document_number == member.document_number))
        .order_by(Application.submitted_dt, Application.id)))


def _events(session: so.Session, member: Member) -> list[AuditEvent]:
    return list(session.scalars(
        sa.select(AuditEvent).where(AuditEvent.coop_id == member.coop_id,
                                    AuditEvent.object_type == Member.__tablename__,
                                    AuditEvent.object_id == member.id)
        .order_by(AuditEvent.created_dt, AuditEvent.id)))


def my_data(session: so.Session, coop: Coop, member: Member) -> MyData:
    """Gather everything the co-op holds about ``member`` (read-only)."""
    user = session.get(User, member.user_id) if member.user_id is not None else None
    roles = sorted(roles_of(session, user, coop), key=list(Role).index) if user is not None else []
    data = MyData(
        coop=coop, member=member, status_history=reports.status_history(session, member),
        household=member.household, housemates=_housemates(member),
        lots=_lots_and_assignments(session, member),
        subscriptions=[(s, instalment_schedule(s)) for s in reports.subscriptions_of(session, member)],
        applications=_applications(session, member), user=user, roles=roles,
        events=_events(session, member))
    cited = {record.resolution_id for record in (
        *data.status_history, *(a for _lot, assignments in data.lots for a in assignments),
        *(s for s, _schedule in data.subscriptions), *data.applications)}
    data.resolutions.update((i, " ".join(label)) for i, label in decisions.labels(session, coop, cited).items())
    return data


# --- the JSON export -----------------------------------------------------------------------

def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # stored as naive UTC
        return value.replace(tzinfo=dt.UTC).isoformat()
    return value.isoformat()


def _amount(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": minor, "currency": currency, "amount": str(Money(minor, currency).to_decimal())}


def _member_json(member: Member) -> dict[str, Any]:
    return {
        "id": member.id, "number": member.number, "given_names": member.given_names,
        "family_names": member.family_names, "document_type": member.document_type.value,
        "document_number": member.document_number, "birth_date": _iso(member.birth_date),
        "phone": member.phone, "phone_alt": member.phone_alt, "email": member.email,
        "address": member.address, "join_date": _iso(member.join_date),
        "preferred_language": member.preferred_language, "status": member.status.value,
        "status_since": _iso(member.status_since), "created": _iso(member.created_dt),
        "updated": _iso(member.updated_dt),
    }


def _status_json(change: MemberStatusChange, cite) -> dict[str, Any]:
    return {"previous_status": change.previous_status.value if change.previous_status else None,
            "status": change.status.value, "effective_date": _iso(change.effective_date),
            "reason": change.reason, "resolution": cite(change.resolution_ref, change.resolution_id),
            "recorded": _iso(change.recorded_dt)}


def _lot_json(lot: Lot, assignments: list[LotAssignment], household: Household | None, cite) -> dict[str, Any]:
    return {"block": lot.block, "number": lot.number, "phase": lot.phase, "status": lot.status.value,
            "held_now": household is not None and lot.household_id == household.id,
            "assignments": [{"household": household.name if household else "", "from": _iso(a.from_date),
                             "to": _iso(a.to_date), "reason": a.reason,
                             "resolution": cite(a.resolution_ref, a.resolution_id)}
                            for a in assignments]}


def _subscription_json(subscription: ShareSubscription, schedule: list[tuple[dt.date, int]],
                       currency: str, cite) -> dict[str, Any]:
    return {"amount": _amount(subscription.amount_minor, currency), "instalments": subscription.instalments,
            "first_due_date": _iso(subscription.first_due_date),
            "resolution": cite(subscription.resolution_ref, subscription.resolution_id),
            "recorded": _iso(subscription.created_dt),
            "schedule": [{"due_date": _iso(due), "amount": _amount(amount, currency)} for due, amount in schedule]}


def _application_json(application: Application, cite) -> dict[str, Any]:
    return {
        "given_names": application.given_names, "family_names": application.family_names,
        "document_type": application.document_type.value, "document_number": application.document_number,
        "birth_date": _iso(application.birth_date), "phone": application.phone, "email": application.email,
        "address": application.address, "message": application.message, "source": application.source,
        "status": application.status.value, "submitted": _iso(application.submitted_dt),
        "decision_date": _iso(application.decision_date), "decision_reason": application.decision_reason,
        "resolution": cite(application.resolution_ref, application.resolution_id),
    }


def _event_json(event: AuditEvent) -> dict[str, Any]:
    return {"when": _iso(event.created_dt), "who": event.actor_name, "action": event.action,
            "summary": event.summary, "changes": event.changes}


def my_data_json(data: MyData, *, exported: dt.datetime) -> dict[str, Any]:
    """The collection as plain JSON-ready data: ISO dates, amounts in minor units and as text."""
    currency = data.coop.currency
    return {
        "format": EXPORT_FORMAT,
        "exported": _iso(exported),
        "coop": {"name": data.coop.name, "slug": data.coop.slug},
        "member": _member_json(data.member),
        "status_history": [_status_json(c, data.resolution) for c in data.status_history],
        "household": None if data.household is None else {
            "name": data.household.name, "dependants": data.household.dependants,
            "other_members": data.housemates},
        "lots": [_lot_json(lot, assignments, data.household, data.resolution) for lot, assignments in data.lots],
        "share_subscriptions": [_subscription_json(s, schedule, currency, data.resolution)
                                for s, schedule in data.subscriptions],
        "applications": [_application_json(a, data.resolution) for a in data.applications],
        "user_account": None if data.user is None else {
            "email": data.user.email, "name": data.user.name, "language": data.user.locale,
            "created": _iso(data.user.created_dt), "roles": [r.value for r in data.roles]},
        "audit_events": [_event_json(e) for e in data.events],
    }
