"""The treasurer's forms forgive a double click, a slip of the finger and a refused try: a payment
form sent twice records one receipt, an absurd amount is refused beside its field, a receipt scan
chosen on a refused expense form is still there for the retry, and the member is found by name."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from coop import tasks
from coop.db import utcnow
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger.models import Expense, JournalEntry, Payment
from ledger.services import CASH_CODE
from members import services as member_services
from tests.conftest import field_error, flashes, log_in, once, once_key_of, text_of
from tests.ledger.conftest import DAY, account

BOOKS = "/c/quebrada/books"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def payment_form(db, books, person, **fields) -> dict:
    data = {"member": str(person.number), "amount": "25,50", "payment_date": DAY.isoformat(), "method": "cash",
            "account": str(account(db, books, CASH_CODE).id), "bank_reference": "", "note": ""}
    data.update(fields)
    return data


def expense_form(db, books, **fields) -> dict:
    db.rollback()
    data = {"expense_date": "2026-03-10", "supplier": "Ferretería El Constructor",
            "description": "40 sacos de cemento", "invoice_ref": "001-002-0004567",
            "account": str(account(db, books, "5.2").id), "amount": "312,40"}
    data.update(fields)
    return data


def kept_token(response) -> str:
    return re.search(r'name="kept_receipt"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def count(db, model) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


# --- a form applied once ---------------------------------------------------------------------

def test_a_double_click_records_one_payment_and_shows_the_receipt_it_made(client, db, books, ana, treasurer):
    key = once_key_of(client.get(f"{BOOKS}/payments/new?member={ana.number}"))
    data = payment_form(db, books, ana, once_key=key)

    first = client.post(f"{BOOKS}/payments/new", data=data)
    second = client.post(f"{BOOKS}/payments/new", data=data)

    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    shown = client.get(second.headers["Location"])
    assert "Este formulario ya se envió y se aplicó; no se aplicó por segunda vez." in flashes(shown)
    assert "Recibo N.º 1" in text_of(shown) or "N.º 1" in text_of(shown)
    assert count(db, Payment) == 1


def test_a_form_without_its_key_is_refused_and_comes_back_ready_to_send(client, db, books, ana, treasurer):
    data = payment_form(db, books, ana)

    refused = client.post(f"{BOOKS}/payments/new", data=data)

    assert refused.status_code == 200
    assert "Este formulario está desactualizado. Revíselo y envíelo de nuevo." in text_of(refused)
    assert count(db, Payment) == 0
    again = client.post(f"{BOOKS}/payments/new", data={**data, "once_key": once_key_of(refused)})
    assert again.status_code == 302 and count(db, Payment) == 1


def test_a_refused_form_corrected_is_recorded_with_the_same_key(client, db, books, ana, treasurer):
    data = payment_form(db, books, ana, **once())

    refused = client.post(f"{BOOKS}/payments/new", data={**data, "amount": "0"})
    assert field_error(refused, "amount") and once_key_of(refused) == data["once_key"]

    assert client.post(f"{BOOKS}/payments/new", data=data).status_code == 302
    assert count(db, Payment) == 1


def test_a_journal_entry_sent_twice_is_posted_once(client, db, books, treasurer):
    db.rollback()
    data = {"entry_date": DAY.isoformat(), "description": "Multa de Minga", "reference": "", **once(),
            "postings-0-account": str(account(db, books, "1.1.01").id), "postings-0-debit": "10",
            "postings-1-account": str(account(db, books, "4.1").id), "postings-1-credit": "10"}
    first = client.post(f"{BOOKS}/journal/new", data=data)
    second = client.post(f"{BOOKS}/journal/new", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count(db, JournalEntry) == 1


# --- the ceiling -----------------------------------------------------------------------------

def test_an_absurd_amount_is_refused_beside_its_field(client, db, books, ana, treasurer):
    response = client.post(f"{BOOKS}/payments/new",
                           data=payment_form(db, books, ana, amount="1.000.000.000.000,00", **once()))

    refusal = field_error(response, "amount")
    assert "supera el monto más alto que la cooperativa acepta de una sola vez" in refusal
    assert "$1.000.000,00" in refusal
    expense = client.post(f"{BOOKS}/expenses/new", data={**expense_form(db, books, amount="1.000.000.000.000,00"),
                                                         **once()}, content_type="multipart/form-data")
    assert "$1.000.000,00" in field_error(expense, "amount")
    assert count(db, Payment) == 0 and count(db, Expense) == 0


def test_the_administrator_raises_the_ceiling_in_the_settings(app, db, books, ana, make_user):
    admin = app.test_client()
    log_in(admin, make_user("admin@example.org", coop=books, roles=["admin", "treasurer"]).email)
    page = admin.get("/c/quebrada/admin/settings")
    assert 'value="1000000,00"' in page.get_data(as_text=True)
    form = {"name": "Cooperativa Quebrada", "currency": "USD", "locale": "es", "country": "EC",
            "timezone": "America/Guayaquil", "paper_size": "A4", "voting_basis": "member",
            "obligation_basis": "household", "quorum_percent": "50", "second_call_minutes": "60",
            "notice_days": "8", "fiscal_year_start_month": "1"}

    assert field_error(admin.post("/c/quebrada/admin/settings", data={**form, "max_amount_minor": "0"}),
                       "max_amount_minor")
    assert admin.post("/c/quebrada/admin/settings",
                      data={**form, "max_amount_minor": "5.000.000,00"}).status_code == 302

    db.rollback()
    assert db.get(Coop, books.id).max_amount_minor == 500_000_000
    recorded = admin.post(f"{BOOKS}/payments/new", data=payment_form(db, books, ana, amount="2.000.000,00", **once()))
    assert recorded.status_code == 302


def test_the_ceiling_holds_for_share_capital_subscriptions_too(db, books, ana):
    db.rollback()
    with pytest.raises(DomainError) as refused:
        member_services.subscribe_shares(db, None, db.get(Coop, books.id), db.merge(ana),
                                         amount_minor=100_000_001, instalments=1, first_due_date=DAY)
    assert refused.value.field == "amount"


# --- the kept receipt ------------------------------------------------------------------------

def test_a_receipt_chosen_on_a_refused_expense_form_is_kept_for_the_retry(client, db, books, treasurer):
    data = {**expense_form(db, books, supplier=""), **once()}
    refused = client.post(f"{BOOKS}/expenses/new", data={**data, "attachment": (io.BytesIO(PDF), "factura.pdf")},
                          content_type="multipart/form-data")

    assert field_error(refused, "supplier")
    assert "Recibo guardado: factura.pdf (elija otro archivo para reemplazarlo)" in text_of(refused)
    token = kept_token(refused)

    saved = client.post(f"{BOOKS}/expenses/new", data={**data, "supplier": "Ferretería El Constructor",
                                                       "kept_receipt": token}, content_type="multipart/form-data")

    assert saved.status_code == 302
    db.rollback()
    expense = db.scalars(sa.select(Expense)).one()
    assert expense.attachment_name == "factura.pdf" and bytes(expense.attachment) == PDF
    assert db.scalar(sa.select(sa.func.count()).select_from(tasks.Task)) == 0  # the kept copy is gone


def test_a_kept_receipt_is_only_for_who_chose_it_and_is_purged_after_a_day(app, client, db, books, treasurer,
                                                                            make_user):
    refused = client.post(f"{BOOKS}/expenses/new",
                          data={**expense_form(db, books, supplier=""), **once(),
                                "attachment": (io.BytesIO(PDF), "factura.pdf")}, content_type="multipart/form-data")
    token = kept_token(refused)
    other = app.test_client()
    log_in(other, make_user("otra@example.org", coop=books, roles=["treasurer"]).email)
    theirs = other.post(f"{BOOKS}/expenses/new", data={**expense_form(db, books), **once(), "kept_receipt": token},
                        content_type="multipart/form-data")
    assert theirs.status_code == 302
    db.rollback()
    assert db.scalars(sa.select(Expense)).one().attachment_name in (None, "")

    db.execute(sa.update(tasks.Task).values(created_dt=utcnow() - dt.timedelta(hours=25)))
    assert tasks.purge_tasks(db, utcnow()) == 1
    db.commit()


# --- finding the member by name --------------------------------------------------------------

def test_the_payment_form_finds_the_member_by_name(client, db, books, ana, treasurer, make_member):
    make_member(books, given_names="Pedro", family_names="Guamán")
    db.rollback()
    household = member_services.create_household(db, None, db.get(Coop, books.id), name="Quishpe Toapanta")
    member_services.set_household(db, None, db.get(Coop, books.id), db.merge(ana), household)
    db.commit()

    page = client.get(f"{BOOKS}/payments/new?find=quishpe")

    text = text_of(page)
    assert "1 persona socia coincide; elíjala:" in text
    assert f"N.º {ana.number} · Ana Lucía Quishpe Toapanta" in text and "· Quishpe Toapanta" in text
    assert "Guamán" not in text
    assert f'href="/c/quebrada/books/payments/new?member={ana.number}"' in page.get_data(as_text=True)
    chosen = client.get(f"{BOOKS}/payments/new?member={ana.number}")
    assert "Ana Lucía Quishpe Toapanta" in text_of(chosen)
    nobody = client.get(f"{BOOKS}/payments/new?find=Zambrano")
    assert "Ninguna persona socia coincide con “Zambrano”." in text_of(nobody)
