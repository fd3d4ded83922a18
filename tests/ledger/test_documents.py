"""The books' slow PDFs are background documents: a "Print PDF" button queues one, the worker renders
it, the task's page downloads it; whoever may not see the report may not see its document either;
a person has a few documents in flight at most; and while one is being rendered the site answers.
"""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from coop import tasks
from coop.tasks import Task, TaskStatus
from ledger import documents
from ledger.views import reports as report_views
from members.models import Member
from tests.conftest import PASSWORD, flashes, log_in
from tests.ledger.print_helpers import print_document
from tests.ledger.statement_factories import add_charge

PERIOD = "start=2026-01-01&end=2026-03-31"


def tasks_in(app) -> list[Task]:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return list(session.scalars(sa.select(Task).order_by(Task.id)))


def status_of(app, task_id: int) -> TaskStatus:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return session.scalar(sa.select(Task.status).where(Task.id == task_id))


def test_every_slow_report_is_a_background_document():
    assert set(documents.DOCUMENTS) == {"finances", "construction_fund", "general_ledger", "statement", "arrears",
                                        "budget_vs_actual"}
    assert all(kind in tasks.KINDS for kind in documents.DOCUMENTS.values())


def test_the_old_pdf_address_renders_nothing_in_the_request(app, client, db, books, make_user, login):
    login(client, make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en"))

    for url in ("/c/{s}/books/?format=pdf", "/c/{s}/books/arrears?format=pdf",
                "/c/{s}/books/construction-fund?format=pdf", "/c/{s}/books/budget-vs-actual?format=pdf"):
        response = client.get(url.format(s=books.slug))
        assert response.status_code == 200 and response.mimetype == "text/html", url
        assert "Print PDF" in response.get_data(as_text=True) or "Print (PDF)" in response.get_data(as_text=True)
    assert tasks_in(app) == []


def test_a_member_prints_her_own_statement_but_cannot_see_or_ask_for_anothers(app, client, db, books, make_member,
                                                                               make_user, login):
    ana_user = make_user("ana@example.org", coop=books, roles=["member"], locale="en")
    treasurer = make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en")
    ana_id = make_member(books, given_names="Ana", family_names="Toapanta").id
    rosa_id = make_member(books, given_names="Rosa", family_names="Pilataxi").id
    db.rollback()
    db.get(Member, ana_id).user_id = ana_user.id
    add_charge(db, books, db.get(Member, ana_id), 4_000, due=dt.date(2026, 1, 10), description="Aporte de enero")
    add_charge(db, books, db.get(Member, rosa_id), 9_000, due=dt.date(2026, 2, 10), description="Multa de Rosa")
    db.commit()
    base = f"/c/{books.slug}/books"

    # the treasurer prints Rosa's statement
    login(client, treasurer)
    rosas = client.post(f"{base}/members/{rosa_id}/statement/print?{PERIOD}")
    assert rosas.status_code == 302
    rosas_task = rosas.headers["Location"]
    client.post("/logout")

    login(client, ana_user)
    assert client.post(f"{base}/members/{rosa_id}/statement/print?{PERIOD}").status_code == 404
    assert client.get(rosas_task).status_code in (403, 404)  # nor the copy the treasurer asked for
    text = print_document(app, client, f"{base}/me/statement/print?{PERIOD}")
    assert b"%PDF" in text[:8]
    tasks.run_waiting(app)
    assert client.get(rosas_task).status_code in (403, 404)
    assert [task.kind for task in tasks_in(app)] == ["ledger.statement", "ledger.statement"]


def test_a_person_has_a_few_documents_in_flight_at_most_and_is_told_so(app, client, db, books, make_user, login):
    login(client, make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en"))
    base = f"/c/{books.slug}/books"
    for month in range(1, tasks.MAX_WAITING_PER_PERSON + 1):  # three different periods: three documents
        assert client.post(f"{base}/construction-fund/print?start=2026-0{month}-01&end=2026-12-31").status_code == 302

    refused = client.post(f"{base}/construction-fund/print?start=2026-06-01&end=2026-12-31", follow_redirects=True)

    assert refused.status_code == 200 and refused.request.path == f"{base}/construction-fund"
    assert any("documents or imports being prepared" in message for message in flashes(refused))
    assert len(tasks_in(app)) == tasks.MAX_WAITING_PER_PERSON
    # the same document asked for again while it waits is the one already queued, not a refusal
    again = client.post(f"{base}/construction-fund/print?start=2026-01-01&end=2026-12-31")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/tasks/{tasks_in(app)[0].id}")
    tasks.run_waiting(app)
    assert client.post(f"{base}/construction-fund/print?start=2026-06-01&end=2026-12-31").status_code == 302


def test_a_general_ledger_too_long_to_print_is_refused_with_a_message(app, client, db, books, make_user, login,
                                                                      monkeypatch, post):
    login(client, make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en"))
    post(books, ("1.1.02", 100), ("4.4", -100), entry_date=dt.date(2026, 2, 1))
    post(books, ("1.1.02", 100), ("4.4", -100), entry_date=dt.date(2026, 2, 2))
    bank = db.scalar(sa.text("SELECT id FROM account WHERE coop_id = :c AND code = '1.1.02'"), {"c": books.id})
    monkeypatch.setattr(report_views, "LEDGER_PDF_LIMIT", 1)

    response = client.post(f"/c/{books.slug}/books/general-ledger/{bank}/print?{PERIOD}", follow_redirects=True)

    assert response.status_code == 200
    assert any("too many to print" in message for message in flashes(response))
    assert tasks_in(app) == []


def test_while_a_large_document_is_rendered_the_log_in_answers(app, client, db, books, make_user, login, post,
                                                               monkeypatch):
    """The request path renders no document: with the renderer held mid-way in the worker's thread,
    the log-in page and a log-in answer, and the document is still being rendered at that moment."""
    app.config["TASKS_RUN_IN_THREAD"] = True
    treasurer = make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en")
    other = make_user("consejo@example.org", coop=books, roles=["auditor"], locale="en")
    for day in range(1, 29):
        post(books, ("1.1.02", 1_000 * day), ("4.4", -1_000 * day), entry_date=dt.date(2026, 2, day),
             description=f"Rifa {day}")
    bank = db.scalar(sa.text("SELECT id FROM account WHERE coop_id = :c AND code = '1.1.02'"), {"c": books.id})
    rendering, release = threading.Event(), threading.Event()
    real_render = report_views.render_pdf

    def held_render(template, **context):
        rendering.set()
        assert release.wait(60), "the test never let the document finish"
        return real_render(template, **context)

    monkeypatch.setattr(report_views, "render_pdf", held_render)
    login(client, treasurer)
    asked = client.post(f"/c/{books.slug}/books/general-ledger/{bank}/print?{PERIOD}")
    assert asked.status_code == 302
    [document] = tasks_in(app)
    try:
        assert rendering.wait(30), "the worker's thread did not start the document"

        visitor = app.test_client()
        assert visitor.get("/login").status_code == 200
        assert log_in(visitor, other.email, PASSWORD).status_code == 302
        assert visitor.get(f"/c/{books.slug}/books/").status_code == 200
        assert status_of(app, document.id) is TaskStatus.RUNNING  # still being rendered meanwhile
    finally:
        release.set()
        tasks.wait_for_threads(timeout=60)

    assert status_of(app, document.id) is TaskStatus.DONE
    pdf = client.get(asked.headers["Location"])
    assert pdf.mimetype == "application/pdf"
    from tests.ledger.test_reports import pdf_text
    text = pdf_text(pdf.data)
    assert "Rifa28" in text and "$4,060.00" in text  # 1+2+...+28 = 406 times $10
