"""Background documents: queued by a request, rendered by a thread or the job, with progress
written sparingly, failures kept with their error, interrupted ones given up, old ones purged."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_babel import get_locale

from coop import documents
from coop.db import utcnow
from coop.documents import DocumentStatus, GeneratedDocument, ProgressRecorder
from coop.scheduler import JobOutcome, run_job

KIND = "test.letter"


@pytest.fixture
def temp_renderer():
    """Register throw-away renderers for one test; they are removed afterwards."""
    added = []

    def register(kind, func):
        documents.renderer(kind)(func)
        added.append(kind)
        return func

    yield register
    for kind in added:
        documents.RENDERERS.pop(kind, None)


@pytest.fixture
def letter(temp_renderer):
    """A renderer that reports ten steps and returns the co-op's name and its parameters."""
    def render(session, coop, params, progress):
        for done in range(11):
            progress(done, 10)
        return f"{coop.name}|{params.get('greeting', '')}|{get_locale()}".encode()
    return temp_renderer(KIND, render)


@pytest.fixture
def coop(make_coop):
    return make_coop("quebrada", name="Cooperativa Quebrada Verde")


def request(app, coop, kind=KIND, params=None, actor=None) -> int:
    with app.extensions["coop.db"].unit_of_work() as session:
        return documents.request_document(session, session.merge(coop), actor, kind, params, "carta.pdf").id


def stored(app, document_id) -> GeneratedDocument | None:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        document = session.get(GeneratedDocument, document_id)
        if document is not None:
            session.refresh(document, ["content"])
        return document


def add_document(app, coop, *, kind=KIND, status=DocumentStatus.PENDING, created_dt=None) -> int:
    with app.extensions["coop.db"].unit_of_work() as session:
        document = GeneratedDocument(coop_id=coop.id, kind=kind, status=status, filename="x.pdf",
                                     created_dt=created_dt or utcnow())
        session.add(document)
        session.flush()
        return document.id


def test_a_requested_document_waits_then_is_rendered_with_its_bytes_and_full_progress(app, coop, letter,
                                                                                      make_user):
    secretary = make_user(coop=coop, roles=["secretary"])
    document_id = request(app, coop, params={"greeting": "Alli puncha"}, actor=secretary)
    waiting = stored(app, document_id)
    assert (waiting.status, waiting.progress, waiting.content) == (DocumentStatus.PENDING, 0, None)
    assert waiting.requested_by_id == secretary.id and waiting.is_waiting

    assert documents.render_document(app, document_id) is DocumentStatus.DONE

    done = stored(app, document_id)
    assert done.status is DocumentStatus.DONE
    assert done.content == b"Cooperativa Quebrada Verde|Alli puncha|es_EC"  # the co-op's language by default
    assert (done.progress, done.total, done.percent) == (10, 10, 100)
    assert done.finished_dt is not None and done.error is None
    assert documents.render_document(app, document_id) is None  # only a pending document is rendered


def test_the_document_is_printed_in_the_language_it_was_asked_in(app, coop, letter):
    document_id = request(app, coop, params={"locale": "en"})
    documents.render_document(app, document_id)
    assert stored(app, document_id).content.endswith(b"|en")


def test_asking_again_while_the_first_is_waiting_queues_it_once(app, coop, letter):
    first = request(app, coop, params={"locale": "es_EC"})
    assert request(app, coop, params={"locale": "es_EC"}) == first
    assert request(app, coop, params={"locale": "en"}) != first
    documents.render_document(app, first)
    assert request(app, coop, params={"locale": "es_EC"}) != first  # once done, a new one is printed


def test_a_kind_nobody_renders_is_refused(app, coop):
    with pytest.raises(ValueError, match="no renderer"):
        request(app, coop, kind="test.nobody")


def test_progress_is_visible_to_others_while_the_renderer_still_reads(app, coop, temp_renderer):
    """Progress goes out in its own committed unit of work, while rendering's transaction reads on."""
    seen = []

    def render(session, coop, params, progress):
        progress(3, 40)
        with app.extensions["coop.db"].unit_of_work(write=False) as other:
            row = other.get(GeneratedDocument, params["id"])
            seen.append((row.status, row.progress, row.total))
        return b"ok"

    temp_renderer(KIND, render)
    with app.extensions["coop.db"].unit_of_work() as session:
        document = documents.request_document(session, session.merge(coop), None, KIND, {}, "x.pdf")
        document.params = {"id": document.id}
    documents.render_document(app, document.id)
    assert seen == [(DocumentStatus.RUNNING, 3, 40)]


def test_progress_is_written_every_two_percent_or_every_few_seconds(app, coop, letter, monkeypatch):
    document_id = add_document(app, coop, status=DocumentStatus.RUNNING)
    writes = []
    original = ProgressRecorder._write

    def counting(recorder):
        writes.append(recorder.done)
        original(recorder)

    monkeypatch.setattr(ProgressRecorder, "_write", counting)
    now = [0.0]
    progress = ProgressRecorder(app.extensions["coop.db"], document_id, clock=lambda: now[0])
    for done in range(1001):
        progress(done, 1000)
    assert writes == list(range(0, 1001, 20))  # the first call, then every 2 %
    now[0] += documents.PROGRESS_SECONDS
    progress(1001, 5000)  # the total changed: written at once
    progress(1002, 5000)  # neither 2 % nor the seconds yet
    now[0] += documents.PROGRESS_SECONDS
    progress(1003, 5000)  # a few seconds passed
    assert writes[-2:] == [1001, 1003]
    row = stored(app, document_id)
    assert (row.progress, row.total) == (1003, 5000)


def test_a_failing_renderer_leaves_the_document_failed_with_its_error(app, coop, temp_renderer):
    def broken(session, coop, params, progress):
        progress(1, 4)
        raise RuntimeError("the fonts are missing")

    temp_renderer(KIND, broken)
    document_id = request(app, coop)

    assert documents.render_document(app, document_id) is DocumentStatus.FAILED

    failed = stored(app, document_id)
    assert failed.status is DocumentStatus.FAILED
    assert failed.error == "RuntimeError: the fonts are missing"
    assert failed.content is None and failed.finished_dt is not None and not failed.is_waiting


def test_a_document_deleted_while_it_renders_stops_quietly(app, coop, temp_renderer):
    def render(session, coop, params, progress):
        with app.extensions["coop.db"].unit_of_work() as other:
            other.execute(sa.delete(GeneratedDocument))
        progress(1, 2)
        return b"never stored"

    temp_renderer(KIND, render)
    document_id = request(app, coop)
    assert documents.render_document(app, document_id) is None
    assert stored(app, document_id) is None


def test_the_request_renders_in_a_daemon_thread_when_configured(app, coop, letter):
    document_id = request(app, coop)
    assert documents.start_rendering(app, document_id) is None  # off in the test suite by default
    app.config["DOCUMENTS_RENDER_IN_THREAD"] = True

    thread = documents.start_rendering(app, document_id)

    assert thread.daemon
    documents.wait_for_threads(timeout=30)
    assert not thread.is_alive()
    assert stored(app, document_id).status is DocumentStatus.DONE


def test_the_render_job_renders_waiting_documents_and_gives_up_interrupted_ones(app, coop, letter):
    waiting = add_document(app, coop)
    long_ago = utcnow() - documents.STALE_AFTER - dt.timedelta(minutes=1)
    interrupted = add_document(app, coop, status=DocumentStatus.RUNNING, created_dt=long_ago)
    running_now = add_document(app, coop, status=DocumentStatus.RUNNING)
    # another package's waiting upload (no renderer of its kind): not the job's business
    upload = add_document(app, coop, kind="test.upload")

    run = run_job(app, "documents.render")

    assert run.outcome is JobOutcome.SUCCESS, run.detail
    assert run.detail == "1 rendered, 0 failed, 1 interrupted given up"
    assert stored(app, waiting).status is DocumentStatus.DONE
    assert stored(app, interrupted).status is DocumentStatus.FAILED
    assert stored(app, interrupted).error == documents.INTERRUPTED
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "stopped" in stored(app, interrupted).error_message
    assert stored(app, running_now).status is DocumentStatus.RUNNING
    assert stored(app, upload).status is DocumentStatus.PENDING
    assert run_job(app, "documents.render").detail == "0 rendered, 0 failed, 0 interrupted given up"


def test_the_purge_job_deletes_documents_older_than_a_week(app, coop, letter):
    now = utcnow()
    old = add_document(app, coop, status=DocumentStatus.DONE, created_dt=now - dt.timedelta(days=8))
    old_upload = add_document(app, coop, kind="test.upload", created_dt=now - dt.timedelta(days=7, hours=1))
    recent = add_document(app, coop, status=DocumentStatus.DONE, created_dt=now - dt.timedelta(days=6))

    run = run_job(app, "documents.purge", now=now)

    assert run.outcome is JobOutcome.SUCCESS, run.detail
    assert run.detail == "2 documents removed"
    assert stored(app, old) is None and stored(app, old_upload) is None
    assert stored(app, recent) is not None
