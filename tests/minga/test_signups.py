"""Signing up for a Minga session: places go in arrival order, then the waitlist; a cancellation
or more places promote the first waiting; fewer places send the latest back; another member of
the household may work in a place; and every refusal says why."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.errors import DomainError, NotFoundError, PermissionDenied
from coop.outbox import OutboxMessage
from members import services as member_services
from members.models import MemberStatus
from minga import signups
from minga.models import SessionStatus, SessionTask, SignUp, SignUpStatus, WorkSession
from tests.minga.conftest import NOW

AFTER_START = dt.datetime(2026, 12, 5, 12, 30)  # 07:30 in Quito on the Saturday


@pytest.fixture
def quebrada(db, minga_coop, make_commission):
    return make_commission(minga_coop)


@pytest.fixture
def people(db, minga_coop, make_member):
    """Five active members with e-mail addresses, in the order they will arrive."""
    names = ["Ana", "Bruno", "Carmen", "Diego", "Elena"]
    return [make_member(minga_coop, given_names=name, email=f"{name.lower()}@example.org") for name in names]


def fresh(db, *objects):
    db.rollback()
    return [db.merge(obj) for obj in objects]


def sign(db, coop, work_session, member, **options):
    place = signups.sign_up(db, None, coop, work_session, member, now=options.pop("now", NOW), **options)
    db.commit()
    return place


def statuses(db, work_session):
    db.rollback()
    rows = db.execute(sa.select(SignUp.member_id, SignUp.status, SignUp.arrival)
                      .where(SignUp.session_id == work_session.id).order_by(SignUp.arrival)).all()
    return [(member_id, status) for member_id, status, _arrival in rows]


def test_the_first_to_arrive_get_the_places_and_the_others_wait_in_order(db, minga_coop, quebrada, people,
                                                                         make_session):
    session = make_session(quebrada, capacity=2)
    coop, work_session, *members = fresh(db, minga_coop, session, *people[:4])
    places = [sign(db, coop, work_session, member) for member in members]
    assert [p.status for p in places] == [SignUpStatus.CONFIRMED, SignUpStatus.CONFIRMED,
                                          SignUpStatus.WAITLISTED, SignUpStatus.WAITLISTED]
    assert [p.arrival for p in places] == [1, 2, 3, 4]
    assert [signups.waitlist_position(db, p) for p in places] == [None, None, 1, 2]
    db.rollback()
    stored = db.get(WorkSession, work_session.id)
    assert (stored.confirmed_count, stored.arrivals, stored.free_places) == (2, 4, 0)
    listed = signups.sign_ups_of_session(db, coop, stored)
    assert [s.member.given_names for s in listed.confirmed] == ["Ana", "Bruno"]
    assert [s.member.given_names for s in listed.waitlisted] == ["Carmen", "Diego"]


def test_a_second_sign_up_is_refused_saying_where_the_member_already_is(db, minga_coop, quebrada, people,
                                                                        make_session):
    coop, work_session, ana, bruno = fresh(db, minga_coop, make_session(quebrada, capacity=1), *people[:2])
    sign(db, coop, work_session, ana)
    sign(db, coop, work_session, bruno)
    coop, work_session, ana, bruno = fresh(db, coop, work_session, ana, bruno)
    with pytest.raises(DomainError) as confirmed:
        signups.sign_up(db, None, coop, work_session, ana, now=NOW)
    assert confirmed.value.text == "You already have a place in this session."
    with pytest.raises(DomainError) as waiting:
        signups.sign_up(db, None, coop, work_session, bruno, now=NOW, by_office=True)
    assert waiting.value.text == f"{bruno.full_name} is already on this session's waitlist, number 1."
    assert waiting.value.field == "member"
    db.rollback()
    assert db.get(WorkSession, work_session.id).arrivals == 2  # the refusals took no arrival number


@pytest.mark.parametrize(("status", "message"), [
    (SessionStatus.DRAFT, "This session is not open for sign-ups yet."),
    (SessionStatus.CLOSED, "Sign-ups for this session are closed."),
    (SessionStatus.DONE, "This session has already taken place."),
    (SessionStatus.CANCELLED, "This session was cancelled."),
])
def test_a_session_not_open_takes_no_sign_ups(db, minga_coop, quebrada, people, make_session, status, message):
    coop, work_session, ana = fresh(db, minga_coop, make_session(quebrada, status=status), people[0])
    with pytest.raises(DomainError) as refused:
        signups.sign_up(db, None, coop, work_session, ana, now=NOW)
    assert refused.value.text == message
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 0


def test_a_started_or_past_session_takes_no_sign_ups_not_even_at_the_office(db, minga_coop, quebrada, people,
                                                                             make_session):
    coop, work_session, ana = fresh(db, minga_coop, make_session(quebrada), people[0])
    for now in (AFTER_START, AFTER_START + dt.timedelta(days=30)):
        with pytest.raises(DomainError) as refused:
            signups.sign_up(db, None, coop, work_session, ana, now=now, by_office=True)
        assert refused.value.text == "This session has already started; it takes no more sign-ups."


def test_sign_ups_keep_to_their_window_but_the_office_may_sign_up_after_it_closes(db, minga_coop, quebrada,
                                                                                  people, make_session):
    session = make_session(quebrada, signup_opens_dt=dt.datetime(2026, 12, 2, 13, 0),
                           signup_closes_dt=dt.datetime(2026, 12, 4, 23, 0))
    coop, work_session, ana, bruno = fresh(db, minga_coop, session, *people[:2])
    with pytest.raises(DomainError) as early:
        signups.sign_up(db, None, coop, work_session, ana, now=NOW)
    assert early.value.text == "Sign-ups for this session open on 2/12/26, 8:00."
    late = dt.datetime(2026, 12, 5, 1, 0)
    with pytest.raises(DomainError) as closed:
        signups.sign_up(db, None, coop, work_session, ana, now=late)
    assert closed.value.text == ("Sign-ups for this session closed on 4/12/26, 18:00; "
                                 "the office can still sign you up.")
    place = sign(db, coop, work_session, bruno, now=late, by_office=True)
    assert place.status == SignUpStatus.CONFIRMED and place.is_by_office


@pytest.mark.parametrize("status", [MemberStatus.SUSPENDED, MemberStatus.WITHDRAWN, MemberStatus.APPLICANT])
def test_only_active_members_sign_up(db, minga_coop, quebrada, make_member, make_session, status):
    person = make_member(minga_coop, given_names="Rosa", family_names="Chicaiza", status=status)
    coop, work_session, rosa = fresh(db, minga_coop, make_session(quebrada), person)
    with pytest.raises(DomainError) as refused:
        signups.sign_up(db, None, coop, work_session, rosa, now=NOW, by_office=True)
    label = str(member_services.status_label(status)).lower()
    assert refused.value.text == f"Only active members sign up for Minga work; Rosa Chicaiza is {label}."


def test_a_member_or_task_of_elsewhere_is_refused(db, minga_coop, make_coop, quebrada, make_member,
                                                  make_session, people):
    other_coop = make_coop("otra")
    stranger = make_member(other_coop)
    first, second = make_session(quebrada), make_session(quebrada, day=dt.date(2026, 12, 12))
    db.rollback()
    task = SessionTask(coop_id=minga_coop.id, session_id=second.id, name="Cargar piedra", people_needed=3)
    db.add(task)
    db.commit()
    coop, work_session, stranger, task, ana = fresh(db, minga_coop, first, stranger, task, people[0])
    with pytest.raises(NotFoundError):
        signups.sign_up(db, None, coop, work_session, stranger, now=NOW, by_office=True)
    with pytest.raises(DomainError) as wrong_task:
        signups.sign_up(db, None, coop, work_session, ana, task=task, now=NOW)
    assert wrong_task.value.text == "That task belongs to another session." and wrong_task.value.field == "task"


def test_a_member_signs_up_only_themselves(db, minga_coop, quebrada, people, make_session, make_user):
    user = make_user("bruno@example.org", coop=minga_coop, roles=["member"])
    coop, work_session, ana, user = fresh(db, minga_coop, make_session(quebrada), people[0], user)
    with pytest.raises(PermissionDenied):
        signups.sign_up(db, user, coop, work_session, ana, now=NOW)


def test_a_cancelled_member_signs_up_again_at_the_end_of_the_queue(db, minga_coop, quebrada, people,
                                                                    make_session, app):
    coop, work_session, ana, bruno = fresh(db, minga_coop, make_session(quebrada, capacity=1), *people[:2])
    first = sign(db, coop, work_session, ana)
    sign(db, coop, work_session, bruno)
    with app.app_context():  # the promotion is told by e-mail
        signups.cancel_sign_up(db, None, coop, db.merge(first), now=NOW)
        db.commit()
    coop, work_session, ana = fresh(db, coop, work_session, ana)
    again = sign(db, coop, work_session, ana)
    db.rollback()
    again = db.get(SignUp, again.id)
    assert again.id == first.id and again.arrival == 3
    assert again.status == SignUpStatus.WAITLISTED and signups.waitlist_position(db, again) == 1


def test_a_cancellation_promotes_the_first_waiting_who_is_told(db, app, minga_coop, quebrada, people,
                                                               make_session):
    coop, work_session, *members = fresh(db, minga_coop, make_session(quebrada, capacity=2), *people[:4])
    places = [sign(db, coop, work_session, member) for member in members]
    with app.app_context():
        promoted = signups.cancel_sign_up(db, None, coop, db.merge(places[0]), now=NOW)
        db.commit()
    assert [p.member.given_names for p in promoted] == ["Carmen"]
    assert [s for _m, s in statuses(db, work_session)] == [
        SignUpStatus.CANCELLED, SignUpStatus.CONFIRMED, SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED]
    assert db.get(WorkSession, work_session.id).confirmed_count == 2
    assert signups.waitlist_position(db, db.get(SignUp, places[3].id)) == 1
    mail = db.scalars(sa.select(OutboxMessage)).all()
    assert [(m.to_address, m.subject) for m in mail] == [
        ("carmen@example.org", "Tiene un lugar en la Minga: Minga de la quebrada")]
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "minga.sign_up_cancel")).all()
    assert len(events) == 1 and events[0].details["promoted"] == [members[2].number]


def test_cancelling_a_waiting_place_promotes_nobody(db, app, minga_coop, quebrada, people, make_session):
    coop, work_session, *members = fresh(db, minga_coop, make_session(quebrada, capacity=1), *people[:3])
    places = [sign(db, coop, work_session, member) for member in members]
    assert signups.cancel_sign_up(db, None, coop, db.merge(places[1]), now=NOW) == []
    db.commit()
    assert signups.waitlist_position(db, db.get(SignUp, places[2].id)) == 1
    with pytest.raises(DomainError) as twice:
        signups.cancel_sign_up(db, None, coop, db.get(SignUp, places[1].id), now=NOW)
    assert twice.value.text == "This sign-up is already cancelled."


def test_members_cancel_until_the_deadline_and_the_office_until_the_start(db, app, minga_coop, quebrada, people,
                                                                          make_session):
    session = make_session(quebrada, signup_closes_dt=dt.datetime(2026, 12, 4, 23, 0))
    coop, work_session, ana = fresh(db, minga_coop, session, people[0])
    place = sign(db, coop, work_session, ana)
    late = dt.datetime(2026, 12, 5, 1, 0)
    with pytest.raises(DomainError) as own:
        signups.cancel_sign_up(db, None, coop, db.merge(place), now=late)
    assert own.value.text == ("The time to cancel ended on 4/12/26, 18:00; "
                              "please tell the commission's coordinator.")
    db.rollback()
    with pytest.raises(DomainError) as started:
        signups.cancel_sign_up(db, None, coop, db.merge(place), now=AFTER_START, by_office=True)
    assert started.value.text == "This session has already started: a sign-up can no longer be cancelled."
    db.rollback()
    with app.app_context():
        signups.cancel_sign_up(db, None, coop, db.merge(place), now=late, by_office=True)
        db.commit()
    assert statuses(db, work_session) == [(ana.id, SignUpStatus.CANCELLED)]
    assert db.get(WorkSession, work_session.id).confirmed_count == 0
    told = db.scalars(sa.select(OutboxMessage)).all()  # she did not cancel it herself: she is told
    assert [(m.to_address, m.subject) for m in told] == [
        ("ana@example.org", "Su inscripción en la Minga «Minga de la quebrada» fue cancelada")]
    assert "en la oficina" in told[0].body


def test_more_places_promote_the_waitlist_in_arrival_order(db, app, minga_coop, quebrada, people, make_session):
    coop, work_session, *members = fresh(db, minga_coop, make_session(quebrada, capacity=1), *people)
    for member in members:
        sign(db, coop, work_session, member)
    with app.app_context():
        promoted, moved = signups.set_capacity(db, None, coop, db.merge(work_session), 3, now=NOW)
        db.commit()
    assert [p.member.given_names for p in promoted] == ["Bruno", "Carmen"] and moved == []
    assert [s for _m, s in statuses(db, work_session)] == [SignUpStatus.CONFIRMED] * 3 + [SignUpStatus.WAITLISTED] * 2
    assert sorted(m.to_address for m in db.scalars(sa.select(OutboxMessage))) == [
        "bruno@example.org", "carmen@example.org"]
    stored = db.get(WorkSession, work_session.id)
    assert (stored.capacity, stored.confirmed_count) == (3, 3)


def test_fewer_places_send_the_latest_confirmed_back_to_the_waitlist_and_tell_them(db, app, minga_coop, quebrada,
                                                                                  people, make_session):
    coop, work_session, *members = fresh(db, minga_coop, make_session(quebrada, capacity=4), *people)
    places = [sign(db, coop, work_session, member) for member in members]
    with app.app_context():
        promoted, moved = signups.set_capacity(db, None, coop, db.merge(work_session), 2, now=NOW)
        db.commit()
    assert promoted == [] and sorted(m.member.given_names for m in moved) == ["Carmen", "Diego"]
    positions = [signups.waitlist_position(db, db.get(SignUp, p.id)) for p in places]
    assert positions == [None, None, 1, 2, 3]
    stored = db.get(WorkSession, work_session.id)
    assert (stored.capacity, stored.confirmed_count) == (2, 2)
    mail = {m.to_address: m.body for m in db.scalars(sa.select(OutboxMessage))}
    assert sorted(mail) == ["carmen@example.org", "diego@example.org"]
    assert "número 1" in mail["carmen@example.org"] and "número 2" in mail["diego@example.org"]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "minga.capacity"))
    assert event.changes == {"capacity": [4, 2]} and event.details["moved_to_waitlist"] == 2


def test_a_session_takes_at_least_one_person(db, minga_coop, quebrada, make_session):
    coop, work_session = fresh(db, minga_coop, make_session(quebrada))
    for capacity in (0, -3):
        with pytest.raises(DomainError) as refused:
            signups.set_capacity(db, None, coop, work_session, capacity, now=NOW)
        assert refused.value.text == "A session takes at least one person." and refused.value.field == "capacity"


@pytest.fixture
def household(db, minga_coop):
    db.rollback()
    home = member_services.create_household(db, None, db.merge(minga_coop), name="Familia Quishpe")
    db.commit()
    return home


def test_another_member_of_the_household_works_in_the_place(db, minga_coop, quebrada, make_member, make_session,
                                                            household, people):
    mother = make_member(minga_coop, given_names="Luz", family_names="Quishpe", household=household)
    son = make_member(minga_coop, given_names="Pablo", family_names="Quishpe", household=household)
    coop, work_session, mother, son, ana = fresh(db, minga_coop, make_session(quebrada), mother, son, people[0])
    sign(db, coop, work_session, ana)
    place = sign(db, coop, work_session, mother)
    coop, place, son = fresh(db, coop, place, son)
    signups.substitute(db, None, coop, place, son)
    db.commit()
    db.rollback()
    place = db.get(SignUp, place.id)
    assert (place.member_id, place.arrival, place.status) == (son.id, 2, SignUpStatus.CONFIRMED)
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "minga.substitute"))
    assert event.changes == {"member": [mother.number, son.number]}


def test_a_substitute_with_a_cancelled_sign_up_takes_the_place_over(db, app, minga_coop, quebrada, make_member,
                                                                     make_session, household):
    mother = make_member(minga_coop, given_names="Luz", family_names="Quishpe", household=household)
    son = make_member(minga_coop, given_names="Pablo", family_names="Quishpe", household=household)
    coop, work_session, mother, son = fresh(db, minga_coop, make_session(quebrada), mother, son)
    his = sign(db, coop, work_session, son)
    signups.cancel_sign_up(db, None, coop, db.merge(his), now=NOW)
    db.commit()
    coop, work_session, mother = fresh(db, coop, work_session, mother)
    hers = sign(db, coop, work_session, mother)
    coop, hers, son = fresh(db, coop, hers, son)
    taken = signups.substitute(db, None, coop, hers, son)
    db.commit()
    assert (taken.member_id, taken.arrival, taken.status) == (son.id, 2, SignUpStatus.CONFIRMED)
    assert statuses(db, work_session) == [(mother.id, SignUpStatus.CANCELLED), (son.id, SignUpStatus.CONFIRMED)]


def test_who_may_work_in_a_place_is_the_rest_of_the_household_not_signed_up_already(
        db, minga_coop, quebrada, make_member, make_session, household, people):
    mother = make_member(minga_coop, given_names="Luz", family_names="Quishpe", household=household)
    son = make_member(minga_coop, given_names="Pablo", family_names="Quishpe", household=household)
    daughter = make_member(minga_coop, given_names="Rosa", family_names="Quishpe", household=household)
    make_member(minga_coop, given_names="Abuela", family_names="Quishpe", household=household,
                status=MemberStatus.SUSPENDED)
    coop, work_session, mother, daughter, ana = fresh(db, minga_coop, make_session(quebrada, capacity=2), mother,
                                                      daughter, people[0])
    hers, alone = sign(db, coop, work_session, mother), sign(db, coop, work_session, ana)
    coop, work_session, daughter = fresh(db, coop, work_session, daughter)
    sign(db, coop, work_session, daughter)  # on the waitlist: already signed up herself
    coop, work_session = fresh(db, coop, work_session)
    listed = signups.sign_ups_of_session(db, coop, work_session)
    offered = signups.stand_ins(db, coop, listed)
    assert [m.id for m in offered[hers.id]] == [son.id]
    assert offered[alone.id] == []  # Ana has no household


def test_only_the_household_may_work_in_a_place(db, minga_coop, quebrada, make_member, make_session, household,
                                                people):
    mother = make_member(minga_coop, given_names="Luz", family_names="Quishpe", household=household)
    coop, work_session, mother, ana, bruno = fresh(db, minga_coop, make_session(quebrada), mother, *people[:2])
    hers = sign(db, coop, work_session, mother)
    alone = sign(db, coop, work_session, ana)
    coop, hers, alone, ana, bruno = fresh(db, coop, hers, alone, ana, bruno)
    with pytest.raises(DomainError) as stranger:
        signups.substitute(db, None, coop, hers, ana)
    assert stranger.value.text == "Only another member of Luz Quishpe's household can work in their place."
    with pytest.raises(DomainError) as no_household:
        signups.substitute(db, None, coop, alone, bruno)
    assert no_household.value.text.startswith("Only another member of Ana ")


def test_office_sign_ups_are_in_the_audit_trail(db, minga_coop, quebrada, people, make_session, make_user):
    secretary = make_user("secretaria@example.org", coop=minga_coop, roles=["secretary"])
    coop, work_session, ana, secretary = fresh(db, minga_coop, make_session(quebrada), people[0], secretary)
    place = signups.sign_up(db, secretary, coop, work_session, ana, by_office=True, now=NOW)
    db.commit()
    db.rollback()
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "minga.sign_up_office"))
    assert (event.actor_id, event.object_id, event.details) == (secretary.id, place.id, {"status": "confirmed"})


def test_a_member_reads_their_coming_sign_ups_with_positions(db, minga_coop, quebrada, people, make_session,
                                                             count_queries):
    soon = make_session(quebrada, capacity=1, day=dt.date(2026, 12, 5))
    later = make_session(quebrada, capacity=5, day=dt.date(2026, 12, 12), title="Minga del parque")
    past = make_session(quebrada, day=dt.date(2026, 11, 28), title="Pasada")
    coop, soon, later, past, ana, bruno = fresh(db, minga_coop, soon, later, past, *people[:2])
    sign(db, coop, soon, ana)
    sign(db, coop, soon, bruno)
    sign(db, coop, later, bruno)
    sign(db, coop, past, bruno, now=dt.datetime(2026, 11, 20))
    coop, bruno = fresh(db, coop, bruno)
    mine = signups.member_sign_ups(db, coop, bruno, now=NOW)
    assert [(m.sign_up.session.title, m.position) for m in mine] == [
        ("Minga de la quebrada", 1), ("Minga del parque", None)]
    assert mine[0].sign_up.session.commission.name == "Recuperación de la quebrada"


def test_the_coming_sessions_soonest_first_with_waitlists_and_my_places(db, minga_coop, quebrada, people,
                                                                        make_session):
    full = make_session(quebrada, capacity=1, day=dt.date(2026, 12, 12))
    free = make_session(quebrada, capacity=3, day=dt.date(2026, 12, 5))
    make_session(quebrada, status=SessionStatus.DRAFT)
    make_session(quebrada, day=dt.date(2026, 11, 28))
    coop, full, free, ana, bruno, carmen = fresh(db, minga_coop, full, free, *people[:3])
    for member in (ana, bruno, carmen):
        sign(db, coop, full, member)
    sign(db, coop, free, carmen)
    coop, carmen = fresh(db, coop, carmen)
    page = signups.upcoming_sessions(db, coop, now=NOW)
    assert [s.id for s in page.sessions] == [free.id, full.id] and page.total == 2
    assert page.waiting == {full.id: 2}
    places = signups.places_of(db, carmen, [s.id for s in page.sessions])
    assert {sid: (p.status, p.position) for sid, p in places.items()} == {
        free.id: (SignUpStatus.CONFIRMED, None), full.id: (SignUpStatus.WAITLISTED, 2)}


def test_a_session_of_another_coop_is_not_found(db, minga_coop, make_coop, make_commission, make_session,
                                                people):
    other = make_coop("otra")
    theirs = make_session(make_commission(other, name="Su comisión"))
    coop, work_session, ana = fresh(db, minga_coop, theirs, people[0])
    with pytest.raises(NotFoundError):
        signups.sign_up(db, None, coop, work_session, ana, now=NOW)
    with pytest.raises(NotFoundError):
        signups.set_capacity(db, None, coop, work_session, 3, now=NOW)
