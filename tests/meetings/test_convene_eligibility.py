"""Who may vote at the assembly of 13 March 2027, with the roll frozen on 1 March: dues in arrears
beyond the bylaws' months bar a vote (a charge due exactly that many months before does not), and
so does a household short on Minga hours in the last period closed. Each barred member keeps their
line on the roll, with the reason beside it."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from meetings import eligibility, roll
from meetings.models import MeetingRules, MeetingStatus
from meetings.rules import rules_of
from minga.models import PeriodClose
from tests.ledger.statement_factories import add_charge, add_payment
from tests.meetings.conftest import NOW
from tests.minga.obligation_factories import commission, household, set_rules, work

ISSUED_ON = dt.date(2027, 3, 1)


def set_meeting_rules(db, coop, **fields) -> MeetingRules:
    db.rollback()
    rules = rules_of(db, db.merge(coop))
    for name, value in fields.items():
        setattr(rules, name, value)
    db.commit()
    return rules


def lines_by_member(db, coop, meeting) -> dict[int, roll.RollLine]:
    db.rollback()
    return {line.member_id: line for line in roll.roll_lines(db, db.merge(coop), db.merge(meeting), ISSUED_ON)}


@pytest.mark.parametrize(("oldest_due", "barred"), [
    (dt.date(2026, 12, 2), False),   # less than three months
    (dt.date(2026, 12, 1), False),   # exactly three months: the bylaws say "more than"
    (dt.date(2026, 11, 30), True),   # one day more
    (None, False),                   # nothing overdue
])
def test_arrears_bar_a_vote_only_beyond_the_months_of_the_bylaws(oldest_due, barred):
    assert eligibility.arrears_bar(oldest_due, ISSUED_ON, 3) is barred


def test_no_limit_in_the_bylaws_means_arrears_never_bar():
    assert eligibility.arrears_bar(dt.date(2001, 1, 1), ISSUED_ON, None) is False


def test_a_month_shorter_than_the_day_counts_to_its_last_day():
    assert eligibility.arrears_limit_day(dt.date(2027, 5, 31), 3) == dt.date(2027, 2, 28)


def test_a_member_in_arrears_beyond_three_months_cannot_vote_and_the_roll_says_why(
        db, ctx, assembly_coop, make_meeting, make_member):
    set_meeting_rules(db, assembly_coop, arrears_months_limit=3)
    rosa = make_member(assembly_coop, given_names="Rosa", family_names="Quishpe")
    luis = make_member(assembly_coop, given_names="Luis", family_names="Guamán")
    ana = make_member(assembly_coop, given_names="Ana", family_names="Tipán")
    db.rollback()
    coop = db.merge(assembly_coop)
    add_charge(db, coop, db.merge(rosa), 2500, due=dt.date(2026, 11, 30))   # one day beyond
    add_charge(db, coop, db.merge(luis), 2500, due=dt.date(2026, 12, 1))    # exactly three months
    add_charge(db, coop, db.merge(ana), 2500, due=dt.date(2026, 10, 5))     # paid since
    add_payment(db, coop, db.merge(ana), 2500, on=dt.date(2027, 2, 1))
    db.commit()
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)

    lines = lines_by_member(db, assembly_coop, meeting)

    assert lines[rosa.id].may_vote is False
    assert lines[rosa.id].reason == "Dues in arrears for more than 3 months"
    assert lines[luis.id].may_vote is True and lines[luis.id].reason == ""
    assert lines[ana.id].may_vote is True
    assert [lines[m.id].name for m in (rosa, luis)] == ["Quishpe, Rosa", "Guamán, Luis"]


def test_without_the_arrears_rule_a_debtor_votes(db, ctx, assembly_coop, make_meeting, make_member):
    rosa = make_member(assembly_coop)
    db.rollback()
    add_charge(db, db.merge(assembly_coop), db.merge(rosa), 2500, due=dt.date(2025, 1, 1))
    db.commit()
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    assert lines_by_member(db, assembly_coop, meeting)[rosa.id].may_vote is True


@pytest.fixture
def february(db, assembly_coop, make_member):
    """February 2027 is closed: the Quishpe household worked its 8 hours, the Guamán only 2, and
    Pedro, on his own, none."""
    set_rules(db, assembly_coop)
    quishpe, guaman = household(db, assembly_coop, "Familia Quishpe"), household(db, assembly_coop, "Familia Guamán")
    people = {"rosa": make_member(assembly_coop, household=quishpe), "ana": make_member(assembly_coop, household=quishpe),
              "luis": make_member(assembly_coop, household=guaman), "jose": make_member(assembly_coop, household=guaman),
              "pedro": make_member(assembly_coop)}
    ravine = commission(db, assembly_coop)
    work(db, assembly_coop, people["rosa"], dt.date(2027, 2, 6), 480, where=ravine)
    work(db, assembly_coop, people["luis"], dt.date(2027, 2, 13), 120, where=ravine)
    db.rollback()
    db.add(PeriodClose(coop_id=assembly_coop.id, period_start=dt.date(2027, 2, 1), period_end=dt.date(2027, 2, 28)))
    db.commit()
    return people


def test_a_household_short_on_minga_hours_in_the_last_closed_period_cannot_vote(
        db, ctx, assembly_coop, make_meeting, february):
    set_meeting_rules(db, assembly_coop, minga_shortfall_excludes=True)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)

    lines = lines_by_member(db, assembly_coop, meeting)

    assert lines[february["rosa"].id].may_vote and lines[february["ana"].id].may_vote  # hours met
    for short in ("luis", "jose", "pedro"):  # the whole Guamán household, and Pedro on his own
        assert lines[february[short].id].may_vote is False
        assert lines[february[short].id].reason == "Short on Minga hours in febrero de 2027"


def test_minga_hours_bar_nobody_when_the_bylaws_do_not_say_so(db, ctx, assembly_coop, make_meeting, february):
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    assert all(line.may_vote for line in lines_by_member(db, assembly_coop, meeting).values())


def test_an_open_period_bars_nobody_until_it_is_closed(db, ctx, assembly_coop, make_meeting, february):
    set_meeting_rules(db, assembly_coop, minga_shortfall_excludes=True)
    db.rollback()
    db.execute(sa.delete(PeriodClose))
    db.commit()
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    assert all(line.may_vote for line in lines_by_member(db, assembly_coop, meeting).values())


def test_both_reasons_are_written_together(db, ctx, assembly_coop, make_meeting, february):
    set_meeting_rules(db, assembly_coop, minga_shortfall_excludes=True, arrears_months_limit=1)
    db.rollback()
    add_charge(db, db.merge(assembly_coop), db.merge(february["pedro"]), 2500, due=dt.date(2026, 12, 1))
    db.commit()
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    assert lines_by_member(db, assembly_coop, meeting)[february["pedro"].id].reason == (
        "Dues in arrears for more than 1 month; Short on Minga hours in febrero de 2027")
    assert NOW.date() == ISSUED_ON
