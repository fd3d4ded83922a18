"""Kinds of task: what each package's long work is called, who may see it, and how it runs."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy.orm as so
from flask import g
from flask_babel import force_locale

from coop.tasks.models import Task
from coop.tenancy import Coop

if TYPE_CHECKING:  # the runner imports the kinds; the kinds only name what it hands them
    from coop.tasks.running import Progress, TaskContext


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
