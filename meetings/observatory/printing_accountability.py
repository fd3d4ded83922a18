"""The accountability report on paper (rendición de cuentas), for the assembly.

A background document (``coop.tasks``): the page queues it and sends the reader to the task's page,
which offers the file. It prints what the accountability page shows (``trace.accountability``):
each past participatory budget's decision and its work packages, then the other packages, each
with voted, spent (from the books), difference and hours by commission, its expenses beneath it,
and totals per process and overall. Every member may print it: it holds aggregates only.
"""
from __future__ import annotations

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, tasks
from coop.auth.models import User
from coop.db import utcnow
from coop.pdf import render_pdf
from coop.tenancy import Coop
from meetings.observatory import trace
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.work import STATUS_LABELS

KIND = "observatory.accountability"

audit.describe("observatory.print_accountability", _l("Accountability report printed"))


def request_accountability(session: so.Session, coop: Coop, actor: User, *, locale: str) -> tasks.Task:
    """Queue the report (flushed, not committed)."""
    day = calendar.today_in(coop)
    task = tasks.submit(session, coop, actor, KIND, {"locale": locale, "day": day.isoformat()},
                        filename=f"rendicion-de-cuentas-{day.isoformat()}.pdf")
    audit.record(session, coop=coop, actor=actor, action="observatory.print_accountability", summary=task.filename)
    return task


def render(session: so.Session, coop: Coop) -> bytes:
    """The report's PDF, read now (what the task runs, and what the benchmark times)."""
    return render_pdf("observatory/pdf/accountability.html", coop=coop, report=trace.accountability(session, coop),
                      status_labels=STATUS_LABELS, hours=trace.hours, today=calendar.today_in(coop), now=utcnow())


@tasks.document_kind(KIND, label=_l("Accountability report"), permission=VIEW_OBSERVATORY)
def render_accountability(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    progress(0, 1)
    content = render(session, coop)
    progress(1, 1)
    return content
