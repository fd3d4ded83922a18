"""The register of resolutions: search, years, pages; and the links both ways between a resolution
and the member register's and the books' records that cite it (status changes, admissions, share
subscriptions, lot assignments, dues plans, budgets)."""
from __future__ import annotations

import datetime as dt

import pytest

from coop import decisions
from coop.errors import DomainError
from coop.tenancy import Role
from ledger import budgets, dues
from ledger import services as ledger_services
from ledger.models import Debtors, Frequency
from meetings import register
from members import applications, portal, services
from members.applications import ApplicationData, Source
from members.models import DocumentType, MemberStatus
from tests.conftest import field_error, text_of
from tests.meetings.conftest import ASSEMBLY_DAY
from tests.meetings.record_factories import resolve
from tests.members.conftest import cedula

TODAY = ASSEMBLY_DAY + dt.timedelta(days=30)


@pytest.fixture
def assembly(make_meeting, assembly_coop):
    return make_meeting(assembly_coop)


@pytest.fixture
def budget_resolution(db, assembly_coop, assembly):
    return resolve(db, assembly_coop, assembly, "Aprobación del presupuesto 2027",
                   "Se aprueba el presupuesto de ingresos y gastos del año 2027.")


def titles(rows) -> list[str]:
    return [resolution.title for resolution, _meeting in rows]


# --- the register -----------------------------------------------------------------------------

def test_search_finds_every_word_in_title_or_text_newest_first(ctx, db, assembly_coop, assembly):
    resolve(db, assembly_coop, assembly, "Aprobación del presupuesto 2027", "Ingresos y gastos del año.")
    resolve(db, assembly_coop, assembly, "Cuota de mantenimiento", "Se fija la cuota del muro de la quebrada.")
    resolve(db, assembly_coop, assembly, "Muro de contención", "Presupuesto del muro: 12.000 dólares.")
    found, total = register.search(db, assembly_coop, register.RegisterQuery(text="MURO"))
    assert (titles(found), total) == (["Muro de contención", "Cuota de mantenimiento"], 2)
    found, _ = register.search(db, assembly_coop, register.RegisterQuery(text="presupuesto muro"))
    assert titles(found) == ["Muro de contención"]
    found, _ = register.search(db, assembly_coop, register.RegisterQuery(text="100%_"))
    assert found == []


def test_the_year_narrows_and_the_register_pages(ctx, db, assembly_coop, assembly):
    for n in range(3):
        resolve(db, assembly_coop, assembly, f"Acuerdo antiguo {n}", on=dt.date(2026, 5, 1 + n))
    for n in range(4):
        resolve(db, assembly_coop, assembly, f"Acuerdo {n}")
    assert register.years_of(db, assembly_coop) == [2027, 2026]
    found, total = register.search(db, assembly_coop, register.RegisterQuery(year=2026))
    assert total == 3 and [r.reference for r, _ in found] == ["2026-003", "2026-002", "2026-001"]
    second_page, total = register.search(db, assembly_coop, register.RegisterQuery(), page=2, per_page=5)
    assert total == 7 and [r.reference for r, _ in second_page] == ["2026-002", "2026-001"]


def test_another_coops_resolutions_are_neither_found_nor_offered(ctx, db, assembly_coop, assembly, make_coop,
                                                                  make_meeting):
    other = make_coop("vecina")
    theirs = resolve(db, other, make_meeting(other), "Presupuesto vecino")
    ours = resolve(db, assembly_coop, assembly, "Presupuesto nuestro")
    found, _ = register.search(db, assembly_coop, register.RegisterQuery(text="presupuesto"))
    assert titles(found) == ["Presupuesto nuestro"]
    assert decisions.recent(db, assembly_coop) == [(ours.id, "2027-001 Presupuesto nuestro")]
    with pytest.raises(DomainError) as refused:
        decisions.checked(db, assembly_coop, theirs.id)
    assert refused.value.field == "resolution_id"
    assert decisions.checked(db, assembly_coop, ours.id) == ours.id and decisions.checked(db, assembly_coop, None) is None
    # both registers have a 2027-001: typed, it is always the co-op's own
    assert decisions.checked(db, assembly_coop, decisions.Typed("2027-001")) == ours.id
    assert decisions.checked(db, make_coop("tercera"), decisions.Typed("")) is None
    with pytest.raises(DomainError) as refused:
        decisions.checked(db, make_coop("cuarta"), decisions.Typed("2027-001 Presupuesto vecino"))
    assert (refused.value.field, refused.value.text) == (
        "resolution_id", "This co-op's register has no resolution “2027-001”. Type its reference "
                         "(year-number, such as 2027-014) or choose one from the list.")


@pytest.mark.parametrize("typed, reference", [
    ("2027-014", (2027, 14)), ("2027-14", (2027, 14)), ("2027/14", (2027, 14)), ("14/2027", (2027, 14)),
    ("14-2027", (2027, 14)), ("2027-014 Aprobación del presupuesto", (2027, 14)), ("  2027-1000: muro", (2027, 1000)),
    ("presupuesto 2027-014", None), ("14", None), ("2027", None), ("2027-000", None), ("27-14", None), ("", None)])
def test_a_reference_is_read_from_the_first_word_as_people_write_it(typed, reference):
    assert register.parse_reference(typed) == reference


# --- links both ways ----------------------------------------------------------------------------

def cited(db, resolution) -> list[tuple[str, str]]:
    db.rollback()
    return [(c.kind, c.text) for c in register.applied_to(db, db.merge(resolution))]


def test_a_status_change_points_to_its_resolution(ctx, db, assembly_coop, budget_resolution, make_member):
    member = make_member(assembly_coop, given_names="Rosa", family_names="Caiza")
    db.rollback()
    services.change_status(db, None, db.merge(assembly_coop), db.merge(member), MemberStatus.SUSPENDED,
                           effective_date=ASSEMBLY_DAY, reason="Tres mingas faltadas", today=TODAY,
                           resolution_id=budget_resolution.id)
    db.commit()
    assert cited(db, budget_resolution) == [("status", f"{member.number} Rosa Caiza: suspended")]


def test_the_members_own_data_cites_the_resolution_of_the_register_not_an_empty_text(
        ctx, db, assembly_coop, budget_resolution, make_member):
    member = make_member(assembly_coop, given_names="Rosa", family_names="Caiza")
    db.rollback()
    services.change_status(db, None, db.merge(assembly_coop), db.merge(member), MemberStatus.SUSPENDED,
                           effective_date=ASSEMBLY_DAY, reason="Tres mingas faltadas", today=TODAY,
                           resolution_id=budget_resolution.id)
    db.commit()
    data = portal.my_data(db, db.merge(assembly_coop), db.merge(member))
    exported = portal.my_data_json(data, exported=dt.datetime(2027, 3, 20, 12))
    cited_as = decisions.label(db, assembly_coop, budget_resolution.id)
    assert cited_as and exported["status_history"][-1]["resolution"] == cited_as
    assert exported["status_history"][0]["resolution"] == ""  # the first status came without a decision

def test_an_admission_points_to_its_resolution_and_so_does_the_new_members_first_status(
        ctx, db, assembly_coop, budget_resolution):
    db.rollback()
    coop = db.merge(assembly_coop)
    application = applications.submit_application(db, None, coop, ApplicationData(
        given_names="Segundo", family_names="Quinatoa", document_type=DocumentType.CEDULA,
        document_number=cedula(4242), birth_date=dt.date(1985, 2, 3)), source=Source.PUBLIC, today=TODAY)
    approval = applications.approve_application(db, None, coop, application, decision_date=ASSEMBLY_DAY,
                                                today=TODAY, resolution_id=budget_resolution.id)
    db.commit()
    number = approval.member.number
    assert cited(db, budget_resolution) == [("status", f"{number} Segundo Quinatoa: active"),
                                            ("admission", "Segundo Quinatoa: approved")]


def test_a_share_subscription_and_a_lot_assignment_point_to_their_resolution(
        ctx, db, assembly_coop, budget_resolution, make_member):
    member = make_member(assembly_coop, given_names="Luis", family_names="Tipán")
    db.rollback()
    coop = db.merge(assembly_coop)
    services.subscribe_shares(db, None, coop, db.merge(member), amount_minor=50000, instalments=10,
                              first_due_date=ASSEMBLY_DAY, resolution_id=budget_resolution.id)
    household = services.create_household(db, None, coop, name="Familia Tipán")
    lot = services.create_lot(db, None, coop, block="B", number="12")
    services.assign_lot(db, None, coop, lot, household, from_date=ASSEMBLY_DAY, today=TODAY,
                        resolution_id=budget_resolution.id)
    db.commit()
    assert cited(db, budget_resolution) == [("shares", f"{member.number} Luis Tipán"),
                                            ("lot", "B-12: Familia Tipán")]


def test_a_dues_plan_and_a_budget_point_to_their_resolution(ctx, db, assembly_coop, budget_resolution):
    db.rollback()
    coop = db.merge(assembly_coop)
    income = ledger_services.account_by_code(db, coop, "4.1")
    dues.create_plan(db, None, coop, dues.PlanData(
        name="Aporte 2027", amount_minor=2500, frequency=Frequency.MONTHLY, debtors=Debtors.MEMBERS,
        income_account_id=income.id, start_date=dt.date(2027, 4, 1), resolution_id=budget_resolution.id))
    budget = budgets.create_budget(db, None, coop, 2027)
    budgets.set_account_months(db, None, coop, budget, income, {1: 100000})
    budgets.approve_budget(db, None, coop, budget, "", resolution_id=budget_resolution.id)
    db.commit()
    assert cited(db, budget_resolution) == [("dues", "Aporte 2027"), ("budget", "2027")]
    db.rollback()
    approved = budgets.budget_for_year(db, db.merge(assembly_coop), 2027)
    assert approved.resolution_ref == "2027-001 Aprobación del presupuesto 2027"


def test_a_resolution_of_another_coop_is_refused_and_nothing_is_saved(ctx, db, assembly_coop, make_coop,
                                                                      make_meeting, make_member):
    other = make_coop("vecina")
    theirs = resolve(db, other, make_meeting(other), "Expulsión")
    member = make_member(assembly_coop)
    db.rollback()
    with pytest.raises(DomainError) as refused:
        services.change_status(db, None, db.merge(assembly_coop), db.merge(member), MemberStatus.SUSPENDED,
                               effective_date=ASSEMBLY_DAY, reason="x", today=TODAY, resolution_id=theirs.id)
    assert (refused.value.field, refused.value.text) == ("resolution_id", "Choose a resolution of this co-op's register.")
    db.rollback()
    assert db.merge(member).status == MemberStatus.ACTIVE


# --- the pages ------------------------------------------------------------------------------------

@pytest.fixture
def secretary(client, db, assembly_coop, make_user, login):
    user = make_user("secretaria@example.org", coop=assembly_coop, roles=[Role.SECRETARY, Role.ADMIN])
    login(client, user)
    client.post("/language", data={"lang": "en"})  # the pages are read in English
    return user


def test_the_status_form_suggests_the_register_and_the_member_page_links_to_it(
        client, db, assembly_coop, budget_resolution, make_member, secretary):
    member = make_member(assembly_coop, given_names="Rosa", family_names="Caiza")
    url = f"/c/{assembly_coop.slug}/members/{member.number}/status"
    form = client.get(url).get_data(as_text=True)
    assert 'list="register-decisions"' in form
    assert '<option value="2027-001 Aprobación del presupuesto 2027">' in form
    response = client.post(url, data={"status": "suspended", "effective_date": ASSEMBLY_DAY.isoformat(),
                                      "reason": "Tres mingas faltadas", "resolution_ref": "",
                                      "resolution_id": "2027-001 Aprobación del presupuesto 2027"})
    assert response.status_code == 302
    page = client.get(f"/c/{assembly_coop.slug}/members/{member.number}").get_data(as_text=True)
    assert f'href="/c/{assembly_coop.slug}/meetings/resolutions/{budget_resolution.id}"' in page
    resolution_page = client.get(f"/c/{assembly_coop.slug}/meetings/resolutions/{budget_resolution.id}")
    assert f"{member.number} Rosa Caiza" in text_of(resolution_page)
    assert f'href="/c/{assembly_coop.slug}/members/{member.number}"' in resolution_page.get_data(as_text=True)


def test_a_made_up_reference_is_refused_beside_the_field_and_kept_as_typed(
        client, db, assembly_coop, budget_resolution, make_member, secretary):
    member = make_member(assembly_coop)
    response = client.post(f"/c/{assembly_coop.slug}/members/{member.number}/status",
                           data={"status": "suspended", "effective_date": ASSEMBLY_DAY.isoformat(),
                                 "reason": "x", "resolution_id": str(budget_resolution.id)})
    assert response.status_code == 200  # an id is not a reference: 2027-001 is
    assert field_error(response, "resolution_id").startswith(
        f"This co-op's register has no resolution “{budget_resolution.id}”.")
    assert f'name="resolution_id" type="text" value="{budget_resolution.id}"' in response.get_data(as_text=True)
    db.rollback()
    assert db.merge(member).status == MemberStatus.ACTIVE


def test_members_search_the_register_and_read_a_resolution(client, db, assembly_coop, assembly, make_user, login):
    resolve(db, assembly_coop, assembly, "Cuota de mantenimiento", "Se fija la cuota del muro.")
    other = resolve(db, assembly_coop, assembly, "Parque infantil", "Se construye el parque.")
    login(client, make_user(coop=assembly_coop, roles=[Role.MEMBER]))
    client.post("/language", data={"lang": "en"})
    listing = text_of(client.get(f"/c/{assembly_coop.slug}/meetings/resolutions?q=muro"))
    assert "Cuota de mantenimiento" in listing and "Parque infantil" not in listing
    assert "1 resolution" in listing
    page = text_of(client.get(f"/c/{assembly_coop.slug}/meetings/resolutions/{other.id}"))
    assert "Resolution 2027-002: Parque infantil" in page and "Se construye el parque." in page
    assert "No record of the member register or the books cites this resolution yet." in page
    bad_year = client.get(f"/c/{assembly_coop.slug}/meetings/resolutions?year=abc&page=x")
    assert bad_year.status_code == 200 and "2 resolutions" in text_of(bad_year)
