"""A participatory budget's printed documents, for members without a phone and for the notice
board: the proposal booklet (every feasible proposal, the amount, the rule and the dates) and the
blank paper ballot (the feasible proposals with a box each, the rule's instruction, and lines for
the member's number, name and signature), which the secretary then enters for the member.

Both are rendered in the background (``coop.tasks``): the process's print page queues them and
sends the reader to the task's page, which offers the file.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, tasks
from coop.auth.models import User
from coop.db import get_session, utcnow
from coop.pdf import render_pdf
from coop.tenancy import Coop
from meetings.observatory import participation
from meetings.observatory.models import ParticipatoryBudget
from meetings.observatory.permissions import VIEW_OBSERVATORY
from minga.models import Commission

BOOKLET_KIND, PAPER_BALLOT_KIND = "observatory.booklet", "observatory.paper_ballot"
KINDS = (BOOKLET_KIND, PAPER_BALLOT_KIND)

audit.describe("observatory.print_booklet", _l("Proposal booklet of a participatory budget printed"))
audit.describe("observatory.print_paper_ballot", _l("Paper ballot of a participatory budget printed"))


def request_document(session: so.Session, coop: Coop, actor: User, process: ParticipatoryBudget, kind: str, *,
                     locale: str) -> tasks.Task:
    """Queue the booklet or the paper ballot (flushed, not committed)."""
    name = "cuadernillo" if kind == BOOKLET_KIND else "papeleta"
    task = tasks.submit(session, coop, actor, kind, {"locale": locale, "process_id": process.id},
                        filename=f"{name}-presupuesto-participativo-{process.year}.pdf")
    audit.record(session, coop=coop, actor=actor, obj=process, summary=f"{process.year} · {process.title}",
                 action="observatory.print_booklet" if kind == BOOKLET_KIND else "observatory.print_paper_ballot")
    return task


def printed(session: so.Session, coop: Coop, viewer, process: ParticipatoryBudget) -> list:
    """The documents printed for this process that the viewer may see: (task, requester) pairs."""
    return [(task, name) for kind in KINDS for task, name in tasks.tasks_of(session, coop, kind)
            if (task.params or {}).get("process_id") == process.id and tasks.may_see(viewer, task)]


def _may_read(viewer, task: tasks.Task) -> bool:
    process = get_session().get(ParticipatoryBudget, (task.params or {}).get("process_id"))
    return process is not None and process.coop_id == task.coop_id


def _context(session: so.Session, coop: Coop, params: dict) -> dict:
    process = session.get(ParticipatoryBudget, params.get("process_id"))
    if process is None or process.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The participatory budget no longer exists.")))
    proposals = participation.feasible_proposals(session, process)
    commission_ids = {p.commission_id for p in proposals if p.commission_id}
    commissions = dict(session.execute(sa.select(Commission.id, Commission.name)
                                       .where(Commission.id.in_(commission_ids))).all()) if commission_ids else {}
    account, budget = participation.source_of(session, process)
    return {"coop": coop, "process": process, "proposals": proposals, "commissions": commissions,
            "account": account, "budget": budget, "rule_label": participation.RULE_LABELS[process.rule],
            "now": utcnow()}


@tasks.document_kind(BOOKLET_KIND, label=_l("Proposal booklet"), permission=VIEW_OBSERVATORY, rule=_may_read)
def render_booklet(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    progress(0, 1)
    return render_pdf("observatory/pdf/booklet.html", **_context(session, coop, params))


@tasks.document_kind(PAPER_BALLOT_KIND, label=_l("Paper ballot"), permission=VIEW_OBSERVATORY, rule=_may_read)
def render_paper_ballot(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    progress(0, 1)
    return render_pdf("observatory/pdf/paper_ballot.html", **_context(session, coop, params))
