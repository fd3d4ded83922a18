"""Each role's home page shows that role's work: counts that link to it, never an empty page.

The secretary sees applications waiting for a decision and imports waiting for confirmation;
the treasurer, expenses waiting for approval and approved ones waiting to be paid; the
oversight council, the latest changes with a link to the whole trail; a commission
coordinator, their commissions' next sessions (Minga's panel, tested in tests/minga).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest

from coop.tenancy import Coop
from ledger import expenses, services
from ledger.services import account_by_code
from members import services as members
from tests.conftest import once
from tests.members.conftest import cedula
from tests.ledger.test_expenses import PDF
from tests.members.test_imports import csv_file


@pytest.fixture
def coop(db, make_coop):
    coop = make_coop("quebrada")
    db.rollback()
    services.install_chart(db, None, db.merge(coop))
    db.commit()
    return coop


def home(client, coop, user, login) -> str:
    login(client, user)
    response = client.get(f"/c/{coop.slug}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_secretary_sees_applications_and_imports_waiting(client, db, coop, make_user, login):
    secretary = make_user("secretaria@example.org", coop=coop, roles=["secretary"])
    page = home(client, coop, secretary, login)
    assert "Ninguna solicitud espera una decisión." in text_of_html(page)
    for serial in (1, 2):
        assert client.post(f"/c/{coop.slug}/members/applications/new", data={
            "given_names": "Luis", "family_names": f"Tituaña {serial}", "document_type": "cedula",
            "document_number": cedula(700 + serial), "birth_date": "", "email": "", "address": "",
            "message": "", **once()}).status_code == 302
    upload = client.post(f"/c/{coop.slug}/members/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(csv_file([["nombres", "apellidos", "numero_documento", "fecha_ingreso"],
                                      ["Ana", "Caiza", cedula(7), "2010-01-01"]])), "socios.csv")})
    assert upload.status_code == 302
    page = client.get(f"/c/{coop.slug}/").get_data(as_text=True)
    assert "2 solicitudes esperan una decisión" in text_of_html(page)
    assert f'href="/c/{coop.slug}/members/applications?status=pending"' in page
    assert "Una importación espera su confirmación: socios.csv (1 filas)" in text_of_html(page)
    assert f'href="{upload.headers["Location"]}"' in page
    assert "Gastos" not in section_titles(page) and "Últimos cambios" not in section_titles(page)


def test_the_treasurer_sees_expenses_to_approve_and_to_pay(client, db, coop, make_user, login):
    treasurer = make_user("tesoreria@example.org", coop=coop, roles=["treasurer"])
    clerk = make_user("auxiliar@example.org", coop=coop, roles=["treasurer"])
    db.rollback()
    here = db.get(Coop, coop.id)
    recorded = [expenses.record_expense(db, db.merge(clerk), here, expense_date=dt.date(2026, 3, 10),
                                        supplier="Ferretería", description="Cemento", invoice_ref=f"001-{n}",
                                        account=account_by_code(db, here, "5.2"), amount_minor=31240,
                                        attachment=("factura.pdf", PDF))
                for n in range(3)]
    expenses.approve_expense(db, db.merge(treasurer), here, recorded[0])
    db.commit()
    page = home(client, coop, treasurer, login)
    text = text_of_html(page)
    assert "2 gastos esperan aprobación" in text and "1 gasto aprobado espera su pago" in text
    assert f'href="/c/{coop.slug}/books/expenses/?status=pending"' in page
    assert f'href="/c/{coop.slug}/books/expenses/?status=approved"' in page
    assert "El registro" not in section_titles(page)


def test_the_oversight_council_sees_the_latest_changes_and_the_whole_trail(client, db, coop, make_user, login):
    council = make_user("vigilancia@example.org", coop=coop, roles=["auditor"])
    db.rollback()
    here = db.get(Coop, coop.id)
    for n in range(12):
        members.create_household(db, None, here, name=f"Familia {n:02d}")
    db.commit()
    page = home(client, coop, council, login)
    latest = page.split("Últimos cambios")[1].split("</section>")[0]
    assert latest.count("<li>") == 10
    assert "Familia 11" in latest and "Familia 02" in latest and "Familia 01" not in latest
    assert "Ver todo el registro de auditoría" in text_of_html(latest)
    assert f'href="/c/{coop.slug}/audit"' in latest
    assert section_titles(page) == ["Últimos cambios"]


def test_a_coordinators_home_shows_their_commissions_work(client, db, coop, make_user, login):
    coordinator = make_user("minga@example.org", coop=coop, roles=["coordinator"])
    page = home(client, coop, coordinator, login)
    assert section_titles(page) == ["El trabajo de sus comisiones"]
    assert "No hay jornadas próximas." in text_of_html(page)
    assert f'href="/c/{coop.slug}/minga/manage/"' in page


def test_a_member_sees_no_officers_work(client, db, coop, make_user, login):
    member = make_user("socia@example.org", coop=coop, roles=["member"])
    assert section_titles(home(client, coop, member, login)) == []


def section_titles(html: str) -> list[str]:
    """The titles of the home page's panels (the cards between the welcome and the bylaws)."""
    return [text_of_html(title) for title in re.findall(r'<section class="card">\s*<h2>(.*?)</h2>', html, flags=re.S)
            if text_of_html(title) != "Estatuto vigente"]


def text_of_html(html: str) -> str:
    """Visible text of a piece of a page, as ``tests.conftest.text_of`` reads a whole one."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def test_the_home_page_asks_few_queries_whoever_reads_it(client, db, coop, make_user, login, count_queries):
    admin = make_user("admin@example.org", coop=coop, roles=["admin"])
    login(client, admin)
    with count_queries() as counted:
        assert client.get(f"/c/{coop.slug}/").status_code == 200
    assert counted.count <= 12, counted  # the next meeting: one query; the questions waiting: one
