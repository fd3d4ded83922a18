"""Migrations are the only source of the schema: upgrading an empty database gives exactly the
models, and every revision downgrades and upgrades again without leaving a trace."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import coop.models  # noqa: F401
import ledger.models  # noqa: F401
import members.models  # noqa: F401
import minga.models  # noqa: F401
from coop import migrate
from coop.db import Base, make_engine
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def empty_engine(tmp_path):
    """An engine on an empty database of the suite's kind."""
    if not TEST_DATABASE_URL:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield engine
        engine.dispose()
        return
    url = sa.make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


def schema_of(engine: sa.Engine) -> dict:
    inspector = sa.inspect(engine)
    schema = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(table)),
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                                   for f in inspector.get_foreign_keys(table)),
        }
    return schema


def test_upgrade_to_head_on_an_empty_database_equals_the_models(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert migrate.current_revision(empty_engine) == migrate.head_revision()


def test_every_revision_downgrades_and_upgrades_cleanly(empty_engine):
    migrate.upgrade(empty_engine)
    at_head = schema_of(empty_engine)
    revisions = list(ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions())
    assert revisions, "there is at least one migration"
    for revision in revisions:  # newest first: step down one revision at a time, then back up
        migrate.downgrade(empty_engine, revision.down_revision or "base")
        migrate.upgrade(empty_engine, revision.revision)
        migrate.downgrade(empty_engine, revision.down_revision or "base")
    assert set(sa.inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_engine)
    assert schema_of(empty_engine) == at_head


def test_audit_trail_is_append_only_in_the_database(app, db, make_coop):
    coop = make_coop()
    event_id = db.scalar(sa.text("SELECT id FROM audit_event WHERE coop_id = :c"), {"c": coop.id})
    assert event_id is not None
    for statement in ("UPDATE audit_event SET summary = 'rewritten' WHERE id = :i",
                      "DELETE FROM audit_event WHERE id = :i"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.execute(sa.text(statement), {"i": event_id})
        db.rollback()
    assert db.scalar(sa.text("SELECT summary FROM audit_event WHERE id = :i"), {"i": event_id}) != "rewritten"
