"""The printed audit trail at the reference co-op's scale: 10,000 events in one PDF.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL too when COOP_BENCH_DATABASE_URL
names a server database, on which ``coop_bench_audit`` is dropped and re-created), inserts 10,000
varied events in bulk (log-ins, corrected member records with several changed fields, status
changes, payments, expenses, exports with structured details, a few long summaries), asks for the
printed trail as the audit page does (``coop.printing.request_audit_trail``, in Spanish) and renders
it with ``coop.tasks.run_task``, timing the rendering alone. ``--smoke`` runs it at a tiny scale
(the test suite does, so that the script cannot fall out of step with the code).

    .venv/bin/python bench/audit_trail.py [--events 10000] [--keep trail.pdf] [--smoke]

Target: under 30 s for 10,000 events. Measured 2026-11-29 on AMD EPYC, 2 cores, Python 3.11.7,
WeasyPrint 70.0, SQLite (a shared machine, load average about 3): 524 pages in 20.0-20.7 s wall,
19.5-19.8 s CPU (it was 152 s for the demo's 9,509 events as a table); more in bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, machine  # noqa: E402

from coop import audit, migrate, printing, tasks, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.auth.models import User  # noqa: E402
from coop.db import make_engine  # noqa: E402
from coop.tasks import Task, TaskStatus  # noqa: E402

EVENTS, SMOKE_EVENTS = 10_000, 60
BENCH_DATABASE = "coop_bench_audit"
NAMES = ["María Quishpe", "José Guamán", "Rosa Chiluisa", "Luis Tipán", "Carmen Pilataxi", "Segundo Toapanta",
         "Ana Caiza Tituaña", "Wilson Simbaña", "María Auxiliadora de la Cruz Sarmiento"]
STATUSES = ["active", "suspended", "withdrawn", "excluded", "deceased"]


def _event(rng: random.Random, coop_id: int, actor_id: int, when: dt.datetime, index: int) -> dict:
    """One event of a varied mix, as the services record them."""
    name, number = rng.choice(NAMES), rng.randint(1, 1300)
    kind = index % 8
    row = {"coop_id": coop_id, "actor_id": actor_id, "actor_name": rng.choice(["Secretaría", "Tesorería", ""]),
           "created_dt": when, "object_type": "member", "object_id": number, "summary": f"{number}: {name}",
           "changes": None, "details": None}
    if kind == 0:
        row.update(action="member.update", changes={
            "phone": [f"09{rng.randint(10**7, 10**8 - 1)}", f"09{rng.randint(10**7, 10**8 - 1)}"],
            "address": ["Calle " + "A" * rng.randint(5, 60), "Pasaje Los Álamos S12-34 y Av. Maldonado, Quito"],
            "form_of_address": [None, rng.choice(["feminine", "masculine", "neutral"])]})
    elif kind == 1:
        old, new = rng.sample(STATUSES, 2)
        row.update(action="member.status", changes={"status": [old, new]})
    elif kind == 2:
        row.update(action="ledger.payment", object_type="payment",
                   summary=f"{rng.randint(1, 9000)}: {number} {name}, {rng.randint(5, 400)}.00")
    elif kind == 3:
        row.update(action="ledger.expense.pay", object_type="expense", summary=f"Ferretería El Arenal · {index}",
                   changes={"status": ["approved", "paid"]})
    elif kind == 4:
        row.update(action="export.audit", object_type="task", summary="",
                   details={"events": rng.randint(10, 9000), "filters": {"date_from": "2026-01-01"}})
    elif kind == 5:
        row.update(action="role.grant", object_type="user_account", summary=f"{name} <persona{index}@example.org>",
                   changes={"role": [None, rng.choice(["treasurer", "auditor", "secretary"])]})
    elif kind == 6:
        row.update(action="coop.settings", object_type="coop", summary="",
                   changes={"quorum_percent": [50, 60], "members_see_finances": [True, False]})
    else:
        row.update(action="auth.login", object_type="user_account", summary="")
    return row


def build(url: str, events: int) -> None:
    """A migrated database with one co-op, its council member and ``events`` events in bulk."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(2026)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de Vivienda Alianza Solidaria", slug="referencia")
        user = auth.create_user(session, email="vigilancia@example.org", name="Consejo", password="una clave larga")
        tenancy.grant_role(session, None, coop, user, tenancy.Role.AUDITOR)
        session.flush()
        start = dt.datetime(2025, 1, 1, 8)
        connection.execute(sa.insert(audit.AuditEvent), [
            _event(rng, coop.id, user.id, start + dt.timedelta(minutes=53 * i), i) for i in range(events)])
        session.close()
    engine.dispose()


def bench(url: str, events: int, keep: Path | None) -> None:
    backend = sa.make_url(url).get_backend_name()
    build(url, events)
    app = create_app("testing", {"DATABASE_URL": url})
    database = app.extensions["coop.db"]
    with app.test_request_context(), database.unit_of_work() as session:
        coop = tenancy.coop_by_slug(session, "referencia")
        actor = session.scalar(sa.select(User).where(User.email == "vigilancia@example.org"))
        task_id = printing.request_audit_trail(session, coop, actor, audit.AuditFilter(), locale="es_EC").id
    started, cpu_started = time.perf_counter(), time.process_time()
    status = tasks.run_task(app, task_id)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    with database.unit_of_work(write=False) as session:
        task = session.get(Task, task_id)
        content, error = task.content or b"", task.error
    database.engine.dispose()
    if status != TaskStatus.DONE:
        raise SystemExit(f"the audit trail failed: {error}")
    if keep:
        keep.write_bytes(content)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{backend}: audit trail of {events} events, {pages} pages, {len(content) / 1e6:.1f} MB: "
          f"{seconds:.1f} s wall, {cpu_seconds:.1f} s CPU (rendering task), peak memory {peak:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--keep", type=Path, help="write the rendered PDF here")
    parser.add_argument("--smoke", action="store_true", help=f"a tiny run ({SMOKE_EVENTS} events): does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.events = SMOKE_EVENTS
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args.events, args.keep)
    if os.environ.get("COOP_BENCH_DATABASE_URL"):
        url = fresh_database(Path(tempfile.gettempdir()), BENCH_DATABASE + ("_smoke" if args.smoke else ""))
        bench(url, args.events, args.keep.with_suffix(".pg.pdf") if args.keep else None)


if __name__ == "__main__":
    main()
