"""The preparation pages through the real log-in: the secretary prepares an assembly, writes its
order of the day and attaches the budget; a member reads it once it is convened (never the
draft); bad input is shown beside its field and nothing is half-saved. Pages are read in English
(the people log in with English chosen), so the tests read the messages as written."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from coop import calendar
from meetings.models import AgendaDocument, AgendaItem, Meeting, MeetingStatus
from meetings.rules import rules_of
from tests.conftest import field_error, flashes, once, once_key_of, text_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(coop, path: str = "") -> str:
    return f"/c/{coop.slug}/meetings{path}"


@pytest.fixture
def secretary(assembly_coop, make_user):
    return make_user("secretaria@example.org", coop=assembly_coop, roles=["secretary"], locale="en")


@pytest.fixture
def member(assembly_coop, make_user):
    return make_user("socio@example.org", coop=assembly_coop, roles=["member"], locale="en")


def coming_saturday(coop) -> dt.date:
    today = calendar.today_in(coop)
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 + 14)


def meeting_form(day: dt.date, **fields) -> dict:
    return {"kind": "ordinary", "title": "Asamblea general ordinaria", "day": day.isoformat(), "first_time": "09:00",
            "second_time": "10:00", "place": "Casa comunal", "attendance_note": "Socios activos",
            "commission_id": "0", "block": "", **fields}


def test_the_secretary_prepares_an_assembly_and_a_member_reads_it_once_convened(
        client, db, assembly_coop, secretary, member, login):
    login(client, secretary)
    form_page = client.get(url(assembly_coop, "/new"))
    assert form_page.status_code == 200
    day = coming_saturday(assembly_coop)
    response = client.post(url(assembly_coop, "/new"),
                           data={**meeting_form(day), "once_key": once_key_of(form_page)})
    assert response.status_code == 302
    agenda_page = client.get(response.headers["Location"])
    assert "The meeting Asamblea general ordinaria is prepared: now write its order of the day." in flashes(agenda_page)
    db.rollback()
    meeting = db.scalar(sa.select(Meeting))
    for title in ("Constatación del quórum", "Presupuesto 2027"):
        page = client.get(url(assembly_coop, f"/{meeting.id}/agenda"))
        assert client.post(url(assembly_coop, f"/{meeting.id}/agenda"),
                           data={"title": title, "once_key": once_key_of(page)}).status_code == 302
    db.rollback()
    budget = db.scalar(sa.select(AgendaItem).where(AgendaItem.title == "Presupuesto 2027"))
    response = client.post(url(assembly_coop, f"/{meeting.id}/items/{budget.id}/documents"),
                           data={"title": "Presupuesto", "file": (io.BytesIO(PDF), "presupuesto.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(url(assembly_coop, f"/{meeting.id}"))
    assert "1. Constatación" not in text_of(page)  # the list numbers itself
    assert "Constatación del quórum Presupuesto 2027 Presupuesto (presupuesto.pdf)" in text_of(page)
    db.rollback()
    document = db.scalar(sa.select(AgendaDocument))

    client.post("/logout")
    login(client, member)
    assert client.get(url(assembly_coop, f"/{meeting.id}")).status_code == 404
    assert client.get(url(assembly_coop, f"/documents/{document.id}")).status_code == 404
    assert "Asamblea general ordinaria" not in text_of(client.get(url(assembly_coop, "/")))
    db.rollback()
    db.get(Meeting, meeting.id).status = MeetingStatus.CONVENED
    db.commit()
    index = text_of(client.get(url(assembly_coop, "/")))
    assert "Asamblea general ordinaria Ordinary general assembly" in index
    page = client.get(url(assembly_coop, f"/{meeting.id}"))
    assert page.status_code == 200
    assert "(second call: 10:00)" in text_of(page) and "Casa comunal" in text_of(page)
    assert "Cancel the meeting" not in text_of(page)
    download = client.get(url(assembly_coop, f"/documents/{document.id}"))
    assert download.data == PDF and download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    home = text_of(client.get(f"/c/{assembly_coop.slug}/"))
    assert "Assemblies and meetings Asamblea general ordinaria" in home


def test_a_meeting_sent_twice_is_prepared_once(client, db, assembly_coop, secretary, login):
    login(client, secretary)
    data = {**meeting_form(coming_saturday(assembly_coop)), **once()}
    first = client.post(url(assembly_coop, "/new"), data=data)
    second = client.post(url(assembly_coop, "/new"), data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_a_meeting_written_wrong_is_shown_again_with_each_mistake(client, db, assembly_coop, secretary, login):
    login(client, secretary)
    response = client.post(url(assembly_coop, "/new"), data={
        **meeting_form(coming_saturday(assembly_coop), kind="block", second_time="08:00"), **once()})
    assert response.status_code == 200
    assert field_error(response, "block") == "Write the block or sector whose members meet."
    assert field_error(response, "second_time") == "The second call comes after the first."
    response = client.post(url(assembly_coop, "/new"), data={
        **meeting_form(coming_saturday(assembly_coop), title="", kind="commission"), "day": "", **once()})
    assert field_error(response, "day") == "Write the day of the meeting."
    assert field_error(response, "title") == "Give the meeting a title, as the notice names it."
    assert field_error(response, "commission_id") == "Choose the commission that meets."
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_the_secretary_changes_and_cancels_a_meeting(client, db, assembly_coop, secretary, make_meeting, login):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.CONVENED, day=coming_saturday(assembly_coop))
    login(client, secretary)
    edit = client.get(url(assembly_coop, f"/{meeting.id}/edit"))
    assert 'value="09:00"' in edit.get_data(as_text=True)
    response = client.post(url(assembly_coop, f"/{meeting.id}/edit"),
                           data=meeting_form(coming_saturday(assembly_coop), first_time="08:00"))
    assert field_error(response, "day").startswith("The notice has been issued with this")
    response = client.post(url(assembly_coop, f"/{meeting.id}/cancel"), data={"reason": ""})
    assert response.status_code == 200 and field_error(response, "reason")
    response = client.post(url(assembly_coop, f"/{meeting.id}/cancel"), data={"reason": "Feriado nacional"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert flashes(page) == ["The meeting is cancelled."]
    assert "Why it was cancelled Feriado nacional" in text_of(page)
    db.rollback()
    assert db.get(Meeting, meeting.id).status is MeetingStatus.CANCELLED


def test_the_agenda_is_reordered_and_an_item_removed_from_its_page(client, db, assembly_coop, secretary,
                                                                   make_meeting, login):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    db.add_all([AgendaItem(coop_id=assembly_coop.id, meeting_id=meeting.id, position=n, title=title)
                for n, title in enumerate(("Quórum", "Informe", "Varios"), start=1)])
    db.commit()
    items = {i.title: i.id for i in db.scalars(sa.select(AgendaItem))}
    login(client, secretary)
    assert client.post(url(assembly_coop, f"/{meeting.id}/items/{items['Varios']}/move"),
                       data={"direction": "up"}).status_code == 302
    assert client.post(url(assembly_coop, f"/{meeting.id}/items/{items['Quórum']}/delete")).status_code == 302
    response = client.post(url(assembly_coop, f"/{meeting.id}/items/{items['Informe']}"),
                           data={"title": "Informe de gerencia", "description": "Lo presenta el gerente"})
    assert response.status_code == 302
    db.rollback()
    assert [(i.position, i.title) for i in db.scalars(sa.select(AgendaItem).order_by(AgendaItem.position))] == \
        [(1, "Varios"), (2, "Informe de gerencia")]
    refused = client.post(url(assembly_coop, f"/{meeting.id}/items/{items['Varios']}/documents"),
                          data={"file": (io.BytesIO(b"hola"), "nota.txt")}, content_type="multipart/form-data")
    assert refused.status_code == 200
    assert field_error(refused, "file") == \
        "Attach a PDF, an office document (ODT, DOCX, ODS, XLSX) or a picture (JPEG, PNG)."


def test_an_item_of_another_meeting_is_not_found(client, db, assembly_coop, secretary, make_meeting, login):
    ours = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    other = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    db.add(AgendaItem(coop_id=assembly_coop.id, meeting_id=other.id, position=1, title="Ajeno"))
    db.commit()
    item_id = db.scalar(sa.select(AgendaItem.id))
    login(client, secretary)
    assert client.get(url(assembly_coop, f"/{ours.id}/items/{item_id}")).status_code == 404
    assert client.post(url(assembly_coop, f"/{ours.id}/items/{item_id}/delete")).status_code == 404


def test_the_bylaws_page_saves_and_refuses_out_of_bounds(client, db, assembly_coop, secretary, login):
    login(client, secretary)
    page = client.get(url(assembly_coop, "/rules"))
    assert page.status_code == 200 and 'value="8"' in page.get_data(as_text=True)
    data = {"notice_days": "15", "first_call_quorum_pct": "50", "second_call_quorum_pct": "60",
            "quorum_is_more_than": "y", "arrears_months_limit": "", "proxies_allowed": "y",
            "max_proxies_per_holder": "1", "assembly_form": "members", "election_tie_rule": "runoff"}
    response = client.post(url(assembly_coop, "/rules"), data=data)
    assert field_error(response, "second_call_quorum_pct") == "The second call asks at most the quorum of the first."
    response = client.post(url(assembly_coop, "/rules"), data={**data, "second_call_quorum_pct": "0"})
    assert response.status_code == 302
    db.rollback()
    assert rules_of(db, assembly_coop).notice_days == 15


def test_a_member_reads_meetings_but_prepares_none(client, assembly_coop, member, make_meeting, login):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.CONVENED)
    login(client, member)
    assert client.get(url(assembly_coop, "/")).status_code == 200
    assert "New meeting" not in text_of(client.get(url(assembly_coop, "/")))
    assert client.get(url(assembly_coop, "/new")).status_code == 403
    assert client.get(url(assembly_coop, "/rules")).status_code == 403
    assert client.post(url(assembly_coop, f"/{meeting.id}/cancel"), data={"reason": "No"}).status_code == 403


def test_a_document_attached_by_mistake_is_removed_while_the_meeting_is_prepared(client, db, assembly_coop,
                                                                                  secretary, make_meeting, login):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    item = AgendaItem(coop_id=assembly_coop.id, meeting_id=meeting.id, position=1, title="Presupuesto")
    db.add(item)
    db.flush()
    db.add(AgendaDocument(coop_id=assembly_coop.id, item_id=item.id, title="Borrador equivocado",
                          filename="borrador.pdf", content_type="application/pdf", size=len(PDF), content=PDF))
    db.commit()
    document_id = db.scalar(sa.select(AgendaDocument.id))
    login(client, secretary)
    assert "Borrador equivocado" in text_of(client.get(url(assembly_coop, f"/{meeting.id}/items/{item.id}")))
    response = client.post(url(assembly_coop, f"/documents/{document_id}/delete"))
    assert response.headers["Location"].endswith(f"/{meeting.id}/items/{item.id}")
    assert flashes(client.get(response.headers["Location"])) == ["The document borrador.pdf is removed."]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(AgendaDocument.id))) == 0
