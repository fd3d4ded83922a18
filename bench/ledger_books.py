"""The books at the reference co-op's scale: 2,000 members, 25 years of monthly dues and payments.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL when COOP_BENCH_DATABASE_URL
names a server database, which is dropped and re-created as ``coop_bench_ledger``) holding the
housing chart, one monthly dues plan, 300 dues runs with a charge per member, and a payment with
its receipt and allocation for nearly every charge (some members fall behind in the last months,
so the arrears report has work to do): about 1.2 million journal entries and 2.4 million postings,
hash-chained exactly as ``post_entry`` chains them (``ledger verify`` passes).

Then it times, in one run:
- the trial balance (``ledger.reports.trial_balance``), against ``hledger balance`` on the
  exported journal (Debian's hledger), side by side;
- the member statement page and its PDF, through the real pages, logged in as the treasurer;
- arrears aging for all members;
- a dues run for the next month (2,000 charges);
- the full hledger export through the command line, with its peak memory.

``--smoke`` runs it at a tiny scale (the test suite does, so that the script cannot fall out of
step with the code).

    .venv/bin/python bench/ledger_books.py [--members 2000] [--years 25] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ledger_books.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, cedula, fresh_database, machine  # noqa: E402

from coop import migrate, numbering, tenancy  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.db import is_sqlite, make_engine  # noqa: E402
from coop.text import fold  # noqa: E402
from ledger import services  # noqa: E402
from ledger.chain import GENESIS_HASH, EntryFacts, PostingFacts, entry_hash  # noqa: E402
from ledger.models import (  # noqa: E402
    Allocation, Charge, Debtors, DuesPlan, DuesRun, Frequency, JournalEntry, Payment, PaymentKind, Posting)
from members.models import Member, MemberStatusChange  # noqa: E402

SLUG = "referencia"
#: the smoke run's scale: a handful of members, one year, a few timings each
SMOKE_MEMBERS, SMOKE_YEARS = 8, 1
PASSWORD = "una clave larga"
DUES = 2500  # USD 25.00 a month
GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña"]


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


class Books:
    """Writes entries, postings and their rows in bulk, chaining hashes as post_entry does."""

    def __init__(self, connection, coop_id: int, codes: dict[int, str]):
        self.connection, self.coop_id, self.codes = connection, coop_id, codes
        self.number, self.prev_hash = 0, GENESIS_HASH
        self.entry_id = self.posting_id = 0
        self.entries: list[dict] = []
        self.postings: list[dict] = []

    def post(self, day: dt.date, description: str, source: str, reference: str,
             lines: list[tuple[int, int | None, int]]) -> int:
        self.number += 1
        self.entry_id += 1
        facts = EntryFacts(number=self.number, entry_date=day, description=description, reference=reference,
                           source=source, reverses_id=None, reason="",
                           postings=tuple(PostingFacts(self.codes[a], m, amount) for a, m, amount in lines))
        digest = entry_hash(self.prev_hash, facts)
        self.entries.append({"id": self.entry_id, "coop_id": self.coop_id, "number": self.number,
                             "entry_date": day, "description": description, "reference": reference,
                             "source": source, "reverses_id": None, "reason": "", "prev_hash": self.prev_hash,
                             "hash": digest, "created_by_id": None, "created_dt": dt.datetime(2026, 11, 27)})
        for account_id, member_id, amount in lines:
            self.posting_id += 1
            self.postings.append({"id": self.posting_id, "entry_id": self.entry_id, "coop_id": self.coop_id,
                                  "account_id": account_id, "member_id": member_id, "amount_minor": amount})
        self.prev_hash = digest
        return self.entry_id

    def flush(self) -> None:
        if self.entries:
            self.connection.execute(sa.insert(JournalEntry), self.entries)
            self.connection.execute(sa.insert(Posting), self.postings)
        self.entries, self.postings = [], []


def _fix_sequences(connection) -> None:
    if is_sqlite(connection.engine):
        return
    for table in ("journal_entry", "posting", "charge", "payment", "allocation", "dues_run"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))")


def build(url: str, members: int, years: int) -> dict:
    """The reference co-op's books, ending this month; returns the figures the timings need."""
    this_month = dt.date.today().replace(day=1)
    first_month = dt.date(this_month.year - years + (this_month.month == 12), this_month.month % 12 + 1, 1)
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(2026)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de referencia", slug=SLUG)
        user = auth.create_user(session, email="tesoreria@example.org", name="Tesorería", password=PASSWORD)
        tenancy.grant_role(session, None, coop, user, tenancy.Role.TREASURER)
        accounts = {a.code: a for a in services.install_chart(session, None, coop)}
        plan = DuesPlan(coop_id=coop.id, name="Aporte ordinario", amount_minor=DUES, frequency=Frequency.MONTHLY,
                        debtors=Debtors.MEMBERS, income_account_id=accounts["4.1"].id, start_date=first_month,
                        due_days=10, resolution_ref="Asamblea 2000-12")
        session.add(plan)
        session.flush()
        coop_id, plan_id = coop.id, plan.id
        receivable, income, bank = accounts["1.1.03"].id, accounts["4.1"].id, accounts["1.1.02"].id
        codes = {a.id: a.code for a in accounts.values()}
        connection.execute(sa.insert(Member), [
            {"coop_id": coop_id, "number": n, "given_names": rng.choice(GIVEN),
             "family_names": f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}", "document_type": "cedula",
             "document_number": cedula(n), "join_date": first_month, "status": "active",
             "status_since": first_month, "phone": "", "phone_alt": "", "address": "", "preferred_language": "es",
             "search_text": fold(f"{n}")} for n in range(1, members + 1)])
        member_ids = list(connection.execute(sa.select(Member.id).where(Member.coop_id == coop_id)
                                             .order_by(Member.number)).scalars())
        connection.execute(sa.insert(MemberStatusChange), [
            {"coop_id": coop_id, "member_id": m, "status": "active", "effective_date": first_month} for m in member_ids])
        session.close()

        periods = months(first_month, years * 12)
        # how many of the last months each member has not paid: most none, some behind
        behind = {m: rng.choices([0, 1, 2, 3, 5, 8, 14, 30], [80, 6, 4, 3, 3, 2, 1, 1])[0] for m in member_ids}
        books = Books(connection, coop_id, codes)
        charge_id = payment_id = 0
        charges, payments, allocations, runs = [], [], [], []
        for index, period in enumerate(periods):
            runs.append({"id": index + 1, "coop_id": coop_id, "plan_id": plan_id, "period_start": period,
                         "charges_count": len(member_ids), "total_minor": DUES * len(member_ids),
                         "created_by_id": None, "created_dt": dt.datetime(2026, 11, 27)})
            label = f"Aporte ordinario {period:%Y-%m}"
            month_charges = []
            for member_id in member_ids:
                entry_id = books.post(period, label, "dues", "", [(receivable, member_id, DUES), (income, None, -DUES)])
                charge_id += 1
                month_charges.append((charge_id, member_id))
                charges.append({"id": charge_id, "coop_id": coop_id, "member_id": member_id, "household_id": None,
                                "run_id": index + 1, "source": "dues", "description": label,
                                "due_date": period + dt.timedelta(days=10), "amount_minor": DUES,
                                "settled_minor": 0, "is_void": False, "entry_id": entry_id})
            for this_charge, member_id in month_charges:
                if len(periods) - index <= behind[member_id]:
                    continue
                day = period + dt.timedelta(days=rng.randint(0, 27))
                payment_id += 1
                entry_id = books.post(day, f"Pago recibo {payment_id}", "payment", f"Recibo {payment_id}",
                                      [(bank, None, DUES), (receivable, member_id, -DUES)])
                payments.append({"id": payment_id, "coop_id": coop_id, "member_id": member_id,
                                 "receipt_number": payment_id, "payment_date": day, "amount_minor": DUES,
                                 "allocated_minor": DUES,
                                 "method": "deposit", "kind": PaymentKind.DUES.value,
                                 "bank_reference": f"D{payment_id:08d}", "account_id": bank, "subscription_id": None,
                                 "note": "", "entry_id": entry_id, "void_entry_id": None, "voided_dt": None,
                                 "void_reason": "", "created_by_id": None, "created_dt": dt.datetime(2026, 11, 27)})
                allocations.append({"id": payment_id, "coop_id": coop_id, "payment_id": payment_id,
                                    "charge_id": this_charge, "amount_minor": DUES})
                charges[this_charge - 1 - (charge_id - len(charges))]["settled_minor"] = DUES
            if index % 12 == 11 or index == len(periods) - 1:
                connection.execute(sa.insert(DuesRun), runs)
                books.flush()
                connection.execute(sa.insert(Charge), charges)
                connection.execute(sa.insert(Payment), payments)
                connection.execute(sa.insert(Allocation), allocations)
                charges, payments, allocations, runs = [], [], [], []
        _fix_sequences(connection)
        session = so.Session(bind=connection)
        numbering.raise_to_at_least(session, coop_id, services.JOURNAL_SERIES, books.number)
        numbering.raise_to_at_least(session, coop_id, "receipt", payment_id)
        numbering.raise_to_at_least(session, coop_id, "member", members)
        session.flush()
        session.close()
    # what autovacuum (PostgreSQL) or a routine ANALYZE does to a database soon after a bulk load:
    # without statistics the planner scans whole tables, with them it uses the indexes
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE" if is_sqlite(engine) else "VACUUM ANALYZE")
    engine.dispose()
    return {"entries": books.number, "postings": books.posting_id, "payments": payment_id,
            "next_period": months(first_month, years * 12 + 1)[-1], "member_ids": member_ids}


def median_ms(func, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        begin = time.perf_counter()
        func()
        timings.append((time.perf_counter() - begin) * 1000)
    return statistics.median(timings), max(timings)


def export_hledger(url: str, output: Path) -> tuple[float, float]:
    """The command-line export in its own process: seconds and peak memory (MB).

    The peak is the exported process's own, read by GNU time: a forked child's ``ru_maxrss``
    would count the pages of this (large) benchmark process it was forked from.
    """
    env = dict(os.environ, COOP_ENV="production", DATABASE_URL=url, SECRET_KEY="b" * 40)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "ledger", "export", "--coop", SLUG,
               "--format", "hledger", "--output", str(output)]
    begin = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "peak_kb=%M", *command], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - begin
    peak_kb = int(done.stderr.rsplit("peak_kb=", 1)[1].split()[0])
    return seconds, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--smoke", action="store_true",
                        help=f"a tiny run ({SMOKE_MEMBERS} members, {SMOKE_YEARS} year): does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.members, args.years = SMOKE_MEMBERS, SMOKE_YEARS
    timed_runs = (lambda runs: min(runs, 2)) if args.smoke else (lambda runs: runs)
    from flask import url_for

    from coop.app import create_app
    from ledger import dues, reports, statements
    from ledger.models import DuesPlan as Plan

    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(Path(folder), "coop_bench_ledger" + ("_smoke" if args.smoke else ""))
        backend = sa.make_url(url).get_backend_name()
        started = time.perf_counter()
        facts = build(url, args.members, args.years)
        print(f"built {args.members} members, {facts['entries']:,} entries, {facts['postings']:,} postings, "
              f"{facts['payments']:,} receipts in {time.perf_counter() - started:.0f} s on {backend}")
        app = create_app("testing", {"DATABASE_URL": url})
        database = app.extensions["coop.db"]
        with database.unit_of_work(write=False) as session:
            coop = tenancy.coop_by_slug(session, SLUG)
            if args.smoke:  # books written in bulk must be those post_entry writes (too slow at full scale)
                problems = reports.verify_ledger(session, coop)
                assert problems == [], problems[:5]
            median, worst = median_ms(lambda: reports.trial_balance(session, coop), timed_runs(5))
            rows = reports.trial_balance(session, coop)
        print(f"trial balance: median {median:.0f} ms, max {worst:.0f} ms ({len(rows)} accounts)")

        journal = Path(folder) / "books.journal"
        seconds, peak = export_hledger(url, journal)
        size = journal.stat().st_size / 1e6
        print(f"hledger export: {seconds:.1f} s, peak memory {peak:.0f} MB, {size:.0f} MB file")
        hledger = shutil.which("hledger")
        if hledger:
            begin = time.perf_counter()
            subprocess.run([hledger, "-f", str(journal), "balance", "--flat"], check=True, stdout=subprocess.DEVNULL)
            hledger_ms = (time.perf_counter() - begin) * 1000
            print(f"hledger balance on the export: {hledger_ms:.0f} ms, "
                  f"{hledger_ms / median:.0f} times the trial balance's median")
        else:
            print("hledger balance: not measured, hledger is not installed (Debian package hledger)")

        client = app.test_client()
        assert client.post("/login", data={"email": "tesoreria@example.org", "password": PASSWORD}).status_code == 302
        rng = random.Random(7)
        with app.test_request_context():
            pages = [url_for("ledger.member_statement", coop_slug=SLUG, member_id=rng.choice(facts["member_ids"]))
                     for _ in range(40)]
        for page in pages[:5]:
            client.get(page)
        median, worst = median_ms(lambda: _ok(client.get(rng.choice(pages))), timed_runs(40))
        print(f"member statement page: median {median:.0f} ms, max {worst:.0f} ms")
        median, worst = median_ms(lambda: _ok(client.get(rng.choice(pages), query_string={"format": "pdf"})),
                                  timed_runs(10))
        print(f"member statement PDF: median {median:.0f} ms, max {worst:.0f} ms")

        with database.unit_of_work(write=False) as session:
            coop = tenancy.coop_by_slug(session, SLUG)
            median, worst = median_ms(lambda: statements.arrears_aging(session, coop, dt.date.today()),
                                      timed_runs(5))
        print(f"arrears aging, all members: median {median:.0f} ms, max {worst:.0f} ms")

        begin = time.perf_counter()
        with database.unit_of_work() as session:
            coop = tenancy.coop_by_slug(session, SLUG)
            plan = session.scalar(sa.select(Plan).where(Plan.coop_id == coop.id))
            run = dues.run_dues(session, None, coop, plan, facts["next_period"])
            charged = run.charges_count
        print(f"dues run for {charged} members: {(time.perf_counter() - begin) * 1000:.0f} ms")
        print(f"machine: {machine()}")
        database.engine.dispose()


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code


if __name__ == "__main__":
    main()
