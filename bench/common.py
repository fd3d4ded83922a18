"""What every benchmark shares: the machine it ran on, its scale, a fresh database, valid cédulas."""
from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import sqlalchemy as sa
from stdnum.ec import ci

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """CPU model, cores and Python, for the figures committed beside the benchmark."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def register_scale(description: str, *, members: int, households: int, smoke_members: int,
                   smoke_households: int, smoke_help: str) -> argparse.Namespace:
    """``--members``, ``--households`` and ``--smoke`` (a tiny run: does the script still work?)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--members", type=int, default=members)
    parser.add_argument("--households", type=int, default=households)
    parser.add_argument("--smoke", action="store_true", help=smoke_help)
    args = parser.parse_args()
    if args.smoke:
        args.members, args.households = smoke_members, smoke_households
    return args


def fresh_database(folder: Path, name: str) -> str:
    """A new empty database: SQLite under ``folder``, or, when COOP_BENCH_DATABASE_URL names a
    PostgreSQL server database, the database ``name`` on that server, dropped and re-created."""
    server = os.environ.get("COOP_BENCH_DATABASE_URL")
    if not server:
        return f"sqlite:///{folder / f'{name}.sqlite'}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False)


def cedula(serial: int) -> str:
    """A valid Ecuadorian cédula for a serial number (province, third digit, check digit)."""
    body = f"{serial % 24 + 1:02d}{serial % 5}{serial % 1_000_000:06d}"
    return next(body + digit for digit in "0123456789" if ci.is_valid(body + digit))


GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña"]


def insert_members(session, coop_id: int, count: int) -> list[int]:
    """``count`` active members numbered 1… inserted in bulk (names and cédulas made up); their ids."""
    import datetime as dt

    from members.models import Member
    from members.services import search_text

    joined = dt.date(2005, 1, 1)
    session.execute(sa.insert(Member), [
        {"coop_id": coop_id, "number": n, "given_names": GIVEN[n % len(GIVEN)],
         "family_names": f"{FAMILY[n % len(FAMILY)]} {FAMILY[(n // 9) % len(FAMILY)]}", "document_type": "cedula",
         "document_number": cedula(n), "join_date": joined, "status": "active",
         "status_since": joined, "phone": "", "phone_alt": "", "address": "", "preferred_language": "es",
         "search_text": search_text(n, GIVEN[n % len(GIVEN)], FAMILY[n % len(FAMILY)], [])}
        for n in range(1, count + 1)])
    return list(session.scalars(sa.select(Member.id).where(Member.coop_id == coop_id).order_by(Member.number)))

