"""The yearly budget: drafted by the treasurer, approved by the assembly, compared with the books."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coop import calendar
from coop.audit import AuditEvent
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import budgets, services
from ledger.models import Budget, BudgetLine, EntrySource
from tests.conftest import field_error, flashes, text_of
from tests.ledger.conftest import account
from tests.ledger.print_helpers import print_document

YEAR = 2026


def fields_of(error: DomainError) -> set[str | None]:
    return {e.field for e in getattr(error, "errors", [error])}


@pytest.fixture
def treasurer(books, make_user, login, client):
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"])
    login(client, user)
    return user


def url(coop, path=""):
    return f"/c/{coop.slug}/books{path}"


def draft(db, coop, year=YEAR, **months_by_code) -> Budget:
    """A draft budget with, per account code, {calendar month: minor units}."""
    db.rollback()
    budget = budgets.create_budget(db, None, coop, year)
    for code, months in months_by_code.items():
        budgets.set_account_months(db, None, coop, budget, account(db, coop, code.replace("_", ".")), months)
    db.commit()
    return budget


def approve(db, coop, budget, resolution="Asamblea general 2026-01-20, resolución 4"):
    db.rollback()
    budgets.approve_budget(db, None, coop, db.merge(budget), resolution)
    db.commit()


# --- drafting ---------------------------------------------------------------------------------

def test_one_budget_per_year_and_a_second_is_refused_beside_the_year(db, books, client, treasurer):
    response = client.post(url(books, "/budgets/new"), data={"year": "2026"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/budgets/2026")
    response = client.post(url(books, "/budgets/new"), data={"year": "2026"})
    assert response.status_code == 400
    assert "2026" in field_error(response, "year")
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Budget)) == 1
    with pytest.raises(DomainError) as caught:
        budgets.create_budget(db, None, books, 2026)
    assert fields_of(caught.value) == {"year"}


def test_a_year_out_of_range_is_refused(db, books):
    with pytest.raises(DomainError) as caught:
        budgets.create_budget(db, None, books, 1066)
    assert fields_of(caught.value) == {"year"}


def test_treasurer_plans_an_account_month_by_month(db, books, client, treasurer):
    draft(db, books)
    income = account(db, books, "4.1")
    page = client.get(url(books, f"/budgets/{YEAR}/account?account={income.id}"))
    assert page.status_code == 200
    response = client.post(url(books, f"/budgets/{YEAR}/account?account={income.id}"),
                           data={"month_1": "1.250,50", "month_2": "1250", "month_3": ""})
    assert response.status_code == 302
    db.rollback()
    budget = budgets.budget_for_year(db, books, YEAR)
    assert budgets.account_months(db, budget, income) == {1: 125050, 2: 125000}
    page = client.get(url(books, f"/budgets/{YEAR}"))
    text = text_of(page)
    assert "4.1 Aportes ordinarios" in text and "2500,50" in text.replace(".", "").replace("$", "")
    # the form shows the amounts back as they are typed, and zero removes a month
    assert 'value="1250,50"' in client.get(url(books, f"/budgets/{YEAR}/account?account={income.id}")).get_data(
        as_text=True)
    client.post(url(books, f"/budgets/{YEAR}/account?account={income.id}"), data={"month_1": "0", "month_2": "1250"})
    db.rollback()
    assert budgets.account_months(db, budget, income) == {2: 125000}


def test_amounts_with_three_decimals_are_refused_beside_their_month(db, books, client, treasurer):
    draft(db, books)
    expense = account(db, books, "5.3")
    response = client.post(url(books, f"/budgets/{YEAR}/account?account={expense.id}"),
                           data={"month_1": "10", "month_3": "1.010,505", "month_4": "-5"})
    assert response.status_code == 400
    assert "2" in field_error(response, "month_3")  # at most 2 decimals for USD
    assert field_error(response, "month_4")
    assert field_error(response, "month_1") == ""
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(BudgetLine)) == 0  # nothing half-saved


def test_only_open_income_and_expense_accounts_without_sub_accounts_are_planned(db, books):
    budget = draft(db, books)
    for code in ("1.1.01", "5", "3.1"):
        with pytest.raises(DomainError) as caught:
            budgets.set_account_months(db, None, books, budget, account(db, books, code), {1: 100})
        assert fields_of(caught.value) == {"account"}
    services.close_account(db, None, books, account(db, books, "4.4"))
    with pytest.raises(DomainError):
        budgets.set_account_months(db, None, books, budget, account(db, books, "4.4"), {1: 100})
    with pytest.raises(DomainError) as caught:
        budgets.set_account_months(db, None, books, budget, account(db, books, "4.1"), {2: -1, 13: 5})
    assert fields_of(caught.value) == {"month_2", "months"}
    codes = [a.code for a in budgets.budgetable_accounts(db, books)]
    assert codes == ["4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "5.5"]


def test_another_coops_account_or_budget_is_not_found(db, books, make_coop):
    other = db.merge(make_coop("vecina"))
    services.install_chart(db, None, other)
    db.commit()
    ours = draft(db, books)
    theirs = draft(db, other)
    with pytest.raises(DomainError):
        budgets.set_account_months(db, None, books, db.merge(ours), account(db, other, "4.1"), {1: 100})
    with pytest.raises(DomainError):
        budgets.set_account_months(db, None, books, db.merge(theirs), account(db, books, "4.1"), {1: 100})


def test_next_year_starts_from_last_years_lines(db, books, client, treasurer):
    draft(db, books, 2025, **{"4_1": {1: 100_00, 7: 200_00}, "5_3": {3: 50_00}})
    response = client.post(url(books, "/budgets/new"), data={"year": "2026", "copy_previous": "y"})
    assert response.status_code == 302
    db.rollback()
    new = budgets.budget_for_year(db, books, 2026)
    assert budgets.account_months(db, new, account(db, books, "4.1")) == {1: 100_00, 7: 200_00}
    assert new.approved_dt is None
    response = client.post(url(books, "/budgets/new"), data={"year": "2030", "copy_previous": "y"})
    assert response.status_code == 400 and "2029" in field_error(response, "copy_previous")


# --- approval ---------------------------------------------------------------------------------

def test_approval_needs_the_assemblys_resolution(db, books, client, treasurer):
    draft(db, books, **{"4_1": {1: 100_00}})
    response = client.post(url(books, f"/budgets/{YEAR}/approve"), data={"resolution_ref": "  "})
    assert response.status_code == 400 and field_error(response, "resolution_ref")
    db.rollback()
    assert budgets.budget_for_year(db, books, YEAR).approved_dt is None
    response = client.post(url(books, f"/budgets/{YEAR}/approve"),
                           data={"resolution_ref": "Asamblea general del 20/01/2026, resolución 4"})
    assert response.status_code == 302
    db.rollback()
    budget = budgets.budget_for_year(db, books, YEAR)
    assert budget.resolution_ref == "Asamblea general del 20/01/2026, resolución 4"
    assert budget.approved_by_id == treasurer.id and budget.approved_dt is not None
    assert db.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "ledger.budget_approve"))
    with pytest.raises(DomainError):  # only once
        budgets.approve_budget(db, None, books, budget, "Otra resolución")


def test_an_empty_budget_is_not_approved(db, books):
    budget = draft(db, books)
    with pytest.raises(DomainError) as caught:
        budgets.approve_budget(db, None, books, budget, "Resolución 4")
    assert fields_of(caught.value) == {"resolution_ref"}


def test_an_approved_budget_does_not_change(db, books, client, treasurer):
    budget = draft(db, books, **{"4_1": {1: 100_00}})
    approve(db, books, budget)
    db.rollback()
    budget = budgets.budget_for_year(db, books, YEAR)
    with pytest.raises(DomainError) as caught:
        budgets.set_account_months(db, None, books, budget, account(db, books, "4.1"), {1: 1})
    assert fields_of(caught.value) == {"budget"} and caught.value.text
    with pytest.raises(DomainError):
        budgets.delete_budget(db, None, books, budget)
    db.rollback()
    income = account(db, books, "4.1")
    response = client.post(url(books, f"/budgets/{YEAR}/account?account={income.id}"), data={"month_1": "5"})
    assert response.status_code == 302 and flashes(client.get(response.headers["Location"]))
    db.rollback()
    assert budgets.account_months(db, budget, income) == {1: 100_00}
    page = text_of(client.get(url(books, f"/budgets/{YEAR}")))
    assert "Asamblea general 2026-01-20, resolución 4" in page


def test_a_draft_is_deleted_but_not_an_approved_one(db, books, client, treasurer):
    draft(db, books, **{"4_1": {1: 100_00}})
    response = client.post(url(books, f"/budgets/{YEAR}/delete"))
    assert response.status_code == 302
    db.rollback()
    assert budgets.budget_for_year(db, books, YEAR) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(BudgetLine)) == 0


# --- budget against actual ----------------------------------------------------------------------

@pytest.fixture
def small_year(db, books, post):
    """A budget and a few months of books:

    - 4.1 dues: budgeted 100 a month Jan-Mar; received 100 in Jan and 150 in Feb;
    - 4.4 other income: not budgeted; 40 received in March;
    - 5.3 maintenance: budgeted 50 in Feb and Mar; 80 spent in March, plus 30 posted and reversed;
    - 5.2 materials: budgeted 20 in January, nothing spent;
    - April: nothing budgeted at all, 25 of administration spent;
    - a year-end closing entry and another year's entries, which do not count.
    """
    draft(db, books, **{"4_1": {1: 100_00, 2: 100_00, 3: 100_00}, "5_3": {2: 50_00, 3: 50_00},
                        "5_2": {1: 20_00}})
    post(books, ("1.1.01", 100_00), ("4.1", -100_00), entry_date=dt.date(2026, 1, 10))
    post(books, ("1.1.02", 150_00), ("4.1", -150_00), entry_date=dt.date(2026, 2, 28))
    post(books, ("1.1.01", 40_00), ("4.4", -40_00), entry_date=dt.date(2026, 3, 1))
    post(books, ("5.3", 80_00), ("1.1.01", -80_00), entry_date=dt.date(2026, 3, 31))
    wrong = post(books, ("5.3", 30_00), ("1.1.01", -30_00), entry_date=dt.date(2026, 3, 5))
    db.rollback()
    services.reverse_entry(db, None, books, db.merge(wrong), entry_date=dt.date(2026, 3, 6), reason="Duplicado")
    db.commit()
    post(books, ("5.4", 25_00), ("1.1.01", -25_00), entry_date=dt.date(2026, 4, 2))
    post(books, ("4.1", 999_00), ("3.4", -999_00), entry_date=dt.date(2026, 4, 30), source=EntrySource.CLOSING)
    post(books, ("5.4", 7_00), ("1.1.01", -7_00), entry_date=dt.date(2025, 12, 31))
    post(books, ("5.4", 9_00), ("1.1.01", -9_00), entry_date=dt.date(2026, 5, 1))
    return books


def test_budget_against_actual_on_a_small_journal(db, small_year):
    report = budgets.budget_vs_actual(db, small_year, YEAR, through_month=4)
    assert [m.month for m in report.months] == [1, 2, 3, 4]
    income = {r.code: r for r in report.income.rows}
    expense = {r.code: r for r in report.expense.rows}
    assert list(income) == ["4.1", "4.4"] and list(expense) == ["5.2", "5.3", "5.4"]

    dues = income["4.1"]
    assert [(c.budget, c.actual) for c in dues.cells] == [(100_00, 100_00), (100_00, 150_00), (100_00, 0), (0, 0)]
    assert [c.difference for c in dues.cells] == [0, 50_00, -100_00, 0]
    assert [c.percent for c in dues.cells] == [Decimal("100.0"), Decimal("150.0"), Decimal("0.0"), None]
    assert (dues.total.budget, dues.total.actual, dues.year_budget) == (300_00, 250_00, 300_00)
    assert dues.total.percent == Decimal("83.3")

    assert [c.actual for c in income["4.4"].cells] == [0, 0, 40_00, 0]  # income nobody budgeted
    assert income["4.4"].total.percent is None
    assert [(c.budget, c.actual) for c in expense["5.2"].cells] == [(20_00, 0), (0, 0), (0, 0), (0, 0)]
    assert [(c.budget, c.actual) for c in expense["5.3"].cells] == [(0, 0), (50_00, 0), (50_00, 80_00), (0, 0)]
    assert [c.actual for c in expense["5.4"].cells] == [0, 0, 0, 25_00]  # the month with no budget

    assert [(c.budget, c.actual) for c in report.income.month_totals] == [
        (100_00, 100_00), (100_00, 150_00), (100_00, 40_00), (0, 0)]
    assert [(c.budget, c.actual) for c in report.expense.month_totals] == [
        (20_00, 0), (50_00, 0), (50_00, 80_00), (0, 25_00)]
    assert (report.income.total.actual, report.expense.total.actual) == (290_00, 105_00)
    assert [c.actual for c in report.result] == [100_00, 150_00, -40_00, -25_00]
    assert report.result_total.budget == 300_00 - 120_00


def test_the_whole_year_counts_every_month_and_only_this_coops_books(db, small_year, make_coop, post):
    other = db.merge(make_coop("vecina"))
    services.install_chart(db, None, other)
    db.commit()
    post(other, ("1.1.01", 500_00), ("4.1", -500_00), entry_date=dt.date(2026, 1, 10))
    report = budgets.budget_vs_actual(db, small_year, YEAR)
    assert len(report.months) == 12
    assert report.income.total.actual == 290_00
    assert [r.code for r in report.expense.rows] == ["5.2", "5.3", "5.4"]
    assert report.expense.rows[-1].total.actual == 34_00  # April and May; not December 2025


def test_a_year_without_budget_shows_the_actual_figures(db, small_year):
    report = budgets.budget_vs_actual(db, small_year, 2025)
    assert report.budget is None
    assert [(r.code, r.total.budget, r.total.actual) for r in report.expense.rows] == [("5.4", 0, 7_00)]


def test_a_fiscal_year_from_july_runs_into_the_next_calendar_year(db, books, post):
    db.rollback()
    db.get(Coop, books.id).fiscal_year_start_month = 7
    db.commit()
    coop = db.get(Coop, books.id)
    draft(db, coop, 2025, **{"5_3": {7: 10_00, 6: 60_00}})
    post(coop, ("5.3", 60_00), ("1.1.01", -60_00), entry_date=dt.date(2026, 6, 30))
    post(coop, ("5.3", 5_00), ("1.1.01", -5_00), entry_date=dt.date(2025, 6, 30))  # the year before
    report = budgets.budget_vs_actual(db, coop, 2025)
    assert (report.months[0], report.months[-1]) == (dt.date(2025, 7, 1), dt.date(2026, 6, 1))
    row = report.expense.rows[0]
    assert (row.cells[0].budget, row.cells[-1].budget, row.cells[-1].actual) == (10_00, 60_00, 60_00)
    assert row.total.actual == 60_00
    assert budgets.budget_vs_actual(db, coop, 2025, through_month=12).months[-1] == dt.date(2025, 12, 1)
    assert calendar.fiscal_year_of(coop, dt.date(2026, 3, 1)) == 2025


def test_the_report_page_its_pdf_and_its_csv(app, db, small_year, client, treasurer):
    page = client.get(url(small_year, f"/budget-vs-actual?year={YEAR}&through=4"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in html and "<script" not in html
    assert "<picture>" in html  # the books' month bars: a narrower drawing for phones
    assert "4.4 Otros ingresos" in text_of(page)
    assert len(page.get_data()) < 100_000

    assert f'action="{url(small_year, f"/budget-vs-actual/print?year={YEAR}&amp;through=4")}"' in html
    pdf = print_document(app, client, url(small_year, f"/budget-vs-actual/print?year={YEAR}&through=4"))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "4.4Otrosingresos" in text and "$150,00" in text  # the treasurer reads Spanish

    response = client.get(url(small_year, f"/budget-vs-actual?year={YEAR}&through=4&format=csv"))
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    dues_feb = next(r for r in rows if r[1] == "2026-02" and r[2] == "4.1")
    assert dues_feb[5:] == ["100.00", "150.00", "50.00", "150.0"]
    april_admin = next(r for r in rows if r[1] == "2026-04" and r[2] == "5.4")
    assert april_admin[5:] == ["0.00", "25.00", "25.00", ""]

    budget_pdf = client.get(url(small_year, f"/budgets/{YEAR}?format=pdf"))
    assert budget_pdf.status_code == 200 and budget_pdf.data.startswith(b"%PDF")
    budget_csv = client.get(url(small_year, f"/budgets/{YEAR}?format=csv")).get_data(as_text=True)
    assert "4.1" in budget_csv and "300.00" in budget_csv


def test_bad_report_arguments_get_a_message_beside_them(db, small_year, client, treasurer):
    page = client.get(url(small_year, "/budget-vs-actual?year=abc&through=13"))
    assert page.status_code == 200
    assert field_error(page, "year") and field_error(page, "through")


# --- who sees what ------------------------------------------------------------------------------

def test_members_see_approved_budgets_only_when_the_coop_shares_its_finances(db, books, make_user, login, app):
    budget = draft(db, books, **{"4_1": {1: 100_00}})
    member = make_user("socia@example.org", coop=books, roles=["member"])
    auditor = make_user("vigilancia@example.org", coop=books, roles=["auditor"])
    client, council = app.test_client(), app.test_client()
    login(client, member)
    login(council, auditor)

    assert str(YEAR) not in text_of(client.get(url(books, "/budgets/")))
    assert client.get(url(books, f"/budgets/{YEAR}")).status_code == 404
    report_csv = client.get(url(books, f"/budget-vs-actual?year={YEAR}&format=csv")).get_data(as_text=True)
    assert "100.00" not in report_csv  # the draft's figures stay with the treasurer and the council
    assert budgets.budget_vs_actual(db, books, YEAR, approved_only=True).budget is None
    # the oversight council reads drafts, but cannot change them
    assert council.get(url(books, f"/budgets/{YEAR}")).status_code == 200
    assert "budget_account" not in council.get(url(books, f"/budgets/{YEAR}")).get_data(as_text=True)
    income_id = account(db, books, "4.1").id
    assert council.post(url(books, f"/budgets/{YEAR}/account?account={income_id}"),
                        data={"month_1": "1"}).status_code == 403

    approve(db, books, budget)
    assert str(YEAR) in text_of(client.get(url(books, "/budgets/")))
    assert client.get(url(books, f"/budgets/{YEAR}")).status_code == 200
    assert "4.1" in client.get(url(books, f"/budget-vs-actual?year={YEAR}&format=csv")).get_data(as_text=True)

    db.rollback()
    db.get(Coop, books.id).members_see_finances = False
    db.commit()
    assert client.get(url(books, "/budgets/")).status_code == 403
    assert client.get(url(books, f"/budgets/{YEAR}")).status_code == 403
    assert client.get(url(books, f"/budget-vs-actual?year={YEAR}")).status_code == 403
    assert council.get(url(books, f"/budgets/{YEAR}")).status_code == 200


def test_a_draft_budget_does_not_exist_for_a_member_in_any_format_until_it_is_approved(db, books, make_user, login,
                                                                                      client):
    budget = draft(db, books, **{"4_1": {1: 100_00}})
    db.rollback()
    assert db.get(Coop, books.id).members_see_finances  # the co-op publishes its finances
    login(client, make_user("socia@example.org", coop=books, roles=["member"]))
    for shown_as in ("", "?format=pdf", "?format=csv"):
        assert client.get(url(books, f"/budgets/{YEAR}{shown_as}")).status_code == 404
    approve(db, books, budget)
    page = client.get(url(books, f"/budgets/{YEAR}"))
    assert page.status_code == 200 and "4.1" in text_of(page)
    assert "100.00" in client.get(url(books, f"/budgets/{YEAR}?format=csv")).get_data(as_text=True)


def test_another_coops_budget_is_not_found(db, books, make_coop, make_user, login, client):
    draft(db, books, **{"4_1": {1: 100_00}})
    other = make_coop("vecina")
    outsider = make_user("tesorero@vecina.org", coop=other, roles=["treasurer"])
    login(client, outsider)
    assert client.get(url(other, f"/budgets/{YEAR}")).status_code == 404
    assert client.get(url(books, f"/budgets/{YEAR}")).status_code == 404
