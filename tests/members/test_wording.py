"""How Ayllu addresses Ana: as "socia" once the secretary records it, in neutral words until then;
the certificate names the co-op with its article and its city; her own pages say exactly who sees
her data; the audit trail reads her corrected record in Spanish."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from pypdf import PdfReader

from coop import audit
from coop.audit import AuditEvent
from coop.spreadsheets import Table
from members.imports.checking import check_rows
from members.models import FormOfAddress, Member
from members.wording import addressed
from tests.conftest import text_of
from tests.members.conftest import cedula


def squeezed_pdf(pdf: bytes) -> str:
    return re.sub(r"\s+", "", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def alianza(make_coop, db):
    coop = make_coop("alianza", name="Cooperativa de Vivienda Alianza Solidaria")
    db.rollback()
    db.merge(coop).city = "Quito"
    db.commit()
    return coop


@pytest.fixture
def ana(alianza, make_member):
    return make_member(alianza, given_names="Ana Lucía", family_names="Toapanta Quishpe",
                       form_of_address=FormOfAddress.FEMININE)


def as_role(client, make_user, login, coop, role, **fields):
    user = make_user(f"{role}@example.org", coop=coop, roles=[role], name=f"{role.title()} Alianza", locale="es",
                     **fields)
    login(client, user)
    return user


def link(db, member, user):
    db.rollback()
    db.merge(member).user_id = user.id
    db.commit()


def test_anas_certificate_calls_her_socia_names_the_coop_with_its_article_and_its_city(
        client, alianza, ana, make_user, login):
    as_role(client, make_user, login, alianza, "secretary")

    page = squeezed_pdf(client.get(f"/c/{alianza.slug}/members/{ana.number}/certificate.pdf").data)

    assert "CERTIFICADODESOCIA" in page
    assert squeeze("directivos de la Cooperativa de Vivienda Alianza Solidaria") in page
    assert squeeze(f"es socia N.º {ana.number} de esta cooperativa") in page
    assert squeeze(f"Socia N.º {ana.number}") in page
    assert squeeze("Quito,") in page
    assert "essocioN.º" not in page and "Elsocio" not in page


def test_a_member_without_a_recorded_form_of_address_is_named_in_neutral_words(
        client, alianza, make_member, make_user, login):
    jose = make_member(alianza, given_names="José", family_names="Quishpe Lema")
    assert jose.form_of_address is FormOfAddress.NEUTRAL
    as_role(client, make_user, login, alianza, "secretary")

    page = squeezed_pdf(client.get(f"/c/{alianza.slug}/members/{jose.number}/certificate.pdf").data)

    assert squeeze(f"es la persona socia N.º {jose.number}") in page
    assert "essocioN.º" not in page


def test_the_secretary_records_how_a_member_is_addressed_and_the_change_is_audited_in_spanish(
        app, client, db, alianza, make_member, make_user, login):
    rosa = make_member(alianza, given_names="Rosa", family_names="Pilataxi Caiza")
    as_role(client, make_user, login, alianza, "secretary")
    form = client.get(f"/c/{alianza.slug}/members/{rosa.number}/edit")
    assert "Trato" in text_of(form) and "Femenino (socia)" in text_of(form)
    db.rollback()
    member = db.get(Member, rosa.id)
    data = {"given_names": member.given_names, "family_names": member.family_names, "document_type": "cedula",
            "document_number": member.document_number, "join_date": member.join_date.isoformat(),
            "preferred_language": "es", "form_of_address": "feminine", "phone": "0991234567"}

    response = client.post(f"/c/{alianza.slug}/members/{rosa.number}/edit", data=data)

    assert response.status_code == 302
    db.rollback()
    assert db.get(Member, rosa.id).form_of_address is FormOfAddress.FEMININE
    council = app.test_client()
    login(council, make_user("vigilancia@example.org", coop=alianza, roles=["auditor"], locale="es"))
    trail = text_of(council.get(f"/c/{alianza.slug}/audit"))
    assert "Trato: Forma neutra (persona socia) → Femenino (socia)" in trail
    assert "Teléfono: — → 0991234567" in trail
    assert "form_of_address" not in trail and "phone:" not in trail


def test_her_own_page_calls_her_socia_and_says_exactly_who_sees_her_data(client, db, alianza, ana, make_user, login):
    user = as_role(client, make_user, login, alianza, "member")
    link(db, ana, user)

    text = text_of(client.get(f"/c/{alianza.slug}/me"))

    assert f"Socia N.º {ana.number}" in text
    assert "Solo usted y el secretario" not in text
    assert ("Su documento de identidad, fecha de nacimiento, teléfono y dirección los ven solo usted y estos cargos "
            "de la cooperativa: Administrador/a, Secretario/a.") in text
    assert "los ven además: Tesorero/a, Consejo de Vigilancia." in text
    assert "directorio" not in text  # this co-op does not share its directory with members


def test_when_the_coop_shares_its_directory_her_page_says_every_member_sees_her_name(
        client, db, alianza, ana, make_user, login):
    db.rollback()
    db.merge(alianza).members_see_directory = True
    db.commit()
    user = as_role(client, make_user, login, alianza, "member")
    link(db, ana, user)

    text = text_of(client.get(f"/c/{alianza.slug}/me"))

    assert "Todas las personas socias de la cooperativa ven su nombre y su lote en el directorio." in text


def test_the_import_reads_an_optional_form_of_address_column(app, db, alianza):
    rows = [["nombres", "apellidos", "numero_documento", "fecha_ingreso", "trato"],
            ["Carmen", "Tipán", cedula(3001), "2010-01-05", "socia"],
            ["Luis", "Chiluisa", cedula(3002), "2010-01-05", "Socio"],
            ["Ana", "Caiza", cedula(3003), "2010-01-05", ""],
            ["Nelly", "Lema", cedula(3004), "2010-01-05", "señora"]]
    plan = check_rows(Table(rows[0], list(enumerate(rows[1:], start=2))), today=dt.date(2026, 11, 27))

    assert [row.form_of_address for row in plan.rows[:3]] == [FormOfAddress.FEMININE, FormOfAddress.MASCULINE,
                                                             FormOfAddress.NEUTRAL]
    [problem] = plan.problems
    assert (problem.row, problem.column) == (5, "trato")


def test_older_events_recorded_as_key_value_summaries_read_in_spanish(app, db, alianza):
    event = AuditEvent(coop_id=alianza.id, action="export.register", summary="csv; n=5000; from=2026-01-01")
    with app.test_request_context():
        assert audit.summary_text(event) == "CSV; Cantidad: 5000; Desde: 1 ene 2026"


def test_a_role_given_to_the_oversight_council_reads_in_spanish(app, db, alianza):
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.coop_id == alianza.id,
                                                     AuditEvent.action == "coop.create")).all()
    granted = AuditEvent(coop_id=alianza.id, action="role.grant", object_type="user_account",
                         changes={"role": [None, "auditor"]})
    with app.test_request_context():
        [change] = audit.changes_of(granted)
        assert (change.label, change.old, change.new) == ("Rol", "—", "Consejo de Vigilancia")
        assert audit.summary_text(event).startswith("Cooperativa de Vivienda Alianza Solidaria")


def test_every_member_field_the_register_records_has_a_spanish_label(app):
    from members.services import MemberData
    with app.test_request_context():
        with force_locale("es"):
            for field in MemberData.__dataclass_fields__:
                label = audit.field_label(field, "member")
                assert label != field.replace("_", " "), field
            assert audit.value_text("status", "suspended", "member") == "suspendido"


@pytest.mark.parametrize("form, title, word", [("feminine", "Electa", "electa"), ("masculine", "Electo", "electo"),
                                               ("neutral", "Electo/a", "electo/a")])
def test_an_elected_candidate_is_named_electa_or_electo_as_the_register_says(app, form, title, word):
    with app.test_request_context(), force_locale("es"):
        assert str(addressed(FormOfAddress(form), "elected")) == title
        assert str(addressed(form, "elected_lower")) == word  # the value kept in a minutes' record
