"""The dues pages offer the next period not yet charged, even when it has not begun; periods
already charged stay on the list, marked."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coop import calendar
from ledger import dues
from ledger.models import DuesPlan
from tests.conftest import text_of
from tests.ledger.test_dues_views import plan_form


@pytest.fixture
def treasurer(client, books, make_user, login):
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"])
    login(client, user)
    return user


def selected_period(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<option selected value="([^"]+)">([^<]*)</option>', html)
    return match.group(1) if match else ""


def options(response) -> list[str]:
    return re.findall(r'<option[^>]*value="\d{4}-\d\d-01">([^<]*)</option>', response.get_data(as_text=True))


def test_the_next_period_is_offered_after_every_begun_one_is_charged(client, db, books, treasurer, make_member):
    this_month = calendar.month_start(calendar.today_in(books))
    first = calendar.add_months(this_month, -2)
    make_member(books, given_names="Rosa")
    client.post(f"/c/{books.slug}/books/dues/new", data=plan_form(db, books, start_date=first.isoformat()))
    db.rollback()
    plan = db.scalar(sa.select(DuesPlan))
    url = f"/c/{books.slug}/books/dues/{plan.id}"
    assert selected_period(client.get(url)) == first.isoformat()  # nothing charged: the plan's first period

    for month in range(3):
        dues.run_dues(db, None, db.merge(books), plan, calendar.add_months(first, month))
    db.commit()
    following = calendar.add_months(this_month, 1)
    page = client.get(url)
    assert selected_period(page) == following.isoformat()
    assert f"Próximo período por cobrar: {following:%Y-%m}." in text_of(page)
    assert options(page) == [f"{following:%Y-%m}"] + [
        f"{calendar.add_months(this_month, -back):%Y-%m} (ya cobrado)" for back in range(3)]

    preview = client.get(f"{url}/charge")  # no period chosen: the next one
    assert preview.status_code == 200
    assert f"{following:%Y-%m}" in re.search(r"<h1>(.*?)</h1>", preview.get_data(as_text=True)).group(1)
    assert "Registrar 1 cargo" in text_of(preview)
    assert selected_period(preview) == following.isoformat()
    charged = client.get(f"{url}/charge", query_string={"period": first.isoformat()})
    assert "Este período ya se cobró." in text_of(charged)
    assert f"Próximo período por cobrar: {following:%Y-%m}." in text_of(charged)


def test_a_plan_whose_every_period_is_charged_says_so(client, db, books, treasurer, make_member):
    this_month = calendar.month_start(calendar.today_in(books))
    make_member(books)
    client.post(f"/c/{books.slug}/books/dues/new",
                data=plan_form(db, books, start_date=this_month.isoformat(), end_date=this_month.isoformat()))
    db.rollback()
    plan = db.scalar(sa.select(DuesPlan))
    dues.run_dues(db, None, db.merge(books), plan, this_month)
    db.commit()
    page = client.get(f"/c/{books.slug}/books/dues/{plan.id}/charge")
    assert "Todos los períodos de este plan están cobrados." in text_of(page)
    assert options(page) == [f"{this_month:%Y-%m} (ya cobrado)"]
