"""Spreadsheets in and out: what a secretary or treasurer brings from Excel reads whatever its
encoding or separator, and what they take back never runs as a formula."""
from __future__ import annotations

import io

import openpyxl
import pytest

from coop.errors import DomainError
from coop.spreadsheets import cell_text, csv_chunks, read_table, xlsx_bytes


@pytest.mark.parametrize("content", [
    "\ufeffnombre;monto\r\nJosé;12,50\r\n".encode(),
    "nombre,monto\nJosé,\"12,50\"\n".encode("cp1252"),
    "nombre\tmonto\nJosé\t12,50\n".encode("latin-1"),
])
def test_a_csv_reads_whatever_its_encoding_and_separator(content):
    table = read_table(content, max_rows=10)
    assert table.headers == ["nombre", "monto"]
    assert table.rows == [(2, ["José", "12,50"])] and not table.typed


def test_blank_rows_are_skipped_and_rows_keep_their_number_in_the_sheet():
    table = read_table(b"\r\nname\r\n\r\nAna\r\n,\r\nLuis\r\n", max_rows=10)
    assert table.headers == ["name"] and table.rows == [(4, ["Ana"]), (6, ["Luis"])]


@pytest.mark.parametrize("content, reason", [
    (b"", "The file is empty."),
    (b"\x00\x01binary", "could not be read"),
    ("name\n".encode("utf-16"), "could not be read"),
    (b"\xd0\xcf\x11\xe0old", "old Excel file"),
    (b"PK\x03\x04broken", "Excel workbook"),
])
def test_unreadable_files_are_refused_with_a_reason(app, content, reason):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(DomainError) as refused:
        read_table(content, max_rows=10, field="file")
    assert reason in refused.value.text and refused.value.field == "file"


def test_a_file_longer_than_allowed_is_refused(app):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(DomainError, match="more than 2"):
        read_table(b"n\n1\n2\n3\n", max_rows=2)


def test_formulas_written_out_are_defused_and_read_back_as_text(app):
    rows = [["=HYPERLINK(\"http://evil\")", "+593 99 123 4567", "@SUM(A1)", "-5", "Ana"]]
    with app.test_request_context():
        text = "".join(csv_chunks(["a", "b", "c", "d", "e"], rows))
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-5" in text and ",+593 99 123 4567," in text
    back = read_table(text.encode("utf-8"), max_rows=10)
    assert back.rows[0][1][0] == "=HYPERLINK(\"http://evil\")"  # the export's quote is undone on import


def test_an_xlsx_keeps_text_as_text_and_leading_zeros(app):
    with app.test_request_context():
        content = xlsx_bytes(["cedula", "formula"], [["0102030405", "=1+1"]], title="Socios", text_columns=[0])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A2"].value == "0102030405" and sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    table = read_table(content, max_rows=10)
    assert table.typed and table.rows == [(2, ["0102030405", "=1+1"])]


def test_cells_read_as_people_wrote_them():
    import datetime as dt
    assert cell_text(12.0) == "12" and cell_text(None) == "" and cell_text(" x ") == "x"
    assert cell_text(dt.datetime(2026, 3, 1, 10, 30)) == "2026-03-01"
