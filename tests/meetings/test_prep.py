"""Preparing meetings: the secretary writes an assembly with its two calls, changes it while that
is honest, calls it off (telling the roll once the notice is out), and keeps the lists members and
officers read."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.outbox import OutboxMessage
from meetings import meetings
from meetings.meetings import MeetingData
from meetings.models import Meeting, MeetingKind, MeetingStatus
from minga.models import Commission
from tests.meetings.conftest import ASSEMBLY_DAY, NOW, refusal

pytestmark = pytest.mark.usefixtures("ctx")


def assembly(**fields) -> MeetingData:
    values = {"kind": "ordinary", "title": "Asamblea general ordinaria 2027", "day": ASSEMBLY_DAY,
              "first_time": dt.time(9), "second_time": dt.time(10), "place": "Casa comunal",
              "attendance_note": "Socios activos"}
    values.update(fields)
    return MeetingData(**values)


def test_the_secretary_prepares_an_assembly_with_two_calls_in_quito_time(db, assembly_coop):
    meeting = meetings.create_meeting(db, None, assembly_coop, assembly(), now=NOW)
    db.commit()
    assert meeting.status is MeetingStatus.DRAFT
    # Quito is five hours behind UTC
    assert meeting.first_call_dt == dt.datetime(2027, 3, 13, 14, 0)
    assert meeting.second_call_dt == dt.datetime(2027, 3, 13, 15, 0)
    assert meetings.calls_in_words(assembly_coop, meeting, "en") == \
        "Saturday, March 13, 2027, 09:00 (second call: 10:00)"
    assert db.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == meeting.id,
                                                        AuditEvent.object_type == "meeting")) == "meetings.meeting"


def test_a_meeting_written_wrong_shows_every_mistake_at_once(db, assembly_coop):
    errors = refusal(meetings.create_meeting, db, None, assembly_coop,
                     assembly(title="  ", day=None, kind="commission"), now=NOW)
    assert errors == {"title": "Give the meeting a title, as the notice names it.",
                      "day": "Write the day of the meeting.",
                      "commission_id": "Choose the commission that meets."}
    errors = refusal(meetings.create_meeting, db, None, assembly_coop,
                     assembly(kind="block", second_time=dt.time(8), place="x" * 201), now=NOW)
    assert errors == {"block": "Write the block or sector whose members meet.",
                      "second_time": "The second call comes after the first.",
                      "place": "A place has at most 200 characters."}
    assert refusal(meetings.create_meeting, db, None, assembly_coop, assembly(kind="picnic"), now=NOW) == \
        {"kind": "Choose the kind of meeting."}
    assert db.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_a_meeting_is_prepared_before_it_happens(db, assembly_coop):
    assert refusal(meetings.create_meeting, db, None, assembly_coop, assembly(day=dt.date(2027, 2, 27)), now=NOW) == \
        {"day": "The first call is in the past: a new meeting is still to come."}


def test_a_commission_meeting_names_a_commission_of_this_coop(db, assembly_coop, make_coop):
    other = make_coop("vecina")
    theirs = Commission(coop_id=other.id, name="Parque")
    ours = Commission(coop_id=assembly_coop.id, name="Quebrada")
    db.add_all([theirs, ours])
    db.commit()
    assert refusal(meetings.create_meeting, db, None, assembly_coop,
                   assembly(kind="commission", commission_id=theirs.id), now=NOW) == \
        {"commission_id": "Choose the commission that meets."}
    meeting = meetings.create_meeting(db, None, assembly_coop, assembly(kind="commission", commission_id=ours.id,
                                                                        block="ignored"), now=NOW)
    assert (meeting.kind, meeting.commission_id, meeting.block) == (MeetingKind.COMMISSION, ours.id, "")
    assert meetings.commission_choices(db, assembly_coop) == [(ours.id, "Quebrada")]


def test_a_draft_changes_freely_but_a_convened_meeting_keeps_what_its_notice_said(db, assembly_coop, make_meeting):
    draft = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    changes = meetings.update_meeting(db, None, assembly_coop, draft, assembly(day=ASSEMBLY_DAY + dt.timedelta(days=7)),
                                      now=NOW)
    assert set(changes) >= {"first_call_dt", "second_call_dt", "title"}
    convened = make_meeting(assembly_coop, status=MeetingStatus.CONVENED)
    errors = refusal(meetings.update_meeting, db, None, assembly_coop, convened,
                     assembly(title=convened.title, day=ASSEMBLY_DAY + dt.timedelta(days=1), place="Escuela"), now=NOW)
    moved = ("The notice has been issued with this: changing it needs a new notice. "
             "Cancel the meeting and convene it again.")
    assert errors == {"day": moved, "second_time": moved, "place": moved}
    changes = meetings.update_meeting(db, None, assembly_coop, convened,
                                      assembly(title="Asamblea general ordinaria 2027 (corregida)"), now=NOW)
    assert set(changes) == {"title", "attendance_note"}


@pytest.mark.parametrize("status, message", [
    (MeetingStatus.IN_SESSION, "This meeting is in session: it cannot be changed now."),
    (MeetingStatus.CLOSED, "This meeting is closed: it cannot be changed."),
    (MeetingStatus.CANCELLED, "This meeting was cancelled: it cannot be changed.")])
def test_a_sitting_closed_or_cancelled_meeting_is_not_changed(db, assembly_coop, make_meeting, status, message):
    meeting = make_meeting(assembly_coop, status=status)
    assert refusal(meetings.update_meeting, db, None, assembly_coop, meeting, assembly(), now=NOW) == {None: message}


def test_cancelling_a_draft_tells_nobody_and_needs_a_reason(db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    assert refusal(meetings.cancel_meeting, db, None, assembly_coop, meeting, "  ", now=NOW) == \
        {"reason": "Say why the meeting is cancelled."}
    assert meetings.cancel_meeting(db, None, assembly_coop, meeting, "Falta el informe", now=NOW) == 0
    assert (meeting.status, meeting.cancel_reason) == (MeetingStatus.CANCELLED, "Falta el informe")
    assert db.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_cancelling_a_convened_meeting_tells_each_person_on_the_roll_once(db, assembly_coop, make_meeting, make_roll,
                                                                         make_member):
    with_mail = [make_member(assembly_coop, email=f"socio{n}@example.org") for n in range(2)]
    without = make_member(assembly_coop)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.CONVENED, notice_issued_dt=NOW)
    make_roll(meeting, with_mail + [without])
    assert meetings.cancel_meeting(db, None, assembly_coop, meeting, "Lluvias: el salón está inundado", now=NOW) == 2
    messages = db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in messages] == ["socio0@example.org", "socio1@example.org"]
    assert "Lluvias: el salón está inundado" in messages[0].body
    assert meetings.tell_cancelled(db, assembly_coop, meeting) == 0  # the dedupe keys hold
    assert refusal(meetings.cancel_meeting, db, None, assembly_coop, meeting, "Otra vez", now=NOW) == \
        {None: "This meeting was cancelled: it cannot be changed."}


def test_a_meeting_in_session_is_closed_not_cancelled(db, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION)
    assert refusal(meetings.cancel_meeting, db, None, assembly_coop, meeting, "Nos vamos", now=NOW) == \
        {None: "This meeting is in session: close it instead of cancelling it."}


def test_members_see_the_meetings_they_were_called_to_and_officers_the_drafts_too(db, assembly_coop, make_meeting):
    draft = make_meeting(assembly_coop, status=MeetingStatus.DRAFT, title="Borrador")
    convened = make_meeting(assembly_coop, status=MeetingStatus.CONVENED, title="Convocada")
    make_meeting(assembly_coop, status=MeetingStatus.CANCELLED, title="Anulada sin convocar")
    told = make_meeting(assembly_coop, status=MeetingStatus.CANCELLED, title="Anulada convocada", notice_issued_dt=NOW)
    last_year = make_meeting(assembly_coop, status=MeetingStatus.CLOSED, day=dt.date(2026, 3, 14), title="2026")
    members = meetings.meeting_lists(db, assembly_coop, with_drafts=False, now=NOW)
    assert [m.title for m in members.coming] == ["Convocada"]
    assert [m.title for m in members.past] == ["Anulada convocada", "2026"] and members.past_total == 2
    officers = meetings.meeting_lists(db, assembly_coop, with_drafts=True, now=NOW)
    assert {m.id for m in officers.coming} == {draft.id, convened.id}
    assert officers.past_total == 3
    assert meetings.is_shown_to_members(told) and not meetings.is_shown_to_members(draft)
    assert meetings.next_meeting(db, assembly_coop, now=NOW).id == convened.id
    assert [m.id for m in meetings.waiting_for_notice(db, assembly_coop, now=NOW)] == [draft.id]
    assert meetings.officers_next(db, assembly_coop, now=NOW) == (convened, [draft])
    assert meetings.meeting_lists(db, assembly_coop, with_drafts=False, now=NOW, per_page=1, page=2).past[0].id \
        == last_year.id
