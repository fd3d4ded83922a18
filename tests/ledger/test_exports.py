"""Exporting the journal: the treasurer hands the books to an accountant who uses hledger or
beancount, or opens them in a spreadsheet, and every figure matches Ayllu's own."""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
import subprocess

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from beancount import loader
from beancount.core import realization

from coop.audit import AuditEvent
from ledger import exports, reports, services
from ledger.exports import ExportAccount
from ledger.models import AccountType, EntrySource, JournalEntry

D = decimal.Decimal


@pytest.fixture
def journal(db, books, post, make_member):
    """Several accounts, two members, a reversal, accents, quotes and odd characters."""
    ana = make_member(books, given_names="Ana María", family_names="Quishpe Ñacato")
    luis = make_member(books, given_names="Luis", family_names='Chango "El Maestro"')
    db.rollback()
    services.add_account(db, None, books, code="5.3.01", name="Mantenimiento: parque; quebrada",
                         type=AccountType.EXPENSE)
    db.commit()
    post(books, ("1.1.02", 500000), ("3.3", -500000), entry_date=dt.date(2025, 12, 31),
         description="Saldo de apertura", source=EntrySource.OPENING)
    post(books, ("1.1.03", 4000, ana), ("1.1.03", 4000, luis), ("4.1", -8000),
         entry_date=dt.date(2026, 1, 5), description='Aporte de enero "ordinario" \\ año 2026; cuota')
    paid = post(books, ("1.1.01", 4000), ("1.1.03", -4000, ana), entry_date=dt.date(2026, 1, 20),
                description="Pago de Ana María, recibo 1")
    post(books, ("5.3.01", 1234), ("1.1.02", -1234), entry_date=dt.date(2026, 2, 5),
         description="=Compra de cemento | ferretería")
    post(books, ("1.2.02", 250000), ("1.1.02", -250000), entry_date=dt.date(2026, 2, 10),
         description="Construcción: bloque C")
    db.rollback()
    services.reverse_entry(db, None, books, db.get(JournalEntry, paid.id), entry_date=dt.date(2026, 2, 1),
                           reason="Pago duplicado, devuelto")
    db.commit()
    db.rollback()
    return books


def export_text(db, coop, fmt: str) -> str:
    db.rollback()
    return "".join(exports.export_chunks(db, coop, fmt))


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- beancount -------------------------------------------------------------------------------

def test_the_beancount_export_passes_bean_check(db, journal, tmp_path):
    path = write(tmp_path, "books.beancount", export_text(db, journal, "beancount"))
    checked = subprocess.run([".venv/bin/bean-check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    entries, errors, options = loader.load_file(str(path))
    assert errors == []
    assert options["operating_currency"] == ["USD"]
    transactions = [e for e in entries if type(e).__name__ == "Transaction"]
    assert sorted(t.meta["entry"] for t in transactions) == [1, 2, 3, 4, 5, 6]
    by_number = {t.meta["entry"]: t for t in transactions}
    assert by_number[2].narration == 'Aporte de enero "ordinario" \\ año 2026; cuota'
    assert by_number[6].meta["reverses"] == 3 and by_number[6].meta["reason"] == "Pago duplicado, devuelto"
    assert len(by_number[2].meta["hash"]) == 64
    member_accounts = {p.account for p in by_number[2].postings if "member" in (p.meta or {})}
    assert member_accounts == {"Assets:Activos:ActivoCorriente:CuentasPorCobrarASocios:S0001",
                               "Assets:Activos:ActivoCorriente:CuentasPorCobrarASocios:S0002"}


def test_beancount_balances_match_the_trial_balance(db, journal, tmp_path):
    path = write(tmp_path, "books.beancount", export_text(db, journal, "beancount"))
    entries, _errors, _options = loader.load_file(str(path))
    tree = realization.realize(entries)
    accounts = exports.load_accounts(db, journal)
    names = exports.beancount_names(accounts)
    by_code = {a.code: names[a.id] for a in accounts.values()}

    def dollars(node) -> D:
        return node.balance.get_currency_units("USD").number

    for row in reports.trial_balance(db, journal):
        node = realization.get(tree, by_code[row.code])
        members = [child for key, child in node.items() if re.fullmatch(r"S\d{4,}", key)]
        assert dollars(node) + sum(dollars(m) for m in members) == D(row.balance).scaleb(-2), row.code
    assert len(realization.get(tree, by_code["1.1.03"])) == 2  # a sub-account per member


# --- hledger ---------------------------------------------------------------------------------

def hledger(path, *args: str) -> str:
    done = subprocess.run(["hledger", "-f", str(path), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_hledger_balances_equal_the_trial_balance_account_by_account(db, journal, tmp_path):
    path = write(tmp_path, "books.journal", export_text(db, journal, "hledger"))
    hledger(path, "check", "accounts", "commodities")  # every account and commodity declared
    names = exports.hledger_names(exports.load_accounts(db, journal))
    code_of = {name: exports.load_accounts(db, journal)[account_id].code for account_id, name in names.items()}
    balances: dict[str, D] = {}
    rows = list(csv.reader(io.StringIO(hledger(path, "balance", "--flat", "--no-total", "-O", "csv"))))
    assert rows[0] == ["account", "balance"]
    for name, amount in rows[1:]:
        if amount == "0":
            continue
        number, currency = amount.replace(",", "").split(" ")
        assert currency == "USD"
        parent = name.rsplit(":Socio ", 1)[0]  # a member's sub-account rolls up to its account
        balances[code_of[parent]] = balances.get(code_of[parent], D(0)) + D(number)
    expected = {row.code: D(row.balance).scaleb(-2) for row in reports.trial_balance(db, journal) if row.balance}
    assert balances == expected
    assert expected["1.1.03"] == D("80.00")  # both members still owe January (the payment was reversed)


def test_hledger_shows_members_reversals_and_exact_text(db, journal, tmp_path):
    text = export_text(db, journal, "hledger")
    path = write(tmp_path, "books.journal", text)
    ana = hledger(path, "register", "tag:socio=1", "-O", "csv")
    assert "Socio 0001" in ana and "Socio 0002" not in ana
    reversal = hledger(path, "print", "tag:reverses=3")
    assert "2026-02-01 * (6) " in reversal and "; reverses: 3" in reversal
    assert "; reason: Pago duplicado; devuelto" in reversal
    assert "Activos:Activo corriente:Cuentas por cobrar a socios:Socio 0001" in text
    assert "Gastos:Mantenimiento:Mantenimiento- parque, quebrada  12.34 USD" in text
    assert "commodity 1,000.00 USD" in text


# --- CSV -------------------------------------------------------------------------------------

def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_export_has_a_row_per_posting_and_sums_to_zero(db, journal):
    header, *rows = read_csv(export_text(db, journal, "csv"))
    assert header == [str(label) for label in exports.CSV_HEADER]
    assert len(rows) == 13
    debit = sum(D(r[9]) for r in rows if r[9])
    credit = sum(D(r[10]) for r in rows if r[10])
    assert debit == credit == D("7672.34")
    luis = [r for r in rows if r[7] == "2"]
    assert luis[0][:2] == ["2", "2026-01-05"] and luis[0][8] == 'Luis Chango "El Maestro"'
    assert luis[0][5:7] == ["1.1.03", "Cuentas por cobrar a socios"] and luis[0][9:] == ["40.00", ""]
    formula = next(r for r in rows if r[0] == "4")
    assert formula[2].startswith("'=")  # a spreadsheet shows it, never runs it
    assert {r[4] for r in rows} >= {"opening", "manual", "reversal"}


def test_entries_are_read_in_batches_in_number_order_up_to_the_start(db, journal):
    batches = list(exports.journal_entries(db, journal, up_to=5, batch=2))
    assert [[e.number for e in b] for b in batches] == [[1, 2], [3, 4], [5]]
    assert all(sum(p.amount_minor for p in e.postings) == 0 for b in batches for e in b)


def test_an_export_stops_at_the_entry_that_was_last_when_it_started(app, db, journal, post, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_BATCH", 2)
    with so.Session(app.extensions["coop.db"].engine) as reader:
        chunks = exports.hledger_journal(reader, reader.get(type(journal), journal.id))
        head, first_batch = next(chunks), next(chunks)
        post(journal, ("1.1.01", 100), ("4.4", -100), description="Venta de rifas")  # entry 7
        rest = "".join(chunks)
    assert "entries 1 to 6" in head and "(1) " in first_batch and "(2) " in first_batch
    assert "(6) " in rest and "(7) " not in rest and "Venta de rifas" not in rest


# --- names -----------------------------------------------------------------------------------

def chart(*rows) -> dict[int, ExportAccount]:
    return {i: ExportAccount(i, code, name, kind, parent) for i, code, name, kind, parent in rows}


def test_account_names_stay_distinct_and_valid_for_each_tool():
    accounts = chart((1, "1", "Activos", AccountType.ASSET, None),
                     (2, "1.1", "Caja", AccountType.ASSET, 1),
                     (3, "1.2", "caja", AccountType.ASSET, 1),
                     (4, "1.3", "(Fondo):  rotativo", AccountType.ASSET, 1),
                     (5, "1.4", "¿?", AccountType.ASSET, 1),
                     (6, "1.5", "Socio 0001", AccountType.ASSET, 1),
                     (7, "4", "Activos", AccountType.INCOME, None))
    hl = exports.hledger_names(accounts)
    assert hl[1] == "Activos 1" and hl[7] == "Activos 4"  # roots are siblings in hledger
    assert hl[2] == "Activos 1:Caja 1-1" and hl[3] == "Activos 1:caja 1-2"
    assert hl[4] == "Activos 1:Fondo)- rotativo" and hl[5] == "Activos 1:¿?"
    assert hl[6] == "Activos 1:Socio 0001 1-5"  # never mistaken for a member's sub-account
    assert len(set(hl.values())) == 7
    bc = exports.beancount_names(accounts)
    assert bc[1] == "Assets:Activos" and bc[7] == "Income:Activos"
    assert bc[2] == "Assets:Activos:Caja-1-1" and bc[3] == "Assets:Activos:Caja-1-2"
    assert bc[4] == "Assets:Activos:FondoRotativo" and bc[5] == "Assets:Activos:A1-4"
    assert len(set(bc.values())) == 7


# --- command line ----------------------------------------------------------------------------

def test_the_command_line_writes_the_export_to_a_file(app, db, journal, tmp_path):
    target = tmp_path / "libro.beancount"
    result = app.test_cli_runner().invoke(args=["ledger", "export", "--coop", "quebrada", "--format",
                                                "beancount", "--output", str(target)])
    assert result.exit_code == 0, result.output
    _entries, errors, _options = loader.load_file(str(target))
    assert errors == []
    assert "6 entries" in result.output
    printed = app.test_cli_runner().invoke(args=["ledger", "export", "--coop", "quebrada", "--format", "hledger"])
    assert printed.exit_code == 0 and "(6) " in printed.output
    db.rollback()
    summaries = db.scalars(sa.select(AuditEvent.summary).where(AuditEvent.action == "export.ledger")
                           .order_by(AuditEvent.id)).all()
    assert summaries == ["beancount; n=6; command line", "hledger; n=6; command line"]


def test_the_command_line_refuses_an_unknown_coop_or_format(app, books):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ledger", "export", "--coop", "nadie", "--format", "csv"]).exit_code == 1
    assert runner.invoke(args=["ledger", "export", "--coop", "quebrada", "--format", "xls"]).exit_code == 2


# --- the page --------------------------------------------------------------------------------

def test_the_treasurer_downloads_each_export_and_each_is_audited(app, db, journal, client, make_user, login):
    treasurer = make_user(coop=journal, roles=["treasurer"])
    login(client, treasurer)
    page = client.get("/c/quebrada/books/exports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for fmt in ("hledger", "beancount", "csv"):
        assert f"/c/quebrada/books/exports/journal.{fmt}" in html
    hl = client.get("/c/quebrada/books/exports/journal.hledger")
    assert hl.status_code == 200 and hl.is_streamed
    assert "attachment" in hl.headers["Content-Disposition"] and ".journal" in hl.headers["Content-Disposition"]
    assert "(6) " in hl.get_data(as_text=True)
    bc = client.get("/c/quebrada/books/exports/journal.beancount")
    assert "open Assets:Activos:ActivoCorriente:Bancos USD" in bc.get_data(as_text=True)
    rows = read_csv(client.get("/c/quebrada/books/exports/journal.csv").get_data(as_text=True))
    assert len(rows) == 14  # the header and 13 postings
    db.rollback()
    events = db.execute(sa.select(AuditEvent.actor_id, AuditEvent.summary)
                        .where(AuditEvent.action == "export.ledger").order_by(AuditEvent.id)).all()
    assert events == [(treasurer.id, "hledger; n=6"), (treasurer.id, "beancount; n=6"), (treasurer.id, "csv; n=6")]


def test_the_oversight_council_may_export_but_a_member_may_not(app, db, journal, client, make_user, login):
    member = make_user(coop=journal, roles=["member"])
    login(client, member)
    assert client.get("/c/quebrada/books/exports").status_code == 403
    for fmt in ("hledger", "beancount", "csv"):
        assert client.get(f"/c/quebrada/books/exports/journal.{fmt}").status_code == 403
    db.rollback()
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.ledger")) is None
    auditor = make_user(coop=journal, roles=["auditor"])
    other = app.test_client()
    login(other, auditor)
    assert other.get("/c/quebrada/books/exports/journal.csv").status_code == 200


def test_another_coops_books_are_not_exported(db, journal, make_coop, client, make_user, login):
    neighbour = make_coop("vecina")
    db.rollback()
    services.install_chart(db, None, db.merge(neighbour))
    db.commit()
    text = export_text(db, db.merge(neighbour), "hledger")
    assert "entries 1 to 0" in text and "Saldo de apertura" not in text and "Socio" not in text
    treasurer = make_user(coop=neighbour, roles=["treasurer"])
    login(client, treasurer)
    assert client.get("/c/quebrada/books/exports/journal.csv").status_code == 404
