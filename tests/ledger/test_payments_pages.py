"""The treasurer at the window: the payment form, the list, a receipt's page, voiding it, the
printed receipt, share capital; and who may see what."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coop.calendar import today_in
from ledger import payments
from ledger.models import Payment
from ledger.services import BANK_CODE, CASH_CODE
from members import services as member_services
from members.models import Member
from tests.conftest import field_error, flashes, once, text_of
from tests.ledger.conftest import DAY, account
from tests.ledger.payment_factories import add_charge, pay

BOOKS = "/c/quebrada/books"


def form_data(db, books, person, **fields):
    data = {"member": str(person.number), "amount": "25,50", "payment_date": DAY.isoformat(), "method": "cash",
            "account": str(account(db, books, CASH_CODE).id), "bank_reference": "", "note": "", **once()}
    data.update(fields)
    return data


def pdf_text(response) -> str:
    """The PDF's text without whitespace: pypdf splits kerned pairs."""
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))


def test_the_form_is_prefilled_and_records_a_numbered_receipt(client, db, books, ana, treasurer):
    add_charge(db, books, ana, 2000, DAY, description="Aporte de marzo")
    db.commit()
    page = client.get(f"{BOOKS}/payments/new?member={ana.number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{ana.number}"' in html and f'value="{today_in(books).isoformat()}"' in html
    assert "Ana Lucía Quishpe Toapanta" in text_of(page)

    response = client.post(f"{BOOKS}/payments/new", data=form_data(db, books, ana))
    assert response.status_code == 302
    shown = client.get(response.headers["Location"])
    text = text_of(shown)
    assert "El recibo N.º 1 quedó registrado." in flashes(shown)
    assert "Aporte de marzo" in text and "5,50" in text  # 20.00 paid the charge, 5.50 left as credit
    db.rollback()
    assert db.scalar(sa.select(Payment.amount_minor)) == 2550


@pytest.mark.parametrize("typed, message", [("0", "more than zero"), ("-5", "cannot be negative"),
                                            ("1,012.345", "at most 2 decimals"), ("doce", "not an amount")])
def test_an_amount_that_is_not_money_is_refused_beside_the_field(client, db, books, ana, make_user, login,
                                                                 typed, message):
    login(client, make_user("treasurer@example.org", coop=books, roles=["treasurer"], locale="en"))
    db.rollback()
    response = client.post(f"{BOOKS}/payments/new", data=form_data(db, books, ana, amount=typed))
    assert response.status_code == 200
    assert message in field_error(response, "amount")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


@pytest.mark.parametrize("typed, cents", [("48.90", 4890), ("$1.234,56", 123456), ("1,234.56", 123456)])
def test_the_treasurer_types_the_amount_as_it_is_written_on_the_slip(client, db, books, ana, treasurer, typed, cents):
    response = client.post(f"{BOOKS}/payments/new", data=form_data(db, books, ana, amount=typed))
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(sa.select(Payment.amount_minor)) == cents


def test_an_amount_that_reads_two_ways_is_asked_about_and_nothing_is_recorded(client, db, books, ana, treasurer):
    # on the Spanish form "1.500" is fifteen hundred; "1,500" might be that, or one and a half dollars
    response = client.post(f"{BOOKS}/payments/new", data=form_data(db, books, ana, amount="1,500"))
    assert response.status_code == 200
    refusal = field_error(response, "amount")
    assert "1,500" in refusal and "1.500,00" in refusal and "1500,00" in refusal
    assert 'value="1,500"' in response.get_data(as_text=True)  # what she typed stays in the field
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_a_transfer_needs_its_reference_and_a_repeated_one_is_confirmed(client, db, books, ana, treasurer):
    bank = str(account(db, books, BANK_CODE).id)
    response = client.post(f"{BOOKS}/payments/new", data=form_data(db, books, ana, method="transfer", account=bank))
    assert field_error(response, "bank_reference")
    assert client.post(f"{BOOKS}/payments/new", data=form_data(
        db, books, ana, method="transfer", account=bank, bank_reference="PCH-5521")).status_code == 302
    again = client.post(f"{BOOKS}/payments/new", data=form_data(
        db, books, ana, method="transfer", account=bank, bank_reference="PCH-5521"))
    assert "El recibo 1 ya tiene esta referencia bancaria" in field_error(again, "bank_reference")
    assert 'name="confirm_duplicate"' in again.get_data(as_text=True)
    confirmed = client.post(f"{BOOKS}/payments/new", data=form_data(
        db, books, ana, method="transfer", account=bank, bank_reference="PCH-5521", confirm_duplicate="y"))
    assert confirmed.status_code == 302
    db.rollback()
    assert list(db.scalars(sa.select(Payment.receipt_number).order_by(Payment.id))) == [1, 2]


def test_an_unknown_member_number_is_named_beside_its_field(client, db, books, ana, treasurer):
    response = client.post(f"{BOOKS}/payments/new", data=form_data(db, books, ana, member="999"))
    assert "ninguna persona socia con este número" in field_error(response, "member")


def test_voiding_from_the_receipt_page(client, db, books, ana, treasurer):
    payment = pay(db, books, ana, 1500)
    db.commit()
    url = f"{BOOKS}/payments/{payment.id}"
    refused = client.post(f"{url}/void", data={"reason": "", "on_date": DAY.isoformat()})
    assert refused.status_code == 422 and field_error(refused, "reason")
    done = client.post(f"{url}/void", data={"reason": "Billete falso", "on_date": DAY.isoformat()})
    assert done.status_code == 302
    page = client.get(url)
    assert "Anulado" in text_of(page) and "Billete falso" in text_of(page)
    assert "Anular este recibo" not in text_of(page)
    again = client.post(f"{url}/void", data={"reason": "Otra vez", "on_date": DAY.isoformat()})
    assert again.status_code == 422 and "ya está anulado" in text_of(again)


def test_the_printed_receipt_carries_number_member_amount_in_words_and_void_stamp(client, db, books, ana,
                                                                                  treasurer):
    add_charge(db, books, ana, 2000, DAY, description="Aporte de marzo")
    payment = pay(db, books, ana, 2550)
    db.commit()
    response = client.get(f"{BOOKS}/payments/{payment.id}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response)
    assert "AnaLucíaQuishpeToapanta" in text and f"{ana.number}" in text and "Aportedemarzo" in text
    assert "ReciboN.º1" in text
    assert "veinticincodólaresconcincuentacentavos" in text
    assert "ANULADO" not in text
    db.rollback()
    payments.void_payment(db, None, books, db.get(Payment, payment.id), reason="Error", on_date=DAY)
    db.commit()
    assert "ANULADO" in pdf_text(client.get(f"{BOOKS}/payments/{payment.id}/receipt.pdf"))


def test_a_member_prints_their_own_receipt_and_nobody_elses(client, db, books, ana, make_member, make_user,
                                                           login):
    other = make_member(books)
    user = make_user("ana@example.org", coop=books, roles=["member"])
    db.rollback()
    mine, theirs = pay(db, books, db.merge(ana), 100), pay(db, books, db.merge(other), 100)
    db.get(Member, ana.id).user_id = user.id
    db.commit()
    login(client, user)
    own = client.get(f"{BOOKS}/payments/{mine.id}/receipt.pdf")
    assert own.status_code == 200 and own.mimetype == "application/pdf"
    assert "Quishpe" in pdf_text(own)
    assert client.get(f"{BOOKS}/payments/{theirs.id}/receipt.pdf").status_code == 404
    assert client.get(f"{BOOKS}/payments/{mine.id}").status_code == 403
    assert client.get(f"{BOOKS}/payments/").status_code == 403
    assert "Recibo N.º 1" in text_of(client.get("/c/quebrada/me"))


@pytest.mark.parametrize("role, listing, recording, receipt", [
    ("auditor", 200, 403, 200), ("admin", 200, 200, 200), ("secretary", 403, 403, 404), ("member", 403, 403, 404)])
def test_who_may_see_and_record_payments(client, db, books, ana, make_user, login, role, listing, recording, receipt):
    payment = pay(db, books, ana, 100)
    db.commit()
    login(client, make_user(f"{role}@example.org", coop=books, roles=[role]))
    assert client.get(f"{BOOKS}/payments/").status_code == listing
    assert client.get(f"{BOOKS}/payments/new").status_code == recording
    assert client.get(f"{BOOKS}/payments/{payment.id}/receipt.pdf").status_code == receipt


def test_another_coops_payment_is_not_found(client, db, books, ana, make_coop, make_user, login):
    payment = pay(db, books, ana, 100)
    db.commit()
    vecina = make_coop("vecina")
    login(client, make_user("tesorero@vecina.org", coop=vecina, roles=["treasurer"]))
    assert client.get(f"/c/vecina/books/payments/{payment.id}").status_code == 404
    assert client.get(f"/c/vecina/books/payments/{payment.id}/receipt.pdf").status_code == 404
    assert client.post(f"/c/vecina/books/payments/{payment.id}/void",
                       data={"reason": "x", "on_date": DAY.isoformat()}).status_code == 404


def test_the_list_filters_by_member_receipt_reference_and_state(client, db, books, ana, make_member, treasurer):
    other = make_member(books, given_names="Rosa")
    db.rollback()
    pay(db, books, ana, 100)
    second = pay(db, books, db.merge(other), 200, method="deposit", bank_reference="DEP-77",
                 account=account(db, books, BANK_CODE))
    payments.void_payment(db, None, books, second, reason="Error", on_date=DAY)
    pay(db, books, ana, 300)
    db.commit()

    def receipts(query: str) -> list[str]:
        html = client.get(f"{BOOKS}/payments/?{query}").get_data(as_text=True)
        return re.findall(r'/payments/\d+">(\d+)</a>', html)

    assert receipts("") == ["3", "2", "1"]
    assert receipts(f"member={ana.number}") == ["3", "1"]
    assert receipts("q=DEP") == ["2"] and receipts("q=3") == ["3"]
    assert receipts("state=void") == ["2"] and receipts("state=valid&method=cash") == ["3", "1"]
    assert receipts("start=2030-01-01") == []


def test_share_capital_is_paid_from_its_subscription(client, db, books, ana, treasurer):
    subscription = member_services.subscribe_shares(db, None, books, ana, amount_minor=20000, instalments=4,
                                                    first_due_date=DAY)
    db.commit()
    url = f"{BOOKS}/payments/share-capital/new?subscription={subscription.id}"
    page = client.get(url)
    assert page.status_code == 200 and 'value="50,00"' in page.get_data(as_text=True)  # one instalment
    data = {**once(), "amount": "200,01", "payment_date": DAY.isoformat(), "method": "cash",
            "account": str(account(db, books, CASH_CODE).id)}
    assert "$200,00" in field_error(client.post(url, data=data), "amount")
    assert client.post(url, data=dict(data, amount="50")).status_code == 302
    db.rollback()
    assert payments.subscription_paid(db, subscription) == 5000
    member_page = text_of(client.get(f"/c/quebrada/members/{ana.number}"))
    assert "Registrar un pago de certificados de aportación" in member_page and "Recibo N.º 1" in member_page
    lost = client.get(f"{BOOKS}/payments/share-capital/new")
    assert lost.status_code == 302
