"""Export of the register to CSV and XLSX, and the import templates, in the import's columns.

An export re-imports: it has the same column names (in the reader's language) as the template
of ``members.imports``. Rows are read in batches of 500 and written as they come, so a register
of any size takes constant memory. Text that a spreadsheet would run as a formula is neutralised.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop import spreadsheets
from coop.tenancy import Coop
from members import reports
from members.imports import (COLUMN_HELP, DOCUMENT_NAMES, FORM_OF_ADDRESS_NAMES, HEADER_WORDS, NUMBER_COLUMN,
                             STATUS_NAMES, TEXT_COLUMNS, column_names, header_key)
from members.models import Household, Lot


def describe_query(query: reports.DirectoryQuery) -> str:
    """The export's filters as data, for the audit trail."""
    parts = [f"q={query.text}" if query.text else "", f"status={query.status.value}" if query.status else "",
             f"household={query.household_id}" if query.household_id else "",
             f"block={query.block}" if query.block else ""]
    return "; ".join(p for p in parts if p)


def export_header(language: str, *, personal: bool) -> list[str]:
    number = NUMBER_COLUMN[1] if language == "es" else NUMBER_COLUMN[0]
    return [number] + [header for _key, header in column_names(language, personal=personal)]


def export_rows(session: so.Session, coop: Coop, query: reports.DirectoryQuery, *, language: str,
                personal: bool) -> Iterator[list[object]]:
    """The register as rows of the import's columns, read in batches of 500 (constant memory)."""
    word = 1 if language == "es" else 0
    keys = [key for key, _header in column_names(language, personal=personal)]
    for batch in reports.all_members(session, coop, query).partitions():
        household_ids = {m.household_id for m in batch if m.household_id}
        names, lots = {}, {}
        if household_ids:
            names = dict(session.execute(sa.select(Household.id, Household.name)
                                         .where(Household.id.in_(household_ids))).all())
            for household_id, block, number in session.execute(
                    sa.select(Lot.household_id, Lot.block, Lot.number).where(Lot.household_id.in_(household_ids))
                    .order_by(Lot.block, Lot.number)):
                lots.setdefault(household_id, (block, number))  # one lot per row: the household's first
        for member in batch:
            block, lot = lots.get(member.household_id, ("", ""))
            values = {"given_names": member.given_names, "family_names": member.family_names,
                      "document_type": DOCUMENT_NAMES[member.document_type][word],
                      "document_number": member.document_number, "birth_date": member.birth_date,
                      "email": member.email or "", "phone": member.phone, "address": member.address,
                      "join_date": member.join_date, "status": STATUS_NAMES[member.status][word],
                      "household": names.get(member.household_id, ""), "block": block, "lot": lot,
                      "form_of_address": FORM_OF_ADDRESS_NAMES[member.form_of_address][word]}
            yield [member.number] + [values[key] for key in keys]


def text_columns(header: list[str]) -> list[int]:
    """The columns a spreadsheet must keep as text (0102030405 keeps its leading zero)."""
    return [index for index, name in enumerate(header) if HEADER_WORDS.get(header_key(name)) in TEXT_COLUMNS]


def xlsx_bytes(header: list[str], rows: Iterable[list[object]], *, title: str,
               help_rows: list[tuple[str, str]] | None = None) -> bytes:
    """The register (or its template) as an .xlsx workbook, its text columns kept as text."""
    return spreadsheets.xlsx_bytes(header, rows, title=title, help_rows=help_rows, text_columns=text_columns(header))


def template_help(language: str) -> list[tuple[str, str]]:
    return [(header, str(COLUMN_HELP[key])) for key, header in column_names(language)]

