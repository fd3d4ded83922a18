"""Co-ops, their settings and the people who hold roles in them."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coop import invitations, tenancy
from coop.audit import AuditEvent
from coop.errors import DomainError
from coop.outbox import OutboxMessage
from coop.tenancy import Coop, CoopRole, Role
from tests.conftest import field_error, flashes, log_in, text_of


@pytest.fixture
def admin_client(client, make_coop, make_user):
    coop = make_coop("quebrada")
    admin = make_user("rosa@example.org", coop=coop, roles=["admin"], name="Rosa Quishpe")
    log_in(client, admin.email)
    return client, coop, admin


SETTINGS = {"name": "Cooperativa Quebrada Verde", "currency": "USD", "locale": "es", "country": "EC",
            "timezone": "America/Guayaquil", "paper_size": "A4", "voting_basis": "household",
            "obligation_basis": "household", "quorum_percent": "60", "second_call_minutes": "60",
            "notice_days": "15", "fiscal_year_start_month": "1", "members_see_directory": "y"}


def test_admin_changes_bylaws_and_the_change_is_audited(admin_client, db):
    client, coop, admin = admin_client
    response = client.post(f"/c/{coop.slug}/admin/settings", data=SETTINGS, follow_redirects=True)
    assert flashes(response) == ["Se guardó la configuración de la cooperativa."]
    db.rollback()
    saved = db.get(Coop, coop.id)
    assert (saved.quorum_percent, saved.notice_days, saved.voting_basis.value) == (60, 15, "household")
    assert saved.members_see_directory is True
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "coop.settings")).one()
    assert event.actor_id == admin.id
    assert event.changes["quorum_percent"] == [50, 60]
    assert event.changes["notice_days"] == [8, 15]


@pytest.mark.parametrize("field, value, message", [
    ("quorum_percent", "150", "Number must be between 1 and 100."),
    ("currency", "XYZ", "Unknown currency code."),
    ("timezone", "America/Atlantis", "Unknown time zone."),
    ("country", "e1", "Use the two-letter country code, such as EC."),
])
def test_bad_settings_are_shown_beside_their_field_and_nothing_is_saved(admin_client, db, field, value, message):
    client, coop, _ = admin_client
    client.post("/language", data={"lang": "en"})
    response = client.post(f"/c/{coop.slug}/admin/settings", data={**SETTINGS, field: value})
    assert response.status_code == 200
    assert field_error(response, field) == message
    db.rollback()
    saved = db.get(Coop, coop.id)
    assert saved.quorum_percent == 50 and saved.notice_days == 8 and saved.currency == "USD"


def test_settings_errors_are_in_spanish_by_default(admin_client):
    client, coop, _ = admin_client
    response = client.post(f"/c/{coop.slug}/admin/settings", data={**SETTINGS, "timezone": "Marte/Base"})
    assert field_error(response, "timezone") == "Zona horaria desconocida."


def test_admin_invites_a_new_secretary_by_email(admin_client, db):
    client, coop, _ = admin_client
    response = client.post(f"/c/{coop.slug}/admin/people",
                           data={"email": "maria@example.org", "name": "María Guamán", "role": "secretary"})
    assert response.status_code == 302
    db.rollback()
    message = db.scalars(sa.select(OutboxMessage)).one()
    assert message.to_address == "maria@example.org" and coop.name in message.subject
    assert "/invitations/" in message.body
    page = text_of(client.get(f"/c/{coop.slug}/admin/people"))
    assert "maria@example.org" in page and "Invitaciones que esperan respuesta" in page


def test_the_last_administrator_cannot_be_removed(admin_client, db):
    client, coop, admin = admin_client
    response = client.post(f"/c/{coop.slug}/admin/people/revoke", data={"user_id": admin.id, "role": "admin"},
                           follow_redirects=True)
    assert any("al menos un" in f for f in flashes(response))
    db.rollback()
    assert db.scalar(sa.select(CoopRole).where(CoopRole.user_id == admin.id)) is not None


def test_a_role_can_be_removed(admin_client, db, make_user):
    client, coop, _ = admin_client
    treasurer = make_user("luis@example.org", coop=coop, roles=["treasurer", "member"])
    client.post(f"/c/{coop.slug}/admin/people/revoke", data={"user_id": treasurer.id, "role": "treasurer"})
    db.rollback()
    assert tenancy.roles_of(db, treasurer, db.get(Coop, coop.id)) == frozenset({Role.MEMBER})


def test_slug_must_be_free_and_url_safe(db, make_coop):
    make_coop("quebrada")
    with pytest.raises(DomainError) as taken:
        tenancy.create_coop(db, None, name="Otra", slug="quebrada")
    assert taken.value.field == "slug"
    with pytest.raises(DomainError) as bad:
        tenancy.create_coop(db, None, name="Otra", slug="Con Espacios")
    assert bad.value.field == "slug"


def test_operator_opens_a_coop_and_invites_its_administrator(client, db, make_user):
    operator = make_user("op@example.org", is_platform_admin=True)
    log_in(client, operator.email)
    response = client.post("/platform/coops", data={
        "name": "Cooperativa Nueva Esperanza", "slug": "nueva-esperanza", "currency": "usd", "locale": "es",
        "country": "ec", "timezone": "America/Guayaquil", "admin_email": "jefa@example.org",
        "admin_name": "Luz Caiza"})
    assert response.status_code == 302
    db.rollback()
    coop = tenancy.coop_by_slug(db, "nueva-esperanza")
    assert coop.currency == "USD" and coop.country == "EC"
    assert tenancy.people_of(db, coop) == []  # the administrator joins by accepting the invitation
    assert [(i.email, i.role) for i in invitations.pending(db, coop)] == [("jefa@example.org", Role.ADMIN)]
    assert db.scalars(sa.select(OutboxMessage.to_address)).all() == ["jefa@example.org"]


def test_opening_a_coop_with_a_taken_address_saves_nothing(client, db, make_coop, make_user):
    make_coop("quebrada")
    operator = make_user("op@example.org", is_platform_admin=True)
    log_in(client, operator.email)
    response = client.post("/platform/coops", data={
        "name": "Otra", "slug": "quebrada", "currency": "USD", "locale": "es", "country": "EC",
        "timezone": "America/Guayaquil", "admin_email": "nuevo@example.org", "admin_name": "Nuevo"})
    assert response.status_code == 200
    assert field_error(response, "slug") == "Otra cooperativa ya usa esta dirección."
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Coop)) == 1
    assert tenancy.coop_by_slug(db, "quebrada").name != "Otra"


def test_a_user_of_several_coops_chooses_one(client, db, make_coop, make_user):
    first, second = make_coop("primera"), make_coop("segunda")
    user = make_user("ana@example.org", coop=first, roles=["member"])
    log_in(client, user.email)
    assert client.get("/").headers["Location"] == f"/c/{first.slug}/"
    db.rollback()
    tenancy.grant_role(db, None, db.get(Coop, second.id), user, Role.MEMBER)
    db.commit()
    page = text_of(client.get("/"))
    assert first.name in page and second.name in page


def test_every_bad_setting_is_reported_in_one_go(admin_client):
    client, coop, _ = admin_client
    response = client.post(f"/c/{coop.slug}/admin/settings", data={
        **SETTINGS, "quorum_percent": "150", "timezone": "Marte/Base", "currency": "ABC"})
    assert field_error(response, "quorum_percent") != ""
    assert field_error(response, "timezone") == "Zona horaria desconocida."
    assert field_error(response, "currency") == "Código de moneda desconocido."
