"""The secretary issues the notice of the ordinary assembly of 13 March 2027 on 1 March: twelve
days ahead, against the bylaws' eight. The roll is frozen, and everyone on it with an address
gets the notice in their own language, once; a notice too late is refused unless overridden with
a reason, which is kept and audited; a notice without agenda, after the first call or twice is
refused, nothing half-saved."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import force_locale

from coop.audit import AuditEvent
from meetings import notice
from meetings.models import MeetingStatus, RollEntry
from tests.meetings.conftest import NOW, refusal
from tests.meetings.convene_factories import add_items, mails
from tests.meetings.test_convene_eligibility import set_meeting_rules
from tests.ledger.statement_factories import add_charge

LATE_DAY = dt.date(2027, 3, 5)  # four days after NOW


def issue(db, coop, meeting, actor=None, **kwargs):
    db.rollback()
    queued = notice.issue_notice(db, actor, db.merge(coop), db.merge(meeting), now=NOW, **kwargs)
    db.commit()
    return queued


def test_issuing_convenes_the_meeting_freezes_the_roll_and_mails_those_with_an_address(
        db, ctx, assembly_coop, make_meeting, make_member, make_user):
    secretary = make_user("maria@example.org", coop=assembly_coop, roles=["secretary"])
    rosa = make_member(assembly_coop, given_names="Rosa", email="rosa@example.org")
    john = make_member(assembly_coop, given_names="John", email="john@example.org", preferred_language="en")
    make_member(assembly_coop, given_names="Luis")  # no address: reads the notice board
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe del consejo", "Presupuesto 2027")

    assert issue(db, assembly_coop, meeting, secretary) == 2

    meeting = db.merge(meeting)
    assert (meeting.status, meeting.notice_issued_dt, meeting.notice_issued_by_id) == (
        MeetingStatus.CONVENED, NOW, secretary.id)
    assert db.scalar(sa.select(sa.func.count()).where(RollEntry.meeting_id == meeting.id)) == 3
    sent = {m.to_address: m for m in mails(db)}
    assert set(sent) == {"rosa@example.org", "john@example.org"}
    assert sent["rosa@example.org"].subject == "Convocatoria: Asamblea general ordinaria"
    assert "Primera convocatoria: sábado, 13 de marzo de 2027, 09:00" in sent["rosa@example.org"].body
    assert "Segunda convocatoria: sábado, 13 de marzo de 2027, 10:00" in sent["rosa@example.org"].body
    assert "1. Informe del consejo" in sent["rosa@example.org"].body and "Casa comunal" in sent["rosa@example.org"].body
    assert sent["john@example.org"].subject == "Notice of meeting: Asamblea general ordinaria"
    assert "First call: Saturday, March 13, 2027, 09:00" in sent["john@example.org"].body
    assert sent["rosa@example.org"].dedupe_key == f"meetings.notice:{meeting.id}:{rosa.id}"
    assert john.id != rosa.id
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meetings.notice"))
    assert event.details == {"called": 3, "mailed": 2, "days": 12}


def test_a_member_who_may_not_vote_is_told_why_in_the_notice(db, ctx, assembly_coop, make_meeting, make_member):
    set_meeting_rules(db, assembly_coop, arrears_months_limit=3)
    rosa = make_member(assembly_coop, email="rosa@example.org")
    db.rollback()
    add_charge(db, db.merge(assembly_coop), db.merge(rosa), 2500, due=dt.date(2026, 6, 1))
    db.commit()
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    issue(db, assembly_coop, meeting)
    [mail] = mails(db)
    assert "Usted consta en el padrón pero no puede votar: Aportes en mora por más de 3 meses." in mail.body


def test_a_late_notice_is_refused_without_the_override(db, ctx, assembly_coop, make_meeting, make_member):
    make_member(assembly_coop, email="rosa@example.org")
    meeting = make_meeting(assembly_coop, day=LATE_DAY, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    db.rollback()
    assert refusal(notice.issue_notice, db, None, db.merge(assembly_coop), db.merge(meeting), now=NOW) == {
        "override": "The bylaws ask for 8 days' notice and the first call is in 4 days. "
                    "To issue it anyway, tick the override and write why."}
    assert refusal(notice.issue_notice, db, None, db.merge(assembly_coop), db.merge(meeting), override=True,
                   late_reason="   ", now=NOW) == {
        "late_reason": "Write why the notice goes out late: the reason goes on the notice and the minutes."}
    db.rollback()
    assert db.merge(meeting).status == MeetingStatus.DRAFT
    assert db.scalar(sa.select(sa.func.count()).select_from(RollEntry)) == 0 and mails(db) == []


def test_a_late_notice_overridden_keeps_its_reason_for_the_notice_and_the_minutes(
        db, ctx, assembly_coop, make_meeting, make_member):
    make_member(assembly_coop, email="rosa@example.org")
    meeting = make_meeting(assembly_coop, day=LATE_DAY, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    issue(db, assembly_coop, meeting, override=True, late_reason="  La Superintendencia pidió la reunión con urgencia ")
    meeting = db.merge(meeting)
    assert meeting.status == MeetingStatus.CONVENED
    assert meeting.late_notice_reason == "La Superintendencia pidió la reunión con urgencia"
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meetings.late_notice"))
    assert event.details["reason"] == meeting.late_notice_reason and event.details["days"] == 4
    assert "La Superintendencia pidió la reunión con urgencia" in mails(db)[0].body


def test_an_override_on_time_records_no_reason(db, ctx, assembly_coop, make_meeting):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    issue(db, assembly_coop, meeting, override=True, late_reason="por si acaso")
    assert db.merge(meeting).late_notice_reason == ""


def test_the_bylaws_days_are_counted_between_the_coops_dates(db, ctx, assembly_coop, make_meeting):
    """Eight days' notice: 1 March for the 9th is in time; for the 8th at 09:00 it is late."""
    in_time = make_meeting(assembly_coop, day=dt.date(2027, 3, 9), status=MeetingStatus.DRAFT)
    late = make_meeting(assembly_coop, day=dt.date(2027, 3, 8), status=MeetingStatus.DRAFT)
    db.rollback()
    assert notice.preview_notice(db, db.merge(assembly_coop), db.merge(in_time), NOW).is_late is False
    assert notice.preview_notice(db, db.merge(assembly_coop), db.merge(late), NOW).is_late is True


def test_a_notice_without_agenda_after_the_first_call_or_twice_is_refused(db, ctx, assembly_coop, make_meeting):
    bare = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    db.rollback()
    assert list(refusal(notice.issue_notice, db, None, db.merge(assembly_coop), db.merge(bare), now=NOW).values()) == [
        "Add the agenda before issuing the notice: a notice states the order of the day."]
    past = make_meeting(assembly_coop, day=dt.date(2027, 2, 1), status=MeetingStatus.DRAFT)
    add_items(db, past, "Informe")
    db.rollback()
    assert list(refusal(notice.issue_notice, db, None, db.merge(assembly_coop), db.merge(past), now=NOW).values()) == [
        "The first call has passed: change the meeting's date before issuing the notice."]
    convened = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, convened, "Informe")
    issue(db, assembly_coop, convened)
    db.rollback()
    assert refusal(notice.issue_notice, db, None, db.merge(assembly_coop), db.merge(convened), now=NOW) == {
        None: "The notice of this meeting was issued already."}
    cancelled = make_meeting(assembly_coop, status=MeetingStatus.CANCELLED)
    add_items(db, cancelled, "Informe")
    db.rollback()
    assert refusal(notice.issue_notice, db, None, db.merge(assembly_coop), db.merge(cancelled), now=NOW) == {
        None: "This meeting was cancelled: it cannot be convened."}


def test_sending_again_queues_nothing_twice(db, ctx, assembly_coop, make_meeting, make_member):
    make_member(assembly_coop, email="rosa@example.org")
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    issue(db, assembly_coop, meeting)
    db.rollback()
    assert notice.send_notices(db, db.merge(assembly_coop), db.merge(meeting)) == 0
    db.commit()
    assert len(mails(db)) == 1


def test_the_quorum_is_said_in_words(db, ctx, assembly_coop):
    db.rollback()
    rules = set_meeting_rules(db, assembly_coop, second_call_quorum_pct=0)
    with force_locale("es"):
        assert notice.quorum_words(db.merge(rules), 100) == [
            "Primera convocatoria: más del 50 % de los votantes (51 de 100).",
            "Segunda convocatoria: con quienes estén presentes."]


def test_the_audit_trail_says_who_was_called_and_why_late(db, ctx, assembly_coop, make_meeting, make_member):
    from coop.audit import summary_text
    make_member(assembly_coop, email="rosa@example.org")
    meeting = make_meeting(assembly_coop, day=LATE_DAY, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe")
    issue(db, assembly_coop, meeting, override=True, late_reason="Urgencia")
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meetings.late_notice"))
    assert summary_text(event) == "Asamblea general ordinaria · 1 called, 1 told by mail, 4 days ahead (reason: Urgencia)"
