"""The minutes' pages, read in English: the secretary writes the notes, approves the minutes, corrects
them and prints them; a member reads approved minutes only; the meeting page's record partial."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from babel.dates import format_date
from flask import render_template_string
from pypdf import PdfReader

from coop import tasks
from coop.calendar import today_in
from coop.officers import Officer
from coop.tenancy import Role
from meetings import minutes, offices
from meetings.models import PositionBody
from tests.conftest import field_error, flashes, once_key_of, text_of
from tests.ledger.print_helpers import print_document
from tests.meetings.record_factories import held_assembly, later_meeting

#: the pages approve minutes up to today: the assembly was held three months ago
ASSEMBLY_DAY = dt.date.today() - dt.timedelta(days=90)


def long_day(day: dt.date) -> str:
    return format_date(day, "long", locale="en")


@pytest.fixture
def assembly(db, assembly_coop, make_members):
    return held_assembly(db, assembly_coop, make_members(assembly_coop, 12), items=2, day=ASSEMBLY_DAY)


@pytest.fixture
def secretary(client, assembly_coop, make_user, login):
    user = make_user("secretaria@example.org", coop=assembly_coop, roles=[Role.SECRETARY], name="Nelly Simbaña")
    login(client, user)
    client.post("/language", data={"lang": "en"})
    return user


@pytest.fixture
def member(client, assembly_coop, make_user, login):
    user = make_user("socio@example.org", coop=assembly_coop, roles=[Role.MEMBER])
    login(client, user)
    client.post("/language", data={"lang": "en"})
    return user


def url(coop, meeting, tail="") -> str:
    return f"/c/{coop.slug}/meetings/{meeting.id}/minutes{tail}"


def approve_by_board(client, coop, meeting, **fields):
    form = client.get(url(coop, meeting, "/approve"))
    data = {"how": "board", "approved_on": (ASSEMBLY_DAY + dt.timedelta(days=20)).isoformat(),
            "president_name": "María Quishpe", "secretary_name": "José Tipán", "once_key": once_key_of(form)}
    return client.post(url(coop, meeting, "/approve"), data=data | fields)


def test_a_member_reads_no_draft_until_the_minutes_are_approved(client, db, assembly_coop, assembly, member):
    page = text_of(client.get(url(assembly_coop, assembly)))
    assert "The minutes of this meeting are not approved yet." in page and "Punto 1" not in page
    assert client.post(url(assembly_coop, assembly, ".pdf")).status_code == 302
    assert client.get(url(assembly_coop, assembly, "/notes")).status_code == 403
    db.rollback()
    minutes.approve_minutes(db, None, db.merge(assembly_coop), db.merge(assembly),
                            minutes.Approval("María Quishpe", "José Tipán", on=ASSEMBLY_DAY),
                            today=dt.date.today())
    db.commit()
    page = text_of(client.get(url(assembly_coop, assembly)))
    assert "Approved" in page and "Punto 1" in page and "Signed by María Quishpe (president)" in page
    assert "Resolutions adopted" in page and f"{ASSEMBLY_DAY.year}-001" in page


def test_the_secretary_writes_notes_and_sees_them_in_the_draft(client, assembly_coop, assembly, secretary):
    form = client.get(url(assembly_coop, assembly, "/notes"))
    assert "1. Punto 1" in text_of(form)
    item_field = next(name for name in ("notes_" + str(i) for i in range(1, 50))
                      if f'name="{name}"' in form.get_data(as_text=True))
    bad = client.post(url(assembly_coop, assembly, "/notes"), data={"chair_number": "1a", item_field: "x"})
    assert bad.status_code == 200 and field_error(bad, "chair_number") == "Type a member number (digits only)."
    response = client.post(url(assembly_coop, assembly, "/notes"),
                           data={"opening_notes": "Abre la sesión la presidenta María Quishpe.",
                                 item_field: "Se discute el informe económico."}, follow_redirects=True)
    assert "The notes are saved in the draft minutes." in flashes(response)
    page = text_of(response)
    assert "Draft" in page and "Abre la sesión la presidenta María Quishpe." in page
    assert "Se discute el informe económico." in page
    assert "It was issued late, because: La fecha de la asamblea" in page


def test_the_secretary_approves_by_the_board_and_the_minutes_no_longer_change(client, assembly_coop, assembly,
                                                                              secretary):
    bad = approve_by_board(client, assembly_coop, assembly, president_name="")
    assert bad.status_code == 200 and field_error(bad, "president_name")
    bad = approve_by_board(client, assembly_coop, assembly, approved_on="")
    assert field_error(bad, "approved_on") == ("Choose the meeting that approved the minutes, "
                                               "or the day the board approved them.")
    bad = approve_by_board(client, assembly_coop, assembly, approved_on=(ASSEMBLY_DAY - dt.timedelta(days=1)).isoformat())
    assert field_error(bad, "approved_on") == "The day of approval is between the meeting's day and today."
    response = approve_by_board(client, assembly_coop, assembly)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Version 1" in page and f"Approved by the board on {long_day(ASSEMBLY_DAY + dt.timedelta(days=20))}." in page
    again = approve_by_board(client, assembly_coop, assembly)
    assert "These minutes are already approved; draft a correction to change them." in text_of(again)
    notes = client.post(url(assembly_coop, assembly, "/notes"), data={"opening_notes": "Cambio"})
    assert "These minutes are approved and never change; draft a correction instead." in text_of(notes)


def test_approval_at_a_later_meeting_chosen_from_the_list(client, db, assembly_coop, assembly, secretary):
    board = later_meeting(db, assembly_coop, day=ASSEMBLY_DAY + dt.timedelta(days=60))
    form = client.get(url(assembly_coop, assembly, "/approve"))
    assert "Consejo de administración, sesión 12" in text_of(form)
    response = client.post(url(assembly_coop, assembly, "/approve"), data={
        "how": "meeting", "at_meeting": str(board.id), "president_name": "María Quishpe",
        "secretary_name": "José Tipán", "once_key": once_key_of(form)}, follow_redirects=True)
    assert f"Approved at a later meeting on {long_day(ASSEMBLY_DAY + dt.timedelta(days=60))}." in text_of(response)


def test_a_correction_is_drafted_with_its_reason_then_approved_and_both_versions_stay(
        client, assembly_coop, assembly, secretary):
    approve_by_board(client, assembly_coop, assembly)
    form = client.get(url(assembly_coop, assembly, "/correct"))
    html = form.get_data(as_text=True)
    item_field = next(name for name in ("notes_" + str(i) for i in range(1, 50)) if f'name="{name}"' in html)
    refused = client.post(url(assembly_coop, assembly, "/correct"),
                          data={"reason": "", "once_key": once_key_of(form)})
    assert refused.status_code == 200 and field_error(refused, "reason")
    drafted = client.post(url(assembly_coop, assembly, "/correct"),
                          data={"reason": "Faltaba quién propuso el punto 1.", item_field: "Propuso Rosa Caiza.",
                                "once_key": once_key_of(form)}, follow_redirects=True)
    assert "Correction drafted as version 2. Approve it to make it the minutes." in flashes(drafted)
    assert "You are approving correction version 2: Faltaba quién propuso el punto 1." in text_of(drafted)
    approve_by_board(client, assembly_coop, assembly, approved_on=(ASSEMBLY_DAY + dt.timedelta(days=40)).isoformat())
    latest = text_of(client.get(url(assembly_coop, assembly)))
    assert "Version 2" in latest and "Propuso Rosa Caiza." in latest
    assert "Corrects the earlier version: Faltaba quién propuso el punto 1." in latest
    first = text_of(client.get(url(assembly_coop, assembly, "?version=1")))
    assert "Propuso Rosa Caiza." not in first and f"Approved by the board on {long_day(ASSEMBLY_DAY + dt.timedelta(days=20))}." in first


def test_the_approved_minutes_print_as_a_background_document(app, client, assembly_coop, assembly, secretary):
    approve_by_board(client, assembly_coop, assembly)
    pdf = print_document(app, client, url(assembly_coop, assembly, ".pdf"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Minutes: Asamblea general ordinaria 2027" in text and "María Quishpe" in text and "Punto 2" in text


def test_the_draft_prints_for_the_secretary_only(app, client, db, assembly_coop, assembly, secretary, make_user,
                                                  login):
    response = client.post(url(assembly_coop, assembly, ".pdf"), data={"draft": "1"})
    task_url = response.headers["Location"]
    tasks.run_waiting(app)
    done = client.get(task_url)
    assert done.mimetype == "application/pdf"
    assert "Draft: not approved" in " ".join(PdfReader(io.BytesIO(done.data)).pages[0].extract_text().split())
    client.post("/logout")
    login(client, make_user("socio@example.org", coop=assembly_coop, roles=[Role.MEMBER]))
    assert client.get(task_url).status_code in (403, 404)


def test_the_meeting_page_partial_shows_the_minutes_status_and_resolutions(app, db, assembly_coop, assembly,
                                                                           make_user, login, client):
    login(client, make_user(coop=assembly_coop, roles=[Role.MEMBER]))
    with app.test_request_context(f"/c/{assembly_coop.slug}/meetings/{assembly.id}"):
        app.preprocess_request()
        db.rollback()
        html = render_template_string('{% include "meetings/_meeting_record.html" %}', meeting=db.merge(assembly))
    assert "Resolución del punto 2" in html and f"/meetings/{assembly.id}/minutes" not in html
    assert "/meetings/resolutions/" in html


def test_the_approval_form_offers_the_president_and_secretary_in_office(client, db, assembly_coop, assembly,
                                                                          secretary, make_member):
    db.rollback()
    coop = db.merge(assembly_coop)
    rosa = make_member(coop, given_names="Rosa", family_names="Pilataxi")
    pedro = make_member(coop, given_names="Pedro", family_names="Guamán")
    today = today_in(coop)
    for name, body, officer, member in (("Presidencia", PositionBody.BOARD, Officer.PRESIDENT, rosa),
                                        ("Secretaría", PositionBody.OTHER, Officer.SECRETARY, pedro)):
        position = offices.add_position(db, None, coop, offices.PositionData(name=name, body=body, signs_as=officer))
        offices.record_term(db, None, coop, position=position, member=db.merge(member),
                            starts_on=today - dt.timedelta(days=100), ends_on=today + dt.timedelta(days=600))
    db.commit()
    html = client.get(url(assembly_coop, assembly, "/approve")).get_data(as_text=True)
    assert 'value="Rosa Pilataxi"' in html and 'value="Pedro Guamán"' in html
