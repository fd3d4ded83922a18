"""The durable outbox: queueing, delivery by the ``outbox.send`` job, retries, and its pages."""
from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from coop import outbox
from coop.db import utcnow
from coop.outbox import OutboxMessage, OutboxStatus
from coop.scheduler import JobOutcome, run_job
from tests.conftest import text_of

NO_SERVER_DETAIL = "no SMTP server configured; messages stay in the outbox"


def reload(app, message_id: int) -> OutboxMessage:
    """The message as the database has it now, read in a fresh session."""
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return session.get(OutboxMessage, message_id)


def count_messages(app) -> int:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def queue(db, **fields) -> OutboxMessage:
    values = {"to": "socia@example.org", "subject": "Convocatoria a asamblea",
              "body": "La asamblea general es el sábado a las 10h00."}
    values.update(fields)
    message = outbox.enqueue(db, **values)
    db.commit()
    return message


@dataclass
class SmtpRecorder:
    """What the fake SMTP server saw, and how it should misbehave."""

    connections: list = field(default_factory=list)
    sent: list = field(default_factory=list)
    send_error: Exception | None = None
    connect_error: Exception | None = None


@pytest.fixture
def smtp(app, monkeypatch):
    """An SMTP server is configured, and smtplib.SMTP is a fake that records what it is given."""
    app.config.update(MAIL_SERVER="smtp.test", MAIL_PORT=2525, MAIL_USERNAME="ayllu",
                      MAIL_PASSWORD="s3cret", MAIL_USE_TLS=True, MAIL_USE_SSL=False,
                      MAIL_FROM="Ayllu <no-reply@ayllu.test>")
    recorder = SmtpRecorder()

    class FakeSMTP:
        def __init__(self, host, port, timeout=None, **_kwargs):
            if recorder.connect_error is not None:
                raise recorder.connect_error
            self.host, self.port = host, port
            self.tls = False
            self.credentials = None
            self.closed = False
            recorder.connections.append(self)

        def starttls(self, context=None):
            self.tls = True

        def login(self, user, password):
            self.credentials = (user, password)

        def send_message(self, message):
            if recorder.send_error is not None:
                raise recorder.send_error
            recorder.sent.append(message)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.closed = True
            return False

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return recorder


# --- queueing ------------------------------------------------------------------------------

def test_enqueued_message_waits_in_the_queue(app, db, make_coop):
    coop = make_coop()
    message = queue(db, coop_id=coop.id, to="ana@example.org", subject="Cuota de marzo",
                    body="Su cuota vence el 10.")

    stored = reload(app, message.id)
    assert stored.status is OutboxStatus.QUEUED
    assert (stored.coop_id, stored.to_address, stored.subject, stored.body) == (
        coop.id, "ana@example.org", "Cuota de marzo", "Su cuota vence el 10.")
    assert stored.attempts == 0
    assert stored.sent_dt is None and stored.last_error is None
    assert stored.next_attempt_dt <= utcnow()


def test_the_same_reminder_is_queued_only_once(app, db, make_coop):
    coop = make_coop()
    first = queue(db, coop_id=coop.id, dedupe_key="reminder:fee:2025-03:member-7")
    second = outbox.enqueue(db, to="socia@example.org", subject="Otra vez", body="...",
                            coop_id=coop.id, dedupe_key="reminder:fee:2025-03:member-7")
    db.commit()

    assert first is not None
    assert second is None
    assert count_messages(app) == 1
    assert reload(app, first.id).subject == "Convocatoria a asamblea"


def test_a_rolled_back_action_queues_nothing(app, db):
    outbox.enqueue(db, to="socia@example.org", subject="Nunca", body="...")
    db.rollback()

    assert count_messages(app) == 0


# --- delivery ------------------------------------------------------------------------------

def test_without_a_mail_server_messages_stay_queued_and_the_run_says_so(app, db):
    message = queue(db)

    run = run_job(app, "outbox.send")

    assert run.outcome is JobOutcome.SUCCESS
    assert run.detail == NO_SERVER_DETAIL
    stored = reload(app, message.id)
    assert stored.status is OutboxStatus.QUEUED
    assert stored.attempts == 0 and stored.sent_dt is None


def test_with_a_mail_server_due_messages_are_sent(app, db, smtp):
    first = queue(db, to="ana@example.org", subject="Primera", body="Hola Ana")
    second = queue(db, to="luis@example.org", subject="Segunda", body="Hola Luis")
    now = utcnow()

    run = run_job(app, "outbox.send", now=now)

    assert run.outcome is JobOutcome.SUCCESS
    assert run.detail == "sent 2, to retry 0, failed 0"
    assert [(m["To"], m["Subject"], m["From"]) for m in smtp.sent] == [
        ("ana@example.org", "Primera", "Ayllu <no-reply@ayllu.test>"),
        ("luis@example.org", "Segunda", "Ayllu <no-reply@ayllu.test>")]
    assert smtp.sent[0].get_content().strip() == "Hola Ana"
    [connection] = smtp.connections
    assert (connection.host, connection.port) == ("smtp.test", 2525)
    assert connection.tls and connection.credentials == ("ayllu", "s3cret")
    assert connection.closed
    for message in (first, second):
        stored = reload(app, message.id)
        assert stored.status is OutboxStatus.SENT
        assert stored.sent_dt == now
        assert stored.attempts == 1 and stored.last_error is None


def test_a_sent_message_is_not_sent_again(app, db, smtp):
    queue(db)
    run_job(app, "outbox.send")

    run = run_job(app, "outbox.send")

    assert run.detail == "sent 0, to retry 0, failed 0"
    assert len(smtp.sent) == 1


def test_a_refused_message_is_retried_later_with_back_off(app, db, smtp):
    message = queue(db)
    smtp.send_error = smtplib.SMTPException("451 mailbox busy, try later")
    now = utcnow()

    run = run_job(app, "outbox.send", now=now)

    assert run.outcome is JobOutcome.SUCCESS
    assert run.detail == "sent 0, to retry 1, failed 0"
    stored = reload(app, message.id)
    assert stored.status is OutboxStatus.QUEUED
    assert stored.attempts == 1
    assert "451 mailbox busy" in stored.last_error
    assert stored.next_attempt_dt == now + dt.timedelta(minutes=2)
    assert stored.sent_dt is None

    # before the back-off has passed, the message is left alone
    smtp.send_error = None
    run = run_job(app, "outbox.send", now=now + dt.timedelta(minutes=1))
    assert run.detail == "sent 0, to retry 0, failed 0"
    assert reload(app, message.id).attempts == 1
    assert smtp.sent == []


def test_a_message_refused_max_attempts_times_is_given_up(app, db, smtp):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    message = queue(db)
    smtp.send_error = smtplib.SMTPRecipientsRefused({"socia@example.org": (550, b"no such user")})
    start = utcnow()

    details = [run_job(app, "outbox.send", now=start + dt.timedelta(days=day)).detail
               for day in range(4)]

    assert details == ["sent 0, to retry 1, failed 0", "sent 0, to retry 1, failed 0",
                       "sent 0, to retry 0, failed 1", "sent 0, to retry 0, failed 0"]
    stored = reload(app, message.id)
    assert stored.status is OutboxStatus.FAILED
    assert stored.attempts == 3
    assert "no such user" in stored.last_error
    assert stored.sent_dt is None


def test_an_unreachable_server_counts_as_a_failed_attempt_for_every_due_message(app, db, smtp):
    messages = [queue(db, subject=f"Aviso {n}") for n in range(2)]
    smtp.connect_error = OSError("Connection refused")
    now = utcnow()

    run = run_job(app, "outbox.send", now=now)

    assert run.outcome is JobOutcome.SUCCESS
    assert run.detail == "sent 0, to retry 2, failed 0"
    for message in messages:
        stored = reload(app, message.id)
        assert stored.status is OutboxStatus.QUEUED
        assert stored.attempts == 1
        assert stored.last_error == "connect: Connection refused"
        assert stored.next_attempt_dt > now


def test_a_failed_message_put_back_in_the_queue_is_sent(app, db, smtp):
    message = queue(db)
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 8, "550 no such user"
    db.commit()
    assert run_job(app, "outbox.send").detail == "sent 0, to retry 0, failed 0"

    outbox.retry(db, message)
    db.commit()
    stored = reload(app, message.id)
    assert stored.status is OutboxStatus.QUEUED
    assert stored.attempts == 0
    assert stored.next_attempt_dt <= utcnow()

    assert run_job(app, "outbox.send").detail == "sent 1, to retry 0, failed 0"
    assert reload(app, message.id).status is OutboxStatus.SENT


# --- pages ---------------------------------------------------------------------------------

def test_coop_admin_reads_the_coops_queued_mail_but_not_another_coops(client, db, make_coop, make_user,
                                                                       login):
    coop = make_coop("quebrada")
    other = make_coop("ladera")
    queue(db, coop_id=coop.id, subject="Convocatoria a asamblea",
          body="La asamblea general es el sábado a las 10h00.")
    queue(db, coop_id=other.id, subject="Aviso reservado de Ladera", body="Solo para Ladera.")
    admin = make_user(coop=coop, roles=["admin"])
    login(client, admin)

    response = client.get(f"/c/{coop.slug}/admin/outbox")

    assert response.status_code == 200
    text = text_of(response)
    assert "Convocatoria a asamblea" in text
    assert "La asamblea general es el sábado a las 10h00." in text
    assert "Aviso reservado de Ladera" not in text
    assert "Solo para Ladera" not in text


def test_a_coop_member_may_not_read_the_outbox(client, db, make_coop, make_user, login):
    coop = make_coop()
    queue(db, coop_id=coop.id, subject="Convocatoria a asamblea")
    login(client, make_user(coop=coop, roles=["member"]))

    response = client.get(f"/c/{coop.slug}/admin/outbox")

    assert response.status_code == 403
    assert "Convocatoria a asamblea" not in text_of(response)


def test_platform_operator_sees_every_message(client, db, make_coop, make_user, login):
    coop = make_coop("quebrada")
    other = make_coop("ladera")
    queue(db, coop_id=coop.id, subject="Mensaje de Quebrada")
    queue(db, coop_id=other.id, subject="Mensaje de Ladera")
    queue(db, coop_id=None, subject="Restablecer su contraseña")
    login(client, make_user(is_platform_admin=True))

    response = client.get("/platform/outbox")

    assert response.status_code == 200
    text = text_of(response)
    for subject in ("Mensaje de Quebrada", "Mensaje de Ladera", "Restablecer su contraseña"):
        assert subject in text


def test_platform_operator_puts_a_failed_message_back_in_the_queue(app, client, db, make_user, login):
    message = queue(db, subject="No llegó")
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 8, "550 no such user"
    db.commit()
    login(client, make_user(is_platform_admin=True))
    page = client.get("/platform/outbox?status=failed")
    assert f"/platform/outbox/{message.id}/retry" in page.get_data(as_text=True)

    response = client.post(f"/platform/outbox/{message.id}/retry")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/platform/outbox")
    stored = reload(app, message.id)
    assert stored.status is OutboxStatus.QUEUED
    assert stored.attempts == 0


def test_only_the_platform_operator_may_retry_a_message(app, client, db, make_coop, make_user, login):
    coop = make_coop()
    message = queue(db, coop_id=coop.id)
    message.status, message.attempts = OutboxStatus.FAILED, 8
    db.commit()
    login(client, make_user(coop=coop, roles=["admin"]))

    response = client.post(f"/platform/outbox/{message.id}/retry")

    assert response.status_code == 403
    assert reload(app, message.id).status is OutboxStatus.FAILED


def test_a_malformed_message_fails_alone_and_the_others_are_sent_once(app, db, smtp):
    good = queue(db, to="ana@example.org", subject="Bien")
    bad = queue(db, to="luis@example.org", subject="Bien")
    # a message that cannot be turned into an e-mail (forced past enqueue's own check)
    db.execute(sa.update(OutboxMessage).where(OutboxMessage.id == bad.id)
               .values(subject="Línea uno\nBcc: spam@example.org"))
    db.commit()

    first_run = run_job(app, "outbox.send")
    second_run = run_job(app, "outbox.send")

    assert first_run.outcome is JobOutcome.SUCCESS and second_run.outcome is JobOutcome.SUCCESS
    assert [m["To"] for m in smtp.sent] == ["ana@example.org"]
    assert reload(app, good.id).status is OutboxStatus.SENT
    stored = reload(app, bad.id)
    assert stored.status is OutboxStatus.FAILED and "malformed" in stored.last_error


def test_enqueue_refuses_header_injection(db):
    with pytest.raises(ValueError):
        outbox.enqueue(db, to="ana@example.org", subject="Hola\r\nBcc: x@example.org", body="...")


def test_a_sent_message_cannot_be_queued_again_from_the_outbox_page(app, client, db, make_user, login):
    message = queue(db, subject="Ya enviado")
    message.status, message.attempts = OutboxStatus.SENT, 1
    db.commit()
    login(client, make_user(is_platform_admin=True))

    response = client.post(f"/platform/outbox/{message.id}/retry", follow_redirects=True)

    assert "Solo un mensaje que falló puede intentarse de nuevo." in text_of(response)
    assert reload(app, message.id).status is OutboxStatus.SENT
