"""A coordinator's pages through the real log-in: planning a session and a recurring series for
their commission, reading who signed up and who waits, moving the session along and calling it
off; the pages of another commission refuse them."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import calendar, tenancy
from coop.outbox import OutboxMessage
from coop.tenancy import Role, Scope
from minga.models import SessionStatus, SignUp, SignUpStatus, WorkSession
from minga.permissions import COMMISSION_SCOPE
from tests.conftest import field_error, flashes, once, text_of


def url(coop, path: str) -> str:
    return f"/c/{coop.slug}/minga{path}"


@pytest.fixture
def quebrada(minga_coop, make_commission):
    return make_commission(minga_coop)


@pytest.fixture
def coordinator(db, minga_coop, quebrada, make_user):
    """Rosa coordinates the quebrada's commission (and only it)."""
    rosa = make_user("rosa@example.org", coop=minga_coop, roles=["member"], name="Rosa Quishpe")
    db.rollback()
    tenancy.grant_role(db, None, db.merge(minga_coop), db.merge(rosa), Role.COORDINATOR,
                       Scope(COMMISSION_SCOPE, quebrada.id))
    db.commit()
    return rosa


def next_saturday(coop) -> dt.date:
    today = calendar.today_in(coop)
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 + 7)


def session_form(day: dt.date, **fields) -> dict:
    return {"title": "Minga de la quebrada", "day": day.isoformat(), "start": "07:00", "end": "13:00",
            "capacity": "2", "place": "Calle Los Andes", "tasks": "Cargar piedra: 2\nSembrar: 1",
            "is_open": "y", **fields, **once()}


def test_the_coordinator_plans_a_session_and_a_series(client, db, minga_coop, quebrada, coordinator, login):
    login(client, coordinator)
    day = next_saturday(minga_coop)
    assert client.get(url(minga_coop, f"/manage/commissions/{quebrada.id}/sessions/new")).status_code == 200
    response = client.post(url(minga_coop, f"/manage/commissions/{quebrada.id}/sessions/new"), data=session_form(day))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "La jornada Minga de la quebrada queda registrada." in flashes(page)
    assert "Cargar piedra: 2 personas" in text_of(page) and "Sembrar: 1 persona" in text_of(page)
    db.rollback()
    single = db.scalar(sa.select(WorkSession))
    assert single.starts_dt == dt.datetime.combine(day, dt.time(12)) and single.status is SessionStatus.OPEN
    response = client.post(url(minga_coop, f"/manage/commissions/{quebrada.id}/series/new"),
                           data=session_form(day + dt.timedelta(days=7), every_days="7", count="4"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Quedan registradas 4 jornadas: cada 7 días desde el" in " ".join(flashes(page))
    db.rollback()
    starts = db.scalars(sa.select(WorkSession.starts_dt).order_by(WorkSession.starts_dt)).all()
    assert starts == [dt.datetime.combine(day + dt.timedelta(weeks=k), dt.time(12)) for k in range(5)]
    assert text_of(page).count("Minga de la quebrada") >= 5


def test_a_session_written_wrong_is_shown_again_with_each_mistake(client, db, minga_coop, quebrada, coordinator,
                                                                  login):
    login(client, coordinator)
    response = client.post(url(minga_coop, f"/manage/commissions/{quebrada.id}/sessions/new"),
                           data=session_form(next_saturday(minga_coop), end="06:00", tasks="Cargar piedra"))
    assert response.status_code == 200
    assert field_error(response, "tasks").startswith("Línea 1:")
    response = client.post(url(minga_coop, f"/manage/commissions/{quebrada.id}/sessions/new"),
                           data=session_form(next_saturday(minga_coop), end="06:00"))
    assert field_error(response, "end") == "El fin va después del inicio."
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkSession)) == 0


def test_a_coordinator_of_another_commission_is_refused(client, db, minga_coop, quebrada, coordinator,
                                                        make_commission, make_session, login):
    parque = make_commission(minga_coop, "Parque")
    theirs = make_session(parque, title="Minga del parque")
    ours = make_session(quebrada)
    login(client, coordinator)
    assert client.get(url(minga_coop, f"/manage/commissions/{parque.id}/sessions/new")).status_code == 403
    assert client.get(url(minga_coop, f"/manage/commissions/{parque.id}/series/new")).status_code == 403
    assert client.get(url(minga_coop, f"/manage/sessions/{theirs.id}")).status_code == 403
    assert client.post(url(minga_coop, f"/manage/sessions/{theirs.id}/cancel"),
                       data={"reason": "No"}).status_code == 403
    page = client.get(url(minga_coop, "/manage/"))
    assert "Minga de la quebrada" in text_of(page) and "Minga del parque" not in text_of(page)
    assert client.get(url(minga_coop, f"/manage/sessions/{ours.id}")).status_code == 200


def test_the_session_page_lists_sign_ups_and_the_waitlist_in_arrival_order(client, db, minga_coop, quebrada,
                                                                          coordinator, make_session, make_member,
                                                                          login):
    work_session = make_session(quebrada, capacity=1)
    people = [make_member(minga_coop, given_names=name, family_names="Caiza", email=f"{name.lower()}@example.org")
              for name in ("Ana", "Luis", "Rosa")]
    db.rollback()
    for arrival, (member, status) in enumerate(zip(people, (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED,
                                                            SignUpStatus.WAITLISTED)), 1):
        db.add(SignUp(coop_id=minga_coop.id, session_id=work_session.id, member_id=member.id, status=status,
                      arrival=arrival))
    db.get(WorkSession, work_session.id).confirmed_count = 1
    db.commit()
    login(client, coordinator)
    text = text_of(client.get(url(minga_coop, f"/manage/sessions/{work_session.id}")))
    assert "Cupos ocupados 1 de 1" in text
    waitlist = text.split("Lista de espera, en orden de llegada")[1]
    assert waitlist.index("Luis Caiza") < waitlist.index("Rosa Caiza") and "Ana Caiza" not in waitlist

    response = client.post(url(minga_coop, f"/manage/sessions/{work_session.id}/status"), data={"status": "closed"})
    assert response.status_code == 302
    assert "La jornada está ahora: Inscripciones cerradas." in flashes(client.get(response.headers["Location"]))
    response = client.post(url(minga_coop, f"/manage/sessions/{work_session.id}/cancel"), data={"reason": ""})
    assert response.status_code == 200 and field_error(response, "reason")
    response = client.post(url(minga_coop, f"/manage/sessions/{work_session.id}/cancel"),
                           data={"reason": "Lluvia fuerte"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "La jornada queda cancelada; se avisó el motivo a 3 personas inscritas." in flashes(page)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3
    assert db.get(WorkSession, work_session.id).status is SessionStatus.CANCELLED


def test_the_coordinators_home_shows_their_next_sessions(client, db, minga_coop, quebrada, coordinator,
                                                         make_session, make_commission, login):
    make_session(quebrada, day=next_saturday(minga_coop), capacity=8, title="Minga de la quebrada")
    make_session(make_commission(minga_coop, "Parque"), day=next_saturday(minga_coop), title="Minga del parque")
    login(client, coordinator)
    text = text_of(client.get(f"/c/{minga_coop.slug}/"))
    assert "El trabajo de sus comisiones" in text
    assert "Minga de la quebrada" in text and "0 de 8 cupos ocupados" in text
    assert "Minga del parque" not in text


def test_the_coordinator_changes_a_session_from_its_edit_page(client, db, minga_coop, quebrada, coordinator,
                                                              make_session, login):
    day = next_saturday(minga_coop)
    work_session = make_session(quebrada, day=day, capacity=4)
    login(client, coordinator)
    page = client.get(url(minga_coop, f"/manage/sessions/{work_session.id}/edit"))
    assert page.status_code == 200 and 'value="07:00"' in page.get_data(as_text=True)
    form = session_form(day, start="08:00", capacity="6", title="Minga de la quebrada (tarde)")
    form.pop("once_key")
    response = client.post(url(minga_coop, f"/manage/sessions/{work_session.id}/edit"), data=form)
    assert response.status_code == 302
    db.rollback()
    changed = db.get(WorkSession, work_session.id)
    assert (changed.title, changed.capacity) == ("Minga de la quebrada (tarde)", 6)
    assert changed.starts_dt == dt.datetime.combine(day, dt.time(13))


def test_the_managers_pages_ask_the_same_few_queries_however_many_sessions(client, db, minga_coop, quebrada,
                                                                          coordinator, make_session, make_member,
                                                                          login, count_queries):
    day = next_saturday(minga_coop)
    made = [make_session(quebrada, day=day + dt.timedelta(weeks=week), capacity=1) for week in range(12)]
    people = [make_member(minga_coop) for _ in range(4)]
    db.rollback()
    for arrival, member in enumerate(people, 1):
        db.add(SignUp(coop_id=minga_coop.id, session_id=made[0].id, member_id=member.id, arrival=arrival,
                      status=SignUpStatus.CONFIRMED if arrival == 1 else SignUpStatus.WAITLISTED))
    db.commit()
    login(client, coordinator)
    for path in ("/manage/", f"/manage/sessions/{made[0].id}"):
        with count_queries() as counted:
            assert client.get(url(minga_coop, path)).status_code == 200
        assert counted.count <= 11, (path, counted)
    with count_queries() as counted:
        assert client.get(f"/c/{minga_coop.slug}/").status_code == 200
    assert counted.count <= 11, counted  # a coordinator answers questions too: the observatory's one count
