"""Checking an import: every row on its own, against the other rows, then against the register.

Nothing here writes. The whole file is checked before anything is saved, and every problem is
kept with its row number and column, so the secretary sees all of them at once. Checks against
the register are batched: one query each for the co-op's document numbers, households and lots,
whatever the file's size.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.errors import DomainError
from coop.spreadsheets import Table, cell_text, read_table
from coop.tenancy import Coop
from coop.text import fold
from members.imports.columns import (_DOCUMENT_WORDS, _FORM_OF_ADDRESS_WORDS, _STATUS_WORDS, COLUMNS, HEADER_WORDS,
                                     LENGTHS, MAX_ROWS, REQUIRED, header_key)
from members.models import DocumentType, FormOfAddress, Household, Lot, Member, MemberStatus
from members.services import check_document, check_email, check_past_date

#: rows checked between two reports of progress
PROGRESS_EVERY = 500

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
    form_of_address: FormOfAddress = FormOfAddress.NEUTRAL
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


def read_member_table(content: bytes) -> Table:
    """The file's sheet (``coop.spreadsheets``); a file with only a header holds no members to import."""
    table = read_table(content, max_rows=MAX_ROWS)
    if not table.rows:
        raise DomainError(_l("The file has no members: only a header row, or nothing at all."))
    return table


def check_import(session: so.Session, coop: Coop, content: bytes, *, today: dt.date,
                 progress: Progress | None = None) -> ImportPlan:
    """Read and check a whole file against the rules and the register; nothing is written."""
    try:
        table = read_member_table(content)
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
        text = cell_text(header)
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
    if any(cell_text(cell) for index, cell in enumerate(cells) if index not in keys):
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
    check("email", lambda v: check_email(cell_text(v)))
    check("phone", lambda v: _limited(v, LENGTHS["phone"]))
    check("address", lambda v: _limited(v, LENGTHS["address"]))
    check("status", _status)
    check("form_of_address", _form_of_address)
    check("household", lambda v: _limited(" ".join(cell_text(v).split()), LENGTHS["household"]))
    check("block", lambda v: _limited(v, LENGTHS["block"]).upper())
    check("lot", lambda v: _limited(v, LENGTHS["lot"]).upper())
    has_block, has_lot = bool(cell_text(values.get("block"))), bool(cell_text(values.get("lot")))
    if has_block != has_lot:
        plan.problem(number, "lot" if has_block else "block", _l("Write both the block and the lot, or neither."))
    elif row.lot and not row.household:
        plan.problem(number, "household", _l("A lot is assigned to a household: write the household too."))
    return row


def _limited(value: object, length: int) -> str:
    text = cell_text(value)
    if len(text) > length:
        raise DomainError(_l("At most %(max)d characters.", max=length))
    return text


def _name(value: object, missing: str) -> str:
    text = " ".join(_limited(value, LENGTHS["given_names"]).split())
    if not text:
        raise DomainError(missing)
    return text


def _document_type(value: object) -> DocumentType:
    text = fold(cell_text(value))
    if not text:
        return DocumentType.CEDULA
    if text not in _DOCUMENT_WORDS:
        raise DomainError(_l("Unknown document type: write cédula, RUC or passport."))
    return _DOCUMENT_WORDS[text]


def _document(value: object, document_type: DocumentType, *, typed: bool) -> str:
    text = cell_text(value)
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
        parsed = _parse_date(cell_text(value))
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
    text = fold(cell_text(value))
    if not text:
        return MemberStatus.ACTIVE
    if text not in _STATUS_WORDS:
        raise DomainError(_l("Unknown status: write active, applicant, suspended, withdrawn, excluded or deceased."))
    return _STATUS_WORDS[text]


def _form_of_address(value: object) -> FormOfAddress:
    text = fold(cell_text(value))
    if not text:
        return FormOfAddress.NEUTRAL
    if text not in _FORM_OF_ADDRESS_WORDS:
        raise DomainError(_l("Unknown form of address: write socia, socio or neutral."))
    return _FORM_OF_ADDRESS_WORDS[text]


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
