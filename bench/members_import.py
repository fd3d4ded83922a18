"""Importing a 5,000-member register from CSV: checking the whole file, then saving it.

Builds a 5,000-row CSV (Spanish headers, semicolons, UTF-8 with BOM, 2,000 households and their
lots) in a temporary folder and a fresh database (SQLite in that folder; PostgreSQL when
COOP_BENCH_DATABASE_URL names a server database: ``coop_bench`` is dropped, re-created and
migrated there). Times, separately:

- validate: reading and checking the whole file against the rules and the register;
- import: checking again and saving it in one transaction, as the command line does;
- web: the import page end to end (upload and preview, confirm, background job until done).

Prints the figures and the machine. Target: validate + import under 10 s. ``--smoke`` runs it
at a tiny scale (the test suite does, so that the script cannot fall out of step with the code).

    .venv/bin/python bench/members_import.py [--members 5000] [--households 2000] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/members_import.py
"""
from __future__ import annotations

import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import cedula, fresh_database, machine, register_scale  # noqa: E402

from coop import migrate, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.db import make_engine  # noqa: E402
from coop.tasks import Task, TaskStatus, wait_for_threads  # noqa: E402
from members import imports  # noqa: E402
from members.models import Household, Lot, Member  # noqa: E402

MEMBERS, HOUSEHOLDS = 5000, 2000
SMOKE_MEMBERS, SMOKE_HOUSEHOLDS = 60, 24
TODAY = dt.date(2026, 11, 27)
PASSWORD = "una clave larga"
GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron", "Mercedes",
         "Jhoana", "Pedro", "Lucía", "Manuel", "Elena", "Jorge", "Gladys", "Fausto", "Blanca"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña",
          "Chicaiza", "Cumbal", "Llumiquinga", "Morocho", "Yánez", "Andrango", "Sangucho", "Collaguazo"]
STATUSES = ["activo"] * 14 + ["aspirante", "suspendido", "retirado", "fallecido"]


def register_csv(members: int, households: int, offset: int = 0) -> bytes:
    """A co-op's register as kept in Excel for years, saved as CSV (semicolons, UTF-8 with BOM)."""
    rng = random.Random(2026 + offset)
    lines = ["nombres;apellidos;tipo_documento;numero_documento;fecha_nacimiento;correo;telefono;"
             "direccion;fecha_ingreso;estado;familia;manzana;lote"]
    for n in range(members):
        household = (n * 7919) % households
        given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}"
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 22000))
        joined = max(born + dt.timedelta(days=6600), dt.date(2000, 1, 1)) + dt.timedelta(days=rng.randint(0, 300))
        joined = min(joined, TODAY)
        lines.append(";".join([
            given, family, "cédula", cedula(offset + n + 1), born.strftime("%d/%m/%Y"),
            f"socio{offset + n}@example.org" if n % 3 else "", f"09{rng.randint(10_000_000, 99_999_999)}",
            f"Pasaje {n % 40} y calle {n % 17}, Quito", joined.isoformat(), rng.choice(STATUSES),
            f"Familia {household:04d}", chr(65 + household // 100), str(household % 100 + 1)]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def build(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with so.Session(engine.execution_options(coop_write=True)) as session:
        coop = tenancy.create_coop(session, None, name="Cooperativa de referencia", slug="referencia")
        tenancy.create_coop(session, None, name="Cooperativa web", slug="web")  # for the pages' run
        user = auth.create_user(session, email="secretaria@example.org", name="Secretaria", password=PASSWORD)
        tenancy.grant_role(session, None, coop, user, tenancy.Role.SECRETARY)
        tenancy.grant_role(session, None, tenancy.coop_by_slug(session, "web"), user, tenancy.Role.SECRETARY)
        session.commit()
    engine.dispose()


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    print(f"  {label:<44} {elapsed:6.2f} s")
    return result, elapsed


def main() -> None:
    args = register_scale(__doc__.splitlines()[0], members=MEMBERS, households=HOUSEHOLDS,
                          smoke_members=SMOKE_MEMBERS, smoke_households=SMOKE_HOUSEHOLDS,
                          smoke_help=f"a tiny run ({SMOKE_MEMBERS} rows, {SMOKE_HOUSEHOLDS} households): does it still work?")
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(Path(folder), "coop_bench" + ("_smoke" if args.smoke else ""))
        build(url)
        content = register_csv(args.members, args.households)
        (Path(folder) / "register.csv").write_bytes(content)
        # the page's import runs in a thread of this process, as in development
        app = create_app("testing", {"DATABASE_URL": url, "TASKS_RUN_IN_THREAD": True})
        database = app.extensions["coop.db"]
        backend = sa.make_url(url).get_backend_name()
        print(f"member import, {args.members} rows ({len(content) // 1024} KB CSV), {args.households} households, "
              f"on {backend}, {dt.date.today().isoformat()}")
        with app.app_context():
            with database.unit_of_work(write=False) as session:
                coop = tenancy.coop_by_slug(session, "referencia")
                plan, validate = timed("validate (read and check the whole file)",
                                       lambda: imports.check_import(session, coop, content, today=TODAY))
                assert plan.ok, plan.problems[:5]

            def import_file():
                with database.unit_of_work() as session:
                    coop = tenancy.coop_by_slug(session, "referencia")
                    plan = imports.check_import(session, coop, content, today=TODAY)
                    return imports.save_members(session, None, coop, plan, filename="register.csv")

            result, save = timed("import (check again, save, commit)", import_file)
            assert result.members == args.members and result.households == args.households, result
            with database.unit_of_work(write=False) as session:
                counts = [session.scalar(sa.select(sa.func.count()).select_from(model))
                          for model in (Member, Household, Lot)]
            assert counts == [args.members, args.households, args.households], counts
        web = web_import(app, content)
        print(f"  validate + import: {validate + save:.2f} s (target: under 10 s); web end to end: {web:.2f} s")
        print(f"machine: {machine()}")
        database.engine.dispose()


def web_import(app, content: bytes) -> float:
    """Upload, confirm and wait for the background task, through the real pages."""
    client = app.test_client()
    assert client.post("/login", data={"email": "secretaria@example.org", "password": PASSWORD}).status_code == 302
    started = time.perf_counter()
    uploaded = client.post("/c/web/members/import", data={"file": (io.BytesIO(content), "register.csv")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[-2000:]
    status_url = uploaded.headers["Location"]
    print(f"  {'web: upload and preview':<44} {time.perf_counter() - started:6.2f} s")
    confirmed = client.post(status_url + "/confirm")
    assert confirmed.status_code == 302, confirmed.status_code
    deadline = time.monotonic() + 600
    while "Refresh" in client.get(status_url).headers:  # the page reloads itself until the task is done
        if time.monotonic() > deadline:
            raise SystemExit("the import was still not done after 10 minutes")
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    wait_for_threads()
    with app.app_context():
        with app.extensions["coop.db"].unit_of_work(write=False) as session:
            upload = session.scalar(sa.select(Task).where(Task.kind == imports.IMPORT_KIND).order_by(Task.id.desc()))
            assert upload.status is TaskStatus.DONE, (upload.status, upload.error, upload.result)
    print(f"  {'web: confirm and background job until done':<44} {elapsed:6.2f} s (from upload)")
    return elapsed


if __name__ == "__main__":
    main()
