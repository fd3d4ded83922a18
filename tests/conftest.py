"""Fixtures: an app on a fresh, migrated database per test; factories; logged-in clients.

Tests run on SQLite by default. With COOP_TEST_DATABASE_URL set they run on that PostgreSQL
database instead: the schema is built once by the migrations and every table is truncated
before each test.
"""
from __future__ import annotations

import os
import re
import shutil
from html import unescape

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so

from coop import migrate, tenancy
from coop.app import create_app
from coop.auth import services as auth
from coop.db import Base, make_engine
from coop.tenancy import Role

TEST_DATABASE_URL = os.environ.get("COOP_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


def reset_postgres_schema(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")


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


@pytest.fixture
def app(database_url):
    application = create_app("testing", {"DATABASE_URL": database_url})
    yield application
    application.extensions["coop.db"].engine.dispose()


@pytest.fixture
def db(app):
    """A session for arranging and checking data.

    Commit what the app must see; call ``db.rollback()`` before checking or changing what a
    request changed, so the next statement starts a fresh transaction (on SQLite an old read
    transaction cannot turn into a write once another connection has committed). It does not take SQLite's write
    lock until it writes, so it never blocks the requests under test. No app context stays
    pushed: each test request must get its own, as in production.
    """
    session = so.Session(app.extensions["coop.db"].engine)  # expires objects at commit: no stale reads
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


def field_error(response, field_id: str) -> str:
    """The error text shown beside one form field ('' when there is none)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, flags=re.S)
    return unescape(match.group(1).strip()) if match else ""
