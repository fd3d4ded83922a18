"""The budget explorer's pages, as a member reads them, and as anyone reads the published copy."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from coop.tenancy import Role
from ledger.models import ExpenseStatus
from tests.conftest import text_of
from tests.observatory.conftest import account
from tests.observatory.explorer_factories import RECEIPT, budget_story, make_expense, publish_budget

BASE = "/c/observatorio/observatory"


@pytest.fixture
def story(db, obs_coop, make_member, make_user):
    return budget_story(db, obs_coop, make_member, make_user)


@pytest.fixture
def member(client, obs_coop, make_user, login):
    user = make_user("socia@observatorio.example", coop=obs_coop, roles=[Role.MEMBER], locale="en")
    login(client, user)
    return user


def ids(db, coop, *codes):
    return [account(db, coop, code).id for code in codes]


def test_a_member_reads_each_line_voted_spent_remaining_and_its_share(client, story, member):
    page = text_of(client.get(f"{BASE}/budget"))
    assert "The budget of 2027" in page
    assert "Asamblea general, resolución 7" in page
    assert "5.3 Mantenimiento $1,200.00 $75.00 $1,125.00 6.3" in page
    assert "Total $1,250.00 $75.00 $1,175.00" in page
    assert "4.1 Aportes ordinarios $12,000.00 $25.00" in page
    assert "Materiales" not in page  # moved, but not a line of the budget


def test_no_members_name_or_own_balance_appears(client, db, obs_coop, story, member):
    """Rosa's dues and her payment move the income line's total; neither her name nor her balance shows."""
    [dues] = ids(db, obs_coop, "4.1")
    for url in ("/budget", f"/budget/2027/lines/{dues}", "/budget/2027.csv", "/budget/2027.json"):
        body = client.get(BASE + url).get_data(as_text=True)
        assert "Chiluisa" not in body and "Rosa" not in body, url
        assert "Cuentas por cobrar" not in body, url  # the members' receivable is no line


def test_the_explorer_offers_approved_years_only_and_shows_the_one_asked(client, db, obs_coop, story, member):
    html = client.get(f"{BASE}/budget").get_data(as_text=True)
    assert '<option value="2026"' in html and '<option value="2028"' not in html
    assert "The budget of 2026" in text_of(client.get(f"{BASE}/budget?year=2026"))
    for year in ("2028", "abc", "99999999999999999999", "2101"):
        assert client.get(f"{BASE}/budget?year={year}").status_code == 404, year


def test_the_explorer_says_so_when_no_budget_was_approved(client, member):
    response = client.get(f"{BASE}/budget")
    assert response.status_code == 200
    assert "No budget has been approved yet" in text_of(response)


def test_the_explorer_draws_its_chart_on_the_server(client, story, member):
    html = client.get(f"{BASE}/budget").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in html and "<script" not in html


def test_a_lines_page_shows_month_by_month_and_the_expenses_behind_it(client, db, obs_coop, story, member):
    [maintenance] = ids(db, obs_coop, "5.3")
    response = client.get(f"{BASE}/budget/2027/lines/{maintenance}")
    page = text_of(response)
    assert "February 2027 $100.00 $45.00 $55.00" in page
    assert "Vidriería San Roque" in page and "Vidrios de la casa comunal" in page and "$30.00" in page
    assert "Pinturas Cóndor" in page and "Approved" in page
    assert "Constructora Secreta" not in page and "Proveedor Rechazado" not in page
    html = response.get_data(as_text=True)
    assert f'/observatory/budget/expenses/{story["january"].id}"' in html
    assert "Ask a question about this line" in page
    assert f'subject=budget_line&amp;budget={story["budget"].id}&amp;id={maintenance}' in html


def test_a_busy_lines_expenses_come_fifty_a_page_and_the_pager_returns_to_them(client, db, obs_coop, story, member):
    [maintenance] = ids(db, obs_coop, "5.3")
    for n in range(1, 51):  # with the story's three: 53, oldest first
        make_expense(db, obs_coop, "5.3", dt.date(2027, 3, 1) + dt.timedelta(days=n), 100,
                     status=ExpenseStatus.APPROVED, supplier=f"Proveedor {n:02d}", receipt=None)
    line = f"{BASE}/budget/2027/lines/{maintenance}"
    first = client.get(line)
    page = text_of(first)
    assert "53 approved or paid expenses in 2027." in page and "Page 1 of 2" in page
    assert "Vidriería San Roque" in page and "Proveedor 47" in page and "Proveedor 48" not in page
    assert f'href="{line}?page=2#expenses"' in first.get_data(as_text=True)

    second = text_of(client.get(f"{line}?page=2"))
    assert "Proveedor 48" in second and "Proveedor 50" in second and "Proveedor 47" not in second
    assert "Vidriería San Roque" not in second and "Page 2 of 2" in second
    assert "February 2027 $100.00 $45.00 $55.00" in second  # the line's own figures stay whole

    publish_budget(db, obs_coop)  # the published copy pages under its own address
    published = client.get(f"{BASE}/open/budget/2027/lines/{maintenance}").get_data(as_text=True)
    assert f'href="{BASE}/open/budget/2027/lines/{maintenance}?page=2#expenses"' in published


def test_a_line_not_in_the_budget_or_a_year_without_one_is_not_found(client, db, obs_coop, story, member):
    materials, maintenance = ids(db, obs_coop, "5.2", "5.3")
    assert client.get(f"{BASE}/budget/2027/lines/{materials}").status_code == 404
    assert client.get(f"{BASE}/budget/2028/lines/{maintenance}").status_code == 404
    assert client.get(f"{BASE}/budget/2025/lines/{maintenance}").status_code == 404
    assert client.get(f"{BASE}/budget/2027/lines/99999999999").status_code == 404
    assert client.get(f"{BASE}/budget/99999999999/lines/{maintenance}").status_code == 404


def test_an_expense_page_tells_what_who_approved_and_how_it_was_paid(client, story, member):
    response = client.get(f"{BASE}/budget/expenses/{story['february'].id}")
    page = text_of(response)
    assert "Cemento para el muro del bloque B" in page and "Ferretería El Arenal" in page and "$45.00" in page
    assert "Marta Tesorera" in page and "journal entry" in page
    assert "5.3 Mantenimiento · 2027" in page
    assert "Ask a question about this expense" in page
    html = response.get_data(as_text=True)
    assert f"subject=expense&amp;id={story['february'].id}" in html
    assert f"/budget/expenses/{story['february'].id}/receipt" in html


def test_the_receipt_is_shown_inline_with_its_type(client, story, member):
    response = client.get(f"{BASE}/budget/expenses/{story['february'].id}/receipt")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.data == RECEIPT


def test_pending_and_rejected_expenses_do_not_exist_for_members(client, story, member):
    for name in ("pending", "rejected"):
        assert client.get(f"{BASE}/budget/expenses/{story[name].id}").status_code == 404
        assert client.get(f"{BASE}/budget/expenses/{story[name].id}/receipt").status_code == 404
    assert client.get(f"{BASE}/budget/expenses/99999999999").status_code == 404


def test_another_coops_member_finds_no_expense(client, story, make_coop, make_user, login):
    other = make_coop("otra")
    login(client, make_user("vecino@otra.example", coop=other, roles=[Role.MEMBER], locale="en"))
    assert client.get(f"/c/otra/observatory/budget/expenses/{story['february'].id}").status_code == 404


def test_the_csv_names_its_columns_and_carries_decimals_and_cents(client, story, member):
    response = client.get(f"{BASE}/budget/2027.csv")
    assert response.status_code == 200
    assert 'filename=budget-observatorio-2027.csv' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:8] == ["year", "month", "type", "account_code", "account_name", "voted", "spent", "remaining"]
    assert ["2027", "year", "expense", "5.3", "Mantenimiento", "1200.00", "75.00", "1125.00", "120000", "7500",
            "112500", "USD"] in rows
    assert ["2027", "2", "expense", "5.3", "Mantenimiento", "100.00", "45.00", "55.00", "10000", "4500", "5500",
            "USD"] in rows


def test_the_json_has_the_same_figures(client, story, member):
    response = client.get(f"{BASE}/budget/2027.json")
    assert 'filename=budget-observatorio-2027.json' in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    line = data["sections"][0]["lines"][0]
    assert (data["year"], line["account_code"], line["voted"], line["spent"]) == (2027, "5.3", "1200.00", "75.00")
    assert "Chiluisa" not in response.get_data(as_text=True)


def test_files_of_a_year_without_an_approved_budget_are_not_found(client, story, member):
    for year in ("2028", "2025", "99999999999"):
        assert client.get(f"{BASE}/budget/{year}.csv").status_code == 404
        assert client.get(f"{BASE}/budget/{year}.json").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_and_the_open_copy_is_not_found_by_default(client, db, obs_coop,
                                                                                         story):
    [maintenance] = ids(db, obs_coop, "5.3")
    assert "/login" in client.get(f"{BASE}/budget").headers["Location"]
    for url in ("/open/budget", f"/open/budget/2027/lines/{maintenance}", "/open/budget/2027.csv",
                "/open/budget/2027.json"):
        assert client.get(BASE + url).status_code == 404, url


def test_a_published_budget_is_read_without_log_in(client, db, obs_coop, story):
    publish_budget(db, obs_coop)
    [maintenance] = ids(db, obs_coop, "5.3")
    client.post("/language", data={"lang": "en"})
    page = text_of(client.get(f"{BASE}/open/budget"))
    assert "5.3 Mantenimiento" in page and "Chiluisa" not in page
    line = client.get(f"{BASE}/open/budget/2027/lines/{maintenance}")
    html = line.get_data(as_text=True)
    assert line.status_code == 200 and "Vidriería San Roque" in html
    assert "/budget/expenses/" not in html and "receipt" not in html  # receipts and expense pages: members only
    assert "001-002-000123" not in html and "questions/ask" not in html
    assert client.get(f"{BASE}/open/budget/2027.csv").status_code == 200
    assert json.loads(client.get(f"{BASE}/open/budget/2027.json").data)["year"] == 2027
    assert client.get(f"{BASE}/open/budget/2028.json").status_code == 404
    assert client.get(f"{BASE}/open/budget?year=abc").status_code == 404
    assert "/login" in client.get(f"{BASE}/budget/expenses/{story['february'].id}").headers["Location"]


def test_the_open_copy_closes_again_when_the_coop_stops_publishing(client, db, obs_coop, story):
    publish_budget(db, obs_coop)
    assert client.get(f"{BASE}/open/budget").status_code == 200
    publish_budget(db, obs_coop, False)
    assert client.get(f"{BASE}/open/budget").status_code == 404


def test_tables_stack_on_phones_with_each_cell_named(client, db, obs_coop, story, member):
    [maintenance] = ids(db, obs_coop, "5.3")
    for url in ("/budget", f"/budget/2027/lines/{maintenance}"):
        html = client.get(BASE + url).get_data(as_text=True)
        assert '<table class="stack">' in html
        assert '<th scope="row">' in html
        assert 'data-label="Voted"' in html
