"""The assembly's accountability report (rendición de cuentas): three past participatory budgets of
some twenty funded works each, every work with its Minga sessions and its expenses.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL too when COOP_BENCH_DATABASE_URL
names a server database, on which ``coop_bench_accountability`` is dropped and re-created) holding
one co-op with its chart of accounts and 1,300 members; three processes (the last three years),
each decided by a resolution of a general assembly, with ``--packages`` funded proposals each; each
proposal's work package has ``--sessions`` Minga sessions with ``--attendance`` members recorded
(most present, some absent or excused) and ``--expenses`` expenses taken the ledger's way
(recorded, approved by someone else, paid from the bank, so each is a journal entry). Then the
report is printed as the page does: queued with ``printing_accountability.request_accountability``
and rendered by ``coop.tasks.run_task``, the way the background worker runs it. Prints the first
rendering (fonts and templates loaded) and the median of the next five, with the pages; also the
time to read the figures (``trace.accountability``) that the page and the PDF show.

    .venv/bin/python bench/observatory_accountability.py [--packages 20] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/observatory_accountability.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import fresh_database, insert_members, machine  # noqa: E402

from coop import calendar, migrate, tasks, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.auth.models import User  # noqa: E402
from coop.tasks import Task, TaskStatus  # noqa: E402
from ledger import expenses as ledger_expenses  # noqa: E402
from ledger import services as ledger_services  # noqa: E402
from ledger.models import Account  # noqa: E402
from meetings.models import Meeting, MeetingKind, MeetingStatus  # noqa: E402
from meetings.observatory import printing_accountability, trace  # noqa: E402
from meetings.observatory.models import (ParticipatoryBudget, Proposal, ProposalStatus, WorkExpenseLink,  # noqa: E402
                                         WorkPackage, WorkSessionLink, WorkStatus)
from meetings.resolutions import adopt_resolution  # noqa: E402
from minga.models import Attendance, Commission, SessionStatus, WorkSession  # noqa: E402

BENCH_DATABASE = "coop_bench_accountability"
PROCESSES = 3
WARM_RUNS = 5
RECEIPT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WORKS = ["Juegos infantiles", "Alumbrado del pasaje", "Cancha de uso múltiple", "Muro de contención",
         "Huerto comunitario", "Aulas de la escuela", "Graderíos", "Cerramiento", "Sendero de la quebrada",
         "Biblioteca del bloque"]
COMMISSIONS = ["Parques y áreas verdes", "Construcción", "Recuperación de la quebrada", "Escuela cooperativa"]
SUPPLIERS = ["Ferretería El Constructor", "Viveros Pichincha", "Metalmecánica Sur", "Cementos del Valle"]



def _process(session: so.Session, coop, year: int, fund: Account, proposer_id: int, packages: int) -> list[WorkPackage]:
    """A decided participatory budget of ``year`` and its funded proposals' work packages."""
    day = dt.date(year, 4, 12)
    meeting = Meeting(coop_id=coop.id, kind=MeetingKind.ORDINARY, title=f"Asamblea general {year}", place="Casa comunal",
                      status=MeetingStatus.CLOSED,
                      first_call_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(9))))
    session.add(meeting)
    session.flush()
    resolution = adopt_resolution(session, coop, meeting, title=f"Presupuesto participativo {year}: obras financiadas",
                                  text="La asamblea aprueba las obras financiadas.", decided_on=day)
    process = ParticipatoryBudget(
        coop_id=coop.id, year=year, title=f"Presupuesto participativo {year}", amount_minor=packages * 500_000,
        account_id=fund.id, proposals_opens_on=dt.date(year, 1, 4), proposals_closes_on=dt.date(year, 1, 31),
        review_closes_on=dt.date(year, 2, 28), support_opens_on=dt.date(year, 3, 1),
        support_closes_on=dt.date(year, 3, 15), blocks_close_on=dt.date(year, 3, 31), meeting_id=meeting.id,
        resolution_id=resolution.id)
    session.add(process)
    session.flush()
    made = []
    for number in range(1, packages + 1):
        title = f"{WORKS[number % len(WORKS)]} {number}"
        proposal = Proposal(coop_id=coop.id, process_id=process.id, number=number, proposer_id=proposer_id,
                            title=title, description="Una obra para el barrio.", block=f"B{number % 6}",
                            estimated_cost_minor=450_000 + number * 1_000, status=ProposalStatus.FEASIBLE)
        session.add(proposal)
        session.flush()
        finished = year < dt.date.today().year - 1 or number % 3 == 0
        package = WorkPackage(coop_id=coop.id, title=title, description="", proposal_id=proposal.id,
                              resolution_id=resolution.id, account_id=fund.id, voted_minor=proposal.estimated_cost_minor,
                              status=WorkStatus.FINISHED if finished else WorkStatus.UNDER_WAY,
                              progress_pct=100 if finished else 20 + number * 3,
                              finished_on=dt.date(year, 11, 30) if finished else None)
        session.add(package)
        made.append(package)
    session.flush()
    return made


def _sessions(session: so.Session, coop, package: WorkPackage, commission_ids: list[int], member_ids: list[int],
              count: int, attendance: int, year: int, serial: int) -> None:
    for k in range(count):
        day = dt.date(year, 5 + k % 6, 1 + (serial + k) % 27)
        work = WorkSession(coop_id=coop.id, commission_id=commission_ids[(serial + k) % len(commission_ids)],
                           title=f"Minga: {package.title} ({k + 1})", capacity=attendance + 10,
                           starts_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(8))),
                           ends_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(13))),
                           status=SessionStatus.DONE)
        session.add(work)
        session.flush()
        session.add(WorkSessionLink(coop_id=coop.id, package_id=package.id, session_id=work.id))
        start = (serial * 37 + k * 11) % max(len(member_ids) - attendance, 1)
        session.execute(sa.insert(Attendance), [
            {"coop_id": coop.id, "session_id": work.id, "member_id": member_id,
             "status": "present" if n % 9 else ("absent" if n % 2 else "excused"),
             "minutes": 300 - (n % 4) * 30 if n % 9 else 0, "reason": ""}
            for n, member_id in enumerate(member_ids[start:start + attendance])])


def _expenses(session: so.Session, coop, package: WorkPackage, people: tuple[User, User], fund: Account,
              bank: Account, count: int, year: int, serial: int) -> None:
    recorder, treasurer = people
    for k in range(count):
        day = dt.date(year, 5 + k % 6, 2 + (serial + k) % 26)
        amount = 40_000 + ((serial * 7919 + k * 104_729) % 90_000)
        expense = ledger_expenses.record_expense(
            session, recorder, coop, expense_date=day, supplier=SUPPLIERS[(serial + k) % len(SUPPLIERS)],
            description=f"Materiales para {package.title}", invoice_ref=f"001-{serial:04d}-{k:05d}",
            account=fund, amount_minor=amount, attachment=("factura.pdf", RECEIPT))
        ledger_expenses.approve_expense(session, treasurer, coop, expense)
        if k < count - 1 or serial % 4:  # now and then a bill approved but not paid yet
            ledger_expenses.pay_expense(session, treasurer, coop, expense, paid_date=day, from_account=bank)
        session.add(WorkExpenseLink(coop_id=coop.id, package_id=package.id, expense_id=expense.id))


def build(url: str, args: argparse.Namespace) -> None:
    app = create_app("testing", {"DATABASE_URL": url})
    migrate.upgrade(app.extensions["coop.db"].engine)
    with app.test_request_context(), app.extensions["coop.db"].unit_of_work() as session:
        coop = tenancy.create_coop(session, None, name="Cooperativa de Vivienda Alianza Solidaria", slug="referencia")
        ledger_services.install_chart(session, None, coop)
        recorder = auth.create_user(session, email="secretaria@example.org", name="Secretaria", password="una clave larga")
        treasurer = auth.create_user(session, email="tesoreria@example.org", name="Tesorería", password="una clave larga")
        tenancy.grant_role(session, None, coop, recorder, tenancy.Role.SECRETARY)
        tenancy.grant_role(session, None, coop, treasurer, tenancy.Role.TREASURER)
        member_ids = insert_members(session, coop.id, args.members)
        commissions = [Commission(coop_id=coop.id, name=name) for name in COMMISSIONS]
        session.add_all(commissions)
        session.flush()
        accounts = {a.code: a for a in session.scalars(sa.select(Account).where(Account.coop_id == coop.id))}
        fund, bank = accounts["1.2.03"], accounts["1.1.02"]
        this_year = dt.date.today().year
        serial = 0
        for year in range(this_year - PROCESSES, this_year):
            for package in _process(session, coop, year, fund, member_ids[0], args.packages):
                serial += 1
                _sessions(session, coop, package, [c.id for c in commissions], member_ids, args.sessions,
                          args.attendance, year, serial)
                _expenses(session, coop, package, (recorder, treasurer), fund, bank, args.expenses, year, serial)
        session.flush()
    app.extensions["coop.db"].engine.dispose()


def _print_once(app) -> tuple[float, int]:
    """Queue the report as the page does and run the task; (seconds, pages)."""
    with app.test_request_context(), app.extensions["coop.db"].unit_of_work() as session:
        coop = tenancy.coop_by_slug(session, "referencia")
        actor = session.scalar(sa.select(User).where(User.email == "secretaria@example.org"))
        task_id = printing_accountability.request_accountability(session, coop, actor, locale="es_EC").id
    started = time.perf_counter()
    status = tasks.run_task(app, task_id)
    seconds = time.perf_counter() - started
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        task = session.get(Task, task_id)
        if status != TaskStatus.DONE:
            raise SystemExit(f"the accountability report failed: {task.error}")
        pages = len(PdfReader(io.BytesIO(task.content)).pages)
    return seconds, pages


def _read_once(app) -> tuple[float, trace.Accountability]:
    with app.test_request_context(), app.extensions["coop.db"].unit_of_work(write=False) as session:
        coop = tenancy.coop_by_slug(session, "referencia")
        started = time.perf_counter()
        report = trace.accountability(session, coop)
        return time.perf_counter() - started, report


def bench(url: str, args: argparse.Namespace) -> None:
    backend = sa.make_url(url).get_backend_name()
    started = time.perf_counter()
    build(url, args)
    packages = PROCESSES * args.packages
    print(f"{backend}: built {PROCESSES} processes of {args.packages} works ({packages} work packages, "
          f"{packages * args.sessions} Minga sessions of {args.attendance} people, {packages * args.expenses} expenses) "
          f"in {time.perf_counter() - started:.1f} s")
    app = create_app("testing", {"DATABASE_URL": url})
    reads = [_read_once(app) for _ in range(WARM_RUNS)]
    report = reads[-1][1]
    first, pages = _print_once(app)
    warm = [_print_once(app)[0] for _ in range(WARM_RUNS)]
    app.extensions["coop.db"].engine.dispose()
    print(f"{backend}: figures read for the report ({report.totals.count} works, "
          f"{report.totals.minutes // 60} h): median of {WARM_RUNS} {statistics.median(r[0] for r in reads) * 1000:.0f} ms")
    print(f"{backend}: accountability PDF of {packages} works, {pages} pages: first {first:.2f} s, "
          f"median of {WARM_RUNS} next {statistics.median(warm):.2f} s (max {max(warm):.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=20, help="funded works per process")
    parser.add_argument("--sessions", type=int, default=4, help="Minga sessions per work")
    parser.add_argument("--attendance", type=int, default=40, help="members recorded per session")
    parser.add_argument("--expenses", type=int, default=5, help="expenses per work")
    parser.add_argument("--members", type=int, default=1300)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (2 works per process): does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.packages, args.sessions, args.attendance, args.expenses, args.members = 2, 1, 5, 2, 20
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args)
    if os.environ.get("COOP_BENCH_DATABASE_URL"):
        url = fresh_database(Path(tempfile.gettempdir()), BENCH_DATABASE + ("_smoke" if args.smoke else ""))
        bench(url, args)


if __name__ == "__main__":
    main()
