"""The member portal: Ana Toapanta, member no. 1 of Quebrada Verde, sees her own page from her
phone, corrects her phone and e-mail, and downloads everything the co-op holds about her; she
sees nothing personal about anyone else, and the co-op's trail records what she did."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from coop.audit import AuditEvent
from coop.errors import PermissionDenied
from members import panels, portal, services
from members.models import Application, DocumentType, LotStatus, Member
from tests.conftest import field_error, text_of
from tests.members.conftest import TODAY, cedula

ANA_DOCUMENT = cedula(501)
JOSE_DOCUMENT = cedula(502)
NEIGHBOUR_DOCUMENT = cedula(503)


def link(db, member: Member, user) -> None:
    """Give a member their portal account."""
    db.rollback()
    db.get(Member, member.id).user_id = user.id
    db.commit()


@pytest.fixture
def quebrada(make_coop):
    return make_coop("quebrada", name="Cooperativa Quebrada Verde")


@pytest.fixture
def ana(db, quebrada, make_user, make_member):
    """Ana, her husband José (also a member), their lot B-12, her share capital; and a neighbour."""
    db.rollback()
    family = services.create_household(db, None, db.merge(quebrada), name="Familia Toapanta Quishpe",
                                       dependants=2)
    db.commit()
    ana = make_member(quebrada, given_names="Ana Lucía", family_names="Toapanta Quishpe",
                      document_number=ANA_DOCUMENT, birth_date=dt.date(1984, 3, 9), phone="099 111 2222",
                      email="ana@example.org", address="Calle Los Capulíes y Pasaje 3", household=family)
    make_member(quebrada, given_names="José", family_names="Quishpe Lema", document_number=JOSE_DOCUMENT,
                phone="098 765 4321", address="Casa de José, Chillogallo", household=family)
    make_member(quebrada, given_names="Rosa", family_names="Vecina Pilataxi",
                document_number=NEIGHBOUR_DOCUMENT, phone="097 000 1111")
    db.rollback()
    coop = db.merge(quebrada)
    lot = services.create_lot(db, None, coop, block="B", number="12", phase="Etapa 2",
                              status=LotStatus.UNDER_CONSTRUCTION)
    services.assign_lot(db, None, coop, lot, db.merge(family), from_date=dt.date(2015, 6, 1),
                        resolution_ref="Asamblea 2015-05-30", today=TODAY)
    services.subscribe_shares(db, None, coop, db.get(Member, ana.id), amount_minor=10_000, instalments=3,
                              first_due_date=dt.date(2026, 1, 31), resolution_ref="Asamblea 2025-12-13")
    db.add(Application(coop_id=coop.id, given_names="Ana Lucía", family_names="Toapanta Quishpe",
                       document_type=DocumentType.CEDULA, document_number=ANA_DOCUMENT,
                       message="Queremos construir nuestra casa."))
    db.commit()
    user = make_user("ana@example.org", coop=quebrada, roles=["member"], name="Ana Toapanta", locale="en")
    link(db, ana, user)
    return ana, user


def events_of(app, action: str) -> list[AuditEvent]:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)))


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF without any whitespace: pypdf splits kerned pairs ("T oapanta")."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_member_sees_her_own_page_with_her_personal_data_household_home_and_shares(client, login, ana):
    member, user = ana
    login(client, user)

    response = client.get("/c/quebrada/me")

    assert response.status_code == 200
    text = text_of(response)
    for shown in ("Ana Lucía Toapanta Quishpe", f"Member no. {member.number}", "active",
                  ANA_DOCUMENT, "099 111 2222", "ana@example.org", "Calle Los Capulíes y Pasaje 3",
                  "Familia Toapanta Quishpe", "José Quishpe Lema", "Lot B-12", "under construction",
                  "Etapa 2", "in 3 monthly instalments", "Asamblea 2025-12-13"):
        assert shown in text, shown
    assert "Mar 9, 1984" in text  # her birth date, in her language
    assert [due in text for due in ("Jan 31, 2026", "Feb 28, 2026", "Mar 31, 2026")] == [True] * 3
    # of her husband, only his name: not his document, phone or address
    for hidden in (JOSE_DOCUMENT, "098 765 4321", "Casa de José", "Rosa", NEIGHBOUR_DOCUMENT):
        assert hidden not in text, hidden


def test_the_portal_only_ever_shows_the_readers_own_record(client, db, login, ana, quebrada, make_user):
    _member, _user = ana
    neighbour = db.scalar(sa.select(Member).where(Member.document_number == NEIGHBOUR_DOCUMENT))
    rosa = make_user("rosa@example.org", coop=quebrada, roles=["member"])
    link(db, neighbour, rosa)
    login(client, rosa)

    # nothing in the address picks whose page it is: asking for Ana's number changes nothing
    pages = [client.get(url) for url in ("/c/quebrada/me", f"/c/quebrada/me?number={_member.number}",
                                         "/c/quebrada/me/contact")]

    assert [page.status_code for page in pages] == [200, 200, 200]
    for page in pages:
        html = page.get_data(as_text=True)
        assert "Rosa Vecina Pilataxi" in html and "097 000 1111" in html
        for hidden in ("Toapanta", ANA_DOCUMENT, "099 111 2222", "ana@example.org", "Capulíes"):
            assert hidden not in html, hidden
    exported = client.get("/c/quebrada/me/data.json").get_json()
    assert exported["member"]["document_number"] == NEIGHBOUR_DOCUMENT
    assert ANA_DOCUMENT not in json.dumps(exported)


def test_member_corrects_her_phone_and_email_and_the_trail_keeps_old_and_new(app, client, db, login, ana):
    member, user = ana
    login(client, user)
    form = client.get("/c/quebrada/me/contact")
    assert 'value="099 111 2222"' in form.get_data(as_text=True)  # the form starts from her record

    response = client.post("/c/quebrada/me/contact", data={
        "phone": " +593  (99) 333-4444 ", "phone_alt": "", "email": "Ana.Toapanta@Example.org",
        "address": "Calle Los Capulíes y Pasaje 3"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/quebrada/me")
    db.rollback()
    saved = db.get(Member, member.id)
    assert (saved.phone, saved.email, saved.address) == (
        "+593 (99) 333-4444", "ana.toapanta@example.org", "Calle Los Capulíes y Pasaje 3")
    [event] = events_of(app, "member.self_update")
    assert (event.coop_id, event.actor_id, event.actor_name) == (member.coop_id, user.id, "Ana Toapanta")
    assert (event.object_type, event.object_id) == ("member", member.id)
    assert event.changes == {"phone": ["099 111 2222", "+593 (99) 333-4444"],
                             "email": ["ana@example.org", "ana.toapanta@example.org"]}
    assert "Your contact details are saved." in text_of(client.get("/c/quebrada/me"))


def test_saving_the_same_details_again_changes_and_records_nothing(app, client, login, ana):
    _member, user = ana
    login(client, user)

    response = client.post("/c/quebrada/me/contact", data={
        "phone": "099 111 2222", "phone_alt": "", "email": "ana@example.org",
        "address": "Calle Los Capulíes y Pasaje 3"}, follow_redirects=True)

    assert "Nothing was changed." in text_of(response)
    assert events_of(app, "member.self_update") == []


@pytest.mark.parametrize("phone, message", [
    ("llámame", "Write the phone with digits; spaces, +, - and parentheses are allowed."),
    ("099 12", "A phone number has between 7 and 20 digits."),
    ("1234567890 1234567890 1", "A phone number has between 7 and 20 digits."),
])
def test_a_bad_phone_and_email_are_shown_beside_their_fields_and_nothing_is_saved(
        app, client, db, login, ana, phone, message):
    member, user = ana
    login(client, user)

    response = client.post("/c/quebrada/me/contact", data={
        "phone": phone, "phone_alt": "02 262 1234", "email": "ana@@example",
        "address": "Nueva dirección que no debe guardarse"})

    assert response.status_code == 200
    assert field_error(response, "phone") == message
    assert field_error(response, "email") == "This e-mail address is not valid."
    assert field_error(response, "phone_alt") == "" and field_error(response, "address") == ""
    db.rollback()
    kept = db.get(Member, member.id)
    assert (kept.phone, kept.phone_alt, kept.email, kept.address) == (
        "099 111 2222", "", "ana@example.org", "Calle Los Capulíes y Pasaje 3")
    assert events_of(app, "member.self_update") == []


def test_her_data_file_holds_her_record_history_home_shares_and_account_but_not_her_husbands(
        app, client, login, ana):
    member, user = ana
    login(client, user)
    client.post("/c/quebrada/me/contact", data={"phone": "099 333 4444", "phone_alt": "",
                                                "email": "ana@example.org",
                                                "address": "Calle Los Capulíes y Pasaje 3"})

    response = client.get("/c/quebrada/me/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="mis-datos-quebrada-{member.number}.json"')
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.get_json()
    record = data["member"]
    assert (record["number"], record["document_number"], record["birth_date"], record["join_date"]) == (
        member.number, ANA_DOCUMENT, "1984-03-09", "2010-05-01")
    assert (record["phone"], record["email"], record["status"]) == ("099 333 4444", "ana@example.org", "active")
    assert [(c["previous_status"], c["status"], c["effective_date"]) for c in data["status_history"]] == [
        (None, "active", "2010-05-01")]
    assert data["household"] == {"name": "Familia Toapanta Quishpe", "dependants": 2,
                                 "other_members": ["José Quishpe Lema"]}
    [lot] = data["lots"]
    assert (lot["block"], lot["number"], lot["status"], lot["held_now"]) == ("B", "12", "under_construction", True)
    assert [(a["from"], a["to"], a["resolution"]) for a in lot["assignments"]] == [
        ("2015-06-01", None, "Asamblea 2015-05-30")]
    [shares] = data["share_subscriptions"]
    assert shares["amount"] == {"minor": 10_000, "currency": "USD", "amount": "100.00"}
    assert [(i["due_date"], i["amount"]["minor"]) for i in shares["schedule"]] == [
        ("2026-01-31", 3333), ("2026-02-28", 3333), ("2026-03-31", 3334)]
    [application] = data["applications"]
    assert (application["document_number"], application["message"]) == (
        ANA_DOCUMENT, "Queremos construir nuestra casa.")
    assert data["user_account"]["email"] == "ana@example.org"
    assert (data["user_account"]["language"], data["user_account"]["roles"]) == ("en", ["member"])
    actions = [e["action"] for e in data["audit_events"]]
    assert actions[0] == "member.create" and "member.self_update" in actions and "shares.subscribe" in actions
    assert {"phone": ["099 111 2222", "099 333 4444"]} in [e["changes"] for e in data["audit_events"]]
    assert dt.datetime.fromisoformat(data["exported"]).tzinfo is not None
    # about the others, nothing but her husband's name
    raw = response.get_data(as_text=True)
    for hidden in (JOSE_DOCUMENT, "098 765 4321", "Casa de José", NEIGHBOUR_DOCUMENT, "Rosa"):
        assert hidden not in raw, hidden


def test_an_application_approved_into_her_record_is_in_her_data_even_with_another_document(
        client, db, login, ana):
    member, user = ana
    db.rollback()
    db.add(Application(coop_id=member.coop_id, given_names="Ana", family_names="Toapanta",
                       document_type=DocumentType.PASSPORT, document_number="AB12345", member_id=member.id))
    db.add(Application(coop_id=member.coop_id, given_names="Otra", family_names="Persona",
                       document_type=DocumentType.CEDULA, document_number=NEIGHBOUR_DOCUMENT))
    db.commit()
    login(client, user)

    data = client.get("/c/quebrada/me/data.json").get_json()

    assert sorted(a["document_number"] for a in data["applications"]) == sorted([ANA_DOCUMENT, "AB12345"])


def test_her_data_as_a_pdf_carries_her_name_and_record(client, login, ana):
    member, user = ana
    login(client, user)

    response = client.get("/c/quebrada/me/data.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="mis-datos-quebrada-{member.number}.pdf"')
    text = pdf_text(response.data)
    for shown in ("Ana Lucía Toapanta Quishpe", "Cooperativa Quebrada Verde", ANA_DOCUMENT,
                  "Familia Toapanta Quishpe", "José Quishpe Lema", "Lot B-12", "Asamblea 2015-05-30",
                  "Queremos construir nuestra casa.", "ana@example.org"):
        assert squeezed(shown) in text, shown
    assert JOSE_DOCUMENT not in text and squeezed("098 765 4321") not in text


def test_both_downloads_are_recorded_in_the_audit_trail(app, client, login, ana):
    member, user = ana
    login(client, user)

    assert client.get("/c/quebrada/me/data.json").status_code == 200
    assert client.get("/c/quebrada/me/data.pdf").status_code == 200

    exports = events_of(app, "export.my_data")
    assert [(e.actor_id, e.coop_id, e.object_type, e.object_id) for e in exports] == [
        (user.id, member.coop_id, "member", member.id)] * 2
    assert [e.summary.rsplit(" ", 1)[-1] for e in exports] == ["(json)", "(pdf)"]


def test_an_officer_without_a_member_record_gets_a_friendly_page(client, login, quebrada, make_user):
    treasurer = make_user("tesorera@example.org", coop=quebrada, roles=["treasurer"], locale="en")
    login(client, treasurer)

    pages = [client.get(f"/c/quebrada/me{path}") for path in ("", "/contact", "/data.json", "/data.pdf")]

    assert [page.status_code for page in pages] == [200] * 4
    for page in pages:
        assert page.mimetype == "text/html"
        assert "Your account is not linked to a member of Cooperativa Quebrada Verde" in text_of(page)


def test_a_user_of_another_coop_finds_no_portal_here(client, db, login, make_coop, make_user, make_member):
    other = make_coop("vecina")
    outsider = make_user("vecino@example.org", coop=other, roles=["member", "admin"])
    link(db, make_member(other, given_names="Vecino"), outsider)
    make_coop("quebrada")
    login(client, outsider)

    codes = [client.get(f"/c/quebrada/me{path}").status_code for path in ("", "/contact", "/data.json",
                                                                         "/data.pdf")]
    codes.append(client.post("/c/quebrada/me/contact", data={"phone": "099 999 9999"}).status_code)

    assert codes == [404] * 5
    assert client.get("/c/vecina/me").status_code == 200  # in their own co-op the portal is there


def test_panels_other_packages_add_show_on_her_page_with_their_context(app, client, login, ana, monkeypatch):
    _member, user = ana
    seen = []

    def minga_hours(session, coop, member, viewer):
        seen.append((member.id, set(viewer.roles)))
        return panels.Panel(title="Horas de Minga", template="test/minga_panel.html",
                            context={"hours": 42})

    monkeypatch.setattr(panels, "MEMBER_PANELS", [minga_hours, lambda *args: None])
    app.jinja_env.loader = ChoiceLoader([DictLoader({"test/minga_panel.html": "<p>{{ context.hours }} h</p>"}),
                                         app.jinja_env.loader])
    login(client, user)

    text = text_of(client.get("/c/quebrada/me"))

    assert "Horas de Minga 42 h" in text
    assert seen == [(_member.id, {"member"})]


def test_an_anonymous_visitor_is_sent_to_log_in(client, ana):
    responses = [client.get(f"/c/quebrada/me{path}") for path in ("", "/contact", "/data.json", "/data.pdf")]

    assert [r.status_code for r in responses] == [302] * 4
    assert all("/login" in r.headers["Location"] for r in responses)


def test_the_contact_service_refuses_to_change_anyone_but_the_actor(app, db, ana, quebrada):
    _member, user = ana
    db.rollback()
    husband = db.scalar(sa.select(Member).where(Member.document_number == JOSE_DOCUMENT))

    with pytest.raises(PermissionDenied):
        portal.update_own_contact(db, db.merge(user), db.merge(quebrada), husband,
                                  portal.ContactData(phone="099 000 0000"))
    db.rollback()

    assert db.get(Member, husband.id).phone == "098 765 4321"
    assert events_of(app, "member.self_update") == []
