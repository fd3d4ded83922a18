"""Check-in at the door of an assembly with 5,000 members on the roll.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL when COOP_BENCH_DATABASE_URL
names a server database, which is dropped and re-created as ``coop_bench_checkin``): one co-op,
5,000 members (as the directory search benchmark builds them), a convened ordinary assembly and
its roll of 5,000 lines, about a third already checked in. Logs in as the secretary through the
real log-in form and times the check-in page (search and rendering, through the Flask test
client) for searches by member number, by family name, by the same name typed without accents
and by given and family name; then times check-ins (a tap: the POST, its recount of the quorum,
the redirect not followed). Prints the medians and 95th percentiles. ``--smoke`` runs it at a
tiny scale, a tenth of the searches.

    .venv/bin/python bench/meetings_checkin.py [--members 5000] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/meetings_checkin.py
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, machine, register_scale  # noqa: E402
from members_search import FAMILY, GIVEN, build  # noqa: E402

from coop.app import create_app  # noqa: E402
from coop.db import is_sqlite, make_engine  # noqa: E402
from coop.tenancy import Coop  # noqa: E402
from coop.text import fold  # noqa: E402
from meetings.models import Meeting, MeetingRules, RollEntry  # noqa: E402
from members.models import Member  # noqa: E402

MEMBERS, HOUSEHOLDS = 5000, 2000
SMOKE_MEMBERS, SMOKE_HOUSEHOLDS = 50, 20
CHECK_INS = 100


def build_roll(url: str) -> int:
    """A convened assembly (its first call an hour ago) with every member on its roll; its id."""
    engine = make_engine(url)
    rng = random.Random(12)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.execution_options(coop_write=True).begin() as connection:
        coop = connection.execute(sa.select(Coop.id)).one()
        first = now - dt.timedelta(hours=1)
        meeting_id = connection.execute(sa.insert(Meeting).returning(Meeting.id), [{
            "coop_id": coop.id, "kind": "ordinary", "title": "Asamblea general ordinaria", "place": "Casa comunal",
            "first_call_dt": first, "second_call_dt": first + dt.timedelta(hours=1), "status": "convened",
            "notice_issued_dt": first - dt.timedelta(days=10)}]).scalar_one()
        # the bylaws' settings, as the secretary saves them before the first meeting
        connection.execute(sa.insert(MeetingRules), [{"coop_id": coop.id}])
        members = connection.execute(sa.select(Member.id, Member.number, Member.given_names, Member.family_names,
                                               Member.status)).all()
        connection.execute(sa.insert(RollEntry), [_roll_line(coop.id, meeting_id, m, first, rng) for m in members])
    # what autovacuum does within a minute of the roll being frozen (days before the assembly):
    # without statistics PostgreSQL's planner joined the roll and the register row by row, and a
    # search by name took 265 ms instead of 9 ms
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE" if is_sqlite(engine) else "VACUUM ANALYZE")
    engine.dispose()
    return meeting_id


def _roll_line(coop_id: int, meeting_id: int, member, first: dt.datetime, rng: random.Random) -> dict:
    """A member's roll line: a voter when active; about a third already checked in."""
    here = rng.random() < 0.33
    return {"coop_id": coop_id, "meeting_id": meeting_id, "member_id": member.id, "role": "member",
            "may_vote": member.status == "active", "ineligible_reason": "" if member.status == "active" else "No activo",
            "is_present": here, "checked_in_dt": first - dt.timedelta(minutes=rng.randint(1, 90)) if here else None,
            "number": member.number, "name": f"{member.given_names} {member.family_names}"}


def timed(client, method, url, timings, cpu, **kwargs):
    """One request: its wall time and the CPU time this process spent on it (the machine is shared)."""
    begin, begin_cpu = time.perf_counter(), time.process_time()
    response = client.open(url, method=method, **kwargs)
    timings.append((time.perf_counter() - begin) * 1000)
    cpu.append((time.process_time() - begin_cpu) * 1000)
    assert response.status_code in (200, 302), response.status_code
    return response


def figures(label: str, timings: list[float], cpu: list[float]) -> str:
    timings = sorted(timings)
    return (f"{label}, {len(timings)} requests: median {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms, max {timings[-1]:.1f} ms "
            f"(CPU median {statistics.median(cpu):.1f} ms)")


def main() -> None:
    args = register_scale(__doc__.splitlines()[0], members=MEMBERS, households=HOUSEHOLDS,
                          smoke_members=SMOKE_MEMBERS, smoke_households=SMOKE_HOUSEHOLDS,
                          smoke_help=f"a tiny run ({SMOKE_MEMBERS} members, 30 searches): does it still work?")
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(Path(folder), "coop_bench_checkin" + ("_smoke" if args.smoke else ""))
        started = time.perf_counter()
        build(url, args.members, args.households)
        meeting_id = build_roll(url)
        print(f"built {args.members} members and the roll in {time.perf_counter() - started:.1f} s on "
              f"{sa.make_url(url).get_backend_name()}")
        app = create_app("testing", {"DATABASE_URL": url})
        client = app.test_client()
        assert client.post("/login", data={"email": "secretaria@example.org",
                                           "password": "una clave larga"}).status_code == 302
        page = f"/c/referencia/meetings/{meeting_id}/checkin"
        rng = random.Random(7)
        searches = ([{"q": str(rng.randint(1, args.members))} for _ in range(100)]
                    + [{"q": rng.choice(FAMILY)} for _ in range(80)]
                    + [{"q": fold(rng.choice(FAMILY))} for _ in range(60)]
                    + [{"q": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)[:5]}"} for _ in range(60)])
        if args.smoke:
            searches = searches[::10]
        for warm in searches[:10]:
            client.get(page, query_string=warm)
        search_times, search_cpu = [], []
        for query in searches:
            timed(client, "GET", page, search_times, search_cpu, query_string=query)
        print(figures("check-in search", search_times, search_cpu))
        with app.app_context():
            database = app.extensions["coop.db"]
            with database.unit_of_work(write=False) as session:
                absent = session.scalars(sa.select(RollEntry.id).where(RollEntry.meeting_id == meeting_id,
                                                                       RollEntry.is_present.is_(False))).all()
        taps = rng.sample(absent, min(CHECK_INS // (10 if args.smoke else 1), len(absent)))
        tap_times, tap_cpu = [], []
        for entry_id in taps:
            timed(client, "POST", page, tap_times, tap_cpu, data={"entry": entry_id, "action": "in", "q": ""})
        print(figures("check-in tap (POST, recount, redirect)", tap_times, tap_cpu))
        print(f"machine: {machine()}")
        app.extensions["coop.db"].engine.dispose()


if __name__ == "__main__":
    main()
