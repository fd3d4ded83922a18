"""`flask --app wsgi coop ...`: set-up, the demo co-op and its log-ins, co-ops and administrators."""
from __future__ import annotations

import re

import sqlalchemy as sa

from coop import demo, migrate, tenancy
from coop.app import create_app
from coop.auth.models import User
from coop.tenancy import Coop, Role
from tests.conftest import TEST_DATABASE_URL, log_in, text_of


def test_init_creates_the_schema_on_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    app = create_app("testing", {"DATABASE_URL": url})
    try:
        result = app.test_cli_runner().invoke(args=["coop", "init"])
        assert result.exit_code == 0, result.output
        assert migrate.head_revision() in result.output
        tables = sa.inspect(app.extensions["coop.db"].engine).get_table_names()
        assert {"coop", "user_account", "audit_event", "outbox_message", "job_run"} <= set(tables)
        again = app.test_cli_runner().invoke(args=["coop", "init"])
        assert again.exit_code == 0 and "(was" not in again.output
    finally:
        app.extensions["coop.db"].engine.dispose()


def demo_log_ins(output: str) -> tuple[str, list[str]]:
    """The shared password and the e-mails ``flask coop demo`` printed."""
    password = re.search(r"password for all: (\S+)\)", output).group(1)
    return password, re.findall(r"^\s+\S.*?\s(\S+@\S+)\s", output, flags=re.M)


def test_demo_prints_log_ins_that_work_for_every_role(demo_app, demo_db, demo_output):
    # demo_output is what `flask coop demo` printed when the session's demo template was built
    assert f"Loaded the demo co-op {demo.DEMO_NAME}" in demo_output
    password, emails = demo_log_ins(demo_output)
    assert len(emails) == len(demo.DEMO_PEOPLE) + 1
    coop = tenancy.coop_by_slug(demo_db, demo.DEMO_SLUG)
    assert coop.is_demo and coop.name == "Cooperativa de Vivienda Quebrada Verde"
    for role, _name, email in demo.DEMO_PEOPLE:
        assert email in emails
        client = demo_app.test_client()
        assert log_in(client, email, password).status_code == 302
        user = demo_db.scalar(sa.select(User).where(User.email == email))
        assert role in tenancy.roles_of(demo_db, user, coop)
        assert coop.name in text_of(client.get(f"/c/{coop.slug}/"))
    operator = demo_app.test_client()
    assert log_in(operator, demo.OPERATOR_EMAIL, password).status_code == 302
    assert operator.get("/platform/coops").status_code == 200


def test_demo_loads_only_into_an_empty_database(demo_app, demo_db, demo_output):
    assert "Loaded the demo co-op" in demo_output  # the session's build, into an empty database
    runner = demo_app.test_cli_runner()
    second = runner.invoke(args=["coop", "demo"])
    assert second.exit_code == 1 and "only into an empty one" in second.output
    again = runner.invoke(args=["coop", "demo", "--if-empty"])
    assert again.exit_code == 0 and "Demo log-ins" in again.output
    assert "was not loaded again" in again.output
    assert demo_log_ins(again.output) == demo_log_ins(demo_output)
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(Coop)) == 1


def test_create_coop_and_its_administrator_from_the_command_line(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["coop", "create-coop", "--name", "Cooperativa El Ejido", "--slug", "el-ejido"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["coop", "create-admin", "--email", "Jefa@Example.org", "--name", "Luz",
                                 "--coop", "el-ejido", "--password", "una clave larga"])
    assert result.exit_code == 0, result.output
    coop = tenancy.coop_by_slug(db, "el-ejido")
    user = db.scalar(sa.select(User).where(User.email == "jefa@example.org"))
    assert tenancy.roles_of(db, user, coop) == frozenset({Role.ADMIN})
    assert log_in(app.test_client(), "jefa@example.org", "una clave larga").status_code == 302


def test_command_line_errors_are_clear_and_save_nothing(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["coop", "create-coop", "--name", "X", "--slug", "Not A Slug"])
    assert result.exit_code == 1 and "slug" in result.output
    result = runner.invoke(args=["coop", "create-admin", "--email", "a@example.org", "--coop", "nowhere",
                                 "--password", "una clave larga"])
    assert result.exit_code == 1 and "nowhere" in result.output
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Coop)) == 0


def test_platform_operator_from_the_command_line(app, db):
    result = app.test_cli_runner().invoke(args=["coop", "create-admin", "--email", "op@example.org",
                                                "--platform", "--password", "una clave larga"])
    assert result.exit_code == 0, result.output
    assert db.scalar(sa.select(User.is_platform_admin).where(User.email == "op@example.org")) is True


def test_run_job_from_the_command_line_is_recorded(app):
    result = app.test_cli_runner().invoke(args=["coop", "run-job", "auth.purge"])
    assert result.exit_code == 0, result.output
    assert "success" in result.output


def test_the_suite_database_kind_is_reported(app):
    backend = app.extensions["coop.db"].engine.url.get_backend_name()
    assert backend == ("postgresql" if TEST_DATABASE_URL else "sqlite")
