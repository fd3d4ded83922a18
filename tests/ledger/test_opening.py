"""The treasurer brings the balances of the old books from a spreadsheet: checked whole, every
bad row listed, and only a clean file posted as one opening entry."""
from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from ledger import opening, reports, services
from ledger.models import EntrySource, JournalEntry
from tests.conftest import field_error, flashes, text_of
from tests.ledger.conftest import account

OPENING_DAY = dt.date(2025, 12, 31)


@pytest.fixture
def treasurer(client, books, make_user, login):
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"], locale="en")
    login(client, user)
    return user


def url(coop, path: str) -> str:
    return f"/c/{coop.slug}/books{path}"


def entries(db) -> list[JournalEntry]:
    db.rollback()
    return list(db.scalars(sa.select(JournalEntry).order_by(JournalEntry.number)))


def upload(client, coop, content: bytes, entry_date=OPENING_DAY, description="Saldos iniciales"):
    return client.post(url(coop, "/opening"), content_type="multipart/form-data", data={
        "file": (io.BytesIO(content), "saldos.csv"), "entry_date": entry_date.isoformat(),
        "description": description})


def hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"|type="hidden" name="{name}" value="([^"]*)"'
                      rf'|id="{name}" name="{name}" type="hidden" value="([^"]*)"',
                      response.get_data(as_text=True))
    assert match, f"no hidden {name}"
    return next(group for group in match.groups() if group is not None)


def confirm(client, coop, preview):
    return client.post(url(coop, "/opening/post"), data={name: hidden(preview, name)
                                                          for name in ("content", "entry_date", "description")})


def clean_file(members) -> bytes:
    ana, luis = members
    return (f"cuenta,socio,debe,haber,descripcion\n"
            f"1.1.01,,150.00,,Caja al cierre\n"
            f"1.1.02,,\"12,500.50\",,Banco Pichincha\n"
            f"1.1.03,{ana.number},80.00,,Aportes atrasados de Ana\n"
            f"1.1.03,{luis.number},20.00,,Multa pendiente\n"
            f"2.2,,,50.00,Anticipo\n"
            f"3.1,,,2000.00,Certificados\n"
            f"3.3,,,10700.50,Patrimonio de apertura\n").encode()


@pytest.fixture
def two_members(books, make_member):
    return make_member(books, given_names="Ana"), make_member(books, given_names="Luis")


def test_a_bad_file_lists_every_bad_row_and_posts_nothing(client, db, books, two_members, treasurer, post):
    ana, _luis = two_members
    db.rollback()
    services.add_account(db, None, books, code="1.1.05", name="Cuenta vieja", type=services.A)
    services.close_account(db, None, books, account(db, books, "1.1.05"))
    db.commit()
    content = ("account;member;debit;credit;description\n"
               "9.9;;10,00;;cuenta que no existe\n"              # 2
               "1.1.05;;10,00;;cuenta cerrada\n"                 # 3
               "1.1.03;;10,00;;falta el socio\n"                 # 4
               "1.1.03;4242;10,00;;socio desconocido\n"          # 5
               "1.1.01;;10,00;5,00;debe y haber\n"               # 6
               "1.1.01;;;;ni debe ni haber\n"                    # 7
               "1.1.01;;diez;;monto ilegible\n"                  # 8
               "1.1.01;;1.010,005;;tres decimales\n"             # 9
               f"4.1;{ana.number};;10,00;socio en cuenta de ingresos\n"  # 10
               "1.1.02;;100,00;;bien\n"                          # 11
               "3.3;;;90,00;bien, pero no cuadra\n").encode("latin-1")  # 12
    response = upload(client, books, content)
    assert response.status_code == 200
    rows = re.findall(r"<tr><td[^>]*>(\d+|—)</td><td[^>]*>(.*?)</td></tr>", response.get_data(as_text=True))
    reasons = {}
    for row, message in rows:
        reasons.setdefault(row, []).append(message)
    assert "no account 9.9" in reasons["2"][0]
    assert "closed" in reasons["3"][0]
    assert "write the member number" in reasons["4"][0]
    assert "no member number 4242" in reasons["5"][0]
    assert "not both" in reasons["6"][0]
    assert "debit or a credit" in reasons["7"][0]
    assert "not an amount" in reasons["8"][0]
    assert "decimals" in reasons["9"][0]
    assert "not a member account" in reasons["10"][0]
    assert "11" not in reasons and "12" not in reasons
    assert "differ by USD 10.00" in reasons["—"][0]
    assert "Post the opening balances" not in text_of(response)
    assert entries(db) == []


def test_a_clean_file_posts_one_balanced_entry_matching_the_file(client, db, books, two_members, treasurer):
    preview = upload(client, books, clean_file(two_members))
    page = text_of(preview)
    assert "Post the opening balances" in page and "$12,500.50" in page
    assert entries(db) == []  # the preview posts nothing
    done = confirm(client, books, preview)
    assert done.status_code == 302
    [entry] = entries(db)
    assert entry.source is EntrySource.OPENING and entry.entry_date == OPENING_DAY
    assert entry.description == "Saldos iniciales" and len(entry.postings) == 7
    balances = {row.code: row.balance for row in reports.trial_balance(db, books)}
    assert balances == {"1.1.01": 15000, "1.1.02": 1250050, "1.1.03": 10000, "2.2": -5000, "3.1": -200000,
                        "3.3": -1070050}
    ana, luis = two_members
    members = sorted((p.member_id, p.amount_minor) for p in entry.postings if p.member_id)
    assert members == sorted([(ana.id, 8000), (luis.id, 2000)])
    assert "Opening balances" in text_of(client.get(done.headers["Location"]))


def test_semicolons_latin1_and_decimal_commas_are_read(db, books, two_members):
    ana, _ = two_members
    content = ("Código de cuenta;Socio;Débito;Crédito;Descripción\n"
               f"1.1.03;{ana.number};1.234,50;;Señora Ana\n"
               "3.3;;;1.234,50;Patrimonio\n").encode("latin-1")
    plan = opening.check_opening(db, books, content)
    assert plan.ok, plan.problems
    assert [line.amount_minor for line in plan.lines] == [123450, -123450]
    assert plan.lines[0].description == "Señora Ana"


def test_dollar_signs_and_decimal_commas_are_read_as_the_treasurer_wrote_them(client, db, books, two_members,
                                                                           treasurer):
    ana, _ = two_members
    content = ("cuenta;socio;debe;haber;descripcion\n"
               f"1.1.03;{ana.number};$48.90;;Aporte de Ana\n"
               "3.3;;;48,90;Patrimonio\n").encode()
    preview = upload(client, books, content)
    assert "Post the opening balances" in text_of(preview)
    assert confirm(client, books, preview).status_code == 302
    [entry] = entries(db)
    assert sorted(p.amount_minor for p in entry.postings) == [-4890, 4890]


def test_an_amount_that_reads_two_ways_is_refused_on_its_row_with_its_reading(db, books):
    content = b"cuenta;debe;haber\n1.1.01;1,500;\n3.3;;1.500,00\n"
    plan = opening.check_opening(db, books, content, locale="es")
    [problem] = [p for p in plan.problems if p.row == 2]
    assert "1,500" in problem.message and "1.500,00" in problem.message
    assert [line.row for line in plan.lines] == [3] and not plan.ok  # nothing is guessed


def test_a_second_opening_is_refused_until_the_first_is_reversed(client, db, books, two_members, treasurer):
    assert confirm(client, books, upload(client, books, clean_file(two_members))).status_code == 302
    again = confirm(client, books, upload(client, books, clean_file(two_members)))
    assert "Reverse that entry first" in field_error(again, "file")
    assert len(entries(db)) == 1
    first = entries(db)[0]
    services.reverse_entry(db, None, books, first, entry_date=OPENING_DAY, reason="Saldos equivocados")
    db.commit()
    assert confirm(client, books, upload(client, books, clean_file(two_members))).status_code == 302
    assert [e.source for e in entries(db)] == [EntrySource.OPENING, EntrySource.REVERSAL, EntrySource.OPENING]


def test_a_file_changed_between_preview_and_posting_is_checked_again(client, db, books, two_members, treasurer):
    preview = upload(client, books, clean_file(two_members))
    bad = base64.b64encode(b"cuenta,debe,haber\n1.1.01,10.00,\n").decode()
    response = client.post(url(books, "/opening/post"), data={
        "content": bad, "entry_date": hidden(preview, "entry_date"), "description": "x"})
    assert "nothing was posted" in field_error(response, "file")
    garbled = client.post(url(books, "/opening/post"), data={"content": "%%%", "entry_date": "2025-12-31"})
    assert "Send the file again" in text_of(garbled)
    assert entries(db) == []


def test_an_opening_dated_in_a_closed_month_is_refused(client, db, books, two_members, treasurer):
    db.rollback()
    services.close_month(db, None, books, OPENING_DAY)
    db.commit()
    response = confirm(client, books, upload(client, books, clean_file(two_members)))
    assert "month of this date is closed" in field_error(response, "entry_date")
    assert entries(db) == []


def test_a_file_without_the_columns_or_rows_says_so(db, books):
    assert "missing" in opening.check_opening(db, books, b"code;amount\n1.1.01;5\n").problems[0].message
    assert "only a header" in opening.check_opening(db, books, b"cuenta,debe,haber\n").problems[0].message
    assert "empty" in opening.check_opening(db, books, b"\n\n").problems[0].message


def test_the_template_names_the_columns_in_the_readers_language(client, books, treasurer):
    response = client.get(url(books, "/opening/template.csv"))
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith("account,member,debit,credit,description")


def test_the_page_shows_the_columns_and_the_standing_opening(client, db, books, two_members, treasurer):
    page = text_of(client.get(url(books, "/opening")))
    assert "cuenta" in page and "haber" in page and "1.1.03" in page
    confirm(client, books, upload(client, books, clean_file(two_members)))
    assert "already posted as entry 1" in " ".join(flashes(client.get(url(books, "/opening"))))
