"""The treasurer records a bill with its scanned receipt; someone else approves it; then it is paid
from cash or the bank, and the books show it.

Messages are compared with what the Spanish catalogue gives for them, so these stories hold
before and after the translator's pass.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from coop.audit import AuditEvent
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import expenses, reports, services
from ledger.models import EntrySource, Expense, ExpenseStatus, JournalEntry
from tests.conftest import field_error, flashes, log_in, once, text_of
from tests.ledger.conftest import account

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
URL = "/c/quebrada/books/expenses"


def spanish(app, message: str, **values) -> str:
    """The message as the Spanish catalogue gives it (English until the translator's pass)."""
    with app.test_request_context(), force_locale("es"):
        return gettext(message, **values)


@pytest.fixture
def people(app, books, make_user):
    """Clients logged in as a treasurer (who records), an admin (who approves) and an auditor."""
    made = {}
    for role, name in (("treasurer", "Rosa Tipán"), ("admin", "Luis Chicaiza"), ("auditor", "Carmen Quishpe")):
        user = make_user(f"{role}@example.org", coop=books, roles=[role], name=name)
        client = app.test_client()
        log_in(client, user.email)
        made[role] = (user, client)
    return made


def form(db, books, **changes) -> dict:
    db.rollback()
    data = {"expense_date": "2026-03-10", "supplier": "Ferretería El Constructor",
            "description": "40 sacos de cemento para la casa comunal", "invoice_ref": "001-002-0004567",
            "account": str(account(db, books, "5.2").id), "amount": "312,40",
            "attachment": (io.BytesIO(PDF), "factura.pdf"), **once()}
    data.update(changes)
    return data


def send(client, data, url=URL + "/new"):
    return client.post(url, data=data, content_type="multipart/form-data")


def record(db, books, user, *, attachment=("factura.pdf", PDF), amount=31240, code="5.2",
           invoice_ref="001-002-0004567") -> Expense:
    """An expense recorded through the service by ``user`` and committed."""
    db.rollback()
    coop = db.get(Coop, books.id)
    expense = expenses.record_expense(db, db.merge(user), coop, expense_date=dt.date(2026, 3, 10),
                                      supplier="Ferretería El Constructor", description="Cemento",
                                      invoice_ref=invoice_ref, account=account(db, coop, code),
                                      amount_minor=amount, attachment=attachment)
    db.commit()
    return expense


def the_expense(db, expense_id: int) -> Expense:
    db.rollback()
    return db.get(Expense, expense_id)


# --- recording -------------------------------------------------------------------------------

def test_the_treasurer_records_an_expense_with_its_receipt(db, books, people):
    _user, treasurer = people["treasurer"]
    response = send(treasurer, form(db, books))

    assert response.status_code == 302
    db.rollback()
    expense = db.scalars(sa.select(Expense)).one()
    assert response.headers["Location"].endswith(f"{URL}/{expense.id}")
    assert (expense.supplier, expense.amount_minor, expense.status) == (
        "Ferretería El Constructor", 31240, ExpenseStatus.PENDING)
    assert (expense.attachment_name, expense.attachment_type) == ("factura.pdf", "application/pdf")
    assert db.scalar(sa.select(Expense.attachment)) == PDF
    page = treasurer.get(response.headers["Location"])
    assert "Ferretería El Constructor" in text_of(page) and "factura.pdf" in text_of(page)
    listing = text_of(treasurer.get(URL + "/"))
    assert "40 sacos de cemento" in listing and "(1)" in listing
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "ledger.expense.record")) == 1


def test_each_missing_field_is_named_beside_it_and_nothing_is_saved(app, db, books, people):
    _user, treasurer = people["treasurer"]
    response = send(treasurer, form(db, books, expense_date="", supplier=" ", description="", account="",
                                    amount=""))

    assert response.status_code == 200
    assert field_error(response, "expense_date") == spanish(app, "Write the date of the invoice or receipt.")
    assert field_error(response, "supplier") == spanish(app, "Write who is paid (the supplier).")
    assert field_error(response, "description") == spanish(app, "Say what was bought or done.")
    assert field_error(response, "account") == spanish(app, "Choose the account the expense is charged to.")
    assert field_error(response, "amount") == spanish(app, "Enter an amount.")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Expense)) == 0


def test_a_text_file_renamed_to_pdf_is_refused_and_no_expense_is_left(app, db, books, people):
    _user, treasurer = people["treasurer"]
    response = send(treasurer, form(db, books, attachment=(io.BytesIO(b"MZ\x90\x00 not a receipt"), "factura.pdf")))

    assert response.status_code == 200
    assert field_error(response, "attachment") == spanish(app, "Attach a PDF, JPEG or PNG: this file is none of them.")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Expense)) == 0


def test_a_png_is_kept_as_a_png_whatever_its_name(db, books, people):
    _user, treasurer = people["treasurer"]
    send(treasurer, form(db, books, attachment=(io.BytesIO(PNG), "../../foto del recibo.pdf")))
    db.rollback()
    expense = db.scalars(sa.select(Expense)).one()
    assert (expense.attachment_name, expense.attachment_type) == ("foto del recibo.png", "image/png")


def test_a_file_over_the_limit_is_refused_with_its_size(app, db, books, people):
    _user, treasurer = people["treasurer"]
    big = PDF + b"0" * (int(7.2 * 1024 * 1024) - len(PDF))
    response = send(treasurer, form(db, books, attachment=(io.BytesIO(big), "factura.pdf")))

    assert field_error(response, "attachment") == spanish(app, "The file is %(size)s MB; the limit is %(limit)s MB.",
                                                          size="7,2", limit="5")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Expense)) == 0


def test_the_limit_is_a_setting(app, db, books, people):
    app.config["LEDGER_ATTACHMENT_MAX_BYTES"] = 1024
    _user, treasurer = people["treasurer"]
    response = send(treasurer, form(db, books, attachment=(io.BytesIO(PDF + b" " * 2000), "factura.pdf")))
    assert field_error(response, "attachment") == spanish(app, "The file is %(size)s MB; the limit is %(limit)s MB.",
                                                          size="0,1", limit="0,1")


def test_an_income_account_is_refused(app, db, books, people):
    _user, treasurer = people["treasurer"]
    response = send(treasurer, form(db, books, account=str(account(db, books, "4.1").id)))
    assert field_error(response, "account") == spanish(
        app, "Charge an expense to an expense account, or to an asset such as construction in progress or "
             "materials; account %(code)s is neither.", code="4.1")


def test_cash_is_no_account_to_charge_but_construction_in_progress_is(db, books, people):
    db.rollback()
    codes = [a.code for a in expenses.expense_accounts(db, db.get(Coop, books.id))]
    assert "1.2.02" in codes and "1.1.04" in codes and "5.4" in codes
    assert not {"1.1.01", "1.1.02", "1.1.03", "4.1", "5", "1.2"} & set(codes)


def test_an_amount_with_three_decimals_is_refused(app, db, books, people):
    _user, treasurer = people["treasurer"]
    response = send(treasurer, form(db, books, amount="1.312,405"))
    assert field_error(response, "amount") == spanish(app, "Use at most %(digits)d decimals for %(currency)s.",
                                                      digits=2, currency="USD")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Expense)) == 0


def test_the_same_invoice_of_a_supplier_is_recorded_once(app, db, books, people):
    user, treasurer = people["treasurer"]
    first = record(db, books, user)
    response = send(treasurer, form(db, books, invoice_ref="001-002-0004567"))
    assert field_error(response, "invoice_ref") == spanish(
        app, "Expense no. %(number)d already records this invoice of this supplier.", number=first.id)


# --- changing --------------------------------------------------------------------------------

def test_a_pending_expense_is_corrected_and_the_receipt_added_later(db, books, people):
    user, treasurer = people["treasurer"]
    expense = record(db, books, user, attachment=None)
    edit = treasurer.get(f"{URL}/{expense.id}/edit")
    assert "312,40" in edit.get_data(as_text=True)

    response = send(treasurer, form(db, books, amount="320", attachment=(io.BytesIO(JPEG), "recibo.jpg")),
                    url=f"{URL}/{expense.id}/edit")

    assert response.status_code == 302
    expense = the_expense(db, expense.id)
    assert expense.amount_minor == 32000 and expense.attachment_type == "image/jpeg"
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "ledger.expense.edit"))
    assert event.changes["amount_minor"] == [31240, 32000]


def test_an_approved_expense_can_no_longer_be_changed(db, books, people):
    user, treasurer = people["treasurer"]
    admin, _ = people["admin"]
    expense = record(db, books, user)
    db.rollback()
    expenses.approve_expense(db, db.merge(admin), db.get(Coop, books.id), db.get(Expense, expense.id))
    db.commit()

    response = send(treasurer, form(db, books, amount="1"), url=f"{URL}/{expense.id}/edit")

    assert response.status_code == 302
    assert the_expense(db, expense.id).amount_minor == 31240


# --- deciding --------------------------------------------------------------------------------

def test_the_recorder_cannot_approve_their_own_expense(app, db, books, people):
    user, treasurer = people["treasurer"]
    expense = record(db, books, user)

    response = treasurer.post(f"{URL}/{expense.id}/approve", follow_redirects=True)

    assert spanish(app, "Someone other than the person who recorded it approves it.") in flashes(response)
    assert the_expense(db, expense.id).status is ExpenseStatus.PENDING


def test_someone_who_changed_it_cannot_approve_it_either(db, books, people):
    user, _treasurer = people["treasurer"]
    admin, admin_client = people["admin"]
    expense = record(db, books, user)
    send(admin_client, form(db, books, amount="300"), url=f"{URL}/{expense.id}/edit")

    admin_client.post(f"{URL}/{expense.id}/approve")

    assert the_expense(db, expense.id).status is ExpenseStatus.PENDING


def test_another_person_approves_it(db, books, people):
    user, _treasurer = people["treasurer"]
    admin, admin_client = people["admin"]
    expense = record(db, books, user)

    response = admin_client.post(f"{URL}/{expense.id}/approve")

    assert response.status_code == 302
    expense = the_expense(db, expense.id)
    assert expense.status is ExpenseStatus.APPROVED and expense.decided_by_id == admin.id
    assert "Luis Chicaiza" in text_of(admin_client.get(f"{URL}/{expense.id}"))


def test_an_expense_without_its_receipt_is_not_approved(app, db, books, people):
    user, _treasurer = people["treasurer"]
    _admin, admin_client = people["admin"]
    expense = record(db, books, user, attachment=None)

    response = admin_client.post(f"{URL}/{expense.id}/approve", follow_redirects=True)

    assert spanish(app, "Attach the receipt or invoice before the expense is approved.") in flashes(response)
    assert the_expense(db, expense.id).status is ExpenseStatus.PENDING


def test_a_rejection_needs_a_reason(app, db, books, people):
    user, _treasurer = people["treasurer"]
    _admin, admin_client = people["admin"]
    expense = record(db, books, user)

    response = admin_client.post(f"{URL}/{expense.id}/reject", data={"reason": "  "})

    assert response.status_code == 422
    assert field_error(response, "reason") == spanish(app, "Say why the expense is rejected.")
    assert the_expense(db, expense.id).status is ExpenseStatus.PENDING

    admin_client.post(f"{URL}/{expense.id}/reject", data={"reason": "La factura no es de la cooperativa"})
    expense = the_expense(db, expense.id)
    assert expense.status is ExpenseStatus.REJECTED
    assert expense.rejection_reason == "La factura no es de la cooperativa"


def test_a_decided_expense_is_not_decided_again(db, books, people):
    user, _treasurer = people["treasurer"]
    admin, _ = people["admin"]
    expense = record(db, books, user)
    db.rollback()
    coop = db.get(Coop, books.id)
    expenses.reject_expense(db, db.merge(admin), coop, db.get(Expense, expense.id), reason="Duplicada")
    db.commit()
    with pytest.raises(DomainError):
        expenses.approve_expense(db, db.merge(admin), coop, db.get(Expense, expense.id))
    db.rollback()
    assert the_expense(db, expense.id).status is ExpenseStatus.REJECTED


# --- paying ----------------------------------------------------------------------------------

def approved(db, books, people, **kwargs) -> Expense:
    user, _ = people["treasurer"]
    admin, _ = people["admin"]
    expense = record(db, books, user, **kwargs)
    db.rollback()
    expenses.approve_expense(db, db.merge(admin), db.get(Coop, books.id), db.get(Expense, expense.id))
    db.commit()
    return expense


def balances(db, books) -> dict[str, int]:
    db.rollback()
    return {row.code: row.balance for row in reports.trial_balance(db, db.get(Coop, books.id))}


def test_paying_posts_a_balanced_entry_and_the_trial_balance_moves(db, books, people, post):
    post(books, ("1.1.02", 100_000), ("4.1", -100_000))
    expense = approved(db, books, people)
    _user, treasurer = people["treasurer"]

    response = treasurer.post(f"{URL}/{expense.id}/pay", data={
        "paid_date": "2026-03-20", "from_account": str(account(db, books, "1.1.02").id)})

    assert response.status_code == 302
    expense = the_expense(db, expense.id)
    assert expense.status is ExpenseStatus.PAID
    entry = db.get(JournalEntry, expense.paid_entry_id)
    assert entry.source is EntrySource.EXPENSE and entry.reference == "001-002-0004567"
    assert entry.entry_date == dt.date(2026, 3, 20)
    assert sorted((p.account.code, p.amount_minor) for p in entry.postings) == [("1.1.02", -31240), ("5.2", 31240)]
    after = balances(db, books)
    assert after["5.2"] == 31240 and after["1.1.02"] == 100_000 - 31240
    assert sum(after.values()) == 0
    assert reports.verify_ledger(db, db.get(Coop, books.id)) == []
    assert "Ferretería El Constructor" in entry.description


def test_the_entry_that_pays_an_expense_names_it(db, books, people, post):
    post(books, ("1.1.02", 100_000), ("4.1", -100_000))
    expense = approved(db, books, people)
    db.rollback()
    coop = db.get(Coop, books.id)
    entry = expenses.pay_expense(db, db.merge(people["treasurer"][0]), coop, db.get(Expense, expense.id),
                                 paid_date=dt.date(2026, 3, 20), from_account=account(db, coop, "1.1.02"))
    db.commit()
    assert (entry.origin_kind, entry.origin_id) == ("ledger.expense", expense.id)


def test_paying_twice_is_refused(app, db, books, people):
    expense = approved(db, books, people)
    _user, treasurer = people["treasurer"]
    data = {"paid_date": "2026-03-20", "from_account": str(account(db, books, "1.1.01").id)}
    treasurer.post(f"{URL}/{expense.id}/pay", data=data)

    response = treasurer.post(f"{URL}/{expense.id}/pay", data=data, follow_redirects=True)

    assert spanish(app, "This expense is already paid.") in flashes(response)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 1


def test_a_pending_expense_is_not_paid(app, db, books, people):
    user, treasurer = people["treasurer"]
    expense = record(db, books, user)
    response = treasurer.post(f"{URL}/{expense.id}/pay", data={
        "paid_date": "2026-03-20", "from_account": str(account(db, books, "1.1.01").id)}, follow_redirects=True)
    assert spanish(app, "Only an approved expense is paid.") in flashes(response)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 0


def test_a_closed_month_or_a_non_cash_account_refuses_the_payment(app, db, books, people):
    expense = approved(db, books, people)
    db.rollback()
    services.close_month(db, None, db.get(Coop, books.id), dt.date(2026, 2, 1))
    db.commit()
    _user, treasurer = people["treasurer"]

    response = treasurer.post(f"{URL}/{expense.id}/pay", data={
        "paid_date": "2026-02-27", "from_account": str(account(db, books, "4.1").id)})

    assert response.status_code == 422
    assert field_error(response, "paid_date") == spanish(
        app, "The month of this date is closed: nothing more is posted into it.")
    assert field_error(response, "from_account") == spanish(app, "Choose the cash or bank account the money leaves.")
    assert the_expense(db, expense.id).status is ExpenseStatus.APPROVED
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 0


# --- the receipt and who may see it ----------------------------------------------------------

def test_the_receipt_downloads_with_its_real_type_and_safe_headers(db, books, people):
    expense = approved(db, books, people, attachment=("foto.pdf", PNG))
    _auditor, auditor = people["auditor"]

    response = auditor.get(f"{URL}/{expense.id}/attachment")

    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment") and "foto.png" in \
        response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_auditor_reads_everything_but_acts_on_nothing(db, books, people):
    user, _ = people["treasurer"]
    _auditor, auditor = people["auditor"]
    pending = record(db, books, user)
    assert auditor.get(URL + "/").status_code == 200
    page = auditor.get(f"{URL}/{pending.id}")
    assert page.status_code == 200 and "Ferretería El Constructor" in text_of(page)
    assert f"{URL}/{pending.id}/approve" not in page.get_data(as_text=True)

    assert auditor.get(URL + "/new").status_code == 403
    assert send(auditor, form(db, books)).status_code == 403
    assert auditor.get(f"{URL}/{pending.id}/edit").status_code == 403
    assert auditor.post(f"{URL}/{pending.id}/approve").status_code == 403
    assert auditor.post(f"{URL}/{pending.id}/reject", data={"reason": "No"}).status_code == 403
    assert auditor.post(f"{URL}/{pending.id}/pay", data={}).status_code == 403
    assert the_expense(db, pending.id).status is ExpenseStatus.PENDING


def test_a_member_sees_no_expense_nor_its_receipt(app, db, books, people, make_user):
    user, _ = people["treasurer"]
    expense = record(db, books, user)
    member = make_user("socio@example.org", coop=books, roles=["member"])
    client = app.test_client()
    log_in(client, member.email)
    assert client.get(f"{URL}/{expense.id}/attachment").status_code == 403
    assert client.get(URL + "/").status_code == 403


def test_another_coops_expense_answers_not_found(app, db, books, people, make_coop, make_user):
    user, _ = people["treasurer"]
    expense = record(db, books, user)
    other = make_coop("vecina")
    db.rollback()
    services.install_chart(db, None, db.merge(other))
    db.commit()
    their_treasurer = make_user("tesorera@vecina.org", coop=other, roles=["treasurer", "admin"])
    client = app.test_client()
    log_in(client, their_treasurer.email)
    for path in ("", "/attachment", "/edit"):
        assert client.get(f"/c/vecina/books/expenses/{expense.id}{path}").status_code == 404
    assert client.post(f"/c/vecina/books/expenses/{expense.id}/approve").status_code == 404


def test_the_list_pages_and_counts_by_status(db, books, people):
    user, treasurer = people["treasurer"]
    admin, _ = people["admin"]
    for number in range(expenses.PAGE_SIZE + 2):
        record(db, books, user, invoice_ref=f"F-{number}", amount=100 + number)
    db.rollback()
    coop = db.get(Coop, books.id)
    first = db.scalars(sa.select(Expense).order_by(Expense.id)).first()
    expenses.reject_expense(db, db.merge(admin), coop, first, reason="Repetida")
    db.commit()

    listing = text_of(treasurer.get(URL + "/?status=pending"))
    assert f"({expenses.PAGE_SIZE + 1})" in listing and "(1)" in listing
    rejected = text_of(treasurer.get(URL + "/?status=rejected"))
    assert "F-0 " in rejected and "F-1 " not in rejected
    second = treasurer.get(URL + "/?page=2")
    assert second.status_code == 200 and text_of(second).count("Ferretería El Constructor") == 2

    # the pager keeps the filter: "Next" from the pending ones leads to the last pending one only
    first_pending = treasurer.get(URL + "/?status=pending").get_data(as_text=True)
    assert f'href="{URL}/?status=pending&amp;page=2"' in first_pending
    second_pending = text_of(treasurer.get(URL + "/?status=pending&page=2"))
    assert second_pending.count("Ferretería El Constructor") == 1 and "Página 2 de 2" in second_pending
    back = treasurer.get(URL + "/?status=pending&page=2").get_data(as_text=True)
    assert f'href="{URL}/?status=pending"' in back  # "Previous" to the first page: no ?page=1


def test_the_pager_carries_the_readers_filters_but_not_url_for_options(db, books, people):
    user, treasurer = people["treasurer"]
    for number in range(expenses.PAGE_SIZE + 1):
        record(db, books, user, invoice_ref=f"F-{number}", amount=100 + number)
    # a name starting with "_" would be url_for's own option (here: build for POST, which failed)
    page = treasurer.get(URL + "/?status=pending&_method=POST&_external=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    pager = html[html.index('<nav class="pager"'):]
    pager = pager[:pager.index("</nav>")]
    assert f'href="{URL}/?status=pending&amp;page=2"' in pager and "_method" not in pager and "http" not in pager


def test_with_csrf_on_a_forged_post_saves_nothing(app, db, books, people):
    app.config["WTF_CSRF_ENABLED"] = True
    user, _ = people["treasurer"]
    _admin, admin_client = people["admin"]
    expense = record(db, books, user)
    page = admin_client.get(f"{URL}/{expense.id}").get_data(as_text=True)
    assert 'name="csrf_token"' in page and f"{URL}/{expense.id}/approve" in page

    assert admin_client.post(f"{URL}/{expense.id}/approve").status_code == 400
    assert admin_client.post(f"{URL}/{expense.id}/reject", data={"reason": "No"}).status_code == 400
    assert the_expense(db, expense.id).status is ExpenseStatus.PENDING
