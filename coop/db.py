"""The database layer: engines, the declarative base, and one unit of work per boundary.

A request, a CLI command or a job gets one session. Services flush; the boundary commits once;
an exception rolls the whole unit back. On SQLite each connection runs with WAL, foreign keys and
a busy timeout, and a unit of work that may write starts with ``BEGIN IMMEDIATE`` so two writers
queue on the lock instead of failing half-way. On PostgreSQL the engine keeps a pool.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, current_app, g, has_request_context, request

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_OPTION = "coop_write"

ModelT = TypeVar("ModelT")


class Base(so.DeclarativeBase):
    """Every model of every package derives from this one base and its metadata."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def value_enum(cls: type[enum.Enum], length: int = 16) -> sa.Enum:
    """A column type storing a Python enum by its value, as a plain string (no native ENUM type)."""
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def utcnow() -> dt.datetime:
    """The current time in UTC, without tzinfo: every ``*_dt`` column stores UTC this way."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def is_sqlite(url_or_engine: str | sa.Engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, sa.Engine) else sa.make_url(url_or_engine)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 10,
                busy_timeout_ms: int = 10_000) -> sa.Engine:
    """An engine configured for the embedded (SQLite) or the production (PostgreSQL) database."""
    if is_sqlite(url):
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                            pool_pre_ping=True, pool_recycle=1800)


def _configure_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    # that is the only way to get BEGIN IMMEDIATE (the recipe in SQLAlchemy's SQLite dialect docs).
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        writes = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


class Database:
    """The engine and session factories of one application."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._reader = so.sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = so.sessionmaker(bind=engine.execution_options(**{_WRITE_OPTION: True}),
                                       expire_on_commit=False)

    def new_session(self, *, write: bool = True) -> so.Session:
        return (self._writer if write else self._reader)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[so.Session]:
        """One transaction for a CLI command or a job: commit on success, roll back on error."""
        session = self.new_session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def init_app(app: Flask) -> Database:
    database = Database(make_engine(
        app.config["DATABASE_URL"],
        pool_size=app.config["DATABASE_POOL_SIZE"],
        max_overflow=app.config["DATABASE_MAX_OVERFLOW"],
        busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
    ))
    app.extensions["coop.db"] = database

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()  # anything not committed by the view is discarded
            session.close()

    return database


def database() -> Database:
    return current_app.extensions["coop.db"]


def get_session() -> so.Session:
    """The session of the current request (or app context), created on first use.

    A request that may change data (any method but GET, HEAD, OPTIONS) gets a writing session.
    """
    if "db_session" not in g:
        write = not has_request_context() or request.method not in SAFE_METHODS
        g.db_session = database().new_session(write=write)
    return g.db_session


def or_404(obj: ModelT | None) -> ModelT:
    """The object a scoped lookup found, or a 404 answer when it found nothing."""
    if obj is None:
        abort(404)
    return obj


def get_or_404(session: so.Session, model: type[ModelT], object_id: Any, *,
               coop_id: int | None = None) -> ModelT:
    """Load one object by id, answering 404 when it is missing or belongs to another co-op."""
    obj = session.get(model, object_id)
    if obj is None or (coop_id is not None and getattr(obj, "coop_id", None) != coop_id):
        abort(404)
    return obj
