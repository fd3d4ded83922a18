"""The dues pages: the treasurer records a plan, previews a period and charges it; others only read."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from ledger.models import Charge, DuesPlan, DuesRun
from tests.conftest import field_error, flashes, text_of
from tests.ledger.conftest import account


@pytest.fixture
def treasurer(client, books, make_user, login):
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"])
    login(client, user)
    return user


def plan_form(db, books, **fields):
    return {"name": "Aporte ordinario", "amount": "25,00", "frequency": "monthly", "debtors": "members",
            "income_account": str(account(db, books, "4.1").id), "start_date": "2026-01-01", "end_date": "",
            "run_day": "", "due_days": "10", "resolution_ref": "Asamblea 2026-01-10"} | fields


def test_the_treasurer_records_a_plan(client, db, books, treasurer):
    url = f"/c/{books.slug}/books/dues/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data=plan_form(db, books))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Aporte ordinario" in text_of(page) and "25,00" in text_of(page)
    db.rollback()
    plan = db.scalar(sa.select(DuesPlan))
    assert (plan.amount_minor, plan.due_days, plan.income_account.code) == (2500, 10, "4.1")


def test_plan_mistakes_show_beside_their_fields(client, db, books, treasurer):
    url = f"/c/{books.slug}/books/dues/new"
    response = client.post(url, data=plan_form(db, books, amount="25,001", run_day="30"))
    assert response.status_code == 200
    assert "2" in field_error(response, "amount")  # at most 2 decimals (already in Spanish)
    assert "28" in field_error(response, "run_day")
    response = client.post(url, data=plan_form(db, books, end_date="2025-12-01",
                                               income_account=str(account(db, books, "5.1").id)))
    assert field_error(response, "end_date") == "El fin va después del inicio."
    assert field_error(response, "income_account") == "Elija una cuenta de ingresos."
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(DuesPlan)) == 0


def test_charging_a_period_previews_then_posts_once(client, db, books, treasurer, make_member):
    rosa = make_member(books, given_names="Rosa")
    make_member(books, given_names="Luis")
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books))
    db.rollback()
    plan_id = db.scalar(sa.select(DuesPlan.id))
    plan_page = client.get(f"/c/{books.slug}/books/dues/{plan_id}")
    assert 'value="2026-03-01"' in plan_page.get_data(as_text=True)
    preview = client.get(f"/c/{books.slug}/books/dues/{plan_id}/charge?period=2026-03-01")
    text = text_of(preview)
    assert "Rosa" in text and "Luis" in text and "Registrar 2 cargos" in text
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(DuesRun)) == 0
    confirm = {"period": "2026-03-01", "expected_count": "2", "expected_total": "5000"}
    response = client.post(f"/c/{books.slug}/books/dues/{plan_id}/charge", data=confirm)
    assert response.status_code == 302
    run_page = client.get(response.headers["Location"])
    assert "Se cobró 2026-03: 2 cargos, $50,00 en total." in " ".join(flashes(run_page))
    assert rosa.full_name in text_of(run_page)
    again = client.post(f"/c/{books.slug}/books/dues/{plan_id}/charge", data=confirm, follow_redirects=True)
    assert "Este período ya se cobró." in flashes(again)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Charge)) == 2
    assert "(ya cobrado)" in text_of(client.get(f"/c/{books.slug}/books/dues/{plan_id}"))


def test_a_list_that_changed_since_the_preview_is_shown_again(client, db, books, treasurer, make_member):
    make_member(books)
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books))
    db.rollback()
    plan_id = db.scalar(sa.select(DuesPlan.id))
    make_member(books, given_names="Recién llegada")
    response = client.post(f"/c/{books.slug}/books/dues/{plan_id}/charge",
                           data={"period": "2026-03-01", "expected_count": "1", "expected_total": "2500"})
    assert response.status_code == 409
    assert "cambió desde que usted la vio" in text_of(response) and "Recién llegada" in text_of(response)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(DuesRun)) == 0


def test_a_period_that_is_not_the_plans_is_refused_with_a_message(client, db, books, treasurer):
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books))
    db.rollback()
    plan_id = db.scalar(sa.select(DuesPlan.id))
    response = client.get(f"/c/{books.slug}/books/dues/{plan_id}/charge?period=2026-03-15")
    assert response.status_code == 400
    assert field_error(response, "period") == "Esta fecha no es el inicio de un período del plan."
    response = client.get(f"/c/{books.slug}/books/dues/{plan_id}/charge?period=tomorrow")
    assert field_error(response, "period") == "Elija el período que va a cobrar."


def test_the_oversight_council_reads_plans_and_runs_but_cannot_charge(client, db, books, make_user, login,
                                                                       make_member):
    make_member(books)
    treasurer = make_user("t@example.org", coop=books, roles=["treasurer"])
    login(client, treasurer)
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books))
    db.rollback()
    plan_id = db.scalar(sa.select(DuesPlan.id))
    response = client.post(f"/c/{books.slug}/books/dues/{plan_id}/charge",
                           data={"period": "2026-03-01", "expected_count": "1", "expected_total": "2500"})
    run_url = response.headers["Location"]
    client.post("/logout")
    login(client, make_user("consejo@example.org", coop=books, roles=["auditor"]))
    assert client.get(f"/c/{books.slug}/books/dues/").status_code == 200
    plan_page = client.get(f"/c/{books.slug}/books/dues/{plan_id}")
    assert plan_page.status_code == 200 and "Ver quién lo debe" not in text_of(plan_page)
    assert client.get(run_url).status_code == 200
    assert client.get(f"/c/{books.slug}/books/dues/new").status_code == 403
    assert client.get(f"/c/{books.slug}/books/dues/{plan_id}/charge?period=2026-04-01").status_code == 403
    client.post("/logout")
    login(client, make_user("socia@example.org", coop=books, roles=["member"]))
    assert client.get(f"/c/{books.slug}/books/dues/").status_code == 403
    assert client.get(run_url).status_code == 403


def test_another_coops_plan_is_not_found(client, db, books, treasurer, make_coop, make_user, login):
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books))
    db.rollback()
    plan_id = db.scalar(sa.select(DuesPlan.id))
    other = make_coop("vecina")
    client.post("/logout")
    login(client, make_user("vecina@example.org", coop=other, roles=["treasurer"]))
    assert client.get(f"/c/vecina/books/dues/{plan_id}").status_code == 404
    assert client.get(f"/c/vecina/books/dues/{plan_id}/edit").status_code == 404


def test_deactivating_a_plan_hides_the_charge_form(client, db, books, treasurer):
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books))
    db.rollback()
    plan_id = db.scalar(sa.select(DuesPlan.id))
    client.post(f"/c/{books.slug}/books/dues/{plan_id}/active", data={"active": "0"})
    page = client.get(f"/c/{books.slug}/books/dues/{plan_id}")
    assert "Ver quién lo debe" not in text_of(page) and "Volver a cobrar este plan" in text_of(page)
    edit = client.post(f"/c/{books.slug}/books/dues/{plan_id}/edit", data=plan_form(db, books, amount="30"))
    assert edit.status_code == 302
    db.rollback()
    plan = db.get(DuesPlan, plan_id)
    assert (plan.is_active, plan.amount_minor) == (False, 3000)
    assert dt.date(2026, 1, 1) == plan.start_date
