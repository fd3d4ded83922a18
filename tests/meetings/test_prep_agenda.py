"""The order of the day and its documents, the bylaws' settings, and the next meeting on the home
page: the secretary writes the items in order, attaches the budget, and keeps the bylaws within
what a bylaw can mean."""
from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from coop.access import viewer_for
from coop.tenancy import Grant, Role
from meetings import agenda, bylaws, home
from meetings.models import AgendaDocument, AgendaItem, AssemblyForm, MeetingStatus, Motion, TieRule
from meetings.rules import rules_of
from tests.meetings.conftest import refusal

pytestmark = pytest.mark.usefixtures("ctx")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_file(inner: str, mimetype: str | None = None) -> bytes:
    """A minimal zip as an office suite writes it: ODF names its type first, OOXML its main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype)
        archive.writestr(inner, "<xml/>")
    return buffer.getvalue()


def titles(db, meeting) -> list[str]:
    return list(db.scalars(sa.select(AgendaItem.title).where(AgendaItem.meeting_id == meeting.id)
                           .order_by(AgendaItem.position)))


def test_the_order_of_the_day_is_written_moved_and_closed_up(db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    first = agenda.add_item(db, None, assembly_coop, meeting, "Constatación del quórum")
    budget = agenda.add_item(db, None, assembly_coop, meeting, "Presupuesto 2027", "El consejo presenta")
    report = agenda.add_item(db, None, assembly_coop, meeting, "Informe de gerencia")
    assert [first.position, budget.position, report.position] == [1, 2, 3]
    assert agenda.move_item(db, None, assembly_coop, meeting, report, "up")
    assert titles(db, meeting) == ["Constatación del quórum", "Informe de gerencia", "Presupuesto 2027"]
    assert not agenda.move_item(db, None, assembly_coop, meeting, first, "up")  # already first
    agenda.delete_item(db, None, assembly_coop, meeting, first)
    db.commit()
    assert titles(db, meeting) == ["Informe de gerencia", "Presupuesto 2027"]
    assert [report.position, budget.position] == [1, 2]
    assert agenda.update_item(db, None, assembly_coop, meeting, budget, "Presupuesto 2027", "El consejo presenta") == {}


def test_an_item_written_wrong_or_of_a_sitting_meeting_is_refused(db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.CONVENED)
    assert refusal(agenda.add_item, db, None, assembly_coop, meeting, " ", "x" * 8001) == {
        "title": "Write the item as the order of the day names it.",
        "description": "A description has at most 8,000 characters."}
    item = agenda.add_item(db, None, assembly_coop, meeting, "Elección del consejo")
    sitting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION)
    assert refusal(agenda.add_item, db, None, assembly_coop, sitting, "Varios") == {
        None: "The meeting is in session: its order of the day is the one being debated."}
    assert refusal(agenda.move_item, db, None, assembly_coop, sitting, item, "up") == {
        None: "There is no such item on this meeting's agenda."}


def test_an_item_carrying_motions_stays_on_the_order_of_the_day(db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.CONVENED)
    item = agenda.add_item(db, None, assembly_coop, meeting, "Reforma del reglamento")
    db.add(Motion(coop_id=assembly_coop.id, meeting_id=meeting.id, item_id=item.id, title="Reformar el artículo 5"))
    db.flush()
    assert refusal(agenda.delete_item, db, None, assembly_coop, meeting, item) == {
        None: "This item carries motions: it stays on the order of the day."}


@pytest.mark.parametrize("name, content, kind, saved_as", [
    ("presupuesto.pdf", PDF, "application/pdf", "presupuesto.pdf"),
    ("../../informe final.exe", office_file("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "informe final.docx"),
    ("cuentas.xlsx", office_file("xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "cuentas.xlsx"),
    ("acta", office_file("content.xml", "application/vnd.oasis.opendocument.text"),
     "application/vnd.oasis.opendocument.text", "acta.odt"),
    ("plano.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png", "plano.png")])
def test_documents_are_known_by_their_first_bytes(db, assembly_coop, make_meeting, name, content, kind, saved_as):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    item = agenda.add_item(db, None, assembly_coop, meeting, "Presupuesto 2027")
    document = agenda.add_document(db, None, assembly_coop, meeting, item, "", name, content)
    assert (document.content_type, document.filename, document.size) == (kind, saved_as, len(content))
    assert agenda.documents_by_item(db, meeting) == {item.id: [document]}


def test_a_file_that_is_empty_too_large_or_of_another_kind_is_refused(db, assembly_coop, make_meeting, app):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    item = agenda.add_item(db, None, assembly_coop, meeting, "Presupuesto 2027")
    assert refusal(agenda.add_document, db, None, assembly_coop, meeting, item, "", "vacio.pdf", b"") == {
        "file": "The file is empty."}
    assert refusal(agenda.add_document, db, None, assembly_coop, meeting, item, "", "virus.pdf", b"MZ\x90\0") == {
        "file": "Attach a PDF, an office document (ODT, DOCX, ODS, XLSX) or a picture (JPEG, PNG)."}
    assert refusal(agenda.add_document, db, None, assembly_coop, meeting, item, "", "raro.zip",
                   office_file("cosas.txt")) == {
        "file": "Attach a PDF, an office document (ODT, DOCX, ODS, XLSX) or a picture (JPEG, PNG)."}
    app.config["MEETINGS_DOCUMENT_MAX_BYTES"] = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024 + 1)
    assert refusal(agenda.add_document, db, None, assembly_coop, meeting, item, "", "grande.pdf", big) == {
        "file": "The file is 1.1 MB; the limit is 1 MB."}
    assert db.scalar(sa.select(sa.func.count(AgendaDocument.id))) == 0


def test_documents_stay_as_they_were_once_the_meeting_is_over(db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION)
    item = AgendaItem(coop_id=assembly_coop.id, meeting_id=meeting.id, position=1, title="Informe")
    db.add(item)
    db.flush()
    handout = agenda.add_document(db, None, assembly_coop, meeting, item, "Hoja repartida", "hoja.pdf", PDF)
    assert refusal(agenda.delete_document, db, None, assembly_coop, handout) == {
        None: "The meeting is in session: its order of the day is the one being debated."}
    meeting.status = MeetingStatus.CLOSED
    assert refusal(agenda.add_document, db, None, assembly_coop, meeting, item, "", "tarde.pdf", PDF) == {
        None: "This meeting is over: its documents no longer change."}


def rules_data(**fields) -> bylaws.RulesData:
    values = dict(notice_days=8, first_call_quorum_pct=50, second_call_quorum_pct=0, quorum_is_more_than=True,
                  arrears_months_limit=3, minga_shortfall_excludes=True, proxies_allowed=True,
                  max_proxies_per_holder=2, chair_has_casting_vote=True, abstentions_count=False,
                  assembly_form="representatives", election_tie_rule="lot")
    values.update(fields)
    return bylaws.RulesData(**values)


def test_the_bylaws_settings_are_saved_and_their_changes_recorded(db, assembly_coop):
    changes = bylaws.update_rules(db, None, assembly_coop, rules_data())
    assert set(changes) == {"arrears_months_limit", "minga_shortfall_excludes", "max_proxies_per_holder",
                            "chair_has_casting_vote", "assembly_form", "election_tie_rule"}
    rules = rules_of(db, assembly_coop)
    assert (rules.assembly_form, rules.election_tie_rule, rules.arrears_months_limit) == \
        (AssemblyForm.REPRESENTATIVES, TieRule.LOT, 3)
    assert bylaws.update_rules(db, None, assembly_coop, rules_data()) == {}


def test_bylaws_out_of_bounds_are_refused_beside_each_field(db, assembly_coop):
    errors = refusal(bylaws.update_rules, db, None, assembly_coop, rules_data(
        notice_days=-1, first_call_quorum_pct=0, second_call_quorum_pct=101, arrears_months_limit=0,
        max_proxies_per_holder=21, assembly_form="everyone", election_tie_rule="coin"))
    assert errors == {"notice_days": "From 0 to 90 days.", "first_call_quorum_pct": "A percent from 1 to 100.",
                      "second_call_quorum_pct": "A percent from 0 (whoever is present) to 100.",
                      "arrears_months_limit": "From 1 to 120 months, or leave it empty.",
                      "max_proxies_per_holder": "From 0 to 20.", "assembly_form": "Choose one.",
                      "election_tie_rule": "Choose one."}
    assert refusal(bylaws.update_rules, db, None, assembly_coop, rules_data(
        first_call_quorum_pct=30, second_call_quorum_pct=40, max_proxies_per_holder=0, notice_days=None)) == {
        "notice_days": "From 0 to 90 days.",
        "second_call_quorum_pct": "The second call asks at most the quorum of the first.",
        "max_proxies_per_holder": "With proxies allowed, one person may hold at least one."}
    bylaws.update_rules(db, None, assembly_coop, rules_data(proxies_allowed=False, max_proxies_per_holder=0,
                                                            arrears_months_limit=None))
    assert rules_of(db, assembly_coop).arrears_months_limit is None


def viewer(coop, role: Role):
    return viewer_for(coop, 1, [Grant(role, None)])


def test_the_home_page_names_the_next_assembly_and_the_drafts_waiting_for_notice(db, assembly_coop, make_meeting,
                                                                                   monkeypatch):
    from tests.meetings.conftest import NOW
    monkeypatch.setattr(home, "utcnow", lambda: NOW)
    assert home.next_assembly(db, assembly_coop, viewer(assembly_coop, Role.MEMBER)) is None
    draft = make_meeting(assembly_coop, status=MeetingStatus.DRAFT, title="Consejo de marzo")
    assert home.next_assembly(db, assembly_coop, viewer(assembly_coop, Role.MEMBER)) is None
    convened = make_meeting(assembly_coop, status=MeetingStatus.CONVENED)
    for_member = home.next_assembly(db, assembly_coop, viewer(assembly_coop, Role.MEMBER))
    assert for_member.context["coming"].id == convened.id and for_member.context["waiting"] == []
    for_secretary = home.next_assembly(db, assembly_coop, viewer(assembly_coop, Role.SECRETARY))
    assert [meeting.id for meeting, _when in for_secretary.context["waiting"]] == [draft.id]
