"""The append-only audit trail: who did what, when, in which co-op, to which object.

Rows are only ever inserted. The migration adds a trigger on both SQLite and PostgreSQL that
refuses UPDATE and DELETE, so not even a careless script can rewrite history. Changes to personal
data record the names of the fields changed and their old and new values.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.db import Base, utcnow

PAGE_SIZE = 50

#: action -> what a person reads on the audit page; packages add theirs with ``describe``
ACTION_LABELS: dict[str, str] = {}


def describe(action: str, label: str) -> None:
    """Give an action a translated label for the audit page and its printed copy."""
    ACTION_LABELS[action] = label


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


describe("auth.login", _l("Logged in"))
describe("auth.password_change", _l("Changed their password"))
describe("auth.password_reset", _l("Set a password from an e-mailed link"))
describe("coop.create", _l("Co-op opened"))
describe("coop.settings", _l("Settings changed"))
describe("role.grant", _l("Role given"))
describe("role.revoke", _l("Role removed"))
describe("export.audit", _l("Audit trail printed"))
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
           obj: Any = None, summary: str = "", changes: dict | None = None) -> AuditEvent:
    """Append one event to the trail (flushed with the unit of work, committed with it)."""
    event = AuditEvent(
        coop_id=coop.id if coop is not None else None,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "",
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        summary=summary,
        changes=changes or None,
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

    def describe(self) -> str:
        """The filters as data, for the record of an export."""
        parts = [f"action={self.action}" if self.action else "", f"actor={self.actor}" if self.actor else "",
                 f"from={self.date_from.isoformat()}" if self.date_from else "",
                 f"to={self.date_to.isoformat()}" if self.date_to else ""]
        return "; ".join(p for p in parts if p)


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
    rows = session.scalars(query.order_by(AuditEvent.created_dt.desc(), AuditEvent.id.desc())
                           .limit(per_page).offset((max(page, 1) - 1) * per_page))
    return list(rows), total


def count_events(session: so.Session, coop_id: int, filters: AuditFilter) -> int:
    """How many of the co-op's events the filters match."""
    return session.scalar(sa.select(sa.func.count()).select_from(_filtered(coop_id, filters).subquery()))


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
