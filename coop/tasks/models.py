"""The task table: what was asked for, how far it got, and what it left."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.db import Base, utcnow, value_enum

#: finished tasks (and their files) are deleted this long after they were asked for
KEEP_DAYS = 7
#: drafts (an upload waiting for its confirmation) are deleted after this long
DRAFT_HOURS = 24
#: a running task whose heartbeat is older than this lost its worker: it is queued again
STALLED_AFTER = dt.timedelta(minutes=3)
#: seconds between heartbeats of a running task
HEARTBEAT_SECONDS = 30.0
#: progress is written when it advanced by this share of the total...
PROGRESS_STEP = 0.02
#: ...or when this many seconds passed since it was last written
PROGRESS_SECONDS = 3.0
#: tasks one run of the ``tasks.run`` job (or one poll of the worker) takes at most
RUN_BATCH = 10
#: tasks one person may have waiting at once
MAX_WAITING_PER_PERSON = 3
#: seconds between reloads of a page that waits for a task
REFRESH_SECONDS = 3


class TaskStatus(enum.StrEnum):
    #: kept until someone confirms it (an uploaded file shown as a preview)
    DRAFT = "draft"
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


WAITING = (TaskStatus.PENDING, TaskStatus.RUNNING)


class Task(Base):
    """A piece of long work somebody asked for, queued, run in the background, with its result."""

    __tablename__ = "task"
    __table_args__ = (
        # the same task asked for twice while it waits is one task: the database says so
        sa.Index("uq_task_waiting_key", "coop_id", "kind", "dedupe_key", unique=True,
                 sqlite_where=sa.text("status IN ('pending', 'running')"),
                 postgresql_where=sa.text("status IN ('pending', 'running')")),
        sa.Index("ix_task_status_created", "status", "created_dt"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    #: what to do, such as "members.register"
    kind: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: the parameters of the request, as JSON
    params: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    #: digest of kind and parameters: equal keys are the same task
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    status: so.Mapped[TaskStatus] = so.mapped_column(value_enum(TaskStatus), default=TaskStatus.PENDING)
    #: the step it is at, as its kind names it ("checking", "saving")
    phase: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    #: items done so far, out of ``total``
    progress: so.Mapped[int] = so.mapped_column(default=0)
    total: so.Mapped[int] = so.mapped_column(default=0)
    #: file name offered for download
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    mimetype: so.Mapped[str] = so.mapped_column(sa.String(100), default="application/pdf")
    #: a file the task works on (an upload), dropped when the task ends: it may hold personal data
    input: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: the file it produced (loaded only when downloaded)
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: what its page shows about the outcome (counts, a reason), as JSON
    result: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    #: why it failed
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: runs started so far (a run cut short by a restart counts)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    #: the run holding it: a worker that lost it (queued again) can no longer write to it
    runner: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    started_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: last sign of life of the run holding it
    heartbeat_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    finished_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    @property
    def is_waiting(self) -> bool:
        """Pending or running: its page keeps refreshing."""
        return self.status in WAITING

    @property
    def percent(self) -> int:
        if self.status is TaskStatus.DONE:
            return 100
        return min(100, self.progress * 100 // self.total) if self.total else 0

    @property
    def error_message(self) -> str | None:
        """Why it failed, in the reader's language."""
        if self.error in FAULTS:
            return str(FAULTS[self.error])
        return self.error


#: the reasons the kernel records, stored as keys and read in the reader's language
FAULTS = {
    "interrupted": _l("The server stopped several times while this was being done. Ask for it again; "
                      "if it happens again, tell your co-op's administrator."),
}
