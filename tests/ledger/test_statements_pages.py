"""The statement pages and the member panel: the treasurer reads and prints any member's
statement and the arrears; Ana, a member, sees only her own account, on her portal page and as a
PDF she takes home; the secretary, who keeps the register but not the books, sees no money."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coop.audit import AuditEvent
from ledger import statements
from members.models import Member
from tests.conftest import field_error, text_of
from tests.ledger.print_helpers import print_document
from tests.ledger.statement_factories import add_charge, add_payment

D = dt.date
TODAY = dt.date.today()


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF without whitespace (pypdf splits kerned pairs)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8").lstrip("\ufeff"))))


@pytest.fixture
def people(db, books, make_member, make_user):
    """Ana (a member with a portal account) and Rosa; officers of every kind; some money moved."""
    ana_id = make_member(books, given_names="Ana Lucía", family_names="Toapanta").id
    rosa_id = make_member(books, given_names="Rosa", family_names="Pilataxi").id
    users = {role: make_user(f"{role}@example.org", coop=books, roles=[role], locale="en")
             for role in ("treasurer", "auditor", "secretary", "admin")}
    users["ana_login"] = make_user("ana@example.org", coop=books, roles=["member"], locale="en")
    users["rosa_login"] = make_user("rosa@example.org", coop=books, roles=["member"], locale="en")
    users["ana_es"] = make_user("ana.es@example.org", coop=books, roles=["member"])
    db.rollback()
    ana, rosa = db.get(Member, ana_id), db.get(Member, rosa_id)
    ana.user_id = users["ana_login"].id
    rosa.user_id = users["rosa_login"].id
    add_charge(db, books, ana, 4_000, due=D(2026, 1, 10), description="Aporte de enero")
    add_charge(db, books, ana, 4_000, due=D(2026, 2, 10), description="Aporte de febrero")
    add_payment(db, books, ana, 2_500, on=D(2026, 2, 20), reference="DEP-77")
    add_charge(db, books, rosa, 9_000, due=D(2026, 2, 10), description="Multa de Minga de Rosa")
    db.commit()
    return {"ana": ana, "rosa": rosa, **users}


def statement_url(member, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/c/quebrada/books/members/{member.id}/statement" + (f"?{query}" if query else "")


def test_treasurer_reads_a_members_statement_for_a_period(client, login, people):
    login(client, people["treasurer"])

    response = client.get(statement_url(people["ana"], start="2026-02-01", end="2026-03-31"))

    assert response.status_code == 200
    text = text_of(response)
    assert "Ana Lucía Toapanta" in text and f"Member no. {people['ana'].number}" in text
    assert re.search(r"Opening balance \$40\.00", text)
    assert "Aporte de febrero" in text and "DEP-77" in text and "Aporte de enero" not in text
    assert re.search(r"Closing balance \$40\.00 \$25\.00 \$55\.00", text)
    assert "the member owes $55.00" in text
    assert "Multa de Minga de Rosa" not in text


def test_the_statement_pdf_is_what_the_member_takes_home(app, client, db, login, people):
    ana = people["ana"]
    db.rollback()
    db.get(Member, ana.id).user_id = people["ana_es"].id  # Ana reads Spanish
    db.commit()
    login(client, people["ana_es"])

    page = client.get("/c/quebrada/books/me/statement?start=2026-01-01&end=2026-03-31")
    assert 'action="/c/quebrada/books/me/statement/print?start=2026-01-01&amp;end=2026-03-31"' in page.get_data(
        as_text=True)

    text = pdf_text(print_document(app, client, "/c/quebrada/books/me/statement/print?start=2026-01-01&end=2026-03-31"))
    for shown in ("CooperativaQuebrada", "AnaLucíaToapanta", str(ana.number), "Aportedeenero",
                  "Aportedefebrero", "DEP-77", "Página1de1"):
        assert shown in text, shown
    assert "Rosa" not in text
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        assert session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "export.statement")) \
            .startswith(f"{ana.number}: Ana Lucía Toapanta (pdf")


def test_the_statement_csv_has_opening_lines_and_closing(client, login, people):
    login(client, people["auditor"])

    response = client.get(statement_url(people["ana"], start="2026-02-01", end="2026-02-28", format="csv"))

    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Date", "Entry", "Description", "Reference", "Charge", "Payment", "Balance"]
    assert rows[1] == ["2026-02-01", "", "Opening balance", "", "", "", "40.00"]
    assert [row[2:] for row in rows[2:4]] == [["Aporte de febrero", "", "40.00", "", "80.00"],
                                              ["Pago de Ana Lucía Toapanta", "DEP-77", "", "25.00", "55.00"]]
    assert rows[4] == ["2026-02-28", "", "Closing balance", "", "40.00", "25.00", "55.00"]


def test_a_date_that_cannot_be_read_is_shown_beside_its_field(client, login, people):
    login(client, people["treasurer"])

    response = client.get(statement_url(people["ana"], start="2026-02-30", end="2026-03-31"))

    assert response.status_code == 200
    assert "year-month-day" in field_error(response, "start")
    assert field_error(response, "end") == ""
    response = client.get("/c/quebrada/books/arrears?as_of=yesterday")
    assert "year-month-day" in field_error(response, "as_of")


def test_a_member_sees_only_her_own_statement(client, login, people):
    ana, rosa = people["ana"], people["rosa"]
    login(client, people["ana_login"])

    own = client.get("/c/quebrada/books/me/statement?start=2026-01-01&end=2026-12-31")

    assert own.status_code == 200
    text = text_of(own)
    assert "Aporte de enero" in text and "Multa de Minga de Rosa" not in text and "Pilataxi" not in text
    assert client.get(statement_url(ana)).status_code == 200
    assert client.get(statement_url(rosa)).status_code == 404
    assert client.post(statement_url(rosa) + "/print").status_code == 404
    assert client.get("/c/quebrada/books/arrears").status_code == 403


def test_who_may_open_anothers_statement(client, login, people, make_coop, make_member):
    stranger = make_member(make_coop("vecina"), given_names="Otra")
    for role, expected in (("treasurer", 200), ("auditor", 200), ("admin", 200), ("secretary", 404)):
        login(client, people[role])
        assert client.get(statement_url(people["rosa"])).status_code == expected, role
        assert client.get(statement_url(stranger)).status_code == 404, role
        client.post("/logout")


def test_without_a_member_record_my_statement_says_so_kindly(client, login, people):
    login(client, people["treasurer"])

    response = client.get("/c/quebrada/books/me/statement")

    assert response.status_code == 200
    assert "not linked to a member" in text_of(response)


# --- the member panel ------------------------------------------------------------------------

def panel_text(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r"<h2>Account with the co-op</h2>(.*?)</section>", html, flags=re.S)
    return match.group(1) if match else ""


def test_the_treasurer_sees_the_account_panel_with_a_way_to_record_a_payment(client, login, people):
    ana = people["ana"]
    login(client, people["treasurer"])

    panel = panel_text(client.get(f"/c/quebrada/members/{ana.number}"))

    assert "Owes $55.00" in panel
    assert "Overdue" in panel and "$55.00" in panel
    receipt = re.search(r'<a href="(/c/quebrada/books/payments/\d+)">Receipt no. 1</a>', panel)
    assert receipt, "the last payment links to its receipt's page"
    assert "receipt.pdf" in client.get(receipt.group(1)).get_data(as_text=True)  # which prints it
    assert f'href="/c/quebrada/books/payments/?member={ana.number}">All payments</a>' in panel
    assert f'href="/c/quebrada/books/members/{ana.id}/statement"' in panel
    assert f'/c/quebrada/books/payments/new?member={ana.number}' in panel


def test_the_auditor_sees_the_panel_but_records_nothing_and_the_secretary_sees_no_money(client, login, people):
    ana = people["ana"]
    login(client, people["auditor"])
    panel = panel_text(client.get(f"/c/quebrada/members/{ana.number}"))
    assert "Owes $55.00" in panel and "Record a payment" not in panel
    client.post("/logout")

    login(client, people["secretary"])
    response = client.get(f"/c/quebrada/members/{ana.number}")

    assert response.status_code == 200 and "Ana Lucía" in text_of(response)
    assert panel_text(response) == "" and "$55.00" not in text_of(response)


def test_a_member_sees_her_own_account_on_her_page(client, db, login, people, books):
    ana = people["ana"]
    db.rollback()
    add_charge(db, books, db.get(Member, ana.id), 1_000, due=TODAY - dt.timedelta(days=10),
               description="Aporte reciente")
    db.commit()
    login(client, people["ana_login"])

    panel = panel_text(client.get("/c/quebrada/me"))

    assert "Owes $65.00" in panel and "Record a payment" not in panel
    assert 'href="/c/quebrada/books/me/statement"' in panel
    assert "Receipt no. 1" in panel


def test_a_member_in_credit_and_one_up_to_date(client, db, login, people, books):
    db.rollback()
    rosa = db.get(Member, people["rosa"].id)
    add_payment(db, books, rosa, 10_000, on=D(2026, 3, 1))
    db.commit()
    login(client, people["rosa_login"])
    assert "In credit: $10.00" in panel_text(client.get("/c/quebrada/me"))
    db.rollback()
    add_charge(db, books, db.get(Member, rosa.id), 1_000, due=D(2026, 4, 1))
    db.commit()
    panel = panel_text(client.get("/c/quebrada/me"))
    assert "Up to date" in panel and "Overdue" not in panel


# --- arrears ---------------------------------------------------------------------------------

def test_the_arrears_page_ages_open_charges_with_totals_pages_and_exports(app, client, login, people, monkeypatch):
    login(client, people["treasurer"])

    response = client.get("/c/quebrada/books/arrears?as_of=2026-06-30")

    text = text_of(response)
    assert response.status_code == 200
    assert text.index("Pilataxi, Rosa") < text.index("Toapanta, Ana Lucía")  # largest amount first
    assert re.search(r"Total \$0\.00 \$0\.00 \$0\.00 \$145\.00 \$145\.00", text)
    by_days = text_of(client.get("/c/quebrada/books/arrears?as_of=2026-06-30&sort=days"))
    assert by_days.index("Toapanta, Ana Lucía") < by_days.index("Pilataxi, Rosa")  # due since January

    monkeypatch.setattr(statements, "ARREARS_PAGE_SIZE", 1)
    second = text_of(client.get("/c/quebrada/books/arrears?as_of=2026-06-30&page=2"))
    assert "Toapanta, Ana Lucía" in second and "Pilataxi, Rosa" not in second and "Page 2 of 2" in second

    rows = csv_rows(client.get("/c/quebrada/books/arrears?as_of=2026-06-30&page=2&format=csv"))
    assert [row[1] for row in rows[1:]] == ["Pilataxi, Rosa", "Toapanta, Ana Lucía", "Total"]
    assert rows[1][2:8] == ["0.00", "0.00", "0.00", "90.00", "90.00", "90.00"]
    assert rows[-1][6] == "145.00"

    text = pdf_text(print_document(app, client, "/c/quebrada/books/arrears/print?as_of=2026-06-30"))
    assert "Pilataxi,Rosa" in text and "Toapanta,AnaLucía" in text and "$145.00" in text


def test_the_arrears_filter_keeps_only_those_late_enough(client, login, people):
    login(client, people["auditor"])

    text = text_of(client.get("/c/quebrada/books/arrears?as_of=2026-03-01&min_days=30"))

    assert "Toapanta, Ana Lucía" in text and "Pilataxi, Rosa" not in text  # Rosa is 19 days late
    everyone = text_of(client.get("/c/quebrada/books/arrears?as_of=2026-03-01&min_days=0"))
    assert "Pilataxi, Rosa" in everyone
