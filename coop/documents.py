"""Documents generated in the background, with progress, when they are too big for a request.

The register of 5,000 members takes longer to print than a browser waits. A page asks for the
document, which is queued here; a worker renders it and records its progress; the page shows
how far it got and offers the file when it is done. The bytes are kept in the database so every
web worker can serve them; old documents are purged by a job.
"""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow


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
        sa.Enum(DocumentStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
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
