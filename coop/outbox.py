"""The durable outbox: every e-mail Ayllu sends is first a row here.

Services enqueue in the same transaction as the change that causes the mail, so a rolled-back
action sends nothing and a committed one is never forgotten. The ``outbox.send`` job delivers
queued messages over SMTP when a server is configured, with retries and back-off; without one,
messages stay queued and an administrator reads them on the outbox page. An optional
``dedupe_key`` makes a job's mail idempotent: the same reminder is queued only once.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
import sqlalchemy.orm as so

from flask_babel import lazy_gettext as _l

from coop.db import Base, is_sqlite, utcnow, value_enum
from coop.errors import DomainError
from coop.paging import count_of, one_page

PAGE_SIZE = 50
#: the secret part of a link in a message (a reset or invitation token): long, unbroken, URL-safe
_SECRET_IN_LINK = re.compile(r"(https?://[^\s/]+/(?:[^\s/]+/)*?)[A-Za-z0-9_\-\.]{24,}")


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One e-mail waiting to be sent, sent, or given up on."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_status_next", "status", "next_attempt_dt"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the co-op on whose behalf it is sent; None for account mail such as password resets
    coop_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"),
                                                      index=True)
    #: recipient address
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    #: plain-text body (Ayllu sends text mail: light on modest phones, readable everywhere)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[OutboxStatus] = so.mapped_column(
        value_enum(OutboxStatus),
        default=OutboxStatus.QUEUED)
    #: delivery attempts so far
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    #: the SMTP error of the last failed attempt
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: a job's idempotency key: the same key is never queued twice
    dedupe_key: so.Mapped[str | None] = so.mapped_column(sa.String(200), unique=True)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: not attempted before this time (back-off after failures)
    next_attempt_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    sent_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    @property
    def body_without_secrets(self) -> str:
        """The body as the outbox pages show it: a link's token is the recipient's alone.

        An administrator reading the outbox could otherwise open a member's invitation or
        password-reset link and choose their password.
        """
        return _SECRET_IN_LINK.sub(lambda m: m.group(1) + "••••••", self.body)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    use_ssl: bool
    sender: str

    @classmethod
    def from_config(cls, config) -> SmtpSettings | None:
        if not config.get("MAIL_SERVER"):
            return None
        return cls(host=config["MAIL_SERVER"], port=config["MAIL_PORT"],
                   username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
                   use_tls=config["MAIL_USE_TLS"], use_ssl=config["MAIL_USE_SSL"],
                   sender=config["MAIL_FROM"])


def enqueue(session: so.Session, *, to: str, subject: str, body: str, coop_id: int | None = None,
            dedupe_key: str | None = None) -> OutboxMessage | None:
    """Queue one message in the current unit of work. With a dedupe key already used, queue nothing."""
    if any(char in to + subject for char in "\r\n"):
        raise ValueError("an e-mail address or subject cannot span several lines")
    if dedupe_key is not None:
        existing = session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return None
        try:
            with session.begin_nested():  # the unique key settles a race with another process
                message = OutboxMessage(to_address=to, subject=subject, body=body, coop_id=coop_id,
                                        dedupe_key=dedupe_key)
                session.add(message)
        except sa.exc.IntegrityError:
            return None
        return message
    message = OutboxMessage(to_address=to, subject=subject, body=body, coop_id=coop_id)
    session.add(message)
    session.flush()
    return message


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** attempts, 12 * 60))


def due_messages(session: so.Session, limit: int, now: dt.datetime) -> list[OutboxMessage]:
    """Queued messages ready for an attempt, locked so two senders never take the same one."""
    query = (sa.select(OutboxMessage)
             .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_dt <= now)
             .order_by(OutboxMessage.id).limit(limit))
    if not is_sqlite(session.get_bind()):
        query = query.with_for_update(skip_locked=True)  # SQLite's write lock already serialises
    return list(session.scalars(query))


def _to_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    email.set_content(message.body)
    return email


def _open_smtp(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=30,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=30)
    try:
        if settings.use_tls and not settings.use_ssl:
            connection.starttls(context=ssl.create_default_context())
        if settings.username:
            connection.login(settings.username, settings.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def send_due(session: so.Session, settings: SmtpSettings | None, *, max_attempts: int, batch: int,
             now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver what is due. Returns counts of sent, retried and failed messages."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if settings is None:
        return counts
    now = now or utcnow()
    messages = due_messages(session, batch, now)
    if not messages:
        return counts
    try:
        connection = _open_smtp(settings)
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            counts[_record_failure(message, f"connect: {exc}", max_attempts, now)] += 1
        session.flush()
        return counts
    with connection:
        for message in messages:
            try:
                email = _to_email(message, settings.sender)
            except ValueError as exc:  # a malformed message never improves: give up on it alone
                counts[_record_failure(message, f"malformed: {exc}", 1, now)] += 1
                continue
            try:
                connection.send_message(email)
            except (OSError, smtplib.SMTPException) as exc:
                counts[_record_failure(message, str(exc), max_attempts, now)] += 1
            else:
                message.status = OutboxStatus.SENT
                message.attempts += 1
                message.sent_dt = now
                message.last_error = None
                counts["sent"] += 1
    session.flush()
    return counts


def _record_failure(message: OutboxMessage, error: str, max_attempts: int, now: dt.datetime) -> str:
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        return "failed"
    message.next_attempt_dt = now + _backoff(message.attempts)
    return "retry"


def retry(session: so.Session, message: OutboxMessage) -> None:
    """An administrator puts a failed message back in the queue (a sent one is never resent)."""
    if message.status is not OutboxStatus.FAILED:
        raise DomainError(_l("Only a failed message can be tried again."))
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_dt = utcnow()
    session.flush()


def messages(session: so.Session, *, coop_id: int | None, status: str = "", page: int = 1,
             per_page: int = PAGE_SIZE) -> tuple[list[OutboxMessage], int]:
    """A page of the outbox, newest first; ``coop_id=None`` means every message (platform view)."""
    query = sa.select(OutboxMessage)
    if coop_id is not None:
        query = query.where(OutboxMessage.coop_id == coop_id)
    if status in set(OutboxStatus):
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    total = count_of(session, query)
    rows = session.scalars(one_page(query.order_by(OutboxMessage.id.desc()), page, per_page))
    return list(rows), total
