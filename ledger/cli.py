"""``flask --app wsgi ledger ...``: checking and printing the books from the command line.

``ledger verify --coop SLUG`` re-checks every entry's balance, the account totals and the hash
chain, printing each problem and exiting with 1 on any. ``ledger trial-balance --coop SLUG
[--as-of DATE] [--format text|csv]`` prints the trial balance in exact amounts. ``ledger export
--coop SLUG --format hledger|beancount|csv [--output FILE]`` streams the journal for other tools.
"""
from __future__ import annotations

import csv
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from coop import audit, tenancy
from coop.money import Money, format_money
from ledger import exports, reports

ledger_cli = AppGroup("ledger", help="Check and print the co-op's books.")


def _coop_or_exit(session, slug: str) -> tenancy.Coop:
    coop = tenancy.coop_by_slug(session, slug)
    if coop is None:
        click.echo(f"No co-op with the address {slug!r}.", err=True)
        sys.exit(1)
    return coop


@ledger_cli.command("verify")
@click.option("--coop", "slug", required=True, help="The co-op's web address: /c/<slug>/")
def verify_command(slug: str) -> None:
    """Check every entry's balance, the account totals and the hash chain."""
    with current_app.extensions["coop.db"].unit_of_work(write=False) as session:
        coop = _coop_or_exit(session, slug)
        with force_locale(coop.locale):
            problems = reports.verify_ledger(session, coop)
            entries = reports.count_entries(session, coop)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"Ledger of {slug}: {entries} entries, {len(problems)} problems", err=True)
        sys.exit(1)
    click.echo(f"Ledger of {slug}: {entries} entries, sound")


def _decimal(minor: int, currency: str) -> str:
    return str(Money(minor, currency).to_decimal())


@ledger_cli.command("trial-balance")
@click.option("--coop", "slug", required=True, help="The co-op's web address: /c/<slug>/")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Include entries up to this date.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
def trial_balance_command(slug: str, as_of, fmt: str) -> None:
    """Print the trial balance: each account's debits, credits and balance."""
    with current_app.extensions["coop.db"].unit_of_work(write=False) as session:
        coop = _coop_or_exit(session, slug)
        rows = reports.trial_balance(session, coop, as_of.date() if as_of else None)
        currency, locale = coop.currency, coop.format_locale(coop.locale)
    total_debit, total_credit = sum(r.debit for r in rows), sum(r.credit for r in rows)
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["code", "name", "type", "debit", "credit", "balance"])
        for r in rows:
            writer.writerow([r.code, r.name, r.type.value, _decimal(r.debit, currency),
                             _decimal(r.credit, currency), _decimal(r.balance, currency)])
        writer.writerow(["", "TOTAL", "", _decimal(total_debit, currency), _decimal(total_credit, currency),
                         _decimal(total_debit - total_credit, currency)])
        return
    def money(minor: int) -> str:
        return format_money(Money(minor, currency), locale)

    for r in rows:
        click.echo(f"{r.code:<12} {r.name[:40]:<40} {money(r.debit):>16} {money(r.credit):>16} "
                   f"{money(r.balance):>16}")
    click.echo(f"{'':<12} {'TOTAL':<40} {money(total_debit):>16} {money(total_credit):>16} "
               f"{money(total_debit - total_credit):>16}")


@ledger_cli.command("export")
@click.option("--coop", "slug", required=True, help="The co-op's web address: /c/<slug>/")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of the standard output.")
def export_command(slug: str, fmt: str, output: str | None) -> None:
    """Export the journal for hledger, beancount or a spreadsheet, written as it is read."""
    db = current_app.extensions["coop.db"]
    with db.unit_of_work(write=False) as session:
        coop = _coop_or_exit(session, slug)
        entries = exports.last_number(session, coop)
        with force_locale(coop.locale):
            header = [str(label) for label in exports.CSV_HEADER]
        audit.record_apart(db, coop=coop, action="export.ledger",
                           summary=f"{fmt}; n={entries}; command line")
        chunks = exports.export_chunks(session, coop, fmt, csv_header=header, up_to=entries)
        if output is None:
            for chunk in chunks:
                click.echo(chunk, nl=False)
        else:
            # newline="" keeps the CSV's own line endings
            with open(output, "w", encoding="utf-8", newline="") as target:
                for chunk in chunks:
                    target.write(chunk)
            click.echo(f"Journal of {slug} ({entries} entries) written to {output}", err=True)
