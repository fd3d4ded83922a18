"""An import as a background task: kept as a draft with its preview, confirmed, then run.

The upload is checked whole in the request (``check_import``). A clean file is kept as a draft
task with a preview of what it will create; the secretary's confirmation queues it, and the task
runs in the background (``coop.tasks``): it checks the rows again, recording progress, then in
one unit of work checks them against the register, saves everything and leaves the outcome, so
the task says "done" exactly when the members exist. Run again after a restart, it does the same:
either everything was saved in that unit, or nothing was.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import tasks
from coop.auth.models import User
from coop.calendar import today_in
from coop.spreadsheets import XLSX_MIMETYPE
from coop.tasks import Task, TaskContext, TaskFailed, TaskResult
from coop.tenancy import Coop
from members.imports.checking import ImportPlan, check_register, check_rows, read_member_table
from members.imports.columns import IMPORT_KIND, STATUS_NAMES
from members.imports.saving import save_members
from members.permissions import MANAGE_MEMBERS

#: rows of the file shown in the preview
SAMPLE_ROWS = 20


def store_upload(session: so.Session, actor: User, coop: Coop, content: bytes, *, filename: str,
                 plan: ImportPlan) -> Task:
    """Keep a checked file as a draft until someone confirms it, with a preview of what it will create."""
    sample = [[row.row, f"{row.family_names}, {row.given_names}", row.document_number,
               STATUS_NAMES[row.status][0], row.household, f"{row.block}-{row.lot}" if row.lot else ""]
              for row in plan.rows[:SAMPLE_ROWS]]
    return tasks.submit(
        session, coop, actor, IMPORT_KIND, draft=True, input=content, total=len(plan.rows), filename=filename,
        mimetype=XLSX_MIMETYPE if content.startswith(b"PK") else "text/csv",
        params={"rows": len(plan.rows), "households": len(plan.new_households), "lots": plan.new_lots,
                "sample": sample, "numbers_ignored": "member_number" in plan.headers})


def stored_import(session: so.Session, coop: Coop, upload_id: int) -> Task | None:
    return tasks.task_of(session, coop, upload_id, IMPORT_KIND)


def confirm_import(session: so.Session, upload: Task) -> bool:
    """Queue a kept import; False if it was already confirmed (a second click)."""
    return tasks.confirm(session, upload)


@tasks.task_kind(IMPORT_KIND, label=_l("Import of members"), permission=MANAGE_MEMBERS)
def run_import(context: TaskContext) -> TaskResult | None:
    """Check the kept file's rows with progress, then check against the register and save, in one unit."""
    content = context.input()
    if content is None:
        raise TaskFailed("")
    table = read_member_table(content)
    with context.reading() as session:
        coop = session.get(Coop, context.coop_id)
        today, language = today_in(coop), coop.locale
    context.phase("checking")
    plan = check_rows(table, today=today, language=language, progress=context.progress)
    context.phase("saving")  # on SQLite the saving unit holds the writer lock: no progress until it ends
    with context.writing() as session:
        coop = session.get(Coop, context.coop_id)
        actor = session.get(User, context.requested_by_id) if context.requested_by_id else None
        if plan.columns_ok:
            check_register(session, coop, plan)
        if plan.problems:
            # the register changed since the preview (a document number now taken): nothing is saved
            raise TaskFailed("", bad_rows=plan.bad_rows)
        filename = session.scalar(sa.select(Task.filename).where(Task.id == context.task_id))
        result = save_members(session, actor, coop, plan, filename=filename or "")
        # done in the same unit as the members: a restart never finds them saved but the task running
        context.complete(session, TaskResult(result={
            "members": result.members, "first": result.first_number, "last": result.last_number,
            "households": result.households, "lots": result.lots}))
    return None
