"""Long work in the background: one mechanism for every document, import or mass mailing.

Anything that can take more than about a second is a *task*, never done inside a web request. A
page submits it (``submit``): a row queued in the database, flushed with the page's unit of work.
Once that unit commits, the task is started in a thread of the same process when
``TASKS_RUN_IN_THREAD`` is on (development); otherwise the scheduler process's task worker picks
it up within seconds (production), and the ``tasks.run`` job every minute in any case.

Running a task (``run_task``) claims it with one conditional UPDATE (of two workers, one runs it),
records a heartbeat while it runs, and its progress sparingly (``Progress``); its kind's function
returns the result (a file, a summary) or raises ``TaskFailed`` with a reason the page shows;
anything else is recorded as a fault. A task whose worker stopped (a restart, a crash: no
heartbeat for ``STALLED_AFTER``) is queued again, up to its kind's ``attempts``, then failed with
a clear message. Task functions must therefore be safe to run again: a document is rendered
anew, an import saves everything in one transaction or nothing.

The same task asked for twice while it waits (a double click, two treasurers) is one task: a
unique index over (co-op, kind, key) of the waiting tasks says so, not a read. Pages refresh
themselves without JavaScript (``refreshing``) until the task is done.

Domain packages add kinds with ``@task_kind("package.what", ...)`` (or ``@document_kind`` for a
printed document), so the kernel knows no domain.
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.db import Base, utcnow, value_enum
from coop.errors import DomainError
from coop.tenancy import Coop

log = logging.getLogger(__name__)

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

audit.describe("export.document", _l("Generated document downloaded"))


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


# --- kinds ----------------------------------------------------------------------------------

@dataclass
class TaskContext:
    """What a task's function receives: its task, a way to read and write, and to report progress."""

    app: Flask
    task_id: int
    coop_id: int
    params: dict
    requested_by_id: int | None
    progress: Progress
    _input: bytes | None = field(default=None, repr=False)

    @property
    def database(self):
        return self.app.extensions["coop.db"]

    def reading(self):
        """A unit of work that only reads."""
        return self.database.unit_of_work(write=False)

    def writing(self):
        """A unit of work that writes, committed when the block ends."""
        return self.database.unit_of_work()

    def input(self) -> bytes | None:
        """The file the task works on (an upload)."""
        if self._input is None:
            with self.reading() as session:
                self._input = session.scalar(sa.select(Task.input).where(Task.id == self.task_id))
        return self._input

    def phase(self, name: str) -> None:
        """Say which step the task is at; shown on its page."""
        self.progress.write(phase=name)

    def complete(self, session: so.Session, outcome: TaskResult) -> None:
        """Mark the task done inside ``session``'s unit of work, with the work it records.

        For a task whose work is one transaction (an import): a restart then finds either the
        work and "done", or neither. The task's function returns None afterwards.
        """
        total = self.progress.total
        done = session.execute(
            sa.update(Task).where(Task.id == self.task_id, Task.status == TaskStatus.RUNNING,
                                  Task.runner == self.progress.runner)
            .values(status=TaskStatus.DONE, finished_dt=utcnow(), heartbeat_dt=utcnow(), input=None,
                    content=outcome.content, result=outcome.result, progress=total, total=total)
            .execution_options(synchronize_session=False)).rowcount
        if done != 1:
            raise TaskLost(self.task_id)


@dataclass
class TaskResult:
    """What a finished task leaves: a file to download, and what its page says about it."""

    content: bytes | None = None
    result: dict | None = None


class TaskFailed(Exception):
    """The task cannot be done, for a reason its page explains (kept in ``result``)."""

    def __init__(self, message: str = "", **result: Any):
        super().__init__(message)
        self.message = message
        self.result = result


@dataclass(frozen=True)
class TaskKind:
    name: str
    run: Callable[[TaskContext], TaskResult]
    #: what the task is called on its page ("Register of members")
    label: str
    #: the permission needed to see the task and its result
    permission: str
    #: runs allowed in all (a run cut short by a restart counts)
    attempts: int = 3
    #: a further condition on who may see one task and its result (a copy with personal data)
    rule: Callable[[Any, Task], bool] | None = None
    # ``run`` returns the result, or None after ``TaskContext.complete``


#: kind -> how tasks of that kind run; packages add theirs with ``task_kind``
KINDS: dict[str, TaskKind] = {}


def task_kind(name: str, *, label: str, permission: str, attempts: int = 3,
              rule: Callable[[Any, Task], bool] | None = None) -> Callable:
    """Decorator: run tasks of ``name`` ("package.what") with this function of a ``TaskContext``.

    Who may see a task and its result: holders of ``permission`` for whom ``rule(viewer, task)``
    holds, if given.
    """
    def decorator(func: Callable[[TaskContext], TaskResult]) -> Callable[[TaskContext], TaskResult]:
        KINDS[name] = TaskKind(name, func, label, permission, attempts, rule)
        return func
    return decorator


def may_see(viewer, task: Task) -> bool:
    """Whether a viewer (``coop.access.Viewer``) may see a task and download its result."""
    kind = KINDS.get(task.kind)
    return (kind is not None and viewer.may(kind.permission)
            and (kind.rule is None or kind.rule(viewer, task)))


#: renderer(session, coop, params, progress) -> a document's bytes
Renderer = Callable[[so.Session, Coop, dict, "Progress"], bytes]


def document_kind(name: str, *, label: str, permission: str,
                  rule: Callable[[Any, Task], bool] | None = None) -> Callable[[Renderer], Renderer]:
    """Decorator: a printed document rendered by ``renderer(session, coop, params, progress)``.

    The renderer runs with the document's language (``params["locale"]``, else the co-op's) and
    ``g.coop`` set, in a reading unit of work of its own; it calls ``progress(done, total)`` as
    often as it likes (the calls are thinned out before they reach the database).
    """
    def decorator(render: Renderer) -> Renderer:
        def run(context: TaskContext) -> TaskResult:
            with context.reading() as session:
                coop = session.get(Coop, context.coop_id)
                g.coop = coop  # also gives Flask-Babel a place to keep the forced locale
                with force_locale(context.params.get("locale") or coop.format_locale(coop.locale)):
                    return TaskResult(content=render(session, coop, context.params, context.progress))

        task_kind(name, label=label, permission=permission, rule=rule)(run)
        return render
    return decorator


# --- asking for a task -----------------------------------------------------------------------

def dedupe_key(kind: str, params: dict) -> str:
    text = json.dumps({"kind": kind, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _waiting_same(session: so.Session, coop: Coop, kind: str, key: str) -> Task | None:
    return session.scalar(sa.select(Task).where(Task.coop_id == coop.id, Task.kind == kind,
                                                Task.dedupe_key == key, Task.status.in_(WAITING)))


def submit(session: so.Session, coop: Coop, actor: User | None, kind: str, params: dict | None = None, *,
           filename: str = "", mimetype: str = "application/pdf", input: bytes | None = None,
           draft: bool = False, total: int = 0) -> Task:
    """Queue a task (flushed, not committed); the same task already waiting is returned instead.

    It starts once the caller's unit of work commits. A person may have at most
    ``MAX_WAITING_PER_PERSON`` tasks waiting. ``draft`` keeps it until ``confirm``.
    """
    if kind not in KINDS:
        raise ValueError(f"no task kind {kind!r}")
    params = dict(params or {})
    key = dedupe_key(kind, params) if input is None else uuid.uuid4().hex  # an upload is never shared
    if not draft:
        same = _waiting_same(session, coop, kind, key)
        if same is not None:
            return same
        _check_waiting_limit(session, coop, actor)
    task = Task(coop_id=coop.id, kind=kind, params=params, dedupe_key=key,
                status=TaskStatus.DRAFT if draft else TaskStatus.PENDING, filename=filename[:200],
                mimetype=mimetype, input=input, total=total, requested_by_id=actor.id if actor else None)
    try:
        with session.begin_nested():
            session.add(task)
    except sa.exc.IntegrityError:  # the same task was queued a moment ago by another request
        return _waiting_same(session, coop, kind, key)
    if not draft:
        _started_after_commit(session, task.id)
    return task


def _check_waiting_limit(session: so.Session, coop: Coop, actor: User | None) -> None:
    if actor is None:
        return
    waiting = session.scalar(sa.select(sa.func.count()).select_from(Task).where(
        Task.coop_id == coop.id, Task.requested_by_id == actor.id, Task.status.in_(WAITING)))
    if waiting >= MAX_WAITING_PER_PERSON:
        raise DomainError(_l("You already have %(count)d documents or imports being prepared. Wait until one "
                             "of them is done, then ask again.", count=waiting))


def confirm(session: so.Session, task: Task) -> bool:
    """Queue a draft; False when it was already queued (a second click) or is gone."""
    queued = session.execute(
        sa.update(Task).where(Task.id == task.id, Task.status == TaskStatus.DRAFT)
        .values(status=TaskStatus.PENDING).execution_options(synchronize_session=False)).rowcount == 1
    if queued:
        _started_after_commit(session, task.id)
    return queued


def task_of(session: so.Session, coop: Coop, task_id: int, kind: str | None = None) -> Task | None:
    """One of the co-op's tasks (of a kind); None for another co-op's (the caller answers 404)."""
    where = [Task.id == task_id, Task.coop_id == coop.id]
    if kind is not None:
        where.append(Task.kind == kind)
    return session.scalar(sa.select(Task).where(*where))


def tasks_of(session: so.Session, coop: Coop, kind: str, *, limit: int = 20) -> list[tuple[Task, str]]:
    """The co-op's tasks of one kind, newest first, with the name of who asked for each."""
    rows = session.execute(
        sa.select(Task, User.name).outerjoin(User, User.id == Task.requested_by_id)
        .where(Task.coop_id == coop.id, Task.kind == kind, Task.status != TaskStatus.DRAFT)
        .order_by(Task.created_dt.desc(), Task.id.desc()).limit(limit))
    return [(task, name or "") for task, name in rows]


# --- running ------------------------------------------------------------------------------------

class TaskLost(Exception):
    """The task was deleted, or given to another run, while this run worked on it."""


class Progress:
    """The ``progress(done, total)`` callback of a running task: written sparingly.

    Each write is its own short unit of work, made when progress advanced by ``PROGRESS_STEP``
    of the total or ``PROGRESS_SECONDS`` passed, so a task may report every item without
    hogging SQLite's writer lock. It refreshes the heartbeat too.
    """

    def __init__(self, database, task_id: int, runner: str, *, clock: Callable[[], float] = time.monotonic):
        self.database = database
        self.task_id = task_id
        self.runner = runner
        self.clock = clock
        self.done = self.total = 0
        self._written: tuple[int, int] | None = None
        self._written_at = clock()

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = max(0, min(done, total)), max(0, total)
        if self._written is not None:
            written_done, written_total = self._written
            step = max(1, int(self.total * PROGRESS_STEP))
            due = (self.total != written_total or self.done - written_done >= step
                   or (self.done != written_done and self.clock() - self._written_at >= PROGRESS_SECONDS))
            if not due:
                return
        self.write(progress=self.done, total=self.total)
        self._written, self._written_at = (self.done, self.total), self.clock()

    def write(self, **values: Any) -> None:
        """Write to the task this run holds; ``TaskLost`` when it no longer holds it."""
        with self.database.unit_of_work() as session:
            updated = session.execute(
                sa.update(Task).where(Task.id == self.task_id, Task.status == TaskStatus.RUNNING,
                                      Task.runner == self.runner)
                .values(heartbeat_dt=utcnow(), **values)
                .execution_options(synchronize_session=False)).rowcount
        if updated != 1:
            raise TaskLost(self.task_id)


class _Heartbeat(threading.Thread):
    """Beats every ``HEARTBEAT_SECONDS`` while a task runs, so a stalled run can be told apart."""

    def __init__(self, progress: Progress):
        super().__init__(daemon=True, name=f"task-{progress.task_id}-heartbeat")
        self.progress = progress
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                self.progress.write()
            except TaskLost:
                return
            except sa.exc.OperationalError:  # SQLite's writer lock held by the task itself: next beat
                log.debug("heartbeat of task %s skipped", self.progress.task_id)


def _claim(database, task_id: int, runner: str) -> bool:
    """Pending -> running, atomically: of two workers that try, one runs it."""
    now = utcnow()
    with database.unit_of_work() as session:
        return session.execute(
            sa.update(Task)
            .where(Task.id == task_id, Task.status == TaskStatus.PENDING, Task.kind.in_(list(KINDS)))
            .values(status=TaskStatus.RUNNING, runner=runner, attempts=Task.attempts + 1, progress=0,
                    error=None, started_dt=now, heartbeat_dt=now)
            .execution_options(synchronize_session=False)).rowcount == 1


def _finish(run: Progress, status: TaskStatus, **values: Any) -> bool:
    try:
        run.write(status=status, finished_dt=utcnow(), input=None, **values)
    except TaskLost:
        return False
    return True


def run_task(app: Flask, task_id: int) -> TaskStatus | None:
    """Run one pending task now, in this thread; its final status, None if it was not pending.

    Whatever the task's function raises is recorded on the task (failed), logged, not raised:
    nobody waits on this call but a thread or a job.
    """
    database = app.extensions["coop.db"]
    runner = uuid.uuid4().hex
    with app.app_context():
        if not _claim(database, task_id, runner):
            return None
        with database.unit_of_work(write=False) as session:
            task = session.get(Task, task_id)
            kind = KINDS[task.kind]
            context = TaskContext(app, task.id, task.coop_id, dict(task.params or {}), task.requested_by_id,
                                  Progress(database, task_id, runner))
        heartbeat = _Heartbeat(context.progress)
        heartbeat.start()
        try:
            outcome = kind.run(context)
        except TaskLost:
            log.info("task %s was taken away while it ran", task_id)
            return None
        except TaskFailed as failed:
            _finish(context.progress, TaskStatus.FAILED, error=failed.message or None, result=failed.result)
            return TaskStatus.FAILED
        except Exception as exc:  # recorded on the task for the people waiting for it
            log.exception("task %s (%s) failed", task_id, kind.name)
            _finish(context.progress, TaskStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000])
            return TaskStatus.FAILED
        finally:
            heartbeat.stopped.set()
        if outcome is not None:  # None: the task's function completed it in its own unit of work
            total = context.progress.total
            if not _finish(context.progress, TaskStatus.DONE, content=outcome.content, result=outcome.result,
                           progress=total, total=total):
                return None
        log.info("task %s (%s) done", task_id, kind.name)
        return TaskStatus.DONE


# --- threads, the worker and the job ---------------------------------------------------------------

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _run_in_thread(app: Flask, task_id: int) -> None:
    try:
        run_task(app, task_id)
    except Exception:  # the worker or the job picks the task up again if it is still pending
        log.exception("thread of task %s stopped", task_id)
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


def start(app: Flask, task_id: int) -> threading.Thread | None:
    """Run a task in a daemon thread of this process, when ``TASKS_RUN_IN_THREAD`` is on."""
    if not app.config["TASKS_RUN_IN_THREAD"]:
        return None
    thread = threading.Thread(target=_run_in_thread, args=(app, task_id), daemon=True, name=f"task-{task_id}")
    with _threads_lock:
        _threads.add(thread)
    thread.start()
    return thread


def _started_after_commit(session: so.Session, task_id: int) -> None:
    """Start the task once the unit of work that queued it commits (never before: it must exist)."""
    if not current_app.config["TASKS_RUN_IN_THREAD"]:
        return
    pending = session.info.setdefault("coop.tasks", [])
    pending.append(task_id)
    app = current_app._get_current_object()
    if len(pending) == 1:
        @sa.event.listens_for(session, "after_commit", once=True)
        def _start(committed: so.Session) -> None:
            for each in committed.info.pop("coop.tasks", []):
                start(app, each)

        @sa.event.listens_for(session, "after_rollback", once=True)
        def _forget(rolled_back: so.Session) -> None:
            rolled_back.info.pop("coop.tasks", None)


def wait_for_threads(timeout: float = 60.0) -> None:
    """Wait for this process's task threads (tests; a graceful shutdown)."""
    deadline = time.monotonic() + timeout
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def requeue_stalled(session: so.Session, now: dt.datetime) -> tuple[int, int]:
    """Queue again the running tasks whose worker stopped; fail those out of attempts.

    (queued again, given up).
    """
    requeued = given_up = 0
    stalled = session.scalars(sa.select(Task).where(Task.status == TaskStatus.RUNNING,
                                                    Task.heartbeat_dt < now - STALLED_AFTER))
    for task in stalled:
        kind = KINDS.get(task.kind)
        if kind is None:
            continue  # another version's kind: left to a process that knows it
        if task.attempts >= kind.attempts:
            task.status, task.finished_dt, task.error, task.input = TaskStatus.FAILED, now, "interrupted", None
            given_up += 1
        else:
            task.status, task.runner, task.progress, task.phase = TaskStatus.PENDING, None, 0, ""
            requeued += 1
    session.flush()
    return requeued, given_up


def pending_tasks(session: so.Session, *, limit: int = RUN_BATCH) -> list[int]:
    """Ids of pending tasks of kinds this process knows, oldest first."""
    return list(session.scalars(
        sa.select(Task.id).where(Task.status == TaskStatus.PENDING, Task.kind.in_(list(KINDS)))
        .order_by(Task.created_dt, Task.id).limit(limit)))


def run_waiting(app: Flask, now: dt.datetime | None = None) -> str:
    """Queue again the stalled tasks, then run the pending ones here, one after another.

    The ``tasks.run`` job and the scheduler's worker; each step is its own unit of work, since a
    task writes its progress as it goes.
    """
    database = app.extensions["coop.db"]
    with app.app_context():
        with database.unit_of_work() as session:
            requeued, given_up = requeue_stalled(session, now or utcnow())
        with database.unit_of_work(write=False) as session:
            waiting = pending_tasks(session)
    outcomes = [run_task(app, task_id) for task_id in waiting]
    return (f"{outcomes.count(TaskStatus.DONE)} done, {outcomes.count(TaskStatus.FAILED)} failed, "
            f"{requeued} queued again, {given_up} given up")


class Worker(threading.Thread):
    """The scheduler process's task worker: looks for pending tasks every few seconds."""

    def __init__(self, app: Flask, *, poll_seconds: float):
        super().__init__(daemon=True, name="task-worker")
        self.app = app
        self.poll_seconds = poll_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.poll_seconds):
            try:
                run_waiting(self.app)
            except Exception:  # the database may be restarting: try again at the next poll
                log.exception("task worker poll failed")


def purge_tasks(session: so.Session, now: dt.datetime, *, days: int = KEEP_DAYS) -> int:
    """Delete tasks asked for more than ``days`` ago, and drafts nobody confirmed in a day."""
    old = sa.delete(Task).where(Task.created_dt < now - dt.timedelta(days=days), Task.status.not_in(WAITING))
    drafts = sa.delete(Task).where(Task.status == TaskStatus.DRAFT,
                                   Task.created_dt < now - dt.timedelta(hours=DRAFT_HOURS))
    return sum(session.execute(statement.execution_options(synchronize_session=False)).rowcount
               for statement in (old, drafts))
