"""Minga's coming sessions at the reference co-op's scale: five years of work sessions and sign-ups.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL when COOP_BENCH_DATABASE_URL
names a server database, which is dropped and re-created as ``coop_bench_minga``) holding 1,300
households with 3,000 members, eight commissions, 5,000 work sessions over five years ending
four weeks ahead (the past ones done, the coming ones open), 200,000 sign-ups (confirmed up to
each session's capacity, then waitlisted, counters as the services keep them), the attendance of
every past session, and the co-op's obligation rules. Then it logs in as a member through the
real log-in form and times the upcoming-sessions page (``minga.upcoming``: query and rendering,
through the Flask test client). Prints the median, the 95th percentile and the maximum.

``bench/minga_close.py`` closes a period on the same history (``build_history``). ``--smoke``
runs it at a tiny scale (the test suite does, so that the script cannot fall out of step with the
code).

    .venv/bin/python bench/minga_upcoming.py [--households 1300] [--members 3000] [--sessions 5000] \
        [--sign-ups 200000] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/minga_upcoming.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import cedula, fresh_database, machine  # noqa: E402

from coop import calendar, migrate, tenancy  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.auth.models import User  # noqa: E402
from coop.db import is_sqlite, make_engine, utcnow  # noqa: E402
from coop.tenancy import CoopRole, Role  # noqa: E402
from ledger import services as ledger  # noqa: E402
from members.models import Household, Member, MemberStatusChange  # noqa: E402
from minga.models import (  # noqa: E402
    Attendance, Commission, MingaRules, SessionStatus, SignUp, SignUpStatus, WorkSession)

SLUG = "referencia"
PASSWORD = "una clave larga"
MEMBER_EMAIL = "socia@example.org"
TREASURER_EMAIL = "tesoreria@example.org"
HOUSEHOLDS, MEMBERS, SESSIONS, SIGN_UPS = 1300, 3000, 5000, 200_000
SMOKE = {"households": 30, "members": 70, "sessions": 120, "sign_ups": 2400}
YEARS, WEEKS_AHEAD = 5, 4
JOINED = dt.date(2001, 1, 1)
COMMISSIONS = ["Recuperación de la quebrada", "Mantenimiento de la escuela", "Construcción de viviendas",
               "Parque y áreas verdes", "Seguridad y vigilancia", "Deportes y juventud", "Huertos comunitarios",
               "Secretaría de comisiones"]
GIVEN = ["María", "José", "Rosa", "Luis", "Carmen", "Segundo", "Ana", "Wilson", "Nelly", "Byron"]
FAMILY = ["Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña"]


@dataclass
class History:
    """What the timings need to know of the co-op that was built."""

    coop_id: int
    member_ids: list[int]
    #: every user linked to a member (``bench/minga_signups_http.py`` logs them in): (email, member id)
    users: list[tuple[str, int]]
    sessions: int
    sign_ups: int
    attendance: int
    #: the month before last: past its grace days whatever today is (the one ``minga_close.py`` closes)
    closable_month: dt.date


def scale(description: str, extra=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--households", type=int, default=HOUSEHOLDS)
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--sign-ups", dest="sign_ups", type=int, default=SIGN_UPS)
    parser.add_argument("--smoke", action="store_true", help="a tiny run: does it still work?")
    if extra:
        extra(parser)
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
    return args


def add_people(connection, session: so.Session, coop_id: int, households: int, members: int, rng, users: int):
    """Households, members, and ``users`` accounts linked to the first members (same password hash)."""
    connection.execute(sa.insert(Household), [{"coop_id": coop_id, "name": f"Familia {i:04d} {rng.choice(FAMILY)}",
                                               "dependants": rng.randint(0, 4)} for i in range(households)])
    household_ids = connection.execute(sa.select(Household.id).where(Household.coop_id == coop_id)
                                       .order_by(Household.id)).scalars().all()
    connection.execute(sa.insert(Member), [
        {"coop_id": coop_id, "number": n, "given_names": rng.choice(GIVEN),
         "family_names": f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}", "document_type": "cedula",
         "document_number": cedula(n), "join_date": JOINED, "status": "active", "status_since": JOINED,
         "household_id": household_ids[(n - 1) % households], "phone": "", "phone_alt": "", "address": "",
         "preferred_language": "es", "search_text": str(n)} for n in range(1, members + 1)])
    member_ids = connection.execute(sa.select(Member.id).where(Member.coop_id == coop_id)
                                    .order_by(Member.number)).scalars().all()
    connection.execute(sa.insert(MemberStatusChange), [
        {"coop_id": coop_id, "member_id": m, "status": "active", "effective_date": JOINED} for m in member_ids])
    password_hash = auth.PASSWORD_HASHER.hash(PASSWORD)
    emails = [MEMBER_EMAIL] + [f"socia{n:04d}@example.org" for n in range(1, users)]
    connection.execute(sa.insert(User), [{"email": email, "name": f"Persona socia {n}", "password_hash": password_hash,
                                          "is_active": True, "is_platform_admin": False, "created_dt": utcnow()}
                                         for n, email in enumerate(emails)])
    user_ids = dict(connection.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all())
    connection.execute(sa.insert(CoopRole), [{"coop_id": coop_id, "user_id": user_ids[email], "role": Role.MEMBER,
                                              "scope_kind": "", "scope_id": 0, "created_dt": utcnow()}
                                             for email in emails])
    for email, member_id in zip(emails, member_ids, strict=False):
        connection.execute(sa.update(Member).where(Member.id == member_id).values(user_id=user_ids[email]))
    return member_ids, list(zip(emails, member_ids, strict=False))


def _session_rows(coop, commission_ids: list[int], count: int, rng, now: dt.datetime) -> list[dict]:
    """``count`` sessions spread over five years up to ``WEEKS_AHEAD`` weeks from now, 07:00 or 14:00."""
    today = calendar.utc_to_local(coop, now).date()
    first = today - dt.timedelta(days=365 * YEARS)
    span = (today + dt.timedelta(weeks=WEEKS_AHEAD) - first).days
    rows = []
    for n in range(count):
        day = first + dt.timedelta(days=span * n // count)
        hour = 7 if n % 2 == 0 else 14
        starts = calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(hour)))
        rows.append({"id": n + 1, "coop_id": coop.id, "commission_id": commission_ids[n % len(commission_ids)],
                     "title": f"Minga {n + 1}", "description": "", "place": "Casa comunal", "starts_dt": starts,
                     "ends_dt": starts + dt.timedelta(hours=5), "capacity": rng.randint(30, 50),
                     "status": SessionStatus.DONE if starts < now else SessionStatus.OPEN, "is_compensation": False,
                     "cancel_reason": "", "confirmed_count": 0, "arrivals": 0, "created_dt": starts - dt.timedelta(days=14)})
    return rows


def _sign_up_rows(coop_id: int, sessions: list[dict], household_of: dict[int, int], total: int, rng, now):
    """About ``total`` sign-ups: past sessions full or nearly (some waitlisted), coming ones half full;
    and the attendance of the past ones (most present all five hours)."""
    member_ids = list(household_of)
    coming = sum(1 for session in sessions if session["starts_dt"] > now)
    per_session = total / (len(sessions) - coming + 0.45 * coming)  # the coming ones draw 0.45 on average
    sign_ups, attendance = [], []
    for session in sessions:
        coming = session["starts_dt"] > now
        wanted = round(per_session * (rng.uniform(0.3, 0.6) if coming else rng.uniform(0.85, 1.15)))
        drawn = rng.sample(member_ids, min(wanted, len(member_ids)))
        confirmed = 0
        for arrival, member in enumerate(drawn, start=1):
            status = SignUpStatus.CONFIRMED if confirmed < session["capacity"] else SignUpStatus.WAITLISTED
            confirmed += status is SignUpStatus.CONFIRMED
            sign_ups.append({"id": len(sign_ups) + 1, "coop_id": coop_id, "session_id": session["id"],
                             "member_id": member, "task_id": None, "status": status, "arrival": arrival,
                             "is_by_office": False, "signed_up_by_id": None, "created_dt": session["created_dt"],
                             "changed_dt": session["created_dt"]})
            if not coming and status is SignUpStatus.CONFIRMED:
                roll = rng.random()
                attendance.append({"coop_id": coop_id, "session_id": session["id"], "member_id": member,
                                   "household_id": household_of[member], "sign_up_id": len(sign_ups),
                                   "status": "present" if roll < 0.85 else "absent" if roll < 0.95 else "excused",
                                   "minutes": 300 if roll < 0.8 else 180 if roll < 0.85 else 0, "reason": "",
                                   "recorded_by_id": None, "recorded_dt": session["ends_dt"]})
        session["confirmed_count"], session["arrivals"] = confirmed, len(drawn)
    return sign_ups, attendance


def _in_batches(connection, table, rows: list[dict], size: int = 20_000) -> None:
    for start in range(0, len(rows), size):
        connection.execute(sa.insert(table), rows[start:start + size])


def _fix_sequences(connection) -> None:
    """Rows were written with their ids; PostgreSQL's sequences must go on from the largest."""
    if is_sqlite(connection.engine):
        return
    for table in ("work_session", "sign_up", "attendance"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))")


def build_history(url: str, args: argparse.Namespace, users: int = 1) -> History:
    """The reference co-op with five years of Minga, written in bulk; ``users`` members can log in."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng, now = random.Random(2026), utcnow()
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de referencia", slug=SLUG)
        treasurer = auth.create_user(session, email=TREASURER_EMAIL, name="Tesorería", password=PASSWORD)
        tenancy.grant_role(session, None, coop, treasurer, Role.TREASURER)
        accounts = {account.code: account.id for account in ledger.install_chart(session, None, coop)}
        session.flush()
        member_ids, linked = add_people(connection, session, coop.id, args.households, args.members, rng, users)
        connection.execute(sa.insert(Commission), [
            {"coop_id": coop.id, "name": name, "purpose": "", "is_active": True,
             "is_capital_work": name.startswith("Construcción"), "is_office_work": name.startswith("Secretaría"),
             "created_dt": now} for name in COMMISSIONS])
        commission_ids = connection.execute(sa.select(Commission.id).where(Commission.coop_id == coop.id)
                                            .order_by(Commission.id)).scalars().all()
        sessions = _session_rows(coop, commission_ids, args.sessions, rng, now)
        household_of = dict(connection.execute(sa.select(Member.id, Member.household_id)
                                               .where(Member.coop_id == coop.id)).all())
        sign_ups, attendance = _sign_up_rows(coop.id, sessions, household_of, args.sign_ups, rng, now)
        connection.execute(sa.insert(WorkSession), sessions)
        _in_batches(connection, SignUp, sign_ups)
        _in_batches(connection, Attendance, attendance)
        this_month = calendar.month_start(calendar.utc_to_local(coop, now).date())
        connection.execute(sa.insert(MingaRules), [{
            "coop_id": coop.id, "owed_minutes": 480, "unit": "household", "period": "month",
            "starts_on": calendar.add_months(this_month, -12 * YEARS), "surplus": "lost", "office_work_counts": True,
            "grace_days": 10, "is_closed_automatically": False, "fine_per_hour_minor": 500,
            "fine_account_id": accounts["4.3"], "capital_rate_minor": 300, "capital_account_id": accounts["1.2.02"],
            "reminder_hours": 24, "updated_dt": now}])
        _fix_sequences(connection)
        coop_id = coop.id
        session.close()
    # what autovacuum (PostgreSQL) or a routine ANALYZE does soon after a bulk load
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE" if is_sqlite(engine) else "VACUUM ANALYZE")
    engine.dispose()
    return History(coop_id, member_ids, linked, len(sessions), len(sign_ups), len(attendance),
                   calendar.add_months(this_month, -2))


def median_ms(timings: list[float]) -> str:
    timings = sorted(timings)
    return (f"median {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms, "
            f"max {timings[-1]:.1f} ms")


def history_app(folder: Path, name: str, args):
    """The five years of history (``build_history``) in a fresh database, said so, and an app serving it."""
    from coop.app import create_app
    url = fresh_database(folder, name + ("_smoke" if args.smoke else ""))
    started = time.perf_counter()
    history = build_history(url, args)
    print(f"built {args.households} households, {args.members} members, {history.sessions:,} sessions, "
          f"{history.sign_ups:,} sign-ups, {history.attendance:,} attendance records in "
          f"{time.perf_counter() - started:.0f} s on {sa.make_url(url).get_backend_name()}")
    return history, create_app("testing", {"DATABASE_URL": url})


def main() -> None:
    args = scale(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory() as folder:
        _history, app = history_app(Path(folder), "coop_bench_minga", args)
        client = app.test_client()
        response = client.post("/login", data={"email": MEMBER_EMAIL, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        page = f"/c/{SLUG}/minga/"
        runs = 20 if args.smoke else 300
        for _ in range(10):
            client.get(page)
        timings = []
        for _ in range(runs):
            begin = time.perf_counter()
            response = client.get(page)
            timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, response.status_code
        size = len(response.get_data()) // 1024
        print(f"upcoming sessions page, {runs} requests: {median_ms(timings)} ({size} KB)")
        print(f"machine: {machine()}")
        app.extensions["coop.db"].engine.dispose()


if __name__ == "__main__":
    main()
