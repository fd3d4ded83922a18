"""The members' budget explorer over a year of the reference co-op's books (2,000 members, 25 years).

Builds the books exactly as ``bench/ledger_books.py`` does (its ``build``: 2,000 members, 25 years
of monthly dues and payments, about 2.4 million postings; SQLite in a temporary folder, or
PostgreSQL when COOP_BENCH_DATABASE_URL names a server database, re-created as
``coop_bench_observatory``), then adds this fiscal year's approved budget (dues income and the five
expense accounts, month by month) and some hundreds of expenses against it, most paid (each posted
through ``ledger.services.post_entries``), some approved and waiting. Logs in as a member through
the real log-in form and times, through the Flask test client, the budget explorer
(``observatory.budget``: the ledger's budget against actual over the year's postings, the chart and
the page) and the page of the line with the most expenses (``observatory.budget_line``). Prints
the median, the 95th percentile and the maximum of each.

``--smoke`` runs it at a tiny scale (the test suite does, so that the script cannot fall out of
step with the code).

    .venv/bin/python bench/observatory_budget.py [--members 2000] [--years 25] [--expenses 600] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/observatory_budget.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, machine  # noqa: E402
from ledger_books import PASSWORD, SLUG, SMOKE_MEMBERS, SMOKE_YEARS, build  # noqa: E402

from coop import tenancy  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.calendar import fiscal_months, fiscal_year_of  # noqa: E402
from coop.db import make_engine, utcnow  # noqa: E402
from ledger import services  # noqa: E402
from ledger.models import Account, Budget, BudgetLine, Expense, ExpenseStatus  # noqa: E402

MEMBER_EMAIL = "socia@example.org"
#: what the year's budget plans a month for each account (USD cents), the dues at 2,000 members' scale
PLAN = {"5.1": 2_000_000, "5.2": 800_000, "5.3": 300_000, "5.4": 150_000, "5.5": 5_000}
SUPPLIERS = ["Ferretería El Arenal", "Holcim Ecuador", "Vidriería San Roque", "Pinturas Cóndor",
             "Maderas del Sur", "Banco Pichincha", "Electricidad Quitumbe"]


def add_budget_and_expenses(url: str, expenses: int, members: int) -> dict:
    """This fiscal year's approved budget, ``expenses`` expenses in its months so far, a member's log-in."""
    rng = random.Random(13)
    engine = make_engine(url)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.coop_by_slug(session, SLUG)
        user = auth.create_user(session, email=MEMBER_EMAIL, name="Socia", password=PASSWORD)
        tenancy.grant_role(session, None, coop, user, tenancy.Role.MEMBER)
        accounts = {a.code: a for a in session.scalars(sa.select(Account).where(Account.coop_id == coop.id))}
        today = dt.date.today()
        year = fiscal_year_of(coop, today)
        months = [m for m in fiscal_months(coop, year) if m <= today]
        budget = Budget(coop_id=coop.id, year=year, resolution_ref=f"Asamblea general {year}, resolución 3",
                        approved_dt=utcnow())
        session.add(budget)
        session.flush()
        plan = dict(PLAN, **{"4.1": 2_500 * members})
        session.add_all(BudgetLine(budget_id=budget.id, account_id=accounts[code].id, month=month.month,
                                   amount_minor=amount) for code, amount in plan.items()
                        for month in fiscal_months(coop, year))
        rows = []
        for _ in range(expenses):
            code = rng.choices(list(PLAN), [2, 5, 8, 3, 1])[0]
            month = rng.choice(months)
            day = month.replace(day=rng.randint(1, 28))
            if day > today:
                day = month
            rows.append((code, day, rng.randint(500, max(PLAN[code] // 10, 1_000))))
        paid = [row for row in rows if rng.random() < 0.85]
        entries = services.post_entries(session, None, coop, [
            services.NewEntry(day, f"Pago a proveedor {i + 1}", [services.PostingLine(accounts[code], amount),
                                                                   services.PostingLine(accounts["1.1.02"], -amount)])
            for i, (code, day, amount) in enumerate(paid)])
        paid_entries = dict(zip(map(id, paid), entries, strict=True))
        for i, row in enumerate(rows):
            code, day, amount = row
            entry = paid_entries.get(id(row))
            session.add(Expense(coop_id=coop.id, expense_date=day, supplier=rng.choice(SUPPLIERS),
                                description=f"Compra {i + 1}", invoice_ref=f"001-001-{i + 1:06d}",
                                account_id=accounts[code].id, amount_minor=amount,
                                status=ExpenseStatus.PAID if entry is not None else ExpenseStatus.APPROVED,
                                attachment_name="factura.pdf", attachment_type="application/pdf",
                                attachment=b"%PDF-1.4\n%%EOF\n", decided_dt=utcnow(),
                                paid_entry_id=entry.id if entry is not None else None))
        session.flush()
        busiest = max(PLAN, key=lambda c: sum(1 for row in rows if row[0] == c))
        facts = {"year": year, "line": accounts[busiest].id, "line_code": busiest,
                 "line_expenses": sum(1 for row in rows if row[0] == busiest), "paid": len(paid)}
        session.close()
    engine.dispose()
    return facts


def figures(timings: list[float]) -> str:
    timings = sorted(timings)
    return (f"median {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms, "
            f"max {timings[-1]:.1f} ms")


def timed(client, page: str, runs: int) -> tuple[list[float], int]:
    for _ in range(3):
        client.get(page)
    timings = []
    for _ in range(runs):
        begin = time.perf_counter()
        response = client.get(page)
        timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.status_code
    return timings, len(response.get_data()) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--expenses", type=int, default=600)
    parser.add_argument("--smoke", action="store_true",
                        help=f"a tiny run ({SMOKE_MEMBERS} members, {SMOKE_YEARS} year): does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.members, args.years, args.expenses = SMOKE_MEMBERS, SMOKE_YEARS, 20
    runs = 5 if args.smoke else 50
    from coop.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(Path(folder), "coop_bench_observatory" + ("_smoke" if args.smoke else ""))
        started = time.perf_counter()
        books = build(url, args.members, args.years)
        facts = add_budget_and_expenses(url, args.expenses, args.members)
        print(f"built {args.members} members, {books['postings']:,} postings, a budget for {facts['year']} and "
              f"{args.expenses} expenses ({facts['paid']} paid) in {time.perf_counter() - started:.0f} s "
              f"on {sa.make_url(url).get_backend_name()}")
        app = create_app("testing", {"DATABASE_URL": url})
        client = app.test_client()
        response = client.post("/login", data={"email": MEMBER_EMAIL, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        timings, size = timed(client, f"/c/{SLUG}/observatory/budget", runs)
        print(f"budget explorer, {runs} requests: {figures(timings)} ({size} KB)")
        timings, size = timed(client, f"/c/{SLUG}/observatory/budget/{facts['year']}/lines/{facts['line']}", runs)
        print(f"budget line {facts['line_code']} with {facts['line_expenses']} expenses, {runs} requests: "
              f"{figures(timings)} ({size} KB)")
        print(f"machine: {machine()}")
        app.extensions["coop.db"].engine.dispose()


if __name__ == "__main__":
    main()
