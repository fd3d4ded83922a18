"""The ravine commission's coordinator, on her phone after Saturday's session, records who worked
through the real pages: everyone with a place is pre-filled present for the whole session, a wrong
row is shown beside that row with nothing saved, a walk-in is found by number or name, and a
correction shows its history. A coordinator of another commission is refused."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from coop import tenancy
from coop.tenancy import Role, Scope
from minga.attendance import row_field
from minga.models import Attendance, AttendanceStatus, SessionStatus, WorkSession
from minga.permissions import COMMISSION_SCOPE
from tests.conftest import field_error, text_of
from tests.minga.attendance_factories import add_sign_up, make_household

PAST_SATURDAY = dt.date(2026, 11, 21)  # the session is over whenever the tests run after it


@pytest.fixture
def field_day(db, minga_coop, make_commission, make_session, make_member, make_user):
    """A past session of the ravine commission with two confirmed places, and its coordinator."""
    ravine = make_commission(minga_coop)
    school = make_commission(minga_coop, name="Mantenimiento de la escuela")
    work_session = make_session(ravine, day=PAST_SATURDAY)
    household = make_household(db, minga_coop, "Familia Quishpe")
    rosa = make_member(minga_coop, given_names="Rosa", family_names="Quishpe", household=household)
    luis = make_member(minga_coop, given_names="Luis", family_names="Guamán")
    make_member(minga_coop, given_names="Marco", family_names="Pilataxi")
    make_member(minga_coop, given_names="Marcia", family_names="Pilataxi")
    for member in (rosa, luis):
        add_sign_up(db, work_session, member)
    coordinator = make_user("carmen@example.org", coop=minga_coop, roles=["member"], name="Carmen Tipán")
    other = make_user("otra@example.org", coop=minga_coop, roles=["member"], name="Otra Coordinadora")
    db.rollback()
    coop = db.merge(minga_coop)
    tenancy.grant_role(db, None, coop, db.merge(coordinator), Role.COORDINATOR, Scope(COMMISSION_SCOPE, ravine.id))
    tenancy.grant_role(db, None, coop, db.merge(other), Role.COORDINATOR, Scope(COMMISSION_SCOPE, school.id))
    db.commit()
    return {"coop": coop, "session": work_session, "rosa": rosa, "luis": luis, "coordinator": coordinator,
            "other": other, "url": f"/c/{coop.slug}/minga/manage/sessions/{work_session.id}/attendance"}


def sheet(day, **rows) -> dict:
    """The sheet's form as sent: per person (rosa=("present", "6")), status, hours, reason, correction."""
    data = {"form": "sheet"}
    for name, values in rows.items():
        member_id = day[name].id
        for key, value in zip(("status", "hours", "reason", "correction_reason"), values, strict=False):
            data[f"m{member_id}-{key}"] = value
    return data


def recorded(db) -> dict[int, Attendance]:
    db.rollback()
    return {row.member_id: row for row in db.scalars(sa.select(Attendance))}


def test_a_coordinator_records_her_session_with_everyone_pre_filled_present(client, db, field_day, login):
    login(client, field_day["coordinator"])
    page = client.get(field_day["url"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Quishpe, Rosa" in text_of(page) and "Familia Quishpe" in text_of(page)
    rosa_id = field_day["rosa"].id
    assert re.search(rf'id="m{rosa_id}-status-0"[^>]*checked|checked[^>]*id="m{rosa_id}-status-0"', html)
    assert re.search(rf'name="m{rosa_id}-hours"[^>]*value="6"', html)  # the whole session
    assert 'class="target"' in html and 'name="viewport"' in html

    done = client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"), luis=("present", "2,5")),
                       follow_redirects=True)

    assert done.status_code == 200
    rows = recorded(db)
    assert (rows[rosa_id].minutes, rows[field_day["luis"].id].minutes) == (360, 150)
    assert db.get(WorkSession, field_day["session"].id).status is SessionStatus.DONE


def test_a_wrong_row_is_shown_beside_it_in_spanish_and_nothing_is_saved(client, db, field_day, login):
    login(client, field_day["coordinator"])
    refused = client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"), luis=("present", "7"),))
    assert refused.status_code == 422
    assert field_error(refused, row_field(field_day["luis"].id, "hours")) == "Una jornada de 6 h no admite 7 h."
    assert field_error(refused, row_field(field_day["rosa"].id, "hours")) == ""
    assert recorded(db) == {}

    nonsense = client.post(field_day["url"], data=sheet(field_day, rosa=("present", "seis"),
                                                        luis=("excused", "", "")))
    assert field_error(nonsense, row_field(field_day["rosa"].id, "hours")).startswith("Escriba las horas")
    assert field_error(nonsense, row_field(field_day["luis"].id, "reason")) != ""
    too_fine = client.post(field_day["url"], data=sheet(field_day, rosa=("present", "4,333"), luis=("absent",)))
    assert "decimales" in field_error(too_fine, row_field(field_day["rosa"].id, "hours"))
    assert recorded(db) == {}


def test_a_correction_needs_a_reason_and_its_history_is_shown(client, db, field_day, login):
    login(client, field_day["coordinator"])
    client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"), luis=("absent",)))

    refused = client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"), luis=("present", "4")))
    assert field_error(refused, row_field(field_day["luis"].id, "correction_reason")) != ""

    client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"),
                                             luis=("present", "4", "", "Llegó a las 9, firmó tarde")))
    page = text_of(client.get(field_day["url"]))
    assert "Carmen Tipán" in page and "Llegó a las 9, firmó tarde" in page
    assert "Ausente → Presente 4 h" in page
    assert recorded(db)[field_day["luis"].id].status is AttendanceStatus.PRESENT


def test_a_new_reason_for_an_excuse_is_kept_without_asking_why_it_is_corrected(client, db, field_day, login):
    login(client, field_day["coordinator"])
    client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"), luis=("excused", "", "Enfermo")))

    done = client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"),
                                                    luis=("excused", "", "Cita médica en el IESS")))

    assert done.status_code == 302
    page = client.get(field_day["url"])
    assert re.search(r'name="m%d-reason"[^>]*value="Cita médica en el IESS"' % field_day["luis"].id,
                     page.get_data(as_text=True))
    assert "corrección" not in text_of(page)  # no correction in the row's history: the hours stand
    assert recorded(db)[field_day["luis"].id].reason == "Cita médica en el IESS"


def test_a_walk_in_is_found_by_name_chosen_among_several_and_added(client, db, field_day, login):
    login(client, field_day["coordinator"])
    several = client.post(field_day["url"], data={"form": "walk_in", "who": "pilataxi", "hours": "3"})
    assert several.status_code == 422
    assert "Pilataxi, Marco" in text_of(several) and "Pilataxi, Marcia" in text_of(several)
    marco = re.search(r'value="(\d+)"[^>]*>\s*\1 · Pilataxi, Marco', several.get_data(as_text=True))
    marco_number = marco.group(1) if marco else re.search(r"(\d+) · Pilataxi, Marco", text_of(several)).group(1)

    added = client.post(field_day["url"], data={"form": "walk_in", "who": "pilataxi", "number": marco_number,
                                                "hours": "3"}, follow_redirects=True)
    assert added.status_code == 200
    assert [(row.minutes, row.sign_up_id) for row in recorded(db).values()] == [(180, None)]
    assert "sin inscripción" in text_of(added)  # shown on the sheet as a walk-in

    nobody = client.post(field_day["url"], data={"form": "walk_in", "who": "Zambrano", "hours": "3"})
    assert field_error(nobody, "who") != ""


def test_a_coordinator_of_another_commission_is_refused(client, field_day, login):
    login(client, field_day["other"])
    assert client.get(field_day["url"]).status_code == 403
    assert client.post(field_day["url"], data=sheet(field_day, rosa=("present", "6"))).status_code == 403


def test_a_session_still_to_come_takes_no_attendance_yet(client, db, field_day, make_session, login):
    db.rollback()
    future = make_session(db.merge(field_day["session"]).commission, day=dt.date(2030, 1, 5))
    login(client, field_day["coordinator"])
    page = client.get(f"/c/{field_day['coop'].slug}/minga/manage/sessions/{future.id}/attendance")
    assert page.status_code == 200
    assert "todavía no empieza" in text_of(page)
    assert 'name="form" type="hidden" value="sheet"' not in page.get_data(as_text=True)
