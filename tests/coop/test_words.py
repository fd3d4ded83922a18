"""The kernel's pages in the reader's words: the co-op's city, an example address on the new
co-op form, the demo's role names as the README writes them, a landing page that claims only
what exists, and a printed audit trail whose details read in Spanish."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from coop import audit, demo, printing, tasks
from coop.tenancy import Coop, Role
from tests.conftest import flashes, log_in, text_of
from tests.coop.test_tenancy import SETTINGS


def test_the_admin_records_the_coops_city_and_the_change_reads_in_spanish(client, db, make_coop, make_user):
    coop = make_coop("quebrada")
    admin = make_user("rosa@example.org", coop=coop, roles=["admin"], name="Rosa Quishpe")
    log_in(client, admin.email)
    assert "Ciudad" in text_of(client.get(f"/c/{coop.slug}/admin/settings"))

    response = client.post(f"/c/{coop.slug}/admin/settings", data={**SETTINGS, "city": " Quito "},
                           follow_redirects=True)

    assert flashes(response) == ["Se guardó la configuración de la cooperativa."]
    db.rollback()
    assert db.get(Coop, coop.id).city == "Quito"
    event = db.scalars(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "coop.settings")).one()
    trail = text_of(client.get(f"/c/{coop.slug}/audit"))
    assert event.changes["city"] == ["", "Quito"]
    assert "Ciudad: — → Quito" in trail and "Quórum en primera convocatoria (%): 50 → 60" in trail
    assert "quorum_percent" not in trail and "members_see_directory" not in trail


def test_the_new_coop_form_shows_a_real_example_address(client, make_user):
    operator = make_user("operador@example.org", is_platform_admin=True)
    log_in(client, operator.email)

    text = text_of(client.get("/platform/coops"))

    assert "/c//" not in text
    assert "«alianza-solidaria» da a la cooperativa la dirección http://localhost/c/alianza-solidaria/" in text


def test_the_demo_names_the_oversight_council_as_the_readme_does():
    roles = {login.email: login.role for login in demo.demo_logins()}
    assert roles["vigilancia@quebrada-verde.example"] == "oversight council"
    assert "auditor" not in roles.values()
    assert demo.ROLE_NAMES[Role.COORDINATOR] == "commission coordinator"


def test_the_landing_page_claims_only_what_exists(client):
    text = text_of(client.get("/"))
    assert "libro de socios" in text and "registro de auditoría" in text
    assert "Próximamente: inscripción para el trabajo de Minga y preparación de las asambleas generales." in text
    assert "organizan" not in text and "preparan sus asambleas" not in text


def test_the_printed_trail_holds_every_event_with_its_details_in_spanish(app, db, make_coop, make_user):
    coop = make_coop("quebrada", name="Cooperativa Quebrada Verde")
    council = make_user("vigilancia@example.org", coop=coop, roles=["auditor"], name="Carmen Tipán")
    db.rollback()
    coop = db.merge(coop)
    audit.record(db, coop=coop, action="role.grant", obj=council, summary="Carmen Tipán",
                 changes={"role": [None, "auditor"]})
    audit.record(db, coop=coop, action="coop.settings", obj=coop,
                 changes={"quorum_percent": [50, 60], "members_see_finances": [True, False]})
    with app.test_request_context():
        task = printing.request_audit_trail(db, coop, db.merge(council), audit.AuditFilter(), locale="es")
    db.commit()

    assert tasks.run_waiting(app).startswith("1 done")
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        content = session.get(tasks.Task, task.id).content
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))

    assert "Rol: — → Consejo de Vigilancia" in text
    assert "Quórum en primera convocatoria (%): 50 → 60" in text
    assert "Las personas socias ven los resúmenes financieros de la cooperativa: sí → no" in text
    assert "role:" not in text and "quorum_percent" not in text and "True" not in text
