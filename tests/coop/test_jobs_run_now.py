"""The operator's "Run now": the page only asks, the scheduler process runs the job in the background
(here driven by hand, as the scheduler would), and the jobs page follows the run from waiting to done."""
from __future__ import annotations

import logging

import pytest

from coop import scheduler
from coop.scheduler import JobOutcome, run_job
from tests.conftest import flashes, text_of
from tests.coop.test_scheduler import hold_lock, lock_of, runs_of, temp_job  # noqa: F401  (fixture)

NO_SERVER_DETAIL = "no SMTP server configured; messages stay in the outbox"


@pytest.fixture
def operator(client, make_user, login):
    user = make_user("operador@example.org", is_platform_admin=True, locale="en")
    login(client, user)
    return user


@pytest.fixture
def dues(temp_job):
    """A job that takes its time in real life (a dues run): it records each time it runs."""
    calls = []
    temp_job("test.dues", lambda ctx: calls.append(ctx.now) or f"charged {len(calls)}")
    return calls


def scheduler_starts_requested(app):
    """What the scheduler process does every few seconds: hand requested jobs to its thread pool,
    which runs them (here, one after another in this thread)."""
    sched = scheduler.build_scheduler(app, blocking=False)
    handed = scheduler.start_requested(sched, app)
    for job_id in handed:
        job = sched.get_job(f"{job_id}:requested")
        job.func(*job.args, **job.kwargs)
    return handed


def test_run_now_answers_at_once_and_the_scheduler_runs_the_job_in_the_background(app, client, operator, dues):
    response = client.post("/platform/jobs/test.dues/run")

    assert response.status_code == 302 and response.headers["Location"].endswith("/platform/jobs")
    assert dues == []  # nothing ran inside the request
    [waiting] = runs_of(app, "test.dues")
    assert waiting.outcome is JobOutcome.REQUESTED
    page = client.get("/platform/jobs")
    assert "Job test.dues will start within a few seconds; its run is listed below." in flashes(page)
    assert "waiting to start" in text_of(page)
    assert page.headers["Refresh"] == "3"

    assert scheduler_starts_requested(app) == ["test.dues"]

    assert len(dues) == 1
    [run] = runs_of(app, "test.dues")
    assert (run.id, run.outcome, run.detail) == (waiting.id, JobOutcome.SUCCESS, "charged 1")
    assert run.runner and run.started_dt >= waiting.started_dt
    assert lock_of(app, "test.dues").owner is None
    page = client.get("/platform/jobs")
    assert "charged 1" in text_of(page) and "waiting to start" not in text_of(page)
    assert "Refresh" not in page.headers
    assert scheduler_starts_requested(app) == []  # done: nothing more to start


def test_a_real_job_asked_for_twice_runs_once(app, client, operator):
    client.post("/platform/jobs/outbox.send/run")
    client.post("/platform/jobs/outbox.send/run")  # a double click

    assert [run.outcome for run in runs_of(app, "outbox.send")] == [JobOutcome.REQUESTED]
    scheduler_starts_requested(app)
    assert run_job(app, "outbox.send", requested_only=True) is None  # handed over twice: runs once

    [run] = runs_of(app, "outbox.send")
    assert (run.outcome, run.detail) == (JobOutcome.SUCCESS, NO_SERVER_DETAIL)


def test_a_job_already_running_elsewhere_says_so_and_asks_for_nothing(app, client, operator, dues):
    hold_lock(app, "test.dues", "scheduler-host:77:cafe0001")

    page = client.post("/platform/jobs/test.dues/run", follow_redirects=True)

    assert "This job is running elsewhere right now." in flashes(page)
    assert runs_of(app, "test.dues") == []
    assert page.headers["Refresh"] == "3"  # the page follows the run going on elsewhere


def test_a_request_waits_while_another_runner_holds_the_lock_then_runs(app, client, operator, dues):
    client.post("/platform/jobs/test.dues/run")
    hold_lock(app, "test.dues", "scheduler-host:77:cafe0001")

    assert run_job(app, "test.dues", requested_only=True) is None

    assert dues == [] and [run.outcome for run in runs_of(app, "test.dues")] == [JobOutcome.REQUESTED]
    with app.extensions["coop.db"].unit_of_work() as session:
        scheduler.release_lock(session, "test.dues", "scheduler-host:77:cafe0001")
    scheduler_starts_requested(app)
    assert len(dues) == 1 and [run.outcome for run in runs_of(app, "test.dues")] == [JobOutcome.SUCCESS]


def test_the_jobs_own_schedule_takes_up_a_waiting_request(app, client, operator, dues):
    client.post("/platform/jobs/test.dues/run")

    scheduled = run_job(app, "test.dues")  # its time came before the scheduler looked for requests

    assert scheduler_starts_requested(app) == []
    assert len(dues) == 1
    assert [(run.id, run.outcome) for run in runs_of(app, "test.dues")] == [(scheduled.id, JobOutcome.SUCCESS)]


def test_an_unknown_job_is_not_found(client, operator):
    assert client.post("/platform/jobs/no.such.job/run").status_code == 404


def test_the_look_for_requests_every_few_seconds_does_not_fill_the_log(app, caplog):
    built = scheduler.build_scheduler(app, blocking=False)
    executor_log = logging.getLogger("apscheduler.executors.default")
    with caplog.at_level(logging.INFO, logger="apscheduler.executors.default"):
        executor_log.info('Running job "%s (trigger: interval[0:00:05])"', scheduler.REQUESTS_POLL)
        executor_log.info('Running job "outbox.send (trigger: interval[0:01:00])"')
        executor_log.error('Job "%s (trigger: interval[0:00:05])" raised an exception', scheduler.REQUESTS_POLL)
    logged = [r.getMessage()[:24] for r in caplog.records if r.name == "apscheduler.executors.default"]
    assert logged == ['Running job "outbox.send', 'Job "scheduler.requested']
    assert built.get_job(scheduler.REQUESTS_POLL) is not None
