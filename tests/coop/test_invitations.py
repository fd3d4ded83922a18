"""A person joins a co-op by accepting an invitation, never by being attached by its administrator."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from coop import invitations, tenancy
from coop.invitations import CoopInvitation, InvitationStatus
from coop.outbox import OutboxMessage
from coop.tenancy import Coop, Role
from tests.conftest import PASSWORD, field_error, flashes, log_in, text_of


@pytest.fixture
def coops(make_coop, make_user):
    ours, theirs = make_coop("quebrada"), make_coop("vecina")
    admin = make_user("rosa@example.org", coop=ours, roles=["admin"], name="Rosa Quishpe")
    other = make_user("ana@example.org", coop=theirs, roles=["member"], name="Ana Tipán")
    return ours, theirs, admin, other


def invite(client, coop, email, role="auditor", name=""):
    return client.post(f"/c/{coop.slug}/admin/people", data={"email": email, "name": name, "role": role},
                       follow_redirects=True)


def link_in_mail(db, email) -> str:
    db.rollback()
    body = db.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.to_address == email)
                      .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://localhost(/invitations/\S+)", body).group(1)


def roles_in(db, user, coop) -> frozenset[Role]:
    db.rollback()
    return tenancy.roles_of(db, user, db.get(Coop, coop.id))


def test_an_admin_cannot_attach_another_coops_account_and_learns_nothing(client, db, coops):
    ours, _theirs, admin, other = coops
    log_in(client, admin.email)
    known = invite(client, ours, other.email)
    unknown = invite(client, ours, "nadie@example.org")
    assert flashes(known) == ["Invitación enviada a ana@example.org."]
    assert flashes(unknown) == ["Invitación enviada a nadie@example.org."]
    assert known.status_code == unknown.status_code == 200
    assert roles_in(db, other, ours) == frozenset()
    assert "Ana Tipán" not in text_of(client.get(f"/c/{ours.slug}/admin/people"))
    assert db.scalar(sa.select(sa.func.count()).select_from(tenancy.User)
                     .where(tenancy.User.email == "nadie@example.org")) == 0


def test_the_invited_person_logs_in_and_accepts_and_only_then_holds_the_role(app, db, coops):
    ours, _theirs, admin, other = coops
    admin_client, their_client = app.test_client(), app.test_client()
    log_in(admin_client, admin.email)
    invite(admin_client, ours, other.email, role="auditor")
    link = link_in_mail(db, other.email)
    page = text_of(their_client.get(link))
    assert "Inicie sesión con ana@example.org para aceptar" in page
    response = their_client.post(f"/login?next={link}", data={"email": other.email, "password": PASSWORD})
    assert response.headers["Location"] == link
    assert roles_in(db, other, ours) == frozenset()
    response = their_client.post(link + "/accept", follow_redirects=True)
    assert "Ahora participa en Cooperativa Quebrada como Consejo de Vigilancia." in flashes(response)
    assert roles_in(db, other, ours) == frozenset({Role.AUDITOR})
    assert invitations.pending(db, db.get(Coop, ours.id)) == []
    assert their_client.get(link).status_code == 404  # a link is answered once


def test_someone_without_an_account_creates_it_from_the_link(client, db, coops):
    ours, _theirs, admin, _other = coops
    log_in(client, admin.email)
    invite(client, ours, "Luz@Example.org", role="secretary", name="Luz Caiza")
    client.post("/logout")
    link = link_in_mail(db, "luz@example.org")
    page = client.get(link)
    assert 'value="Luz Caiza"' in page.get_data(as_text=True)
    short = client.post(link, data={"name": "Luz Caiza", "password": "corta", "confirm": "corta"})
    assert field_error(short, "password") != ""
    response = client.post(link, data={"name": "Luz Caiza", "password": "una clave larga 2026",
                                       "confirm": "una clave larga 2026"})
    assert response.headers["Location"] == f"/c/{ours.slug}/"
    db.rollback()
    luz = db.scalar(sa.select(tenancy.User).where(tenancy.User.email == "luz@example.org"))
    assert roles_in(db, luz, ours) == frozenset({Role.SECRETARY})
    assert client.get(f"/c/{ours.slug}/").status_code == 200  # logged in


def test_another_account_cannot_accept_someone_elses_invitation(app, db, coops, make_user):
    ours, _theirs, admin, other = coops
    intruder = make_user("intruso@example.org")
    admin_client, intruder_client = app.test_client(), app.test_client()
    log_in(admin_client, admin.email)
    invite(admin_client, ours, other.email)
    link = link_in_mail(db, other.email)
    log_in(intruder_client, intruder.email)
    assert "Usted inició sesión como intruso@example.org" in text_of(intruder_client.get(link))
    intruder_client.post(link + "/accept")
    assert roles_in(db, intruder, ours) == frozenset()
    # nor can they take the account-creation path for an address that has an account
    intruder_client.post("/logout")
    intruder_client.post(link, data={"name": "X", "password": "otra clave larga 1", "confirm": "otra clave larga 1"})
    assert roles_in(db, other, ours) == frozenset()


def test_a_declined_or_withdrawn_invitation_grants_nothing(app, db, coops):
    ours, _theirs, admin, other = coops
    client = app.test_client()
    log_in(client, admin.email)
    invite(client, ours, other.email)
    declined = link_in_mail(db, other.email)
    assert app.test_client().post(declined + "/decline").status_code == 302
    invite(client, ours, other.email, role="treasurer")
    withdrawn = link_in_mail(db, other.email)
    pending = db.scalars(sa.select(CoopInvitation).where(CoopInvitation.status == InvitationStatus.PENDING)).one()
    assert "Retirar" in text_of(client.get(f"/c/{ours.slug}/admin/people"))
    client.post(f"/c/{ours.slug}/admin/people/invitations/{pending.id}/withdraw")
    their_client = app.test_client()
    log_in(their_client, other.email)
    for link in (declined, withdrawn):
        assert their_client.post(link + "/accept").status_code == 404
    assert roles_in(db, other, ours) == frozenset()


def test_an_expired_invitation_is_refused(app, db, coops):
    ours, _theirs, admin, other = coops
    client = app.test_client()
    log_in(client, admin.email)
    invite(client, ours, other.email)
    link = link_in_mail(db, other.email)
    db.execute(sa.update(CoopInvitation).values(expires_dt=dt.datetime(2020, 1, 1)))
    db.commit()
    log_in(client := app.test_client(), other.email)
    response = client.post(link + "/accept")
    assert response.status_code == 404 and "venció" in text_of(response)
    assert roles_in(db, other, ours) == frozenset()


def test_another_coops_admin_cannot_withdraw_our_invitation(app, db, coops, make_user):
    ours, theirs, admin, other = coops
    their_admin = make_user("jefe@example.org", coop=theirs, roles=["admin"])
    client = app.test_client()
    log_in(client, admin.email)
    invite(client, ours, "nueva@example.org")
    db.rollback()
    invitation = db.scalars(sa.select(CoopInvitation)).one()
    log_in(their_client := app.test_client(), their_admin.email)
    assert their_client.post(f"/c/{theirs.slug}/admin/people/invitations/{invitation.id}/withdraw").status_code == 404
    db.rollback()
    assert db.get(CoopInvitation, invitation.id).status is InvitationStatus.PENDING


# --- removing a role: a confirmation step that works without JavaScript ---------------------------

def test_removing_a_role_asks_first_and_removes_only_on_confirmation(client, db, coops, make_user):
    ours, _theirs, admin, _other = coops
    ana = make_user("ana.c@example.org", coop=ours, roles=["auditor", "member"], name="Ana")
    log_in(client, admin.email)
    people = client.get(f"/c/{ours.slug}/admin/people").get_data(as_text=True)
    confirm_url = re.search(r'href="([^"]*/admin/people/revoke\?[^"]*user_id=%d[^"]*role=auditor[^"]*)"' % ana.id,
                            people).group(1).replace("&amp;", "&")
    assert 'aria-label="Quitar el rol Consejo de Vigilancia a Ana"' in people
    page = client.get(confirm_url)
    assert "¿Quitar el rol Consejo de Vigilancia a Ana?" in text_of(page)
    assert roles_in(db, ana, ours) == frozenset({Role.AUDITOR, Role.MEMBER})  # asking changed nothing
    html = page.get_data(as_text=True)
    assert 'class="primary target"' in html and f'href="/c/{ours.slug}/admin/people"' in html  # Cancelar
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    client.post(f"/c/{ours.slug}/admin/people/revoke", data=fields)
    assert roles_in(db, ana, ours) == frozenset({Role.MEMBER})


def test_the_confirmation_page_does_not_exist_for_someone_outside_the_coop(client, coops):
    ours, _theirs, admin, other = coops
    log_in(client, admin.email)
    assert client.get(f"/c/{ours.slug}/admin/people/revoke?user_id={other.id}&role=member").status_code == 404
    unreadable = client.get(f"/c/{ours.slug}/admin/people/revoke?user_id=99999999999999&role=member")
    assert unreadable.headers["Location"] == f"/c/{ours.slug}/admin/people"
