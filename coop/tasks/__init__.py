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
printed document), so the kernel knows no domain. The package holds the table (``models``), the
kinds (``kinds``), asking for tasks (``queue``) and running them (``running``); everything a
caller needs is importable from ``coop.tasks``.
"""
from coop.tasks.kinds import (KINDS, Renderer, TaskFailed, TaskKind, TaskResult, document_kind, may_see,
                              task_kind)
from coop.tasks.models import (DRAFT_HOURS, FAULTS, HEARTBEAT_SECONDS, KEEP_DAYS, MAX_WAITING_PER_PERSON,
                               PROGRESS_SECONDS, PROGRESS_STEP, REFRESH_SECONDS, RUN_BATCH, STALLED_AFTER, WAITING,
                               Task, TaskStatus)
from coop.tasks.queue import confirm, dedupe_key, purge_tasks, submit, task_of, tasks_of
from coop.tasks.running import (Progress, TaskContext, TaskLost, Worker, pending_tasks, requeue_stalled, run_task,
                                run_waiting, start, wait_for_threads)

__all__ = ["DRAFT_HOURS", "FAULTS", "HEARTBEAT_SECONDS", "KEEP_DAYS", "KINDS", "MAX_WAITING_PER_PERSON",
           "PROGRESS_SECONDS", "PROGRESS_STEP", "REFRESH_SECONDS", "RUN_BATCH", "STALLED_AFTER", "WAITING", "Progress",
           "Renderer", "Task", "TaskContext", "TaskFailed", "TaskKind", "TaskLost", "TaskResult", "TaskStatus",
           "Worker", "confirm", "dedupe_key", "document_kind", "may_see", "pending_tasks", "purge_tasks",
           "requeue_stalled", "run_task", "run_waiting", "start", "submit", "task_kind", "task_of", "tasks_of",
           "wait_for_threads"]
