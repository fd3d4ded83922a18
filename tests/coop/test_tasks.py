"""Background tasks: queued by a request, run by a thread, the worker or the job, with progress
written sparingly; the same task asked twice is one; a task whose worker stopped is queued again
and finished, or given up after its attempts; failures keep their reason; old ones are purged."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_babel import get_locale

from coop import tasks
from coop.access import VIEW_AUDIT
from coop.db import utcnow
from coop.errors import DomainError
from coop.scheduler import JobOutcome, run_job
from coop.tasks import Progress, Task, TaskFailed, TaskResult, TaskStatus
from tests.conftest import log_in, text_of
from tests.ledger.conftest import run_at_once

KIND = "test.letter"


@pytest.fixture
def temp_kind():
    """Register throw-away task kinds for one test; they are removed afterwards."""
    added = []

    def register(kind, func, *, document=True, **options):
        options.setdefault("label", "Carta")
        options.setdefault("permission", VIEW_AUDIT)
        (tasks.document_kind if document else tasks.task_kind)(kind, **options)(func)
        added.append(kind)
        return func

    yield register
    for kind in added:
        tasks.KINDS.pop(kind, None)


@pytest.fixture
def letter(temp_kind):
    """A document that reports ten steps and returns the co-op's name, its parameters and language."""
    def render(session, coop, params, progress):
        for done in range(11):
            progress(done, 10)
        return f"{coop.name}|{params.get('greeting', '')}|{get_locale()}".encode()
    return temp_kind(KIND, render)


@pytest.fixture
def coop(make_coop):
    return make_coop("quebrada", name="Cooperativa Quebrada Verde")


def submit(app, coop, kind=KIND, params=None, actor=None, **options) -> int:
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        return tasks.submit(session, session.merge(coop), actor, kind, params, filename="carta.pdf", **options).id


def stored(app, task_id) -> Task | None:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        task = session.get(Task, task_id)
        if task is not None:
            session.refresh(task, ["content", "input"])
        return task


def add_task(app, coop, *, kind=KIND, status=TaskStatus.PENDING, created_dt=None, heartbeat_dt=None,
             attempts=0) -> int:
    with app.extensions["coop.db"].unit_of_work() as session:
        task = Task(coop_id=coop.id, kind=kind, status=status, filename="x.pdf", dedupe_key=f"k{utcnow()}",
                    created_dt=created_dt or utcnow(), heartbeat_dt=heartbeat_dt, attempts=attempts)
        session.add(task)
        session.flush()
        return task.id


# --- asking and running --------------------------------------------------------------------------

def test_a_task_waits_then_runs_with_its_file_and_full_progress(app, coop, letter, make_user):
    secretary = make_user(coop=coop, roles=["secretary"])
    task_id = submit(app, coop, params={"greeting": "Alli puncha"}, actor=secretary)
    waiting = stored(app, task_id)
    assert (waiting.status, waiting.progress, waiting.content) == (TaskStatus.PENDING, 0, None)
    assert waiting.requested_by_id == secretary.id and waiting.is_waiting

    assert tasks.run_task(app, task_id) is TaskStatus.DONE

    done = stored(app, task_id)
    assert done.status is TaskStatus.DONE
    assert done.content == b"Cooperativa Quebrada Verde|Alli puncha|es_EC"  # the co-op's language by default
    assert (done.progress, done.total, done.percent, done.attempts) == (10, 10, 100, 1)
    assert done.finished_dt is not None and done.error is None
    assert tasks.run_task(app, task_id) is None  # only a pending task is run


def test_a_document_is_printed_in_the_language_it_was_asked_in(app, coop, letter):
    task_id = submit(app, coop, params={"locale": "en"})
    tasks.run_task(app, task_id)
    assert stored(app, task_id).content.endswith(b"|en")


def test_asking_again_while_the_first_waits_is_the_same_task(app, coop, letter):
    first = submit(app, coop, params={"locale": "es_EC"})
    assert submit(app, coop, params={"locale": "es_EC"}) == first
    assert submit(app, coop, params={"locale": "en"}) != first
    tasks.run_task(app, first)
    assert submit(app, coop, params={"locale": "es_EC"}) != first  # once done, a new one is made


def test_twenty_requests_at_once_for_the_same_task_queue_one(app, coop, letter):
    ids = []

    def ask():
        ids.append(submit(app, coop, params={"locale": "es_EC"}))

    run_at_once(ask, [()] * 20)
    assert len(ids) == 20 and len(set(ids)) == 1
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 1


def test_the_database_refuses_a_second_waiting_copy_of_the_same_task(app, coop, letter):
    first = submit(app, coop, params={"locale": "es_EC"})
    key = stored(app, first).dedupe_key
    with pytest.raises(sa.exc.IntegrityError):
        with app.extensions["coop.db"].unit_of_work() as session:
            session.add(Task(coop_id=coop.id, kind=KIND, dedupe_key=key, status=TaskStatus.PENDING))


def test_a_person_has_at_most_three_tasks_waiting(app, coop, letter, make_user):
    secretary = make_user(coop=coop, roles=["secretary"])
    for number in range(tasks.MAX_WAITING_PER_PERSON):
        submit(app, coop, params={"n": number}, actor=secretary)
    with pytest.raises(DomainError, match="Ya tiene 3 documentos"):
        submit(app, coop, params={"n": 99}, actor=secretary)
    assert submit(app, coop, params={"n": 0}, actor=secretary)  # the same one again is shared, not refused


def test_an_unknown_kind_is_refused(app, coop):
    with pytest.raises(ValueError, match="no task kind"):
        submit(app, coop, kind="test.nobody")


def test_a_draft_waits_for_its_confirmation_and_a_second_confirmation_does_nothing(app, coop, temp_kind):
    seen = []

    def run(context):
        seen.append(context.input())
        return TaskResult(result={"rows": 2})

    temp_kind("test.upload", run, document=False)
    task_id = submit(app, coop, kind="test.upload", draft=True, input=b"a,b\n1,2")
    assert tasks.run_waiting(app).startswith("0 done")  # a draft is not run
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        assert tasks.confirm(session, session.get(Task, task_id)) is True
        assert tasks.confirm(session, session.get(Task, task_id)) is False

    assert tasks.run_task(app, task_id) is TaskStatus.DONE

    done = stored(app, task_id)
    assert seen == [b"a,b\n1,2"] and done.result == {"rows": 2}
    assert done.input is None  # the upload may hold personal data: dropped when the task ends


def test_progress_is_visible_to_others_while_the_task_still_reads(app, coop, temp_kind):
    """Progress goes out in its own committed unit of work, while the task's transaction reads on."""
    seen = []

    def render(session, coop, params, progress):
        progress(3, 40)
        with app.extensions["coop.db"].unit_of_work(write=False) as other:
            row = other.get(Task, params["id"])
            seen.append((row.status, row.progress, row.total))
        return b"ok"

    temp_kind(KIND, render)
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        task = tasks.submit(session, session.merge(coop), None, KIND, {}, filename="x.pdf")
        task.params = {"id": task.id}
    tasks.run_task(app, task.id)
    assert seen == [(TaskStatus.RUNNING, 3, 40)]


def test_progress_is_written_every_two_percent_or_every_few_seconds(app, coop, letter, monkeypatch):
    task_id = add_task(app, coop, status=TaskStatus.RUNNING)
    with app.extensions["coop.db"].unit_of_work() as session:
        session.get(Task, task_id).runner = "this-run"
    writes = []
    original = Progress.write

    def counting(recorder, **values):
        if "progress" in values:
            writes.append(values["progress"])
        original(recorder, **values)

    monkeypatch.setattr(Progress, "write", counting)
    now = [0.0]
    progress = Progress(app.extensions["coop.db"], task_id, "this-run", clock=lambda: now[0])
    for done in range(1001):
        progress(done, 1000)
    assert writes == list(range(0, 1001, 20))  # the first call, then every 2 %
    now[0] += tasks.PROGRESS_SECONDS
    progress(1001, 5000)  # the total changed: written at once
    progress(1002, 5000)  # neither 2 % nor the seconds yet
    now[0] += tasks.PROGRESS_SECONDS
    progress(1003, 5000)  # a few seconds passed
    assert writes[-2:] == [1001, 1003]
    row = stored(app, task_id)
    assert (row.progress, row.total) == (1003, 5000)


# --- failing, stopping, resuming ---------------------------------------------------------------------

def test_a_failing_task_is_failed_with_its_error(app, coop, temp_kind):
    def broken(session, coop, params, progress):
        progress(1, 4)
        raise RuntimeError("the fonts are missing")

    temp_kind(KIND, broken)
    task_id = submit(app, coop)

    assert tasks.run_task(app, task_id) is TaskStatus.FAILED

    failed = stored(app, task_id)
    assert failed.status is TaskStatus.FAILED and failed.error == "RuntimeError: the fonts are missing"
    assert failed.content is None and failed.finished_dt is not None and not failed.is_waiting


def test_a_task_that_cannot_be_done_says_why_on_its_page(app, coop, temp_kind):
    def refuse(context):
        raise TaskFailed("", bad_rows=3)

    temp_kind("test.upload", refuse, document=False)
    task_id = submit(app, coop, kind="test.upload")
    assert tasks.run_task(app, task_id) is TaskStatus.FAILED
    assert stored(app, task_id).result == {"bad_rows": 3}


def test_a_task_deleted_while_it_runs_stops_quietly(app, coop, temp_kind):
    def render(session, coop, params, progress):
        with app.extensions["coop.db"].unit_of_work() as other:
            other.execute(sa.delete(Task))
        progress(1, 2)
        return b"never stored"

    temp_kind(KIND, render)
    task_id = submit(app, coop)
    assert tasks.run_task(app, task_id) is None
    assert stored(app, task_id) is None


def test_a_task_whose_worker_stopped_is_run_again_by_the_job(app, coop, letter):
    """A restart (kill -9 of the worker) leaves a task running with no heartbeat: it is resumed."""
    stalled = utcnow() - tasks.STALLED_AFTER - dt.timedelta(minutes=1)
    interrupted = add_task(app, coop, status=TaskStatus.RUNNING, heartbeat_dt=stalled, attempts=1)
    running_now = add_task(app, coop, status=TaskStatus.RUNNING, heartbeat_dt=utcnow(), attempts=1)

    run = run_job(app, "tasks.run")

    assert run.outcome is JobOutcome.SUCCESS, run.detail
    assert run.detail == "1 done, 0 failed, 1 queued again, 0 given up"
    resumed = stored(app, interrupted)
    assert resumed.status is TaskStatus.DONE and resumed.attempts == 2
    assert resumed.content.startswith(b"Cooperativa Quebrada Verde")
    assert stored(app, running_now).status is TaskStatus.RUNNING  # its worker is alive: left alone


def test_a_task_stopped_at_every_attempt_is_given_up_with_a_clear_message(app, coop, letter):
    stalled = utcnow() - tasks.STALLED_AFTER - dt.timedelta(minutes=1)
    task_id = add_task(app, coop, status=TaskStatus.RUNNING, heartbeat_dt=stalled, attempts=3)

    assert run_job(app, "tasks.run").detail == "0 done, 0 failed, 0 queued again, 1 given up"

    given_up = stored(app, task_id)
    assert given_up.status is TaskStatus.FAILED and given_up.error == "interrupted"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "stopped several times" in given_up.error_message
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert "servidor" in given_up.error_message


def test_a_run_that_lost_its_task_to_another_run_writes_nothing_more(app, coop, temp_kind):
    def render(session, coop, params, progress):
        with app.extensions["coop.db"].unit_of_work() as other:  # given to another run meanwhile
            other.execute(sa.update(Task).values(runner="another-run"))
        progress(1, 2)
        return b"too late"

    temp_kind(KIND, render)
    task_id = submit(app, coop)
    assert tasks.run_task(app, task_id) is None
    assert stored(app, task_id).content is None


def test_a_task_of_a_kind_this_process_does_not_know_is_left_alone(app, coop, letter):
    upload = add_task(app, coop, kind="test.unknown")
    assert run_job(app, "tasks.run").detail == "0 done, 0 failed, 0 queued again, 0 given up"
    assert stored(app, upload).status is TaskStatus.PENDING


# --- threads and the worker ---------------------------------------------------------------------------

def test_a_task_starts_in_a_thread_once_its_request_committed(app, coop, letter):
    app.config["TASKS_RUN_IN_THREAD"] = True
    task_id = submit(app, coop)
    tasks.wait_for_threads(timeout=30)
    assert stored(app, task_id).status is TaskStatus.DONE


def test_no_thread_starts_for_a_task_whose_request_was_rolled_back(app, coop, letter):
    app.config["TASKS_RUN_IN_THREAD"] = True
    with app.app_context():
        session = app.extensions["coop.db"].new_session()
        task = tasks.submit(session, session.merge(coop), None, KIND, {}, filename="x.pdf")
        session.rollback()
        session.close()
    tasks.wait_for_threads(timeout=30)
    assert stored(app, task.id) is None
    assert tasks.start(app, 999_999) is not None  # the switch itself works: a missing task ends quietly
    tasks.wait_for_threads(timeout=30)


def test_the_scheduler_worker_picks_up_queued_tasks(app, coop, letter):
    task_id = submit(app, coop)
    worker = tasks.Worker(app, poll_seconds=0.05)
    worker.start()
    try:
        for _ in range(200):
            if stored(app, task_id).status is TaskStatus.DONE:
                break
            worker.stopped.wait(0.05)
    finally:
        worker.stopped.set()
        worker.join(timeout=30)
    assert stored(app, task_id).status is TaskStatus.DONE


def test_the_purge_job_deletes_old_tasks_and_unconfirmed_drafts(app, coop, letter):
    now = utcnow()
    old = add_task(app, coop, status=TaskStatus.DONE, created_dt=now - dt.timedelta(days=8))
    draft = add_task(app, coop, status=TaskStatus.DRAFT, created_dt=now - dt.timedelta(hours=25))
    recent = add_task(app, coop, status=TaskStatus.DONE, created_dt=now - dt.timedelta(days=6))
    fresh_draft = add_task(app, coop, status=TaskStatus.DRAFT, created_dt=now - dt.timedelta(hours=1))

    run = run_job(app, "tasks.purge", now=now)

    assert run.outcome is JobOutcome.SUCCESS, run.detail
    assert run.detail == "2 tasks removed"
    assert stored(app, old) is None and stored(app, draft) is None
    assert stored(app, recent) is not None and stored(app, fresh_draft) is not None


# --- the task's page ------------------------------------------------------------------------------

def test_the_task_page_refreshes_until_done_then_downloads_the_file(app, client, coop, letter, make_user):
    auditor = make_user(coop=coop, roles=["auditor"], locale="en")
    log_in(client, auditor.email)
    task_id = submit(app, coop, actor=auditor)

    waiting = client.get(f"/c/{coop.slug}/tasks/{task_id}")
    assert waiting.status_code == 200 and waiting.headers["Refresh"] == str(tasks.REFRESH_SECONDS)
    assert "Waiting" in text_of(waiting) and "carta.pdf" in text_of(waiting)

    tasks.run_task(app, task_id)

    done = client.get(f"/c/{coop.slug}/tasks/{task_id}")
    assert done.status_code == 200 and done.mimetype == "application/pdf" and "Refresh" not in done.headers
    assert done.data.startswith(b"Cooperativa Quebrada Verde")
    assert "attachment" in done.headers["Content-Disposition"]


def test_a_task_is_seen_only_by_those_who_may_see_its_kind(app, client, coop, letter, make_user, make_coop):
    task_id = submit(app, coop)
    member = make_user(coop=coop, roles=["member"])
    log_in(client, member.email)
    assert client.get(f"/c/{coop.slug}/tasks/{task_id}").status_code == 404
    neighbours = make_coop("vecina")
    outsider = make_user(coop=neighbours, roles=["auditor"])
    client.post("/logout")
    log_in(client, outsider.email)
    assert client.get(f"/c/{neighbours.slug}/tasks/{task_id}").status_code == 404
