"""The day before the convened assembly, everyone on its roll with an address is reminded once:
a second run, or a second process, queues nothing; a board meeting, a draft or an assembly
further away is not reminded; an assembly moved to another day reminds again."""
from __future__ import annotations

import datetime as dt

from coop.scheduler import JobContext
from meetings import reminders
from meetings.models import MeetingKind, MeetingStatus
from tests.meetings.conftest import ASSEMBLY_DAY
from tests.meetings.convene_factories import add_items, mails

#: Friday 12 March 2027, 10:00 in Quito: the assembly is tomorrow at 09:00
EVE = dt.datetime(2027, 3, 12, 15, 0)


def run_job(app, db, now):
    db.rollback()
    with app.test_request_context():
        detail = reminders.send_reminders(JobContext(session=db, config=app.config, now=now))
    db.commit()
    return detail


def test_the_roll_is_reminded_the_day_before_once(app, db, assembly_coop, make_meeting, make_member, make_roll):
    rosa = make_member(assembly_coop, email="rosa@example.org")
    luis = make_member(assembly_coop)  # no address
    meeting = make_meeting(assembly_coop)
    add_items(db, meeting, "Informe del consejo")
    make_roll(meeting, [rosa, luis])

    assert run_job(app, db, EVE - dt.timedelta(days=1)) == "0 assembly reminders queued"  # two days before
    assert run_job(app, db, EVE) == "1 assembly reminders queued"
    assert run_job(app, db, EVE + dt.timedelta(hours=1)) == "0 assembly reminders queued"

    [mail] = mails(db, "meetings.reminder")
    assert mail.to_address == "rosa@example.org"
    assert mail.subject == "Recordatorio: Asamblea general ordinaria"
    assert "sábado, 13 de marzo de 2027, 09:00" in mail.body and "1. Informe del consejo" in mail.body


def test_board_meetings_drafts_and_cancelled_assemblies_are_not_reminded(app, db, assembly_coop, make_meeting,
                                                                         make_member, make_roll):
    rosa = make_member(assembly_coop, email="rosa@example.org")
    for kind, status in ((MeetingKind.BOARD, MeetingStatus.CONVENED), (MeetingKind.ORDINARY, MeetingStatus.DRAFT),
                         (MeetingKind.EXTRAORDINARY, MeetingStatus.CANCELLED)):
        make_roll(make_meeting(assembly_coop, kind=kind, status=status), [rosa])
    assert run_job(app, db, EVE) == "0 assembly reminders queued"
    assert mails(db, "meetings.reminder") == []


def test_an_assembly_moved_to_another_day_reminds_again(app, db, assembly_coop, make_meeting, make_member, make_roll):
    rosa = make_member(assembly_coop, email="rosa@example.org")
    meeting = make_meeting(assembly_coop)
    make_roll(meeting, [rosa])
    run_job(app, db, EVE)
    db.rollback()
    moved = db.merge(meeting)
    moved.first_call_dt += dt.timedelta(days=7)
    moved.second_call_dt += dt.timedelta(days=7)
    db.commit()
    assert run_job(app, db, EVE + dt.timedelta(days=7)) == "1 assembly reminders queued"
    assert len(mails(db, "meetings.reminder")) == 2
    assert ASSEMBLY_DAY == EVE.date() + dt.timedelta(days=1)
