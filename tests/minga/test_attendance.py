"""After the Saturday session of the ravine commission, its coordinator records who worked: present
for hours (partial allowed, never more than the session lasted), absent, excused with a reason;
those who came without signing up are added; a mistake is corrected with who and why, and the
household keeps the hours even when another of its members worked in the signed-up one's place."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import duplicates
from coop.audit import AuditEvent
from coop.errors import DomainError, NotFoundError
from members.models import MemberStatus
from minga import attendance
from minga.attendance import AttendanceEntry, parse_hours, row_field
from minga.models import Attendance, AttendanceChange, AttendanceStatus, SessionStatus, SignUpStatus, WorkSession
from tests.minga.attendance_factories import add_sign_up, make_household

#: Saturday 5 December 2026 at 14:00 in Quito: the 07:00-13:00 session is over
AFTER = dt.datetime(2026, 12, 5, 19, 0)
#: 09:00 in Quito, while it runs
DURING = dt.datetime(2026, 12, 5, 14, 0)
PRESENT, ABSENT, EXCUSED = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


@pytest.fixture
def ravine(db, minga_coop, make_commission, make_session):
    commission = make_commission(minga_coop)
    work_session = make_session(commission)
    db.rollback()
    return db.merge(minga_coop), db.merge(work_session)


@pytest.fixture
def people(db, ravine, make_member):
    """Three households' members with a confirmed place: Rosa Quishpe, Luis Guamán, Ana Chiluisa."""
    coop, work_session = ravine
    quishpe = make_household(db, coop, "Familia Quishpe")
    rosa = make_member(coop, given_names="Rosa", family_names="Quishpe", household=quishpe)
    luis = make_member(coop, given_names="Luis", family_names="Guamán")
    ana = make_member(coop, given_names="Ana", family_names="Chiluisa")
    for member in (rosa, luis, ana):
        add_sign_up(db, work_session, member)
    db.rollback()
    return db.merge(rosa), db.merge(luis), db.merge(ana)


def record(db, ravine, entries, now=AFTER, actor=None):
    coop, work_session = ravine
    db.rollback()
    written = attendance.record_attendance(db, actor, db.merge(coop), db.merge(work_session), entries, now=now)
    db.commit()
    return written


def refusal(db, ravine, entries, now=AFTER) -> DomainError:
    coop, work_session = ravine
    db.rollback()
    with pytest.raises(DomainError) as refused:
        attendance.record_attendance(db, None, db.merge(coop), db.merge(work_session), entries, now=now)
    db.rollback()
    return refused.value


def messages(error: DomainError) -> dict[str | None, str]:
    return {each.field: each.text for each in getattr(error, "errors", None) or [error]}


def recorded(db) -> list[Attendance]:
    db.rollback()
    return list(db.scalars(sa.select(Attendance).order_by(Attendance.id)))


# --- the sheet ---------------------------------------------------------------------------------------

def test_the_sheet_lists_the_confirmed_by_family_name_and_not_the_waitlist(db, ravine, people, make_member):
    coop, work_session = ravine
    waiting = make_member(coop, given_names="Pedro", family_names="Andrango")
    add_sign_up(db, work_session, waiting, SignUpStatus.WAITLISTED)
    db.rollback()
    rows = attendance.attendance_sheet(db, db.merge(coop), db.merge(work_session))
    assert [row.member.family_names for row in rows] == ["Chiluisa", "Guamán", "Quishpe"]
    assert rows[2].household.name == "Familia Quishpe"
    assert not any(row.is_walk_in for row in rows)


def test_recording_keeps_present_hours_absences_and_excuses_and_marks_the_session_done(db, ravine, people):
    rosa, luis, ana = people
    written = record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360),
                                  AttendanceEntry(luis.id, PRESENT, 150),  # left early: partial hours
                                  AttendanceEntry(ana.id, EXCUSED, reason="Enferma")])
    assert len(written) == 3
    rows = {row.member_id: row for row in recorded(db)}
    assert (rows[rosa.id].status, rows[rosa.id].minutes, rows[rosa.id].household_id) == (PRESENT, 360,
                                                                                          rosa.household_id)
    assert rows[rosa.id].sign_up_id is not None
    assert (rows[luis.id].minutes, rows[ana.id].status, rows[ana.id].minutes, rows[ana.id].reason) == (
        150, EXCUSED, 0, "Enferma")
    assert db.get(WorkSession, ravine[1].id).status is SessionStatus.DONE
    actions = db.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("minga.%"))).all()
    assert actions.count("minga.attendance") == 4  # three people and the session done


def test_an_absent_member_has_no_hours_whatever_was_typed(db, ravine, people):
    rosa, _luis, _ana = people
    record(db, ravine, [AttendanceEntry(rosa.id, ABSENT, 360)])
    assert [(row.status, row.minutes) for row in recorded(db)] == [(ABSENT, 0)]


def test_attendance_taken_during_the_session_leaves_it_open(db, ravine, people):
    rosa, _luis, _ana = people
    record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 60)], now=DURING)
    assert db.get(WorkSession, ravine[1].id).status is SessionStatus.OPEN


# --- refusals ------------------------------------------------------------------------------------

def test_more_hours_than_the_session_lasted_are_refused_saying_its_length(db, ravine, people):
    rosa, _luis, _ana = people
    error = refusal(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 7 * 60)])
    assert messages(error) == {row_field(rosa.id, "minutes"): "A session of 6 h does not allow 7 h."}
    assert recorded(db) == []


def test_present_without_hours_is_refused(db, ravine, people):
    rosa, _luis, _ana = people
    error = refusal(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 0)])
    assert messages(error) == {row_field(rosa.id, "minutes"): "Write the hours this person worked."}


def test_attendance_before_the_session_starts_is_refused(db, ravine, people):
    rosa, _luis, _ana = people
    error = refusal(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 60)], now=dt.datetime(2026, 12, 5, 11, 59))
    assert error.text.startswith("This session has not started yet: attendance is recorded once it starts")
    assert "07:00–13:00" in error.text
    assert recorded(db) == []


@pytest.mark.parametrize("status, words", [(SessionStatus.CANCELLED, "was cancelled"),
                                           (SessionStatus.DRAFT, "is still a draft")])
def test_a_cancelled_or_draft_session_takes_no_attendance(db, ravine, people, status, words):
    rosa, _luis, _ana = people
    db.rollback()
    db.merge(ravine[1]).status = status
    db.commit()
    error = refusal(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 60)])
    assert words in error.text


def test_attendance_for_someone_not_in_the_register_is_refused(db, ravine, people):
    error = refusal(db, ravine, [AttendanceEntry(999_999, PRESENT, 60)])
    assert isinstance(error.errors[0], NotFoundError)
    assert messages(error) == {row_field(999_999, "status"): "Attendance is recorded only for members of the "
                                                              "co-op: this person is not in the register."}


def test_a_member_of_another_coop_is_not_found(db, ravine, people, make_coop, make_member):
    other = make_member(make_coop("vecina"), given_names="Marta", family_names="Vecina")
    error = refusal(db, ravine, [AttendanceEntry(other.id, PRESENT, 60)])
    assert isinstance(error.errors[0], NotFoundError)
    assert "not in the register" in error.text


def test_a_withdrawn_member_gets_no_attendance(db, ravine, make_member):
    gone = make_member(ravine[0], given_names="Jorge", family_names="Tipán", status=MemberStatus.APPLICANT)
    error = refusal(db, ravine, [AttendanceEntry(gone.id, PRESENT, 60)])
    assert "only for active or suspended members" in error.text


def test_excused_without_a_reason_is_refused(db, ravine, people):
    rosa, _luis, _ana = people
    error = refusal(db, ravine, [AttendanceEntry(rosa.id, EXCUSED, reason="  ")])
    assert messages(error) == {row_field(rosa.id, "reason"): "Say why this person is excused."}


def test_one_wrong_row_of_many_saves_nothing_and_every_problem_is_named_beside_its_row(db, ravine, people):
    rosa, luis, ana = people
    error = refusal(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360), AttendanceEntry(luis.id, PRESENT, 500),
                                 AttendanceEntry(ana.id, EXCUSED)])
    assert set(messages(error)) == {row_field(luis.id, "minutes"), row_field(ana.id, "reason")}
    assert recorded(db) == []
    assert db.get(WorkSession, ravine[1].id).status is SessionStatus.OPEN


# --- corrections ---------------------------------------------------------------------------------

def test_a_correction_needs_a_reason_and_keeps_its_history(db, ravine, people, make_user):
    rosa, luis, _ana = people
    coordinator = make_user("coordinadora@example.org", name="Carmen Coordinadora")
    record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360), AttendanceEntry(luis.id, ABSENT)])

    error = refusal(db, ravine, [AttendanceEntry(luis.id, PRESENT, 240)])
    assert messages(error) == {row_field(luis.id, "correction_reason"): "Say why this attendance is corrected."}

    written = record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360),  # unchanged: left alone
                                  AttendanceEntry(luis.id, PRESENT, 240, correction_reason="Llegó tarde, sí vino")],
                     actor=db.merge(coordinator))
    assert [row.member_id for row in written] == [luis.id]
    luis_row = next(row for row in recorded(db) if row.member_id == luis.id)
    assert (luis_row.status, luis_row.minutes) == (PRESENT, 240)
    [(change, who)] = attendance.changes_of(db, luis_row)
    assert (change.previous_status, change.previous_minutes, change.status, change.minutes) == (ABSENT, 0, PRESENT, 240)
    assert (change.reason, who) == ("Llegó tarde, sí vino", "Carmen Coordinadora")
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "minga.attendance_correction"))
    assert event.changes == {"status": ["absent", "present"], "minutes": [0, 240]}


def test_rewording_only_the_reason_of_an_excuse_needs_no_correction_and_is_audited(db, ravine, people, make_user):
    _rosa, luis, _ana = people
    coordinator = make_user("coordinadora@example.org", name="Carmen Coordinadora")
    record(db, ravine, [AttendanceEntry(luis.id, EXCUSED, reason="Enfermo")])

    written = record(db, ravine, [AttendanceEntry(luis.id, EXCUSED, reason="Cita médica en el IESS")],
                     actor=db.merge(coordinator))

    assert [row.member_id for row in written] == [luis.id]
    [row] = recorded(db)
    assert (row.status, row.minutes, row.reason) == (EXCUSED, 0, "Cita médica en el IESS")
    assert db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == 0  # the hours did not change
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "minga.attendance_reason"))
    assert event.changes == {"reason": ["Enfermo", "Cita médica en el IESS"]}
    assert event.actor_id == coordinator.id
    # a reason that comes with another status is still a correction, and asks why
    error = refusal(db, ravine, [AttendanceEntry(luis.id, ABSENT, reason="No avisó")])
    assert messages(error) == {row_field(luis.id, "correction_reason"): "Say why this attendance is corrected."}


def test_sending_the_same_sheet_twice_changes_nothing(db, ravine, people):
    rosa, _luis, _ana = people
    record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360)])
    assert record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360)]) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == 0


# --- walk-ins and substitutes --------------------------------------------------------------------

def test_a_walk_in_is_recorded_without_a_sign_up_and_only_once(db, ravine, people, make_member):
    coop, work_session = ravine
    walker = make_member(coop, given_names="Marco", family_names="Pilataxi")
    db.rollback()
    added = attendance.add_walk_in(db, None, db.merge(coop), db.merge(work_session), db.merge(walker), 180, now=AFTER)
    db.commit()
    assert (added.sign_up_id, added.status, added.minutes) == (None, PRESENT, 180)
    rows = attendance.attendance_sheet(db, db.merge(coop), db.merge(work_session))
    assert [row.member.family_names for row in rows if row.is_walk_in] == ["Pilataxi"]
    with pytest.raises(DomainError, match="already on the attendance sheet"):
        attendance.add_walk_in(db, None, db.merge(coop), db.merge(work_session), db.merge(walker), 60, now=AFTER)


def test_a_walk_in_beyond_the_session_length_is_refused_beside_the_hours(db, ravine, make_member):
    coop, work_session = ravine
    walker = make_member(coop, given_names="Marco", family_names="Pilataxi")
    db.rollback()
    with pytest.raises(DomainError) as refused:
        attendance.add_walk_in(db, None, db.merge(coop), db.merge(work_session), db.merge(walker), 400, now=AFTER)
    assert messages(refused.value) == {"hours": "A session of 6 h does not allow 6,67 h."}  # numbers as the co-op writes them


def test_another_member_of_the_household_works_in_the_place_of_the_one_signed_up(db, ravine, people, make_member):
    coop, work_session = ravine
    rosa, _luis, _ana = people
    son = make_member(coop, given_names="Diego", family_names="Quishpe", household=rosa.household)
    db.rollback()
    assert [m.id for m in attendance.household_members_signed_up(db, db.merge(coop), db.merge(work_session),
                                                                 db.merge(son))] == [rosa.id]
    record(db, ravine, [AttendanceEntry(rosa.id, ABSENT), AttendanceEntry(son.id, PRESENT, 360)])
    rows = {row.member_id: row for row in recorded(db)}
    assert (rows[son.id].sign_up_id, rows[son.id].household_id, rows[son.id].minutes) == (None, rosa.household_id,
                                                                                          360)


# --- hours as people type them -------------------------------------------------------------------

@pytest.mark.parametrize("typed, minutes", [("4,5", 270), ("4.5", 270), ("4", 240), ("4:30", 270), (" 6 h", 360),
                                            ("0,25", 15), ("", None)])
def test_hours_are_read_as_people_type_them(typed, minutes):
    assert parse_hours(typed) == minutes


@pytest.mark.parametrize("typed, words", [("4,555", "two decimals at most"), ("cuatro", "as a number"),
                                          ("-3", "as a number"), ("1.000,5", "as a number")])
def test_hours_that_are_not_hours_are_refused_with_how_to_write_them(typed, words):
    with pytest.raises(DomainError, match=words):
        parse_hours(typed, "hours")


def test_two_coordinators_recording_the_same_person_at_once_are_told_by_the_unique_rule(db, ravine, people):
    """The second of two at once passes the service's read; the database's unique rule refuses its row
    and the page shows the rule's message instead of an error page (coop.pages.show_refusal)."""
    rosa, _luis, _ana = people
    record(db, ravine, [AttendanceEntry(rosa.id, PRESENT, 360)])
    coop, work_session = ravine
    db.rollback()
    db.add(Attendance(coop_id=coop.id, session_id=work_session.id, member_id=rosa.id, status=PRESENT, minutes=60))
    with pytest.raises(sa.exc.IntegrityError) as clash:
        db.flush()
    db.rollback()
    assert duplicates.refusal_for(clash.value).text.startswith("Someone else recorded this person's attendance")
