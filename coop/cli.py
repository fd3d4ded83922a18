"""``flask --app wsgi coop ...``: set-up, demo data, accounts, co-ops and the scheduler.

Each command is one unit of work: it commits once at the end, or changes nothing.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from coop import demo, migrate, scheduler, tasks, tenancy
from coop.auth import services as auth
from coop.errors import DomainError
from coop.tenancy import Role

coop_cli = AppGroup("coop", help="Set up and run an Ayllu site.")


def _database():
    return current_app.extensions["coop.db"]


def _fail(error: DomainError) -> None:
    field = f" ({error.field})" if error.field else ""
    click.echo(f"Error{field}: {error.message}", err=True)
    sys.exit(1)


@coop_cli.command("init")
def init_command() -> None:
    """Create the database schema, or upgrade it to the latest migration."""
    engine = _database().engine
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    click.echo(f"Database at revision {after}" + ("" if before == after else f" (was {before})"))


@coop_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; always print log-ins.")
def demo_command(if_empty: bool) -> None:
    """Load the demo co-op "Cooperativa de Vivienda Quebrada Verde"."""
    with _database().unit_of_work() as session:
        if not demo.is_empty(session):
            if not if_empty:
                click.echo("The database already holds co-ops; the demo loads only into an empty one.",
                           err=True)
                sys.exit(1)
            click.echo("The database already holds data; the demo was not loaded again.")
        else:
            coop = demo.load_demo(session)
            click.echo(f"Loaded the demo co-op {coop.name} at /c/{coop.slug}/")
    click.echo(f"\nDemo log-ins (password for all: {demo.DEMO_PASSWORD}):")
    for login in demo.demo_logins():
        click.echo(f"  {login.role:<24} {login.email:<38} {login.name}")


@coop_cli.command("create-coop")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="The web address: /c/<slug>/")
@click.option("--currency", default="USD", show_default=True)
@click.option("--locale", default="es", show_default=True, type=click.Choice(tenancy.LOCALES))
@click.option("--country", default="EC", show_default=True)
@click.option("--timezone", default="America/Guayaquil", show_default=True)
def create_coop_command(name, slug, currency, locale, country, timezone) -> None:
    """Open a new co-op (then give it an administrator with create-admin)."""
    try:
        with _database().unit_of_work() as session:
            tenancy.create_coop(session, None, name=name, slug=slug, currency=currency.upper(),
                                locale=locale, country=country.upper(), timezone=timezone)
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {name} at /c/{slug}/")


@coop_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="", help="Needed when the account does not exist yet.")
@click.option("--coop", "slug", help="Make the user an administrator of this co-op.")
@click.option("--platform", is_flag=True, help="Make the user a platform operator.")
@click.password_option(help="Asked for when the account does not exist yet.", required=False,
                       prompt=False)
def create_admin_command(email, name, slug, platform, password) -> None:
    """Create (or promote) an administrator of a co-op, or a platform operator."""
    if not slug and not platform:
        click.echo("Give --coop SLUG, --platform, or both.", err=True)
        sys.exit(2)
    try:
        with _database().unit_of_work() as session:
            user = auth.user_by_email(session, email)
            if user is None:
                if not password:
                    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
                user = auth.create_user(session, email=email, name=name or email, password=password,
                                        min_length=current_app.config["PASSWORD_MIN_LENGTH"])
            if platform:
                user.is_platform_admin = True
            if slug:
                coop = tenancy.coop_by_slug(session, slug)
                if coop is None:
                    click.echo(f"No co-op with the address {slug!r}.", err=True)
                    sys.exit(1)
                tenancy.grant_role(session, None, coop, user, Role.ADMIN)
    except DomainError as error:
        _fail(error)
    click.echo(f"{email} is now " + " and ".join(
        ([f"administrator of {slug}"] if slug else []) + (["a platform operator"] if platform else [])))


@coop_cli.command("run-job")
@click.argument("job_id")
def run_job_command(job_id: str) -> None:
    """Run one scheduled job now (under the same lock as the scheduler)."""
    if job_id not in scheduler.REGISTRY:
        click.echo(f"No job {job_id!r}; the jobs are: {', '.join(sorted(scheduler.REGISTRY))}", err=True)
        sys.exit(2)
    run = scheduler.run_job(current_app._get_current_object(), job_id)
    if run is None:
        click.echo("The job is running elsewhere; nothing done.")
        sys.exit(1)
    click.echo(f"{job_id}: {run.outcome.value} - {run.detail}")
    sys.exit(0 if run.outcome is scheduler.JobOutcome.SUCCESS else 1)


@coop_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduled jobs in this process until stopped (production: its own service)."""
    app = current_app._get_current_object()
    blocking = scheduler.build_scheduler(app, blocking=True)
    worker = tasks.Worker(app, poll_seconds=app.config["TASKS_POLL_SECONDS"])
    worker.start()
    click.echo("Scheduler running jobs: " + ", ".join(sorted(scheduler.REGISTRY)))
    click.echo(f"Task worker looking for queued tasks every {app.config['TASKS_POLL_SECONDS']} s.")
    try:
        blocking.start()
    except (KeyboardInterrupt, SystemExit):
        worker.stopped.set()
        click.echo("Scheduler stopped.")


@coop_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Development server, with the scheduler in-process when SCHEDULER_IN_PROCESS is on."""
    app = current_app._get_current_object()
    if app.config["SCHEDULER_IN_PROCESS"]:
        background = scheduler.build_scheduler(app, blocking=False)
        background.start()
        click.echo("Scheduler running in-process.")
    run_simple(host, port, app, threaded=True, use_reloader=False)
