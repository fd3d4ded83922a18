"""Alembic environment: migrates the connection handed over by ``coop.migrate``, or, when run
as ``alembic`` from the command line, the database of the app configured by COOP_ENV."""
from alembic import context

import coop.models  # noqa: F401  (the kernel's models)
import ledger.models  # noqa: F401
import members.models  # noqa: F401
import minga.models  # noqa: F401
import meetings.models  # noqa: F401
import meetings.observatory.models  # noqa: F401
from coop.db import Base, is_sqlite

target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      render_as_batch=is_sqlite(connection.engine))
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from coop.app import create_app

    engine = create_app().extensions["coop.db"].engine
    with engine.execution_options(coop_write=True).begin() as own_connection:
        run_migrations(own_connection)
