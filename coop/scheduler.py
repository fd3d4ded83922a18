"""Scheduled jobs: a registry each package adds to, APScheduler to fire them, and run records.

A job is a plain function of a ``JobContext`` (a session in its own unit of work, the settings
and the time it runs for) that returns a line of detail. ``run_job`` takes a lock row in the
database before running, so two scheduler processes (or a manual run beside the scheduler) never
run the same job at once; each run is recorded with its start, end, outcome and detail, and shown
to administrators. Jobs themselves must still be idempotent (unique keys, not hope): the lock only
prevents overlap, not a second run later.

In production the scheduler runs as its own process (``flask --app wsgi coop scheduler``); in
development ``flask --app wsgi coop serve`` starts it in the web process.

An operator's "Run now" never runs the job inside the web request (a dues run can take seconds):
``request_run`` records a run *requested*, one per job at a time, and the scheduler process looks
for requests every ``SCHEDULER_POLL_SECONDS`` (``start_requested``) and hands each job to its
thread pool. The run takes its lock like any other; whichever run of the job starts next (the
requested one, or the job's own schedule) takes up the request as its record, so the job runs
once for it. The jobs page lists the request as waiting, then running, then done.

What the jobs pages show is in the reader's language: a job's description is a lazy string, its
trigger is written as a sentence ("every day at 02:00"), and the line a run reports is stored in
English, as the job wrote it from a message declared with ``job_detail``, and read back in the
reader's language by ``detail_text`` (so runs recorded before a translation existed read too).
"""
from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from coop.db import Base, utcnow, value_enum
from coop.errors import DomainError

log = logging.getLogger(__name__)


class JobOutcome(enum.StrEnum):
    #: asked for by an operator, waiting for the scheduler process to start it
    REQUESTED = "requested"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"


OUTCOME_LABELS = {JobOutcome.REQUESTED: _l("waiting to start"), JobOutcome.RUNNING: _l("running"),
                  JobOutcome.SUCCESS: _l("done"), JobOutcome.FAILED: _l("failed")}


class JobRun(Base):
    """One execution of a scheduled job."""

    __tablename__ = "job_run"
    __table_args__ = (
        sa.Index("ix_job_run_job_started", "job_id", "started_dt"),
        # a job has one request waiting at most: a second "Run now" (a double click) is the same request
        sa.Index("uq_job_run_requested", "job_id", unique=True,
                 sqlite_where=sa.text("outcome = 'requested'"), postgresql_where=sa.text("outcome = 'requested'")),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the registry id of the job, such as "outbox.send"
    job_id: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: when it started (while it waits to start: when it was asked for)
    started_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    finished_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    outcome: so.Mapped[JobOutcome] = so.mapped_column(
        value_enum(JobOutcome),
        default=JobOutcome.RUNNING)
    #: what the job reported, or the error that stopped it
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: host and process that ran it
    runner: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    @property
    def detail_text(self) -> str:
        """What the job reported, in the reader's language."""
        return detail_text(self.detail)

    @property
    def description(self) -> str:
        """What the job does, in the reader's language (its id if it is no longer registered)."""
        spec = REGISTRY.get(self.job_id)
        return str(spec.description) if spec and spec.description else self.job_id


class JobLock(Base):
    """At most one process runs a given job at a time; a crashed holder's lock expires."""

    __tablename__ = "job_lock"

    job_id: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    #: who holds the lock, or None
    owner: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: the lock is free again after this time even if its holder died
    locked_until_dt: so.Mapped[dt.datetime | None] = so.mapped_column()


@dataclass
class JobContext:
    """What a job function receives."""

    session: so.Session
    config: Mapping[str, Any]
    now: dt.datetime


@dataclass(frozen=True)
class JobSpec:
    """A registered job and when APScheduler fires it."""

    id: str
    func: Callable[[JobContext], str | None]
    trigger: str
    trigger_args: dict = field(default_factory=dict)
    #: what the job does, in the reader's language (a lazy string)
    description: Any = ""

    @property
    def schedule(self) -> str:
        """When it runs, as APScheduler reads it ("interval minutes=1"): for logs and the command line."""
        return self.trigger + " " + ", ".join(f"{k}={v}" for k, v in sorted(self.trigger_args.items()))

    def schedule_text(self) -> str:
        """When it runs, as a person reads it: "every minute", "every day at 02:00"."""
        args = self.trigger_args
        if self.trigger == "interval" and len(args) == 1:
            unit, count = next(iter(args.items()))
            # "every minute", not "every 1 minutes": one message for one, another for several
            words = {"minutes": (_l("every minute"), lambda n: gettext("every %(num)d minutes", num=n)),
                     "hours": (_l("every hour"), lambda n: gettext("every %(num)d hours", num=n)),
                     "days": (_l("every day"), lambda n: gettext("every %(num)d days", num=n))}
            if unit in words:
                one, several = words[unit]
                return str(one) if count == 1 else several(count)
        if self.trigger == "cron" and set(args) <= {"hour", "minute"} and "hour" in args:
            return gettext("every day at %(time)s", time=f"{int(args['hour']):02d}:{int(args.get('minute', 0)):02d}")
        return self.schedule


#: (pattern, message) of every line a job may report, to read it back in the reader's language
_DETAILS: list[tuple[re.Pattern, str]] = []
_PLACEHOLDER = re.compile(r"%\((\w+)\)([ds])")


def run_each(work: list[tuple[str, Callable[[], Any]]], locale: str) -> tuple[list[str], list[str]]:
    """Run each named piece of a job's work (a plan's period, a Minga period); one failing does not
    stop the others. Each piece undoes itself on failure (its service works in a savepoint).

    Returns (``"name: result"`` of what was done, ``"name: why"`` of what failed), the refusals
    in the co-op's language ``locale``.
    """
    done, failed = [], []
    for name, piece in work:
        try:
            with force_locale(locale):
                result = piece()
        except DomainError as error:
            with force_locale(locale):
                failed.append(f"{name}: {error.text}")
        except Exception as error:  # reported with the others; logged with its traceback
            log.exception("%s failed", name)
            failed.append(f"{name}: {type(error).__name__}: {error}")
        else:
            done.append(f"{name}: {result}")
    return done, failed


def N_(message: str) -> str:  # noqa: N802  (the name the message extractor looks for)
    """Mark a message for the catalogue; it is translated when read (``detail_text``)."""
    return message


def job_detail(message: str) -> str:
    """Declare a line a job reports (its English msgid, marked with ``N_`` for the catalogue) and
    return it, for the job to fill with ``%``; ``detail_text`` reads such lines back translated."""
    pattern, start = "", 0
    for match in _PLACEHOLDER.finditer(message):
        pattern += re.escape(message[start:match.start()])
        pattern += rf"(?P<{match[1]}>-?\d+)" if match[2] == "d" else rf"(?P<{match[1]}>.*?)"
        start = match.end()
    _DETAILS.append((re.compile(pattern + re.escape(message[start:]) + "$"), message))
    return message


def detail_text(detail: str) -> str:
    """A run's recorded line in the reader's language (as recorded when no declared message fits)."""
    for pattern, message in _DETAILS:
        match = pattern.match(detail or "")
        if match:
            params = {key: int(value) if value.lstrip("-").isdigit() and f"%({key})d" in message else value
                      for key, value in match.groupdict().items()}
            return gettext(message, **params)
    return detail


REGISTRY: dict[str, JobSpec] = {}


def register(job_id: str, *, trigger: str, description: Any = "", **trigger_args) -> Callable:
    """Decorator: add a job function to the registry (packages call it in their jobs.py)."""
    def decorator(func: Callable[[JobContext], str | None]) -> Callable:
        REGISTRY[job_id] = JobSpec(job_id, func, trigger, trigger_args, description)
        return func
    return decorator


def _runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lock(session: so.Session, job_id: str, owner: str, ttl: dt.timedelta,
                 now: dt.datetime | None = None) -> bool:
    """Take the job's lock if it is free or expired: one atomic conditional UPDATE."""
    now = now or utcnow()
    if session.get(JobLock, job_id) is None:
        try:
            with session.begin_nested():
                session.add(JobLock(job_id=job_id))
        except sa.exc.IntegrityError:
            pass  # another process created it first; the UPDATE below decides
    result = session.execute(
        sa.update(JobLock)
        .where(JobLock.job_id == job_id,
               sa.or_(JobLock.locked_until_dt.is_(None), JobLock.locked_until_dt < now))
        .values(owner=owner, locked_until_dt=now + ttl)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release_lock(session: so.Session, job_id: str, owner: str) -> None:
    session.execute(sa.update(JobLock).where(JobLock.job_id == job_id, JobLock.owner == owner)
                    .values(owner=None, locked_until_dt=None)
                    .execution_options(synchronize_session=False))


def _start_run(session: so.Session, job_id: str, owner: str, *, requested_only: bool) -> JobRun | None:
    """The run's record (under the job's lock): the request waiting for the job, taken up, or a new one."""
    run = session.scalar(sa.select(JobRun).where(JobRun.job_id == job_id, JobRun.outcome == JobOutcome.REQUESTED))
    if run is not None:
        run.outcome, run.runner, run.started_dt = JobOutcome.RUNNING, owner, utcnow()
    elif not requested_only:
        run = JobRun(job_id=job_id, runner=owner)
        session.add(run)
    return run


def run_job(app: Flask, job_id: str, now: dt.datetime | None = None, *,
            requested_only: bool = False) -> JobRun | None:
    """Run one job now under its lock and record the run. None if another process holds the lock.

    A run an operator requested is taken up as this run's record. ``requested_only``: run only if
    a request still waits (a request handed to the thread pool twice runs once).
    """
    spec = REGISTRY[job_id]
    database = app.extensions["coop.db"]
    owner = _runner_name()
    ttl = dt.timedelta(minutes=app.config["SCHEDULER_LOCK_MINUTES"])
    with app.app_context():
        with database.unit_of_work() as session:
            if not acquire_lock(session, job_id, owner, ttl):
                log.info("job %s is running elsewhere; skipped", job_id)
                return None
        try:
            with database.unit_of_work() as session:
                run = _start_run(session, job_id, owner, requested_only=requested_only)
            if run is None:
                return None
            outcome, detail = JobOutcome.SUCCESS, ""
            try:
                with database.unit_of_work() as session:
                    detail = spec.func(JobContext(session, app.config, now or utcnow())) or ""
            except Exception as exc:  # a failed job is recorded, and the scheduler keeps going
                log.exception("job %s failed", job_id)
                outcome, detail = JobOutcome.FAILED, f"{type(exc).__name__}: {exc}"
            with database.unit_of_work() as session:
                run = session.get(JobRun, run.id)
                run.outcome, run.detail, run.finished_dt = outcome, detail[:4000], utcnow()
            return run
        finally:
            with database.unit_of_work() as session:
                release_lock(session, job_id, owner)


# --- an operator's "Run now" ------------------------------------------------------------------------

#: the scheduler's own job that starts the runs operators asked for (not a registered job: no run records)
REQUESTS_POLL = "scheduler.requested"


class _QuietPoll(logging.Filter):
    """APScheduler logs each execution at INFO: for the look every few seconds that would be two
    lines a poll, thousands a day, drowning the jobs' own lines. Its failures still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO or f'"{REQUESTS_POLL} ' not in record.getMessage()



def is_running(session: so.Session, job_id: str, now: dt.datetime | None = None) -> bool:
    """Whether a runner holds the job's lock now (an expired lock is held by nobody)."""
    until = session.scalar(sa.select(JobLock.locked_until_dt).where(JobLock.job_id == job_id))
    return until is not None and until > (now or utcnow())


def request_run(session: so.Session, job_id: str, now: dt.datetime | None = None) -> JobRun:
    """Ask the scheduler process to run a job soon (flushed, not committed): the operator's "Run now".

    Refused while the job runs; asked again while a request waits, the waiting request is returned.
    """
    if job_id not in REGISTRY:
        raise KeyError(job_id)
    if is_running(session, job_id, now):
        raise DomainError(_l("This job is running elsewhere right now."))
    waiting = sa.select(JobRun).where(JobRun.job_id == job_id, JobRun.outcome == JobOutcome.REQUESTED)
    run = session.scalar(waiting)
    if run is None:
        run = JobRun(job_id=job_id, outcome=JobOutcome.REQUESTED, started_dt=now or utcnow())
        try:
            with session.begin_nested():
                session.add(run)
        except sa.exc.IntegrityError:  # another operator's request, a moment ago: the same one
            run = session.scalar(waiting)
    return run


def requested_jobs(session: so.Session) -> list[str]:
    """The registered jobs a request waits for, oldest request first."""
    ids = session.scalars(sa.select(JobRun.job_id).where(JobRun.outcome == JobOutcome.REQUESTED)
                          .order_by(JobRun.started_dt, JobRun.id))
    return [job_id for job_id in ids if job_id in REGISTRY]


def start_requested(scheduler: BackgroundScheduler | BlockingScheduler, app: Flask) -> list[str]:
    """Hand each job a request waits for to the scheduler's thread pool, to run now; their ids."""
    with app.app_context(), app.extensions["coop.db"].unit_of_work(write=False) as session:
        job_ids = requested_jobs(session)
    for job_id in job_ids:
        scheduler.add_job(run_job, args=[app, job_id], kwargs={"requested_only": True}, id=f"{job_id}:requested",
                          name=f"{job_id} (requested)", replace_existing=True)
    return job_ids


def in_progress(session: so.Session, now: dt.datetime | None = None) -> bool:
    """Whether a requested run waits or a job runs now: the jobs page keeps itself up to date."""
    now = now or utcnow()
    return session.scalar(sa.select(
        sa.exists().where(JobRun.outcome == JobOutcome.REQUESTED, JobRun.job_id.in_(list(REGISTRY)))
        | sa.exists().where(JobLock.locked_until_dt > now))) or False


def build_scheduler(app: Flask, *, blocking: bool) -> BackgroundScheduler | BlockingScheduler:
    """An APScheduler with every registered job, and the look for requested runs; times are UTC."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone="UTC", job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
    for spec in REGISTRY.values():
        scheduler.add_job(run_job, trigger=spec.trigger, args=[app, spec.id], id=spec.id,
                          name=spec.id, replace_existing=True, **spec.trigger_args)
    executor_log = logging.getLogger("apscheduler.executors.default")
    if not any(isinstance(f, _QuietPoll) for f in executor_log.filters):
        executor_log.addFilter(_QuietPoll())
    scheduler.add_job(start_requested, trigger="interval", seconds=app.config["SCHEDULER_POLL_SECONDS"],
                      args=[scheduler, app], id=REQUESTS_POLL, name=REQUESTS_POLL, replace_existing=True)
    return scheduler


def recent_runs(session: so.Session, limit: int = 100) -> list[JobRun]:
    return list(session.scalars(sa.select(JobRun).order_by(JobRun.started_dt.desc(), JobRun.id.desc())
                                .limit(limit)))


def last_runs(session: so.Session) -> dict[str, JobRun]:
    """The latest run of each job."""
    latest = (sa.select(JobRun.job_id, sa.func.max(JobRun.id).label("id"))
              .group_by(JobRun.job_id).subquery())
    rows = session.scalars(sa.select(JobRun).join(latest, JobRun.id == latest.c.id))
    return {run.job_id: run for run in rows}
