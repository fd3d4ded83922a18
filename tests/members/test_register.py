"""The secretary keeps the register: members, their status history, households, lots, share capital."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.tenancy import Coop
from members import imports, services
from members.models import (Household, Lot, LotAssignment, LotStatus, Member, MemberStatus,
                            MemberStatusChange, ShareSubscription)
from tests.conftest import field_error, log_in, once, text_of
from tests.members.conftest import TODAY, cedula



NEW = {"given_names": "Rosa Elena", "family_names": "Quishpe Tipán", "document_type": "cedula",
       "document_number": "", "birth_date": "1980-04-12", "join_date": "2005-06-01", "phone": "0991234567",
       "phone_alt": "", "email": "rosa@example.org", "address": "Manzana B, lote 12", "preferred_language": "es",
       "status": "active", "resolution_ref": "Asamblea 2005-05-28"}


def test_secretary_enters_members_with_consecutive_numbers(client, db, coop, secretary):
    first = client.post(f"/c/{coop.slug}/members/new", data={**NEW, **once(), "document_number": cedula(1)})
    second = client.post(f"/c/{coop.slug}/members/new",
                         data={**NEW, **once(), "given_names": "Segundo", "document_number": cedula(2), "email": ""})
    assert first.status_code == second.status_code == 302
    db.rollback()
    numbers = db.scalars(sa.select(Member.number).order_by(Member.number)).all()
    assert numbers == [1, 2]
    rosa = db.scalar(sa.select(Member).where(Member.number == 1))
    assert rosa.full_name == "Rosa Elena Quishpe Tipán" and rosa.status is MemberStatus.ACTIVE
    first_status = db.scalars(sa.select(MemberStatusChange).where(MemberStatusChange.member_id == rosa.id)).one()
    assert first_status.resolution_ref == "Asamblea 2005-05-28"
    page = text_of(client.get(second.headers["Location"]))
    assert "Segundo Quishpe Tipán" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"document_number": "1710034066"}, "document_number", "Esta no es una cédula válida: revise sus diez dígitos."),
    ({"given_names": "  "}, "given_names", "Escriba los nombres."),
    ({"birth_date": "2090-01-01"}, "birth_date", "Esta fecha está en el futuro."),
    ({"join_date": "1850-01-01"}, "join_date", "Esta fecha es demasiado antigua para ser correcta."),
    ({"birth_date": "2010-01-01", "join_date": "2005-01-01"}, "join_date", "La fecha de ingreso no puede ser anterior al nacimiento."),
    ({"email": "rosa@"}, "email", "Esta dirección de correo electrónico no es válida."),
    ({"document_type": "passport", "document_number": "AB"}, "document_number",
     "Un número de pasaporte tiene de 5 a 20 letras y dígitos."),
])
def test_bad_member_data_is_shown_beside_its_field_and_nothing_is_saved(client, db, coop, secretary, changes,
                                                                        field, message):
    response = client.post(f"/c/{coop.slug}/members/new", data={**NEW, **once(), "document_number": cedula(1), **changes})
    assert response.status_code == 200
    assert field_error(response, field) == message
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_a_document_number_belongs_to_one_member_only(client, db, coop, secretary, make_member):
    existing = make_member(coop, document_number=cedula(7))
    response = client.post(f"/c/{coop.slug}/members/new", data={**NEW, **once(), "document_number": cedula(7)})
    assert field_error(response, "document_number") == f"La persona socia N.º {existing.number} ya tiene este número de documento."


def test_a_failed_entry_does_not_use_up_a_number(client, db, coop, secretary, make_member):
    make_member(coop)
    client.post(f"/c/{coop.slug}/members/new", data={**NEW, **once(), "document_number": "1710034066"})
    client.post(f"/c/{coop.slug}/members/new", data={**NEW, **once(), "document_number": cedula(3)})
    db.rollback()
    assert db.scalars(sa.select(Member.number).order_by(Member.number)).all() == [1, 2]


def test_editing_personal_data_is_audited_field_by_field(client, db, coop, secretary, make_member):
    member = make_member(coop, phone="022345678", address="Calle 1")
    data = {**NEW, "given_names": member.given_names, "family_names": member.family_names,
            "document_number": member.document_number, "join_date": member.join_date.isoformat(),
            "birth_date": "", "phone": "0998887766", "address": "Calle 2", "email": ""}
    response = client.post(f"/c/{coop.slug}/members/{member.number}/edit", data=data)
    assert response.status_code == 302
    db.rollback()
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "member.update")).one()
    assert event.changes["phone"] == ["022345678", "0998887766"]
    assert event.changes["address"] == ["Calle 1", "Calle 2"]
    assert "given_names" not in event.changes


def test_status_changes_build_a_history_and_follow_the_rules(client, db, coop, secretary, make_member):
    member = make_member(coop)
    url = f"/c/{coop.slug}/members/{member.number}/status"
    response = client.post(url, data={"status": "suspended", "effective_date": "2026-01-10",
                                      "reason": "Tres mingas faltadas", "resolution_ref": "Consejo 2026-01-08"})
    assert response.status_code == 302
    client.post(url, data={"status": "deceased", "effective_date": "2026-03-02", "reason": "Falleció"})
    response = client.post(url, data={"status": "active", "effective_date": "2026-04-01", "reason": "Error"})
    assert response.status_code == 200
    assert "Ningún otro estado puede seguir al actual." in text_of(response)
    db.rollback()
    history = db.scalars(sa.select(MemberStatusChange).where(MemberStatusChange.member_id == member.id)
                         .order_by(MemberStatusChange.id)).all()
    assert [(h.previous_status, h.status) for h in history] == [
        (None, MemberStatus.ACTIVE), (MemberStatus.ACTIVE, MemberStatus.SUSPENDED),
        (MemberStatus.SUSPENDED, MemberStatus.DECEASED)]
    assert db.get(Member, member.id).status is MemberStatus.DECEASED


def test_a_deceased_member_cannot_become_active(db, coop, make_member):
    member = make_member(coop, status=MemberStatus.DECEASED)
    with pytest.raises(services.DomainError):
        services.change_status(db, None, db.get(Coop, coop.id), db.get(Member, member.id), MemberStatus.ACTIVE,
                               effective_date=TODAY, reason="Error", today=TODAY)


def test_a_status_change_needs_a_reason_and_a_sensible_date(client, db, coop, secretary, make_member):
    member = make_member(coop, join_date=dt.date(2015, 1, 1))
    url = f"/c/{coop.slug}/members/{member.number}/status"
    response = client.post(url, data={"status": "suspended", "effective_date": "2014-12-31", "reason": "x"})
    assert field_error(response, "effective_date").startswith("El cambio no puede tener efecto antes")
    db.rollback()
    assert db.get(Member, member.id).status is MemberStatus.ACTIVE


def test_status_history_cannot_be_rewritten(db, coop, make_member):
    member = make_member(coop)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.execute(sa.update(MemberStatusChange).where(MemberStatusChange.member_id == member.id)
                   .values(reason="rewritten"))
    db.rollback()


def test_households_and_lots_with_assignment_history(client, db, coop, secretary, make_member):
    member = make_member(coop, family_names="Chiluisa Caiza")
    client.post(f"/c/{coop.slug}/members/households/new", data={"name": "Familia Chiluisa", "dependants": "3"})
    client.post(f"/c/{coop.slug}/members/lots/new", data={"block": "b", "number": "12", "phase": "Etapa 1",
                                                          "status": "built"})
    db.rollback()
    household = db.scalar(sa.select(Household))
    lot = db.scalar(sa.select(Lot))
    assert (lot.label, lot.status) == ("B-12", LotStatus.BUILT)
    client.post(f"/c/{coop.slug}/members/{member.number}/household", data={"household_id": household.id})
    client.post(f"/c/{coop.slug}/members/lots/{lot.id}/assign",
                data={"household_id": household.id, "from_date": "2020-02-01", "reason": "Sorteo"})
    client.post(f"/c/{coop.slug}/members/lots/{lot.id}/assign",
                data={"household_id": "none", "from_date": "2024-06-30", "reason": "Renuncia"})
    db.rollback()
    assignments = db.scalars(sa.select(LotAssignment).order_by(LotAssignment.id)).all()
    assert [(a.from_date, a.to_date) for a in assignments] == [(dt.date(2020, 2, 1), dt.date(2024, 6, 30))]
    assert db.get(Lot, lot.id).household_id is None
    assert db.get(Member, member.id).household_id == household.id
    page = text_of(client.get(f"/c/{coop.slug}/members/lots/{lot.id}"))
    assert "Familia Chiluisa" in page and "Sorteo" in page


def test_the_same_lot_cannot_be_registered_twice(client, db, coop, secretary):
    client.post(f"/c/{coop.slug}/members/lots/new", data={"block": "C", "number": "3", "status": "planned"})
    response = client.post(f"/c/{coop.slug}/members/lots/new", data={"block": "c", "number": "3", "status": "planned"})
    assert field_error(response, "number") == "El lote C-3 ya existe."


def test_share_capital_is_subscribed_in_instalments(client, db, coop, secretary, make_member):
    member = make_member(coop)
    url = f"/c/{coop.slug}/members/{member.number}/shares"
    response = client.post(url, data={**once(), "amount": "1.000,01", "instalments": "3",
                                      "first_due_date": "2026-01-31"})
    assert response.status_code == 302
    db.rollback()
    subscription = db.scalar(sa.select(ShareSubscription))
    assert subscription.amount_minor == 100001
    assert services.instalment_schedule(subscription) == [
        (dt.date(2026, 1, 31), 33333), (dt.date(2026, 2, 28), 33333), (dt.date(2026, 3, 31), 33335)]
    bad = client.post(url, data={"amount": "10,5555", "instalments": "3", "first_due_date": "2026-01-31"})
    assert field_error(bad, "amount") == "Use como máximo 2 decimales para USD."
    ambiguous = client.post(url, data={"amount": "10,555", "instalments": "3", "first_due_date": "2026-01-31"})
    assert "10.555,00" in field_error(ambiguous, "amount")  # the reading it would take is shown, not taken
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(ShareSubscription)) == 1


def test_directory_search_ignores_accents_and_finds_lots_and_numbers(client, db, coop, secretary, make_member):
    household = None
    rosa = make_member(coop, given_names="Rosa", family_names="Guamán Tipán")
    make_member(coop, given_names="Luis", family_names="Chicaiza")
    db.rollback()
    household = services.create_household(db, None, db.get(Coop, coop.id), name="Familia Guamán")
    lot = services.create_lot(db, None, db.get(Coop, coop.id), block="D", number="7")
    services.set_household(db, None, db.get(Coop, coop.id), db.get(Member, rosa.id), household)
    services.assign_lot(db, None, db.get(Coop, coop.id), lot, household, from_date=TODAY, today=TODAY)
    db.commit()
    for query in ("guaman", "GUAMÁN", "d-7", str(rosa.number), rosa.document_number[:6]):
        page = text_of(client.get(f"/c/{coop.slug}/members/", query_string={"q": query}))
        assert "Guamán Tipán, Rosa" in page, query
        assert "Chicaiza" not in page, query


def test_directory_filters_by_status(client, db, coop, secretary, make_member):
    make_member(coop, family_names="Activa")
    make_member(coop, family_names="Retirado", status=MemberStatus.WITHDRAWN)
    page = text_of(client.get(f"/c/{coop.slug}/members/", query_string={"status": "withdrawn"}))
    assert "Retirado" in page and "Activa" not in page


def test_directory_pages_and_sorts(client, db, coop, secretary, make_member):
    for n in range(55):
        make_member(coop, family_names=f"Socio {n:02d}")
    first = text_of(client.get(f"/c/{coop.slug}/members/", query_string={"sort": "number"}))
    second = text_of(client.get(f"/c/{coop.slug}/members/", query_string={"sort": "number", "page": 2}))
    assert "Socio 00" in first and "Socio 54" not in first
    assert "Socio 54" in second and "Página 2 de 2" in second


# --- privacy -------------------------------------------------------------------------------

@pytest.fixture
def rosa(coop, make_member):
    return make_member(coop, given_names="Rosa", family_names="Quishpe", phone="0991112233",
                       address="Pasaje Los Andes 4", birth_date=dt.date(1975, 3, 9))


@pytest.mark.parametrize("role, sees_personal", [("admin", True), ("secretary", True), ("treasurer", False),
                                                 ("auditor", False)])
def test_personal_data_is_for_the_secretary_and_admin(app, coop, make_user, rosa, role, sees_personal):
    client = app.test_client()
    log_in(client, make_user(coop=coop, roles=[role]).email)
    page = text_of(client.get(f"/c/{coop.slug}/members/{rosa.number}"))
    assert "Rosa Quishpe" in page
    for secret in (rosa.document_number, "0991112233", "Pasaje Los Andes 4"):
        assert (secret in page) is sees_personal, (role, secret)


def test_members_see_the_directory_only_when_the_coop_shares_it(app, db, coop, make_user, rosa, make_member):
    make_member(coop, family_names="Retirada", status=MemberStatus.WITHDRAWN)
    client = app.test_client()
    log_in(client, make_user(coop=coop, roles=["member"]).email)
    assert client.get(f"/c/{coop.slug}/members/").status_code == 403
    db.rollback()
    db.get(Coop, coop.id).members_see_directory = True
    db.commit()
    page = text_of(client.get(f"/c/{coop.slug}/members/"))
    assert "Quishpe, Rosa" in page
    assert "Retirada" not in page  # only current members
    assert rosa.document_number not in page
    # searching by document number finds nothing for a member
    found = text_of(client.get(f"/c/{coop.slug}/members/", query_string={"q": rosa.document_number}))
    assert "Quishpe" not in found
    assert client.get(f"/c/{coop.slug}/members/{rosa.number}").status_code == 403


def test_a_treasurer_does_not_find_an_imported_member_by_their_cedula(app, db, coop, make_user):
    """The secretary brings the old register from a file; the treasurer, looking for someone to
    record a payment, finds them by name but not by their identity document, which only those who
    may see personal data search."""
    document = cedula(41)
    db.rollback()
    here = db.get(Coop, coop.id)
    plan = imports.check_import(db, here, f"nombres,apellidos,numero_documento,fecha_ingreso\n"
                                          f"Rosa,Quishpe,{document},2004-03-01\n".encode(), today=TODAY)
    assert plan.ok, plan.problems
    imports.save_members(db, None, here, plan, filename="socios.csv")
    db.commit()

    def directory_search(role: str, text: str) -> str:
        client = app.test_client()
        log_in(client, make_user(coop=coop, roles=[role]).email)
        return text_of(client.get(f"/c/{coop.slug}/members/", query_string={"q": text}))

    assert "Quishpe, Rosa" in directory_search("treasurer", "quishpe")
    assert "Quishpe" not in directory_search("treasurer", document)
    assert "Quishpe, Rosa" in directory_search("secretary", document)


def test_another_coops_member_is_not_found(app, coop, make_coop, make_user, make_member):
    other = make_coop("vecina")
    stranger = make_member(other)
    client = app.test_client()
    log_in(client, make_user(coop=coop, roles=["secretary"]).email)
    assert client.get(f"/c/{coop.slug}/members/{stranger.number + 100}").status_code == 404
    assert client.get(f"/c/{other.slug}/members/{stranger.number}").status_code == 404


def test_what_someone_typed_is_escaped_in_error_messages(client, db, coop, secretary):
    client.post(f"/c/{coop.slug}/members/lots/new", data={"block": "<b>X</b>", "number": "1", "status": "planned"})
    response = client.post(f"/c/{coop.slug}/members/lots/new",
                           data={"block": "<b>X</b>", "number": "1", "status": "planned"})
    html = response.get_data(as_text=True)
    assert "<B>X</B>-1" not in html
    assert "&lt;B&gt;X&lt;/B&gt;-1" in html


def test_every_mistake_in_a_new_member_is_shown_at_once(client, db, coop, secretary):
    response = client.post(f"/c/{coop.slug}/members/new", data={
        **NEW, **once(), "document_number": "1710034066", "birth_date": "2090-01-01", "email": "rosa@",
        "family_names": " "})
    assert field_error(response, "document_number") == "Esta no es una cédula válida: revise sus diez dígitos."
    assert field_error(response, "birth_date") == "Esta fecha está en el futuro."
    assert field_error(response, "email") == "Esta dirección de correo electrónico no es válida."
    assert field_error(response, "family_names") != ""
