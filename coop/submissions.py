"""A submitted form is applied at most once: its one-time key, claimed by the database.

A form that creates money or numbers (a payment, an expense, a member) carries a hidden one-time
key, made when the form is shown (``coop.forms.OnceForm``). The view claims the key in the same
unit of work as what the form creates, before creating it: ``claim`` inserts a row that a unique
index over (co-op, key) admits once. A double click, a browser's "send again" or twenty copies of
one request therefore create one record: on PostgreSQL the second insert waits for the first
transaction and fails once it commits (or succeeds if it was refused and rolled back, so a form
corrected after a refusal goes through); on SQLite writers already run one at a time. A refused
claim raises ``AlreadySent``, which knows where the first submission led (``finish`` records
it), so the page can show the person what their first click created.

Keys are kept a while (``KEEP_DAYS``) and then forgotten by the ``tasks.purge`` job: a page left
open longer than that would be stale anyway.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect
from flask_babel import lazy_gettext as _l

from coop.db import Base, utcnow
from coop.errors import DomainError

#: claimed keys older than this are forgotten
KEEP_DAYS = 30
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class FormSubmission(Base):
    """A form's one-time key, claimed once by the request that applied the form."""

    __tablename__ = "form_submission"
    __table_args__ = (sa.UniqueConstraint("coop_id", "key"),
                      sa.Index("ix_form_submission_created_dt", "created_dt"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"))
    #: the key the form carried (made when the form was shown)
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: the page of what the submission created, where a second submission is sent
    outcome_url: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    def finish(self, url: str) -> None:
        """Remember the page of what the form created (flushed with the unit of work)."""
        self.outcome_url = url[:300]


class AlreadySent(DomainError):
    """The form was applied before; ``url`` is the page of what it created ("" if not known)."""

    def __init__(self, url: str = ""):
        super().__init__(_l("This form was already sent and applied; it was not applied a second time."))
        self.url = url


def new_key() -> str:
    """A fresh one-time key for a form being shown."""
    return secrets.token_urlsafe(18)


def is_key(value: str | None) -> bool:
    return bool(value) and KEY_RE.match(value) is not None


def claim(session: so.Session, coop, key: str | None) -> FormSubmission:
    """Claim a form's key within the unit of work that applies the form; ``AlreadySent`` if taken.

    A missing or malformed key (a page from before keys, a hand-made request) is refused: the
    form shown again carries a fresh key.
    """
    if not is_key(key):
        raise DomainError(_l("This form is out of date. Check it and send it again."))
    submission = FormSubmission(coop_id=coop.id, key=key)
    try:
        with session.begin_nested():
            session.add(submission)
    except sa.exc.IntegrityError:
        earlier = session.scalar(sa.select(FormSubmission.outcome_url).where(
            FormSubmission.coop_id == coop.id, FormSubmission.key == key))
        raise AlreadySent(earlier or "") from None
    return submission


def answer_if_sent(refusal):
    """For a view after ``show_refusal``: when the form had been sent already, a redirect to what
    the first submission created (with the message flashed); else None (show the form again)."""
    error = getattr(refusal, "error", None)
    if isinstance(error, AlreadySent) and error.url:
        flash(error.text, "info")
        return redirect(error.url)
    return None


def purge_submissions(session: so.Session, now: dt.datetime, *, days: int = KEEP_DAYS) -> int:
    """Forget keys claimed more than ``days`` ago."""
    return session.execute(sa.delete(FormSubmission).where(
        FormSubmission.created_dt < now - dt.timedelta(days=days))
        .execution_options(synchronize_session=False)).rowcount
