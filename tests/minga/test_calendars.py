"""Minga in members' calendars: Ana subscribes to her private link from her phone and sees the
sessions she signed up for; the quebrada's coordinator publishes the commission's programme.
Calendar programs fetch the feeds without logging in; a replaced or foreign link answers 404."""
from __future__ import annotations

import datetime as dt
import re

import icalendar
import sqlalchemy as sa

from coop import tenancy
from coop.tenancy import Role, Scope
from members.models import Member
from minga import calendars
from minga.models import CalendarToken, SessionStatus, SessionTask, SignUp, SignUpStatus
from minga.permissions import COMMISSION_SCOPE
from minga.views.calendars import commission_feed_url

TODAY = dt.date.today()  # the feeds read the real clock: sessions are placed around today


def sign_up(db, work_session, member, status=SignUpStatus.CONFIRMED):
    db.rollback()
    arrival = db.scalar(sa.select(sa.func.count()).select_from(SignUp).where(SignUp.session_id == work_session.id)) + 1
    db.add(SignUp(coop_id=work_session.coop_id, session_id=work_session.id, member_id=member.id, status=status,
                  arrival=arrival))
    db.commit()


def events_of(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    feed = icalendar.Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in feed.walk("VEVENT")}


def link_on(page) -> str:
    return re.search(r'id="calendar-link"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_anas_feed_holds_her_confirmed_and_waitlisted_sessions_and_marks_cancelled_ones(
        client, db, minga_coop, make_commission, make_session, make_member):
    quebrada = make_commission(minga_coop)
    ana = make_member(minga_coop, given_names="Ana", family_names="Toapanta")
    rosa = make_member(minga_coop, given_names="Rosa", family_names="Pilataxi")
    saturday = make_session(quebrada, day=TODAY + dt.timedelta(days=6), title="Minga de la quebrada",
                            place="Entrada de la quebrada", description="Traer guantes")
    db.rollback()
    db.add(SessionTask(coop_id=minga_coop.id, session_id=saturday.id, name="Cargar piedra", people_needed=6))
    db.commit()
    full = make_session(quebrada, day=TODAY + dt.timedelta(days=13), title="Limpieza del cauce")
    called_off = make_session(quebrada, day=TODAY + dt.timedelta(days=20), title="Siembra de árboles",
                              status=SessionStatus.CANCELLED, cancel_reason="Lluvias fuertes")
    last_month = make_session(quebrada, day=TODAY - dt.timedelta(days=30), title="Minga pasada",
                              status=SessionStatus.DONE)
    long_ago = make_session(quebrada, day=TODAY - dt.timedelta(days=90), title="Minga antigua",
                            status=SessionStatus.DONE)
    rosas_only = make_session(quebrada, day=TODAY + dt.timedelta(days=6), title="Solo Rosa", start=dt.time(14),
                              end=dt.time(17))
    left = make_session(quebrada, day=TODAY + dt.timedelta(days=27), title="Ya no voy")
    for work_session in (saturday, called_off, last_month, long_ago):
        sign_up(db, work_session, ana)
    sign_up(db, full, rosa)
    sign_up(db, full, ana, SignUpStatus.WAITLISTED)
    sign_up(db, rosas_only, rosa)
    sign_up(db, left, ana, SignUpStatus.CANCELLED)
    db.rollback()
    token = calendars.renew_member_link(db, minga_coop, db.get(Member, ana.id)).token
    db.commit()

    response = client.get(f"/c/{minga_coop.slug}/minga/feeds/{token}.ics")  # no log-in: a calendar program

    events = events_of(response)
    uid = lambda work_session: f"minga-{work_session.id}@{minga_coop.slug}.ayllu"  # noqa: E731
    assert set(events) == {uid(saturday), uid(full), uid(called_off), uid(last_month)}
    event = events[uid(saturday)]
    assert str(event["STATUS"]) == "CONFIRMED" and str(event["SUMMARY"]) == "Minga de la quebrada"
    assert event.decoded("DTSTART") == saturday.starts_dt.replace(tzinfo=dt.UTC)
    assert event.decoded("DTEND") == saturday.ends_dt.replace(tzinfo=dt.UTC)
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert str(event["LOCATION"]) == "Entrada de la quebrada"
    description = str(event["DESCRIPTION"])
    assert "Recuperación de la quebrada" in description and "Cargar piedra" in description
    assert "Traer guantes" in description
    assert str(events[uid(full)]["STATUS"]) == "TENTATIVE"
    assert str(events[uid(called_off)]["STATUS"]) == "CANCELLED"
    assert "Lluvias fuertes" in str(events[uid(called_off)]["DESCRIPTION"])
    body = response.get_data(as_text=True)
    assert "Pilataxi" not in body and "Rosa" not in body and "Toapanta" not in body  # no one's name
    assert "private" in response.headers["Cache-Control"]


def test_a_new_link_replaces_the_old_one_which_then_answers_not_found(client, db, minga_coop, make_member,
                                                                      make_user, login):
    user = make_user("ana@example.org", coop=minga_coop, roles=[Role.MEMBER], locale="en")
    ana = make_member(minga_coop, given_names="Ana")
    db.rollback()
    db.get(Member, ana.id).user_id = user.id
    db.commit()
    login(client, user)
    page = client.get(f"/c/{minga_coop.slug}/minga/calendar")
    assert page.status_code == 200 and "You have no calendar link yet." in page.get_data(as_text=True)

    first = link_on(client.post(f"/c/{minga_coop.slug}/minga/calendar", follow_redirects=True))
    assert first.endswith(".ics") and client.get(path_of(first)).status_code == 200
    second = link_on(client.post(f"/c/{minga_coop.slug}/minga/calendar", follow_redirects=True))

    assert second != first
    assert client.get(path_of(first)).status_code == 404
    assert client.get(path_of(second)).status_code == 200
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CalendarToken)) == 1


def test_a_link_of_another_coop_and_a_made_up_one_answer_not_found(client, db, minga_coop, make_coop, make_member):
    other = make_coop("vecina")
    ana = make_member(minga_coop, given_names="Ana")
    db.rollback()
    token = calendars.renew_member_link(db, minga_coop, db.get(Member, ana.id)).token
    db.commit()

    assert client.get(f"/c/{minga_coop.slug}/minga/feeds/{token}.ics").status_code == 200
    assert client.get(f"/c/{other.slug}/minga/feeds/{token}.ics").status_code == 404
    assert client.get(f"/c/{minga_coop.slug}/minga/feeds/commission/{token}.ics").status_code == 404
    assert client.get(f"/c/{minga_coop.slug}/minga/feeds/{'x' * 43}.ics").status_code == 404


def test_a_member_whose_account_is_not_linked_is_told_so(client, minga_coop, make_user, login):
    login(client, make_user("nadie@example.org", coop=minga_coop, roles=[Role.MEMBER], locale="en"))
    page = client.get(f"/c/{minga_coop.slug}/minga/calendar")
    assert page.status_code == 200 and "not linked to a member" in page.get_data(as_text=True)
    assert client.post(f"/c/{minga_coop.slug}/minga/calendar").status_code == 200


def test_the_coordinator_publishes_the_commissions_programme_without_names(
        app, client, db, minga_coop, make_commission, make_session, make_member, make_user, login):
    quebrada = make_commission(minga_coop)
    school = make_commission(minga_coop, name="Mantenimiento de la escuela")
    open_one = make_session(quebrada, day=TODAY + dt.timedelta(days=6), title="Abierta")
    closed = make_session(quebrada, day=TODAY + dt.timedelta(days=2), title="Cerrada", status=SessionStatus.CLOSED)
    done = make_session(quebrada, day=TODAY - dt.timedelta(days=5), title="Hecha", status=SessionStatus.DONE)
    draft = make_session(quebrada, day=TODAY + dt.timedelta(days=30), title="Borrador", status=SessionStatus.DRAFT)
    cancelled = make_session(quebrada, day=TODAY + dt.timedelta(days=9), title="Suspendida",
                             status=SessionStatus.CANCELLED)
    schools = make_session(school, day=TODAY + dt.timedelta(days=6), title="Pintar aulas")
    sign_up(db, open_one, make_member(minga_coop, given_names="Rosa", family_names="Pilataxi"))
    coordinator = make_user("segundo@example.org", coop=minga_coop, roles=[Role.MEMBER], locale="en")
    db.rollback()
    tenancy.grant_role(db, None, db.merge(minga_coop), db.merge(coordinator), Role.COORDINATOR,
                       Scope(COMMISSION_SCOPE, quebrada.id))
    db.commit()
    login(client, coordinator)
    base = f"/c/{minga_coop.slug}/minga/manage/commissions"
    assert "no calendar link yet" in client.get(f"{base}/{quebrada.id}/calendar").get_data(as_text=True)
    assert client.post(f"{base}/{school.id}/calendar").status_code == 403  # not her commission

    link = link_on(client.post(f"{base}/{quebrada.id}/calendar", follow_redirects=True))
    client.post("/logout")

    events = events_of(client.get(path_of(link)))
    titles = {str(event["SUMMARY"]): str(event["STATUS"]) for event in events.values()}
    assert titles == {"Abierta": "CONFIRMED", "Cerrada": "CONFIRMED", "Hecha": "CONFIRMED",
                      "Cancelada: Suspendida": "CANCELLED"}  # in the co-op's language
    assert draft.id and schools.id and done.id and closed.id and cancelled.id
    assert "Pilataxi" not in client.get(path_of(link)).get_data(as_text=True)
    with app.test_request_context():  # as the commission's page asks for it
        db.rollback()
        assert commission_feed_url(db, minga_coop, db.merge(quebrada)) == link
        assert commission_feed_url(db, minga_coop, db.merge(school)) is None
