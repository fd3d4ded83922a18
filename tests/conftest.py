"""Fixtures: an app on a fresh, migrated database per test; factories; logged-in clients.

Tests run on SQLite by default. With COOP_TEST_DATABASE_URL set they run on that PostgreSQL
database instead: the schema is built once by the migrations and every table is truncated
before each test.

The demo co-op takes about a minute to build, so it is built once per session, by the real
``flask coop demo`` command in a process of its own that starts with the session, into a
template (a SQLite file, or a PostgreSQL database named after the test database with ``_demo``);
the tests that use it run last, and each one that asks for ``demo_app``, ``demo_db`` or
``demo_client`` gets its own copy. ``count_queries`` counts the statements a block sends, so a
page that turns into one query per row breaks the build.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from argon2 import PasswordHasher
from jinja2 import BytecodeCache

from coop import demo, migrate, submissions, tenancy
from coop.app import create_app
from coop.auth import services as auth
from coop.db import Base, make_engine
from coop.tenancy import Role

TEST_DATABASE_URL = os.environ.get("COOP_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: the demo's build takes about a minute alone, several when the machine is busy
DEMO_BUILD_SECONDS = 900


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


def reset_postgres_schema(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")


class RememberingHasher(PasswordHasher):
    """argon2id at the very cost production uses, remembering what it hashed and what it verified.

    Hashing or checking a password takes about 20 ms by design, and the suite creates users and
    logs them in hundreds of times with a few passwords: the first answer for each password (to
    hash) or each hash and password (to verify) is kept. A wrong password is checked every time.
    """

    def __init__(self, real: PasswordHasher):
        super().__init__(time_cost=real.time_cost, memory_cost=real.memory_cost, parallelism=real.parallelism,
                         hash_len=real.hash_len, salt_len=real.salt_len, encoding=real.encoding, type=real.type)
        self._hashes: dict[str | bytes, str] = {}
        self._verified: set[tuple[str | bytes, str | bytes]] = set()

    def hash(self, password, *, salt=None):
        if salt is not None:
            return super().hash(password, salt=salt)
        if password not in self._hashes:
            self._hashes[password] = super().hash(password)
        return self._hashes[password]

    def verify(self, hash, password):  # noqa: A002 (argon2's own parameter name)
        if (hash, password) not in self._verified:
            super().verify(hash, password)  # raises on a wrong password
            self._verified.add((hash, password))
        return True


@pytest.fixture(scope="session", autouse=True)
def remembered_passwords():
    """Every test hashes passwords with a ``RememberingHasher`` (else about a tenth of the suite's time)."""
    real = auth.PASSWORD_HASHER
    auth.PASSWORD_HASHER = RememberingHasher(real)
    yield
    auth.PASSWORD_HASHER = real


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The migrated schema: a template SQLite file, or the PostgreSQL test database."""
    if TEST_DATABASE_URL:
        engine = make_engine(TEST_DATABASE_URL)
        reset_postgres_schema(engine)
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    yield path


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if TEST_DATABASE_URL:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with migrated_database.begin() as connection:
            connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return TEST_DATABASE_URL
    target = tmp_path / "test.sqlite"
    shutil.copy(migrated_database, target)
    return f"sqlite:///{target}"


class CompiledTemplates(BytecodeCache):
    """Templates compiled once for the whole session, in memory.

    Each test has an app of its own, and each app would compile again every template it renders
    (the log-in page: 30 ms the first time, 3 ms from here). Jinja checks each template's source
    against the code it kept, so an edited template is compiled anew.
    """

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def make_app(database_url: str):
    """The app in its test configuration, sharing the session's compiled templates."""
    application = create_app("testing", {"DATABASE_URL": database_url})
    application.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return application


@pytest.fixture
def app(database_url):
    application = make_app(database_url)
    yield application
    application.extensions["coop.db"].engine.dispose()


def open_session(app) -> so.Session:
    """A session on the app's engine that expires objects at commit: no stale reads."""
    return so.Session(app.extensions["coop.db"].engine)


@pytest.fixture
def db(app):
    """A session for arranging and checking data.

    Commit what the app must see; call ``db.rollback()`` before checking or changing what a
    request changed, so the next statement starts a fresh transaction (on SQLite an old read
    transaction cannot turn into a write once another connection has committed). It does not take SQLite's write
    lock until it writes, so it never blocks the requests under test. No app context stays
    pushed: each test request must get its own, as in production.
    """
    session = open_session(app)
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_coop(db):
    def factory(slug="quebrada", name=None, **fields):
        db.rollback()  # a fresh transaction, so SQLite lets this session write
        coop = tenancy.create_coop(db, None, name=name or f"Cooperativa {slug.title()}", slug=slug,
                                   **fields)
        db.commit()
        return coop
    return factory


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def factory(email=None, *, coop=None, roles=(), password=PASSWORD, name=None, **fields):
        email = email or f"person{next(counter)}@example.org"
        db.rollback()
        user = auth.create_user(db, email=email, name=name or email.split("@")[0].title(),
                                password=password, **fields)
        for role in roles:
            tenancy.grant_role(db, None, coop, user, Role(role))
        db.commit()
        return user
    return factory


# --- the demo co-op, built once per session ---------------------------------------------------

@dataclass(frozen=True)
class DemoTemplate:
    """The demo co-op as ``flask coop demo`` left it: where it lies and what the command printed."""

    #: the SQLite file, or the PostgreSQL database's URL
    source: str
    #: what the command printed: the co-op's address and the log-ins
    output: str


def server_url(database: str) -> str:
    """The PostgreSQL test server's URL for another database on it."""
    return sa.make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)


@contextmanager
def server_admin() -> Iterator[sa.Connection]:
    """A connection outside any transaction (CREATE and DROP DATABASE need one), closed after use."""
    engine = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def uses_demo(item: pytest.Item) -> bool:
    return "demo_template" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the demo co-op run last, so that its build (in its own process) overlaps the others."""
    items.sort(key=uses_demo)  # stable: each group keeps its order


@dataclass
class DemoBuild:
    """The real ``flask --app wsgi coop demo`` loading the demo into ``where``, in its own process."""

    #: the SQLite file, or the PostgreSQL database's URL
    where: str
    process: subprocess.Popen
    #: files for what it prints: a pipe nobody reads while the tests run could fill and stop it
    output: Path
    errors: Path

    @classmethod
    def start(cls, where: str, folder: Path) -> DemoBuild:
        url = where if TEST_DATABASE_URL else f"sqlite:///{where}"
        environment = dict(os.environ, COOP_ENV="testing", DATABASE_URL=url)
        output, errors = folder / "demo.out", folder / "demo.err"
        with output.open("w") as out, errors.open("w") as err:
            process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "coop", "demo"],
                                       cwd=PROJECT_DIR, env=environment, stdout=out, stderr=err, text=True)
        return cls(where, process, output, errors)

    def wait(self) -> str:
        """What the command printed, once it is done; fails the test when the command did."""
        returncode = self.process.wait(timeout=DEMO_BUILD_SECONDS)
        assert returncode == 0, f"flask coop demo failed:\n{self.output.read_text()}\n{self.errors.read_text()[-5000:]}"
        return self.output.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:  # the session ended before a demo test waited for it
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session", autouse=True)
def demo_build(request, tmp_path_factory):
    """When a test of the session needs the demo co-op, its build starts as the session does.

    SQLite: a copy of the migrated template; PostgreSQL: a database made from the migrated test
    database (no connection may be open on it meanwhile) and named after it with ``_demo``. The
    command then loads the demo there while the other tests run.
    """
    if not any(uses_demo(item) for item in request.session.items):
        yield None
        return
    migrated = request.getfixturevalue("migrated_database")
    folder = tmp_path_factory.mktemp("demo")
    if not TEST_DATABASE_URL:
        where = str(folder / "demo.sqlite")
        shutil.copy(migrated, where)
    else:
        test_database = sa.make_url(TEST_DATABASE_URL).database
        where = server_url(f"{test_database}_demo")
        migrated.dispose()
        with server_admin() as admin:
            admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{test_database}_demo" WITH (FORCE)')
            admin.exec_driver_sql(f'CREATE DATABASE "{test_database}_demo" TEMPLATE "{test_database}"')
    build = DemoBuild.start(where, folder)
    yield build
    build.stop()
    if TEST_DATABASE_URL:
        with server_admin() as admin:
            admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{test_database}_demo" WITH (FORCE)')


@pytest.fixture(scope="session")
def demo_template(demo_build) -> DemoTemplate:
    """The demo co-op once its build is done: what each demo test copies."""
    output = demo_build.wait()
    if not TEST_DATABASE_URL:
        engine = make_engine(f"sqlite:///{demo_build.where}")
        with engine.connect() as connection:  # everything into the main file, so that a copy holds it all
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    return DemoTemplate(demo_build.where, output)


@contextmanager
def copy_of_demo(demo_template, name: str, folder: Path) -> Iterator[str]:
    """A copy of the demo co-op named ``name``: a copied file in ``folder``, or a database made from
    the template on PostgreSQL (dropped afterwards). Yields its URL."""
    if not TEST_DATABASE_URL:
        target = folder / f"{name}.sqlite"
        shutil.copy(demo_template.source, target)
        yield f"sqlite:///{target}"
        return
    template = sa.make_url(demo_template.source).database
    database = f"{template}_{name}"
    with server_admin() as admin:
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.exec_driver_sql(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    yield server_url(database)
    with server_admin() as admin:
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def demo_database_url(demo_template, tmp_path):
    """A copy of the demo co-op for one test."""
    with copy_of_demo(demo_template, f"demo{os.getpid()}", tmp_path) as url:
        yield url


@pytest.fixture
def demo_app(demo_database_url):
    """The app on a fresh copy of the demo co-op (Cooperativa de Vivienda Quebrada Verde)."""
    application = make_app(demo_database_url)
    yield application
    application.extensions["coop.db"].engine.dispose()


@pytest.fixture
def demo_db(demo_app):
    """A session on the demo copy, used as ``db`` is (roll back before reading what a request wrote)."""
    session = open_session(demo_app)
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def demo_coop(demo_db):
    """The demo co-op, attached to ``demo_db``."""
    return tenancy.coop_by_slug(demo_db, demo.DEMO_SLUG)


@pytest.fixture
def demo_output(demo_template) -> str:
    """What ``flask coop demo`` printed when it built the demo: the co-op's address and log-ins."""
    return demo_template.output


# --- counting queries ------------------------------------------------------------------------

#: transaction control, not a query a page chose to send (and sent differently by each database)
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.I)


@dataclass
class CountedQueries:
    """The statements sent inside a ``count_queries()`` block."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return f"{self.count} statements:\n" + "\n".join(
            f"{n:3}. {' '.join(s.split())[:300]}" for n, s in enumerate(self.statements, 1))


@pytest.fixture
def count_queries(request):
    """Count the statements the app's engine sends inside the block; catches N+1 pages.

        with count_queries() as counted:
            page = demo_client.get(url)
        assert counted.count <= 25, counted

    The engine is the test's app (``demo_app`` when the test uses it, else ``app``), or the one
    passed: ``count_queries(some_app)``.
    """
    @contextmanager
    def counting(application=None) -> Iterator[CountedQueries]:
        if application is None:
            name = "demo_app" if "demo_app" in request.fixturenames else "app"
            application = request.getfixturevalue(name)
        engine = application.extensions["coop.db"].engine
        counted = CountedQueries()

        def record(_connection, _cursor, statement, _parameters, _context, _executemany):
            if not TRANSACTION_CONTROL.match(statement):
                counted.statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield counted
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
    return counting


def log_in(client, email, password=PASSWORD, follow_redirects=False):
    return client.post("/login", data={"email": email, "password": password},
                       follow_redirects=follow_redirects)


@pytest.fixture
def login():
    """Log a test client in through the real log-in form; asserts it worked."""
    def do(client, user, password=PASSWORD):
        response = log_in(client, user.email, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response
    return do


def text_of(response) -> str:
    """The visible text of an HTML response, tags stripped, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def flashes(response) -> list[str]:
    """The flash messages shown on a page."""
    html = response.get_data(as_text=True)
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).strip())
            for m in re.findall(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', html, flags=re.S)]


def once() -> dict:
    """A fresh one-time key, as a form that creates money or numbers carries it when its page
    shows it (``coop.submissions``): add it to a POST made without reading the page."""
    return {"once_key": submissions.new_key()}


def once_key_of(response) -> str:
    """The one-time key of the form a page shows."""
    return re.search(r'name="once_key"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def field_error(response, field_id: str) -> str:
    """The error text shown beside one form field ('' when there is none)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, flags=re.S)
    return unescape(match.group(1).strip()) if match else ""
