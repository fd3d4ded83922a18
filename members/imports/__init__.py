"""Importing the member register from a spreadsheet.

A secretary brings the register the co-op kept in Excel for years. The file (read by
``coop.spreadsheets``: CSV in any common encoding and separator, or XLSX) is checked whole, and
every bad row is reported with its row number, column and reason; only a file without a single
bad row is saved, in one transaction, as a background task with its progress shown. The package
is split by step: ``columns`` (the file's vocabulary, shared with the export), ``checking``
(nothing written), ``saving`` (bulk inserts, one gapless block of numbers) and ``task`` (the
draft, its confirmation and the background run).
"""
from members.imports.checking import (ImportPlan, ImportRow, LotPlan, Problem, check_import, check_register,
                                      check_rows)
from members.imports.columns import (COLUMN_HELP, COLUMNS, DOCUMENT_NAMES, FORM_OF_ADDRESS_NAMES, HEADER_WORDS,
                                     IMPORT_KIND, MAX_ROWS, NUMBER_COLUMN, PERSONAL, REQUIRED, STATUS_NAMES,
                                     TEXT_COLUMNS, column_names, header_key)
from members.imports.saving import ImportResult, next_member_number, save_members
from members.imports.task import confirm_import, run_import, store_upload, stored_import

__all__ = ["COLUMNS", "COLUMN_HELP", "DOCUMENT_NAMES", "FORM_OF_ADDRESS_NAMES", "HEADER_WORDS", "IMPORT_KIND",
           "MAX_ROWS", "NUMBER_COLUMN",
           "PERSONAL", "REQUIRED", "STATUS_NAMES", "TEXT_COLUMNS", "ImportPlan", "ImportResult", "ImportRow", "LotPlan",
           "Problem", "check_import", "check_register", "check_rows", "column_names", "confirm_import",
           "header_key", "next_member_number", "run_import", "save_members", "store_upload", "stored_import"]
