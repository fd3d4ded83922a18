"""The roll and the sign-in sheet of a general assembly at the reference co-op's scale: 5,000 members.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL too when COOP_BENCH_DATABASE_URL
names a server database, on which ``coop_bench_roll`` is dropped, re-created and migrated),
inserts the members in bulk (2,000 households, most with an e-mail address, a few long names, one
in twenty in arrears beyond the bylaws' three months), and an ordinary assembly with its agenda.
It then issues the notice as the page does (``meetings.notice.issue_notice``: the roll frozen with
who may vote and why not, and a notice per address queued in the outbox), timed; queues the roll
and the sign-in sheet as the roll page does, and renders each with ``coop.tasks.run_task`` in a
child process of its own, so that the wall time and the peak memory (``ru_maxrss``) measured there
are those of a worker rendering the document (its imports included). ``--smoke`` runs it at a tiny
scale (the test suite does, so that the script cannot fall out of step with the code).

    .venv/bin/python bench/meetings_roll_pdf.py [--members 5000] [--keep roll.pdf] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/meetings_roll_pdf.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import subprocess
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

from common import cedula, fresh_database, machine  # noqa: E402

from coop import calendar, migrate, tasks, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.auth.models import User  # noqa: E402
from coop.db import make_engine, utcnow  # noqa: E402
from coop.tasks import Task, TaskStatus  # noqa: E402
from ledger import services as ledger_services  # noqa: E402
from ledger.models import Charge, EntrySource  # noqa: E402
from ledger.services import PostingLine  # noqa: E402
from meetings import notice, printing  # noqa: E402
from meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus  # noqa: E402
from meetings.rules import rules_of  # noqa: E402
from members.models import Household, Member  # noqa: E402
from members.services import search_text  # noqa: E402

BENCH_DATABASE = "coop_bench_roll"
SMOKE_MEMBERS = 40
GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron", "Mercedes",
         "Jhoana", "Pedro", "Lucía", "Manuel", "Elena", "Jorge", "Gladys", "Fausto", "Blanca", "María Auxiliadora",
         "José Francisco de Asís"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña",
          "Chicaiza", "Cumbal", "Llumiquinga", "Morocho", "Yánez", "Andrango", "Sangucho", "Collaguazo",
          "Quinatoa", "Farinango", "Lema", "Guachamín", "Tasiguano", "Cóndor", "Anrango", "Tupiza",
          "de la Cruz Sarmiento"]
AGENDA = ["Constatación del quórum", "Lectura y aprobación del acta anterior", "Informe del consejo de administración",
          "Informe del consejo de vigilancia", "Estados financieros 2026", "Presupuesto 2027",
          "Elección de representantes", "Asuntos varios"]


def build(url: str, members: int) -> None:
    """A migrated database with one co-op, its books, its secretary, ``members`` active members in
    bulk (one in twenty owing a charge due five months ago) and a draft assembly with its agenda."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(2027)
    households = max(members * 2 // 5, 1)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de Vivienda Alianza Solidaria", slug="referencia")
        ledger_services.install_chart(session, None, coop)
        user = auth.create_user(session, email="secretaria@example.org", name="Secretaria", password="una clave larga")
        tenancy.grant_role(session, None, coop, user, tenancy.Role.SECRETARY)
        rules_of(session, coop).arrears_months_limit = 3
        session.flush()
        connection.execute(sa.insert(Household), [
            {"coop_id": coop.id, "name": f"Familia {rng.choice(FAMILY)} {i:04d}", "dependants": 0}
            for i in range(households)])
        household_ids = [row[0] for row in connection.execute(sa.select(Household.id).order_by(Household.id))]
        rows = []
        for number in range(1, members + 1):
            given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}"
            rows.append({"coop_id": coop.id, "number": number, "given_names": given, "family_names": family,
                         "document_type": "cedula", "document_number": cedula(number),
                         "join_date": dt.date(2001, 1, 1), "status": "active", "status_since": dt.date(2001, 1, 1),
                         "household_id": household_ids[(number - 1) % households],
                         "email": f"socio{number}@example.org" if number % 5 else None,
                         "phone": "", "phone_alt": "", "address": "", "preferred_language": "es",
                         "search_text": search_text(number, given, family, [])})
        connection.execute(sa.insert(Member), rows)
        _arrears(session, coop, members)
        _assembly(session, coop, user)
        session.close()
    engine.dispose()


def _arrears(session: so.Session, coop, members: int) -> None:
    """One member in twenty owes a charge due five months ago (the roll says they may not vote)."""
    receivable, income = (ledger_services.account_by_code(session, coop, code) for code in ("1.1.03", "4.1"))
    due = calendar.same_day_months_later(calendar.today_in(coop), -5)
    debtors = session.scalars(sa.select(Member).where(Member.coop_id == coop.id, Member.number % 20 == 0))
    for member in debtors:
        entry = ledger_services.post_entry(session, None, coop, entry_date=due, description="Aporte ordinario",
                                           source=EntrySource.DUES,
                                           postings=[PostingLine(receivable, 2500, member), PostingLine(income, -2500)])
        session.add(Charge(coop_id=coop.id, member_id=member.id, source=EntrySource.DUES, description="Aporte ordinario",
                           due_date=due, amount_minor=2500, settled_minor=0, entry_id=entry.id))
    session.flush()


def _assembly(session: so.Session, coop, user: User) -> None:
    first = calendar.local_to_utc(coop, dt.datetime.combine(calendar.today_in(coop) + dt.timedelta(days=15), dt.time(9)))
    meeting = Meeting(coop_id=coop.id, kind=MeetingKind.ORDINARY, title="Asamblea general ordinaria",
                      place="Casa comunal de Alianza Solidaria", first_call_dt=first,
                      second_call_dt=first + dt.timedelta(hours=1), status=MeetingStatus.DRAFT, created_by_id=user.id)
    session.add(meeting)
    session.flush()
    session.add_all([AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=n, title=title)
                     for n, title in enumerate(AGENDA, start=1)])
    session.flush()


def issue_and_queue(url: str) -> tuple[float, int, int, int]:
    """Issue the notice (timed) and queue both documents: (seconds, mails, roll id, sheet id)."""
    app = create_app("testing", {"DATABASE_URL": url, "TASKS_RUN_IN_THREAD": False})
    database = app.extensions["coop.db"]
    with app.test_request_context():
        started = time.perf_counter()
        with database.unit_of_work() as session:
            coop = tenancy.coop_by_slug(session, "referencia")
            actor = session.scalar(sa.select(User).where(User.email == "secretaria@example.org"))
            meeting = session.scalar(sa.select(Meeting).where(Meeting.coop_id == coop.id))
            mails = notice.issue_notice(session, actor, coop, meeting, now=utcnow())
        seconds = time.perf_counter() - started
        with database.unit_of_work() as session:
            coop = tenancy.coop_by_slug(session, "referencia")
            actor = session.scalar(sa.select(User).where(User.email == "secretaria@example.org"))
            meeting = session.scalar(sa.select(Meeting).where(Meeting.coop_id == coop.id))
            roll_id = printing.request_roll(session, coop, actor, meeting, locale="es_EC").id
            sheet_id = printing.request_roll(session, coop, actor, meeting, locale="es_EC", sign_in=True).id
    database.engine.dispose()
    return seconds, mails, roll_id, sheet_id


def render(url: str, document_id: int) -> None:
    """In the child process: render the queued document and print the figures as JSON."""
    started = time.perf_counter()
    app = create_app("testing", {"DATABASE_URL": url})
    status = tasks.run_task(app, document_id)
    seconds = time.perf_counter() - started
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        document = session.get(Task, document_id)
        size, error = len(document.content or b""), document.error
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"status": status, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "bytes": size, "error": error, "maxrss_mb": usage.ru_maxrss / 1024}))


def render_apart(url: str, document_id: int, keep: Path | None) -> tuple[dict, int]:
    child = subprocess.run([sys.executable, __file__, "--render", url, str(document_id)], capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(f"the rendering process failed:\n{child.stderr[-3000:]}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    if figures["status"] != TaskStatus.DONE:
        raise SystemExit(f"the document failed: {figures['error']}")
    engine = make_engine(url)
    with so.Session(engine) as session:
        content = session.get(Task, document_id).content
    engine.dispose()
    if keep:
        keep.write_bytes(content)
    return figures, len(PdfReader(io.BytesIO(content)).pages)


def bench(url: str, members: int, keep: Path | None) -> None:
    backend = sa.make_url(url).get_backend_name()
    started = time.perf_counter()
    build(url, members)
    print(f"{backend}: built {members} members in {time.perf_counter() - started:.1f} s")
    seconds, mails, roll_id, sheet_id = issue_and_queue(url)
    print(f"{backend}: issue the notice: roll of {members} frozen and {mails} notices queued in {seconds:.2f} s")
    for name, document_id, suffix in (("roll PDF", roll_id, ".roll.pdf"), ("sign-in sheet PDF", sheet_id, ".sheet.pdf")):
        figures, pages = render_apart(url, document_id, keep.with_suffix(suffix) if keep else None)
        print(f"{backend}: {name} of {members} people, {pages} pages, {figures['bytes'] / 1e6:.1f} MB: "
              f"{figures['seconds']:.1f} s wall ({figures['cpu_seconds']:.1f} s CPU), "
              f"peak memory {figures['maxrss_mb']:.0f} MB (rendering process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="write the rendered PDFs beside this name")
    parser.add_argument("--smoke", action="store_true", help=f"a tiny run ({SMOKE_MEMBERS} members): does it still work?")
    parser.add_argument("--render", nargs=2, metavar=("URL", "DOCUMENT_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        render(args.render[0], int(args.render[1]))
        return
    if args.smoke:
        args.members = SMOKE_MEMBERS
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args.members, args.keep)
    if os.environ.get("COOP_BENCH_DATABASE_URL"):
        url = fresh_database(Path(tempfile.gettempdir()), BENCH_DATABASE + ("_smoke" if args.smoke else ""))
        bench(url, args.members, args.keep.with_name(args.keep.stem + "-pg.pdf") if args.keep else None)


if __name__ == "__main__":
    main()
