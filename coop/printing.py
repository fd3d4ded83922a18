"""The kernel's printed document: the audit trail, rendered as a background task.

A co-op's trail grows by thousands of events a year, and a printed copy of it is the oversight
council's to take to an assembly. It is asked for from the audit page with the page's filters,
rendered in the background with progress (``coop.tasks``), and holds every event the filters
match; beyond ``MAX_PRINTED_EVENTS`` the request is refused with a message asking to narrow the
dates, never cut short without a word.

Each event is one paragraph of plain text (its time, who and what on the first line, its details
and changed fields on the lines below), written here in the reader's language: WeasyPrint lays
out such paragraphs about twice as fast as the rows of the fastest table (fixed layout, simple
cells, split into tables of 100), and 10,000 events must print in under 30 s (bench/audit_trail.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy.orm as so
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l

from coop import audit, tasks
from coop.access import VIEW_AUDIT
from coop.auth.models import User
from coop.errors import DomainError
from coop.pdf import render_pdf
from coop.tenancy import Coop

AUDIT_KIND = "coop.audit_trail"
#: events printed at most; more, and the person is asked to narrow the dates
MAX_PRINTED_EVENTS = 20_000


def _filters_of(params: dict) -> audit.AuditFilter:
    def day(value):
        return dt.date.fromisoformat(value) if value else None
    return audit.AuditFilter(action=params.get("action") or "", actor=params.get("actor") or "",
                             date_from=day(params.get("date_from")), date_to=day(params.get("date_to")))


def request_audit_trail(session: so.Session, coop: Coop, actor: User, filters: audit.AuditFilter, *,
                        locale: str) -> tasks.Task:
    """Queue the printed trail for the events the filters match (flushed, not committed)."""
    count = audit.count_events(session, coop.id, filters)
    if count > MAX_PRINTED_EVENTS:
        raise DomainError(_l("%(count)d events match: more than %(max)d cannot be printed at once. Choose "
                             "a shorter period.", count=count, max=MAX_PRINTED_EVENTS), field="date_from")
    up_to = audit.last_event_id(session, coop.id)  # the trail as it stood when it was asked for
    task = tasks.submit(session, coop, actor, AUDIT_KIND, {"locale": locale, "up_to": up_to, **filters.as_data()},
                        filename=f"auditoria-{coop.slug}.pdf", total=count)
    audit.record(session, coop=coop, actor=actor, action="export.audit", obj=task,
                 details={"events": count, "filters": {k: v for k, v in filters.as_data().items() if v}})
    return task


@dataclass(frozen=True)
class PrintedEvent:
    """One event as printed: a heading line and the lines below it, in the reader's language."""

    heading: str
    text: str


def printed(event: audit.AuditEvent) -> PrintedEvent:
    who = event.actor_name or gettext("System")
    heading = f"{format_datetime(event.created_dt, 'short')} · {who} · {audit.action_label(event.action)}"
    lines = [audit.summary_text(event)] + [f"{c.label}: {c.old} → {c.new}" for c in audit.changes_of(event)]
    return PrintedEvent(heading, "\n".join(line for line in lines if line))


@tasks.document_kind(AUDIT_KIND, label=_l("Audit trail"), permission=VIEW_AUDIT)
def render_audit_trail(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    """Every matching event, oldest first, in one PDF."""
    filters = _filters_of(params)
    events = audit.all_events(session, coop.id, filters, up_to=params.get("up_to"))
    total = len(events)
    progress(0, total)
    lines = [printed(event) for event in events]
    progress(total // 4, total)  # the layout is one pass, about three quarters of the time
    return render_pdf("pdf/audit.html", coop=coop, events=lines, filters=filters)

