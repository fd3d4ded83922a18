"""Printed documents: WeasyPrint PDFs with the co-op's name and a Spanish page footer, local assets only."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coop import audit, printing, tasks
from coop.audit import AuditEvent
from coop.pdf import PRINT_CSS, STATIC_DIR, LocalOnlyFetcher, render_pdf
from coop.tasks import Task
from tests.conftest import text_of


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_printed_audit_trail_carries_the_coop_name_and_a_spanish_page_footer(app, db, make_coop):
    coop = make_coop("quebrada", name="Cooperativa Quebrada Verde")
    events = audit.all_events(db, coop.id, audit.AuditFilter())
    db.commit()
    assert [event.action for event in events] == ["coop.create"]

    with app.test_request_context():
        pdf = render_pdf("pdf/audit.html", coop=coop, events=[printing.printed(e) for e in events],
                         filters=audit.AuditFilter())

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Cooperativa Quebrada Verde" in text
    assert "Registro de auditoría" in text
    assert "Cooperativa abierta" in text  # the action, in the reader's language
    # the footer comes from the compiled Spanish catalogue (pybabel compile -d coop/translations)
    assert "Página 1 de 1" in text


def test_auditor_prints_the_audit_trail_in_the_background_and_the_printing_is_itself_audited(
        app, client, db, make_coop, make_user, login):
    coop = make_coop("quebrada", name="Cooperativa Quebrada Verde")
    auditor = make_user(coop=coop, roles=["auditor"], name="Rosa Auditora")
    login(client, auditor)

    asked = client.post(f"/c/{coop.slug}/audit/print?action=coop")

    assert asked.status_code == 302
    task_url = asked.headers["Location"]
    waiting = client.get(task_url)
    assert waiting.status_code == 200 and waiting.headers["Refresh"] == str(tasks.REFRESH_SECONDS)
    assert tasks.run_waiting(app).startswith("1 done")
    response = client.get(task_url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=auditoria-quebrada.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.data)
    assert "Cooperativa Quebrada Verde" in text and "Cooperativa abierta" in text
    assert "Página 1 de 1" in text
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        exports = list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.audit")))
    assert len(exports) == 1
    assert (exports[0].coop_id, exports[0].actor_id, exports[0].actor_name) == (
        coop.id, auditor.id, "Rosa Auditora")
    # recorded as data, read in the reader's language
    assert (exports[0].summary, exports[0].details) == ("", {"events": 1, "filters": {"action": "coop"}})
    with app.test_request_context():
        assert audit.summary_text(exports[0]) == "1 evento impreso (Acción: coop)"


def test_the_printed_trail_holds_every_event_of_the_filter_or_asks_to_narrow_the_dates(
        app, client, make_coop, make_user, login, monkeypatch):
    coop = make_coop("quebrada", name="Cooperativa Quebrada Verde")
    admin = make_user(coop=coop, roles=["admin"], locale="en")
    for number in range(6):
        make_user(f"vecino{number}@example.org", coop=coop, roles=["member"])
    login(client, admin)
    monkeypatch.setattr(printing, "MAX_PRINTED_EVENTS", 5)

    refused = client.post(f"/c/{coop.slug}/audit/print")

    assert refused.status_code == 422
    assert "8 events match: more than 5 cannot be printed at once. Choose a shorter period." in text_of(refused)
    assert tasks.run_waiting(app).startswith("0 done")
    monkeypatch.setattr(printing, "MAX_PRINTED_EVENTS", 10)
    client.post(f"/c/{coop.slug}/audit/print")
    tasks.run_waiting(app)
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        [task] = session.scalars(sa.select(Task).where(Task.kind == printing.AUDIT_KIND))
        session.refresh(task, ["content"])
        text = pdf_text(task.content)
    assert text.count("Role given") == 7 and "8 events" in text  # the oldest and the newest: none dropped


def test_a_member_cannot_print_the_audit_trail(app, client, make_coop, make_user, login):
    coop = make_coop()
    login(client, make_user(coop=coop, roles=["member"]))

    response = client.post(f"/c/{coop.slug}/audit/print")

    assert response.status_code == 403
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "export.audit")) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0


@pytest.mark.parametrize("url", [
    "http://example.org/x.png",
    "https://example.org/logo.png",
    "file:///etc/passwd",
    f"{STATIC_DIR.as_uri()}/../pdf.py",
])
def test_printed_documents_never_fetch_remote_or_private_files(url):
    fetcher = LocalOnlyFetcher(allowed_protocols={"file", "data"})

    with pytest.raises(ValueError) as caught:
        fetcher.fetch(url)

    assert "only local assets" in str(caught.value)


def test_printed_documents_load_data_urls_and_static_files():
    fetcher = LocalOnlyFetcher(allowed_protocols={"file", "data"})

    response = fetcher.fetch("data:text/plain;base64,aG9sYSBheWxsdQ==")
    assert response.read() == b"hola ayllu"
    response.close()

    response = fetcher.fetch(PRINT_CSS.as_uri())
    assert response.read() == PRINT_CSS.read_bytes()
    response.close()
