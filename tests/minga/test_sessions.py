"""A coordinator plans the commission's work sessions: one at a time or as a recurring series,
in the co-op's wall clock; moves them through their life; and calls one off with a reason that
reaches everyone signed up. Each refusal is told beside its field."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.errors import DomainError
from coop.outbox import OutboxMessage
from minga import sessions
from minga.models import (Attendance, AttendanceStatus, SessionSeries, SessionStatus, SignUp, SignUpStatus,
                          WorkSession)
from minga.sessions import SessionData, TaskData
from tests.minga.conftest import NOW, SATURDAY, refusal


def saturday_work(**fields) -> SessionData:
    values = {"title": "Minga de la quebrada", "day": SATURDAY, "start": dt.time(7), "end": dt.time(13),
              "capacity": 12, "place": "Entrada de la quebrada, calle Los Andes",
              "tasks": [TaskData("Cargar piedra", 6), TaskData("Sembrar", 6)]}
    return SessionData(**{**values, **fields})


def test_a_session_is_kept_in_utc_from_the_coops_wall_clock_with_its_tasks(db, minga_coop, make_commission, ctx):
    commission = make_commission(minga_coop)
    work_session = sessions.create_session(db, None, db.merge(minga_coop), db.merge(commission), saturday_work(
        signup_closes=dt.datetime(2026, 12, 4, 18, 0)))
    db.commit()
    assert work_session.starts_dt == dt.datetime(2026, 12, 5, 12)  # 07:00 in Quito
    assert work_session.ends_dt == dt.datetime(2026, 12, 5, 18)
    assert work_session.signup_closes_dt == dt.datetime(2026, 12, 4, 23)
    assert work_session.status is SessionStatus.OPEN and work_session.capacity == 12
    assert [(t.name, t.people_needed) for t in work_session.tasks] == [("Cargar piedra", 6), ("Sembrar", 6)]
    assert db.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_type == "work_session")) == "minga.session"


def test_every_mistake_is_told_beside_its_field_at_once(db, minga_coop, make_commission, ctx):
    commission = make_commission(minga_coop)
    coop, commission = db.merge(minga_coop), db.merge(commission)
    assert refusal(sessions.create_session, db, None, coop, commission, saturday_work(
        title=" ", end=dt.time(6), capacity=0, tasks=[TaskData("Sembrar", 0)])) == {
        "title": "Give the session a title.", "end": "The end comes after the start.",
        "capacity": "A session takes at least one person.",
        "tasks": 'The task "Sembrar" needs at least one person.'}
    assert refusal(sessions.create_session, db, None, coop, commission, saturday_work(
        signup_opens=dt.datetime(2026, 12, 5, 8), signup_closes=dt.datetime(2026, 12, 5, 9))) == {
        "signup_opens": "Sign-ups open before the session starts.",
        "signup_closes": "Sign-ups close at the latest when the session starts."}
    assert refusal(sessions.create_session, db, None, coop, commission, saturday_work(
        signup_opens=dt.datetime(2026, 12, 3, 8), signup_closes=dt.datetime(2026, 12, 2, 8))) == {
        "signup_closes": "Sign-ups close after they open."}
    assert refusal(sessions.create_session, db, None, coop, commission, saturday_work(day=None, start=None)) == {
        "day": "Write the day of the session.", "start": "Write when the work starts."}
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkSession)) == 0


def test_tasks_are_written_one_a_line_with_the_people_each_needs():
    assert sessions.parse_tasks("Cargar piedra: 6\n\n  Sembrar   árboles : 4 ") == [
        TaskData("Cargar piedra", 6), TaskData("Sembrar árboles", 4)]
    with pytest.raises(DomainError) as raised:
        sessions.parse_tasks("Cargar piedra: 6\nSembrar")
    assert raised.value.field == "tasks" and "2" in str(raised.value)


def test_an_inactive_commission_takes_no_new_sessions(db, minga_coop, make_commission, ctx):
    commission = make_commission(minga_coop, "Escuela", is_active=False)
    assert refusal(sessions.create_session, db, None, db.merge(minga_coop), db.merge(commission), saturday_work()) == {
        None: "The commission Escuela is inactive: it takes no new sessions."}


def test_a_series_makes_sessions_a_week_apart_at_seven_in_quito(db, minga_coop, make_commission, ctx):
    commission = make_commission(minga_coop)
    series = sessions.create_series(db, None, db.merge(minga_coop), db.merge(commission), saturday_work(
        signup_closes=dt.datetime(2026, 12, 4, 18)), every_days=7, count=12)
    db.commit()
    made = sessions.sessions_of_series(db, series)
    assert len(made) == 12 and series.count == 12
    assert [s.starts_dt for s in made] == [dt.datetime(2026, 12, 5, 12) + dt.timedelta(weeks=k) for k in range(12)]
    assert {s.ends_dt - s.starts_dt for s in made} == {dt.timedelta(hours=6)}
    assert made[3].signup_closes_dt == dt.datetime(2026, 12, 25, 23)  # the Friday before each
    assert all(len(s.tasks) == 2 and s.series_id == series.id for s in made)
    assert series.rule_text == "every 7 days from 12/5/26, 12 times, 07:00–13:00"


def test_a_series_takes_at_most_a_year_of_weeks(db, minga_coop, make_commission, ctx):
    commission = make_commission(minga_coop)
    assert refusal(sessions.create_series, db, None, db.merge(minga_coop), db.merge(commission), saturday_work(),
                   every_days=0, count=53) == {"every_days": "From 1 to 365 days between sessions.",
                                               "count": "From 2 to 52 sessions."}
    assert db.scalar(sa.select(sa.func.count()).select_from(SessionSeries)) == 0


def test_each_session_of_a_series_is_changed_on_its_own(db, minga_coop, make_commission, ctx):
    commission = make_commission(minga_coop)
    coop = db.merge(minga_coop)
    series = sessions.create_series(db, None, coop, db.merge(commission), saturday_work(), every_days=7, count=3)
    first, second, _third = sessions.sessions_of_series(db, series)
    changes = sessions.update_session(db, None, coop, second, saturday_work(
        day=SATURDAY + dt.timedelta(days=8), start=dt.time(8), title="Minga del domingo",
        tasks=[TaskData("Sembrar", 8), TaskData("Limpiar", 2)]), now=NOW)
    assert set(changes) == {"title", "starts_dt", "ends_dt", "tasks"}
    assert second.starts_dt == dt.datetime(2026, 12, 13, 13)
    assert [(t.name, t.people_needed) for t in second.tasks] == [("Sembrar", 8), ("Limpiar", 2)]
    assert first.title == "Minga de la quebrada" and first.starts_dt == dt.datetime(2026, 12, 5, 12)
    assert sessions.update_session(db, None, coop, first, saturday_work(), now=NOW) == {}


def test_a_session_moves_draft_open_closed_done_only_forward_in_time(db, minga_coop, make_commission, make_session,
                                                                      ctx):
    commission = make_commission(minga_coop)
    work_session = db.merge(make_session(commission, status=SessionStatus.DRAFT))
    coop = db.merge(minga_coop)
    assert refusal(sessions.set_status, db, None, coop, work_session, SessionStatus.CLOSED, now=NOW) == {
        "status": 'A session that is "Draft" cannot become "Sign-ups closed".'}
    sessions.set_status(db, None, coop, work_session, SessionStatus.OPEN, now=NOW)
    sessions.set_status(db, None, coop, work_session, SessionStatus.CLOSED, now=NOW)
    sessions.set_status(db, None, coop, work_session, SessionStatus.OPEN, now=NOW)
    assert refusal(sessions.set_status, db, None, coop, work_session, SessionStatus.DONE, now=NOW) == {
        "status": "A session is done only after it has ended."}
    assert refusal(sessions.set_status, db, None, coop, work_session, SessionStatus.CANCELLED, now=NOW) == {
        "status": "Cancel a session with its own form, saying why."}
    after = work_session.ends_dt + dt.timedelta(hours=1)
    assert refusal(sessions.set_status, db, None, coop, work_session, SessionStatus.OPEN, now=after) == {
        "status": 'A session that is "Open for sign-ups" cannot become "Open for sign-ups".'}
    sessions.set_status(db, None, coop, work_session, SessionStatus.DONE, now=after)
    assert refusal(sessions.set_status, db, None, coop, work_session, SessionStatus.OPEN, now=after) == {
        "status": 'A session that is "Done" cannot become "Open for sign-ups".'}
    assert work_session.status is SessionStatus.DONE


def sign_up(db, work_session, member, status, arrival):
    db.add(SignUp(coop_id=work_session.coop_id, session_id=work_session.id, member_id=member.id, status=status,
                  arrival=arrival))


def test_cancelling_tells_everyone_signed_up_or_waiting_why(db, minga_coop, make_commission, make_session,
                                                            make_member, ctx):
    commission = make_commission(minga_coop)
    work_session = make_session(commission, capacity=2)
    people = [make_member(minga_coop, given_names=name, email=f"{name.lower()}@example.org")
              for name in ("Ana", "Luis", "Rosa")]
    quiet = make_member(minga_coop, given_names="Sin correo")
    db.rollback()
    work_session = db.merge(work_session)
    for arrival, (member, status) in enumerate(zip(people + [quiet], (
            SignUpStatus.CONFIRMED, SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED, SignUpStatus.CANCELLED)), 1):
        sign_up(db, work_session, member, status, arrival)
    work_session.confirmed_count = 2
    db.commit()
    coop, work_session = db.merge(minga_coop), db.merge(work_session)
    assert refusal(sessions.cancel_session, db, None, coop, work_session, "  ", now=NOW) == {
        "reason": "Say why the session is cancelled: everyone signed up is told."}
    told = sessions.cancel_session(db, None, coop, work_session, "Lluvia fuerte: la quebrada está crecida.", now=NOW)
    db.commit()
    assert told == 3
    assert work_session.status is SessionStatus.CANCELLED and work_session.confirmed_count == 0
    assert set(db.scalars(sa.select(SignUp.status))) == {SignUpStatus.CANCELLED}
    mail = db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in mail] == ["ana@example.org", "luis@example.org", "rosa@example.org"]
    assert all(m.subject == "Minga cancelada: Minga de la quebrada" for m in mail)
    assert all("Lluvia fuerte: la quebrada está crecida." in m.body for m in mail)
    assert refusal(sessions.cancel_session, db, None, coop, work_session, "Otra vez", now=NOW) == {
        None: "This session was cancelled: it cannot be changed."}
    assert refusal(sessions.update_session, db, None, coop, work_session, saturday_work(), now=NOW) == {
        None: "This session was cancelled: it cannot be changed."}


def test_a_session_whose_attendance_was_taken_cannot_be_cancelled(db, minga_coop, make_commission, make_session,
                                                                  make_member, ctx):
    work_session = make_session(make_commission(minga_coop))
    ana = make_member(minga_coop)
    db.rollback()
    db.add(Attendance(coop_id=work_session.coop_id, session_id=work_session.id, member_id=ana.id,
                      status=AttendanceStatus.PRESENT, minutes=360))
    db.commit()
    assert refusal(sessions.cancel_session, db, None, db.merge(minga_coop), db.merge(work_session), "Lluvia",
                   now=NOW) == {None: "Attendance was recorded for this session: it cannot be cancelled."}


def test_the_manager_sees_coming_and_recent_sessions_of_their_commissions_with_waitlists(
        db, minga_coop, make_commission, make_session, make_member, ctx):
    quebrada, parque = make_commission(minga_coop), make_commission(minga_coop, "Parque")
    coming = make_session(quebrada, capacity=1)
    past = make_session(quebrada, day=SATURDAY - dt.timedelta(days=14), title="Minga pasada")
    make_session(parque, title="Minga del parque")
    ana, luis = make_member(minga_coop), make_member(minga_coop)
    db.rollback()
    sign_up(db, db.merge(coming), ana, SignUpStatus.CONFIRMED, 1)
    sign_up(db, db.merge(coming), luis, SignUpStatus.WAITLISTED, 2)
    db.commit()
    found = sessions.sessions_for_manager(db, db.merge(minga_coop), frozenset({quebrada.id}), now=NOW)
    assert [(m.session.id, m.waitlisted) for m in found.upcoming] == [(coming.id, 1)]
    assert [m.session.id for m in found.recent] == [past.id] and found.upcoming_total == 1
    everything = sessions.sessions_for_manager(db, db.merge(minga_coop), None, now=NOW)
    assert {m.session.title for m in everything.upcoming} == {"Minga de la quebrada", "Minga del parque"}
    assert [s.id for s in sessions.awaiting_attendance(db, db.merge(minga_coop), frozenset({quebrada.id}),
                                                        now=NOW)] == [past.id]


def test_fewer_places_send_the_latest_sign_up_back_to_the_waitlist_and_tell_them(
        db, minga_coop, make_commission, make_session, make_member, ctx):
    from minga import signups
    work_session = make_session(make_commission(minga_coop), capacity=3)
    people = [make_member(minga_coop, given_names=name, email=f"{name.lower()}@example.org")
              for name in ("Ana", "Luis", "Rosa")]
    coop, work_session = db.merge(minga_coop), db.merge(work_session)
    for member in people:
        signups.sign_up(db, None, coop, work_session, db.merge(member), by_office=True, now=NOW)
    db.commit()
    changes = sessions.update_session(db, None, coop, work_session, saturday_work(capacity=2, tasks=[]), now=NOW)
    db.commit()
    assert changes["capacity"] == [3, 2] and work_session.capacity == 2 and work_session.confirmed_count == 2
    moved = db.scalar(sa.select(SignUp).where(SignUp.status == SignUpStatus.WAITLISTED))
    assert moved.member_id == people[2].id
    assert db.scalar(sa.select(OutboxMessage.to_address)) == "rosa@example.org"
