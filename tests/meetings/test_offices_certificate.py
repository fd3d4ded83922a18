"""A membership certificate names the president and the secretary in office on its day, as the
register of offices says; nobody in office (or no register at all) leaves the generic titles to
be named and signed by hand. The secretary says on the office page which office signs as what."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from coop import officers
from coop.officers import Officer
from meetings import offices
from meetings.models import PositionBody
from members import printing
from members.models import FormOfAddress
from tests.conftest import field_error, flashes, text_of
from tests.members.test_printing import pdf_pages, squeeze

ISSUED = dt.date(2027, 5, 20)
GENERIC = ("Secretary", "President or administrator", "Name and signature")


@pytest.fixture
def coop(make_coop):
    return make_coop("pachamama", name="Cooperativa Pachamama")


@pytest.fixture
def people(coop, make_member):
    """Ana asks for her certificate; Rosa presides over the board and Pedro is the secretary."""
    return {"ana": make_member(coop, given_names="Ana", family_names="Quispe Lema"),
            "rosa": make_member(coop, given_names="Rosa", family_names="Pilataxi Caiza",
                                form_of_address=FormOfAddress.FEMININE),
            "pedro": make_member(coop, given_names="Pedro", family_names="Guamán Yupa",
                                 form_of_address=FormOfAddress.MASCULINE),
            "lucia": make_member(coop, given_names="Lucía", family_names="Chango Tipán")}


@pytest.fixture
def signing_offices(db, coop):
    """The board's presidency and the co-op's secretary, each marked as the office that signs."""
    president = offices.add_position(db, None, db.merge(coop), offices.PositionData(
        name="Presidencia del consejo", body=PositionBody.BOARD, signs_as=Officer.PRESIDENT, alternates=1))
    secretary = offices.add_position(db, None, db.merge(coop), offices.PositionData(
        name="Secretaría", body=PositionBody.OTHER, signs_as=Officer.SECRETARY))
    db.commit()
    return president, secretary


def serve(db, coop, position, member, *, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2028, 2, 29), **fields):
    term = offices.record_term(db, None, db.merge(coop), position=db.merge(position), member=db.merge(member),
                               starts_on=starts_on, ends_on=ends_on, **fields)
    db.commit()
    return term


def certificate_text(app, db, coop, member, locale="en") -> str:
    with app.test_request_context(), force_locale(locale):
        [page] = pdf_pages(printing.render_certificate(db, db.merge(coop), db.merge(member), issued=ISSUED))
    return page


def test_the_certificate_names_the_president_and_the_secretary_in_office_on_its_day(
        app, db, coop, people, signing_offices):
    president, secretary = signing_offices
    serve(db, coop, president, people["rosa"])
    serve(db, coop, president, people["lucia"], is_alternate=True)  # an alternate does not sign
    serve(db, coop, secretary, people["pedro"])

    page = certificate_text(app, db, coop, people["ana"])

    assert squeeze("Rosa Pilataxi Caiza") + "President" in page
    assert squeeze("Pedro Guamán Yupa") + "Secretary" in page
    assert "Lucía" not in page
    assert squeeze("President or administrator") not in page and squeeze("Name and signature") not in page


def test_on_a_handover_day_the_term_that_started_last_signs(app, db, coop, people, signing_offices):
    president, _ = signing_offices
    serve(db, coop, president, people["lucia"], starts_on=dt.date(2025, 5, 20), ends_on=ISSUED)
    serve(db, coop, president, people["rosa"], starts_on=ISSUED)

    page = certificate_text(app, db, coop, people["ana"])

    assert squeeze("Rosa Pilataxi Caiza") + "President" in page and "Lucía" not in page


def test_a_term_that_ended_before_the_day_leaves_the_generic_titles(app, db, coop, people, signing_offices):
    president, secretary = signing_offices
    serve(db, coop, president, people["rosa"], ends_on=ISSUED - dt.timedelta(days=1))
    term = serve(db, coop, secretary, people["pedro"])
    offices.end_term(db, None, db.merge(coop), db.merge(term), left_on=dt.date(2027, 1, 31), reason="Renunció")
    db.commit()

    page = certificate_text(app, db, coop, people["ana"])

    for title in GENERIC:
        assert squeeze(title) in page, title
    assert "Rosa" not in page and "Pedro" not in page


def test_without_the_register_of_offices_the_certificate_keeps_the_generic_titles(
        app, db, coop, people, signing_offices, monkeypatch):
    president, secretary = signing_offices
    serve(db, coop, president, people["rosa"])
    serve(db, coop, secretary, people["pedro"])
    monkeypatch.setattr(officers, "_provider", None)  # an app without meetings

    page = certificate_text(app, db, coop, people["ana"])

    for title in GENERIC:
        assert squeeze(title) in page, title
    assert "Rosa" not in page and "Pedro" not in page


def test_an_office_that_signs_elsewhere_does_not_sign_this_coops_certificate(
        app, db, coop, people, signing_offices, make_coop, make_member):
    neighbours = make_coop("vecina")
    other = offices.add_position(db, None, db.merge(neighbours), offices.PositionData(
        name="Presidencia", body=PositionBody.BOARD, signs_as=Officer.PRESIDENT))
    db.commit()
    serve(db, neighbours, other, make_member(neighbours, given_names="Carmen", family_names="Vecina Sur"))

    assert "Carmen" not in certificate_text(app, db, coop, people["ana"])


def test_the_secretary_marks_the_office_that_signs_and_only_one_signs_as_president(
        client, login, coop, make_user, signing_offices):
    president, _ = signing_offices
    login(client, make_user("secretaria@example.org", coop=coop, roles=["secretary"], locale="en"))
    office = {"body": "board", "block": "", "seats": "1", "alternates": "0", "term_months": "24", "is_active": "y"}

    page = client.post(f"/c/{coop.slug}/meetings/positions",
                       data={**office, "name": "Gerencia", "signs_as": "president"})
    assert field_error(page, "signs_as") == "Another office already signs as this."

    page = client.get(f"/c/{coop.slug}/meetings/positions/{president.id}")
    assert '<option selected value="president">' in page.get_data(as_text=True)
    page = client.post(f"/c/{coop.slug}/meetings/positions/{president.id}",
                       data={**office, "name": "Presidencia del consejo", "signs_as": ""}, follow_redirects=True)
    assert "The office Presidencia del consejo is saved." in flashes(page)
    page = client.post(f"/c/{coop.slug}/meetings/positions",
                       data={**office, "name": "Gerencia", "signs_as": "president"}, follow_redirects=True)
    assert "The office Gerencia is added." in flashes(page)
    assert "Gerencia Signs certificates as President of the co-op" in text_of(page)
