"""The database layer: SQLite connection settings, BEGIN IMMEDIATE for writers, get_or_404.

The SQLite tests build their own engine on a temporary file, so they run in both suites.
"""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from coop import outbox
from coop.db import Database, get_or_404, make_engine
from coop.outbox import OutboxMessage

metadata = sa.MetaData()
counter = sa.Table("counter", metadata,
                   sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("value", sa.Integer, nullable=False))


@pytest.fixture
def sqlite_path(tmp_path):
    return tmp_path / "layer.sqlite"


@pytest.fixture
def sqlite_database(sqlite_path):
    engine = make_engine(f"sqlite:///{sqlite_path}", busy_timeout_ms=10_000)
    metadata.create_all(engine)
    database = Database(engine)
    with database.unit_of_work() as session:
        session.execute(counter.insert().values(id=1, value=0))
    yield database
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_the_busy_timeout(sqlite_path):
    engine = make_engine(f"sqlite:///{sqlite_path}", busy_timeout_ms=4321)
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 4321
    finally:
        engine.dispose()


def test_a_writing_session_holds_the_write_lock_from_its_first_read(sqlite_database, sqlite_path):
    other = sqlite3.connect(sqlite_path, timeout=0, isolation_level=None)
    try:
        writer = sqlite_database.new_session(write=True)
        writer.execute(sa.select(counter.c.value)).scalar_one()  # only a read so far
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        writer.rollback()
        writer.close()

        reader = sqlite_database.new_session(write=False)
        reader.execute(sa.select(counter.c.value)).scalar_one()
        other.execute("BEGIN IMMEDIATE")  # a reading session leaves the write lock free
        other.execute("UPDATE counter SET value = 5 WHERE id = 1")
        other.execute("COMMIT")
        reader.rollback()
        reader.close()
    finally:
        other.close()
    with sqlite_database.unit_of_work(write=False) as session:
        assert session.execute(sa.select(counter.c.value)).scalar_one() == 5


def test_concurrent_read_modify_write_increments_lose_nothing(sqlite_database):
    barrier = threading.Barrier(2)
    errors = []

    def increment_twenty_times():
        try:
            barrier.wait(timeout=10)
            for _ in range(20):
                with sqlite_database.unit_of_work() as session:
                    value = session.execute(sa.select(counter.c.value).where(counter.c.id == 1)).scalar_one()
                    time.sleep(0.002)  # widen the window between the read and the write
                    session.execute(counter.update().where(counter.c.id == 1).values(value=value + 1))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=increment_twenty_times) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    with sqlite_database.unit_of_work(write=False) as session:
        assert session.execute(sa.select(counter.c.value)).scalar_one() == 40


def test_an_object_of_another_coop_is_not_found(db, make_coop):
    coop = make_coop("quebrada")
    other = make_coop("ladera")
    message = outbox.enqueue(db, to="socia@example.org", subject="Aviso", body="...", coop_id=coop.id)
    db.commit()

    assert get_or_404(db, OutboxMessage, message.id, coop_id=coop.id) is message
    assert get_or_404(db, OutboxMessage, message.id) is message  # no co-op given: the platform's view
    with pytest.raises(NotFound):
        get_or_404(db, OutboxMessage, message.id, coop_id=other.id)
    with pytest.raises(NotFound):
        get_or_404(db, OutboxMessage, message.id + 1000, coop_id=coop.id)
