"""Documents generated in the background, with progress, when they are too big for a request.

The register of 5,000 members takes longer to print than a browser waits. A page asks for the
document (``request_document``), which is queued here; the request starts a daemon thread after
its own commit, and the ``documents.render`` job picks up anything still waiting (after a
restart, say). ``render_document`` claims the document, renders it with the renderer registered
for its kind in its own reading unit of work, records progress in separate short writing units of
work (only when it advanced by 2 % or a few seconds passed, never item by item, so SQLite's
writer lock is not hogged), and stores the bytes, or the error that stopped it. The bytes are kept in the database
so every web worker can serve them; the ``documents.purge`` job deletes them after a week.

Domain packages add renderers with ``@renderer("package.kind")``; the kernel knows no domain.
"""
from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.db import Base, utcnow, value_enum
from coop.tenancy import Coop

log = logging.getLogger(__name__)

#: documents are deleted this long after they were requested
KEEP_DAYS = 7
#: a document still "running" this long after it was requested was interrupted (a restart)
STALE_AFTER = dt.timedelta(minutes=30)
#: progress is written when it advanced by this share of the total...
PROGRESS_STEP = 0.02
#: ...or when this many seconds passed since it was last written
PROGRESS_SECONDS = 3.0
#: documents the ``documents.render`` job renders in one run at most
RENDER_BATCH = 10
#: the error recorded on a document given up as interrupted (shown translated)
INTERRUPTED = "Interrupted: the worker rendering it stopped."

audit.describe("export.document", _l("Generated document downloaded"))


class DocumentStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class GeneratedDocument(Base):
    """A document requested by someone, rendered in the background."""

    __tablename__ = "generated_document"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    #: what to render, such as "members.register"
    kind: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: the parameters of the request, as JSON
    params: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    status: so.Mapped[DocumentStatus] = so.mapped_column(
        value_enum(DocumentStatus),
        default=DocumentStatus.PENDING)
    #: items done so far, out of ``total``
    progress: so.Mapped[int] = so.mapped_column(default=0)
    total: so.Mapped[int] = so.mapped_column(default=0)
    #: file name offered for download
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    mimetype: so.Mapped[str] = so.mapped_column(sa.String(100), default="application/pdf")
    #: the rendered file (loaded only when downloaded)
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: why rendering failed
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    finished_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    @property
    def is_waiting(self) -> bool:
        """Pending or running: the page keeps refreshing while any document is."""
        return self.status in (DocumentStatus.PENDING, DocumentStatus.RUNNING)

    @property
    def error_message(self) -> str | None:
        """Why it failed, for the people waiting for it."""
        if self.error == INTERRUPTED:
            return str(_l("The server stopped while it was being printed (a restart, perhaps)."))
        return self.error

    @property
    def percent(self) -> int:
        if self.status is DocumentStatus.DONE:
            return 100
        return min(100, self.progress * 100 // self.total) if self.total else 0


# --- renderers -----------------------------------------------------------------------------

#: progress(done, total): how far a renderer got, in items of its own choosing (members, pages)
Progress = Callable[[int, int], None]
#: renderer(session, coop, params, progress) -> the document's bytes
Renderer = Callable[[so.Session, Coop, dict, Progress], bytes]

#: kind -> the function that renders documents of that kind; packages add theirs with ``renderer``
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Decorator: render documents of ``kind`` ("package.what") with this function.

    The function runs in an app context with the document's language chosen, and a session in a
    reading unit of work of its own; it must not write. It calls ``progress(done, total)`` as it
    goes (as often as it likes: the calls are thinned out before they reach the database).
    """
    def decorator(func: Renderer) -> Renderer:
        RENDERERS[kind] = func
        return func
    return decorator


class DocumentGone(Exception):
    """The document was deleted, or given up as interrupted, while it was being rendered."""


# --- requesting and reading ----------------------------------------------------------------

def request_document(session: so.Session, coop: Coop, actor: User | None, kind: str, params: dict | None,
                     filename: str) -> GeneratedDocument:
    """Queue a document for rendering (flushed, not committed), or return the same one already queued.

    ``params`` is kept as JSON and handed to the renderer; ``params["locale"]`` (such as "es_EC"),
    when given, is the language the document is printed in, else the co-op's. Asking twice for
    the same document while the first is still waiting (a double click) queues it once.
    """
    if kind not in RENDERERS:
        raise ValueError(f"no renderer for documents of kind {kind!r}")
    params = dict(params or {})
    waiting = session.scalars(sa.select(GeneratedDocument).where(
        GeneratedDocument.coop_id == coop.id, GeneratedDocument.kind == kind,
        GeneratedDocument.status.in_([DocumentStatus.PENDING, DocumentStatus.RUNNING])))
    for document in waiting:
        if (document.params or {}) == params:
            return document
    document = GeneratedDocument(coop_id=coop.id, kind=kind, params=params, status=DocumentStatus.PENDING,
                                 filename=filename[:200], requested_by_id=actor.id if actor else None)
    session.add(document)
    session.flush()
    return document


def documents_of(session: so.Session, coop: Coop, kind: str, *, limit: int = 20) -> list[tuple[GeneratedDocument, str]]:
    """The co-op's documents of one kind, newest first, with the name of who asked for each."""
    rows = session.execute(
        sa.select(GeneratedDocument, User.name)
        .outerjoin(User, User.id == GeneratedDocument.requested_by_id)
        .where(GeneratedDocument.coop_id == coop.id, GeneratedDocument.kind == kind)
        .order_by(GeneratedDocument.created_dt.desc(), GeneratedDocument.id.desc()).limit(limit))
    return [(document, name or "") for document, name in rows]


def document_of(session: so.Session, coop: Coop, document_id: int, kind: str) -> GeneratedDocument | None:
    """One of the co-op's documents of a kind; None for another co-op's (the caller answers 404)."""
    return session.scalar(sa.select(GeneratedDocument).where(
        GeneratedDocument.id == document_id, GeneratedDocument.coop_id == coop.id,
        GeneratedDocument.kind == kind))


# --- rendering -----------------------------------------------------------------------------

class ProgressRecorder:
    """The ``progress`` callback handed to a renderer: writes to the database, but sparingly.

    Each write is its own short writing unit of work (the rendering's unit only reads). A write
    happens when progress advanced by ``PROGRESS_STEP`` of the total or ``PROGRESS_SECONDS``
    passed, so a renderer may report every item without hogging SQLite's writer lock.
    """

    def __init__(self, database, document_id: int, *, clock: Callable[[], float] = time.monotonic):
        self.database = database
        self.document_id = document_id
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
        self._write()

    def _write(self) -> None:
        with self.database.unit_of_work() as session:
            updated = session.execute(
                sa.update(GeneratedDocument)
                .where(GeneratedDocument.id == self.document_id, GeneratedDocument.status == DocumentStatus.RUNNING)
                .values(progress=self.done, total=self.total)
                .execution_options(synchronize_session=False)).rowcount
        if updated != 1:
            raise DocumentGone(self.document_id)
        self._written, self._written_at = (self.done, self.total), self.clock()


def _claim(database, document_id: int) -> bool:
    """Pending -> running, atomically: of two workers that try, one renders."""
    with database.unit_of_work() as session:
        return session.execute(
            sa.update(GeneratedDocument)
            .where(GeneratedDocument.id == document_id, GeneratedDocument.status == DocumentStatus.PENDING,
                   GeneratedDocument.kind.in_(list(RENDERERS)))
            .values(status=DocumentStatus.RUNNING, progress=0, error=None)
            .execution_options(synchronize_session=False)).rowcount == 1


def _finish(database, document_id: int, **values) -> bool:
    with database.unit_of_work() as session:
        return session.execute(
            sa.update(GeneratedDocument)
            .where(GeneratedDocument.id == document_id, GeneratedDocument.status == DocumentStatus.RUNNING)
            .values(finished_dt=utcnow(), **values)
            .execution_options(synchronize_session=False)).rowcount == 1


def _render(database, document_id: int, progress: ProgressRecorder) -> bytes:
    with database.unit_of_work(write=False) as session:
        document = session.get(GeneratedDocument, document_id)
        coop = session.get(Coop, document.coop_id)
        params = dict(document.params or {})
        render = RENDERERS[document.kind]
        g.coop = coop  # also gives Flask-Babel a place to keep the forced locale
        with force_locale(params.get("locale") or coop.format_locale(coop.locale)):
            return render(session, coop, params, progress)


def render_document(app: Flask, document_id: int) -> DocumentStatus | None:
    """Render one pending document now, in this thread; its final status, None if it was not pending.

    Any error of the renderer is recorded on the document (status failed, with the error); it is
    logged but not raised, because nobody waits on this call but a thread or a job.
    """
    database = app.extensions["coop.db"]
    with app.app_context():
        if not _claim(database, document_id):
            return None
        progress = ProgressRecorder(database, document_id)
        try:
            content = _render(database, document_id, progress)
        except DocumentGone:
            log.info("document %s was removed while it was rendered", document_id)
            return None
        except Exception as exc:  # recorded on the document for the people waiting for it
            log.exception("document %s failed", document_id)
            _finish(database, document_id, status=DocumentStatus.FAILED,
                    error=f"{type(exc).__name__}: {exc}"[:4000])
            return DocumentStatus.FAILED
        if not _finish(database, document_id, status=DocumentStatus.DONE, content=content,
                       progress=progress.total, total=progress.total):
            return None
        log.info("document %s rendered: %d bytes", document_id, len(content))
        return DocumentStatus.DONE


# --- background threads and jobs -------------------------------------------------------------

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _run_in_thread(app: Flask, document_id: int) -> None:
    try:
        render_document(app, document_id)
    except Exception:  # the job picks the document up again if it is still pending
        log.exception("rendering thread for document %s stopped", document_id)
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


def start_rendering(app: Flask, document_id: int) -> threading.Thread | None:
    """Render a document in a daemon thread of this process; call it after the request committed.

    Off when ``DOCUMENTS_RENDER_IN_THREAD`` is false (by default in the test suite): the
    ``documents.render`` job then renders it within a minute.
    """
    if not app.config["DOCUMENTS_RENDER_IN_THREAD"]:
        return None
    thread = threading.Thread(target=_run_in_thread, args=(app, document_id), daemon=True,
                              name=f"document-{document_id}")
    with _threads_lock:
        _threads.add(thread)
    thread.start()
    return thread


def wait_for_threads(timeout: float = 60.0) -> None:
    """Wait for this process's rendering threads (tests; a graceful shutdown)."""
    deadline = time.monotonic() + timeout
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def give_up_interrupted(session: so.Session, now: dt.datetime) -> int:
    """Mark failed the documents left running by a worker that stopped (a restart, a crash)."""
    return session.execute(
        sa.update(GeneratedDocument)
        .where(GeneratedDocument.status == DocumentStatus.RUNNING, GeneratedDocument.kind.in_(list(RENDERERS)),
               GeneratedDocument.created_dt < now - STALE_AFTER)
        .values(status=DocumentStatus.FAILED, finished_dt=now,
                error=INTERRUPTED)
        .execution_options(synchronize_session=False)).rowcount


def waiting_documents(session: so.Session, *, limit: int = RENDER_BATCH) -> list[int]:
    """Ids of pending documents that a renderer of this process can render, oldest first."""
    return list(session.scalars(
        sa.select(GeneratedDocument.id)
        .where(GeneratedDocument.status == DocumentStatus.PENDING, GeneratedDocument.kind.in_(list(RENDERERS)))
        .order_by(GeneratedDocument.created_dt, GeneratedDocument.id).limit(limit)))


def render_waiting(app: Flask, now: dt.datetime) -> str:
    """The ``documents.render`` job: give up interrupted documents, then render pending ones here.

    Each step is its own unit of work, since rendering writes its progress as it goes.
    """
    database = app.extensions["coop.db"]
    with database.unit_of_work() as session:
        interrupted = give_up_interrupted(session, now)
    with database.unit_of_work(write=False) as session:
        waiting = waiting_documents(session)
    outcomes = [render_document(app, document_id) for document_id in waiting]
    done = outcomes.count(DocumentStatus.DONE)
    failed = outcomes.count(DocumentStatus.FAILED)
    return f"{done} rendered, {failed} failed, {interrupted} interrupted given up"


def purge_documents(session: so.Session, now: dt.datetime, *, days: int = KEEP_DAYS) -> int:
    """Delete every document (of any kind) requested more than ``days`` ago."""
    return session.execute(
        sa.delete(GeneratedDocument).where(GeneratedDocument.created_dt < now - dt.timedelta(days=days))
        .execution_options(synchronize_session=False)).rowcount
