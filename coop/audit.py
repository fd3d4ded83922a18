"""The append-only audit trail: who did what, when, in which co-op, to which object.

Rows are only ever inserted. The migration adds a trigger on both SQLite and PostgreSQL that
refuses UPDATE and DELETE, so not even a careless script can rewrite history. Changes to personal
data record the names of the fields changed and their old and new values.

An event stores data, not sentences: the action ("member.update"), the fields changed with their
raw values, and details such as counts and filters. They are put in the reader's language when
read, through labels the packages register: ``describe`` for actions, ``describe_field`` for
fields and their values (an enum's labels), ``describe`` with ``details=`` for a sentence made of
an event's details. Older events, whose summaries held "n=5000; from=2026-01-01", are read the
same way (``summary_text``).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_date, gettext, ngettext
from flask_babel import lazy_gettext as _l

from coop.db import Base, utcnow
from coop.paging import count_of, one_page

PAGE_SIZE = 50

#: action -> what a person reads on the audit page; packages add theirs with ``describe``
ACTION_LABELS: dict[str, str] = {}
#: action -> a function writing the event's details as a sentence in the current language
DETAIL_WRITERS: dict[str, Callable[[dict], str]] = {}


def describe(action: str, label: str, *, details: Callable[[dict], str] | None = None) -> None:
    """Give an action a translated label for the audit page and its printed copy, and optionally a
    function that writes its events' ``details`` as a sentence."""
    ACTION_LABELS[action] = label
    if details is not None:
        DETAIL_WRITERS[action] = details


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@dataclass(frozen=True)
class FieldText:
    """How a recorded field reads: its label, and its values' labels (a mapping or a function)."""

    label: Any
    values: Mapping[Any, Any] | Callable[[Any], str] | None = None


#: (table name or None for any, field) -> its label; packages add theirs with ``describe_field``
FIELD_LABELS: dict[tuple[str | None, str], FieldText] = {}


def describe_field(field: str, label: Any, *, values: Mapping[Any, Any] | Callable[[Any], str] | None = None,
                   on: str | None = None) -> None:
    """Give a recorded field (a key of ``changes`` or ``details``) a translated label, and its values
    theirs: a mapping from raw value (an enum member or its value) to label, or a function.

    ``on`` names the table of the objects whose field it is, where the same field name means
    different things (a member's "status" and an expense's); without it the label holds for any.
    """
    if isinstance(values, Mapping):
        values = {_plain(key): label for key, label in values.items()}
    FIELD_LABELS[(on, field)] = FieldText(label, values)


def _field_text(field: str, on: str | None) -> FieldText | None:
    return FIELD_LABELS.get((on, field)) or FIELD_LABELS.get((None, field))


def field_label(field: str, on: str | None = None) -> str:
    """A recorded field's label in the current language (its name, spaced, if none is registered)."""
    text = _field_text(field, on)
    return str(text.label) if text else field.replace("_", " ")


def value_text(field: str, value: Any, on: str | None = None) -> str:
    """A recorded value as a person reads it: "—" for none, yes/no, an enum value's label."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    text = _field_text(field, on)
    if text is not None and text.values is not None:
        if callable(text.values):
            return str(text.values(value))
        label = text.values.get(value) if isinstance(value, (str, int)) else None
        if label is not None:
            return str(label)
    if isinstance(value, dict):
        return details_text(value, on)
    if isinstance(value, list):
        return ", ".join(value_text(field, item, on) for item in value)
    return str(value)


def day_text(value: Any) -> str:
    """An ISO date as the reader writes dates (the value itself if it is not one)."""
    try:
        return format_date(dt.date.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def details_text(details: dict, on: str | None = None) -> str:
    """Details as "Label: value; …", for events whose action has no sentence of its own."""
    return "; ".join(f"{field_label(key, on)}: {value_text(key, value, on)}" for key, value in details.items()
                     if value not in (None, "", {}, []))


def month_label(month: int) -> Any:
    """A month's name in the reader's language, looked up when read."""
    from babel.dates import get_month_names
    from flask_babel import LazyString, get_locale
    return LazyString(lambda: get_month_names("wide", locale=get_locale())[month].capitalize())


def money_text(minor: Any) -> str:
    """An amount recorded in minor units, in the co-op's currency and the reader's format."""
    from flask import g
    from flask_babel import get_locale

    from coop import money
    currency = g.coop.currency if g.get("coop") is not None else "USD"
    try:
        return money.format_money(money.Money(int(minor), currency), str(get_locale()))
    except (TypeError, ValueError):
        return str(minor)


@dataclass(frozen=True)
class Change:
    """One changed field of an event, in the reader's language."""

    label: str
    old: str
    new: str


def changes_of(event: "AuditEvent") -> list[Change]:
    """The event's changed fields, labelled, with their old and new values put in words."""
    on = event.object_type
    return [Change(field_label(key, on), value_text(key, old, on), value_text(key, new, on))
            for key, (old, new) in (event.changes or {}).items()]


#: "key=value" parts of summaries recorded before events kept their details as data
_LEGACY_PART = re.compile(r"^([a-z_]+)=(.+)$")
_LEGACY_FIELDS = {"n": "count", "from": "date_from", "to": "date_to"}
_FORMATS = re.compile(r"\b(pdf|csv|json|xlsx|ods)\b")


def summary_text(event: "AuditEvent") -> str:
    """The event's one line in the reader's language: its summary (names and numbers as recorded)
    followed by its details as a sentence."""
    summary = event.summary or ""
    if "=" in summary or "command line" in summary:  # recorded before details were data
        parts = []
        for part in summary.split("; "):
            match = _LEGACY_PART.match(part)
            if match:
                key = _LEGACY_FIELDS.get(match[1], match[1])
                parts.append(f"{field_label(key)}: {value_text(key, match[2])}")
            else:
                parts.append(gettext("command line") if part == "command line" else part)
        summary = "; ".join(parts)
    summary = _FORMATS.sub(lambda match: match[1].upper(), summary)
    if not event.details:
        return summary
    writer = DETAIL_WRITERS.get(event.action)
    sentence = writer(event.details) if writer else details_text(event.details, event.object_type)
    return f"{summary} · {sentence}" if summary and sentence else summary or sentence


def filters_text(filters: dict) -> str:
    """An audit filter's parts as "Action: …; From: …", for the record of a printed trail."""
    return details_text({key: filters.get(key) for key in ("action", "actor", "date_from", "date_to")})


def _printed_trail(details: dict) -> str:
    count = details.get("events", 0)
    sentence = ngettext("%(num)d event printed", "%(num)d events printed", count)
    filters = filters_text(details.get("filters") or {})
    return f"{sentence} ({filters})" if filters else sentence


describe("auth.login", _l("Logged in"))
describe("auth.password_change", _l("Changed their password"))
describe("auth.password_reset", _l("Set a password from an e-mailed link"))
describe("coop.create", _l("Co-op opened"))
describe("coop.settings", _l("Settings changed"))
describe("role.grant", _l("Role given"))
describe("role.revoke", _l("Role removed"))
describe("export.audit", _l("Audit trail printed"), details=_printed_trail)
describe("export.document", _l("Generated document downloaded"))


class AuditEvent(Base):
    """One recorded action. Never updated, never deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_coop_created", "coop_id", "created_dt"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the co-op concerned; None for platform-wide actions such as log-ins
    coop_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="RESTRICT"))
    #: the user who acted; None for jobs and the command line
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    #: the actor's name at the time, kept even if the account is later renamed
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: when it happened (UTC)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: a dotted verb such as "member.update" or "export.register"
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    #: the kind of object acted upon (its table name), if any
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: the object's id, if any
    object_id: so.Mapped[int | None] = so.mapped_column()
    #: one line a person can read
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: field -> [old, new] for changes, as JSON
    changes: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    #: what else the event states, as data (counts, formats, filters), put in words when read
    details: so.Mapped[dict | None] = so.mapped_column(sa.JSON)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "value"):  # enums
        return value.value
    return str(value)


def changes_between(obj: Any, new_values: dict[str, Any]) -> dict[str, list]:
    """The fields whose value would change, as {field: [old, new]} ready to record."""
    changes = {}
    for key, new in new_values.items():
        old = getattr(obj, key)
        if _plain(old) != _plain(new):
            changes[key] = [_plain(old), _plain(new)]
    return changes


def record(session: so.Session, *, action: str, coop: Any = None, actor: Any = None,
           obj: Any = None, summary: str = "", changes: dict | None = None,
           details: dict | None = None) -> AuditEvent:
    """Append one event to the trail (flushed with the unit of work, committed with it).

    ``summary`` names the object as recorded (a member's number and name, a file name): data,
    not a sentence. Counts, formats and filters go in ``details``, put in words when read.
    """
    event = AuditEvent(
        coop_id=coop.id if coop is not None else None,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "",
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        summary=summary,
        changes=changes or None,
        details=details or None,
    )
    session.add(event)
    session.flush()
    return event


def record_apart(database: Any, **event: Any) -> None:
    """Record an event in its own short unit of work.

    For reading requests (a GET that exports or prints): their own transaction only reads, and
    on SQLite a read transaction cannot become a write once another connection has committed.
    """
    with database.unit_of_work() as session:
        record(session, **event)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page narrows the trail to."""

    action: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_data(self) -> dict:
        """The filters as data (dates as ISO text), for a task's parameters and the export's record."""
        return {"action": self.action, "actor": self.actor,
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None}


def _filtered(coop_id: int, filters: AuditFilter) -> sa.Select:
    query = sa.select(AuditEvent).where(AuditEvent.coop_id == coop_id)
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
    if filters.actor:
        query = query.where(AuditEvent.actor_name.ilike(f"%{filters.actor}%"))
    if filters.date_from:
        query = query.where(AuditEvent.created_dt >= dt.datetime.combine(filters.date_from, dt.time()))
    if filters.date_to:
        query = query.where(AuditEvent.created_dt
                            < dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time()))
    return query


def events(session: so.Session, coop_id: int, filters: AuditFilter, *, page: int = 1,
           per_page: int = PAGE_SIZE) -> tuple[list[AuditEvent], int]:
    """One page of the co-op's trail, newest first, and the total number of matching events."""
    query = _filtered(coop_id, filters)
    total = count_events(session, coop_id, filters)
    rows = session.scalars(one_page(query.order_by(AuditEvent.created_dt.desc(), AuditEvent.id.desc()), page, per_page))
    return list(rows), total


def count_events(session: so.Session, coop_id: int, filters: AuditFilter) -> int:
    """How many of the co-op's events the filters match."""
    return count_of(session, _filtered(coop_id, filters))


def all_events(session: so.Session, coop_id: int, filters: AuditFilter, *,
               up_to: int | None = None) -> list[AuditEvent]:
    """Every matching event (up to event ``up_to``, when given), oldest first, for the printed trail."""
    query = _filtered(coop_id, filters).order_by(AuditEvent.created_dt, AuditEvent.id)
    if up_to is not None:
        query = query.where(AuditEvent.id <= up_to)
    return list(session.scalars(query))


def last_event_id(session: so.Session, coop_id: int) -> int:
    """The newest event of the co-op's trail (0 for none)."""
    return session.scalar(sa.select(sa.func.max(AuditEvent.id)).where(AuditEvent.coop_id == coop_id)) or 0


def action_names(session: so.Session, coop_id: int) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop_id)
                                .distinct().order_by(AuditEvent.action)))


# --- labels of the kernel's own fields ---------------------------------------------------------

describe_field("action", _l("Action"), values=action_label)
describe_field("actor", _l("Who"))
describe_field("date_from", _l("From"), values=day_text)
describe_field("date_to", _l("To"), values=day_text)
describe_field("count", _l("Number"))
describe_field("format", _l("Format"), values=lambda value: str(value).upper())
describe_field("name", _l("Name"))
describe_field("description", _l("Description"))
describe_field("status", _l("Status"))
describe_field("reason", _l("Reason"))
describe_field("resolution_ref", _l("Resolution"))
describe_field("amount_minor", _l("Amount"), values=money_text)
describe_field("created", _l("Created"))
describe_field("deleted", _l("Deleted"))
describe_field("events", _l("Events"))
describe_field("filters", _l("Filters"))
describe_field("q", _l("Search"))
