"""The minutes (acta): the draft read from the record with the secretary's notes, approval at a later
meeting or by the board, approved versions that never change, corrections as new versions, the PDF."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from meetings import minutes, printing_minutes
from meetings.models import Meeting, MeetingRules, MeetingStatus, MinutesStatus, MinutesVersion
from tests.meetings.conftest import ASSEMBLY_DAY, refusal
from tests.meetings.record_factories import held_assembly, later_meeting

TODAY = ASSEMBLY_DAY + dt.timedelta(days=90)


@pytest.fixture
def assembly(db, assembly_coop, make_members):
    return held_assembly(db, assembly_coop, make_members(assembly_coop, 20), items=3)


def approve(db, coop, meeting, **approval):
    db.rollback()
    values = {"president_name": "María Quishpe", "secretary_name": "José Tipán"} | approval
    version = minutes.approve_minutes(db, None, db.merge(coop), db.merge(meeting), minutes.Approval(**values),
                                      today=TODAY)
    db.commit()
    return version


def write_notes(db, coop, meeting, **data):
    db.rollback()
    minutes.save_notes(db, None, db.merge(coop), db.merge(meeting), minutes.NotesData(**data))
    db.commit()


def test_the_draft_says_what_the_record_says(ctx, db, assembly_coop, assembly):
    content = minutes.draft_content(db, assembly_coop, db.merge(assembly))
    assert content["call"] == "first" and content["opened"] == "2027-03-13T09:05"
    assert content["closed"] == "2027-03-13T13:40"
    assert content["attendance"] == {"roll_voters": 20, "present": 18, "represented": 1, "required": 11,
                                     "reached": True}
    assert content["late_notice_reason"].startswith("La fecha de la asamblea")
    assert [item["title"] for item in content["items"]] == ["Punto 1", "Punto 2", "Punto 3"]
    first = content["items"][0]["motions"]
    # the amendment, voted first, comes just before its motion and names it
    assert [m["title"] for m in first] == ["Enmienda al punto 1", "Moción del punto 1"]
    assert first[0]["amends_title"] == "Moción del punto 1"
    assert first[1]["versions"] == [{"number": 1, "text": "Se resuelve el punto 1."}]
    assert first[0]["votes"][0]["outcome"] == "Aprobada: 12 a favor, 3 en contra."
    election = content["items"][2]["elections"][0]
    assert election["position"] == "Consejo de administración"
    assert [(c["votes"], c["elected_rank"]) for c in election["candidates"]] == [(14, 1), (11, 2), (6, None)]
    assert [r["reference"] for r in content["resolutions"]] == ["2027-001", "2027-002", "2027-003"]
    assert content["chair"] and content["secretary"]


def test_the_secretarys_notes_go_into_the_draft(ctx, db, assembly_coop, assembly, make_member):
    chair = make_member(assembly_coop, given_names="Rosa", family_names="Chiluisa")
    item = db.merge(assembly).items[1]
    write_notes(db, assembly_coop, assembly, opening_notes="Abre la sesión la presidenta.",
                chair_number=chair.number, item_notes={item.id: "Intervienen cinco socios sobre el muro."})
    content = minutes.draft_content(db, assembly_coop, db.merge(assembly))
    assert content["opening_notes"] == "Abre la sesión la presidenta."
    assert content["chair"] == "Rosa Chiluisa" and content["secretary"] == ""
    assert content["items"][1]["notes"] == "Intervienen cinco socios sobre el muro."


def test_notes_naming_a_chair_who_is_not_a_member_are_refused(ctx, db, assembly_coop, assembly):
    db.rollback()
    errors = refusal(minutes.save_notes, db, None, db.merge(assembly_coop), db.merge(assembly),
                     minutes.NotesData(chair_number=99999))
    assert errors == {"chair_number": "There is no member with number 99999."}


def test_minutes_approved_at_a_later_meeting_freeze_the_draft(ctx, db, assembly_coop, assembly):
    board = later_meeting(db, assembly_coop)
    version = approve(db, assembly_coop, assembly, at_meeting=db.merge(board))
    assert version.number == 1 and version.status == MinutesStatus.APPROVED
    assert version.approved_on == ASSEMBLY_DAY + dt.timedelta(days=60)
    assert version.approved_at_meeting_id == board.id
    frozen = minutes.content_of(version)
    assert frozen == minutes.draft_content(db, assembly_coop, db.merge(assembly))


def test_approved_minutes_do_not_follow_later_notes(ctx, db, assembly_coop, assembly):
    approve(db, assembly_coop, assembly, on=ASSEMBLY_DAY + dt.timedelta(days=20))
    db.rollback()
    db.merge(assembly).opening_notes = "Texto cambiado después"
    db.commit()
    assert minutes.content_of(minutes.latest_approved(db, db.merge(assembly)))["opening_notes"] == ""


def test_approving_twice_is_refused_and_notes_after_approval_too(ctx, db, assembly_coop, assembly):
    approve(db, assembly_coop, assembly, on=ASSEMBLY_DAY + dt.timedelta(days=20))
    db.rollback()
    errors = refusal(minutes.approve_minutes, db, None, db.merge(assembly_coop), db.merge(assembly),
                     minutes.Approval("María Quishpe", "José Tipán", on=TODAY), today=TODAY)
    assert errors == {None: "These minutes are already approved; draft a correction to change them."}
    db.rollback()
    errors = refusal(minutes.save_notes, db, None, db.merge(assembly_coop), db.merge(assembly),
                     minutes.NotesData(opening_notes="Otra cosa"))
    assert errors == {None: "These minutes are approved and never change; draft a correction instead."}


def test_an_approved_version_cannot_be_changed_even_by_code(ctx, db, assembly_coop, assembly):
    version_id = approve(db, assembly_coop, assembly, on=ASSEMBLY_DAY + dt.timedelta(days=20)).id
    db.rollback()
    db.get(MinutesVersion, version_id).president_name = "Otra persona"
    with pytest.raises(minutes.ApprovedMinutesChanged):
        db.flush()
    db.rollback()
    assert db.get(MinutesVersion, version_id).president_name == "María Quishpe"


@pytest.mark.parametrize(("approval", "field", "message"), [
    ({"president_name": " "}, "president_name", "Write the name of the person who signs."),
    ({"on": None}, "approved_on",
     "Choose the meeting that approved the minutes, or the day the board approved them."),
    ({"on": ASSEMBLY_DAY - dt.timedelta(days=1)}, "approved_on",
     "The day of approval is between the meeting's day and today."),
    ({"on": TODAY + dt.timedelta(days=1)}, "approved_on",
     "The day of approval is between the meeting's day and today."),
])
def test_bad_approvals_are_refused_beside_their_field(ctx, db, assembly_coop, assembly, approval, field, message):
    values = {"president_name": "María Quishpe", "secretary_name": "José Tipán", "on": TODAY} | approval
    db.rollback()
    errors = refusal(minutes.approve_minutes, db, None, db.merge(assembly_coop), db.merge(assembly),
                     minutes.Approval(**values), today=TODAY)
    assert errors == {field: message}
    db.rollback()
    assert minutes.versions_of(db, db.merge(assembly)) == []


def test_minutes_are_not_approved_at_an_earlier_meeting_nor_before_closing(ctx, db, assembly_coop, assembly,
                                                                          make_meeting):
    earlier = later_meeting(db, assembly_coop, day=ASSEMBLY_DAY - dt.timedelta(days=30))
    db.rollback()
    errors = refusal(minutes.approve_minutes, db, None, db.merge(assembly_coop), db.merge(assembly),
                     minutes.Approval("María Quishpe", "José Tipán", at_meeting=db.merge(earlier)), today=TODAY)
    assert errors == {"at_meeting": "Choose a meeting held after this one."}
    coming = make_meeting(assembly_coop, day=TODAY, status=MeetingStatus.CONVENED)
    db.rollback()
    errors = refusal(minutes.approve_minutes, db, None, db.merge(assembly_coop), db.merge(coming),
                     minutes.Approval("María Quishpe", "José Tipán", on=TODAY), today=TODAY)
    assert errors == {None: "Minutes are approved once the meeting has closed."}


def test_a_correction_is_a_new_version_with_its_reason_and_the_first_stays(ctx, db, assembly_coop, assembly):
    first = approve(db, assembly_coop, assembly, on=ASSEMBLY_DAY + dt.timedelta(days=20))
    item_id = db.merge(assembly).items[0].id
    db.rollback()
    correction = minutes.correct_minutes(db, None, db.merge(assembly_coop), db.merge(assembly),
                                         reason="Faltó el nombre de quien propuso el punto 1.",
                                         opening_notes="", item_notes={item_id: "Propuso la señora Caiza."})
    db.commit()
    assert (correction.number, correction.status) == (2, MinutesStatus.DRAFT)
    assert minutes.latest_approved(db, db.merge(assembly)).number == 1
    second = approve(db, assembly_coop, assembly, on=ASSEMBLY_DAY + dt.timedelta(days=40),
                     secretary_name="Nelly Simbaña")
    assert second.id == correction.id and second.status == MinutesStatus.APPROVED
    assert second.correction_reason == "Faltó el nombre de quien propuso el punto 1."
    assert minutes.content_of(second)["items"][0]["notes"] == "Propuso la señora Caiza."
    db.rollback()
    kept = db.get(MinutesVersion, first.id)
    assert kept.status == MinutesStatus.APPROVED and minutes.content_of(kept)["items"][0]["notes"] == ""
    assert [v.number for v in minutes.versions_of(db, db.merge(assembly))] == [1, 2]


def test_a_draft_is_not_corrected_and_a_correction_needs_a_reason(ctx, db, assembly_coop, assembly):
    db.rollback()
    errors = refusal(minutes.correct_minutes, db, None, db.merge(assembly_coop), db.merge(assembly),
                     reason="", opening_notes="", item_notes={})
    assert errors == {None: "Only approved minutes are corrected; these are still a draft.",
                      "reason": "Say why the minutes are corrected."}


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_minutes_pdf_carries_the_record_and_the_signatures(ctx, db, assembly_coop, assembly):
    version = approve(db, assembly_coop, assembly, on=ASSEMBLY_DAY + dt.timedelta(days=20))
    db.rollback()
    text = pdf_text(printing_minutes.minutes_document(db, db.merge(assembly_coop), db.merge(assembly),
                                                      db.merge(version), "en"))
    for words in ("Asamblea general ordinaria 2027", "Punto 3", "Se resuelve el punto 2.", "2027-003",
                  "Consejo de administración", "María Quishpe", "José Tipán", "President", "Secretary",
                  "Version 1", "La fecha de la asamblea"):
        assert words in text, words


def test_the_draft_pdf_says_it_is_a_draft(ctx, db, assembly_coop, assembly):
    db.rollback()
    text = pdf_text(printing_minutes.minutes_document(db, db.merge(assembly_coop), db.merge(assembly), None, "en"))
    assert "Draft: not approved" in text and "Punto 1" in text


def test_a_meeting_without_minutes_has_no_versions(ctx, db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop)
    db.rollback()
    assert minutes.versions_of(db, db.merge(meeting)) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_the_draft_of_a_meeting_not_yet_opened_counts_the_roll_and_writes_nothing(ctx, db, assembly_coop,
                                                                                  make_meeting, make_roll,
                                                                                  make_members):
    meeting = make_meeting(assembly_coop)
    make_roll(meeting, make_members(assembly_coop, 3), present=True)
    db.rollback()
    content = minutes.draft_content(db, db.merge(assembly_coop), db.merge(meeting))
    assert content["opened"] is None and content["items"] == []
    assert content["attendance"] == {"roll_voters": 3, "present": 3, "represented": 0, "required": None,
                                     "reached": False}
    assert db.scalar(sa.select(sa.func.count()).select_from(MeetingRules)) == 0
