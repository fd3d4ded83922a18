"""The commission pages through the real log-in: the secretary records a commission, appoints
its coordinator and its standing members; every member reads the list; only officers keep it."""
from __future__ import annotations

import sqlalchemy as sa

from coop import tenancy
from coop.tenancy import Grant, Role, Scope
from minga.models import Commission, CommissionMember
from minga.permissions import COMMISSION_SCOPE
from tests.conftest import field_error, flashes, once, text_of


def url(coop, path: str) -> str:
    return f"/c/{coop.slug}/minga{path}"


def test_the_secretary_records_a_commission_and_appoints_its_coordinator(client, db, minga_coop, make_user, login):
    secretary = make_user("maria@example.org", coop=minga_coop, roles=["secretary"], name="María Guamán")
    rosa = make_user("rosa@example.org", coop=minga_coop, roles=["member"], name="Rosa Quishpe")
    login(client, secretary)
    assert client.get(url(minga_coop, "/commissions/new")).status_code == 200
    response = client.post(url(minga_coop, "/commissions/new"), data={
        "name": "Construcción", "purpose": "Levantar las viviendas de la etapa 3.", "is_active": "y",
        "is_capital_work": "y", **once()})
    assert response.status_code == 302
    db.rollback()
    commission = db.scalar(sa.select(Commission))
    assert commission.is_capital_work and not commission.is_office_work
    assert response.headers["Location"].endswith(f"/minga/commissions/{commission.id}")
    page = client.get(response.headers["Location"])
    assert "La comisión Construcción queda registrada." in flashes(page)
    assert "Rosa Quishpe <rosa@example.org>" in text_of(page)  # offered as coordinator
    response = client.post(url(minga_coop, f"/commissions/{commission.id}/coordinators"), data={"user": rosa.id})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Rosa Quishpe coordina ahora la comisión." in flashes(page)
    db.rollback()
    assert Grant(Role.COORDINATOR, Scope(COMMISSION_SCOPE, commission.id)) in tenancy.grants_of(
        db, db.merge(rosa), db.merge(minga_coop))
    assert "Rosa Quishpe" in text_of(client.get(url(minga_coop, "/commissions/")))


def test_a_name_already_taken_is_told_beside_the_name(client, minga_coop, make_commission, make_user, login):
    make_commission(minga_coop, "Parque")
    login(client, make_user("maria@example.org", coop=minga_coop, roles=["secretary"]))
    response = client.post(url(minga_coop, "/commissions/new"), data={"name": "parque", **once()})
    assert response.status_code == 200
    assert field_error(response, "name") == "Otra comisión ya tiene este nombre."


def test_standing_members_are_added_by_their_number(client, db, minga_coop, make_commission, make_member, make_user,
                                                    login):
    commission = make_commission(minga_coop)
    ana = make_member(minga_coop, given_names="Ana")
    login(client, make_user("maria@example.org", coop=minga_coop, roles=["secretary"]))
    path = url(minga_coop, f"/commissions/{commission.id}/members")
    response = client.post(path, data={"member": ana.number})
    assert response.status_code == 302
    assert ana.full_name in text_of(client.get(url(minga_coop, f"/commissions/{commission.id}")))
    response = client.post(path, data={"member": ana.number + 500})
    assert field_error(response, "member") == "Ninguna persona socia de esta cooperativa tiene ese número."
    response = client.post(url(minga_coop, f"/commissions/{commission.id}/members/{ana.id}/remove"))
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CommissionMember)) == 0


def test_a_member_reads_the_commissions_but_may_not_keep_them(client, minga_coop, make_commission, make_user, login):
    commission = make_commission(minga_coop, purpose="Recuperar la quebrada como parque.")
    login(client, make_user("socia@example.org", coop=minga_coop, roles=["member"]))
    page = client.get(url(minga_coop, "/commissions/"))
    assert page.status_code == 200
    assert "Recuperación de la quebrada" in text_of(page) and "Recuperar la quebrada como parque." in text_of(page)
    assert "Nueva comisión" not in text_of(page)
    assert client.get(url(minga_coop, f"/commissions/{commission.id}")).status_code == 200
    assert client.get(url(minga_coop, "/commissions/new")).status_code == 403
    assert client.get(url(minga_coop, f"/commissions/{commission.id}/edit")).status_code == 403
    appoint = url(minga_coop, f"/commissions/{commission.id}/coordinators")
    assert client.post(appoint, data={"user": 1}).status_code == 403
