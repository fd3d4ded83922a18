"""200 simultaneous Minga sign-ups over HTTP, against gunicorn with 4 workers on PostgreSQL.

Builds a fresh PostgreSQL database (``coop_bench_minga_http`` on the server COOP_BENCH_DATABASE_URL
names, else on the local server, postgresql+psycopg://postgres@127.0.0.1:5432/postgres) holding a
co-op, 200 members each with an account, and one open work session for 40 people. Starts gunicorn
with 4 workers on a free port (production settings, cookies allowed over plain HTTP on the
loopback), logs each member in through the real log-in form in a session of their own (cookie
and CSRF token read from the pages), opens the session's page for each to read the sign-up form,
times ten sign-ups one after another for another session (what one costs alone), then fires the
200 sign-ups at once from 200 threads. Counts the answers (redirects after a sign-up, and
failures), then reads the database: confirmed and waitlisted sign-ups, the session's counter,
and the waitlist in arrival order. Prints the p50, p95 and maximum latency.

``--smoke`` runs it with 12 members for 5 places and 2 workers; without a PostgreSQL server it
says so and skips the gunicorn run (the measurement is of the production setup: gunicorn's
worker processes writing to PostgreSQL at once).

    .venv/bin/python bench/minga_signups_http.py [--members 200] [--capacity 40] [--workers 4] [--smoke]
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine  # noqa: E402
from minga_upcoming import PASSWORD, SLUG, add_people  # noqa: E402

from coop import calendar, migrate, tenancy  # noqa: E402
from coop.db import make_engine, utcnow  # noqa: E402
from minga.models import Commission, SessionStatus, SignUp, SignUpStatus, WorkSession  # noqa: E402

LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SMOKE_MEMBERS, SMOKE_CAPACITY, SMOKE_WORKERS = 12, 5, 2
START_SECONDS = 90


def server_url() -> str:
    return os.environ.get("COOP_BENCH_DATABASE_URL") or LOCAL_SERVER


def postgres_problem(url: str) -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it can."""
    if sa.make_url(url).get_backend_name() != "postgresql":
        return f"{url} is not a PostgreSQL server"
    engine = sa.create_engine(url, poolclass=sa.NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        return f"PostgreSQL is not available at {sa.make_url(url).render_as_string()}: {error.orig}".splitlines()[0]
    finally:
        engine.dispose()
    return None


def fresh_server_database(server: str, name: str) -> str:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_server_database(server: str, name: str) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def build(url: str, members: int, capacity: int) -> tuple[list[tuple[str, int]], int, int]:
    """A co-op with ``members`` members who can log in, the open session they will all sign up for, and
    another for the sign-ups timed alone; (accounts, session id, other session id)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de referencia", slug=SLUG)
        session.flush()
        _ids, accounts = add_people(connection, session, coop.id, max(members // 2, 1), members,
                                    random.Random(2026), users=members)
        commission = Commission(coop_id=coop.id, name="Recuperación de la quebrada")
        session.add(commission)
        session.flush()
        day = calendar.utc_to_local(coop, utcnow()).date() + dt.timedelta(days=6)
        starts = calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(7)))
        work = WorkSession(coop_id=coop.id, commission_id=commission.id, title="Minga de la quebrada",
                           place="Entrada de la quebrada", starts_dt=starts, ends_dt=starts + dt.timedelta(hours=6),
                           capacity=capacity, status=SessionStatus.OPEN)
        other = WorkSession(coop_id=coop.id, commission_id=commission.id, title="Minga de la escuela",
                            place="Escuela comunitaria", starts_dt=starts + dt.timedelta(days=1),
                            ends_dt=starts + dt.timedelta(days=1, hours=4), capacity=members,
                            status=SessionStatus.OPEN)
        session.add_all([work, other])
        session.flush()
        session_id, other_id = work.id, other.id
        session.close()
    engine.dispose()
    return accounts, session_id, other_id


# --- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, COOP_ENV="production", DATABASE_URL=url, SECRET_KEY="bench-" + "s" * 40,
               SESSION_COOKIE_SECURE="false", PYTHONPATH=str(ROOT))
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                                    f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                connection.close()
                return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the members' browsers --------------------------------------------------------------------

class Forms(HTMLParser):
    """The forms of a page: their action and the values of their named fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
        elif tag in ("input", "button") and self.forms and attributes.get("name"):
            if attributes.get("type") in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.forms[-1][1].setdefault(attributes["name"], attributes.get("value") or "")


def forms_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """One member's session: a keep-alive connection and the cookies the server set."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.getheader("Location") or "", response.read().decode()

    def log_in(self, email: str) -> None:
        _status, _location, page = self.request("GET", "/login")
        action, fields = next((a, f) for a, f in forms_of(page) if "password" in f)
        fields.update(email=email, password=PASSWORD)
        status, location, _page = self.request("POST", action or "/login", fields)
        assert status == 302 and "/login" not in location, f"{email} could not log in ({status} {location})"

    def sign_up_form(self, session_id: int) -> tuple[str, dict[str, str]]:
        status, _location, page = self.request("GET", f"/c/{SLUG}/minga/sessions/{session_id}")
        assert status == 200, status
        return next((a, f) for a, f in forms_of(page) if a.endswith(f"/sessions/{session_id}/sign-up"))


def at_once(count: int, action) -> list:
    """``action(n)`` in ``count`` threads released together; their results (or exceptions) by n."""
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = action(n)
        except Exception as error:  # noqa: BLE001  (a failed request is counted, not raised)
            results[n] = error
    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def in_pool(items: list, action, workers: int = 8) -> list:
    """``action`` over the items from a few threads (the log-ins: each costs the server a password check)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(action, items))


def percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def run(url: str, args: argparse.Namespace, folder: Path) -> None:
    started = time.perf_counter()
    accounts, session_id, other_id = build(url, args.members, args.capacity)
    print(f"built {args.members} members with accounts and a session for {args.capacity} in "
          f"{time.perf_counter() - started:.1f} s on PostgreSQL")
    process, port = start_gunicorn(url, args.workers, folder / "gunicorn.log")
    try:
        browsers = [Browser(port) for _ in accounts]
        begin = time.perf_counter()
        in_pool(list(zip(browsers, accounts, strict=True)), lambda pair: pair[0].log_in(pair[1][0]))
        forms = in_pool(browsers, lambda browser: browser.sign_up_form(session_id))
        print(f"{len(browsers)} members logged in and read the session's page in {time.perf_counter() - begin:.1f} s "
              f"(gunicorn, {args.workers} workers, port {port})")

        def sign_up(n: int, form=None) -> tuple[int, float]:
            action, fields = form or forms[n]
            begin = time.perf_counter()
            status, _location, _page = browsers[n].request("POST", action, fields)
            return status, (time.perf_counter() - begin) * 1000
        # what one sign-up costs with nobody else asking (another session, a few members one after another)
        alone = [sign_up(n, browsers[n].sign_up_form(other_id)) for n in range(min(10, len(browsers)))]
        assert all(status in (302, 303) for status, _ms in alone), alone
        print(f"one sign-up alone: median {statistics.median(ms for _status, ms in alone):.0f} ms "
              f"({len(alone)} one after another)")
        begin = time.perf_counter()
        results = at_once(len(browsers), sign_up)
        burst = time.perf_counter() - begin
    finally:
        stop(process)
    report(url, args, accounts, session_id, results, folder / "gunicorn.log")
    print(f"all {len(results)} answered in {burst:.1f} s ({len(results) / burst:.0f} sign-ups a second)")


def report(url, args, accounts, session_id, results, log: Path) -> None:
    answered = [result for result in results if isinstance(result, tuple)]
    redirected = sum(1 for status, _ms in answered if status in (302, 303))
    failed = len(results) - redirected
    timings = [ms for _status, ms in answered]
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(SignUp.member_id, SignUp.status, SignUp.arrival)
                                  .where(SignUp.session_id == session_id).order_by(SignUp.arrival)).all()
        counter = connection.scalar(sa.select(WorkSession.confirmed_count).where(WorkSession.id == session_id))
    engine.dispose()
    confirmed = [row for row in rows if row.status == SignUpStatus.CONFIRMED]
    waitlisted = [row for row in rows if row.status == SignUpStatus.WAITLISTED]
    print(f"{len(results)} simultaneous sign-ups over HTTP for {args.capacity} places: {len(confirmed)} confirmed, "
          f"{len(waitlisted)} waitlisted, {failed} failed ({redirected} answered with a redirect)")
    print(f"sign-up latency: p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
          f"max {max(timings):.0f} ms")
    statuses = sorted({str(r) if not isinstance(r, tuple) else str(r[0]) for r in results})
    assert failed == 0, f"failed answers: {statuses}\n{log.read_text()[-3000:]}"
    assert counter == len(confirmed) == min(args.capacity, len(accounts)), (counter, len(confirmed))
    assert len(waitlisted) == len(accounts) - len(confirmed)
    assert [row.arrival for row in rows] == list(range(1, len(rows) + 1))
    assert max(row.arrival for row in confirmed) < min((row.arrival for row in waitlisted), default=10**9)


def on_postgres(label: str, database: str, work, args: argparse.Namespace) -> None:
    """Run ``work(url, args, folder)`` on a fresh PostgreSQL database (dropped after a smoke run), then
    print the machine; without PostgreSQL a smoke run says it skipped, a full run stops."""
    server = server_url()
    problem = postgres_problem(server)
    if problem:
        if not args.smoke:
            sys.exit(f"This benchmark needs PostgreSQL (gunicorn's workers write at once): {problem}")
        print(f"{label}: skipped the gunicorn run, {problem}")
    else:
        name = database + (f"_smoke_{os.getpid()}" if args.smoke else "")
        url = fresh_server_database(server, name)
        try:
            with tempfile.TemporaryDirectory() as folder:
                work(url, args, Path(folder))
        finally:
            if args.smoke:
                drop_server_database(server, name)
    print(f"machine: {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_MEMBERS} sign-ups for {SMOKE_CAPACITY} places: does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.members, args.capacity, args.workers = SMOKE_MEMBERS, SMOKE_CAPACITY, SMOKE_WORKERS
    on_postgres("sign-ups over HTTP", "coop_bench_minga_http", run, args)


if __name__ == "__main__":
    main()
