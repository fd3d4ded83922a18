"""The treasurer keeps the books from the browser: the chart, manual entries, reversals, closed
months; the oversight council reads everything and changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.money import Money, format_money
from coop.calendar import today_in
from ledger import services
from ledger.models import Account, ClosedPeriod, EntrySource, JournalEntry
from tests.conftest import field_error, flashes, once, text_of
from tests.ledger.conftest import DAY, account


def money(minor: int) -> str:
    return format_money(Money(minor, "USD"), "en")  # she reads English


def entries(db) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(JournalEntry))


@pytest.fixture
def treasurer(client, books, make_user, login):
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"], name="Rosa Tesorera",
                     locale="en")
    login(client, user)
    return user


@pytest.fixture
def auditor(client, books, make_user, login):
    user = make_user("vigilancia@example.org", coop=books, roles=["auditor"], locale="en")
    login(client, user)
    return user


def url(coop, path: str) -> str:
    return f"/c/{coop.slug}/books{path}"


def month_ago(coop, months: int) -> dt.date:
    today = today_in(coop)
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 10)


def entry_form(entry_date, description="Pago de materiales", reference="", lines=()) -> dict:
    data = {"entry_date": entry_date.isoformat(), "description": description, "reference": reference, **once()}
    for index, (account_id, member, debit, credit) in enumerate(lines):
        data.update({f"postings-{index}-account": str(account_id or ""), f"postings-{index}-member": member,
                     f"postings-{index}-debit": debit, f"postings-{index}-credit": credit})
    return data


# --- who may do what ------------------------------------------------------------------------

def test_the_oversight_council_reads_every_page_but_cannot_post(client, db, books, post, auditor):
    entry = post(books, ("1.1.01", 2500), ("4.1", -2500))
    for path in ("/accounts", "/journal", f"/journal/{entry.id}", "/periods"):
        response = client.get(url(books, path))
        assert response.status_code == 200, path
    assert "Reverse the entry" not in text_of(client.get(url(books, f"/journal/{entry.id}")))
    assert "Close a month" not in text_of(client.get(url(books, "/periods")))
    assert client.get(url(books, "/journal/new")).status_code == 403
    assert client.post(url(books, "/journal/new"), data=entry_form(DAY)).status_code == 403
    assert client.post(url(books, f"/journal/{entry.id}/reverse"),
                       data={"entry_date": DAY.isoformat(), "reason": "x"}).status_code == 403
    assert client.post(url(books, "/periods/close"), data={"month": "2026-01-01", "confirm": "y"}).status_code == 403
    assert client.get(url(books, "/opening")).status_code == 403
    assert client.post(url(books, "/accounts/new"), data={"code": "5.9", "name": "X", "type": "expense"}).status_code == 403
    assert entries(db) == 1


def test_a_plain_member_does_not_see_the_books(client, books, make_user, login):
    login(client, make_user(coop=books, roles=["member"]))
    assert client.get(url(books, "/accounts")).status_code == 403
    assert client.get(url(books, "/journal")).status_code == 403


def test_another_coops_entry_and_account_answer_not_found(client, db, books, make_coop, post, treasurer):
    other = make_coop("vecina")
    db.rollback()
    other = db.merge(other)
    services.install_chart(db, None, other)
    db.commit()
    theirs = post(other, ("1.1.01", 100), ("4.1", -100))
    assert client.get(url(books, f"/journal/{theirs.id}")).status_code == 404
    assert client.get(url(books, f"/accounts/{account(db, other, '1.1.01').id}/edit")).status_code == 404


# --- chart of accounts ------------------------------------------------------------------------

def test_the_chart_shows_the_tree_with_balances_rolled_up(client, db, books, post, auditor):
    post(books, ("1.1.01", 1000), ("4.1", -1000))
    post(books, ("1.1.02", 500), ("4.2", -500))
    page = text_of(client.get(url(books, "/accounts")))
    assert "1.1.01 Caja" in page and "Aportes ordinarios" in page
    assert money(1500) in page  # the assets and income parents add up their accounts
    assert money(1000) in page and money(500) in page


def test_installing_the_housing_chart_once(client, db, make_coop, make_user, login):
    coop = make_coop("nueva")
    login(client, make_user(coop=coop, roles=["treasurer"], locale="en"))
    assert "Install the housing chart" in text_of(client.get(url(coop, "/accounts")))
    response = client.post(url(coop, "/accounts/install"), follow_redirects=True)
    assert "Cuentas por cobrar a socios" in text_of(response)
    again = client.post(url(coop, "/accounts/install"), follow_redirects=True)
    assert "already has a chart of accounts" in " ".join(flashes(again))


def test_adding_an_account_refuses_a_bad_code_a_duplicate_and_a_type_unlike_its_parent(client, db, books, treasurer):
    bad = client.post(url(books, "/accounts/new"), data={"code": "1..2", "name": "Mal", "type": "asset"})
    assert "numbers separated by dots" in field_error(bad, "code")
    duplicate = client.post(url(books, "/accounts/new"), data={"code": "1.1.01", "name": "Caja 2", "type": "asset"})
    assert "already has this code" in field_error(duplicate, "code")
    orphan = client.post(url(books, "/accounts/new"), data={"code": "9.1", "name": "Sin padre", "type": "asset"})
    assert "one level up" in field_error(orphan, "code")
    wrong_type = client.post(url(books, "/accounts/new"), data={"code": "1.1.09", "name": "Mal tipo", "type": "income"})
    assert "same type" in field_error(wrong_type, "type")
    db.rollback()
    assert account(db, books, "1.1.09") is None
    good = client.post(url(books, "/accounts/new"),
                       data={"code": "1.1.02.01", "name": "Banco Pichincha", "type": "asset"}, follow_redirects=True)
    assert "1.1.02.01 Banco Pichincha" in " ".join(flashes(good))
    db.rollback()
    assert account(db, books, "1.1.02.01").parent.code == "1.1.02"


def test_renaming_and_closing_an_account(client, db, books, treasurer):
    caja = account(db, books, "1.1.01")
    renamed = client.post(url(books, f"/accounts/{caja.id}/edit"), data={"name": "Caja chica"}, follow_redirects=True)
    assert "1.1.01" in text_of(renamed) and "Caja chica" in text_of(renamed)
    unconfirmed = client.post(url(books, f"/accounts/{caja.id}/close"), data={})
    assert "Tick the box" in field_error(unconfirmed, "confirm")
    parent = account(db, books, "1.1")
    refused = client.post(url(books, f"/accounts/{parent.id}/close"), data={"confirm": "y"})
    assert "Close the accounts under it first" in field_error(refused, "confirm")
    closed = client.post(url(books, f"/accounts/{caja.id}/close"), data={"confirm": "y"}, follow_redirects=True)
    assert "is closed" in " ".join(flashes(closed))
    db.rollback()
    assert db.get(Account, caja.id).is_closed and not db.get(Account, parent.id).is_closed
    assert "Closed" in text_of(client.get(url(books, "/accounts")))


# --- manual entries ---------------------------------------------------------------------------

def test_every_mistake_is_shown_beside_its_line_and_nothing_is_posted(client, db, books, make_member, treasurer):
    member = make_member(books)
    ids = {code: account(db, books, code).id for code in ("1.1.01", "1.1.03", "4.1", "4.3")}
    response = client.post(url(books, "/journal/new"), data=entry_form(DAY, lines=[
        (ids["1.1.01"], "", "1,010.005", ""),       # three decimals for dollars
        (ids["4.1"], "", "5", "5"),                 # both a debit and a credit
        (ids["1.1.03"], "", "3", ""),               # a member account without the member
        (ids["4.3"], "9999", "", "3"),              # a member number nobody has
        ("", "", "7", ""),                          # an amount without an account
        (ids["4.1"], str(member.number), "", "1"),  # a member on an account that is not a member account
    ]))
    assert response.status_code == 200
    assert "decimals" in field_error(response, "postings-0-debit")
    assert "not both" in field_error(response, "postings-1-credit")
    assert "choose the member" in field_error(response, "postings-2-member")
    assert "There is no member" in field_error(response, "postings-3-member")
    assert "Choose the account" in field_error(response, "postings-4-account")
    assert "not a member account" in field_error(response, "postings-5-member")
    assert entries(db) == 0


def test_an_unbalanced_entry_is_refused_with_its_totals(client, db, books, treasurer):
    caja, aportes = account(db, books, "1.1.01").id, account(db, books, "4.1").id
    response = client.post(url(books, "/journal/new"), data=entry_form(DAY, lines=[
        (caja, "", "10.00", ""), (aportes, "", "", "9.50")]))
    assert "must add up to zero" in field_error(response, "postings")
    page = text_of(response)
    assert money(1000) in page and money(950) in page and money(50) in page
    assert entries(db) == 0


def test_an_entry_needs_a_description_and_two_lines(client, db, books, treasurer):
    response = client.post(url(books, "/journal/new"), data=entry_form(DAY, description="", lines=[
        (account(db, books, "1.1.01").id, "", "1", "")]))
    assert field_error(response, "description")
    assert "at least two lines" in field_error(response, "postings")
    assert entries(db) == 0


def test_an_entry_into_a_closed_month_is_refused(client, db, books, treasurer):
    day = month_ago(books, 2)
    db.rollback()
    services.close_month(db, None, books, day)
    db.commit()
    response = client.post(url(books, "/journal/new"), data=entry_form(day, lines=[
        (account(db, books, "1.1.01").id, "", "10", ""), (account(db, books, "4.1").id, "", "", "10")]))
    assert "month of this date is closed" in field_error(response, "entry_date")
    assert entries(db) == 0


def test_a_good_entry_is_posted_and_shown_with_its_lines(client, db, books, make_member, treasurer):
    member = make_member(books, given_names="Luz", family_names="Quishpe")
    response = client.post(url(books, "/journal/new"), data=entry_form(DAY, description="Multa de Minga",
                                                                         reference="Acta 12", lines=[
        (account(db, books, "1.1.03").id, str(member.number), "1,234.50", ""),
        ("", "", "", ""),
        (account(db, books, "4.3").id, "", "", "1,234.50")]), follow_redirects=True)
    assert "Entry 1 is posted." in " ".join(flashes(response))
    page = text_of(response)
    assert "Multa de Minga" in page and "Acta 12" in page and "Luz Quishpe" in page
    assert money(123450) in page and "Rosa Tesorera" in page
    db.rollback()
    entry = db.scalar(sa.select(JournalEntry))
    assert entry.source is EntrySource.MANUAL and entry.entry_date == DAY
    assert sorted(p.amount_minor for p in entry.postings) == [-123450, 123450]
    assert entry.hash[:12] in page


# --- the journal ------------------------------------------------------------------------------

def test_the_journal_lists_newest_first_and_filters(client, db, books, post, auditor):
    post(books, ("1.1.01", 100), ("4.1", -100), description="Aporte de enero", entry_date=dt.date(2026, 1, 5))
    post(books, ("1.1.02", 200), ("4.3", -200), description="Multa de febrero", entry_date=dt.date(2026, 2, 5))
    page = text_of(client.get(url(books, "/journal")))
    assert page.index("Multa de febrero") < page.index("Aporte de enero")
    by_text = text_of(client.get(url(books, "/journal?q=MULTA")))
    assert "Multa de febrero" in by_text and "Aporte de enero" not in by_text
    by_account = text_of(client.get(url(books, f"/journal?account={account(db, books, '4.1').id}")))
    assert "Aporte de enero" in by_account and "Multa de febrero" not in by_account
    by_date = text_of(client.get(url(books, "/journal?start=2026-02-01&end=2026-02-28")))
    assert "Multa de febrero" in by_date and "Aporte de enero" not in by_date
    by_number = text_of(client.get(url(books, "/journal?number=1")))
    assert "Aporte de enero" in by_number and "Multa de febrero" not in by_number
    by_source = text_of(client.get(url(books, "/journal?source=opening")))
    assert "No entry matches" in by_source
    assert client.get(url(books, "/journal?start=nonsense&number=x")).status_code == 200


# --- reversals --------------------------------------------------------------------------------

def test_a_reversal_needs_a_reason_and_then_cancels_the_entry(client, db, books, post, treasurer):
    entry = post(books, ("1.1.01", 700), ("4.1", -700))
    refused = client.post(url(books, f"/journal/{entry.id}/reverse"),
                          data={"entry_date": DAY.isoformat(), "reason": "  "})
    assert "why" in field_error(refused, "reason")
    assert entries(db) == 1
    done = client.post(url(books, f"/journal/{entry.id}/reverse"),
                       data={"entry_date": DAY.isoformat(), "reason": "Monto equivocado"}, follow_redirects=True)
    assert "Entry 1 is reversed by entry 2." in " ".join(flashes(done))
    assert "Monto equivocado" in text_of(done) and "Entry 1" in text_of(done)
    original = text_of(client.get(url(books, f"/journal/{entry.id}")))
    assert "cancelled by entry 2" in original and "Reverse the entry" not in original
    twice = client.post(url(books, f"/journal/{entry.id}/reverse"),
                        data={"entry_date": DAY.isoformat(), "reason": "Otra vez"})
    assert "already reversed" in " ".join([text_of(twice)])
    assert entries(db) == 2


def test_a_reversal_into_a_closed_month_is_refused(client, db, books, post, treasurer):
    entry = post(books, ("1.1.01", 700), ("4.1", -700), entry_date=month_ago(books, 1))
    closed = month_ago(books, 3)
    db.rollback()
    services.close_month(db, None, books, closed)
    db.commit()
    response = client.post(url(books, f"/journal/{entry.id}/reverse"),
                           data={"entry_date": closed.isoformat(), "reason": "Error"})
    assert "closed" in field_error(response, "entry_date")
    assert entries(db) == 1


# --- closed months ----------------------------------------------------------------------------

def test_closing_a_month_then_posting_into_it_is_refused(client, db, books, treasurer):
    day = month_ago(books, 1)
    first = day.replace(day=1)
    page = client.get(url(books, "/periods"))
    assert f'value="{first.isoformat()}"' in page.get_data(as_text=True)
    unconfirmed = client.post(url(books, "/periods/close"), data={"month": first.isoformat()})
    assert "Tick the box" in field_error(unconfirmed, "confirm")
    done = client.post(url(books, "/periods/close"), data={"month": first.isoformat(), "confirm": "y"},
                       follow_redirects=True)
    assert "The month is closed" in " ".join(flashes(done)) and "Rosa Tesorera" in text_of(done)
    assert f'value="{first.isoformat()}"' not in done.get_data(as_text=True)
    response = client.post(url(books, "/journal/new"), data=entry_form(day, lines=[
        (account(db, books, "1.1.01").id, "", "10", ""), (account(db, books, "4.1").id, "", "", "10")]))
    assert "closed" in field_error(response, "entry_date")
    assert entries(db) == 0


def test_the_current_month_cannot_be_closed(client, db, books, treasurer):
    current = today_in(books).replace(day=1)
    response = client.post(url(books, "/periods/close"), data={"month": current.isoformat(), "confirm": "y"})
    assert "has ended" in field_error(response, "month")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(ClosedPeriod)) == 0
