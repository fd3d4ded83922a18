"""Running tasks: claiming one, its progress and heartbeat, its end; threads, the worker, the job."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from coop.db import utcnow
from coop.tasks.kinds import KINDS, TaskFailed, TaskResult
from coop.tasks.models import (HEARTBEAT_SECONDS, PROGRESS_SECONDS, PROGRESS_STEP, RUN_BATCH, STALLED_AFTER, Task,
                               TaskStatus)

log = logging.getLogger("coop.tasks")

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


def started_after_commit(session: so.Session, task_id: int) -> None:
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
