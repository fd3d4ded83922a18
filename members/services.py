"""The rules of the member register.

Every function takes the session and the acting user explicitly, flushes but never commits, and
raises ``DomainError`` (naming the form field) when a rule says no, before anything is written.
Numbers come from ``coop.numbering`` in the same transaction as the member they number, so they
stay gapless under concurrent approvals and imports.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields

import sqlalchemy as sa
import sqlalchemy.orm as so
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from stdnum.ec import ci as cedula
from stdnum.ec import ruc
from stdnum.exceptions import ValidationError as NumberError

from coop import audit, decisions, duplicates, numbering
from coop.auth.models import User
from coop.calendar import same_day_months_later
from coop.errors import DomainError, Problems
from coop.tenancy import Coop, check_amount
from coop.text import fold, whole_number
from members.models import (ALLOWED_TRANSITIONS, DocumentType, FormOfAddress, Household, Lot, LotAssignment, LotStatus,
                            Member, MemberStatus, MemberStatusChange, ShareSubscription)

MEMBER_SERIES = "member"
EARLIEST_DATE = dt.date(1900, 1, 1)
PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")
#: fields whose changes are personal data (recorded with old and new values in the audit trail)
#: the value of the choice "no household" where a household is chosen from a list
NO_HOUSEHOLD = "none"
PERSONAL_FIELDS = ("document_type", "document_number", "birth_date", "phone", "phone_alt", "email", "address")


@dataclass
class MemberData:
    """What a person types about a member (forms, imports, applications)."""

    given_names: str
    family_names: str
    document_type: DocumentType
    document_number: str
    join_date: dt.date
    birth_date: dt.date | None = None
    phone: str = ""
    phone_alt: str = ""
    email: str | None = None
    address: str = ""
    preferred_language: str = "es"
    form_of_address: FormOfAddress = FormOfAddress.NEUTRAL

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- checks --------------------------------------------------------------------------------

def normalise_document(document_type: DocumentType, number: str) -> str:
    """The document number as stored: no spaces, dashes or dots; passports upper-case."""
    return re.sub(r"[\s.\-]", "", number or "").upper()


def check_document(document_type: DocumentType, number: str, field: str = "document_number") -> str:
    """Validate a document number and return it normalised.

    A cédula has ten digits: a province code (01-24, or 30 for Ecuadorians abroad), a third
    digit below 6 and a check digit (python-stdnum's ``stdnum.ec.ci`` does the arithmetic).
    """
    number = normalise_document(document_type, number)
    if not number:
        raise DomainError(_l("Write the document number."), field=field)
    try:
        if document_type is DocumentType.CEDULA:
            return cedula.validate(number)
        if document_type is DocumentType.RUC:
            return ruc.validate(number)
    except NumberError:
        if document_type is DocumentType.CEDULA:
            raise DomainError(_l("This is not a valid cédula: check its ten digits."), field=field) from None
        raise DomainError(_l("This is not a valid RUC: check its thirteen digits."), field=field) from None
    if not PASSPORT_RE.match(number):
        raise DomainError(_l("A passport number has 5 to 20 letters and digits."), field=field)
    return number


def check_past_date(value: dt.date | None, field: str, today: dt.date, *, required: bool = False) -> None:
    if value is None:
        if required:
            raise DomainError(_l("Write the date."), field=field)
        return
    if value > today:
        raise DomainError(_l("This date is in the future."), field=field)
    if value < EARLIEST_DATE:
        raise DomainError(_l("This date is too long ago to be right."), field=field)


def check_email(email: str | None, field: str = "email") -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_l("This e-mail address is not valid."), field=field) from None


def check_member_data(session: so.Session, coop: Coop, data: MemberData, *, today: dt.date,
                      member_id: int | None = None) -> MemberData:
    """Validate what was typed and return it cleaned; refuses with every bad field at once."""
    problems = Problems()
    data.given_names = " ".join((data.given_names or "").split())
    data.family_names = " ".join((data.family_names or "").split())
    if not data.given_names:
        problems.add(_l("Write the given names."), "given_names")
    if not data.family_names:
        problems.add(_l("Write the family names."), "family_names")
    document = problems.check(check_document, data.document_type, data.document_number)
    problems.check(check_past_date, data.birth_date, "birth_date", today)
    problems.check(check_past_date, data.join_date, "join_date", today, required=True)
    if (data.birth_date and data.join_date and EARLIEST_DATE <= data.join_date < data.birth_date <= today):
        problems.add(_l("The member cannot join before being born."), "join_date")
    data.email = problems.check(check_email, data.email)
    data.phone, data.phone_alt = (data.phone or "").strip(), (data.phone_alt or "").strip()
    data.address = (data.address or "").strip()
    if data.preferred_language not in ("es", "en"):
        data.preferred_language = "es"
    if document is not None:
        data.document_number = document
        taken = session.scalar(sa.select(Member.number).where(
            Member.coop_id == coop.id, Member.document_number == document, Member.id != (member_id or 0)))
        if taken is not None:
            problems.add(_l("Member no. %(number)d already has this document number.", number=taken),
                         "document_number")
    problems.raise_any()
    return data


# --- members -------------------------------------------------------------------------------

def search_text(number: int, given_names: str, family_names: str, lots: Iterable[str]) -> str:
    """What the directory's text search matches: the number, the names and the household's lots.

    Never the identity document: it is searched apart, and only by those who may see it (a
    treasurer must not find a member by typing their cédula).
    """
    return fold(" ".join([str(number), given_names, family_names, *lots]))


def refresh_search_text(session: so.Session, member: Member) -> None:
    lots = []
    if member.household_id is not None:
        lots = session.scalars(sa.select(Lot).where(Lot.household_id == member.household_id)).all()
    member.search_text = search_text(member.number, member.given_names, member.family_names,
                                     [lot.label for lot in lots])


def create_member(session: so.Session, actor: User | None, coop: Coop, data: MemberData, *,
                  today: dt.date, status: MemberStatus = MemberStatus.ACTIVE,
                  status_date: dt.date | None = None, reason: str = "", resolution_ref: str = "",
                  household: Household | None = None, number: int | None = None,
                  resolution_id: decisions.Cited = None) -> Member:
    """Enter a person in the register with the next member number (or a given one, for imports)."""
    data = check_member_data(session, coop, data, today=today)
    resolution_id = decisions.checked(session, coop, resolution_id)
    if number is None:
        number = numbering.next_number(session, coop.id, MEMBER_SERIES)
    else:
        numbering.raise_to_at_least(session, coop.id, MEMBER_SERIES, number)
    since = status_date or data.join_date
    member = Member(coop_id=coop.id, number=number, status=status, status_since=since, **data.as_dict())
    # the same cédula typed at once by two secretaries: the constraint refuses, the check explains
    with duplicates.refusing_duplicates(session, recheck=lambda: check_member_data(session, coop, data, today=today)):
        session.add(member)
        member.household = household  # inside: the household's list must not flush the member early
    session.add(MemberStatusChange(coop_id=coop.id, member_id=member.id, previous_status=None,
                                   status=status, effective_date=since, reason=reason,
                                   resolution_ref=resolution_ref, resolution_id=resolution_id,
                                   recorded_by_id=actor.id if actor else None))
    refresh_search_text(session, member)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="member.create", obj=member,
                 summary=f"{number}: {member.full_name}")
    return member


def update_member(session: so.Session, actor: User | None, coop: Coop, member: Member, data: MemberData, *,
                  today: dt.date) -> dict:
    """Correct a member's record; every changed field is in the audit trail with old and new values."""
    data = check_member_data(session, coop, data, today=today, member_id=member.id)
    changes = audit.changes_between(member, data.as_dict())
    if not changes:
        return {}
    for key, value in data.as_dict().items():
        setattr(member, key, value)
    refresh_search_text(session, member)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="member.update", obj=member,
                 summary=f"{member.number}: {member.full_name}", changes=changes)
    return changes


def change_status(session: so.Session, actor: User | None, coop: Coop, member: Member,
                  new_status: MemberStatus, *, effective_date: dt.date, reason: str,
                  resolution_ref: str = "", today: dt.date,
                  resolution_id: decisions.Cited = None) -> MemberStatusChange:
    """Record a change of status; only the transitions in ALLOWED_TRANSITIONS are possible."""
    if new_status not in ALLOWED_TRANSITIONS[member.status]:
        raise DomainError(_l("A member who is %(old)s cannot become %(new)s.",
                             old=status_label(member.status), new=status_label(new_status)),
                          field="status")
    check_past_date(effective_date, "effective_date", today + dt.timedelta(days=366), required=True)
    if effective_date < member.status_since:
        raise DomainError(_l("The change cannot take effect before the current status began (%(date)s).",
                             date=member.status_since.isoformat()), field="effective_date")
    if not (reason or "").strip():
        raise DomainError(_l("Say why the status changes."), field="reason")
    change = MemberStatusChange(coop_id=coop.id, member_id=member.id, previous_status=member.status,
                                status=new_status, effective_date=effective_date, reason=reason.strip(),
                                resolution_ref=(resolution_ref or "").strip(),
                                resolution_id=decisions.checked(session, coop, resolution_id),
                                recorded_by_id=actor.id if actor else None)
    session.add(change)
    old = member.status
    member.status, member.status_since = new_status, effective_date
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="member.status", obj=member,
                 summary=f"{member.number}: {member.full_name}",
                 changes={"status": [old.value, new_status.value]})
    return change


STATUS_LABELS = {
    MemberStatus.APPLICANT: _l("applicant"),
    MemberStatus.ACTIVE: _l("active"),
    MemberStatus.SUSPENDED: _l("suspended"),
    MemberStatus.WITHDRAWN: _l("withdrawn"),
    MemberStatus.EXCLUDED: _l("excluded"),
    MemberStatus.DECEASED: _l("deceased"),
}

LOT_STATUS_LABELS = {
    LotStatus.PLANNED: _l("planned"),
    LotStatus.UNDER_CONSTRUCTION: _l("under construction"),
    LotStatus.BUILT: _l("built"),
    LotStatus.DELIVERED: _l("delivered"),
}

DOCUMENT_LABELS = {
    DocumentType.CEDULA: _l("Cédula"),
    DocumentType.RUC: _l("RUC"),
    DocumentType.PASSPORT: _l("Passport"),
}

FORM_OF_ADDRESS_LABELS = {
    FormOfAddress.NEUTRAL: _l("Neutral wording (persona socia)"),
    FormOfAddress.FEMININE: _l("Feminine (socia)"),
    FormOfAddress.MASCULINE: _l("Masculine (socio)"),
}


#: what a person reads when the database refuses a duplicate that the checks above could not see yet
duplicates.unique_rule("uq_member_coop_id_document_number",
                       _l("Another member already has this document number."), field="document_number")
duplicates.unique_rule("uq_household_coop_id_name", _l("Another household already has this name."), field="name")
duplicates.unique_rule("uq_lot_coop_id_block_number", _l("This lot already exists."), field="number")

audit.describe("member.create", _l("Member entered in the register"))
audit.describe("member.update", _l("Member record corrected"))
audit.describe("member.status", _l("Member status changed"))
audit.describe("member.household", _l("Member moved to a household"))
audit.describe("household.create", _l("Household registered"))
audit.describe("household.update", _l("Household changed"))
audit.describe("lot.create", _l("Lot registered"))
audit.describe("lot.update", _l("Lot changed"))
audit.describe("lot.assign", _l("Lot assigned"))
audit.describe("shares.subscribe", _l("Share capital subscribed"))
for _field, _label, _values in (
        ("given_names", _l("Given names"), None), ("family_names", _l("Family names"), None),
        ("document_type", _l("Identity document"), DOCUMENT_LABELS), ("document_number", _l("Document number"), None),
        ("birth_date", _l("Birth date"), audit.day_text), ("join_date", _l("Date of joining"), audit.day_text),
        ("phone", _l("Phone"), None), ("phone_alt", _l("Another phone"), None), ("email", _l("E-mail"), None),
        ("address", _l("Address"), None),
        ("preferred_language", _l("Language for letters"), {"es": "Español", "en": "English"}),
        ("form_of_address", _l("Form of address"), FORM_OF_ADDRESS_LABELS), ("status", _l("Status"), STATUS_LABELS),
        ("household", _l("Household"), None), ("amount_minor", _l("Share capital subscribed"), audit.money_text),
        ("instalments", _l("Monthly instalments"), None)):
    audit.describe_field(_field, _label, values=_values, on="member")
audit.describe_field("dependants", _l("Dependants (not members)"), on="household")
audit.describe_field("status", _l("Status"), values=LOT_STATUS_LABELS, on="lot")
audit.describe_field("phase", _l("Construction phase"), on="lot")
audit.describe_field("household", _l("Household"), on="lot")
audit.describe_field("members", _l("Members imported"))
audit.describe_field("numbers", _l("Member numbers"))


def status_label(status: MemberStatus) -> str:
    return str(STATUS_LABELS[status])


# --- households ----------------------------------------------------------------------------

def create_household(session: so.Session, actor: User | None, coop: Coop, *, name: str,
                     dependants: int = 0) -> Household:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Give the household a name."), field="name")
    if dependants < 0:
        raise DomainError(_l("Dependants cannot be negative."), field="dependants")
    if session.scalar(sa.select(Household.id).where(Household.coop_id == coop.id, Household.name == name)):
        raise DomainError(_l("Another household already has this name."), field="name")
    household = Household(coop_id=coop.id, name=name, dependants=dependants)
    with duplicates.refusing_duplicates(session):  # the same name created at once in another request
        session.add(household)
    audit.record(session, coop=coop, actor=actor, action="household.create", obj=household, summary=name)
    return household


def update_household(session: so.Session, actor: User | None, coop: Coop, household: Household, *,
                     name: str, dependants: int) -> dict:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Give the household a name."), field="name")
    if dependants < 0:
        raise DomainError(_l("Dependants cannot be negative."), field="dependants")
    if session.scalar(sa.select(Household.id).where(Household.coop_id == coop.id, Household.name == name,
                                                    Household.id != household.id)):
        raise DomainError(_l("Another household already has this name."), field="name")
    changes = audit.changes_between(household, {"name": name, "dependants": dependants})
    household.name, household.dependants = name, dependants
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="household.update", obj=household,
                     summary=name, changes=changes)
    return changes


def household_chosen(session: so.Session, coop: Coop, value: str | None,
                     field: str = "household_id") -> Household | None:
    """The household chosen from a list (its id), or None for "no household" (``NO_HOUSEHOLD``)."""
    value = (value or "").strip()
    if value == NO_HOUSEHOLD:
        return None
    number = whole_number(value)
    household = session.get(Household, number) if number is not None else None
    if household is None or household.coop_id != coop.id:
        raise DomainError(_l("Choose the household from the list."), field=field)
    return household


def set_household(session: so.Session, actor: User | None, coop: Coop, member: Member,
                  household: Household | None) -> None:
    """Move a member into a household (or out of any)."""
    if household is not None and household.coop_id != coop.id:
        raise DomainError(_l("Choose a household of this co-op."), field="household_id")
    if member.household_id == (household.id if household is not None else None):
        raise DomainError(_l("The member is already in this household.") if household is not None
                          else _l("The member is in no household."), field="household_id")
    old = member.household.name if member.household else None
    member.household = household
    session.flush()
    refresh_search_text(session, member)
    audit.record(session, coop=coop, actor=actor, action="member.household", obj=member,
                 summary=f"{member.number}: {member.full_name}",
                 changes={"household": [old, household.name if household else None]})


# --- lots ----------------------------------------------------------------------------------

def create_lot(session: so.Session, actor: User | None, coop: Coop, *, block: str, number: str,
               phase: str = "", status: LotStatus = LotStatus.PLANNED) -> Lot:
    block, number = (block or "").strip().upper(), (number or "").strip().upper()
    if not block:
        raise DomainError(_l("Write the block."), field="block")
    if not number:
        raise DomainError(_l("Write the lot number."), field="number")
    if session.scalar(sa.select(Lot.id).where(Lot.coop_id == coop.id, Lot.block == block, Lot.number == number)):
        raise DomainError(_l("Lot %(label)s already exists.", label=f"{block}-{number}"), field="number")
    lot = Lot(coop_id=coop.id, block=block, number=number, phase=(phase or "").strip(), status=status)
    with duplicates.refusing_duplicates(session):  # the same lot created at once in another request
        session.add(lot)
    audit.record(session, coop=coop, actor=actor, action="lot.create", obj=lot, summary=lot.label)
    return lot


def update_lot(session: so.Session, actor: User | None, coop: Coop, lot: Lot, *, phase: str,
               status: LotStatus) -> dict:
    changes = audit.changes_between(lot, {"phase": (phase or "").strip(), "status": status})
    lot.phase, lot.status = (phase or "").strip(), status
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="lot.update", obj=lot, summary=lot.label,
                     changes=changes)
    return changes


def _members_of(session: so.Session, household_id: int | None) -> list[Member]:
    if household_id is None:
        return []
    return list(session.scalars(sa.select(Member).where(Member.household_id == household_id)))


def assign_lot(session: so.Session, actor: User | None, coop: Coop, lot: Lot, household: Household | None,
               *, from_date: dt.date, reason: str = "", resolution_ref: str = "", today: dt.date,
               resolution_id: decisions.Cited = None) -> None:
    """Assign a lot to a household (or free it), closing the previous assignment on that date."""
    if household is not None and household.coop_id != coop.id:
        raise DomainError(_l("Choose a household of this co-op."), field="household_id")
    resolution_id = decisions.checked(session, coop, resolution_id)
    check_past_date(from_date, "from_date", today + dt.timedelta(days=366), required=True)
    current = session.scalar(sa.select(LotAssignment).where(LotAssignment.lot_id == lot.id,
                                                            LotAssignment.to_date.is_(None)))
    if current is not None:
        if from_date < current.from_date:
            raise DomainError(_l("The new assignment cannot start before the current one (%(date)s).",
                                 date=current.from_date.isoformat()), field="from_date")
        if household is not None and current.household_id == household.id:
            raise DomainError(_l("The lot is already assigned to this household."), field="household_id")
        current.to_date = from_date
    previous_household = lot.household_id
    if household is not None:
        session.add(LotAssignment(coop_id=coop.id, lot_id=lot.id, household_id=household.id,
                                  from_date=from_date, reason=(reason or "").strip(),
                                  resolution_ref=(resolution_ref or "").strip(), resolution_id=resolution_id,
                                  recorded_by_id=actor.id if actor else None))
    lot.household_id = household.id if household else None
    session.flush()
    for member in _members_of(session, previous_household) + _members_of(session, lot.household_id):
        refresh_search_text(session, member)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="lot.assign", obj=lot, summary=lot.label,
                 changes={"household": [previous_household, lot.household_id]})


# --- share capital -------------------------------------------------------------------------

def subscribe_shares(session: so.Session, actor: User | None, coop: Coop, member: Member, *,
                     amount_minor: int, instalments: int, first_due_date: dt.date,
                     resolution_ref: str = "", resolution_id: decisions.Cited = None) -> ShareSubscription:
    """Record the share capital a member subscribes, payable in equal monthly instalments."""
    if amount_minor <= 0:
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    check_amount(coop, amount_minor)
    if not 1 <= instalments <= 600:
        raise DomainError(_l("Between 1 and 600 monthly instalments."), field="instalments")
    subscription = ShareSubscription(coop_id=coop.id, member_id=member.id, amount_minor=amount_minor,
                                     instalments=instalments, first_due_date=first_due_date,
                                     resolution_ref=(resolution_ref or "").strip(),
                                     resolution_id=decisions.checked(session, coop, resolution_id))
    session.add(subscription)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="shares.subscribe", obj=member,
                 summary=f"{member.number}: {member.full_name}",
                 changes={"amount_minor": [None, amount_minor], "instalments": [None, instalments]})
    return subscription


def instalment_schedule(subscription: ShareSubscription) -> list[tuple[dt.date, int]]:
    """The due dates and amounts: equal monthly parts, the remainder cents in the last one."""
    base, remainder = divmod(subscription.amount_minor, subscription.instalments)
    return [(same_day_months_later(subscription.first_due_date, index),
             base + (remainder if index == subscription.instalments - 1 else 0))
            for index in range(subscription.instalments)]
