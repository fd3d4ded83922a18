"""A crowd at the treasurer's forms: the same form sent ten times at once, or one bank reference
typed by ten clerks at once, records exactly one payment or expense; every other request gets a
clear answer (the record the first one made, or the message beside the field), never an error
page. Real threads, each request with its own connection (PostgreSQL when the suite runs on it)."""
from __future__ import annotations

import io

import sqlalchemy as sa

from ledger.models import Expense, Payment
from ledger.services import BANK_CODE, CASH_CODE
from tests.conftest import field_error, once
from tests.ledger.conftest import DAY, account, post_at_once

BOOKS = "/c/quebrada/books"
CROWD = 10
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def signed_in_treasurer(app, books, make_user, login):
    client = app.test_client()
    login(client, make_user("tesorera@example.org", coop=books, roles=["treasurer"]))
    return client


def payment_form(db, books, member, **fields) -> dict:
    db.rollback()
    data = {"member": str(member.number), "amount": "25,50", "payment_date": DAY.isoformat(), "method": "cash",
            "account": str(account(db, books, CASH_CODE).id), "bank_reference": "", "note": ""}
    data.update(fields)
    return data


def test_one_payment_form_sent_ten_times_at_once_records_one_receipt(app, db, books, make_member, make_user,
                                                                        login):
    member = make_member(books)
    treasurer = signed_in_treasurer(app, books, make_user, login)
    form = payment_form(db, books, member, **once())

    responses = post_at_once(app, treasurer, f"{BOOKS}/payments/new", [form] * CROWD)

    assert [r.status_code for r in responses] == [302] * CROWD
    db.rollback()
    [payment] = db.scalars(sa.select(Payment)).all()
    assert {r.headers["Location"] for r in responses} == {f"{BOOKS}/payments/{payment.id}"}


def test_one_transfer_reference_typed_by_ten_clerks_at_once_is_recorded_once(app, db, books, make_member,
                                                                               make_user, login):
    member = make_member(books)
    treasurer = signed_in_treasurer(app, books, make_user, login)
    bank = str(account(db, books, BANK_CODE).id)
    forms = [payment_form(db, books, member, method="transfer", account=bank, bank_reference="PCH-5521",
                          amount=f"{20 + index},00", **once()) for index in range(CROWD)]

    responses = post_at_once(app, treasurer, f"{BOOKS}/payments/new", forms)

    assert sorted(r.status_code for r in responses) == [200] * (CROWD - 1) + [302]
    for refused in (r for r in responses if r.status_code == 200):
        message = field_error(refused, "bank_reference")
        assert "ya tiene esta referencia bancaria" in message or "ya lleva esta referencia bancaria" in message
        assert 'name="confirm_duplicate"' in refused.get_data(as_text=True)  # "record it anyway" is offered
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_one_expense_form_sent_ten_times_at_once_records_one_expense(app, db, books, make_user, login):
    treasurer = signed_in_treasurer(app, books, make_user, login)
    db.rollback()
    form = {"expense_date": "2026-03-10", "supplier": "Ferretería El Constructor", "description": "Cemento",
            "invoice_ref": "", "account": str(account(db, books, "5.2").id), "amount": "312,40", **once()}

    responses = post_at_once(app, treasurer, f"{BOOKS}/expenses/new",
                             [{**form, "attachment": (io.BytesIO(PDF), "factura.pdf")} for _ in range(CROWD)],
                             content_type="multipart/form-data")

    assert [r.status_code for r in responses] == [302] * CROWD
    db.rollback()
    [expense] = db.scalars(sa.select(Expense)).all()
    assert {r.headers["Location"] for r in responses} == {f"{BOOKS}/expenses/{expense.id}"}
