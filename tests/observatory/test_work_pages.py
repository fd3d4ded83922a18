"""The work packages' pages as members and officers use them: reading what became of a decision,
opening a package, linking sessions and expenses, reporting progress with a photo, and the
accountability report on screen and on paper."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from coop import tasks
from coop.tenancy import Role
from meetings.observatory.models import WorkExpenseLink, WorkPackage, WorkStatus, WorkUpdate
from tests.conftest import flashes, once, text_of
from tests.observatory.work_factories import (PNG, make_commission, make_package, make_resolution,  # noqa: F401
                                              make_work_session, paid_expense)


@pytest.fixture
def park(obs_coop, make_member, make_resolution, make_package, make_commission, make_work_session, paid_expense):
    """The park's swings, decided by the assembly: one Minga session of three people, one paid bill."""
    parks = make_commission(obs_coop, "Parques")
    members = [make_member(obs_coop) for _ in range(3)]
    minga = make_work_session(obs_coop, parks, "Minga del parque",
                              worked=[(m, "present", 240) for m in members[:2]] + [(members[2], "absent", 0)])
    bill = paid_expense(obs_coop, amount_minor=180_000, supplier="Metalmecánica Sur")
    resolution = make_resolution(obs_coop, "Juegos infantiles para el parque del bloque B")
    return make_package(obs_coop, resolution, title="Columpios del parque", voted_minor=250_000, commission=parks,
                        sessions=[minga], expenses=[bill], status=WorkStatus.UNDER_WAY, progress_pct=40)


def base(coop) -> str:
    return f"/c/{coop.slug}/observatory"


def test_a_member_follows_a_decision_to_its_money_and_hours_but_cannot_change_it(
        client, login, make_user, obs_coop, park):
    login(client, make_user(coop=obs_coop, roles=[Role.MEMBER], locale="en"))
    listing = text_of(client.get(f"{base(obs_coop)}/work"))
    assert "Columpios del parque" in listing and "$2,500.00" in listing and "$1,800.00" in listing
    assert "8 h" in listing and "Open a work package" not in listing
    page = client.get(f"{base(obs_coop)}/work/{park.id}")
    text = text_of(page)
    assert page.status_code == 200
    assert "Juegos infantiles para el parque del bloque B" in text and "Metalmecánica Sur" in text
    assert "Difference $700.00" in text and "Parques: 8 h" in text and "Minga del parque" in text
    html = page.get_data(as_text=True)
    assert "/observatory/budget/expenses/" in html and "/observatory/work/" in html
    assert "/meetings/resolutions/" in html and "/observatory/budget/2026/lines/" in html
    assert f"subject=work_package&amp;id={park.id}" in html
    assert "Change" not in text
    assert client.get(f"{base(obs_coop)}/work/{park.id}/edit").status_code == 403
    assert client.get(f"{base(obs_coop)}/work/new").status_code == 403


def test_another_coops_work_package_does_not_exist_here(client, login, make_user, make_coop, obs_coop, park):
    other = make_coop("vecina")
    login(client, make_user(coop=other, roles=[Role.ADMIN], locale="en"))
    assert client.get(f"/c/{other.slug}/observatory/work/{park.id}").status_code == 404


def test_the_secretary_opens_a_package_for_a_resolution_once_however_many_clicks(
        client, db, login, make_user, obs_coop, make_resolution):
    resolution = make_resolution(obs_coop, "Reparar el techo de la casa comunal")
    login(client, make_user(coop=obs_coop, roles=[Role.SECRETARY], locale="en"))
    form = text_of(client.get(f"{base(obs_coop)}/work/new"))
    assert f"{resolution.reference} · Reparar el techo de la casa comunal" in form
    from tests.observatory.conftest import account
    db.rollback()
    line = account(db, db.merge(obs_coop), "5.3")
    data = {"resolution": resolution.id, "title": "Techo de la casa comunal", "description": "Cambiar las planchas.",
            "account": line.id, "voted": "1,250.00", "commission": "", **once()}
    first = client.post(f"{base(obs_coop)}/work/new", data=data)
    again = client.post(f"{base(obs_coop)}/work/new", data=data)
    assert first.status_code == 302 and again.status_code in (302, 303)
    db.rollback()
    [package] = db.scalars(sa.select(WorkPackage)).all()
    assert (package.voted_minor, package.resolution_id, package.account_id) == (125_000, resolution.id, line.id)
    refused = client.post(f"{base(obs_coop)}/work/new", data={**data, "title": "", "account": "", **once()})
    assert refused.status_code == 422 and "Write the work package's title." in text_of(refused)


def test_finishing_work_without_its_day_is_refused_beside_the_field(client, login, make_user, obs_coop, park, db):
    login(client, make_user(coop=obs_coop, roles=[Role.ADMIN], locale="en"))
    page = client.get(f"{base(obs_coop)}/work/{park.id}/edit")
    assert page.status_code == 200 and "Finished on" in text_of(page)
    data = {"title": "Columpios del parque", "description": "", "account": park.account_id, "voted": "2500",
            "commission": park.commission_id, "status": "finished", "progress": "100", "finished_on": ""}
    refused = client.post(f"{base(obs_coop)}/work/{park.id}/edit", data=data)
    assert refused.status_code == 422 and "Write the day the work finished." in text_of(refused)
    saved = client.post(f"{base(obs_coop)}/work/{park.id}/edit", data={**data, "finished_on": "2027-02-27"})
    assert saved.status_code == 302
    db.rollback()
    assert db.get(WorkPackage, park.id).status == WorkStatus.FINISHED


def test_the_treasurer_links_an_expense_and_one_already_elsewhere_is_named(
        client, db, login, make_user, obs_coop, park, make_package, make_resolution, paid_expense):
    school = make_package(obs_coop, make_resolution(obs_coop, "Aulas"), title="Aulas de la escuela")
    cement = paid_expense(obs_coop, amount_minor=45_000, supplier="Cementos del Valle")
    taken = db.scalar(sa.select(WorkExpenseLink.expense_id).where(WorkExpenseLink.package_id == park.id))
    login(client, make_user(coop=obs_coop, roles=[Role.TREASURER], locale="en"))
    page = text_of(client.get(f"{base(obs_coop)}/work/{school.id}/links"))
    assert "Cementos del Valle" in page and "Minga del parque" in page
    linked = client.post(f"{base(obs_coop)}/work/{school.id}/links", data={"action": "link_expense",
                                                                            "expense": cement.id},
                         follow_redirects=True)
    assert "The expense is linked" in " ".join(flashes(linked))
    refused = client.post(f"{base(obs_coop)}/work/{school.id}/links", data={"action": "link_expense",
                                                                             "expense": taken})
    assert refused.status_code == 422
    assert "already counts for the work package “Columpios del parque”" in text_of(refused)
    db.rollback()
    assert db.scalar(sa.select(WorkExpenseLink.package_id).where(WorkExpenseLink.expense_id == taken)) == park.id
    unlinked = client.post(f"{base(obs_coop)}/work/{school.id}/links", data={"action": "unlink_expense",
                                                                              "expense": cement.id})
    assert unlinked.status_code == 302
    db.rollback()
    assert db.scalar(sa.select(WorkExpenseLink.id).where(WorkExpenseLink.expense_id == cement.id)) is None


def test_a_progress_report_with_a_photo_shows_on_the_package_page(client, db, login, make_user, obs_coop, park):
    login(client, make_user(coop=obs_coop, roles=[Role.SECRETARY], locale="en"))
    assert "At most 5 MB." in text_of(client.get(f"{base(obs_coop)}/work/{park.id}/updates"))
    sent = client.post(f"{base(obs_coop)}/work/{park.id}/updates", content_type="multipart/form-data",
                       data={"text": "Columpios instalados; falta pintar.", "progress": "85",
                             "photo": (io.BytesIO(PNG), "columpios.png"), **once()})
    assert sent.status_code == 302
    db.rollback()
    update = db.scalar(sa.select(WorkUpdate))
    page = client.get(f"{base(obs_coop)}/work/{park.id}")
    assert "Columpios instalados; falta pintar." in text_of(page) and "85 %" in text_of(page)
    assert f"/work/{park.id}/updates/{update.id}/photo" in page.get_data(as_text=True)
    photo = client.get(f"{base(obs_coop)}/work/{park.id}/updates/{update.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG
    not_a_photo = client.post(f"{base(obs_coop)}/work/{park.id}/updates", content_type="multipart/form-data",
                              data={"text": "Otra", "progress": "90", "photo": (io.BytesIO(b"hello"), "x.jpg"),
                                    **once()})
    assert not_a_photo.status_code == 422 and "Attach a photo in JPEG or PNG." in text_of(not_a_photo)


def test_the_accountability_page_and_its_pdf_for_the_assembly(app, client, db, login, make_user, obs_coop, park):
    login(client, make_user(coop=obs_coop, roles=[Role.MEMBER], locale="en"))
    page = client.get(f"{base(obs_coop)}/accountability")
    text = text_of(page)
    assert "What became of the decisions" in text and "Columpios del parque" in text
    assert "Voted $2,500.00" in text and "Spent $1,800.00" in text and "Difference $700.00" in text
    assert "Parques: 8 h" in text
    html = page.get_data(as_text=True)
    expense_id = db.scalar(sa.select(WorkExpenseLink.expense_id).where(WorkExpenseLink.package_id == park.id))
    assert f"/observatory/budget/expenses/{expense_id}" in html and f"/observatory/work/{park.id}" in html
    assert "/meetings/resolutions/" in html
    queued = client.post(f"{base(obs_coop)}/accountability/print")
    assert queued.status_code == 302 and "/tasks/" in queued.headers["Location"]
    db.rollback()
    task = db.scalar(sa.select(tasks.Task).where(tasks.Task.kind == "observatory.accountability"))
    assert tasks.run_task(app, task.id) == tasks.TaskStatus.DONE
    listed = text_of(client.get(f"{base(obs_coop)}/accountability/print"))
    assert task.filename in listed and "Ready" in listed


@pytest.mark.parametrize("path", ["/work", "/work?by=process", "/work/{id}", "/work/{id}/links", "/accountability"])
def test_every_table_of_the_work_pages_stacks_on_a_phone_with_its_columns_named(
        client, login, make_user, obs_coop, park, path):
    from tests.coop.test_stacked_tables import Tables, unlabelled_cells
    login(client, make_user(coop=obs_coop, roles=[Role.ADMIN], locale="en"))
    response = client.get(base(obs_coop) + path.format(id=park.id))
    assert response.status_code == 200
    tables = Tables(response.get_data(as_text=True)).tables
    assert tables and all("stack" in table["classes"] for table in tables)
    for table in tables:
        assert unlabelled_cells(table) == []


def test_a_resolution_and_an_expense_lead_to_the_work_they_paid_for(client, db, login, make_user, obs_coop, park):
    db.rollback()
    package = db.merge(park)
    expense_id = db.scalar(sa.select(WorkExpenseLink.expense_id).where(WorkExpenseLink.package_id == package.id))
    login(client, make_user(coop=obs_coop, roles=[Role.MEMBER], locale="en"))
    page = client.get(f"/c/{obs_coop.slug}/meetings/resolutions/{package.resolution_id}")
    html = page.get_data(as_text=True)
    assert "Columpios del parque" in text_of(page) and f"/observatory/work/{package.id}" in html
    assert "Open a work package for this resolution" not in text_of(page)
    client.post("/logout")
    login(client, make_user("secretaria@example.org", coop=obs_coop, roles=[Role.SECRETARY], locale="en"))
    page = client.get(f"/c/{obs_coop.slug}/meetings/resolutions/{package.resolution_id}")
    assert "Open a work package for this resolution" in text_of(page)
    assert f"/observatory/work/new?resolution={package.resolution_id}" in page.get_data(as_text=True)
    from meetings.observatory import trace
    assert [p.id for p in trace.packages_for(db, db.merge(obs_coop), expense_id=expense_id)] == [package.id]
    bill = client.get(f"/c/{obs_coop.slug}/observatory/budget/expenses/{expense_id}")
    assert "Columpios del parque" in text_of(bill) and f"/observatory/work/{package.id}" in bill.get_data(as_text=True)
