"""The board's Minga reports: hours per commission by month (a chart and the table of the same
figures), and a commission's activity report printed for the assembly."""
from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from pypdf import PdfReader

from coop import calendar, tasks, tenancy
from coop.tenancy import Coop, Role, Scope
from members.models import Household
from minga import charts, reports
from minga.models import Attendance, AttendanceStatus, SessionStatus
from minga.permissions import COMMISSION_SCOPE
from tests.conftest import text_of

def today() -> dt.date:
    """The pages read the real clock, in Quito: read it when the test runs, not when it is collected
    (a suite started before midnight in Quito would otherwise expect yesterday)."""
    return dt.datetime.now(ZoneInfo("America/Guayaquil")).date()


def this_month() -> dt.date:
    return calendar.month_start(today())


def attend(db, work_session, member, minutes, status=AttendanceStatus.PRESENT, household=None):
    db.rollback()
    db.add(Attendance(coop_id=work_session.coop_id, session_id=work_session.id, member_id=member.id,
                      household_id=household.id if household else None, status=status, minutes=minutes))
    db.commit()


def household(db, coop, name):
    db.rollback()
    row = Household(coop_id=coop.id, name=name)
    db.add(row)
    db.commit()
    return row


@pytest.fixture
def year_of_work(db, minga_coop, make_commission, make_session, make_member):
    """Two commissions' sessions over the last months, with who worked and how long."""
    quebrada = make_commission(minga_coop)
    school = make_commission(minga_coop, name="Mantenimiento de la escuela")
    ana, rosa, luis = (make_member(minga_coop, given_names=name, family_names="Socia")
                       for name in ("Ana", "Rosa", "Luis"))
    toapanta, pilataxi = household(db, minga_coop, "Familia Toapanta"), household(db, minga_coop, "Familia Pilataxi")
    month = lambda n: calendar.add_months(this_month(), n)  # noqa: E731
    first = make_session(quebrada, day=month(-2).replace(day=6), title="Limpieza del cauce")
    attend(db, first, ana, 360, household=toapanta)
    attend(db, first, rosa, 270, household=pilataxi)
    attend(db, first, luis, 0, AttendanceStatus.ABSENT, household=pilataxi)
    # 21:00 on a month's last day in Quito is 02:00 of the next month in UTC: it counts in its own month
    evening = make_session(quebrada, day=calendar.month_end(month(-1)), start=dt.time(19), end=dt.time(21, 30),
                           title="Guardia nocturna")
    attend(db, evening, ana, 150, household=toapanta)
    painting = make_session(school, day=month(-1).replace(day=3), title="Pintar aulas")
    attend(db, painting, luis, 240, household=pilataxi)
    attend(db, painting, rosa, 0, AttendanceStatus.EXCUSED, household=pilataxi)
    too_old = make_session(quebrada, day=month(-14).replace(day=10), title="Minga antigua")
    attend(db, too_old, ana, 600, household=toapanta)
    called_off = make_session(quebrada, day=month(-1).replace(day=12), title="Siembra", status=SessionStatus.CANCELLED,
                              cancel_reason="Lluvias fuertes")
    db.rollback()
    db.execute(sa.text("UPDATE work_session SET confirmed_count = 4 WHERE id = :id"), {"id": first.id})
    db.commit()
    return dict(quebrada=quebrada, school=school, month=month, first=first, evening=evening, called_off=called_off)


def test_hours_per_commission_are_the_present_minutes_by_month_of_the_coops_own_time(db, minga_coop, year_of_work):
    month = year_of_work["month"]
    quebrada, school = year_of_work["quebrada"], year_of_work["school"]
    db.rollback()
    coop = db.get(Coop, minga_coop.id)

    table = reports.hours_by_commission(db, coop, reports.last_months(today()))

    assert table.months[0] == month(-11) and table.months[-1] == this_month()
    assert [name for _id, name in table.commissions] == ["Mantenimiento de la escuela", "Recuperación de la quebrada"]
    assert table.of(quebrada.id, month(-2)) == 360 + 270
    assert table.of(quebrada.id, month(-1)) == 150  # the evening session, not the next month's
    assert table.of(quebrada.id, this_month()) == 0
    assert table.of(school.id, month(-1)) == 240
    assert table.month_total(month(-1)) == 390 and table.total == 1020  # the session 14 months ago is left out
    assert year_of_work["evening"].starts_dt.month != month(-1).month  # it really is the next month in UTC


def test_the_charts_bars_carry_the_same_hours_as_the_attendance(db, minga_coop, year_of_work):
    db.rollback()
    coop = db.get(Coop, minga_coop.id)
    table = reports.hours_by_commission(db, coop, reports.last_months(today()))

    svg = charts.hours_svg(table, locale="es")

    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert "10,5 h" in values and "2,5 h" in values and "4 h" in values  # 630, 150 and 240 minutes
    assert "Recuperación de la quebrada" in svg and "Mantenimiento de la escuela" in svg
    assert "<script" not in svg
    narrow = charts.hours_svg(table, locale="es", size=charts.NARROW)
    assert 'width="400"' in narrow or "400" in narrow


def test_on_a_phone_ten_commissions_are_named_in_the_pages_text_in_the_colours_of_their_bars(app):
    """The phone's drawing keeps its whole height for the bars: no legend inside it; the page names
    every commission in full beside a swatch of its bars' colour (no two alike)."""
    months = reports.last_months(dt.date(2026, 12, 15))
    names = [f"Comisión {n} de mantenimiento de la escuela cooperativa" for n in range(1, 11)]
    table = reports.HoursTable(months, list(enumerate(names, 1)),
                               {(n, month): 60 * n for n in range(1, 11) for month in months})
    with app.test_request_context():
        legend = charts.legend(table)
        phone = charts.hours_svg(table, locale="es", size=charts.NARROW, with_legend=False)
        printed = charts.hours_svg(table, locale="es")

    assert [entry.name for entry in legend] == names
    assert len({entry.colour for entry in legend}) == 10
    for n, entry in enumerate(legend):
        assert re.search(rf"\.color-{n}[^{{]*\{{[^}}]*fill:{entry.colour}", phone), (n, entry.colour)
    assert not any(name in phone for name in names)
    assert all(name in printed for name in names)  # a PDF has no page around it: its drawing keeps the legend


def test_the_secretary_reads_hours_per_commission_and_a_member_may_not(client, db, minga_coop, year_of_work,
                                                                       make_user, login, count_queries):
    member = make_user("ana@example.org", coop=minga_coop, roles=[Role.MEMBER], locale="es")
    secretary = make_user("maria@example.org", coop=minga_coop, roles=[Role.SECRETARY], locale="es")
    url = f"/c/{minga_coop.slug}/minga/hours"
    login(client, member)
    assert client.get(url).status_code == 403
    client.post("/logout")

    login(client, secretary)
    with count_queries() as counted:
        page = client.get(url)

    assert page.status_code == 200
    html, text = page.get_data(as_text=True), text_of(page)
    assert "<picture>" in html and 'src="data:image/svg+xml;base64,' in html
    assert "Horas por comisión" in text
    legend = html[html.index('<ul class="chart-legend">'):html.index("</ul>", html.index('class="chart-legend"'))]
    assert re.findall(r'fill="(#[0-9a-f]{6})"/></svg>([^<]+)</li>', legend) == [
        ("#2f6b4f", "Mantenimiento de la escuela"), ("#c0603a", "Recuperación de la quebrada")]
    assert "10,5 h" in text and "2,5 h" in text and "4 h" in text and "17 h" in text  # 1020 minutes in all
    assert counted.count <= 6 and sum("attendance" in s for s in counted.statements) == 1, counted  # one grouped query


def test_the_activity_report_of_the_quebrada_is_printed_with_its_totals(app, client, db, minga_coop, year_of_work,
                                                                        make_user, login):
    quebrada = year_of_work["quebrada"]
    coordinator = make_user("segundo@example.org", coop=minga_coop, roles=[Role.MEMBER], name="Segundo Pilataxi")
    db.rollback()
    tenancy.grant_role(db, None, db.merge(minga_coop), db.merge(coordinator), Role.COORDINATOR,
                       Scope(COMMISSION_SCOPE, quebrada.id))
    db.commit()
    secretary = make_user("maria@example.org", coop=minga_coop, roles=[Role.SECRETARY], locale="es")
    login(client, secretary)
    page = client.get(f"/c/{minga_coop.slug}/minga/commissions/{quebrada.id}/activity")
    assert page.status_code == 200 and "Segundo Pilataxi" in text_of(page)

    start = (today() - dt.timedelta(days=365)).isoformat()
    response = client.post(f"/c/{minga_coop.slug}/minga/commissions/{quebrada.id}/activity/print"
                           f"?start={start}&end={today().isoformat()}")
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    tasks.run_waiting(app)
    done = client.get(response.headers["Location"])
    assert done.status_code == 200 and done.mimetype == "application/pdf"

    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(done.data)).pages)
    assert "Actividad de Recuperación de la quebrada" in text
    assert "Segundo Pilataxi" in text  # the coordinator is named
    assert "Limpieza del cauce" in text and "Guardia nocturna" in text and "Minga antigua" not in text
    assert "Sesiones realizadas 2" in text or "Jornadas realizadas 2" in text
    assert "13 h" in text  # 360 + 270 + 150 minutes
    assert "Hogares que participaron 2" in text
    assert "Siembra" in text and "Lluvias fuertes" in text
    assert "Ana" not in text and "Rosa" not in text and "Toapanta" not in text  # no member named


def test_the_activity_report_counts_people_and_households(db, minga_coop, year_of_work):
    db.rollback()
    coop = db.get(Coop, minga_coop.id)
    quebrada = db.merge(year_of_work["quebrada"])
    start = calendar.add_months(this_month(), -11)

    activity = reports.commission_activity(db, coop, quebrada, start, today())

    assert [(s.title, s.confirmed, s.attended, s.minutes) for s in activity.held] == [
        ("Limpieza del cauce", 4, 2, 630), ("Guardia nocturna", 0, 1, 150)]
    assert (activity.confirmed, activity.attended, activity.minutes, activity.households) == (4, 3, 780, 2)
    assert [(s.title, s.reason) for s in activity.cancelled] == [("Siembra", "Lluvias fuertes")]
    assert activity.hours.total == 780


def test_a_coop_without_hours_yet_sees_an_empty_chart_and_table(app, db, minga_coop):
    db.rollback()
    table = reports.hours_by_commission(db, db.get(Coop, minga_coop.id), reports.last_months(today()))
    assert table.commissions == [] and table.total == 0
    with app.test_request_context(), force_locale("es"):
        assert "Todavía no hay horas registradas" in charts.hours_svg(table, locale="es")


def test_the_activity_report_covers_the_last_twelve_months_unless_told_and_refuses_dates_backwards(
        app, client, db, minga_coop, year_of_work, make_user, login):
    quebrada = year_of_work["quebrada"]
    login(client, make_user("maria@example.org", coop=minga_coop, roles=[Role.SECRETARY], locale="en"))
    base = f"/c/{minga_coop.slug}/minga/commissions/{quebrada.id}/activity"

    page = client.get(base)
    first_day = calendar.same_day_months_later(today(), -12) + dt.timedelta(days=1)
    assert f'value="{first_day.isoformat()}"' in page.get_data(as_text=True)
    assert f'value="{today().isoformat()}"' in page.get_data(as_text=True)

    refused = client.post(f"{base}/print?start=2026-06-01&end=2026-01-01", follow_redirects=True)
    assert refused.status_code == 200 and "The start comes after the end." in text_of(refused)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(tasks.Task)) == 0
    assert client.get(f"/c/{minga_coop.slug}/minga/commissions/999/activity").status_code == 404
