"""The roll and the sign-in sheet are laid out a fixed number of lines a page, so that a
5,000-member roll renders in parts: every page holds exactly its lines, whatever the paper and
however long a name or a reason, and the page numbers written on them are right."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from coop import tasks
from coop.pdf import layout_pdf
from meetings import printing
from meetings.models import MeetingStatus
from tests.meetings.convene_factories import add_items


def test_a_long_name_is_cut_to_its_column_with_an_ellipsis():
    assert printing.clip("Quishpe, Rosa", 40) == "Quishpe, Rosa"
    assert printing.clip("de la Cruz Sarmiento Llumiquinga, María", 12) == "de la Cruz…"


def test_lines_are_cut_into_pages_of_their_size():
    lines = [printing.Line(number=n) for n in range(1, 80)]
    pages = printing.paginate(lines, (22, 28))
    assert [len(page.lines) for page in pages] == [22, 28, 28, 1]
    assert [page.number for page in pages] == [1, 2, 3, 4]
    assert printing.page_count(79, (22, 28)) == 4 == len(pages)
    assert printing.page_count(22, (22, 28)) == 1 and printing.page_count(0, (22, 28)) == 1
    assert [len(p.lines) for p in printing.paginate([], (22, 28))] == [0]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("sign_in", [False, True])
def test_each_page_holds_its_lines_whatever_the_paper_and_the_length_of_names(app, db, assembly_coop, make_meeting,
                                                                            paper, sign_in, monkeypatch):
    monkeypatch.setattr(printing, "PAGES_PER_PART", 2)  # three parts joined
    db.rollback()
    coop = db.merge(assembly_coop)
    coop.paper_size = paper
    db.commit()
    meeting = make_meeting(assembly_coop, title="Asamblea general extraordinaria para la reforma integral del estatuto "
                                                "y la aprobación del reglamento de adjudicación de viviendas")
    long_name = "de la Cruz Sarmiento Llumiquinga, María Auxiliadora del Carmen Josefina " * 2
    long_reason = "Aportes en mora por más de 3 meses; Horas de Minga pendientes en noviembre de 2026 " * 2
    lines = [printing.Line(n, printing.clip(long_name, printing.ROLL_NAME_CHARS), "Representante alterno", n % 3 != 0, long_reason[:200], "12, 13")
             for n in range(1, 120)]
    per_page = printing.SIGN_IN_LINES if sign_in else printing.ROLL_LINES
    pages = printing.paginate(lines, per_page)
    with app.test_request_context():
        pdf = printing._render_pages("pdf/meetings_roll.html", pages, lambda done, total: None, coop=coop,
                                     meeting=db.merge(meeting), kind_label="Asamblea", first_call="sábado",
                                     second_call="", counts=printing.rolls.RollCounts(119, 80), sign_in=sign_in, show_role=True,
                                     now=meeting.created_dt)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} of {len(pages)}" in page.extract_text() or f"{number} de {len(pages)}" in page.extract_text()


def test_the_roll_of_a_meeting_gone_fails_its_task_with_a_reason(app, db, ctx, assembly_coop, make_meeting, make_user):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.CONVENED)
    add_items(db, meeting, "Informe")
    secretary = make_user(coop=assembly_coop, roles=["secretary"])
    db.rollback()
    task = printing.request_roll(db, db.merge(assembly_coop), db.merge(secretary), db.merge(meeting), locale="es")
    task.params = {**task.params, "meeting_id": meeting.id + 1000}
    db.commit()
    tasks.run_waiting(app)
    db.rollback()
    failed = db.get(tasks.Task, task.id)
    assert failed.status == tasks.TaskStatus.FAILED and failed.content is None


def _heading_and_blank_line(doc):
    """The "No." and "Name" headings' text boxes, and a blank line's (only its padding: where a
    name would start), as WeasyPrint laid them out."""
    texts = [box for box in doc.pages[0]._page_box.descendants() if type(box).__name__ == "TextBox"]
    number = next(box for box in texts if box.text in ("No.", "N.º"))
    name = next(box for box in texts if box.text in ("Name", "Nombre"))
    blank = next(box for box in texts if box.text and set(box.text) == {printing.FIGURE_SPACE})
    return number, name, blank


@pytest.mark.parametrize("numbers", [(7, 1042), (3, 12)])
@pytest.mark.parametrize("sign_in", [False, True])
def test_the_number_heading_stands_over_the_numbers_and_the_name_heading_over_the_names(
        app, db, assembly_coop, make_meeting, sign_in, numbers):
    meeting = make_meeting(assembly_coop)
    db.rollback()
    lines = [printing.Line(n, f"Caiza, Rosa {n}", "Socio", True) for n in numbers] + [printing.Line()]
    pages = printing.paginate(lines, printing.SIGN_IN_LINES if sign_in else printing.ROLL_LINES)
    pad = printing.number_padder(pages)
    with app.test_request_context():
        doc = layout_pdf("pdf/meetings_roll.html", pages=pages, total_pages=1, pad=pad, coop=db.merge(assembly_coop),
                         meeting=db.merge(meeting), kind_label="Asamblea", first_call="sábado", second_call="",
                         counts=printing.rolls.RollCounts(2, 2), sign_in=sign_in, show_role=False)
    number, name, blank = _heading_and_blank_line(doc)
    digit = blank.width / (pad.width + 1)  # a blank line is the padding alone: the number's digits and a space
    assert number.position_x + number.width == pytest.approx(blank.position_x + pad.width * digit, abs=0.1)
    assert name.position_x == pytest.approx(blank.position_x + blank.width, abs=0.1)
