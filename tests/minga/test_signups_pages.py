"""A member signs up from their phone, sees their place or waitlist number, and cancels; the office
signs people up, cancels and lets a housemate work in a place. Everyone logs in through the real
form and reads the pages as they are."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from coop import tenancy
from coop.tenancy import Role, Scope
from members import services as member_services
from members.models import MemberStatus
from minga.models import SessionTask, SignUp, SignUpStatus, WorkSession
from minga.permissions import COMMISSION_SCOPE
from tests.conftest import field_error, flashes, once, once_key_of, text_of

#: sessions a week or more ahead of the real clock, which the pages read
NEXT_WEEK = dt.date.today() + dt.timedelta(days=8)


@pytest.fixture
def quebrada(minga_coop, make_commission):
    return make_commission(minga_coop)


@pytest.fixture
def member_user(db, minga_coop, make_member, make_user):
    """A user linked to an active member of the co-op."""
    def factory(name: str, **fields):
        user = make_user(f"{name.lower()}@example.org", coop=minga_coop, roles=["member"], name=name)
        person = make_member(minga_coop, given_names=name, family_names="Quishpe", **fields)
        db.rollback()
        db.merge(person).user_id = user.id
        db.commit()
        return user, person
    return factory


def base(coop) -> str:
    return f"/c/{coop.slug}/minga"


def sign_up_from_list(client, coop, session_id):
    page = client.get(base(coop) + "/")
    key = once_key_of(page)
    return client.post(f"{base(coop)}/sessions/{session_id}/sign-up", data={"once_key": key},
                       follow_redirects=True), key


def test_a_member_signs_up_in_two_taps_and_sees_their_place(client, db, minga_coop, quebrada, make_session,
                                                             member_user, login):
    work_session = make_session(quebrada, day=NEXT_WEEK, capacity=3, place="Entrada de la quebrada")
    user, _person = member_user("Ana")
    login(client, user)
    page = client.get(base(minga_coop) + "/")
    text = text_of(page)
    assert "Minga de la quebrada" in text and "Recuperación de la quebrada" in text
    assert "3 cupos libres" in text and "Entrada de la quebrada" in text and "07:00–13:00" in text
    assert "Anotarme" in text
    shown, _key = sign_up_from_list(client, minga_coop, work_session.id)
    assert flashes(shown) == ["Su inscripción en Minga de la quebrada quedó confirmada. ¡Le esperamos!"]
    assert "Tiene un cupo." in text_of(shown)
    assert "2 cupos libres" in text_of(client.get(base(minga_coop) + "/"))
    mine = text_of(client.get(base(minga_coop) + "/me"))
    assert "Minga de la quebrada" in mine and "Tiene un cupo." in mine


def test_a_full_session_puts_the_member_on_the_waitlist_with_their_number_and_they_cancel(
        client, db, minga_coop, quebrada, make_session, member_user, login, app):
    work_session = make_session(quebrada, day=NEXT_WEEK, capacity=1)
    first_user, first = member_user("Bruno")
    user, person = member_user("Carmen")
    login(client, first_user)
    sign_up_from_list(client, minga_coop, work_session.id)
    client.post("/logout")
    login(client, user)
    text = text_of(client.get(base(minga_coop) + "/"))
    assert "Completa" in text and "Anotarme en la lista de espera" in text
    shown, _key = sign_up_from_list(client, minga_coop, work_session.id)
    assert any("está en la lista de espera, puesto 1" in message for message in flashes(shown))
    assert "Usted está en la lista de espera, con el número 1." in text_of(shown)
    assert "Lista de espera: 1 persona" in text_of(client.get(base(minga_coop) + "/"))
    cancelled = client.post(f"{base(minga_coop)}/sessions/{work_session.id}/cancel", follow_redirects=True)
    assert flashes(cancelled) == ["Su inscripción en Minga de la quebrada quedó cancelada."]
    assert "Anotarme en la lista de espera" in text_of(cancelled)
    db.rollback()
    assert db.scalar(sa.select(SignUp.status).where(SignUp.member_id == person.id)) == SignUpStatus.CANCELLED


def test_a_double_tap_makes_one_sign_up(client, db, minga_coop, quebrada, make_session, member_user, login):
    work_session = make_session(quebrada, day=NEXT_WEEK)
    user, person = member_user("Diego")
    login(client, user)
    _shown, key = sign_up_from_list(client, minga_coop, work_session.id)
    again = client.post(f"{base(minga_coop)}/sessions/{work_session.id}/sign-up", data={"once_key": key},
                        follow_redirects=True)
    assert flashes(again) == ["Este formulario ya se envió y se aplicó; no se aplicó por segunda vez."]
    other_key = client.post(f"{base(minga_coop)}/sessions/{work_session.id}/sign-up", data=once(),
                            follow_redirects=True)
    assert flashes(other_key) == ["Usted ya tiene un cupo en esta jornada."]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 1
    assert db.get(WorkSession, work_session.id).confirmed_count == 1


def test_a_user_without_a_member_record_reads_the_sessions_without_buttons(client, minga_coop, quebrada,
                                                                            make_session, make_user, login):
    make_session(quebrada, day=NEXT_WEEK)
    login(client, make_user("tesorera@example.org", coop=minga_coop, roles=["treasurer"]))
    text = text_of(client.get(base(minga_coop) + "/"))
    assert "Minga de la quebrada" in text and "Anotarme" not in text
    assert "Su cuenta no está vinculada a una persona socia" in text


def test_the_session_page_shows_its_tasks_and_a_member_chooses_one(client, db, minga_coop, quebrada, make_session,
                                                                    member_user, login):
    work_session = make_session(quebrada, day=NEXT_WEEK, description="Traer guantes.")
    db.rollback()
    db.add(SessionTask(coop_id=minga_coop.id, session_id=work_session.id, name="Cargar piedra", people_needed=4))
    db.commit()
    task_id = db.scalar(sa.select(SessionTask.id))
    user, person = member_user("Elena")
    login(client, user)
    page = client.get(f"{base(minga_coop)}/sessions/{work_session.id}")
    assert "Cargar piedra" in text_of(page) and "Traer guantes." in text_of(page)
    shown = client.post(f"{base(minga_coop)}/sessions/{work_session.id}/sign-up",
                        data={"once_key": once_key_of(page), "task": str(task_id)}, follow_redirects=True)
    assert "Tarea: Cargar piedra" in text_of(shown)


def test_a_draft_session_is_not_shown_to_members(client, minga_coop, quebrada, make_session, member_user, login):
    from minga.models import SessionStatus
    draft = make_session(quebrada, day=NEXT_WEEK, status=SessionStatus.DRAFT)
    user, _person = member_user("Fabián")
    login(client, user)
    assert client.get(f"{base(minga_coop)}/sessions/{draft.id}").status_code == 404
    assert "Minga de la quebrada" not in text_of(client.get(base(minga_coop) + "/"))


# --- at the office --------------------------------------------------------------------------------

@pytest.fixture
def coordinator(db, minga_coop, make_user):
    def factory(commission, email="coordinadora@example.org"):
        user = make_user(email, coop=minga_coop, roles=["member"])
        db.rollback()
        tenancy.grant_role(db, None, db.merge(minga_coop), db.merge(user), Role.COORDINATOR,
                           Scope(COMMISSION_SCOPE, commission.id))
        db.commit()
        return user
    return factory


def test_the_commissions_coordinator_signs_a_member_up_at_the_office(client, db, minga_coop, quebrada,
                                                                     make_session, make_member, coordinator, login):
    work_session = make_session(quebrada, day=NEXT_WEEK, capacity=1)
    rosa = make_member(minga_coop, given_names="Rosa", family_names="Chicaiza")
    login(client, coordinator(quebrada))
    assert "Inscripciones en la oficina" in text_of(client.get(f"{base(minga_coop)}/sessions/{work_session.id}"))
    office = f"{base(minga_coop)}/manage/sessions/{work_session.id}/sign-ups/new"
    found = client.get(office, query_string={"find": "chicaiza"})
    assert f"N.º {rosa.number} · Rosa Chicaiza" in text_of(found)
    chosen = client.get(office, query_string={"member": rosa.number})
    shown = client.post(office, data={"once_key": once_key_of(chosen), "member": str(rosa.number)},
                        follow_redirects=True)
    assert flashes(shown) == ["Rosa Chicaiza tiene un cupo en Minga de la quebrada."]
    assert "Rosa Chicaiza" in text_of(shown)
    db.rollback()
    place = db.scalar(sa.select(SignUp))
    assert place.is_by_office and place.status == SignUpStatus.CONFIRMED


def test_a_coordinator_of_another_commission_is_refused(client, minga_coop, quebrada, make_commission,
                                                        make_session, coordinator, login):
    work_session = make_session(quebrada, day=NEXT_WEEK)
    parque = make_commission(minga_coop, name="Parque")
    login(client, coordinator(parque))
    office = f"{base(minga_coop)}/manage/sessions/{work_session.id}/sign-ups/new"
    assert client.get(office).status_code == 403
    assert client.post(office, data={"member": "1", **once()}).status_code == 403


def test_an_unknown_member_number_is_shown_beside_the_field(client, minga_coop, quebrada, make_session,
                                                            coordinator, login):
    work_session = make_session(quebrada, day=NEXT_WEEK)
    login(client, coordinator(quebrada))
    office = f"{base(minga_coop)}/manage/sessions/{work_session.id}/sign-ups/new"
    page = client.post(office, data={"member": "9999", **once()})
    assert page.status_code == 200 and "Ninguna persona socia tiene el número 9999." in text_of(page)


def test_the_office_cancels_a_place_and_the_first_waiting_moves_up(client, db, app, minga_coop, quebrada,
                                                                    make_session, make_member, coordinator, login):
    work_session = make_session(quebrada, day=NEXT_WEEK, capacity=1)
    ana = make_member(minga_coop, given_names="Ana", family_names="Toapanta")
    luis = make_member(minga_coop, given_names="Luis", family_names="Guamán", email="luis@example.org")
    login(client, coordinator(quebrada))
    office = f"{base(minga_coop)}/manage/sessions/{work_session.id}/sign-ups/new"
    for person in (ana, luis):
        client.post(office, data={"member": str(person.number), **once()}, follow_redirects=True)
    db.rollback()
    first = db.scalar(sa.select(SignUp).where(SignUp.member_id == ana.id))
    shown = client.post(f"{base(minga_coop)}/manage/sessions/{work_session.id}/sign-ups/cancel",
                        data={"sign_up_id": str(first.id)}, follow_redirects=True)
    assert flashes(shown)[0] == "La inscripción de Ana Toapanta quedó cancelada."
    assert "Luis Guamán" in flashes(shown)[1]
    db.rollback()
    assert db.scalar(sa.select(SignUp.status).where(SignUp.member_id == luis.id)) == SignUpStatus.CONFIRMED


def test_the_office_chooses_a_housemate_to_work_in_the_place_from_the_household(
        client, db, minga_coop, quebrada, make_session, make_member, coordinator, login):
    db.rollback()
    home = member_services.create_household(db, None, db.merge(minga_coop), name="Familia Quishpe")
    db.commit()
    work_session = make_session(quebrada, day=NEXT_WEEK)
    mother = make_member(minga_coop, given_names="Luz", family_names="Quishpe", household=home)
    son = make_member(minga_coop, given_names="Pablo", family_names="Quishpe", household=home)
    make_member(minga_coop, given_names="Rosa", family_names="Quishpe", household=home,
                status=MemberStatus.SUSPENDED)
    stranger = make_member(minga_coop, given_names="Marco", family_names="Pilco")
    login(client, coordinator(quebrada))
    base_url = f"{base(minga_coop)}/manage/sessions/{work_session.id}/sign-ups"
    client.post(base_url + "/new", data={"member": str(mother.number), **once()})
    client.post(base_url + "/new", data={"member": str(stranger.number), **once()})
    db.rollback()
    place_id = db.scalar(sa.select(SignUp.id).where(SignUp.member_id == mother.id))

    html = client.get(base_url + "/new").get_data(as_text=True)
    row = html[html.index(f'id="sign-up-{place_id}"'):]
    row = row[:row.index("</tr>")]
    # Pablo is offered; Rosa, suspended, is not
    assert re.findall(r'type="radio" name="member"[^>]*value="(\d+)"', row) == [str(son.number)]
    assert "Pablo Quishpe" in row and 'inputmode="numeric"' not in row  # chosen, not typed
    assert "Nadie más del hogar puede trabajar en su lugar." in text_of(client.get(base_url + "/new"))  # Marco's row

    chose_nobody = client.post(base_url + "/substitute", data={"sign_up_id": str(place_id)})
    assert field_error(chose_nobody, f"stand-in-{place_id}") == "Elija quién trabaja en su lugar."
    refused = client.post(base_url + "/substitute", data={"sign_up_id": str(place_id),
                                                         "member": str(stranger.number)})
    assert field_error(refused, f"stand-in-{place_id}") == \
        "Solo otra persona del hogar de Luz Quishpe puede trabajar en su lugar."
    db.rollback()
    assert db.get(SignUp, place_id).member_id == mother.id
    shown = client.post(base_url + "/substitute", data={"sign_up_id": str(place_id), "member": str(son.number)},
                        follow_redirects=True)
    assert flashes(shown) == ["Pablo Quishpe trabaja en este cupo en su lugar."]
    db.rollback()
    assert db.get(SignUp, place_id).member_id == son.id


def test_the_coming_sessions_page_sends_as_many_queries_for_thirty_sessions_as_for_two(
        client, db, minga_coop, quebrada, make_commission, make_session, member_user, make_member, login,
        count_queries):
    parque = make_commission(minga_coop, name="Parque")
    user, person = member_user("Gloria")
    others = [make_member(minga_coop, given_names=f"Persona {n}") for n in range(3)]
    login(client, user)

    def add_sessions(count: int, offset: int) -> None:
        from minga import signups
        for n in range(count):
            work_session = make_session(quebrada if n % 2 else parque, capacity=1,
                                        day=NEXT_WEEK + dt.timedelta(days=offset + n))
            db.rollback()
            coop, work_session = db.merge(minga_coop), db.merge(work_session)
            for member in [*others, person][: n % 5]:
                signups.sign_up(db, None, coop, work_session, db.merge(member), by_office=True)
            db.commit()

    def queries() -> int:
        with count_queries() as counted:
            page = client.get(base(minga_coop) + "/")
        assert page.status_code == 200
        return counted.count

    add_sessions(2, 0)
    few = queries()
    add_sessions(28, 2)
    many = queries()
    assert many == few, (few, many)
    assert many <= 12


def test_a_crafted_task_in_the_sign_up_form_signs_up_without_a_task(client, db, minga_coop, quebrada, make_session,
                                                                     member_user, login):
    work_session = make_session(quebrada, day=NEXT_WEEK)
    user, _member = member_user("Ana")
    login(client, user)
    response = client.post(f"{base(minga_coop)}/sessions/{work_session.id}/sign-up", data={"task": "²", **once()})
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(sa.select(SignUp.status).where(SignUp.session_id == work_session.id)) == SignUpStatus.CONFIRMED
    assert db.scalar(sa.select(SignUp.task_id).where(SignUp.session_id == work_session.id)) is None
