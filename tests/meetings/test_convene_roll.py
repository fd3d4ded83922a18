"""Each kind of meeting calls its own people: every active member to a members' assembly, the
representatives in office (and their alternates, without a vote of their own) to a
representatives' assembly, the office holders to the board and the oversight council, the
standing members to a commission, and the members living in the block to a block assembly. The
roll is written once, with numbers and names copied."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from meetings import roll
from meetings.models import (AssemblyForm, MeetingKind, MeetingStatus, OfficeTerm, Position, PositionBody, RollEntry,
                             RollRole)
from members.models import Lot, MemberStatus
from minga.models import CommissionMember
from tests.meetings.conftest import ASSEMBLY_DAY
from tests.meetings.test_convene_eligibility import ISSUED_ON, set_meeting_rules
from tests.minga.obligation_factories import commission, household


def lines_of(db, coop, meeting) -> list[roll.RollLine]:
    db.rollback()
    return roll.roll_lines(db, db.merge(coop), db.merge(meeting), ISSUED_ON)


def hold(db, coop, member, position, *, alternate=False, starts=dt.date(2026, 1, 1), ends=dt.date(2027, 12, 31),
         left_on=None):
    db.rollback()
    db.add(OfficeTerm(coop_id=coop.id, position_id=position.id, member_id=member.id, is_alternate=alternate,
                      starts_on=starts, ends_on=ends, left_on=left_on))
    db.commit()


def position(db, coop, name, body, block=""):
    db.rollback()
    made = Position(coop_id=coop.id, name=name, body=body, block=block, seats=2, alternates=1)
    db.add(made)
    db.commit()
    return made


def test_a_members_assembly_calls_every_active_member_by_number(db, ctx, assembly_coop, make_meeting, make_member):
    active = [make_member(assembly_coop) for _ in range(3)]
    make_member(assembly_coop, status=MemberStatus.APPLICANT)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    lines = lines_of(db, assembly_coop, meeting)
    assert [line.member_id for line in lines] == [m.id for m in sorted(active, key=lambda m: m.number)]
    assert all(line.role == RollRole.MEMBER and line.may_vote for line in lines)


@pytest.fixture
def block_b(db, assembly_coop, make_member):
    """Block B's two representatives and its alternate; a representative whose term ended; block C's."""
    set_meeting_rules(db, assembly_coop, assembly_form=AssemblyForm.REPRESENTATIVES)
    seat_b = position(db, assembly_coop, "Representantes del bloque B", PositionBody.REPRESENTATIVE, "B")
    seat_c = position(db, assembly_coop, "Representantes del bloque C", PositionBody.REPRESENTATIVE, "C")
    people = {name: make_member(assembly_coop, given_names=name.title()) for name in
              ("rosa", "luis", "ana", "pedro", "jose", "carmen")}
    hold(db, assembly_coop, people["rosa"], seat_b)
    hold(db, assembly_coop, people["luis"], seat_b)
    hold(db, assembly_coop, people["ana"], seat_b, alternate=True)
    hold(db, assembly_coop, people["pedro"], seat_b, ends=dt.date(2027, 3, 12))  # ends the day before
    hold(db, assembly_coop, people["jose"], seat_c, left_on=dt.date(2027, 2, 1))  # resigned
    hold(db, assembly_coop, people["carmen"], seat_c)
    return people


def test_a_representatives_assembly_calls_those_in_office_on_its_day(db, ctx, assembly_coop, make_meeting, block_b):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    by_member = {line.member_id: line for line in lines_of(db, assembly_coop, meeting)}

    assert set(by_member) == {block_b[n].id for n in ("rosa", "luis", "ana", "carmen")}
    assert (by_member[block_b["rosa"].id].role, by_member[block_b["rosa"].id].block) == (RollRole.REPRESENTATIVE, "B")
    alternate = by_member[block_b["ana"].id]
    assert (alternate.role, alternate.may_vote, alternate.block) == (RollRole.ALTERNATE, False, "B")
    assert alternate.reason == "Alternate: votes only standing in for an absent holder"


def test_a_block_assembly_of_a_representatives_coop_still_calls_the_blocks_members(
        db, ctx, assembly_coop, make_meeting, make_member, block_b):
    home = household(db, assembly_coop, "Familia Quishpe")
    elsewhere = household(db, assembly_coop, "Familia Guamán")
    db.rollback()
    db.add_all([Lot(coop_id=assembly_coop.id, block="B", number="12", household_id=home.id),
                Lot(coop_id=assembly_coop.id, block="C", number="3", household_id=elsewhere.id)])
    db.commit()
    neighbours = [make_member(assembly_coop, household=home) for _ in range(2)]
    make_member(assembly_coop, household=elsewhere)
    meeting = make_meeting(assembly_coop, kind=MeetingKind.BLOCK, block="B", status=MeetingStatus.DRAFT,
                           title="Asamblea del bloque B")
    assert [line.member_id for line in lines_of(db, assembly_coop, meeting)] == [m.id for m in neighbours]


@pytest.mark.parametrize(("kind", "body"), [(MeetingKind.BOARD, PositionBody.BOARD),
                                            (MeetingKind.OVERSIGHT, PositionBody.OVERSIGHT)])
def test_the_board_and_the_council_call_their_office_holders(db, ctx, assembly_coop, make_meeting, make_member,
                                                            kind, body):
    board = position(db, assembly_coop, "Consejo", body)
    other = position(db, assembly_coop, "Otro consejo",
                     PositionBody.OVERSIGHT if body == PositionBody.BOARD else PositionBody.BOARD)
    president, outsider = make_member(assembly_coop), make_member(assembly_coop)
    hold(db, assembly_coop, president, board)
    hold(db, assembly_coop, outsider, other)
    meeting = make_meeting(assembly_coop, kind=kind, status=MeetingStatus.DRAFT, title="Sesión del consejo")
    lines = lines_of(db, assembly_coop, meeting)
    assert [(line.member_id, line.role, line.may_vote) for line in lines] == [(president.id, RollRole.OFFICER, True)]


def test_a_commission_meeting_calls_its_standing_members(db, ctx, assembly_coop, make_meeting, make_member):
    ravine = commission(db, assembly_coop)
    members = [make_member(assembly_coop) for _ in range(3)]
    db.rollback()
    db.add_all([CommissionMember(coop_id=assembly_coop.id, commission_id=ravine.id, member_id=m.id,
                                 since=dt.date(2026, 1, 1)) for m in members[:2]])
    db.commit()
    meeting = make_meeting(assembly_coop, kind=MeetingKind.COMMISSION, commission_id=ravine.id,
                           status=MeetingStatus.DRAFT, title="Reunión de la comisión")
    lines = lines_of(db, assembly_coop, meeting)
    assert [(line.member_id, line.role) for line in lines] == [(m.id, RollRole.COMMISSION) for m in members[:2]]


def test_the_roll_is_written_once_and_keeps_names_as_they_were(db, ctx, assembly_coop, make_meeting, make_member):
    rosa = make_member(assembly_coop, given_names="Rosa", family_names="Quishpe")
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    db.rollback()
    coop, meeting = db.merge(assembly_coop), db.merge(meeting)
    assert roll.freeze_roll(db, coop, meeting, ISSUED_ON) == 1
    db.merge(rosa).family_names = "Quishpe Tipán"
    db.commit()
    make_member(assembly_coop)
    db.rollback()
    assert roll.freeze_roll(db, db.merge(assembly_coop), db.merge(meeting), ISSUED_ON) == 0
    entries = db.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id)).all()
    assert [(e.number, e.name, e.may_vote) for e in entries] == [(rosa.number, "Quishpe, Rosa", True)]
    assert roll.meeting_day(assembly_coop, meeting) == ASSEMBLY_DAY


def test_the_roll_page_finds_by_number_or_name_and_filters_voters(db, ctx, assembly_coop, make_meeting, make_members,
                                                                   make_roll):
    meeting = make_meeting(assembly_coop)
    people = make_members(assembly_coop, 60)
    make_roll(meeting, people[:55])
    make_roll(meeting, people[55:], may_vote=False, ineligible_reason="Aportes en mora")
    db.rollback()
    meeting = db.merge(meeting)
    first, found = roll.roll_page(db, meeting)
    assert (len(first), found) == (roll.ROLL_PAGE_SIZE, 60)
    assert [e.number for e in roll.roll_page(db, meeting, page=2)[0]] == sorted(p.number for p in people)[50:]
    assert [e.member_id for e in roll.roll_page(db, meeting, text=str(people[7].number))[0]] == [people[7].id]
    named = people[3].family_names.lower()  # "toapanta 1003": each word found in the name, in any case
    assert [e.member_id for e in roll.roll_page(db, meeting, text=named)[0]] == [people[3].id]
    assert roll.roll_page(db, meeting, text="nadie")[1] == 0
    assert roll.roll_page(db, meeting, voters="non_voters")[1] == 5
    assert roll.roll_page(db, meeting, voters="voters")[1] == 55
    assert roll.roll_counts(db, meeting) == roll.RollCounts(60, 55)


def test_the_sign_in_sheet_lists_names_in_the_order_people_look_for_them(db, assembly_coop, make_meeting,
                                                                         make_member, make_roll):
    meeting = make_meeting(assembly_coop)
    people = [make_member(assembly_coop, given_names=name) for name in ("Carlos", "beatriz", "Álvaro", "Ana")]
    make_roll(meeting, people)
    db.rollback()
    by_name = roll.roll_entries(db, db.merge(meeting), by_name=True)
    assert [entry.name.split()[0] for entry in by_name] == ["Álvaro", "Ana", "beatriz", "Carlos"]
    assert [entry.number for entry in roll.roll_entries(db, db.merge(meeting))] == [p.number for p in people]
