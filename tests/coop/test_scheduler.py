"""Scheduled jobs: run records, the database lock between runners, and the jobs pages."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from coop import outbox, scheduler
from coop.db import utcnow
from coop.outbox import OutboxMessage
from coop.scheduler import JobLock, JobOutcome, JobRun, acquire_lock, run_job
from tests.conftest import text_of

NO_SERVER_DETAIL = "no SMTP server configured; messages stay in the outbox"
#: what a Spanish reader sees of the same run
NO_SERVER_DETAIL_ES = "no hay un servidor SMTP configurado; los mensajes quedan en la bandeja de salida"


@pytest.fixture
def temp_job():
    """Register throw-away jobs in the registry for one test; they are removed afterwards."""
    added = []

    def register(job_id, func, **trigger_args):
        scheduler.register(job_id, trigger="interval", description="A job of the test suite",
                           **(trigger_args or {"minutes": 5}))(func)
        added.append(job_id)
        return scheduler.REGISTRY[job_id]

    yield register
    for job_id in added:
        scheduler.REGISTRY.pop(job_id, None)


def read(app):
    """A fresh reading session, to see what the runs committed."""
    return app.extensions["coop.db"].unit_of_work(write=False)


def runs_of(app, job_id):
    with read(app) as session:
        return list(session.scalars(sa.select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.id)))


def lock_of(app, job_id):
    with read(app) as session:
        return session.get(JobLock, job_id)


def hold_lock(app, job_id, owner, *, now=None, ttl=dt.timedelta(minutes=30)):
    """Another runner takes the lock and commits it."""
    with app.extensions["coop.db"].unit_of_work() as session:
        assert acquire_lock(session, job_id, owner, ttl, now=now)


def test_a_successful_run_is_recorded_with_its_detail_and_times(app, temp_job):
    seen = []

    def tidy(ctx):
        seen.append(ctx.now)
        return "3 things tidied"

    temp_job("test.tidy", tidy)
    before = utcnow()
    now = utcnow()

    run = run_job(app, "test.tidy", now=now)

    after = utcnow()
    assert seen == [now]
    assert run.outcome is JobOutcome.SUCCESS
    assert run.detail == "3 things tidied"
    [stored] = runs_of(app, "test.tidy")
    assert stored.id == run.id
    assert stored.outcome is JobOutcome.SUCCESS
    assert stored.detail == "3 things tidied"
    assert before <= stored.started_dt <= stored.finished_dt <= after
    assert stored.runner


def test_failed_job_is_recorded_and_changes_nothing(app, temp_job):
    def broken(ctx):
        outbox.enqueue(ctx.session, to="socia@example.org", subject="A medias", body="...")
        ctx.session.flush()
        raise RuntimeError("the printer is on fire")

    temp_job("test.broken", broken)

    run = run_job(app, "test.broken")  # does not raise

    assert run.outcome is JobOutcome.FAILED
    assert run.detail == "RuntimeError: the printer is on fire"
    [stored] = runs_of(app, "test.broken")
    assert stored.outcome is JobOutcome.FAILED
    assert stored.detail == "RuntimeError: the printer is on fire"
    assert stored.finished_dt is not None and stored.finished_dt >= stored.started_dt
    with read(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    lock = lock_of(app, "test.broken")
    assert lock.owner is None and lock.locked_until_dt is None


def test_a_job_locked_by_another_runner_is_skipped_without_running(app, temp_job):
    calls = []
    temp_job("test.locked", lambda ctx: calls.append(ctx) or "ran")
    hold_lock(app, "test.locked", "other-host:4242:abcdef12")

    result = run_job(app, "test.locked")

    assert result is None
    assert calls == []
    assert runs_of(app, "test.locked") == []
    assert lock_of(app, "test.locked").owner == "other-host:4242:abcdef12"  # not released by us


def test_an_expired_lock_of_a_dead_runner_is_taken_over(app, temp_job):
    owners_during_run = []

    def job(ctx):
        owners_during_run.append(ctx.session.get(JobLock, "test.orphan").owner)
        return "done"

    temp_job("test.orphan", job)
    hold_lock(app, "test.orphan", "crashed-host:1:deadbeef", now=utcnow() - dt.timedelta(hours=2),
              ttl=dt.timedelta(minutes=30))
    assert lock_of(app, "test.orphan").locked_until_dt < utcnow()

    run = run_job(app, "test.orphan")

    assert run is not None and run.outcome is JobOutcome.SUCCESS
    assert owners_during_run == [run.runner]


def test_the_lock_is_released_after_a_run_so_the_next_run_goes_ahead(app, temp_job):
    owners_during_run = []

    def job(ctx):
        lock = ctx.session.get(JobLock, "test.again")
        owners_during_run.append((lock.owner, lock.locked_until_dt > ctx.now))
        return "ok"

    temp_job("test.again", job)

    first = run_job(app, "test.again")
    lock = lock_of(app, "test.again")
    assert (lock.owner, lock.locked_until_dt) == (None, None)
    second = run_job(app, "test.again")

    assert first is not None and second is not None
    assert first.runner != second.runner
    assert owners_during_run == [(first.runner, True), (second.runner, True)]
    assert [r.outcome for r in runs_of(app, "test.again")] == [JobOutcome.SUCCESS, JobOutcome.SUCCESS]


def test_two_simultaneous_runs_of_one_job_run_it_once(app, temp_job):
    calls = []
    calls_lock = threading.Lock()

    def slow(ctx):
        with calls_lock:
            calls.append(threading.get_ident())
        time.sleep(0.5)
        return "slow job done"

    temp_job("test.slow", slow)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def runner(name):
        try:
            barrier.wait(timeout=10)
            results[name] = run_job(app, "test.slow")
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(calls) == 1
    assert sorted(result is None for result in results.values()) == [False, True]
    [run] = [result for result in results.values() if result is not None]
    assert run.outcome is JobOutcome.SUCCESS and run.detail == "slow job done"
    assert len(runs_of(app, "test.slow")) == 1
    assert lock_of(app, "test.slow").owner is None


def test_operator_sees_registered_jobs_and_recent_runs(app, client, make_user, login):
    run_job(app, "outbox.send")
    login(client, make_user(is_platform_admin=True))

    response = client.get("/platform/jobs")

    assert response.status_code == 200
    text = text_of(response)
    assert "outbox.send" in text and "auth.purge" in text
    assert NO_SERVER_DETAIL_ES in text
    assert "/platform/jobs/outbox.send/run" in response.get_data(as_text=True)


def test_a_coop_admin_may_not_run_jobs(app, client, make_coop, make_user, login):
    coop = make_coop()
    login(client, make_user(coop=coop, roles=["admin"]))

    response = client.post("/platform/jobs/outbox.send/run")

    assert response.status_code == 403
    assert runs_of(app, "outbox.send") == []


def test_coop_admin_sees_the_job_runs_without_run_buttons(app, client, make_coop, make_user, login):
    coop = make_coop()
    run_job(app, "outbox.send")
    login(client, make_user(coop=coop, roles=["admin"]))

    response = client.get(f"/c/{coop.slug}/admin/jobs")

    assert response.status_code == 200
    text = text_of(response)
    assert "outbox.send" in text and "auth.purge" in text
    assert NO_SERVER_DETAIL_ES in text
    assert "/platform/jobs/outbox.send/run" not in response.get_data(as_text=True)


def test_the_scheduler_has_one_job_per_registered_entry_and_looks_for_requested_runs(app, temp_job):
    temp_job("test.daily", lambda ctx: "ok", hours=24)

    sched = scheduler.build_scheduler(app, blocking=False)

    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == set(scheduler.REGISTRY) | {scheduler.REQUESTS_POLL}
    assert len(sched.get_jobs()) == len(scheduler.REGISTRY) + 1
    assert jobs[scheduler.REQUESTS_POLL].trigger.interval == dt.timedelta(seconds=app.config["SCHEDULER_POLL_SECONDS"])
    assert {"outbox.send", "auth.purge", "test.daily"} <= set(jobs)
    assert jobs["outbox.send"].trigger.interval == dt.timedelta(minutes=1)
    assert jobs["test.daily"].trigger.interval == dt.timedelta(hours=24)
    assert jobs["outbox.send"].args == (app, "outbox.send")
    assert not sched.running


def test_the_jobs_page_reads_in_spanish_descriptions_schedules_outcomes_and_details(
        app, client, make_coop, make_user, login):
    coop = make_coop()
    run_job(app, "outbox.send")
    login(client, make_user(coop=coop, roles=["admin"]))

    text = text_of(client.get(f"/c/{coop.slug}/admin/jobs"))

    assert "Enviar los correos en cola cuando hay un servidor SMTP configurado" in text
    assert "cada minuto" in text and "cada hora" in text and "cada día a las 02:00" in text
    assert "terminado" in text and NO_SERVER_DETAIL_ES in text
    for english in ("Send queued e-mail", "interval minutes=1", "success", "cron hour=2", NO_SERVER_DETAIL):
        assert english not in text


def test_a_run_recorded_in_english_is_read_back_in_the_readers_language(app):
    from flask_babel import force_locale

    from coop.scheduler import detail_text
    with app.test_request_context():
        with force_locale("es"):
            assert detail_text("sent 2, to retry 1, failed 0") == "Enviados: 2; por reintentar: 1; fallidos: 0"
            assert detail_text("RuntimeError: the printer is on fire") == "RuntimeError: the printer is on fire"
        with force_locale("en"):
            assert detail_text("sent 2, to retry 1, failed 0") == "sent 2, to retry 1, failed 0"
