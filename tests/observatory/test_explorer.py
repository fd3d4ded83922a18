"""The budget explorer's figures: each approved line against the books, as the ledger counts them."""
from __future__ import annotations

import datetime as dt
import decimal

import pytest

from ledger import budgets
from ledger.models import AccountType, ExpenseStatus
from meetings.observatory import explorer
from tests.observatory.conftest import account
from tests.observatory.explorer_factories import budget_story, make_expense, publish_budget, spend


@pytest.fixture
def story(db, obs_coop, make_member, make_user):
    return budget_story(db, obs_coop, make_member, make_user)


def test_each_line_is_an_account_of_the_budget_with_its_year_voted_spent_and_remaining(db, obs_coop, story):
    figures = explorer.budget_figures(db, obs_coop, story["budget"])
    maintenance = figures.line(account(db, obs_coop, "5.3").id)
    assert (maintenance.voted, maintenance.spent, maintenance.remaining) == (120_000, 7_500, 112_500)
    assert maintenance.percent == decimal.Decimal("6.3")
    assert [m.spent for m in maintenance.months][:3] == [3_000, 4_500, 0]
    assert [line.code for line in figures.expense.lines] == ["5.3", "5.4"]
    assert (figures.expense.voted, figures.expense.spent) == (125_000, 7_500)
    assert figures.income.lines[0].spent == 2_500  # Rosa's dues: only the income line's total moves


def test_an_account_moved_but_not_voted_is_no_line(db, obs_coop, story):
    figures = explorer.budget_figures(db, obs_coop, story["budget"])
    assert figures.line(account(db, obs_coop, "5.2").id) is None
    assert "5.2" not in [line.code for s in figures.sections for line in s.lines]


def test_spent_agrees_with_the_ledgers_budget_against_actual(db, obs_coop, story):
    spend(db, obs_coop, "5.4", dt.date(2027, 1, 3), 1_234)
    figures = explorer.budget_figures(db, obs_coop, story["budget"])
    report = budgets.budget_vs_actual(db, obs_coop, 2027, approved_only=True)
    for row in report.expense.rows + report.income.rows:
        line = next((line for s in figures.sections for line in s.lines if line.code == row.code), None)
        if line is not None:
            assert (line.voted, line.spent) == (row.total.budget, row.total.actual)


def test_only_approved_budgets_are_offered_newest_first(db, obs_coop, story):
    assert explorer.approved_years(db, obs_coop) == [2027, 2026]
    assert explorer.approved_budget(db, obs_coop, 2028) is None  # a draft
    assert explorer.approved_budget(db, obs_coop, 10**9) is None


def test_a_lines_expenses_are_the_approved_and_paid_ones_of_its_year(db, obs_coop, story):
    make_expense(db, obs_coop, "5.3", dt.date(2026, 12, 30), 1_000, description="Del año anterior")
    rows, total = explorer.line_expenses(db, obs_coop, story["budget"], account(db, obs_coop, "5.3").id)
    assert [(r.supplier, r.status) for r in rows] == [
        ("Vidriería San Roque", ExpenseStatus.PAID), ("Ferretería El Arenal", ExpenseStatus.PAID),
        ("Pinturas Cóndor", ExpenseStatus.APPROVED)]
    assert total == 3


def test_a_lines_expenses_come_a_page_at_a_time_oldest_first(db, obs_coop, story):
    maintenance = account(db, obs_coop, "5.3").id
    first, total = explorer.line_expenses(db, obs_coop, story["budget"], maintenance, per_page=2)
    second, same_total = explorer.line_expenses(db, obs_coop, story["budget"], maintenance, page=2, per_page=2)
    assert [r.supplier for r in first] == ["Vidriería San Roque", "Ferretería El Arenal"]
    assert [r.supplier for r in second] == ["Pinturas Cóndor"]
    assert total == same_total == 3


def test_pending_and_rejected_expenses_are_not_shown(db, obs_coop, story):
    assert explorer.shown_expense(db, obs_coop, story["pending"].id) is None
    assert explorer.shown_expense(db, obs_coop, story["rejected"].id) is None
    assert explorer.shown_expense(db, obs_coop, story["approved"].id).id == story["approved"].id


def test_another_coops_expense_is_not_found(db, obs_coop, story, make_coop):
    from tests.minga.conftest import coop_with_books
    other = coop_with_books(db, make_coop, "otra")
    assert explorer.shown_expense(db, other, story["february"].id) is None


def test_an_expense_page_names_its_line_approver_and_paying_entry(db, obs_coop, story):
    paid = explorer.shown_expense(db, obs_coop, story["february"].id)
    facts = explorer.expense_facts(db, obs_coop, paid)
    assert facts.budget.year == 2027
    assert facts.decided_by == "Marta Tesorera"
    assert facts.paid_entry_number is not None
    approved = explorer.expense_facts(db, obs_coop, explorer.shown_expense(db, obs_coop, story["approved"].id))
    assert approved.paid_entry_number is None


def test_an_expense_outside_any_approved_budget_has_no_line(db, obs_coop, story):
    old = make_expense(db, obs_coop, "5.2", dt.date(2027, 3, 1), 500)
    assert explorer.expense_facts(db, obs_coop, explorer.shown_expense(db, obs_coop, old.id)).budget is None


def test_the_files_carry_decimal_amounts_and_minor_units(db, obs_coop, story):
    figures = explorer.budget_figures(db, obs_coop, story["budget"])
    data = explorer.figures_json(figures, "USD", 2)
    expenses = data["sections"][0]
    assert (data["year"], data["currency"], expenses["type"]) == (2027, "USD", "expense")
    maintenance = expenses["lines"][0]
    assert (maintenance["account_code"], maintenance["voted"], maintenance["spent"], maintenance["remaining"],
            maintenance["spent_minor"]) == ("5.3", "1200.00", "75.00", "1125.00", 7_500)
    assert maintenance["months"][1] == {"month": "2027-02", "voted": "100.00", "spent": "45.00",
                                        "remaining": "55.00", "voted_minor": 10_000, "spent_minor": 4_500,
                                        "remaining_minor": 5_500}
    rows = explorer.csv_rows(figures, "USD", 2)
    assert [2027, "year", "expense", "5.3", "Mantenimiento", "1200.00", "75.00", "1125.00", 120_000, 7_500,
            112_500, "USD"] in rows
    assert all(len(row) == len(explorer.CSV_COLUMNS) for row in rows)


def test_amounts_are_written_with_the_currencys_digits():
    assert explorer.amount_text(123_456, 2) == "1234.56"
    assert explorer.amount_text(-5, 2) == "-0.05"
    assert explorer.amount_text(1_500, 0) == "1500"


def test_the_budget_is_not_public_until_the_coop_says_so(db, obs_coop):
    assert explorer.is_budget_public(db, obs_coop) is False
    publish_budget(db, obs_coop)
    assert explorer.is_budget_public(db, obs_coop) is True
    publish_budget(db, obs_coop, False)
    assert explorer.is_budget_public(db, obs_coop) is False


def test_an_income_line_counts_what_was_received(db, obs_coop, story):
    figures = explorer.budget_figures(db, obs_coop, story["budget"])
    dues = figures.income.lines[0]
    assert (dues.type, dues.code, dues.voted, dues.spent) == (AccountType.INCOME, "4.1", 1_200_000, 2_500)
