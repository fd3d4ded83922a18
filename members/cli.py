"""``flask --app wsgi members ...``: the member register from the command line.

``members import --coop SLUG FILE [--dry-run]`` checks a whole file like the import page does,
prints one line per problem and exits with 1 when any row is bad; a clean file is saved in the
command's one unit of work, unless ``--dry-run`` only checks it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from coop import tenancy
from coop.calendar import today_in
from members import imports

members_cli = AppGroup("members", help="Keep the member register.")


@members_cli.command("import")
@click.option("--coop", "slug", required=True, help="The co-op's web address: /c/<slug>/")
@click.option("--dry-run", is_flag=True, help="Only check the file; save nothing.")
@click.option("--language", type=click.Choice(tenancy.LOCALES), help="Language of the report (default: the co-op's).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(slug: str, file: Path, dry_run: bool, language: str | None) -> None:
    """Import members from a CSV or XLSX FILE (all rows or none)."""
    database = current_app.extensions["coop.db"]
    content = file.read_bytes()
    with database.unit_of_work(write=not dry_run) as session:
        coop = tenancy.coop_by_slug(session, slug)
        if coop is None:
            click.echo(f"No co-op with the address {slug!r}.", err=True)
            sys.exit(1)
        with force_locale(language or coop.locale):
            plan = imports.check_import(session, coop, content, today=today_in(coop))
            for note in plan.notes:
                click.echo(str(note))
            if plan.problems:
                _report_problems(plan)
                sys.exit(1)
            if dry_run:
                click.echo(ngettext("The file is correct: %(num)d member would be imported.",
                                    "The file is correct: %(num)d members would be imported.", len(plan.rows)))
                return
            result = imports.save_members(session, None, coop, plan, filename=file.name)
            click.echo(ngettext("Imported %(num)d member (no. %(first)d to %(last)d).",
                                "Imported %(num)d members (no. %(first)d to %(last)d).", result.members,
                                first=result.first_number, last=result.last_number))


def _report_problems(plan: imports.ImportPlan) -> None:
    for problem in plan.problems:
        if problem.row is None:
            click.echo(str(problem.message), err=True)
        elif problem.column:
            click.echo(_("Row %(row)d, %(column)s: %(problem)s", row=problem.row, column=problem.column,
                         problem=problem.message), err=True)
        else:
            click.echo(_("Row %(row)d: %(problem)s", row=problem.row, problem=problem.message), err=True)
    if plan.columns_ok:
        click.echo(ngettext("%(num)d row has problems; nothing was imported.",
                            "%(num)d rows have problems; nothing was imported.", plan.bad_rows), err=True)
    else:
        click.echo(_("Nothing was imported."), err=True)
