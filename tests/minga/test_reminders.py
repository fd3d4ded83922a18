"""Reminders before a Minga session: the evening before the quebrada's Saturday, everyone with a
confirmed place gets one e-mail, once, however often the job runs; a moved session reminds again."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from coop import scheduler
from coop.outbox import OutboxMessage
from coop.tenancy import Coop
from minga import reminders
from minga.models import MingaRules, SessionStatus, SignUp, SignUpStatus, WorkSession
from tests.ledger.conftest import run_at_once
from tests.minga.test_calendars import sign_up


def outbox(db) -> list[OutboxMessage]:
    db.rollback()
    return list(db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def run(app, now) -> str:
    """The scheduled job, run as the scheduler runs it (under its lock, in its own unit of work)."""
    job_run = scheduler.run_job(app, "minga.reminders", now=now)
    assert job_run.outcome is scheduler.JobOutcome.SUCCESS, job_run.detail
    return job_run.detail


def test_each_confirmed_member_is_reminded_once_however_often_the_job_runs(
        app, db, minga_coop, make_commission, make_session, make_member):
    quebrada = make_commission(minga_coop)
    saturday = make_session(quebrada, place="Entrada de la quebrada")
    ana = make_member(minga_coop, given_names="Ana", email="ana@example.org")
    rosa = make_member(minga_coop, given_names="Rosa", email="rosa@example.org")
    luis = make_member(minga_coop, given_names="Luis", email="luis@example.org")
    sign_up(db, saturday, ana)
    sign_up(db, saturday, rosa, SignUpStatus.WAITLISTED)
    sign_up(db, saturday, luis, SignUpStatus.CANCELLED)
    evening_before = saturday.starts_dt - dt.timedelta(hours=14)

    assert run(app, saturday.starts_dt - dt.timedelta(hours=30)) == "0 reminders queued"  # too early
    assert run(app, evening_before) == "1 reminders queued"
    assert run(app, evening_before + dt.timedelta(minutes=30)) == "0 reminders queued"

    messages = outbox(db)
    assert [m.to_address for m in messages] == ["ana@example.org"]
    assert "Minga de la quebrada" in messages[0].subject and "Entrada de la quebrada" in messages[0].body
    assert db.get(WorkSession, saturday.id).reminded_dt == evening_before


def test_a_member_who_signs_up_after_the_reminders_still_gets_one(app, db, minga_coop, make_commission,
                                                                  make_session, make_member):
    saturday = make_session(make_commission(minga_coop))
    sign_up(db, saturday, make_member(minga_coop, email="ana@example.org"))
    assert run(app, saturday.starts_dt - dt.timedelta(hours=20)) == "1 reminders queued"
    sign_up(db, saturday, make_member(minga_coop, email="late@example.org"))
    assert run(app, saturday.starts_dt - dt.timedelta(hours=2)) == "1 reminders queued"
    assert [m.to_address for m in outbox(db)] == ["ana@example.org", "late@example.org"]


def test_a_moved_session_reminds_again(app, db, minga_coop, make_commission, make_session, make_member):
    saturday = make_session(make_commission(minga_coop))
    sign_up(db, saturday, make_member(minga_coop, email="ana@example.org"))
    assert run(app, saturday.starts_dt - dt.timedelta(hours=10)) == "1 reminders queued"
    db.rollback()
    moved = db.get(WorkSession, saturday.id)
    moved.starts_dt += dt.timedelta(days=7)
    moved.ends_dt += dt.timedelta(days=7)
    db.commit()

    assert run(app, moved.starts_dt - dt.timedelta(hours=10)) == "1 reminders queued"
    assert len(outbox(db)) == 2


def test_no_reminders_when_the_coop_switched_them_off_or_for_sessions_not_taking_place(
        app, db, minga_coop, make_commission, make_session, make_member):
    quebrada = make_commission(minga_coop)
    ana = make_member(minga_coop, email="ana@example.org")
    for status in (SessionStatus.DRAFT, SessionStatus.CANCELLED, SessionStatus.DONE):
        sign_up(db, make_session(quebrada, status=status, title=f"Minga {status}"), ana)
    started = make_session(quebrada, start=dt.time(5), end=dt.time(13), title="Ya empezó")
    sign_up(db, started, ana)
    saturday = make_session(quebrada, start=dt.time(8), title="Sábado")
    sign_up(db, saturday, ana)
    now = started.starts_dt + dt.timedelta(minutes=30)
    db.rollback()
    db.add(MingaRules(coop_id=minga_coop.id, starts_on=dt.date(2026, 1, 1), reminder_hours=0))
    db.commit()

    assert run(app, now) == "0 reminders queued"
    db.rollback()
    db.scalar(sa.select(MingaRules)).reminder_hours = 3
    db.commit()
    assert run(app, now) == "1 reminders queued"  # only the session not yet started
    assert "Sábado" in outbox(db)[0].subject


def test_a_member_without_an_address_is_skipped(app, db, minga_coop, make_commission, make_session, make_member):
    saturday = make_session(make_commission(minga_coop))
    sign_up(db, saturday, make_member(minga_coop, given_names="Sin correo"))
    sign_up(db, saturday, make_member(minga_coop, email="ana@example.org"))

    assert run(app, saturday.starts_dt - dt.timedelta(hours=3)) == "1 reminders queued"
    assert [m.to_address for m in outbox(db)] == ["ana@example.org"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 2


def test_the_coops_hours_come_from_its_rules_else_a_day(db, minga_coop):
    db.rollback()
    assert reminders.reminder_hours(db, minga_coop) == reminders.DEFAULT_REMINDER_HOURS == 24


def test_two_schedulers_running_at_once_mail_each_member_once(app, db, minga_coop, make_commission, make_session,
                                                             make_member):
    """As if the job's lock had expired under a slow run: the outbox's unique keys still decide."""
    saturday = make_session(make_commission(minga_coop))
    for number in range(8):
        sign_up(db, saturday, make_member(minga_coop, email=f"socia{number}@example.org"))
    database, coop_id, now = app.extensions["coop.db"], minga_coop.id, saturday.starts_dt - dt.timedelta(hours=5)
    barrier, queued, errors = threading.Barrier(4), [], []

    def scheduler_process() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                with database.unit_of_work() as session:
                    queued.append(reminders.remind_coop(session, session.get(Coop, coop_id), now=now))
        except Exception as error:  # reported below
            errors.append(error)

    run_at_once(scheduler_process, [()] * 4)

    assert errors == []
    addresses = [m.to_address for m in outbox(db)]
    assert sorted(addresses) == sorted(f"socia{number}@example.org" for number in range(8))
    assert sum(queued) == 8  # each counted by the run whose notice went in
