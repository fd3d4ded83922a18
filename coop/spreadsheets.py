"""Spreadsheets in and out: what a secretary or a treasurer brings from Excel, and what they take
back to it.

Reading: a file is told apart by its content, not its name. CSV comes in UTF-8 (with or without
BOM), Windows-1252 or Latin-1, separated by commas, semicolons or tabs; XLSX is read with
openpyxl. Text holding control characters (a binary file, UTF-16) is refused as unreadable. The
first non-blank row is the header, blank rows are skipped, and each row keeps its number in the
sheet so a problem can name it. The quote an export puts before a formula-like value is undone.

Writing: CSV in chunks (UTF-8 with BOM, so Excel reads the accents) and XLSX row by row, both
with formula injection defused: text a spreadsheet would run as a formula ("=HYPERLINK(...)")
gets a leading quote in CSV and is stored as plain text in XLSX.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import openpyxl
from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from coop.errors import DomainError

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
UNREADABLE = _l("The file's characters could not be read. Save it as CSV (UTF-8 or Latin-1) or as .xlsx "
                "and send it again.")


@dataclass
class Table:
    """A sheet as read: the header row and the other rows, each with its row number in the sheet."""

    headers: list[object]
    rows: list[tuple[int, list[object]]]
    #: cell values came typed from a spreadsheet (numbers may have lost leading zeros)
    typed: bool = False


def read_table(content: bytes, *, max_rows: int, field: str | None = None, xlsx: bool = True) -> Table:
    """Read a CSV (or, with ``xlsx``, an XLSX) file; ``DomainError`` (on ``field``) when unreadable."""
    if not content.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise DomainError(_l("The file is empty."), field=field)
    if content.startswith(b"PK\x03\x04") and xlsx:
        return _read_xlsx(content, max_rows, field)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(_l("This is an old Excel file (.xls): save it as .xlsx or CSV and send it again."),
                          field=field)
    return _read_csv(decode(content, field=field), max_rows, field)


def decode(content: bytes, *, field: str | None = None) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DomainError(UNREADABLE, field=field)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows writes "CSV" in Windows-1252, Latin-1 with curly quotes; both read here.
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
    if _CONTROL.search(text):
        raise DomainError(UNREADABLE, field=field)
    return text


def _read_csv(text: str, max_rows: int, field: str | None) -> Table:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = _numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    try:
        return _table(rows, typed=False, max_rows=max_rows, field=field)
    except csv.Error:
        raise DomainError(UNREADABLE, field=field) from None


def _read_xlsx(content: bytes, max_rows: int, field: str | None) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) on a damaged file
        raise DomainError(_l("The file could not be read as an Excel workbook (.xlsx)."), field=field) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is really there
        return _table(_numbered(sheet.iter_rows(values_only=True)), typed=True, max_rows=max_rows, field=field)
    finally:
        workbook.close()


def _numbered(rows: Iterable) -> Iterator[tuple[int, list[object]]]:
    for number, cells in enumerate(rows, start=1):
        yield number, [_unescape(cell) for cell in cells]


def _table(rows: Iterator[tuple[int, list[object]]], *, typed: bool, max_rows: int, field: str | None) -> Table:
    """The first non-blank row is the header; blank rows (Excel leaves many) are skipped."""
    headers, body = None, []
    for number, cells in rows:
        if all(cell_text(cell) == "" for cell in cells):
            continue
        if headers is None:
            headers = cells
            continue
        if len(body) >= max_rows:
            raise DomainError(_l("The file has more than %(max)d rows: split it into smaller files.", max=max_rows),
                              field=field)
        body.append((number, cells))
    return Table(headers or [], body, typed)


def _unescape(cell: object) -> object:
    """Undo the quote an export puts before a value that a spreadsheet would run as a formula."""
    if isinstance(cell, str) and len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def cell_text(cell: object) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO, spaces trimmed."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    return str(cell).strip()


# --- writing ---------------------------------------------------------------------------------------

def defused(value: object) -> object:
    """Dates as ISO text; text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not re.match(r"^\+?\d[\d ]*$", value):
        return "'" + value
    return value


def csv_chunks(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text in chunks, UTF-8 with BOM so Excel reads the accents, comma-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def drain() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield "\ufeff" + drain()
    for count, row in enumerate(rows, start=1):
        writer.writerow([defused(value) for value in row])
        if count % 200 == 0:
            yield drain()
    yield drain()


def xlsx_bytes(header: list[str], rows: Iterable[list[object]], *, title: str,
               help_rows: list[tuple[str, str]] | None = None, text_columns: Iterable[int] = ()) -> bytes:
    """An .xlsx workbook written row by row; dates are real dates, text is never a formula.

    ``text_columns`` (0-based) are formatted as text, so 0102030405 keeps its leading zero.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index in text_columns:
        sheet.column_dimensions[get_column_letter(index + 1)].number_format = "@"
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    if help_rows:
        notes = workbook.create_sheet(str(_l("Help"))[:31])
        for line in help_rows:
            notes.append([str(part) for part in line])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _xlsx_cell(sheet, value: object):
    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.number_format = "@"
    return cell
