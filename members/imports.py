"""Importing the member register from a spreadsheet, and exporting it to one.

A secretary brings the register the co-op kept in Excel for years. The file (CSV in UTF-8 or
Latin-1, comma or semicolon, with or without BOM; or XLSX) is read whole, every row is checked
with the rules of ``members.services`` and against the register, and every bad row is reported
with its row number, column and reason. Only a file without a single bad row is saved, in one
transaction. Checks are batched (one query each for the co-op's document numbers, households and
lots) and members are inserted in bulk, so 5,000 rows take seconds; numbers still come from
``coop.numbering`` as one gapless block. An import too big for a request is kept in
``generated_document`` and run in the background with its progress recorded. An export uses the
same column names, so an exported register imports again.

This module is over the usual length because reading, checking, saving and exporting share one
vocabulary (columns, status and document names); split, each part would import the others.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import openpyxl
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, numbering
from coop.auth.models import User
from coop.db import Database, utcnow
from coop.documents import DocumentStatus, GeneratedDocument
from coop.errors import DomainError
from coop.numbering import CoopCounter
from coop.tenancy import Coop, today_in
from members.models import (DocumentType, Household, Lot, LotAssignment, Member, MemberStatus,
                            MemberStatusChange)
from members.services import MEMBER_SERIES, check_document, check_email, check_past_date, fold

log = logging.getLogger("coop.members.imports")

IMPORT_KIND = "members.import"
MAX_ROWS = 20_000
PROGRESS_EVERY = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

audit.describe("member.import", _l("Members imported from a file"))
audit.describe("export.register", _l("Register exported"))

# --- the file's vocabulary -----------------------------------------------------------------
# Column, status and document names are the file's own words in both languages (not translated
# text): a file written in Spanish imports for an English-speaking secretary and back.

#: column key (its English name) -> its Spanish name, in the template's order
COLUMNS = {
    "given_names": "nombres", "family_names": "apellidos", "document_type": "tipo_documento",
    "document_number": "numero_documento", "birth_date": "fecha_nacimiento", "email": "correo",
    "phone": "telefono", "address": "direccion", "join_date": "fecha_ingreso", "status": "estado",
    "household": "familia", "block": "manzana", "lot": "lote",
}
REQUIRED = ("given_names", "family_names", "document_number", "join_date")
#: columns an exporter sees only with Permission.VIEW_PERSONAL_DATA
PERSONAL = ("document_type", "document_number", "birth_date", "email", "phone", "address")
#: the export's first column; an import reads it but numbers members from the co-op's counter
NUMBER_COLUMN = ("member_number", "numero_socio")
#: columns a spreadsheet must keep as text
TEXT_COLUMNS = ("document_number", "phone", "block", "lot")
LENGTHS = {"given_names": 120, "family_names": 120, "phone": 40, "address": 500, "household": 200, "block": 20,
           "lot": 20}

COLUMN_HELP = {
    "given_names": _l("Given names (required)."),
    "family_names": _l("Family names (required)."),
    "document_type": _l("cedula, ruc or passport; empty means cédula."),
    "document_number": _l("Number of the identity document (required); a cédula has ten digits."),
    "birth_date": _l("Birth date, as YYYY-MM-DD or DD/MM/YYYY."),
    "email": _l("E-mail address."),
    "phone": _l("Phone number."),
    "address": _l("Address."),
    "join_date": _l("Date the member joined (required), as YYYY-MM-DD or DD/MM/YYYY."),
    "status": _l("active, applicant, suspended, withdrawn, excluded or deceased; empty means active."),
    "household": _l("Name of the household; it is created if the co-op does not have it yet."),
    "block": _l("Block of the household's lot (with the lot column)."),
    "lot": _l("Lot within the block; created if missing and assigned to the household from the join date."),
}

STATUS_NAMES = {
    MemberStatus.ACTIVE: ("active", "activo"), MemberStatus.APPLICANT: ("applicant", "aspirante"),
    MemberStatus.SUSPENDED: ("suspended", "suspendido"), MemberStatus.WITHDRAWN: ("withdrawn", "retirado"),
    MemberStatus.EXCLUDED: ("excluded", "excluido"), MemberStatus.DECEASED: ("deceased", "fallecido"),
}
DOCUMENT_NAMES = {DocumentType.CEDULA: ("cedula", "cédula"), DocumentType.RUC: ("ruc", "ruc"),
                  DocumentType.PASSPORT: ("passport", "pasaporte")}
_STATUS_WORDS = {fold(word): status for status, words in STATUS_NAMES.items() for word in words} | {
    "activa": MemberStatus.ACTIVE, "suspendida": MemberStatus.SUSPENDED, "retirada": MemberStatus.WITHDRAWN,
    "excluida": MemberStatus.EXCLUDED, "fallecida": MemberStatus.DECEASED}
_DOCUMENT_WORDS = {fold(word): kind for kind, words in DOCUMENT_NAMES.items() for word in words} | {
    "ci": DocumentType.CEDULA}


def header_key(text: object) -> str:
    """A header as compared: no case, accents or punctuation ("Número de documento" -> numero_de_documento)."""
    return re.sub(r"[^a-z0-9]+", "_", fold(str(text or ""))).strip("_")


HEADER_WORDS = {header_key(name): key for key, spanish in COLUMNS.items() for name in (key, spanish)} | {
    "numero_de_documento": "document_number", "tipo_de_documento": "document_type",
    "fecha_de_nacimiento": "birth_date", "fecha_de_ingreso": "join_date", "correo_electronico": "email",
    "e_mail": "email", **{name: "member_number" for name in NUMBER_COLUMN}}


def column_names(language: str, *, personal: bool = True) -> list[tuple[str, str]]:
    """(key, header) of the template's columns in the reader's language."""
    return [(key, spanish if language == "es" else key) for key, spanish in COLUMNS.items()
            if personal or key not in PERSONAL]


# --- reading a file ------------------------------------------------------------------------

@dataclass
class Table:
    """A sheet as read: the header row and the other rows, each with its spreadsheet row number."""

    headers: list[object]
    rows: list[tuple[int, list[object]]]
    #: cell values came typed from a spreadsheet (numbers may have lost leading zeros)
    typed: bool = False


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNREADABLE = _l("The file's characters could not be read. Save it as CSV (UTF-8 or Latin-1) or as .xlsx "
                 "and send it again.")


def read_table(content: bytes) -> Table:
    """Read a CSV or XLSX file (told apart by content, not by name); raises DomainError when unreadable."""
    if not content.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise DomainError(_l("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        table = _read_xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(_l("This is an old Excel file (.xls): save it as .xlsx or CSV and send it again."))
    else:
        table = _read_csv(_decode(content))
    if not table.rows:
        raise DomainError(_l("The file has no members: only a header row, or nothing at all."))
    return table


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DomainError(_UNREADABLE)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows writes "CSV" in Windows-1252, Latin-1 with curly quotes; both read here.
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
    if _CONTROL.search(text):
        raise DomainError(_UNREADABLE)
    return text


def _read_csv(text: str) -> Table:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = _numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    try:
        return _table(rows, typed=False)
    except csv.Error:
        raise DomainError(_UNREADABLE) from None


def _read_xlsx(content: bytes) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) on a damaged file
        raise DomainError(_l("The file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is really there
        return _table(_numbered(sheet.iter_rows(values_only=True)), typed=True)
    finally:
        workbook.close()


def _numbered(rows: Iterable) -> Iterator[tuple[int, list[object]]]:
    for number, cells in enumerate(rows, start=1):
        yield number, [_unescape(cell) for cell in cells]


def _table(rows: Iterator[tuple[int, list[object]]], *, typed: bool) -> Table:
    """The first non-blank row is the header; blank rows (Excel leaves many) are skipped."""
    headers, body = None, []
    for number, cells in rows:
        if all(_text(cell) == "" for cell in cells):
            continue
        if headers is None:
            headers = cells
            continue
        if len(body) >= MAX_ROWS:
            raise DomainError(_l("The file has more than %(max)d rows: split it into smaller files.", max=MAX_ROWS))
        body.append((number, cells))
    return Table(headers or [], body, typed)


def _unescape(cell: object) -> object:
    """Undo the quote an export puts before a value that a spreadsheet would run as a formula."""
    if isinstance(cell, str) and len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    return str(cell).strip()


# --- checking ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Why one row (or the whole file, when ``row`` is None) cannot be imported."""

    row: int | None
    #: the column's header as written in the file ('' for the whole row or file)
    column: str
    message: str


@dataclass
class ImportRow:
    """One member as read from the file, cleaned; fields that failed a check stay empty."""

    row: int
    given_names: str = ""
    family_names: str = ""
    document_type: DocumentType = DocumentType.CEDULA
    document_number: str | None = None
    birth_date: dt.date | None = None
    join_date: dt.date | None = None
    email: str | None = None
    phone: str = ""
    address: str = ""
    status: MemberStatus = MemberStatus.ACTIVE
    household: str = ""
    block: str = ""
    lot: str = ""

    @property
    def lot_key(self) -> tuple[str, str] | None:
        return (self.block, self.lot) if self.block and self.lot else None


@dataclass
class LotPlan:
    """What the import does to one lot named in the file."""

    block: str
    number: str
    household: str  # folded household name
    from_date: dt.date
    row: int  # the first row that names it
    lot_id: int | None = None  # None: the lot is created
    assign: bool = True  # False: already assigned to this household


@dataclass
class ImportPlan:
    """The whole file checked: its rows, every problem, and what saving it would create."""

    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: key -> the header as written in the file
    headers: dict[str, str] = field(default_factory=dict)
    columns_ok: bool = True
    #: folded name -> id of an existing household / name of one to create
    households: dict[str, int] = field(default_factory=dict)
    new_households: dict[str, str] = field(default_factory=dict)
    lots: dict[tuple[str, str], LotPlan] = field(default_factory=dict)
    #: household id -> labels of its lots already in the register (for search text)
    household_lots: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})

    @property
    def new_lots(self) -> int:
        return sum(1 for lot in self.lots.values() if lot.lot_id is None)

    def problem(self, row: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(row, self.headers.get(key, ""), message))


Progress = Callable[[int, int], None]


def check_import(session: so.Session, coop: Coop, content: bytes, *, today: dt.date,
                 progress: Progress | None = None) -> ImportPlan:
    """Read and check a whole file against the rules and the register; nothing is written."""
    try:
        table = read_table(content)
    except DomainError as error:
        return ImportPlan(problems=[Problem(None, "", error.text)], columns_ok=False)
    plan = check_rows(table, today=today, language=coop.locale, progress=progress)
    if plan.columns_ok:
        check_register(session, coop, plan)
    return plan


def check_rows(table: Table, *, today: dt.date, language: str = "es",
               progress: Progress | None = None) -> ImportPlan:
    """Check the columns, then every row on its own and against the other rows (no database)."""
    plan = ImportPlan()
    keys = _check_columns(plan, table.headers, language)
    if not plan.columns_ok:
        return plan
    documents: dict[str, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = _check_row(plan, number, keys, cells, today, typed=table.typed)
        plan.rows.append(row)
        if row.document_number:
            if row.document_number in documents:
                plan.problem(number, "document_number", _l("The same document number is on row %(row)d.",
                                                           row=documents[row.document_number]))
            documents.setdefault(row.document_number, number)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(table.rows))
    _plan_lots(plan)
    plan.problems.sort(key=lambda p: p.row or 0)
    if progress:
        progress(len(table.rows), len(table.rows))
    return plan


def _check_columns(plan: ImportPlan, headers: list[object], language: str) -> dict[int, str]:
    keys: dict[int, str] = {}
    for index, header in enumerate(headers):
        text = _text(header)
        if not text:
            continue
        key = HEADER_WORDS.get(header_key(text))
        if key is None:
            plan.problems.append(Problem(1, text, _l("This column is unknown.")))
        elif key in plan.headers:
            plan.problems.append(Problem(1, text, _l("This column appears twice.")))
        else:
            plan.headers[key] = text
            keys[index] = key
    for key in REQUIRED:
        if key not in plan.headers:
            name = COLUMNS[key] if language == "es" else key
            plan.problems.append(Problem(1, name, _l("This column is missing.")))
    if ("block" in plan.headers) != ("lot" in plan.headers):
        plan.problems.append(Problem(1, plan.headers.get("block") or plan.headers.get("lot", ""),
                                     _l("Block and lot go together: give both columns or neither.")))
    if "member_number" in plan.headers:
        plan.notes.append(_l("The member numbers in the file are not used: new members are numbered "
                             "after the co-op's last number."))
    plan.columns_ok = not plan.problems
    return keys


def _check_row(plan: ImportPlan, number: int, keys: dict[int, str], cells: list[object], today: dt.date,
               *, typed: bool) -> ImportRow:
    values = {keys[index]: cell for index, cell in enumerate(cells) if index in keys}
    if any(_text(cell) for index, cell in enumerate(cells) if index not in keys):
        plan.problems.append(Problem(number, "", _l("There is a value in a column without a name.")))
    row, failed = ImportRow(number), set()

    def check(key: str, rule: Callable[[object], object]) -> None:
        try:
            setattr(row, key, rule(values.get(key)))
        except DomainError as error:
            plan.problem(number, key, error.text)
            failed.add(key)

    check("given_names", lambda v: _name(v, _l("Write the given names.")))
    check("family_names", lambda v: _name(v, _l("Write the family names.")))
    check("document_type", _document_type)
    if "document_type" not in failed:  # a number is checked by the rules of its kind of document
        check("document_number", lambda v: _document(v, row.document_type, typed=typed))
    check("birth_date", lambda v: _date(v, today, required=False))
    check("join_date", lambda v: _date(v, today, required=True))
    if row.birth_date and row.join_date and row.join_date < row.birth_date:
        plan.problem(number, "join_date", _l("The member cannot join before being born."))
    check("email", lambda v: check_email(_text(v)))
    check("phone", lambda v: _limited(v, LENGTHS["phone"]))
    check("address", lambda v: _limited(v, LENGTHS["address"]))
    check("status", _status)
    check("household", lambda v: _limited(" ".join(_text(v).split()), LENGTHS["household"]))
    check("block", lambda v: _limited(v, LENGTHS["block"]).upper())
    check("lot", lambda v: _limited(v, LENGTHS["lot"]).upper())
    has_block, has_lot = bool(_text(values.get("block"))), bool(_text(values.get("lot")))
    if has_block != has_lot:
        plan.problem(number, "lot" if has_block else "block", _l("Write both the block and the lot, or neither."))
    elif row.lot and not row.household:
        plan.problem(number, "household", _l("A lot is assigned to a household: write the household too."))
    return row


def _limited(value: object, length: int) -> str:
    text = _text(value)
    if len(text) > length:
        raise DomainError(_l("At most %(max)d characters.", max=length))
    return text


def _name(value: object, missing: str) -> str:
    text = " ".join(_limited(value, LENGTHS["given_names"]).split())
    if not text:
        raise DomainError(missing)
    return text


def _document_type(value: object) -> DocumentType:
    text = fold(_text(value))
    if not text:
        return DocumentType.CEDULA
    if text not in _DOCUMENT_WORDS:
        raise DomainError(_l("Unknown document type: write cédula, RUC or passport."))
    return _DOCUMENT_WORDS[text]


def _document(value: object, document_type: DocumentType, *, typed: bool) -> str:
    text = _text(value)
    if typed and isinstance(value, (int, float)):
        # a spreadsheet that took the number for a quantity dropped its leading zero
        text = text.zfill({DocumentType.CEDULA: 10, DocumentType.RUC: 13}.get(document_type, 0))
    return check_document(document_type, text)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _date(value: object, today: dt.date, *, required: bool) -> dt.date | None:
    if isinstance(value, dt.datetime):
        parsed = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    else:
        parsed = _parse_date(_text(value))
    check_past_date(parsed, "", today, required=required)
    return parsed


def _parse_date(text: str) -> dt.date | None:
    if not text:
        return None
    iso, dmy = _ISO_DATE.match(text), _DMY_DATE.match(text)
    if not iso and not dmy:
        raise DomainError(_l("Write the date as YYYY-MM-DD or DD/MM/YYYY."))
    year, month, day = (iso.groups()[:3] if iso else reversed(dmy.groups()))
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise DomainError(_l("This date does not exist.")) from None


def _status(value: object) -> MemberStatus:
    text = fold(_text(value))
    if not text:
        return MemberStatus.ACTIVE
    if text not in _STATUS_WORDS:
        raise DomainError(_l("Unknown status: write active, applicant, suspended, withdrawn, excluded or deceased."))
    return _STATUS_WORDS[text]


def _plan_lots(plan: ImportPlan) -> None:
    """Each lot goes to one household, from the earliest join date among its rows."""
    for row in plan.rows:
        if row.lot_key is None or not row.household:
            continue
        household = fold(row.household)
        lot = plan.lots.get(row.lot_key)
        if lot is None:
            plan.lots[row.lot_key] = LotPlan(row.block, row.lot, household, row.join_date or dt.date.max, row.row)
        elif lot.household != household:
            plan.problem(row.row, "lot", _l("Lot %(label)s is given to another household on row %(row)d.",
                                            label=f"{row.block}-{row.lot}", row=lot.row))
        elif row.join_date and row.join_date < lot.from_date:
            lot.from_date = row.join_date


def check_register(session: so.Session, coop: Coop, plan: ImportPlan) -> None:
    """Check the rows against the co-op's register with three queries, whatever the file's size."""
    taken = dict(session.execute(sa.select(Member.document_number, Member.number)
                                 .where(Member.coop_id == coop.id)).all())
    for row in plan.rows:
        if row.document_number in taken:
            plan.problem(row.row, "document_number", _l("Member no. %(number)d already has this document number.",
                                                        number=taken[row.document_number]))
    names = dict(session.execute(sa.select(Household.id, Household.name).where(Household.coop_id == coop.id)).all())
    by_name = {name: id_ for id_, name in names.items()}
    by_fold: dict[str, int | None] = {}
    for id_, name in names.items():
        by_fold[fold(name)] = None if fold(name) in by_fold else id_  # two spellings: match exactly only
    for row in plan.rows:
        key = fold(row.household)
        if not row.household or key in plan.households or key in plan.new_households:
            continue
        existing = by_name.get(row.household) or by_fold.get(key)
        if existing is not None:
            plan.households[key] = existing
        else:
            plan.new_households[key] = row.household
    lots = session.execute(sa.select(Lot.id, Lot.block, Lot.number, Lot.household_id)
                           .where(Lot.coop_id == coop.id)).all()
    wanted = set(plan.households.values())
    for lot_id, block, number, household_id in lots:
        if household_id in wanted:
            plan.household_lots.setdefault(household_id, []).append(f"{block}-{number}")
        lot = plan.lots.get((block, number))
        if lot is None:
            continue
        lot.lot_id = lot_id
        if household_id is not None:
            lot.assign = household_id != plan.households.get(lot.household)
            if lot.assign:
                plan.problem(lot.row, "lot", _l("Lot %(label)s is assigned to the household %(name)s.",
                                              label=f"{block}-{number}", name=names.get(household_id, "")))
    plan.problems.sort(key=lambda p: p.row or 0)


# --- saving --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    members: int
    first_number: int
    last_number: int
    households: int
    lots: int


def next_member_number(session: so.Session, coop: Coop) -> int:
    """The number the next member will get (for the preview; allocation is in ``save_members``)."""
    last = session.scalar(sa.select(CoopCounter.last_value).where(
        CoopCounter.coop_id == coop.id, CoopCounter.series == MEMBER_SERIES))
    return (last or 0) + 1


def save_members(session: so.Session, actor: User | None, coop: Coop, plan: ImportPlan, *,
                 filename: str = "") -> ImportResult:
    """Enter a checked file's members, households and lots, numbered in one block; flushes only.

    Rows go in as bulk INSERT ... RETURNING statements rather than one ORM object each: building
    5,000 objects costs seconds, the statements a fraction of it.
    """
    if not plan.ok:
        raise DomainError(_l("The file has problems: nothing was imported."))
    first = numbering.next_number(session, coop.id, MEMBER_SERIES)
    last = first + len(plan.rows) - 1
    numbering.raise_to_at_least(session, coop.id, MEMBER_SERIES, last)
    recorded = {"coop_id": coop.id, "recorded_by_id": actor.id if actor else None,
                "reason": str(_l("Imported from a file"))}
    households = dict(plan.households)
    _insert(session, Household, [{"coop_id": coop.id, "name": name} for name in plan.new_households.values()])
    ids = dict(session.execute(sa.select(Household.name, Household.id).where(Household.coop_id == coop.id)).all())
    households.update({key: ids[name] for key, name in plan.new_households.items()})
    labels = _save_lots(session, plan, households, recorded)
    language = coop.locale if coop.locale in ("es", "en") else "es"
    _insert(session, Member, [
        _member_values(coop, row, first + index, households.get(fold(row.household)), labels, language)
        for index, row in enumerate(plan.rows)])
    member_ids = dict(session.execute(sa.select(Member.number, Member.id).where(
        Member.coop_id == coop.id, Member.number.between(first, last))).all())
    _insert(session, MemberStatusChange, [
        {**recorded, "member_id": member_ids[first + index], "previous_status": None, "status": row.status,
         "effective_date": row.join_date} for index, row in enumerate(plan.rows)])
    _refresh_earlier_members(session, plan, households, labels, first)
    result = ImportResult(len(plan.rows), first, last, len(plan.new_households), plan.new_lots)
    audit.record(session, coop=coop, actor=actor, action="member.import",
                 summary=f"{filename}: {result.members} (no. {first}-{last}); "
                         f"households +{result.households}; lots +{result.lots}",
                 changes={"members": [None, result.members], "numbers": [first, last]})
    return result


def _insert(session: so.Session, model: type, rows: list[dict]) -> None:
    """Insert rows with one executemany; the caller reads new ids back by a unique key.

    The table's Core insert, not the ORM's bulk insert: the ORM splits rows whose None values
    differ into separate statements, and ids returned in order cost SQLite one statement per row.
    """
    if rows:
        session.execute(model.__table__.insert(), rows)


def _save_lots(session: so.Session, plan: ImportPlan, households: dict[str, int],
               recorded: dict) -> dict[int, list[str]]:
    """Create missing lots and assign them; returns household id -> every lot label it holds."""
    coop_id = recorded["coop_id"]
    _insert(session, Lot, [{"coop_id": coop_id, "block": lot.block, "number": lot.number,
                            "household_id": households[lot.household]}
                           for lot in plan.lots.values() if lot.lot_id is None])
    lot_ids = {(block, number): id_ for id_, block, number in session.execute(
        sa.select(Lot.id, Lot.block, Lot.number).where(Lot.coop_id == coop_id))}
    existing = [{"id": lot.lot_id, "household_id": households[lot.household]}
                for lot in plan.lots.values() if lot.lot_id is not None and lot.assign]
    if existing:
        session.execute(sa.update(Lot), existing)
    assigned = [(key, lot) for key, lot in plan.lots.items() if lot.assign]
    _insert(session, LotAssignment, [
        {**recorded, "lot_id": lot_ids[key], "household_id": households[lot.household], "from_date": lot.from_date}
        for key, lot in assigned])
    labels = {id_: list(names) for id_, names in plan.household_lots.items()}
    for _key, lot in assigned:
        labels.setdefault(households[lot.household], []).append(f"{lot.block}-{lot.number}")
    return labels


def _member_values(coop: Coop, row: ImportRow, number: int, household_id: int | None,
                   labels: dict[int, list[str]], language: str) -> dict:
    lots = sorted(labels.get(household_id, [])) if household_id else []
    return {"coop_id": coop.id, "number": number, "given_names": row.given_names,
            "family_names": row.family_names, "document_type": row.document_type,
            "document_number": row.document_number, "birth_date": row.birth_date, "phone": row.phone,
            "phone_alt": "", "email": row.email, "address": row.address, "join_date": row.join_date,
            "preferred_language": language, "status": row.status, "status_since": row.join_date,
            "household_id": household_id,
            "search_text": _search_text(number, row.given_names, row.family_names, row.document_number, lots)}


def _search_text(number: int, given: str, family: str, document: str, lots: list[str]) -> str:
    # the same text as members.services.refresh_search_text, without a query per member
    return fold(" ".join([str(number), given, family, document, *lots]))


def _refresh_earlier_members(session: so.Session, plan: ImportPlan, households: dict[str, int],
                             labels: dict[int, list[str]], first_new: int) -> None:
    """Members already in a household that received a lot are found by that lot from now on."""
    changed = {households[lot.household] for lot in plan.lots.values() if lot.assign} & set(plan.households.values())
    if not changed:
        return
    for member in session.scalars(sa.select(Member).where(Member.household_id.in_(changed),
                                                          Member.number < first_new)):
        member.search_text = _search_text(member.number, member.given_names, member.family_names,
                                          member.document_number, sorted(labels[member.household_id]))
    session.flush()


# --- an import too big for a request -------------------------------------------------------

def store_upload(session: so.Session, actor: User, coop: Coop, content: bytes, *, filename: str,
                 plan: ImportPlan) -> GeneratedDocument:
    """Keep a checked file until someone confirms it, with a preview of what it will create."""
    sample = [[row.row, f"{row.family_names}, {row.given_names}", row.document_number,
               STATUS_NAMES[row.status][0], row.household, f"{row.block}-{row.lot}" if row.lot else ""]
              for row in plan.rows[:20]]
    upload = GeneratedDocument(
        coop_id=coop.id, kind=IMPORT_KIND, status=DocumentStatus.PENDING, total=len(plan.rows),
        filename=filename[:200], content=content, requested_by_id=actor.id,
        mimetype=XLSX_MIMETYPE if content.startswith(b"PK") else "text/csv",
        params={"rows": len(plan.rows), "households": len(plan.new_households), "lots": plan.new_lots,
                "sample": sample, "phase": "waiting", "numbers_ignored": "member_number" in plan.headers})
    session.add(upload)
    session.flush()
    return upload


def stored_import(session: so.Session, coop: Coop, upload_id: int) -> GeneratedDocument | None:
    return session.scalar(sa.select(GeneratedDocument).where(
        GeneratedDocument.id == upload_id, GeneratedDocument.coop_id == coop.id,
        GeneratedDocument.kind == IMPORT_KIND))


def start_stored_import(session: so.Session, upload: GeneratedDocument) -> bool:
    """Mark a waiting import as running; False if it was already started (a second click)."""
    started = session.execute(
        sa.update(GeneratedDocument)
        .where(GeneratedDocument.id == upload.id, GeneratedDocument.status == DocumentStatus.PENDING)
        .values(status=DocumentStatus.RUNNING, params={**(upload.params or {}), "phase": "checking",
                                                       "started": utcnow().isoformat()})
        .execution_options(synchronize_session=False))
    return started.rowcount == 1


def run_stored_import(database: Database, upload_id: int) -> None:
    """Check and save a confirmed upload: the background job behind the import page.

    The rows are checked outside the saving transaction, recording progress in short units of
    work; then one unit checks against the register, saves everything and marks the upload done,
    so the upload says "done" exactly when the members exist. On SQLite the saving unit holds the
    write lock, so progress cannot be written during it: the page shows the "saving" phase instead.
    """
    with database.unit_of_work(write=False) as session:
        upload = session.get(GeneratedDocument, upload_id)
        if upload is None or upload.content is None:
            return
        content, coop_id, actor_id, filename = upload.content, upload.coop_id, upload.requested_by_id, upload.filename
    try:
        table = read_table(content)
        with database.unit_of_work(write=False) as session:
            coop = session.get(Coop, coop_id)
            today, language = today_in(coop), coop.locale
        plan = check_rows(table, today=today, language=language,
                          progress=lambda done, _total: _set_progress(database, upload_id, progress=done))
        _set_progress(database, upload_id, phase="saving")
        with database.unit_of_work() as session:
            coop, actor = session.get(Coop, coop_id), session.get(User, actor_id) if actor_id else None
            if plan.columns_ok:
                check_register(session, coop, plan)
            if plan.problems:
                raise _StaleFile(plan.bad_rows)
            result = save_members(session, actor, coop, plan, filename=filename)
            _finish(session.get(GeneratedDocument, upload_id), DocumentStatus.DONE,
                    members=result.members, first=result.first_number, last=result.last_number,
                    households=result.households, lots=result.lots)
    except _StaleFile as stale:
        with database.unit_of_work() as session:
            _finish(session.get(GeneratedDocument, upload_id), DocumentStatus.FAILED, bad_rows=stale.bad_rows)
    except Exception:  # the file passed its checks at upload: anything else is a fault to log
        log.exception("member import %s failed", upload_id)
        with database.unit_of_work() as session:
            _finish(session.get(GeneratedDocument, upload_id), DocumentStatus.FAILED)


class _StaleFile(Exception):
    """The register changed between the preview and the confirmation (a document now taken)."""

    def __init__(self, bad_rows: int):
        super().__init__(bad_rows)
        self.bad_rows = bad_rows


def _set_progress(database: Database, upload_id: int, *, progress: int | None = None, phase: str | None = None) -> None:
    with database.unit_of_work() as session:
        upload = session.get(GeneratedDocument, upload_id)
        if progress is not None:
            upload.progress = progress
        if phase is not None:
            upload.params = {**(upload.params or {}), "phase": phase}


def _finish(upload: GeneratedDocument, status: DocumentStatus, **outcome: object) -> None:
    """Record how the import ended and drop the uploaded file: it holds personal data."""
    upload.status, upload.finished_dt, upload.content = status, utcnow(), None
    upload.progress = upload.total if status is DocumentStatus.DONE else upload.progress
    upload.params = {"rows": (upload.params or {}).get("rows", 0), "phase": status.value, **outcome}
