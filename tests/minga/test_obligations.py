"""The co-op's Minga rules, exemptions and each household's hours for a period."""
from __future__ import annotations

import datetime as dt

import pytest

from coop.errors import DomainError
from minga import exemptions, obligations
from minga.models import AttendanceStatus, ObligationUnit, SurplusRule
from tests.minga.obligation_factories import (DECEMBER, NOVEMBER, commission, household, rules_data, set_rules,
                                              work)


def test_without_rules_the_defaults_point_at_the_charts_accounts(db, minga_coop):
    rules = obligations.rules_of(db, minga_coop)
    assert rules.id is None and rules.owed_minutes == 0
    assert rules.fine_account_id is not None and rules.capital_account_id is not None


def test_every_bad_rule_is_refused_beside_its_field(db, minga_coop):
    with pytest.raises(DomainError) as refused:
        obligations.update_rules(db, None, minga_coop, rules_data(
            db, minga_coop, grace_days=61, reminder_hours=200, owed_minutes=-1, fine_account_id=None))
    fields = {error.field for error in refused.value.errors}
    assert fields == {"grace_days", "reminder_hours", "owed_hours", "fine_account"}


def test_changing_the_rules_is_recorded_in_the_audit_trail(db, minga_coop):
    from coop.audit import AuditFilter, events
    set_rules(db, minga_coop)
    db.rollback()
    changes = obligations.update_rules(db, None, minga_coop, rules_data(db, minga_coop, grace_days=20))
    db.commit()
    assert changes == {"grace_days": [10, 20]}
    recorded, _total = events(db, minga_coop.id, AuditFilter(), per_page=5)
    assert recorded[0].action == "minga.rules"


def test_a_household_that_worked_less_is_short_by_the_difference(db, minga_coop, make_member):
    set_rules(db, minga_coop)
    quishpe = household(db, minga_coop, "Familia Quishpe")
    ana = make_member(minga_coop, household=quishpe)
    luis = make_member(minga_coop, household=quishpe)
    alone = make_member(minga_coop)
    quebrada = commission(db, minga_coop)
    work(db, minga_coop, ana, dt.date(2026, 11, 7), 180, where=quebrada)
    work(db, minga_coop, luis, dt.date(2026, 11, 14), 120, where=quebrada)
    work(db, minga_coop, alone, dt.date(2026, 11, 14), 300, where=quebrada, status=AttendanceStatus.ABSENT)
    standings = {s.key: s for s in obligations.standings(db, minga_coop, NOVEMBER)}
    assert set(standings) == {f"h{quishpe.id}", f"m{alone.id}"}
    assert standings[f"h{quishpe.id}"].member.id == ana.id  # the household's lowest-numbered member
    assert (standings[f"h{quishpe.id}"].hours.worked, standings[f"h{quishpe.id}"].hours.missing) == (300, 180)
    assert standings[f"m{alone.id}"].hours.missing == 480  # absent is not worked
    own = obligations.household_standing(db, minga_coop, luis, NOVEMBER)
    assert own.key == f"h{quishpe.id}" and own.hours.missing == 180


def test_office_work_counts_only_when_the_rules_say_so(db, minga_coop, make_member):
    set_rules(db, minga_coop)
    ana = make_member(minga_coop)
    office = commission(db, minga_coop, "Secretaría", is_office_work=True)
    work(db, minga_coop, ana, dt.date(2026, 11, 7), 480, where=office)
    assert obligations.household_standing(db, minga_coop, ana, NOVEMBER).hours.missing == 480
    set_rules(db, minga_coop, office_work_counts=True)
    assert obligations.household_standing(db, minga_coop, ana, NOVEMBER).hours.missing == 0


def test_surplus_is_carried_to_the_next_period_only_when_the_rule_carries_it(db, minga_coop, make_member):
    set_rules(db, minga_coop)
    ana = make_member(minga_coop)
    quebrada = commission(db, minga_coop)
    work(db, minga_coop, ana, dt.date(2026, 11, 7), 600, where=quebrada)
    work(db, minga_coop, ana, dt.date(2026, 12, 5), 300, where=quebrada)
    assert obligations.household_standing(db, minga_coop, ana, DECEMBER).hours.missing == 180
    set_rules(db, minga_coop, surplus=SurplusRule.CARRIED)
    december = obligations.household_standing(db, minga_coop, ana, DECEMBER)
    assert (december.hours.carried, december.hours.missing) == (120, 60)


def test_a_compensation_session_in_the_grace_days_makes_up_the_month_before(db, minga_coop, make_member):
    set_rules(db, minga_coop)
    ana = make_member(minga_coop)
    quebrada = commission(db, minga_coop)
    work(db, minga_coop, ana, dt.date(2026, 12, 5), 480, where=quebrada, compensation=True)
    assert obligations.household_standing(db, minga_coop, ana, NOVEMBER).hours.missing == 0
    assert obligations.household_standing(db, minga_coop, ana, DECEMBER).hours.worked == 0  # counted once


def test_an_exemption_excuses_its_household_pro_rata_and_ending_it_stops_it(db, minga_coop, make_member):
    set_rules(db, minga_coop)
    quishpe = household(db, minga_coop, "Familia Quishpe")
    ana = make_member(minga_coop, household=quishpe)
    db.rollback()
    exemption = exemptions.create_exemption(db, None, minga_coop, exemptions.ExemptionData(
        household_id=quishpe.id, member_id=None, percent=100, from_date=dt.date(2026, 11, 16), to_date=None,
        reason="Enfermedad"))
    db.commit()
    assert obligations.household_standing(db, minga_coop, ana, NOVEMBER).hours.exempt == 240
    exemptions.end_exemption(db, None, minga_coop, exemption, now=dt.datetime(2026, 12, 10, 17))
    db.commit()
    assert obligations.household_standing(db, minga_coop, ana, DECEMBER).hours.exempt == 155  # 10 of 31 days


def test_an_exemption_needs_a_reason_and_a_sane_percentage(db, minga_coop, make_member):
    set_rules(db, minga_coop, unit=ObligationUnit.MEMBER)
    ana = make_member(minga_coop)
    with pytest.raises(DomainError) as refused:
        exemptions.create_exemption(db, None, minga_coop, exemptions.ExemptionData(
            household_id=None, member_id=ana.id, percent=0, from_date=dt.date(2026, 11, 16),
            to_date=dt.date(2026, 11, 1), reason=" "))
    assert {e.field for e in refused.value.errors} == {"percent", "to_date", "reason"}


def test_standings_of_many_households_take_a_few_queries(db, minga_coop, make_member, count_queries):
    set_rules(db, minga_coop)
    quebrada = commission(db, minga_coop)
    for index in range(12):
        member = make_member(minga_coop, household=household(db, minga_coop, f"Familia {index}"))
        work(db, minga_coop, member, dt.date(2026, 11, 7), 60 * index, where=quebrada)
    db.rollback()
    with count_queries() as counted:
        standings = obligations.standings(db, minga_coop, NOVEMBER)
    assert len(standings) == 12
    assert counted.count <= 6, counted
