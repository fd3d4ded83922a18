"""Asking for a task, confirming a draft, finding tasks, and forgetting old ones."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.auth.models import User
from coop.errors import DomainError
from coop.tasks.kinds import KINDS
from coop.tasks.models import DRAFT_HOURS, KEEP_DAYS, MAX_WAITING_PER_PERSON, WAITING, Task, TaskStatus
from coop.tasks.running import started_after_commit
from coop.tenancy import Coop

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
        started_after_commit(session, task.id)
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
        started_after_commit(session, task.id)
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


def purge_tasks(session: so.Session, now: dt.datetime, *, days: int = KEEP_DAYS) -> int:
    """Delete tasks asked for more than ``days`` ago, and drafts nobody confirmed in a day."""
    old = sa.delete(Task).where(Task.created_dt < now - dt.timedelta(days=days), Task.status.not_in(WAITING))
    drafts = sa.delete(Task).where(Task.status == TaskStatus.DRAFT,
                                   Task.created_dt < now - dt.timedelta(hours=DRAFT_HOURS))
    return sum(session.execute(statement.execution_options(synchronize_session=False)).rowcount
               for statement in (old, drafts))
