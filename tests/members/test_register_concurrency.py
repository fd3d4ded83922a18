"""Ten secretaries entering the same person at the same instant: one member is entered, and the
nine others read the message they would have read one at a time, beside the field, never an error
page. The same for a household's name and for one new-member form sent ten times at once. Real
threads, each request with its own connection (PostgreSQL when the suite runs on it)."""
from __future__ import annotations

import sqlalchemy as sa

from members.models import Household, Member
from tests.conftest import field_error, once
from tests.ledger.conftest import post_at_once
from tests.members.conftest import cedula

CROWD = 10
NEW = {"given_names": "Rosa Elena", "family_names": "Quishpe Tipán", "document_type": "cedula",
       "birth_date": "1980-04-12", "join_date": "2005-06-01", "phone": "", "phone_alt": "", "email": "",
       "address": "", "preferred_language": "es", "status": "active", "resolution_ref": ""}


def signed_in_secretary(app, coop, make_user, login):
    client = app.test_client()
    login(client, make_user("maria@example.org", coop=coop, roles=["secretary"]))
    return client


def test_ten_secretaries_entering_one_cedula_at_once_enter_one_member(app, db, make_coop, make_user, login):
    coop = make_coop("quebrada")
    secretary = signed_in_secretary(app, coop, make_user, login)
    forms = [{**NEW, **once(), "document_number": cedula(1)} for _ in range(CROWD)]

    responses = post_at_once(app, secretary, "/c/quebrada/members/new", forms)

    assert sorted(r.status_code for r in responses) == [200] * (CROWD - 1) + [302]
    for refused in (r for r in responses if r.status_code == 200):
        assert "ya tiene este número de documento" in field_error(refused, "document_number")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


def test_one_new_member_form_sent_ten_times_at_once_enters_one_member(app, db, make_coop, make_user, login):
    coop = make_coop("quebrada")
    secretary = signed_in_secretary(app, coop, make_user, login)
    form = {**NEW, **once(), "document_number": cedula(2)}

    responses = post_at_once(app, secretary, "/c/quebrada/members/new", [form] * CROWD)

    assert [r.status_code for r in responses] == [302] * CROWD
    assert {r.headers["Location"] for r in responses} == {"/c/quebrada/members/1"}
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


def test_ten_households_of_one_name_at_once_make_one(app, db, make_coop, make_user, login):
    coop = make_coop("quebrada")
    secretary = signed_in_secretary(app, coop, make_user, login)

    responses = post_at_once(app, secretary, "/c/quebrada/members/households/new",
                             [{"name": "Quishpe Tipán", "dependants": "2"}] * CROWD)

    assert sorted(r.status_code for r in responses) == [200] * (CROWD - 1) + [302]
    for refused in (r for r in responses if r.status_code == 200):
        assert field_error(refused, "name") == "Otra familia ya tiene este nombre."
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Household)) == 1
