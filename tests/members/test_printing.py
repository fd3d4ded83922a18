"""Printing the register: Ana's membership certificate, and the register of members that the
oversight council of Quebrada Verde asks for, prints in the background and downloads when done."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coop import pdf, tasks
from coop.audit import AuditEvent
from coop.tasks import Task, TaskStatus
from coop.scheduler import run_job
from members import printing, services
from members.models import DocumentType, LotStatus, MemberStatus
from tests.conftest import flashes, text_of
from tests.members.conftest import TODAY, cedula

ANA_DOCUMENT = cedula(701)


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page without any whitespace: pypdf splits kerned pairs ("T oapanta")."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def events_of(app, action: str) -> list[AuditEvent]:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)))


def registers_of(app, coop) -> list[Task]:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return list(session.scalars(sa.select(Task).where(Task.coop_id == coop.id, Task.kind == printing.REGISTER_KIND)
                                    .order_by(Task.id)))


def stored(app, document_id) -> Task:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        document = session.get(Task, document_id)
        session.refresh(document, ["content"])
        return document


@pytest.fixture
def quebrada(make_coop):
    return make_coop("quebrada", name="Cooperativa Quebrada Verde")


@pytest.fixture
def ana(db, quebrada, make_member):
    """Ana (no. 1), of the Toapanta Quishpe family on lot B-12; then José and Rosa."""
    db.rollback()
    family = services.create_household(db, None, db.merge(quebrada), name="Familia Toapanta Quishpe",
                                       dependants=2)
    db.commit()
    ana = make_member(quebrada, given_names="Ana Lucía", family_names="Toapanta Quishpe",
                      document_number=ANA_DOCUMENT, join_date=dt.date(2003, 8, 16), household=family)
    make_member(quebrada, given_names="José", family_names="Quishpe Lema", household=family,
                join_date=dt.date(2004, 2, 1))
    rosa = make_member(quebrada, given_names="Rosa", family_names="Pilataxi Caiza", status=MemberStatus.SUSPENDED)
    db.rollback()
    coop = db.merge(quebrada)
    db.merge(rosa).document_type, db.merge(rosa).document_number = DocumentType.PASSPORT, "PA123456"
    lot = services.create_lot(db, None, coop, block="B", number="12", phase="Etapa 2",
                              status=LotStatus.UNDER_CONSTRUCTION)
    services.assign_lot(db, None, coop, lot, db.merge(family), from_date=dt.date(2015, 6, 1),
                        resolution_ref="Asamblea 2015-05-30", today=TODAY)
    db.commit()
    return ana


@pytest.fixture
def person(client, quebrada, make_user, login):
    """Log someone in with a role in Quebrada Verde (reading English unless told otherwise, so that
    the assertions hold before and after the Spanish translation of the new texts)."""
    def as_role(role, locale="en", **fields):
        user = make_user(f"{role}@example.org", coop=quebrada, roles=[role], name=f"{role.title()} Quebrada",
                         locale=locale, **fields)
        login(client, user)
        return user
    return as_role


def ask_for_register(client, app, coop) -> Task:
    response = client.post(f"/c/{coop.slug}/members/register")
    assert response.status_code == 302, response.status_code
    *_, document = registers_of(app, coop)
    return document


# --- the certificate -----------------------------------------------------------------------

def test_secretary_prints_anas_certificate_and_the_printing_is_audited(app, client, quebrada, ana, person):
    secretary = person("secretary", locale="es")

    response = client.get(f"/c/{quebrada.slug}/members/1/certificate.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="certificado-socio-1-quebrada.pdf"'
    [page] = pdf_pages(response.data)  # one page
    for expected in ("Cooperativa Quebrada Verde", "Ana Lucía Toapanta Quishpe", ANA_DOCUMENT,
                     "16 de agosto de 2003", "Familia Toapanta Quishpe", "B-12", "Página 1 de 1"):
        assert squeeze(expected) in page, expected
    [event] = events_of(app, "export.certificate")
    assert (event.actor_id, event.object_type, event.object_id) == (secretary.id, "member", ana.id)
    assert event.summary == "1: Ana Lucía Toapanta Quishpe"


def test_the_certificate_is_in_the_readers_language(client, quebrada, ana, person):
    person("admin")
    page, = pdf_pages(client.get(f"/c/{quebrada.slug}/members/1/certificate.pdf").data)
    assert squeeze("Membership certificate") in page and squeeze("August 16, 2003") in page
    assert squeeze("is member no. 1 of this co-operative") in page
    assert squeeze("Page 1 of 1") in page


def test_a_member_without_household_gets_a_certificate_without_one(client, quebrada, ana, person):
    person("secretary")
    page, = pdf_pages(client.get(f"/c/{quebrada.slug}/members/3/certificate.pdf").data)
    assert squeeze("Rosa Pilataxi Caiza") in page and "PA123456" in page
    assert "Familia" not in page


def test_the_portal_can_print_a_certificate_with_the_same_function(app, db, quebrada, ana):
    with app.test_request_context():
        pdf = printing.render_certificate(db, db.merge(quebrada), db.merge(ana), issued=dt.date(2026, 11, 27))
    [page] = pdf_pages(pdf)
    assert squeeze("Ana Lucía Toapanta Quishpe") in page and squeeze("27 de noviembre de 2026") in page


def test_a_certificate_of_a_number_not_in_this_coop_is_not_found(client, quebrada, ana, person, make_coop,
                                                                 make_member):
    neighbours = make_coop("vecina")
    for _ in range(4):
        make_member(neighbours)
    person("secretary")
    assert client.get(f"/c/{quebrada.slug}/members/4/certificate.pdf").status_code == 404


# --- the register --------------------------------------------------------------------------

def test_the_council_asks_for_the_register_and_downloads_it_when_printed(app, client, quebrada, ana, person):
    auditor = person("auditor")

    document = ask_for_register(client, app, quebrada)

    assert document.status is TaskStatus.PENDING and document.requested_by_id == auditor.id
    assert document.filename.startswith("libro-de-socios-quebrada-")
    [event] = events_of(app, "export.register")
    assert (event.actor_id, event.object_id) == (auditor.id, document.id)
    waiting = client.get(f"/c/{quebrada.slug}/members/register")
    assert waiting.headers["Refresh"] == "3"
    assert '<meta http-equiv="refresh" content="3">' in waiting.get_data(as_text=True)
    assert "Waiting" in text_of(waiting)
    not_yet = client.get(f"/c/{quebrada.slug}/tasks/{document.id}")
    assert not_yet.status_code == 200 and not_yet.mimetype == "text/html" and not_yet.headers["Refresh"] == "3"

    assert tasks.run_task(app, document.id) is TaskStatus.DONE

    done = stored(app, document.id)
    assert (done.progress, done.total) == (3, 3)
    page = client.get(f"/c/{quebrada.slug}/members/register")
    assert "Refresh" not in page.headers and 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert "Ready" in text_of(page) and document.filename in text_of(page)
    response = client.get(f"/c/{quebrada.slug}/tasks/{document.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={document.filename}"
    text = "".join(pdf_pages(response.data))
    for expected in ("Cooperativa Quebrada Verde", "Toapanta Quishpe, Ana Lucía", "Quishpe Lema, José",
                     "Pilataxi Caiza, Rosa", "Familia Toapanta Quishpe", "B-12", "Page 1 of 1",
                     "End of the register: 3 members."):
        assert squeeze(expected) in text, expected
    # the council's copy leaves identity documents out: they are for the secretary and admin only
    assert ANA_DOCUMENT not in text and "PA123456" not in text
    assert text.index("ToapantaQuishpe,AnaLucía") < text.index("QuishpeLema,José") < text.index("PilataxiCaiza")
    [download] = events_of(app, "export.document")
    assert (download.actor_id, download.object_id) == (auditor.id, document.id)


def test_a_long_register_is_printed_in_parts_that_page_and_number_as_if_printed_whole(
        app, client, quebrada, ana, person, make_member, monkeypatch):
    for serial in range(57):
        make_member(quebrada, given_names=f"Socio {serial + 4}")
    person("secretary", locale="es")
    passes = []
    original = pdf.layout_pdf
    monkeypatch.setattr(pdf, "layout_pdf", lambda template, **context: (
        "rows" in context and passes.append(len(context["rows"]))) or original(template, **context))

    def members_per_page(batch: int) -> tuple[list[list[int]], list[str]]:
        monkeypatch.setattr(printing, "REGISTER_BATCH", batch)
        passes.clear()
        document = ask_for_register(client, app, quebrada)
        tasks.run_task(app, document.id)
        pages = pdf_pages(stored(app, document.id).content)
        return [[int(n) for n in re.findall(r"Socio(\d+)", page)] for page in pages], pages

    whole, _pages = members_per_page(1000)
    assert passes == [60]
    in_parts, pages = members_per_page(25)

    assert passes[0] == 25 and passes[1] > 25  # the rows of a part's last page begin the next part
    assert len(whole) >= 3
    assert in_parts == whole
    for number, page in enumerate(pages, start=1):
        footer = f"Página{number}de{len(pages)}"
        assert footer in page and "Página" not in page.replace(footer, "", 1)  # one footer per page


def test_no_member_is_lost_or_repeated_when_a_page_holds_more_rows_than_are_anchored(
        app, client, quebrada, ana, person, make_member, monkeypatch):
    for serial in range(57):
        make_member(quebrada, given_names=f"Socio {serial + 4}")
    person("secretary")
    monkeypatch.setattr(printing, "REGISTER_BATCH", 25)
    monkeypatch.setattr(printing, "ANCHORED_ROWS", 5)  # fewer than a page holds: parts end where they end
    document = ask_for_register(client, app, quebrada)

    tasks.run_task(app, document.id)

    text = "".join(pdf_pages(stored(app, document.id).content))
    assert [int(n) for n in re.findall(r"Socio(\d+)", text)] == list(range(4, 61))


def test_asking_twice_while_it_prints_queues_one_register(app, client, quebrada, ana, person):
    person("secretary")
    first = ask_for_register(client, app, quebrada)
    assert ask_for_register(client, app, quebrada).id == first.id
    assert len(registers_of(app, quebrada)) == 1


def test_a_register_that_fails_is_shown_failed_with_its_error(app, client, quebrada, ana, person, monkeypatch):
    person("secretary")
    document = ask_for_register(client, app, quebrada)

    def broken(template, **context):
        raise RuntimeError("no fonts on this machine")

    monkeypatch.setattr(pdf, "layout_pdf", broken)
    assert tasks.run_task(app, document.id) is TaskStatus.FAILED

    failed = stored(app, document.id)
    assert failed.status is TaskStatus.FAILED and failed.error == "RuntimeError: no fonts on this machine"
    page = client.get(f"/c/{quebrada.slug}/members/register")
    assert "Failed" in text_of(page) and "no fonts on this machine" in text_of(page)
    assert "Refresh" not in page.headers
    assert client.get(f"/c/{quebrada.slug}/tasks/{document.id}").mimetype == "text/html"


def test_the_request_prints_in_a_thread_after_it_committed(app, client, quebrada, ana, person):
    app.config["TASKS_RUN_IN_THREAD"] = True
    person("secretary")

    response = client.post(f"/c/{quebrada.slug}/members/register", follow_redirects=True)

    assert "The register is being printed." in " ".join(flashes(response))
    tasks.wait_for_threads(timeout=60)
    [document] = registers_of(app, quebrada)
    assert document.status is TaskStatus.DONE


def test_the_job_prints_a_register_left_waiting_and_the_purge_removes_it_a_week_later(app, client, quebrada,
                                                                                     ana, person):
    person("secretary")
    document = ask_for_register(client, app, quebrada)

    assert run_job(app, "tasks.run").detail.startswith("1 done")
    assert stored(app, document.id).status is TaskStatus.DONE
    run_job(app, "tasks.purge", now=document.created_dt + dt.timedelta(days=tasks.KEEP_DAYS, minutes=1))
    assert registers_of(app, quebrada) == []


def test_another_coops_register_is_not_found(app, client, quebrada, ana, person, make_coop, make_user, login):
    neighbours = make_coop("vecina")
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        theirs = tasks.submit(session, session.merge(neighbours), None, printing.REGISTER_KIND, {},
                              filename="libro.pdf")
        upload = Task(coop_id=quebrada.id, kind="members.import", filename="socios.csv", input=b"a,b",
                      status=TaskStatus.DONE)
        session.add(upload)
    tasks.run_task(app, theirs.id)
    person("auditor")
    assert client.get(f"/c/{quebrada.slug}/tasks/{theirs.id}").status_code == 404
    # an import is the secretary's business, not the council's
    assert client.get(f"/c/{quebrada.slug}/tasks/{upload.id}").status_code == 404


@pytest.mark.parametrize("role, certificate, register", [
    ("member", 403, 403), ("coordinator", 403, 403), ("treasurer", 403, 403),
    ("auditor", 403, 200), ("secretary", 200, 200), ("admin", 200, 200),
])
def test_who_prints_what(app, client, quebrada, ana, person, role, certificate, register):
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        document = tasks.submit(session, session.merge(quebrada), None, printing.REGISTER_KIND, {},
                                filename="libro.pdf")
    person(role)
    assert client.get(f"/c/{quebrada.slug}/members/1/certificate.pdf").status_code == certificate
    assert client.get(f"/c/{quebrada.slug}/members/register").status_code == register
    # a task is hidden from those who may not see its kind, as any object they may not see
    assert client.get(f"/c/{quebrada.slug}/tasks/{document.id}").status_code == (200 if register == 200 else 404)
    assert client.post(f"/c/{quebrada.slug}/members/register").status_code == (302 if register == 200 else 403)


def test_the_secretarys_register_carries_identity_documents(app, client, quebrada, ana, person):
    person("secretary")
    document = ask_for_register(client, app, quebrada)
    assert tasks.run_task(app, document.id) is TaskStatus.DONE
    text = "".join(pdf_pages(client.get(f"/c/{quebrada.slug}/tasks/{document.id}").data))
    assert ANA_DOCUMENT in text and "PA123456" in text




def test_the_council_does_not_get_the_secretarys_copy_with_identity_documents(app, client, quebrada, ana,
                                                                             person, login, make_user):
    person("secretary")
    secretarys = ask_for_register(client, app, quebrada)
    tasks.run_task(app, secretarys.id)
    client.post("/logout")
    person("auditor")

    page = client.get(f"/c/{quebrada.slug}/members/register")

    assert secretarys.filename not in text_of(page)  # the council's list leaves the personal copy out
    assert client.get(f"/c/{quebrada.slug}/tasks/{secretarys.id}").status_code == 404
