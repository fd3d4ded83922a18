"""Directory search at the reference co-op's scale: 5,000 members, 2,000 households and lots.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL when COOP_BENCH_DATABASE_URL
names a server database, which is dropped and re-created as ``coop_bench_search``), logs in as
the secretary through the real log-in form, and times the directory page (query and rendering,
through the Flask test client) for searches by name, accent-free name, member number, lot and
document number, with and without filters. Prints the median and 95th percentile. ``--smoke``
runs it at a tiny scale, a tenth of the searches (the test suite does, so that the script cannot
fall out of step with the code).

    .venv/bin/python bench/members_search.py [--members 5000] [--households 2000] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/members_search.py
"""
from __future__ import annotations

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

from common import cedula, fresh_database, machine, register_scale  # noqa: E402

from coop import migrate, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.db import make_engine  # noqa: E402
from coop.text import fold  # noqa: E402
from members.models import Household, Lot, Member, MemberStatusChange  # noqa: E402
from members.services import search_text  # noqa: E402

MEMBERS, HOUSEHOLDS = 5000, 2000
SMOKE_MEMBERS, SMOKE_HOUSEHOLDS = 50, 20
JOINED = dt.date(2001, 1, 1)
GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron", "Mercedes",
         "Jhoana", "Pedro", "Lucía", "Manuel", "Elena", "Jorge", "Gladys", "Fausto", "Blanca"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña",
          "Chicaiza", "Cumbal", "Llumiquinga", "Morocho", "Yánez", "Andrango", "Sangucho", "Collaguazo",
          "Quinatoa", "Farinango", "Lema", "Guachamín", "Tasiguano", "Cóndor", "Anrango", "Tupiza"]


def build(url: str, members: int, households: int) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(2026)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de referencia", slug="referencia")
        user = auth.create_user(session, email="secretaria@example.org", name="Secretaria", password="una clave larga")
        tenancy.grant_role(session, None, coop, user, tenancy.Role.SECRETARY)
        session.flush()
        connection.execute(sa.insert(Household), [{"coop_id": coop.id, "name": f"Familia {i:04d} {rng.choice(FAMILY)}",
                                                   "dependants": rng.randint(0, 5)} for i in range(households)])
        household_ids = [row[0] for row in connection.execute(sa.select(Household.id).order_by(Household.id))]
        connection.execute(sa.insert(Lot), [{"coop_id": coop.id, "block": chr(65 + i // 100), "number": str(i % 100 + 1),
                                             "phase": "Etapa 1", "status": "built", "household_id": household_ids[i]}
                                            for i in range(households)])
        lot_of = {hid: f"{chr(65 + i // 100)}-{i % 100 + 1}" for i, hid in enumerate(household_ids)}
        rows = []
        for number in range(1, members + 1):
            given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}"
            household = household_ids[(number - 1) % households]
            rows.append({"coop_id": coop.id, "number": number, "given_names": given, "family_names": family,
                         "document_type": "cedula", "document_number": cedula(number), "join_date": JOINED,
                         "status": rng.choice(["active"] * 8 + ["suspended", "withdrawn"]), "status_since": JOINED,
                         "household_id": household, "phone": "", "phone_alt": "", "address": "",
                         "preferred_language": "es",
                         "search_text": search_text(number, given, family, [lot_of[household]])})
        connection.execute(sa.insert(Member), rows)
        member_ids = [row[0] for row in connection.execute(sa.select(Member.id))]
        connection.execute(sa.insert(MemberStatusChange), [
            {"coop_id": coop.id, "member_id": mid, "status": "active", "effective_date": JOINED}
            for mid in member_ids])
        session.close()
    engine.dispose()


def main() -> None:
    args = register_scale(__doc__.splitlines()[0], members=MEMBERS, households=HOUSEHOLDS,
                          smoke_members=SMOKE_MEMBERS, smoke_households=SMOKE_HOUSEHOLDS,
                          smoke_help=f"a tiny run ({SMOKE_MEMBERS} members, 30 searches): does it still work?")
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(Path(folder), "coop_bench_search" + ("_smoke" if args.smoke else ""))
        started = time.perf_counter()
        build(url, args.members, args.households)
        backend = sa.make_url(url).get_backend_name()
        print(f"built {args.members} members in {time.perf_counter() - started:.1f} s on {backend}")
        app = create_app("testing", {"DATABASE_URL": url})
        client = app.test_client()
        assert client.post("/login", data={"email": "secretaria@example.org", "password": "una clave larga"}).status_code == 302
        rng = random.Random(7)
        searches = ([{"q": rng.choice(FAMILY)} for _ in range(60)]
                    + [{"q": fold(rng.choice(FAMILY))} for _ in range(40)]
                    + [{"q": str(rng.randint(1, args.members))} for _ in range(40)]
                    + [{"q": f"{chr(65 + rng.randint(0, 19))}-{rng.randint(1, 100)}"} for _ in range(40)]
                    + [{"q": cedula(rng.randint(1, args.members))[:7]} for _ in range(40)]
                    + [{"q": rng.choice(GIVEN), "status": "active", "sort": "number"} for _ in range(40)]
                    + [{"block": chr(65 + rng.randint(0, 19))} for _ in range(20)]
                    + [{"page": rng.randint(1, 100)} for _ in range(20)])
        if args.smoke:
            searches = searches[::10]  # every kind of search still, one in ten
        for warm in searches[:10]:
            client.get("/c/referencia/members/", query_string=warm)
        timings = []
        for args in searches:
            begin = time.perf_counter()
            response = client.get("/c/referencia/members/", query_string=args)
            timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200
        timings.sort()
        print(f"directory page, {len(timings)} searches: median {statistics.median(timings):.1f} ms, "
              f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms, max {timings[-1]:.1f} ms")
        print(f"machine: {machine()}")
        app.extensions["coop.db"].engine.dispose()


if __name__ == "__main__":
    main()
