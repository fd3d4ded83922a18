"""The secretary's notice page on a phone: what issuing does (who is called, who gets it by mail,
how many days ahead), issuing it once, the late override beside its fields; the roll page with
its search, filter and counts; the notice, roll and sign-in sheet printed in the background.
A member reads the notice of a convened meeting but neither the roll nor a draft's notice."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import tasks
from coop.officers import Officer
from meetings import offices
from meetings.models import Meeting, MeetingStatus, PositionBody, Proxy, RollEntry
from tests.conftest import field_error, flashes, once_key_of, text_of
from tests.ledger.print_helpers import print_document
from tests.meetings.convene_factories import add_items, mails
from tests.meetings.test_convene_notice import LATE_DAY
from tests.minga.attendance_factories import pdf_text


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The pages read the clock: 1 March 2027, twelve days before the assembly."""
    from tests.meetings.conftest import NOW
    monkeypatch.setattr("meetings.views.notice.utcnow", lambda: NOW)


@pytest.fixture
def office(db, assembly_coop, make_user, make_member):
    secretary = make_user("maria@example.org", coop=assembly_coop, roles=["secretary"], name="María Guamán")
    member = make_user("rosa@example.org", coop=assembly_coop, roles=["member"], name="Rosa Quishpe")
    people = [make_member(assembly_coop, given_names="Rosa", family_names="Quishpe", email="rosa@example.org"),
              make_member(assembly_coop, given_names="Luis", family_names="Guamán")]
    return {"secretary": secretary, "member": member, "people": people, "slug": assembly_coop.slug}


def url(office, meeting, tail="") -> str:
    return f"/c/{office['slug']}/meetings/{meeting.id}{tail}"


def test_the_secretary_sees_what_issuing_does_and_issues_the_notice_once(db, client, login, office, assembly_coop,
                                                                         make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe del consejo")
    login(client, office["secretary"])

    page = client.get(url(office, meeting, "/notice"))
    text = text_of(page)
    assert "2 personas serían convocadas; 2 pueden votar." in text
    assert "1 recibe la convocatoria por correo electrónico; 1 no tiene correo y la lee en la cartelera." in text
    assert "Faltan 12 días para la primera convocatoria; el estatuto pide 8." in text
    assert "override" not in page.get_data(as_text=True)  # in time: no override to tick

    key = once_key_of(page)
    done = client.post(url(office, meeting, "/notice"), data={"once_key": key})
    assert done.status_code == 302
    assert flashes(client.get(done.headers["Location"])) == [
        "La convocatoria está emitida y el padrón congelado. Sale 1 convocatoria por correo."]
    again = client.post(url(office, meeting, "/notice"), data={"once_key": key})
    assert again.status_code == 302 and len(mails(db)) == 1
    db.rollback()
    assert db.get(Meeting, meeting.id).status == MeetingStatus.CONVENED


def test_a_late_notice_asks_for_the_override_and_its_reason_beside_the_fields(db, client, login, office,
                                                                             assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, day=LATE_DAY, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    login(client, office["secretary"])
    page = client.get(url(office, meeting, "/notice"))
    assert "Esta convocatoria saldría fuera de plazo." in text_of(page)

    refused = client.post(url(office, meeting, "/notice"), data={"once_key": once_key_of(page)})
    assert refused.status_code == 422
    assert field_error(refused, "override").startswith("El estatuto pide 8 días de anticipación")
    refused = client.post(url(office, meeting, "/notice"), data={"once_key": once_key_of(refused), "override": "y"})
    assert field_error(refused, "late_reason").startswith("Escriba por qué")
    done = client.post(url(office, meeting, "/notice"), data={"once_key": once_key_of(refused), "override": "y",
                                                               "late_reason": "Pedido urgente de la Superintendencia"})
    assert done.status_code == 302
    page = text_of(client.get(url(office, meeting, "/notice")))
    assert "Emitida con retraso, por este motivo: Pedido urgente de la Superintendencia" in page


def test_a_member_cannot_issue_a_notice_or_read_the_roll(client, login, office, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    login(client, office["member"])
    assert client.get(url(office, meeting, "/notice")).status_code == 403
    assert client.get(url(office, meeting, "/roll")).status_code == 403
    assert client.post(url(office, meeting, "/roll.pdf")).status_code == 403
    assert client.post(url(office, meeting, "/notice.pdf")).status_code == 404  # a draft is not announced yet


def test_a_member_prints_the_notice_of_a_convened_assembly_for_the_notice_board(app, db, client, login, office,
                                                                             assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT, attendance_note="Socios activos.")
    add_items(db, meeting, "Informe del consejo", "Presupuesto 2027")
    db.rollback()
    secretaria = offices.add_position(db, None, db.merge(assembly_coop), offices.PositionData(
        name="Secretaría", body=PositionBody.OTHER, signs_as=Officer.SECRETARY))
    offices.record_term(db, None, db.merge(assembly_coop), position=secretaria, member=db.merge(office["people"][1]),
                        starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2028, 5, 31))
    db.commit()
    login(client, office["secretary"])
    client.post(url(office, meeting, "/notice"), data={"once_key": once_key_of(client.get(url(office, meeting, "/notice")))})
    client.post("/logout")
    login(client, office["member"])

    text = pdf_text(print_document(app, client, url(office, meeting, "/notice.pdf")))

    for expected in ("Convocatoria", "Asamblea general ordinaria", "Cooperativa Asamblea", "Socios activos.",
                     "Primera convocatoria", "sábado, 13 de marzo de 2027, 09:00", "Segunda convocatoria",
                     "sábado, 13 de marzo de 2027, 10:00", "Casa comunal", "Informe del consejo", "Presupuesto 2027",
                     "más del 50 % de los votantes (2 de 2)", "Emitida el 1 de marzo de 2027",
                     "Luis Guamán Secretario/a"):  # the secretary in office signs
        assert expected in text, expected


@pytest.fixture
def convened(db, assembly_coop, make_meeting, make_members, make_roll):
    """A convened assembly whose roll holds 60 people, 5 barred for arrears; one proxy given."""
    meeting = make_meeting(assembly_coop)
    people = make_members(assembly_coop, 60)
    entries = make_roll(meeting, people[:55])
    make_roll(meeting, people[55:], may_vote=False, ineligible_reason="Aportes en mora por más de 3 meses")
    db.rollback()
    db.add(Proxy(coop_id=assembly_coop.id, meeting_id=meeting.id, grantor_id=entries[1].id, holder_id=entries[0].id,
                 authorisation="Carta firmada"))
    db.execute(sa.update(RollEntry).where(RollEntry.id == entries[0].id).values(proxies_held=1))
    db.commit()
    return {"meeting": meeting, "people": people, "entries": entries}


def test_the_roll_page_counts_searches_and_filters(client, login, office, convened):
    login(client, office["secretary"])
    meeting, people = convened["meeting"], convened["people"]
    text = text_of(client.get(url(office, meeting, "/roll")))
    assert "60 personas en el padrón: 55 pueden votar, 5 no pueden." in text
    assert "Página 1 de 2" in text
    found = text_of(client.get(url(office, meeting, f"/roll?q={people[58].number}")))
    assert "1 línea encontrada" in found and "Aportes en mora por más de 3 meses" in found
    assert "5 líneas encontradas" in text_of(client.get(url(office, meeting, "/roll?voters=non_voters")))
    assert "60 líneas encontradas" in text_of(client.get(url(office, meeting, "/roll?voters=nadie&q=toapanta")))


def test_the_roll_and_the_sign_in_sheet_print_every_line(app, db, client, login, office, convened):
    login(client, office["secretary"])
    meeting, entries = convened["meeting"], convened["entries"]
    roll_text = pdf_text(print_document(app, client, url(office, meeting, "/roll.pdf")))
    for expected in ("Padrón: Asamblea general ordinaria", "60 personas en el padrón; 55 pueden votar.",
                     "Página 1 de 3", "Página 3 de 3", "Puede votar", "No vota: Aportes en mora por más de 3 meses"):
        assert expected in roll_text, expected
    sheet_text = pdf_text(print_document(app, client, url(office, meeting, "/sign-in.pdf")))
    packed = sheet_text.replace(" ", "")  # narrow headings wrap, and pypdf splits some words
    for expected in ("Hoja de asistencia: Asamblea general ordinaria", "Firma", "Poderes que tiene (n.º)", "Página 4 de 4"):
        assert expected.replace(" ", "") in packed, expected
    assert f"{entries[0].name}{entries[1].number}".replace(" ", "") in packed  # the holder's line names the proxy held
    text = text_of(client.get(url(office, meeting, "/roll")))
    assert "padron-" in text and "hoja-de-firmas-" in text
    tasks.run_waiting(app)


def test_a_drafts_roll_page_says_the_roll_comes_with_the_notice(client, login, office, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    login(client, office["secretary"])
    text = text_of(client.get(url(office, meeting, "/roll")))
    assert "El padrón se congela al emitir la convocatoria; hasta entonces está vacío." in text
    assert "Imprimir el padrón" not in text and "El padrón está vacío." in text
