"""The printed register of members (libro de socios) at the reference co-op's scale: 5,000 members.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL too when COOP_BENCH_DATABASE_URL
names a server database, on which ``coop_bench`` is dropped, re-created and migrated), inserts the
members in bulk (with households, lots and a few long names, passports and past statuses), queues
the register as the page does, and renders it with ``coop.tasks.run_task`` in a child process of
its own, so that the wall time and the peak memory (``ru_maxrss``) measured there are those of a
worker rendering the document (its imports included), not of building the data. ``--smoke`` runs
it at a tiny scale (the test suite does, so that the script cannot fall out of step with the code).

    .venv/bin/python bench/members_register_pdf.py [--members 5000] [--keep register.pdf] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/members_register_pdf.py
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

from coop import migrate, tasks, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.auth.models import User  # noqa: E402
from coop.db import make_engine  # noqa: E402
from coop.tasks import Task, TaskStatus  # noqa: E402
from members import printing  # noqa: E402
from members.models import Household, Lot, Member  # noqa: E402
from members.services import search_text  # noqa: E402

BENCH_DATABASE = "coop_bench"
#: the smoke run's scale: two batches, so that joining the parts is exercised too
SMOKE_MEMBERS, SMOKE_BATCH = 40, 20
GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron", "Mercedes",
         "Jhoana", "Pedro", "Lucía", "Manuel", "Elena", "Jorge", "Gladys", "Fausto", "Blanca", "María Auxiliadora",
         "José Francisco de Asís"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña",
          "Chicaiza", "Cumbal", "Llumiquinga", "Morocho", "Yánez", "Andrango", "Sangucho", "Collaguazo",
          "Quinatoa", "Farinango", "Lema", "Guachamín", "Tasiguano", "Cóndor", "Anrango", "Tupiza",
          "de la Cruz Sarmiento"]
STATUSES = ["active"] * 16 + ["suspended", "withdrawn", "excluded", "deceased"]


def build(url: str, members: int) -> None:
    """A migrated database with one co-op, its secretary and ``members`` members in bulk."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(2026)
    households = members * 2 // 5
    today = dt.date.today()
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de Vivienda Alianza Solidaria",
                                   slug="referencia")
        user = auth.create_user(session, email="secretaria@example.org", name="Secretaria", password="una clave larga")
        tenancy.grant_role(session, None, coop, user, tenancy.Role.SECRETARY)
        session.flush()
        connection.execute(sa.insert(Household), [
            {"coop_id": coop.id, "name": f"Familia {rng.choice(FAMILY)} {rng.choice(FAMILY)} {i:04d}",
             "dependants": rng.randint(0, 5)} for i in range(households)])
        household_ids = [row[0] for row in connection.execute(sa.select(Household.id).order_by(Household.id))]
        built = households * 5 // 8  # 500 of 800 homes built, as at Alianza Solidaria
        connection.execute(sa.insert(Lot), [
            {"coop_id": coop.id, "block": str(i // 40 + 1), "number": str(i % 40 + 1),
             "phase": f"Etapa {1 if i < built else 2}", "status": "built" if i < built else "planned",
             "household_id": household_ids[i]} for i in range(households)])
        rows = []
        for number in range(1, members + 1):
            given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}"
            joined = dt.date(2001, 1, 1) + dt.timedelta(days=number * 9132 // members)
            status = rng.choice(STATUSES)
            passport = number % 97 == 0
            rows.append({"coop_id": coop.id, "number": number, "given_names": given, "family_names": family,
                         "document_type": "passport" if passport else "cedula",
                         "document_number": f"P{number:07d}" if passport else cedula(number),
                         "join_date": joined, "status": status,
                         "status_since": joined if status == "active" else min(joined + dt.timedelta(days=900), today),
                         "household_id": household_ids[(number - 1) % households] if number % 10 else None,
                         "phone": "", "phone_alt": "", "address": "", "preferred_language": "es",
                         "search_text": search_text(number, given, family, [])})
        connection.execute(sa.insert(Member), rows)
        session.close()
    engine.dispose()


def queue_register(url: str) -> int:
    app = create_app("testing", {"DATABASE_URL": url})
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        coop = tenancy.coop_by_slug(session, "referencia")
        actor = session.scalar(sa.select(User).where(User.email == "secretaria@example.org"))
        # the secretary's copy, with identity documents: the widest table
        document_id = printing.request_register(session, coop, actor, locale="es_EC", personal=True).id
    app.extensions["coop.db"].engine.dispose()
    return document_id


def render(url: str, document_id: int, batch: int) -> None:
    """In the child process: render the queued register and print the figures as JSON."""
    printing.REGISTER_BATCH = batch
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


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def bench(url: str, members: int, batch: int, keep: Path | None) -> None:
    backend = sa.make_url(url).get_backend_name()
    started = time.perf_counter()
    build(url, members)
    print(f"{backend}: built {members} members in {time.perf_counter() - started:.1f} s")
    document_id = queue_register(url)
    child = subprocess.run([sys.executable, __file__, "--render", url, str(document_id), str(batch)],
                           capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(f"the rendering process failed:\n{child.stderr[-3000:]}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    if figures["status"] != TaskStatus.DONE:
        raise SystemExit(f"the register failed: {figures['error']}")
    engine = make_engine(url)
    with so.Session(engine) as session:
        content = session.get(Task, document_id).content
    engine.dispose()
    if keep:
        keep.write_bytes(content)
    print(f"{backend}: register of {members} members in batches of {batch}, {pages_of(content)} pages, "
          f"{figures['bytes'] / 1e6:.1f} MB: {figures['seconds']:.1f} s wall ({figures['cpu_seconds']:.1f} s CPU), "
          f"peak memory {figures['maxrss_mb']:.0f} MB (rendering process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=printing.REGISTER_BATCH,
                        help="members laid out per WeasyPrint pass")
    parser.add_argument("--keep", type=Path, help="write the rendered PDF here")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a tiny run ({SMOKE_MEMBERS} members in batches of {SMOKE_BATCH}): does it still work?")
    parser.add_argument("--render", nargs=3, metavar=("URL", "DOCUMENT_ID", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        render(args.render[0], int(args.render[1]), int(args.render[2]))
        return
    if args.smoke:
        args.members, args.batch = SMOKE_MEMBERS, SMOKE_BATCH
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args.members, args.batch, args.keep)
    if os.environ.get("COOP_BENCH_DATABASE_URL"):
        url = fresh_database(Path(tempfile.gettempdir()), BENCH_DATABASE + ("_register_smoke" if args.smoke else ""))
        bench(url, args.members, args.batch, args.keep.with_suffix(".pg.pdf") if args.keep else None)


if __name__ == "__main__":
    main()
