"""The ravine commission prints its sign-in sheet for Saturday (names, household, a column to
sign, blank lines for walk-ins, the waitlist in small print), and the office prints the programme
of the coming weeks for the notice board; both through the background documents' task page."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from coop import tasks, tenancy
from coop.calendar import today_in
from coop.tenancy import Role, Scope
from minga import printing
from minga.models import SessionStatus, SessionTask, SignUpStatus
from minga.permissions import COMMISSION_SCOPE
from tests.conftest import text_of
from tests.ledger.print_helpers import print_document
from tests.minga.attendance_factories import add_sign_up, make_household, pdf_text


@pytest.fixture
def saturday(db, minga_coop, make_commission, make_session, make_member, make_user):
    """Saturday's ravine session: two places taken, one on the waitlist; its coordinator."""
    ravine = make_commission(minga_coop)
    work_session = make_session(ravine, capacity=2, place="Entrada de la quebrada, calle Los Andes")
    db.rollback()
    task = SessionTask(coop_id=minga_coop.id, session_id=work_session.id, name="Cargar piedra", people_needed=2)
    db.add(task)
    db.commit()
    household = make_household(db, minga_coop, "Familia Quishpe")
    rosa = make_member(minga_coop, given_names="Rosa", family_names="Quishpe", household=household)
    luis = make_member(minga_coop, given_names="Luis", family_names="Guamán")
    waiting = make_member(minga_coop, given_names="Pedro", family_names="Andrango")
    add_sign_up(db, work_session, rosa, task=task)
    add_sign_up(db, work_session, luis)
    add_sign_up(db, work_session, waiting, SignUpStatus.WAITLISTED)
    coordinator = make_user("carmen@example.org", coop=minga_coop, roles=["member"], name="Carmen Tipán")
    db.rollback()
    tenancy.grant_role(db, None, db.merge(minga_coop), db.merge(coordinator), Role.COORDINATOR,
                       Scope(COMMISSION_SCOPE, ravine.id))
    db.commit()
    return {"coop": minga_coop, "session": work_session, "rosa": rosa, "coordinator": coordinator,
            "commission": ravine}


def test_the_sign_in_sheet_names_who_comes_with_household_and_a_column_to_sign(app, client, saturday, login):
    login(client, saturday["coordinator"])
    url = f"/c/{saturday['coop'].slug}/minga/manage/sessions/{saturday['session'].id}/sign-in-sheet"
    assert "Imprimir PDF" in text_of(client.get(url))

    text = pdf_text(print_document(app, client, url))

    for expected in ("Hoja de asistencia", "Cooperativa Minga", "Recuperación de la quebrada", "Minga de la quebrada",
                     "sábado, 5 de diciembre de 2026, 07:00–13:00", "Entrada de la quebrada", "Cargar piedra",
                     "Quishpe, Rosa", "Familia Quishpe", "Guamán, Luis", str(saturday["rosa"].number),
                     "Firma", "Lista de espera", "Andrango, Pedro"):
        assert expected in text, expected
    for heading in ("Hora de entrada", "Hora de salida"):  # headings wrap in their narrow columns
        assert heading.replace(" ", "") in text.replace(" ", ""), heading
    assert text.index("Guamán, Luis") < text.index("Quishpe, Rosa") < text.index("Andrango, Pedro")
    assert " 10 " in text and " 11 " not in text  # two with a place, eight blank lines numbered after them
    page = text_of(client.get(url))
    assert "hoja-de-asistencia" in page  # the printed sheet is listed for the next visit


def test_the_sheet_is_printed_on_the_coops_paper_landscape(app, db, saturday):
    db.rollback()
    coop = db.merge(saturday["coop"])
    coop.paper_size = "Letter"
    db.commit()
    with app.test_request_context():
        from coop.pdf import layout_pdf
        layout = layout_pdf("pdf/minga_sign_in_sheet.html", coop=coop,
                            sheet=printing.sign_in_sheet(db, coop, db.merge(saturday["session"]), "es"))
    width, height = layout.pages[0].width, layout.pages[0].height
    assert (round(width * 0.75), round(height * 0.75)) == (792, 612)  # CSS px to points: 11 × 8.5 in


def test_a_coordinator_of_another_commission_cannot_see_the_sheet_printed(app, client, db, saturday, make_user,
                                                                          make_commission, login):
    login(client, saturday["coordinator"])
    url = f"/c/{saturday['coop'].slug}/minga/manage/sessions/{saturday['session'].id}/sign-in-sheet"
    task_url = client.post(url).headers["Location"]
    client.post("/logout")
    school = make_commission(saturday["coop"], name="Mantenimiento de la escuela")
    other = make_user("otra@example.org", coop=saturday["coop"], roles=["member"])
    db.rollback()
    tenancy.grant_role(db, None, db.merge(saturday["coop"]), db.merge(other), Role.COORDINATOR,
                       Scope(COMMISSION_SCOPE, school.id))
    db.commit()
    login(client, other)
    tasks.run_waiting(app)
    assert client.get(task_url).status_code in (403, 404)
    assert client.post(url).status_code == 403


def test_the_programme_lists_the_coming_weeks_sessions_with_free_places_and_how_to_sign_up(
        app, client, db, saturday, make_session, make_user, login):
    today = today_in(saturday["coop"])
    ravine = saturday["commission"]
    soon = make_session(ravine, day=today + dt.timedelta(days=3), title="Limpieza del sendero", capacity=12,
                        place="Parque del barrio")
    make_session(ravine, day=today + dt.timedelta(days=10), title="Cerrado ya", status=SessionStatus.CLOSED)
    make_session(ravine, day=today + dt.timedelta(days=5), title="Borrador oculto", status=SessionStatus.DRAFT)
    make_session(ravine, day=today + dt.timedelta(days=60), title="Muy lejos")
    member = make_user("socia@example.org", coop=saturday["coop"], roles=["member"])
    login(client, member)
    url = f"/c/{saturday['coop'].slug}/minga/programme"
    page = client.get(f"{url}?weeks=2")
    assert page.status_code == 200 and "Limpieza del sendero" in text_of(page)
    assert 'value="2" selected' in page.get_data(as_text=True) or 'selected value="2"' in page.get_data(as_text=True)

    response = client.post(url, data={"weeks": "2"})
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    tasks.run_waiting(app)
    text = pdf_text(client.get(response.headers["Location"]).data)

    for expected in ("Programa de Minga", "Limpieza del sendero", "Recuperación de la quebrada", "Parque del barrio",
                     "12 cupos libres", "Cerrado ya", "Inscripciones cerradas", "en la oficina", "Semana del",
                     f"{today.day} de "):
        assert expected in text, expected
    for absent in ("Borrador oculto", "Muy lejos"):
        assert absent not in text
    db.rollback()
    assert db.get(type(soon), soon.id).status is SessionStatus.OPEN


def test_the_programme_offers_one_to_eight_weeks_and_four_by_default(client, saturday, make_user, login):
    login(client, make_user("socia@example.org", coop=saturday["coop"], roles=["member"]))
    html = client.get(f"/c/{saturday['coop'].slug}/minga/programme?weeks=99").get_data(as_text=True)
    assert re.findall(r'<option[^>]*value="(\d+)"', html) == [str(n) for n in range(1, 9)]
    assert re.search(r'<option[^>]*selected[^>]*value="4"|<option[^>]*value="4"[^>]*selected', html)


def test_the_programme_runs_monday_to_sunday_headed_by_its_dates(app, client, db, saturday, make_session, make_user,
                                                               login, monkeypatch):
    """Printed on Wednesday 2 December: this week to Sunday the 6th, then Monday 7 to Sunday 13."""
    monkeypatch.setattr("minga.views.attendance.today_in", lambda coop: dt.date(2026, 12, 2))
    ravine = saturday["commission"]
    for day, title in ((6, "Domingo de siembra"), (7, "Lunes de huerto"), (13, "Cierre de la quincena"),
                       (14, "La semana siguiente")):
        make_session(ravine, day=dt.date(2026, 12, day), title=title)
    login(client, make_user("socia@example.org", coop=saturday["coop"], roles=["member"]))
    url = f"/c/{saturday['coop'].slug}/minga/programme"
    page = text_of(client.get(f"{url}?weeks=2"))
    assert page.index("Semana del 2 al 6 de diciembre") < page.index("Domingo de siembra") \
        < page.index("Semana del 7 al 13 de diciembre") < page.index("Lunes de huerto") \
        < page.index("Cierre de la quincena")
    assert "La semana siguiente" not in page

    response = client.post(url, data={"weeks": "2"})
    tasks.run_waiting(app)
    text = pdf_text(client.get(response.headers["Location"]).data)
    assert "Jornadas del 2 de diciembre de 2026 al 13 de diciembre de 2026" in text
    assert text.index("Semana del 2 al 6 de diciembre") < text.index("Domingo de siembra") \
        < text.index("Semana del 7 al 13 de diciembre") < text.index("Lunes de huerto")
    assert "La semana siguiente" not in text


def test_a_week_across_two_months_names_both_and_a_sunday_names_its_day(app):
    weeks = printing.programme_weeks(dt.date(2026, 12, 27), 3)
    assert weeks == [(dt.date(2026, 12, 27), dt.date(2026, 12, 27)), (dt.date(2026, 12, 28), dt.date(2027, 1, 3)),
                     (dt.date(2027, 1, 4), dt.date(2027, 1, 10))]
    with app.test_request_context(), force_locale("es"):
        titles = [printing.week_title(printing.ProgrammeWeek(first, last, []), "es") for first, last in weeks]
    assert titles == ["Domingo, 27 de diciembre de 2026", "Semana del 28 de diciembre al 3 de enero",
                      "Semana del 4 al 10 de enero"]


def test_a_long_sheet_repeats_its_heading_row_on_every_page(app, db, minga_coop, make_commission, make_session,
                                                            make_member):
    work_session = make_session(make_commission(minga_coop), capacity=40)
    for n in range(30):
        add_sign_up(db, work_session, make_member(minga_coop, given_names=f"Persona {n}"))
    db.rollback()
    with app.test_request_context():
        from coop.pdf import render_pdf
        coop = db.merge(minga_coop)
        pdf = render_pdf("pdf/minga_sign_in_sheet.html", coop=coop,
                         sheet=printing.sign_in_sheet(db, coop, db.merge(work_session), "es"))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    assert all("Firma" in page for page in pages)
    assert re.search(r"\b38\b", pages[-1])  # 30 with a place, then 8 blank lines
