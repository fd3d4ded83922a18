"""Importing the register from a spreadsheet and exporting it: the secretary brings the co-op's
old Excel register, sees every mistake in it at once, and saves it only when it is clean."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop import tasks
from coop.db import utcnow
from coop.scheduler import run_job
from coop.tasks import Task, TaskStatus
from coop.numbering import next_number
from members import imports
from members.models import (DocumentType, Household, Lot, LotAssignment, Member, MemberStatus,
                            MemberStatusChange)
from members.services import MEMBER_SERIES, create_household, create_lot
from tests.conftest import text_of
from tests.members.conftest import cedula

SPANISH_HEADER = ["nombres", "apellidos", "tipo_documento", "numero_documento", "fecha_nacimiento", "correo",
                  "telefono", "direccion", "fecha_ingreso", "estado", "familia", "manzana", "lote", "trato"]


@pytest.fixture
def coop(make_coop):
    return make_coop("quebrada")


@pytest.fixture
def secretary(app, coop, make_user, login):
    """The secretary, reading English (the co-op's pages default to Spanish)."""
    client = app.test_client()
    login(client, make_user("secretaria@example.org", coop=coop, roles=["secretary"], name="Rosa Secretaria",
                            locale="en"))
    return client


def csv_file(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, filename: str = "socios.csv"):
    return client.post("/c/quebrada/members/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def confirm_and_wait(client, preview):
    """Confirm a previewed import, see its page refresh itself while it waits, and run the task queue."""
    assert preview.status_code == 302, text_of(preview)
    status_url = preview.headers["Location"]
    assert client.post(status_url + "/confirm").status_code == 302
    queued = client.get(status_url)
    assert queued.headers["Refresh"] == str(tasks.REFRESH_SECONDS), text_of(queued)
    assert '<meta http-equiv="refresh"' in queued.get_data(as_text=True)
    tasks.run_waiting(client.application)  # what the scheduler's worker (or a thread) does
    page = client.get(status_url)
    assert "Refresh" not in page.headers
    return page


def members_of(db, coop) -> list[Member]:
    db.rollback()
    return list(db.scalars(sa.select(Member).where(Member.coop_id == coop.id).order_by(Member.number)))


def count(db, model) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


# --- good files ----------------------------------------------------------------------------

def test_a_utf8_csv_with_bom_and_semicolons_imports_members_households_and_lots(
        app, db, coop, secretary, make_member):
    make_member(coop, given_names="Primera", family_names="Socia")  # no. 1 was already given
    content = "\ufeff".encode() + csv_file([
        SPANISH_HEADER,
        ["María José", "Quishpe Guamán", "cédula", cedula(1), "14/02/1970", "maria@example.org", "0991234567",
         "Pasaje Oe5, Quito", "2001-03-10", "activo", "Familia Quishpe", "b", "12"],
        ["Segundo", "Quishpe Tipán", "", cedula(2), "", "", "", "", "15/06/2005", "suspendido",
         "Familia Quishpe", "B", "12"],
        ["Nelly", "Caiza", "pasaporte", "ab-123456", "1980-01-31", "", "", "", "2010-07-01", "aspirante", "", "", ""],
    ], delimiter=";")

    preview = upload(secretary, content)
    page = secretary.get(preview.headers["Location"])
    assert "3 members are ready to be imported" in text_of(page)
    assert "2 to 4" in text_of(page)  # numbers continue from the co-op's counter
    assert members_of(db, coop)[-1].given_names == "Primera"  # nothing saved before confirming

    done = confirm_and_wait(secretary, preview)
    assert "3 members were imported" in text_of(done)
    people = members_of(db, coop)
    assert [(m.number, m.given_names, m.status) for m in people[1:]] == [
        (2, "María José", MemberStatus.ACTIVE), (3, "Segundo", MemberStatus.SUSPENDED),
        (4, "Nelly", MemberStatus.APPLICANT)]
    maria, segundo, nelly = people[1:]
    assert maria.birth_date == dt.date(1970, 2, 14) and maria.email == "maria@example.org"
    assert maria.phone == "0991234567" and maria.address == "Pasaje Oe5, Quito"
    assert nelly.document_type is DocumentType.PASSPORT and nelly.document_number == "AB123456"
    assert maria.household_id == segundo.household_id and nelly.household_id is None
    household = db.get(Household, maria.household_id)
    assert household.name == "Familia Quishpe"
    lot = db.scalar(sa.select(Lot).where(Lot.coop_id == coop.id))
    assert (lot.block, lot.number, lot.household_id) == ("B", "12", household.id)
    assignment = db.scalar(sa.select(LotAssignment).where(LotAssignment.lot_id == lot.id))
    assert assignment.from_date == dt.date(2001, 3, 10)  # from the first join date of the household
    assert "b-12" in maria.search_text and "quishpe guaman" in maria.search_text
    assert segundo.status_since == dt.date(2005, 6, 15)
    history = db.scalars(sa.select(MemberStatusChange).where(MemberStatusChange.member_id == segundo.id)).all()
    assert [(h.previous_status, h.status) for h in history] == [(None, MemberStatus.SUSPENDED)]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.import"))
    assert event.actor_name == "Rosa Secretaria" and "(no. 2-4)" in event.summary
    assert next_number(db, coop.id, MEMBER_SERIES) == 5
    upload_row = db.scalar(sa.select(Task))
    db.refresh(upload_row, ["input"])
    assert upload_row.status is TaskStatus.DONE and upload_row.input is None  # the file is not kept


def test_a_latin1_csv_with_english_headers_in_any_order_fills_existing_households_and_lots(
        app, db, coop, secretary):
    db.rollback()
    family = create_household(db, None, db.merge(coop), name="Familia Tipán")
    create_lot(db, None, db.merge(coop), block="C", number="3")
    db.commit()
    content = csv_file([
        ["Status", "Join date", "Family names", "Given names", "Document number", "Household", "Lot", "Block"],
        ["Retirado", "01/02/1999", "Tipán Lema", "José", cedula(21), "familia tipan", "3", "c"],
        ["fallecida", "1998-12-31", "Lema", "Blanca", cedula(22), "Familia Tipán", "3", "C"],
    ], encoding="latin-1")

    done = confirm_and_wait(secretary, upload(secretary, content))
    assert "2 members were imported" in text_of(done)
    jose, blanca = members_of(db, coop)
    assert jose.family_names == "Tipán Lema" and jose.status is MemberStatus.WITHDRAWN
    assert blanca.status is MemberStatus.DECEASED and blanca.join_date == dt.date(1998, 12, 31)
    assert jose.household_id == blanca.household_id == family.id  # matched without case or accents
    assert count(db, Household) == 1 and count(db, Lot) == 1
    lot = db.scalar(sa.select(Lot))
    assert lot.household_id == family.id
    assert db.scalar(sa.select(LotAssignment.from_date)) == dt.date(1998, 12, 31)


def test_an_xlsx_workbook_imports_with_real_dates_and_numbers(app, db, coop, secretary):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nombres", "Apellidos", "Número de documento", "Fecha de ingreso", "Fecha nacimiento",
                  "Teléfono", "Familia", "Manzana", "Lote"])
    sheet.append(["Luz", "Andrango", int(cedula(31, province=1)), dt.datetime(2003, 5, 4), dt.date(1975, 1, 2),
                  "022345678", "Familia Andrango", "A", 7])
    sheet.append([None] * 9)  # Excel leaves blank rows behind
    sheet.append(["Pedro", "Cóndor", cedula(32), "2004-08-09", None, None, None, None, None])
    output = io.BytesIO()
    workbook.save(output)

    done = confirm_and_wait(secretary, upload(secretary, output.getvalue(), "socios.xlsx"))
    assert "2 members were imported" in text_of(done)
    luz, pedro = members_of(db, coop)
    assert luz.document_number == cedula(31, province=1)  # the leading zero Excel dropped is back
    assert luz.document_number.startswith("0")
    assert luz.join_date == dt.date(2003, 5, 4) and luz.birth_date == dt.date(1975, 1, 2)
    assert db.scalar(sa.select(Lot.number)) == "7"
    assert pedro.household_id is None and pedro.join_date == dt.date(2004, 8, 9)


# --- bad files -----------------------------------------------------------------------------

def test_every_bad_row_is_listed_with_its_column_and_reason_and_nothing_is_saved(
        app, db, coop, secretary, make_member):
    make_member(coop, document_number=cedula(50))
    db.rollback()
    family = create_household(db, None, db.merge(coop), name="Familia Lema")
    lot = create_lot(db, None, db.merge(coop), block="A", number="1")
    lot.household_id = family.id
    db.commit()
    content = csv_file([
        ["given_names", "family_names", "document_type", "document_number", "birth_date", "email", "join_date",
         "status", "household", "block", "lot"],
        ["Ana", "Caiza", "", cedula(51), "", "", "2010-01-01", "", "", "", ""],           # 2: good
        ["Ana", "Caiza", "", cedula(51), "", "", "2010-01-01", "", "", "", ""],           # 3: same document
        ["Rosa", "Pilataxi", "", cedula(50), "", "", "2010-01-01", "", "", "", ""],       # 4: already in co-op
        ["Luis", "Morocho", "", "1710034066", "", "", "2010-01-01", "", "", "", ""],      # 5: bad cédula
        ["Elena", "Yánez", "", cedula(55), "1990/01/01", "", "2010-01-01", "", "", "", ""],  # 6: bad date
        ["Jorge", "Lema", "", cedula(56), "", "", "31/02/2010", "", "", "", ""],          # 7: no such date
        ["Gladys", "Cumbal", "", cedula(57), "", "", "2099-01-01", "", "", "", ""],       # 8: future date
        ["Fausto", "Simbaña", "", cedula(58), "", "", "2010-01-01", "jubilado", "", "", ""],  # 9: status
        ["", "Sangucho", "", cedula(59), "", "", "2010-01-01", "", "", "", ""],           # 10: no name
        ["Byron", "Tupiza", "dni", cedula(60), "", "", "2010-01-01", "", "", "", ""],     # 11: document type
        ["Nelly", "Farinango", "", cedula(61), "", "nelly@", "2010-01-01", "", "", "", ""],  # 12: e-mail
        ["Jhoana", "Anrango", "", cedula(62), "2015-01-01", "", "2010-01-01", "", "", "", ""],  # 13: unborn
        ["Manuel", "Tasiguano", "", cedula(63), "", "", "2010-01-01", "", "Familia T", "", "4"],  # 14: no block
        ["Lucía", "Lema", "", cedula(64), "", "", "2010-01-01", "", "Familia Nueva", "A", "1"],  # 15: lot taken
        ["Carmen", "Guachamín", "", cedula(65), "", "", "2010-01-01", "", "Familia G", "B", "2"],  # 16: good
        ["Wilson", "Collaguazo", "", cedula(66), "", "", "2010-01-01", "", "Familia C", "B", "2"],  # 17: lot twice
    ])
    before = (count(db, Member), count(db, Household), count(db, Lot), count(db, Task))

    page = upload(secretary, content)
    assert page.status_code == 200
    text = text_of(page)
    assert "14 rows have problems. Nothing was saved" in text
    expected = [
        ("3", "document_number", "The same document number is on row 2."),
        ("4", "document_number", "Member no. 1 already has this document number."),
        ("5", "document_number", "This is not a valid cédula: check its ten digits."),
        ("6", "birth_date", "Write the date as YYYY-MM-DD or DD/MM/YYYY."),
        ("7", "join_date", "This date does not exist."),
        ("8", "join_date", "This date is in the future."),
        ("9", "status", "Unknown status"),
        ("10", "given_names", "Write the given names."),
        ("11", "document_type", "Unknown document type"),
        ("12", "email", "This e-mail address is not valid."),
        ("13", "join_date", "The member cannot join before being born."),
        ("14", "block", "Write both the block and the lot, or neither."),
        ("15", "lot", "Lot A-1 is assigned to the household Familia Lema."),
        ("17", "lot", "Lot B-2 is given to another household on row 16."),
    ]
    for row, column, reason in expected:
        assert f"{row} {column} {reason}" in text, (row, column, reason)
    assert "2 given_names" not in text and "16 household" not in text  # good rows are not listed
    assert (count(db, Member), count(db, Household), count(db, Lot), count(db, Task)) == before


def test_wrong_columns_are_reported_before_any_row_is_checked(app, db, coop, secretary):
    content = csv_file([["nombres", "apelidos", "Nombres", "numero_documento", "edad", "manzana"],
                        ["Ana", "Caiza", "Ana", "123", "40", "A"]])
    text = text_of(upload(secretary, content))
    assert "The file cannot be read as a register. Nothing was saved." in text
    assert "1 apelidos This column is unknown." in text
    assert "1 edad This column is unknown." in text
    assert "1 Nombres This column appears twice." in text
    assert "1 apellidos This column is missing." in text and "1 fecha_ingreso This column is missing." in text
    assert "Block and lot go together" in text
    assert "Correct the columns first" in text
    assert "not a valid cédula" not in text  # rows wait until the columns are right
    assert count(db, Member) == 0


@pytest.mark.parametrize("content, reason", [
    (b"", "The file is empty."),
    (b"\r\n \r\n", "The file is empty."),
    ("nombres;apellidos;numero_documento;fecha_ingreso\r\n".encode(), "The file has no members"),
    ("nombres,apellidos\n".encode("utf-16"), "The file's characters could not be read"),
    (b"\x00\x01\x02binary\x00garbage", "The file's characters could not be read"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "This is an old Excel file (.xls)"),
    (b"PK\x03\x04not really a workbook", "could not be read as an Excel workbook"),
])
def test_empty_and_unreadable_files_are_refused_with_a_reason(app, db, coop, secretary, content, reason):
    page = upload(secretary, content)
    assert reason in text_of(page)
    assert count(db, Task) == 0


def test_the_upload_form_checks_the_kind_of_file(app, coop, secretary):
    page = upload(secretary, b"%PDF-1.4", "socios.pdf")
    assert "Send a CSV or an Excel (.xlsx) file." in text_of(page)
    assert "Choose the file to import." in text_of(secretary.post("/c/quebrada/members/import", data={}))


def test_the_register_changed_between_preview_and_confirmation_saves_nothing(
        app, db, coop, secretary, make_member):
    preview = upload(secretary, csv_file([["nombres", "apellidos", "numero_documento", "fecha_ingreso"],
                                          ["Ana", "Caiza", cedula(7), "2010-01-01"],
                                          ["Luis", "Lema", cedula(8), "2010-01-01"]]))
    make_member(coop, document_number=cedula(8))  # typed in by hand meanwhile
    done = confirm_and_wait(secretary, preview)
    assert "The register changed since the file was checked" in text_of(done)
    assert [m.document_number for m in members_of(db, coop)] == [cedula(8)]
    assert next_number(db, coop.id, MEMBER_SERIES) == 2  # no number was used up


def test_confirming_twice_imports_once(app, db, coop, secretary):
    preview = upload(secretary, csv_file([["nombres", "apellidos", "numero_documento", "fecha_ingreso"],
                                          ["Ana", "Caiza", cedula(7), "2010-01-01"]]))
    status_url = preview.headers["Location"]
    secretary.post(status_url + "/confirm")
    confirm_and_wait(secretary, preview)
    assert count(db, Member) == 1


def test_a_running_import_shows_its_progress_and_refreshes_itself(app, db, coop, secretary):
    db.rollback()
    running = Task(coop_id=coop.id, kind=imports.IMPORT_KIND, status=TaskStatus.RUNNING, progress=500, total=5000,
                   filename="socios.csv", phase="checking", params={"rows": 5000}, heartbeat_dt=utcnow())
    db.add(running)
    db.commit()
    page = secretary.get(f"/c/quebrada/members/import/{running.id}")
    assert page.headers["Refresh"] == "3"
    assert '<meta http-equiv="refresh" content="3">' in page.get_data(as_text=True)
    assert "Checking row 500 of 5000" in text_of(page)
    assert '<progress max="5000" value="500">' in page.get_data(as_text=True)


def test_an_import_cut_short_by_a_restart_is_resumed_and_saves_every_member_once(app, db, coop, secretary):
    """kill -9 of the worker while it checked the rows: the task stays "running" without a heartbeat."""
    preview = upload(secretary, csv_file([["nombres", "apellidos", "numero_documento", "fecha_ingreso"],
                                          ["Ana", "Caiza", cedula(7), "2010-01-01"],
                                          ["Luis", "Lema", cedula(8), "2010-01-01"]]))
    status_url = preview.headers["Location"]
    secretary.post(status_url + "/confirm")
    db.rollback()
    task = db.scalar(sa.select(Task))
    task.status, task.attempts, task.runner, task.phase, task.progress = (
        TaskStatus.RUNNING, 1, "a worker that died", "checking", 1)
    task.heartbeat_dt = utcnow() - tasks.STALLED_AFTER - dt.timedelta(seconds=1)
    db.commit()
    assert "Checking row 1 of 2" in text_of(secretary.get(status_url))

    run = run_job(app, "tasks.run")  # the scheduler, after the restart

    assert run.detail == "1 done, 0 failed, 1 queued again, 0 given up"
    assert "2 members were imported" in text_of(secretary.get(status_url))
    assert [(m.number, m.given_names) for m in members_of(db, coop)] == [(1, "Ana"), (2, "Luis")]
    assert run_job(app, "tasks.run").detail == "0 done, 0 failed, 0 queued again, 0 given up"


def test_an_import_of_another_coop_is_not_found(app, db, coop, secretary, make_coop):
    other = make_coop("vecina")
    db.rollback()
    theirs = Task(coop_id=other.id, kind=imports.IMPORT_KIND, status=TaskStatus.DRAFT, params={"rows": 1, "sample": []})
    db.add(theirs)
    db.commit()
    assert secretary.get(f"/c/quebrada/members/import/{theirs.id}").status_code == 404
    assert secretary.post(f"/c/quebrada/members/import/{theirs.id}/confirm").status_code == 404


# --- templates -----------------------------------------------------------------------------

def test_the_templates_name_every_column_in_the_readers_language(app, coop, secretary):
    page = secretary.get("/c/quebrada/members/import")
    assert page.status_code == 200 and "numero_documento" in text_of(page)
    template = secretary.get("/c/quebrada/members/import/template.csv")
    assert template.headers["Content-Disposition"].startswith("attachment")
    text = template.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.lstrip("\ufeff").strip().split(",") in (SPANISH_HEADER, list(imports.COLUMNS))
    workbook = openpyxl.load_workbook(io.BytesIO(secretary.get("/c/quebrada/members/import/template.xlsx").data))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header == text.lstrip("\ufeff").strip().split(",")
    assert workbook.worksheets[0].column_dimensions["D"].number_format == "@"  # cédulas keep their zeros
    assert len(workbook.worksheets) == 2  # the second sheet explains each column
    assert workbook.worksheets[1].max_row == len(imports.COLUMNS) + 1


# --- command line --------------------------------------------------------------------------

def test_the_command_line_checks_a_file_then_imports_it(app, db, coop, tmp_path):
    path = tmp_path / "socios.csv"
    path.write_bytes(csv_file([["nombres", "apellidos", "numero_documento", "fecha_ingreso", "familia"],
                               ["Ana", "Caiza", cedula(1), "2010-01-01", "Familia Caiza"],
                               ["Luis", "Caiza", cedula(2), "2011-01-01", "Familia Caiza"]]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["members", "import", "--coop", "quebrada", "--language", "en", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "The file is correct: 2 members would be imported." in dry.output
    assert count(db, Member) == 0

    real = runner.invoke(args=["members", "import", "--coop", "quebrada", "--language", "en", str(path)])
    assert real.exit_code == 0, real.output
    assert "Imported 2 members (no. 1 to 2)." in real.output
    assert [m.given_names for m in members_of(db, coop)] == ["Ana", "Luis"]
    assert count(db, Household) == 1
    assert db.scalar(sa.select(AuditEvent.actor_name).where(AuditEvent.action == "member.import")) == ""


def test_the_command_line_prints_one_line_per_bad_row_and_fails(app, db, coop, tmp_path):
    path = tmp_path / "socios.csv"
    path.write_bytes(csv_file([["nombres", "apellidos", "numero_documento", "fecha_ingreso"],
                               ["Ana", "Caiza", cedula(1), "2010-01-01"],
                               ["", "Caiza", cedula(2), "2011-01-01"],
                               ["Luis", "Lema", "123", "ayer"]]))
    runner = app.test_cli_runner()
    for extra in (["--dry-run"], []):
        result = runner.invoke(args=["members", "import", "--coop", "quebrada", "--language", "en", str(path), *extra])
        assert result.exit_code == 1
        lines = [line for line in result.output.splitlines() if line.startswith("Row ")]
        assert lines == ["Row 3, nombres: Write the given names.",
                         "Row 4, numero_documento: This is not a valid cédula: check its ten digits.",
                         "Row 4, fecha_ingreso: Write the date as YYYY-MM-DD or DD/MM/YYYY."]
        assert "2 rows have problems; nothing was imported." in result.output
    assert count(db, Member) == 0
    unknown = runner.invoke(args=["members", "import", "--coop", "nowhere", str(path)])
    assert unknown.exit_code == 1 and "nowhere" in unknown.output


# --- export --------------------------------------------------------------------------------

@pytest.fixture
def register(app, db, coop, secretary):
    """Three members imported through the page: a household with a lot, and an applicant."""
    confirm_and_wait(secretary, upload(secretary, csv_file([
        SPANISH_HEADER,
        ["María", "Quishpe", "cédula", cedula(1), "14/02/1970", "maria@example.org", "+593 99 123 4567",
         "=HYPERLINK(\"http://x\")", "2001-03-10", "activo", "Familia Quishpe", "B", "12"],
        ["Segundo", "Quishpe", "", cedula(2), "", "", "", "", "2005-06-15", "activo", "Familia Quishpe", "B", "12"],
        ["Nelly", "Caiza", "pasaporte", "AB123456", "", "", "", "", "2010-07-01", "aspirante", "", "", ""],
    ])))
    return members_of(db, coop)


def test_the_secretary_exports_the_register_as_csv_that_imports_again(app, db, coop, register, secretary,
                                                                        make_coop, make_user, login):
    response = secretary.get("/c/quebrada/members/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["member_number"] + list(imports.COLUMNS)
    assert rows[1] == ["1", "María", "Quishpe", "cedula", cedula(1), "1970-02-14", "maria@example.org",
                       "+593 99 123 4567", "'=HYPERLINK(\"http://x\")", "2001-03-10", "active", "Familia Quishpe",
                       "B", "12", "neutral"]
    assert rows[3][:5] == ["3", "Nelly", "Caiza", "passport", "AB123456"] and rows[3][10] == "applicant"
    db.rollback()
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.register"))
    assert event.actor_name == "Rosa Secretaria" and event.summary.startswith("csv; n=3")

    # the export is a valid import: another co-op takes it whole
    sister = make_coop("hermana")
    other = app.test_client()
    login(other, make_user("hermana@example.org", coop=sister, roles=["secretary"], locale="en"))
    preview = other.post("/c/hermana/members/import", data={"file": (io.BytesIO(response.get_data()), "x.csv")},
                         content_type="multipart/form-data")
    done = confirm_and_wait(other, preview)
    assert "3 members were imported" in text_of(done)
    copied = members_of(db, sister)
    assert [(m.number, m.given_names, m.document_number, m.address, m.phone, m.status) for m in copied] == [
        (m.number, m.given_names, m.document_number, m.address, m.phone, m.status) for m in register]
    assert count(db, Household) == 2 and count(db, Lot) == 2


def test_the_export_follows_the_directory_filters(app, db, coop, register, secretary):
    response = secretary.get("/c/quebrada/members/export.csv", query_string={"status": "applicant"})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8").lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["Nelly"]
    db.rollback()
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.register"))
    assert "status=applicant" in event.summary and "n=1" in event.summary


def test_the_register_exports_as_an_xlsx_workbook(app, db, coop, register, make_user, login):
    secretary = app.test_client()  # another secretary, who reads Spanish: the columns are in Spanish
    login(secretary, make_user(coop=coop, roles=["secretary"], locale="es"))
    response = secretary.get("/c/quebrada/members/export.xlsx", query_string={"block": "B"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("numero_socio", *SPANISH_HEADER)
    assert [row[1] for row in rows[1:]] == ["María", "Segundo"]
    assert rows[1][9] == dt.datetime(2001, 3, 10) and rows[1][10] == "activo"
    assert rows[1][8] == '=HYPERLINK("http://x")'  # kept as text, never run as a formula
    db.rollback()
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.register"))
    assert event.summary.startswith("xlsx; n=2") and "block=B" in event.summary


# --- who may -------------------------------------------------------------------------------

def test_a_treasurer_cannot_import(app, coop, make_user, login):
    client = app.test_client()
    login(client, make_user(coop=coop, roles=["treasurer"]))
    assert client.get("/c/quebrada/members/import").status_code == 403
    assert upload(client, csv_file([["nombres"], ["Ana"]])).status_code == 403
    assert client.get("/c/quebrada/members/import/template.csv").status_code == 403


def test_the_oversight_council_exports_without_personal_data(app, db, coop, register, make_user, login):
    client = app.test_client()
    login(client, make_user(coop=coop, roles=["auditor"], locale="en"))
    assert client.get("/c/quebrada/members/import").status_code == 403
    response = client.get("/c/quebrada/members/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["member_number", "given_names", "family_names", "join_date", "status", "household",
                       "block", "lot"]
    assert cedula(1) not in response.get_data(as_text=True)
    assert client.get("/c/quebrada/members/export.xlsx").status_code == 200
    db.rollback()
    summaries = db.scalars(sa.select(AuditEvent.summary).where(AuditEvent.action == "export.register")).all()
    assert len(summaries) == 2 and all("personal data: no" in s for s in summaries)


def test_a_member_cannot_export_the_register(app, db, coop, make_user, login):
    client = app.test_client()
    login(client, make_user(coop=coop, roles=["member"]))
    assert client.get("/c/quebrada/members/export.csv").status_code == 403
    assert client.get("/c/quebrada/members/export.xlsx").status_code == 403
    db.rollback()
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.register")) is None
