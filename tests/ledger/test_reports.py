"""The financial statements on a small journal a treasurer could check by hand.

The journal (fiscal year from January):
  2025-12-20  opening: 1,000.00 in the bank against opening equity
  2025-12-28  other income 200.00 into the bank (last year's result, never closed)
  2026-01-15  dues charged to a member 300.00
  2026-01-20  the member pays 250.00 in cash
  2026-02-05  400.00 into the bank for the housing and construction fund
  2026-02-18  materials 150.00 paid from the bank
  2026-03-03  administration 50.00 paid in cash
  2026-03-10  works in progress 100.00 bought on credit from a supplier
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from ledger import journal as books_journal
from ledger import reports, services
from ledger.models import AccountType
from ledger.services import account_by_code
from tests.conftest import field_error, text_of
from tests.ledger.print_helpers import print_document

JAN1, MAR31 = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


@pytest.fixture
def journal(db, books, post, make_member):
    member = make_member(books, given_names="Rosa", family_names="Quishpe")
    post(books, ("1.1.02", 100_000), ("3.3", -100_000), entry_date=dt.date(2025, 12, 20), description="Apertura")
    post(books, ("1.1.02", 20_000), ("4.4", -20_000), entry_date=dt.date(2025, 12, 28), description="Rifa")
    post(books, ("1.1.03", 30_000, member), ("4.1", -30_000), entry_date=dt.date(2026, 1, 15),
         description="Aporte de enero")
    post(books, ("1.1.01", 25_000), ("1.1.03", -25_000, member), entry_date=dt.date(2026, 1, 20),
         description="Pago de Rosa")
    post(books, ("1.1.02", 40_000), ("3.2", -40_000), entry_date=dt.date(2026, 2, 5), description="Aporte al fondo")
    post(books, ("5.2", 15_000), ("1.1.02", -15_000), entry_date=dt.date(2026, 2, 18), description="Cemento")
    post(books, ("5.4", 5_000), ("1.1.01", -5_000), entry_date=dt.date(2026, 3, 3), description="Papelería")
    post(books, ("1.2.02", 10_000), ("2.1", -10_000), entry_date=dt.date(2026, 3, 10), description="Encofrado")
    db.rollback()
    return books, member


def lines_of(section) -> dict[str, int]:
    return {line.code: line.amount for line in section.lines}


# --- the figures -------------------------------------------------------------------------------

def test_income_statement_groups_accounts_under_their_parents_and_gives_the_net_result(db, journal):
    books, _member = journal
    statement = reports.income_statement(db, books, JAN1, MAR31)
    assert statement.income.total == 30_000
    assert statement.expenses.total == 20_000
    assert statement.result == 10_000
    assert lines_of(statement.income) == {"4": 30_000, "4.1": 30_000}  # last year's raffle is not in it
    assert lines_of(statement.expenses) == {"5": 20_000, "5.2": 15_000, "5.4": 5_000}
    top, *children = statement.expenses.lines
    assert top.is_group and top.depth == 0 and all(c.depth == 1 and not c.is_group for c in children)


def test_balance_sheet_balances_with_this_years_and_earlier_unclosed_results(db, journal):
    books, _member = journal
    sheet = reports.balance_sheet(db, books, MAR31)
    assert lines_of(sheet.assets)["1.1.01"] == 20_000 and lines_of(sheet.assets)["1.1.02"] == 145_000
    assert lines_of(sheet.assets)["1.1.03"] == 5_000  # the member still owes 50.00
    assert sheet.assets.total == 180_000
    assert sheet.liabilities.total == 10_000  # shown as a positive credit balance
    assert lines_of(sheet.equity) == {"3": 140_000, "3.2": 40_000, "3.3": 100_000}
    assert (sheet.result_this_year, sheet.result_earlier) == (10_000, 20_000)
    assert sheet.equity_total == 170_000 and sheet.liabilities_and_equity == 180_000
    assert sheet.is_balanced


def test_general_ledger_has_opening_balance_running_balance_and_closing(db, journal):
    books, _member = journal
    bank = account_by_code(db, books, "1.1.02")
    ledger = reports.general_ledger(db, books, bank, JAN1, MAR31)
    assert ledger.opening == 120_000
    assert [(line.description, line.debit, line.credit, line.balance) for line in ledger.lines] == [
        ("Aporte al fondo", 40_000, 0, 160_000), ("Cemento", 0, 15_000, 145_000)]
    assert (ledger.debits, ledger.credits, ledger.closing, ledger.count) == (40_000, 15_000, 145_000, 2)
    second_page = reports.general_ledger(db, books, bank, JAN1, MAR31, page=2, per_page=1)
    assert [(line.description, line.balance) for line in second_page.lines] == [("Cemento", 145_000)]
    streamed = list(reports.general_ledger_lines(db, books, bank, JAN1, MAR31))
    assert [line.balance for line in streamed] == [160_000, 145_000]


def test_general_ledger_of_a_credit_account_and_of_a_parent_names_members_and_sub_accounts(db, journal):
    books, member = journal
    receivable = reports.general_ledger(db, books, account_by_code(db, books, "1.1.03"), JAN1, MAR31)
    assert [line.member for line in receivable.lines] == [f"{member.number} Quishpe, Rosa"] * 2
    equity = reports.general_ledger(db, books, account_by_code(db, books, "3"), JAN1, MAR31)
    assert equity.opening == 100_000  # credit balances read positive
    assert [(line.account_code, line.balance) for line in equity.lines] == [("3.2", 140_000)]


def test_trial_balance_for_a_period_has_opening_movements_and_closing(db, journal):
    books, _member = journal
    rows = {r.code: r for r in reports.trial_balance(db, books, as_of=MAR31, start=JAN1)}
    bank = rows["1.1.02"]
    assert (bank.opening, bank.debit, bank.credit, bank.closing) == (120_000, 40_000, 15_000, 145_000)
    assert rows["4.4"].opening == -20_000 and rows["4.4"].debit == rows["4.4"].credit == 0
    assert sum(r.debit for r in rows.values()) == sum(r.credit for r in rows.values())


def test_construction_fund_by_month(db, journal):
    books, _member = journal
    fund = reports.construction_fund(db, books, JAN1, MAR31)
    assert [(m.month.month, m.raised, m.withdrawn, m.spent, m.balance) for m in fund.months] == [
        (1, 0, 0, 0, 0), (2, 40_000, 0, 15_000, 40_000), (3, 0, 0, 10_000, 40_000)]
    assert (fund.opening, fund.closing, fund.raised, fund.spent) == (0, 40_000, 40_000, 25_000)
    later = reports.construction_fund(db, books, dt.date(2026, 3, 1), MAR31)
    assert later.opening == 40_000 and later.spent_before == 15_000


def test_monthly_income_and_expenses_fill_empty_months(db, journal):
    books, _member = journal
    months = reports.monthly_income_expenses(db, books, dt.date(2025, 12, 1), dt.date(2026, 4, 30))
    assert [(m.month.isoformat(), m.income, m.expenses) for m in months] == [
        ("2025-12-01", 20_000, 0), ("2026-01-01", 30_000, 0), ("2026-02-01", 0, 15_000),
        ("2026-03-01", 0, 5_000), ("2026-04-01", 0, 0)]


def test_statements_are_a_few_queries_whatever_the_journal(db, journal):
    books, _member = journal
    statements = []
    db.rollback()
    books = db.merge(books)
    sa.event.listen(db.get_bind(), "before_cursor_execute", lambda *a: statements.append(a[2]))
    reports.income_statement(db, books, JAN1, MAR31)
    reports.balance_sheet(db, books, MAR31)
    reports.construction_fund(db, books, JAN1, MAR31)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 8


# --- the pages, PDFs and CSVs ---------------------------------------------------------------------

@pytest.fixture
def treasurer(make_user, journal, client, login):
    books, _member = journal
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en")
    login(client, user)
    return user


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


PERIOD = "start=2026-01-01&end=2026-03-31"


def test_income_statement_page_pdf_and_csv(client, treasurer):
    page = client.get(f"/c/quebrada/books/income-statement?{PERIOD}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Surplus of the period" in text and "$100.00" in text and "4.1 Aportes ordinarios" in text
    pdf = client.get(f"/c/quebrada/books/income-statement?{PERIOD}&format=pdf")
    assert pdf.mimetype == "application/pdf"
    assert "$100.00" in pdf_text(pdf.data) and "Page1of1" in pdf_text(pdf.data)
    rows = csv_rows(client.get(f"/c/quebrada/books/income-statement?{PERIOD}&format=csv"))
    assert rows[-1][-1] == "100.00"
    assert ["Expenses", "5.2", "Materiales", "150.00"] in rows


def test_balance_sheet_page_pdf_and_csv(client, treasurer):
    page = client.get("/c/quebrada/books/balance-sheet?as_of=2026-03-31")
    assert page.status_code == 200
    assert "Total liabilities and equity" in text_of(page) and "$1,800.00" in text_of(page)
    assert "differ" not in text_of(page)
    pdf = client.get("/c/quebrada/books/balance-sheet?as_of=2026-03-31&format=pdf")
    assert "$1,800.00" in pdf_text(pdf.data)
    rows = csv_rows(client.get("/c/quebrada/books/balance-sheet?as_of=2026-03-31&format=csv"))
    totals = {row[2]: row[3] for row in rows}
    assert totals["Total assets"] == totals["Total liabilities and equity"] == "1800.00"
    assert totals["Result of earlier years not yet closed"] == "200.00"


def test_trial_balance_page_pdf_and_csv(client, treasurer):
    page = client.get(f"/c/quebrada/books/trial-balance?{PERIOD}")
    assert page.status_code == 200 and "1.1.02 Bancos" in text_of(page)
    assert "Bancos" in pdf_text(client.get(f"/c/quebrada/books/trial-balance?{PERIOD}&format=pdf").data)
    rows = csv_rows(client.get(f"/c/quebrada/books/trial-balance?{PERIOD}&format=csv"))
    bank = next(row for row in rows if row[0] == "1.1.02")
    assert bank[2:] == ["1200.00", "400.00", "150.00", "1450.00"]
    assert rows[-1][3] == rows[-1][4]  # debits equal credits


def test_general_ledger_page_pdf_and_csv(app, client, db, treasurer, journal):
    books, _member = journal
    bank = account_by_code(db, books, "1.1.02")
    url = f"/c/quebrada/books/general-ledger/{bank.id}?{PERIOD}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Cemento" in text_of(page) and "$1,450.00" in text_of(page) and "$1,200.00" in text_of(page)
    assert f'action="/c/quebrada/books/general-ledger/{bank.id}/print?{PERIOD.replace("&", "&amp;")}"' in page.get_data(as_text=True)
    printed = pdf_text(print_document(app, client, f"/c/quebrada/books/general-ledger/{bank.id}/print?{PERIOD}"))
    assert "$1,450.00" in printed and "Cemento" in printed and "$1,200.00" in printed
    rows = csv_rows(client.get(url + "&format=csv"))
    assert rows[1][2] == "Opening balance" and rows[1][-1] == "1200.00"
    assert [(row[2], row[-1]) for row in rows[2:]] == [("Aporte al fondo", "1600.00"), ("Cemento", "1450.00")]


def test_another_coops_account_has_no_general_ledger(client, db, make_coop, treasurer):
    other = make_coop("vecina")
    db.rollback()
    services.install_chart(db, None, db.merge(other))
    db.commit()
    theirs = account_by_code(db, other, "1.1.02")
    assert client.get(f"/c/quebrada/books/general-ledger/{theirs.id}").status_code == 404


def test_construction_fund_page_pdf_and_csv(app, client, treasurer):
    page = client.get(f"/c/quebrada/books/construction-fund?{PERIOD}")
    assert page.status_code == 200 and "$400.00" in text_of(page)
    assert '<img class="chart" src="data:image/svg+xml;base64,' in page.get_data(as_text=True)
    pdf = print_document(app, client, f"/c/quebrada/books/construction-fund/print?{PERIOD}")
    assert "$400.00" in pdf_text(pdf) and "$150.00" in pdf_text(pdf)
    rows = csv_rows(client.get(f"/c/quebrada/books/construction-fund?{PERIOD}&format=csv"))
    assert rows[1:] == [["2026-01", "0.00", "0.00", "0.00", "0.00"], ["2026-02", "400.00", "0.00", "150.00", "400.00"],
                        ["2026-03", "0.00", "0.00", "100.00", "400.00"]]


def test_overview_shows_the_charts_key_figures_and_book_keeping_links(app, client, treasurer):
    page = client.get("/c/quebrada/books/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<img class="chart"') == 2
    assert "Trial balance" in text_of(page) and "Income statement" in text_of(page)
    assert 'action="/c/quebrada/books/print"' in html
    pdf = pdf_text(print_document(app, client, "/c/quebrada/books/print"))
    assert "Moneyincashandbank" in pdf and "$1,650.00" in pdf and "-$150.00" in pdf
    assert csv_rows(client.get("/c/quebrada/books/?format=csv"))[0][0] == "Month"


def test_a_bad_date_is_explained_beside_its_field(client, treasurer):
    page = client.get("/c/quebrada/books/income-statement?start=31/01/2026&end=2026-03-31")
    assert page.status_code == 200
    assert "year-month-day" in field_error(page, "start")


# --- who sees what ------------------------------------------------------------------------------

def test_members_read_the_summaries_when_the_coop_publishes_them_but_never_the_trial_balance(
        client, db, journal, make_user, login):
    books, _member = journal
    login(client, make_user("socia@example.org", coop=books, roles=["member"], locale="en"))
    for url in ("/c/quebrada/books/", "/c/quebrada/books/income-statement", "/c/quebrada/books/balance-sheet",
                "/c/quebrada/books/construction-fund"):
        assert client.get(url).status_code == 200, url
    overview = text_of(client.get("/c/quebrada/books/"))
    assert "Trial balance" not in overview and "Book-keeping" not in overview
    assert client.get("/c/quebrada/books/trial-balance").status_code == 403
    bank = account_by_code(db, books, "1.1.02")
    assert client.get(f"/c/quebrada/books/general-ledger/{bank.id}").status_code == 403
    db.rollback()
    db.merge(books).members_see_finances = False
    db.commit()
    for url in ("/c/quebrada/books/", "/c/quebrada/books/income-statement", "/c/quebrada/books/balance-sheet",
                "/c/quebrada/books/construction-fund"):
        assert client.get(url).status_code == 403, url


# --- one chart, one order, one normal side -------------------------------------------------------

def test_every_report_lists_the_accounts_in_the_chart_order_with_balances_on_their_normal_side(db, books, post):
    db.rollback()
    for code, name in (("5.5.9", "Agua"), ("5.5.10", "Luz")):
        services.add_account(db, None, books, code=code, name=name, type=AccountType.EXPENSE)
    db.commit()
    post(books, ("5.5.10", 2_000), ("5.5.9", 1_000), ("1.1.01", -3_000), entry_date=dt.date(2026, 3, 2))
    post(books, ("1.1.01", 5_000), ("4.1", -5_000), entry_date=dt.date(2026, 3, 2))
    codes = [row.code for row in reports.trial_balance(db, books)]
    assert codes.index("5.5.9") < codes.index("5.5.10")  # by the numbers, not the text
    chart = [row.account.code for row in books_journal.chart(db, books)]
    assert [c for c in chart if c in codes] == codes  # the chart page and the trial balance agree
    statement = reports.income_statement(db, books, JAN1, MAR31)
    assert [line.code for line in statement.expenses.lines][-2:] == ["5.5.9", "5.5.10"]
    balances = {row.account.code: row.balance for row in books_journal.chart(db, books)}
    assert (balances["4.1"], balances["1.1.01"], balances["5.5.10"]) == (5_000, 2_000, 2_000)
    assert lines_of(statement.income) == {"4": 5_000, "4.1": 5_000}  # income read as a credit, positive
