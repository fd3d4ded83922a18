"""Citing a resolution from the member register's and the books' forms: the "Resolution in the
register" field suggests the recent resolutions, takes any resolution of the register typed by its
reference, and refuses, beside the field and with nothing saved, what names none of the co-op's."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.tenancy import Role
from ledger import budgets
from ledger import services as ledger_services
from ledger.models import Budget, DuesPlan
from meetings import register
from members import applications, services
from members.applications import ApplicationData, Source
from members.models import (Application, ApplicationStatus, DocumentType, LotAssignment, Member,
                            ShareSubscription)
from tests.conftest import field_error, once, text_of
from tests.meetings.conftest import ASSEMBLY_DAY
from tests.meetings.record_factories import resolve
from tests.members.conftest import cedula

PAST = dt.date(2026, 1, 15)


@pytest.fixture
def assembly(make_meeting, assembly_coop):
    return make_meeting(assembly_coop)


@pytest.fixture
def budget_resolution(db, assembly_coop, assembly):
    return resolve(db, assembly_coop, assembly, "Aprobación del presupuesto 2027")


@pytest.fixture
def office(client, assembly_coop, make_user, login):
    """The secretary, who is also the treasurer, reading in English."""
    user = make_user("oficina@example.org", coop=assembly_coop, roles=[Role.SECRETARY, Role.TREASURER])
    login(client, user)
    client.post("/language", data={"lang": "en"})
    return user


def url(coop, path: str) -> str:
    return f"/c/{coop.slug}{path}"


def household_with_lot(db, coop):
    db.rollback()
    coop = db.merge(coop)
    household = services.create_household(db, None, coop, name="Familia Tipán")
    lot = services.create_lot(db, None, coop, block="B", number="12")
    db.commit()
    return household, lot


def plan_form(db, coop, **fields) -> dict:
    db.rollback()
    income = ledger_services.account_by_code(db, db.merge(coop), "4.1")
    return {"name": "Aporte 2027", "amount": "25,00", "frequency": "monthly", "debtors": "members",
            "income_account": str(income.id), "start_date": "2027-04-01", "due_days": "10",
            "resolution_ref": ""} | fields


def draft_budget(db, coop) -> Budget:
    db.rollback()
    coop = db.merge(coop)
    budget = budgets.create_budget(db, None, coop, 2027)
    budgets.set_account_months(db, None, coop, budget, ledger_services.account_by_code(db, coop, "4.1"), {1: 100000})
    db.commit()
    return budget


def citing_forms(db, coop, member, household, lot) -> list[tuple[str, dict]]:
    """The forms that cite a resolution, filled in but for it: shares, a lot, a dues plan, a budget."""
    day = ASSEMBLY_DAY.isoformat()
    return [(f"/members/{member.number}/shares", {**once(), "amount": "500", "instalments": "10",
                                                  "first_due_date": day}),
            (f"/members/lots/{lot.id}/assign", {"household_id": household.id, "from_date": day}),
            ("/books/dues/new", plan_form(db, coop)),
            ("/books/budgets/2027/approve", {"resolution_ref": ""})]


def cited(db, resolution) -> list[str]:
    db.rollback()
    return [c.kind for c in register.applied_to(db, db.merge(resolution))]


def test_a_typed_reference_cites_the_resolution_from_each_form_and_is_linked_both_ways(
        client, db, assembly_coop, budget_resolution, make_member, office):
    member = make_member(assembly_coop, given_names="Luis", family_names="Tipán")
    household, lot = household_with_lot(db, assembly_coop)
    draft_budget(db, assembly_coop)
    budget_label = "2027-001 Aprobación del presupuesto 2027"
    typed = ["2027-1", "1/2027", budget_label, " 2027-001 "]  # as people write it, or a suggestion picked
    for (path, data), reference in zip(citing_forms(db, assembly_coop, member, household, lot), typed, strict=True):
        assert client.post(url(assembly_coop, path), data=data | {"resolution_id": reference}).status_code == 302, path
    assert cited(db, budget_resolution) == ["shares", "lot", "dues", "budget"]
    resolution_page = client.get(url(assembly_coop, f"/meetings/resolutions/{budget_resolution.id}"))
    assert "Luis Tipán" in text_of(resolution_page) and "B-12: Familia Tipán" in text_of(resolution_page)
    link = f'href="/c/{assembly_coop.slug}/meetings/resolutions/{budget_resolution.id}"'
    for path in (f"/members/{member.number}", f"/members/lots/{lot.id}", "/books/budgets/2027"):
        assert link in client.get(url(assembly_coop, path)).get_data(as_text=True), path
    db.rollback()
    assert db.scalar(sa.select(Budget.resolution_ref)) == budget_label


def test_editing_a_plan_shows_its_resolution_and_another_can_be_typed_or_none(
        client, db, assembly_coop, assembly, budget_resolution, office):
    dues_resolution = resolve(db, assembly_coop, assembly, "Cuota de mantenimiento")
    client.post(url(assembly_coop, "/books/dues/new"), data=plan_form(db, assembly_coop, resolution_id="2027-001"))
    db.rollback()
    plan = db.scalar(sa.select(DuesPlan))
    edit = url(assembly_coop, f"/books/dues/{plan.id}/edit")
    page = client.get(edit).get_data(as_text=True)
    assert 'name="resolution_id" type="text" value="2027-001 Aprobación del presupuesto 2027"' in page
    for typed, expected in (("2027-002 Cuota de mantenimiento", dues_resolution.id), ("", None)):
        assert client.post(edit, data=plan_form(db, assembly_coop, resolution_id=typed)).status_code == 302
        db.rollback()
        assert db.get(DuesPlan, plan.id).resolution_id == expected


def test_the_field_suggests_the_latest_two_years_and_an_older_resolution_can_still_be_typed(
        client, db, assembly_coop, assembly, make_member, office, monkeypatch):
    old = resolve(db, assembly_coop, assembly, "Reglamento de mingas", on=dt.date(2019, 5, 4))
    resolve(db, assembly_coop, assembly, "Muro de la quebrada", on=dt.date(2026, 6, 6))
    resolve(db, assembly_coop, assembly, "Parque infantil")
    member = make_member(assembly_coop)
    status = url(assembly_coop, f"/members/{member.number}/status")
    page = client.get(status).get_data(as_text=True)
    assert page.count("<option value=\"20") == 2 and "2026-001 Muro de la quebrada" in page
    assert "2027-001 Parque infantil" in page and "Reglamento de mingas" not in page
    monkeypatch.setattr(register, "RECENT_LIMIT", 1)
    assert client.get(status).get_data(as_text=True).count("<option value=\"20") == 1
    response = client.post(status, data={"status": "suspended", "effective_date": ASSEMBLY_DAY.isoformat(),
                                         "reason": "Tres mingas faltadas", "resolution_id": "2019-001"})
    assert response.status_code == 302
    assert cited(db, old) == ["status"]


def test_another_coops_reference_or_words_are_refused_beside_the_field_and_nothing_is_saved(
        client, db, assembly_coop, assembly, make_coop, make_meeting, make_member, office):
    other = make_coop("vecina")
    resolve(db, other, make_meeting(other), "Expulsión", on=dt.date(2026, 2, 2))
    member = make_member(assembly_coop)
    household, lot = household_with_lot(db, assembly_coop)
    budget = draft_budget(db, assembly_coop)
    for typed in ("2026-001", "el presupuesto"):
        for path, data in citing_forms(db, assembly_coop, member, household, lot):
            response = client.post(url(assembly_coop, path), data=data | {"resolution_id": typed})
            assert response.status_code in (200, 400), path
            assert field_error(response, "resolution_id").startswith(
                f"This co-op's register has no resolution “{typed.split()[0]}”."), path
    db.rollback()
    for model in (ShareSubscription, LotAssignment, DuesPlan):
        assert db.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert db.get(Budget, budget.id).approved_dt is None


def test_the_application_page_sends_the_suggestions_once_and_a_refused_admission_admits_nobody(
        client, db, assembly_coop, budget_resolution, office):
    db.rollback()
    application = applications.submit_application(db, None, db.merge(assembly_coop), ApplicationData(
        given_names="Segundo", family_names="Quinatoa", document_type=DocumentType.CEDULA,
        document_number=cedula(4242), birth_date=dt.date(1985, 2, 3)), source=Source.PUBLIC, today=PAST)
    db.commit()
    page_url = url(assembly_coop, f"/members/applications/{application.id}")
    page = client.get(page_url).get_data(as_text=True)
    assert page.count('list="register-decisions"') == 2 and page.count("<datalist") == 1
    approve = {"approve-decision_date": PAST.isoformat(), "approve-resolution_ref": "", "approve-reason": ""}
    refused = client.post(f"{page_url}/approve", data=approve | {"approve-resolution_id": "2027-999"})
    assert field_error(refused, "approve-resolution_id").startswith("This co-op's register has no resolution")
    db.rollback()
    assert db.get(Application, application.id).status is ApplicationStatus.PENDING
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
    assert client.post(f"{page_url}/approve", data=approve | {"approve-resolution_id": "2027-001"}).status_code == 302
    assert cited(db, budget_resolution) == ["status", "admission"]
