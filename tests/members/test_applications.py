"""People apply to join on the co-op's public page (or on paper); the secretary approves or rejects.

Error messages are compared with what the Spanish catalogue gives for them, so these stories
hold before and after the translator's pass; WTForms' own messages are already Spanish.
"""
from __future__ import annotations

import datetime as dt
import html
import threading

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from coop import invitations
from coop.audit import AuditEvent
from coop.auth.models import LoginThrottle, User
from coop.calendar import today_in
from coop.db import utcnow
from coop.errors import DomainError
from coop.outbox import OutboxMessage
from coop.tenancy import Coop, Invitation, Role, roles_of
from members import applications
from members.applications import ApplicationData, Source, SpamPolicy
from members.models import Application, ApplicationStatus, DocumentType, Member, MemberStatus
from tests.conftest import field_error, flashes, log_in, once, text_of
from tests.members.conftest import cedula

DECISION = dt.date(2026, 3, 14)



def spanish(app, message: str, **values) -> str:
    """The message as the Spanish catalogue gives it (English until the translator's pass).

    WTForms' own messages come already in Spanish; the catalogue leaves them as they are.
    """
    with app.test_request_context(), force_locale("es"):
        return gettext(message, **values)


def stamp(app, coop, seconds_ago: float = 30) -> str:
    """The hidden stamp of a form opened ``seconds_ago``, as a person who took their time."""
    return applications.issue_stamp(app.config["SECRET_KEY"], coop,
                                     utcnow() - dt.timedelta(seconds=seconds_ago))


def form(app, coop, serial: int = 501, **changes) -> dict:
    data = {"given_names": "Jhoana Elizabeth", "family_names": "Simbaña Caiza", "document_type": "cedula",
            "document_number": cedula(serial), "birth_date": "1992-08-15", "phone": "098 765 4321",
            "email": "Jhoana@Example.org", "address": "La Ecuatoriana, calle S35 y Pasaje 2",
            "message": "Quisiera ser socia con mi familia.", "website": "", "stamp": stamp(app, coop), **once()}
    data.update(changes)
    return data


def file_application(db, coop, serial: int, *, email: str | None = None, given_names: str = "Segundo",
                     family_names: str = "Quinatoa Lema") -> Application:
    db.rollback()
    application = applications.submit_application(
        db, None, db.merge(coop), ApplicationData(
            given_names=given_names, family_names=family_names, document_type=DocumentType.CEDULA,
            document_number=cedula(serial), birth_date=dt.date(1985, 2, 3), email=email),
        source=Source.PUBLIC, today=dt.date.today())
    db.commit()
    return application


def events(db, action: str) -> list[AuditEvent]:
    db.rollback()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- the public form -------------------------------------------------------------------------

def test_a_person_applies_on_the_public_page_without_an_account(app, client, db, coop):
    page = client.get("/c/quebrada/apply")
    assert page.status_code == 200
    assert "Cooperativa Quebrada" in text_of(page)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'name="stamp"' in page.get_data(as_text=True)

    response = client.post("/c/quebrada/apply", data=form(app, coop))

    assert response.status_code == 302 and response.headers["Location"].endswith("/c/quebrada/apply/sent")
    assert client.get(response.headers["Location"]).status_code == 200
    db.rollback()
    application = db.scalars(sa.select(Application)).one()
    assert (application.full_name, application.document_number) == ("Jhoana Elizabeth Simbaña Caiza", cedula(501))
    assert application.status is ApplicationStatus.PENDING and application.source == "public"
    assert application.email == "jhoana@example.org"
    assert application.birth_date == dt.date(1992, 8, 15)
    assert application.message == "Quisiera ser socia con mi familia."
    [event] = events(db, "application.submit")
    assert event.actor_id is None and event.object_id == application.id and event.coop_id == coop.id


def test_the_honeypot_is_hidden_by_the_stylesheet_not_by_an_inline_style(client, coop):
    html = client.get("/c/quebrada/apply").get_data(as_text=True)
    assert 'class="skip trap" aria-hidden="true"' in html
    assert 'tabindex="-1"' in html and "style=" not in html


@pytest.mark.parametrize("changes, field, message", [
    ({"given_names": ""}, "given_names", "Este campo es obligatorio."),
    ({"family_names": ""}, "family_names", "Este campo es obligatorio."),
    ({"document_number": ""}, "document_number", "Este campo es obligatorio."),
    ({"document_number": "1710034066"}, "document_number", "This is not a valid cédula: check its ten digits."),
    ({"document_type": "ruc", "document_number": "1712345678001"}, "document_number",
     "This is not a valid RUC: check its thirteen digits."),
    ({"document_type": "passport", "document_number": "AB-1"}, "document_number",
     "A passport number has 5 to 20 letters and digits."),
    ({"birth_date": "2090-01-01"}, "birth_date", "This date is in the future."),
    ({"birth_date": "1850-01-01"}, "birth_date", "This date is too long ago to be right."),
    ({"birth_date": "15/08/1992x"}, "birth_date", "No es una fecha válida."),
    ({"email": "jhoana@"}, "email", "This e-mail address is not valid."),
])
def test_bad_input_is_shown_beside_its_field_in_spanish_and_nothing_is_saved(app, client, db, coop, changes,
                                                                             field, message):
    response = client.post("/c/quebrada/apply", data=form(app, coop, **changes))

    assert response.status_code == 200
    assert '<html lang="es">' in response.get_data(as_text=True)
    assert field_error(response, field) == spanish(app, message)
    others = {"given_names", "family_names", "document_number", "birth_date", "email"} - {field}
    assert all(field_error(response, other) == "" for other in others)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_every_mistake_shows_at_once(app, client, coop):
    response = client.post("/c/quebrada/apply", data=form(app, coop, given_names="", document_number="123",
                                                          birth_date="2090-01-01", email="no"))

    assert field_error(response, "given_names") == "Este campo es obligatorio."
    assert field_error(response, "document_number") == spanish(app, "This is not a valid cédula: check its ten digits.")
    assert field_error(response, "birth_date") == spanish(app, "This date is in the future.")
    assert field_error(response, "email") == spanish(app, "This e-mail address is not valid.")


def test_a_second_pending_application_with_the_same_document_is_refused(app, client, db, coop):
    assert client.post("/c/quebrada/apply", data=form(app, coop)).status_code == 302

    again = client.post("/c/quebrada/apply", data=form(app, coop, given_names="Jhoana"))

    assert again.status_code == 200
    assert field_error(again, "document_number") == spanish(
        app, "An application with this document number is already waiting for a decision.")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 1


def test_a_member_cannot_apply_again_and_the_page_does_not_reveal_who_they_are(app, client, db, coop,
                                                                               make_member):
    member = make_member(coop, document_number=cedula(501))

    response = client.post("/c/quebrada/apply", data=form(app, coop))

    assert field_error(response, "document_number") == spanish(
        app, "A person with this document number is already in the co-op's register. Ask the secretary.")
    assert member.family_names not in text_of(response)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_a_filled_in_honeypot_is_refused(app, client, db, coop):
    response = client.post("/c/quebrada/apply", data=form(app, coop, website="http://spam.example"))

    assert response.status_code == 400
    assert spanish(app, "We could not accept this form. Wait a few seconds and send it again.") in text_of(response)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_a_form_sent_within_three_seconds_of_opening_is_refused(app, client, db, coop):
    page = client.get("/c/quebrada/apply").get_data(as_text=True)
    fresh = page.split('name="stamp" type="hidden" value="')[1].split('"')[0]

    response = client.post("/c/quebrada/apply", data=form(app, coop, stamp=fresh))

    assert response.status_code == 400
    assert spanish(app, "We could not accept this form. Wait a few seconds and send it again.") in text_of(response)
    assert field_error(response, "given_names") == ""  # what the person wrote is kept for sending again
    assert 'value="Jhoana Elizabeth"' in response.get_data(as_text=True)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


@pytest.mark.parametrize("bad_stamp", ["", "not-a-stamp", "forged.stamp"])
def test_a_missing_or_forged_stamp_is_refused(app, client, db, coop, bad_stamp):
    response = client.post("/c/quebrada/apply", data=form(app, coop, stamp=bad_stamp))

    assert response.status_code == 400
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_a_stamp_of_another_coop_or_from_yesterday_is_refused(app, client, db, coop, make_coop):
    other = make_coop("vecina")
    assert client.post("/c/quebrada/apply", data=form(app, coop, stamp=stamp(app, other))).status_code == 400

    stale = client.post("/c/quebrada/apply", data=form(app, coop, stamp=stamp(app, coop, seconds_ago=25 * 3600)))

    assert stale.status_code == 400
    assert spanish(app, "This form was opened too long ago. Check what you wrote and send it again.") \
        in text_of(stale)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_one_address_may_send_five_applications_an_hour(app, client, db, coop):
    for serial in range(600, 605):
        assert client.post("/c/quebrada/apply", data=form(app, coop, serial)).status_code == 302

    sixth = client.post("/c/quebrada/apply", data=form(app, coop, 605))

    assert sixth.status_code == 429
    assert spanish(app, "Too many applications were sent from your connection. Please try again in an hour, "
                        "or hand in your application at the office.") in text_of(sixth)
    neighbour = app.test_client()
    assert neighbour.post("/c/quebrada/apply", data=form(app, coop, 605),
                          environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 302
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 6
    keys = db.scalars(sa.select(LoginThrottle.key).where(LoginThrottle.kind == "apply")).all()
    assert len(keys) == 2 and all("127.0.0.1" not in key and len(key) == 64 for key in keys)


def test_the_limit_starts_afresh_after_an_hour_and_mistakes_do_not_count(app, db, coop):
    secret, policy = app.config["SECRET_KEY"], SpamPolicy(per_address=2)
    now = utcnow()
    db.rollback()
    for _ in range(2):
        applications.count_submission(db, client="198.51.100.4", secret=secret, now=now, policy=policy)
    with pytest.raises(applications.TooManyApplications):
        applications.count_submission(db, client="198.51.100.4", secret=secret, now=now, policy=policy)
    applications.count_submission(db, client="198.51.100.4", secret=secret,
                                  now=now + dt.timedelta(minutes=61), policy=policy)
    db.commit()
    assert db.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.kind == "apply")) == 1


def test_an_invalid_application_does_not_use_up_the_limit(app, client, db, coop):
    for _ in range(6):
        assert client.post("/c/quebrada/apply", data=form(app, coop, email="no")).status_code == 200
    assert client.post("/c/quebrada/apply", data=form(app, coop)).status_code == 302


# --- the secretary ---------------------------------------------------------------------------

def test_the_secretary_types_in_an_application_from_a_paper_form(app, client, db, coop, secretary):
    assert client.get("/c/quebrada/members/applications/new").status_code == 200

    response = client.post("/c/quebrada/members/applications/new", data={**once(),
        "given_names": "Luis Alfonso", "family_names": "Tituaña Andrango", "document_type": "cedula",
        "document_number": cedula(700), "birth_date": "1970-01-20", "phone": "02 269 1234", "email": "",
        "address": "Chillogallo", "message": ""})

    assert response.status_code == 302
    db.rollback()
    application = db.scalars(sa.select(Application)).one()
    assert application.source == "secretary" and application.email is None
    assert application.status is ApplicationStatus.PENDING
    [event] = events(db, "application.submit")
    assert event.actor_id == secretary.id
    assert "Luis Alfonso Tituaña Andrango" in text_of(client.get(response.headers["Location"]))


def test_the_paper_form_gets_the_same_checks(app, client, db, coop, secretary):
    response = client.post("/c/quebrada/members/applications/new", data={**once(),
        "given_names": "Luis", "family_names": "Tituaña", "document_type": "cedula",
        "document_number": "1234567890", "birth_date": "", "email": ""})

    assert field_error(response, "document_number") == spanish(app, "This is not a valid cédula: check its ten digits.")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_the_queue_shows_pending_first_filters_and_pages(app, client, db, coop, secretary):
    first = file_application(db, coop, 801, given_names="Rosa Elena", family_names="Cumbal Yánez")
    decided = file_application(db, coop, 802, given_names="Byron", family_names="Morocho Sangucho")
    last = file_application(db, coop, 803, given_names="Nelly", family_names="Collaguazo Chicaiza")
    db.rollback()
    applications.reject_application(db, secretary, db.merge(coop), db.get(Application, decided.id),
                                    decision_date=DECISION, reason="No vive en la parroquia.",
                                    today=dt.date.today())
    db.commit()

    page = text_of(client.get("/c/quebrada/members/applications"))
    assert page.index("Cumbal Yánez") < page.index("Collaguazo Chicaiza") < page.index("Morocho Sangucho")
    rejected = text_of(client.get("/c/quebrada/members/applications?status=rejected"))
    assert "Morocho Sangucho" in rejected and "Cumbal Yánez" not in rejected
    pending = text_of(client.get("/c/quebrada/members/applications?status=pending"))
    assert "Cumbal Yánez" in pending and "Morocho Sangucho" not in pending
    assert first.id != last.id

    for serial in range(900, 950):
        file_application(db, coop, serial)
    second_page = text_of(client.get("/c/quebrada/members/applications?page=2"))
    assert spanish(app, "Page %(page)d of %(pages)d", page=2, pages=2) in second_page
    # 52 pending and 1 rejected: the last two pending, then the decided one
    assert second_page.count("Quinatoa Lema") == 2 and "Morocho Sangucho" in second_page


def test_approving_enters_the_member_with_the_next_number_and_invites_them(app, client, db, coop, secretary,
                                                                            make_member):
    make_member(coop)
    make_member(coop)
    application = file_application(db, coop, 510, email="jhoana@example.org", given_names="Jhoana",
                                   family_names="Simbaña Caiza")

    response = client.post(f"/c/quebrada/members/applications/{application.id}/approve", data={
        "approve-decision_date": DECISION.isoformat(),
        "approve-resolution_ref": "Asamblea general 2026-03-14, resolución 12"})

    assert response.status_code == 302
    db.rollback()
    member = db.scalar(sa.select(Member).where(Member.document_number == cedula(510)))
    assert member.number == 3 and member.status is MemberStatus.ACTIVE
    assert member.join_date == member.status_since == DECISION
    assert member.status_changes[0].resolution_ref == "Asamblea general 2026-03-14, resolución 12"
    decided = db.get(Application, application.id)
    assert decided.status is ApplicationStatus.APPROVED and decided.member_id == member.id
    assert decided.decision_date == DECISION and decided.decided_by_id == secretary.id
    user = db.scalar(sa.select(User).where(User.email == "jhoana@example.org"))
    assert member.user_id == user.id and user.password_hash == ""
    assert Role.MEMBER in roles_of(db, user, db.get(Coop, coop.id))
    [mail] = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "jhoana@example.org")).all()
    assert mail.coop_id == coop.id and "/password/reset/" in mail.body
    [event] = events(db, "application.approve")
    assert event.actor_id == secretary.id and event.object_id == application.id
    page = client.get(response.headers["Location"])
    assert any("Jhoana Simbaña Caiza" in text and "3" in text for text in flashes(page))


def test_an_existing_account_is_invited_never_attached_and_its_owner_opens_the_member_pages_on_accepting(
        app, client, db, coop, secretary, make_user):
    # anyone may file an application in someone else's name: approving it must not hand that
    # person's account to the co-op; they get an invitation, and the secretary reads the same answer
    existing = make_user("wilson@example.org", name="Wilson Tipán")
    application = file_application(db, coop, 511, email="wilson@example.org")

    response = client.post(f"/c/quebrada/members/applications/{application.id}/approve",
                           data={"approve-decision_date": DECISION.isoformat()}, follow_redirects=True)

    db.rollback()
    member = db.scalar(sa.select(Member).where(Member.document_number == cedula(511)))
    assert member.user_id is None
    assert Role.MEMBER not in roles_of(db, db.get(User, existing.id), db.get(Coop, coop.id))
    assert spanish(app, "An invitation to the co-op's pages is on its way to %(email)s.",
                   email="wilson@example.org") in map(html.unescape, flashes(response))
    [mail] = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "wilson@example.org")).all()
    assert "/invitations/" in mail.body and "/password/reset/" not in mail.body
    [pending] = invitations.pending(db, db.get(Coop, coop.id))

    invitations.accept(db, db.get(User, existing.id), pending)
    db.commit()
    assert db.get(Member, member.id).user_id == existing.id
    assert Role.MEMBER in roles_of(db, db.get(User, existing.id), db.get(Coop, coop.id))


def test_a_family_email_that_already_opens_another_members_pages_is_not_linked_twice(
        app, client, db, coop, secretary, make_user, make_member):
    father = make_user("familia.tipan@example.org", coop=coop, roles=["member"])
    husband = make_member(coop, email="familia.tipan@example.org")
    db.rollback()
    db.get(Member, husband.id).user_id = father.id
    db.commit()
    application = file_application(db, coop, 519, email="familia.tipan@example.org", given_names="Mercedes")

    response = client.post(f"/c/quebrada/members/applications/{application.id}/approve",
                           data={"approve-decision_date": DECISION.isoformat()}, follow_redirects=True)

    db.rollback()
    wife = db.scalar(sa.select(Member).where(Member.document_number == cedula(519)))
    assert wife.status is MemberStatus.ACTIVE and wife.user_id is None
    assert db.get(Member, husband.id).user_id == father.id
    assert spanish(app, "The e-mail %(email)s already opens another member's pages; this member has no "
                        "account of their own yet.", email="familia.tipan@example.org") in map(html.unescape,
                                                                                    flashes(response))


def test_approval_without_an_email_creates_no_account(app, client, db, coop, secretary):
    application = file_application(db, coop, 512)

    client.post(f"/c/quebrada/members/applications/{application.id}/approve",
                data={"approve-decision_date": DECISION.isoformat()})

    db.rollback()
    member = db.scalar(sa.select(Member).where(Member.document_number == cedula(512)))
    assert member.user_id is None and member.number == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # the secretary alone


def test_a_decision_needs_a_date_that_has_come(app, client, db, coop, secretary):
    application = file_application(db, coop, 513)

    future = client.post(f"/c/quebrada/members/applications/{application.id}/approve",
                         data={"approve-decision_date": "2090-01-01"})
    missing = client.post(f"/c/quebrada/members/applications/{application.id}/approve", data={})

    assert field_error(future, "approve-decision_date") == spanish(app, "This date is in the future.")
    assert field_error(missing, "approve-decision_date") == "Este campo es obligatorio."
    db.rollback()
    assert db.get(Application, application.id).status is ApplicationStatus.PENDING
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_rejecting_needs_a_reason(app, client, db, coop, secretary):
    application = file_application(db, coop, 514)
    url = f"/c/quebrada/members/applications/{application.id}/reject"

    without = client.post(url, data={"reject-decision_date": DECISION.isoformat(), "reject-reason": "  "})

    assert without.status_code == 200
    assert field_error(without, "reject-reason") == spanish(app, "Say why the application is rejected.")
    db.rollback()
    assert db.get(Application, application.id).status is ApplicationStatus.PENDING

    given = client.post(url, data={"reject-decision_date": DECISION.isoformat(),
                                   "reject-reason": "No presentó el certificado de no tener vivienda.",
                                   "reject-resolution_ref": "Consejo de administración, acta 7"})

    assert given.status_code == 302
    db.rollback()
    rejected = db.get(Application, application.id)
    assert rejected.status is ApplicationStatus.REJECTED and rejected.member_id is None
    assert rejected.decision_reason == "No presentó el certificado de no tener vivienda."
    assert rejected.resolution_ref == "Consejo de administración, acta 7"
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
    [event] = events(db, "application.reject")
    assert event.actor_id == secretary.id
    assert "No presentó el certificado" in text_of(client.get(given.headers["Location"]))


def test_an_application_is_decided_only_once(app, client, db, coop, secretary):
    application = file_application(db, coop, 515)
    approve = f"/c/quebrada/members/applications/{application.id}/approve"
    data = {"approve-decision_date": DECISION.isoformat()}
    assert client.post(approve, data=data).status_code == 302

    again = client.post(approve, data=data, follow_redirects=True)
    reject = client.post(f"/c/quebrada/members/applications/{application.id}/reject",
                         data={"reject-decision_date": DECISION.isoformat(), "reject-reason": "Duplicada"},
                         follow_redirects=True)

    refusal = spanish(app, "This application has already been decided.")
    assert refusal in flashes(again) and refusal in flashes(reject)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Member)) == 1
    assert db.get(Application, application.id).status is ApplicationStatus.APPROVED
    assert len(events(db, "application.approve")) == 1 and events(db, "application.reject") == []


@pytest.mark.parametrize("role", ["treasurer", "member", "auditor", "coordinator"])
def test_only_those_who_keep_the_register_see_the_queue(app, client, db, coop, make_user, role):
    application = file_application(db, coop, 516)
    user = make_user(f"{role}@example.org", coop=coop, roles=[role])
    log_in(client, user.email)

    assert client.get("/c/quebrada/members/applications").status_code == 403
    assert client.get(f"/c/quebrada/members/applications/{application.id}").status_code == 403
    assert client.post(f"/c/quebrada/members/applications/{application.id}/approve",
                       data={"approve-decision_date": DECISION.isoformat()}).status_code == 403
    db.rollback()
    assert db.get(Application, application.id).status is ApplicationStatus.PENDING


@pytest.mark.parametrize("role", ["secretary", "admin"])
def test_the_secretary_and_the_administrator_see_the_queue(app, client, db, coop, make_user, role):
    application = file_application(db, coop, 517)
    user = make_user(f"{role}@example.org", coop=coop, roles=[role])
    log_in(client, user.email)

    assert "Quinatoa Lema" in text_of(client.get("/c/quebrada/members/applications"))
    assert cedula(517) in text_of(client.get(f"/c/quebrada/members/applications/{application.id}"))


def test_another_coops_application_is_not_found(app, client, db, coop, secretary, make_coop):
    other = make_coop("vecina")
    theirs = file_application(db, other, 518)

    assert client.get(f"/c/quebrada/members/applications/{theirs.id}").status_code == 404
    assert client.post(f"/c/quebrada/members/applications/{theirs.id}/approve",
                       data={"approve-decision_date": DECISION.isoformat()}).status_code == 404
    db.rollback()
    assert db.get(Application, theirs.id).status is ApplicationStatus.PENDING


# --- at the same time ------------------------------------------------------------------------

def at_once(app, work, arguments: list) -> tuple[list[str], list[str]]:
    """Run ``work(session, argument)`` for each argument in its own thread, app context, unit of
    work and session, all released together; returns the refusals (DomainError) and any failure."""
    database = app.extensions["coop.db"]
    barrier = threading.Barrier(len(arguments))
    refusals, failures = [], []

    def run(argument) -> None:
        with app.app_context():
            barrier.wait()
            try:
                with database.unit_of_work() as session:
                    work(session, argument)
            except DomainError as error:
                refusals.append(str(error))
            except Exception as error:  # noqa: BLE001  (reported by the caller's assertion)
                failures.append(repr(error))

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return refusals, failures


def approve_at_once(app, coop_id: int, actor_id: int, application_ids: list[int]) -> tuple[list, list]:
    invite = Invitation(secret=app.config["SECRET_KEY"], hours=72,
                        link_for=lambda token: f"https://ayllu.example/password/reset/{token}")

    def approve(session, application_id: int) -> None:
        coop = session.get(Coop, coop_id)
        applications.approve_application(session, session.get(User, actor_id), coop,
                                         session.get(Application, application_id), decision_date=DECISION,
                                         today=today_in(coop), invitation=invite)

    return at_once(app, approve, application_ids)


def test_twelve_secretaries_approving_at_once_give_numbers_one_to_twelve(app, db, coop, make_user):
    actor = make_user("maria@example.org", coop=coop, roles=["secretary"])
    ids = [file_application(db, coop, 1100 + n, email=f"socia{n}@example.org" if n % 2 else None).id
           for n in range(12)]

    refusals, failures = approve_at_once(app, coop.id, actor.id, ids)

    assert (refusals, failures) == ([], [])
    db.rollback()
    members = db.scalars(sa.select(Member).order_by(Member.number)).all()
    assert [m.number for m in members] == list(range(1, 13))
    linked = db.scalars(sa.select(Application.member_id).where(Application.id.in_(ids))).all()
    assert sorted(linked) == sorted(m.id for m in members)
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 6
    assert sum(1 for m in members if m.user_id is not None) == 6


def test_two_secretaries_approving_the_same_application_create_one_member(app, db, coop, make_user):
    actor = make_user("maria@example.org", coop=coop, roles=["secretary"])
    application = file_application(db, coop, 1200, email="rosa@example.org")

    refusals, failures = approve_at_once(app, coop.id, actor.id, [application.id, application.id])

    assert failures == []
    assert refusals == [spanish(app, "This application has already been decided.")]
    db.rollback()
    assert db.scalars(sa.select(Member.number)).all() == [1]
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    assert len(events(db, "application.approve")) == 1


def test_a_double_click_on_the_public_form_files_one_application(app, db, coop):
    coop_id = coop.id  # the threads never touch the test's own session

    def submit(session, _click) -> None:
        applications.submit_application(session, None, session.get(Coop, coop_id), ApplicationData(
            given_names="Rosa Elena", family_names="Chicaiza Tupiza", document_type=DocumentType.CEDULA,
            document_number=cedula(1300)), source=Source.PUBLIC, today=dt.date.today())

    refusals, failures = at_once(app, submit, [1, 2])

    assert failures == []
    assert refusals == [spanish(app, "An application with this document number is already waiting for a decision.")]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Application)) == 1
