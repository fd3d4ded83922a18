"""The count of one household's period, without the database: exemptions pro rata by days,
surplus, and the periods a session counts for."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from minga.models import MingaRules, ObligationPeriod
from minga.obligations import (Span, counted_period, deadline, exempt_minutes, hours_of, period_end, period_label,
                               period_of)

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def rules(period=ObligationPeriod.MONTH, grace=10, starts=dt.date(2026, 1, 1)) -> MingaRules:
    return MingaRules(period=period, grace_days=grace, starts_on=starts, owed_minutes=480)


def test_a_full_exemption_excuses_the_whole_obligation():
    hours = hours_of(owed=480, start=NOV_1, end=NOV_30, spans=[Span(100, dt.date(2026, 1, 1), None)], worked=0)
    assert (hours.exempt, hours.due, hours.missing) == (480, 0, 0)


def test_a_half_exemption_for_the_whole_month_halves_it():
    hours = hours_of(owed=480, start=NOV_1, end=NOV_30, spans=[Span(50, NOV_1, NOV_30)], worked=60)
    assert (hours.due, hours.missing) == (240, 180)


def test_an_exemption_for_part_of_the_month_counts_by_days():
    # 15 of November's 30 days at 100 %: half the obligation
    assert exempt_minutes(480, NOV_1, NOV_30, [Span(100, dt.date(2026, 11, 16), dt.date(2027, 3, 1))]) == 240
    # ended (or revoked) on the 6th: 6 days of 30
    assert exempt_minutes(480, NOV_1, NOV_30, [Span(100, dt.date(2026, 10, 1), dt.date(2026, 11, 6))]) == 96


def test_overlapping_exemptions_take_the_highest_percentage_not_the_sum():
    spans = [Span(60, NOV_1, NOV_30), Span(70, NOV_1, NOV_30)]
    assert exempt_minutes(480, NOV_1, NOV_30, spans) == 336


def test_carried_hours_cover_what_is_missing_and_surplus_is_only_this_periods_own():
    hours = hours_of(owed=480, start=NOV_1, end=NOV_30, spans=[], worked=300, carried=120)
    assert (hours.missing, hours.surplus) == (60, 0)
    assert hours_of(owed=480, start=NOV_1, end=NOV_30, spans=[], worked=600, carried=120).surplus == 120


@given(owed=st.integers(0, 10_000), percent=st.integers(1, 100), first=st.integers(0, 40), length=st.integers(0, 60),
       worked=st.integers(0, 20_000))
def test_the_count_stays_within_its_bounds(owed, percent, first, length, worked):
    start = NOV_1 - dt.timedelta(days=5) + dt.timedelta(days=first)
    span = Span(percent, start, start + dt.timedelta(days=length))
    hours = hours_of(owed=owed, start=NOV_1, end=NOV_30, spans=[span], worked=worked)
    assert 0 <= hours.exempt <= owed * percent // 100 + 1
    assert 0 <= hours.missing <= hours.due <= owed
    assert hours.missing == 0 or hours.surplus == 0


def test_periods_are_months_or_quarters_counted_from_the_first():
    monthly, quarterly = rules(), rules(ObligationPeriod.QUARTER, starts=dt.date(2026, 2, 1))
    assert period_of(monthly, dt.date(2026, 11, 17)) == NOV_1
    assert period_end(monthly, NOV_1) == NOV_30
    assert deadline(monthly, NOV_1) == dt.date(2026, 12, 10)
    assert period_of(quarterly, dt.date(2026, 12, 3)) == NOV_1
    assert period_end(quarterly, NOV_1) == dt.date(2027, 1, 31)


def test_period_labels_read_as_the_co_op_says_them():
    assert period_label(rules(), NOV_1) == "noviembre de 2026"
    assert period_label(rules(ObligationPeriod.QUARTER), dt.date(2026, 10, 1)) == "4.º trimestre de 2026"
    assert period_label(rules(ObligationPeriod.QUARTER), dt.date(2026, 10, 1), "en") == "4th quarter 2026"


def test_a_compensation_session_in_the_grace_days_counts_for_the_period_before():
    monthly = rules()
    assert counted_period(monthly, dt.date(2026, 12, 10), True) == NOV_1
    assert counted_period(monthly, dt.date(2026, 12, 11), True) == dt.date(2026, 12, 1)
    assert counted_period(monthly, dt.date(2026, 12, 5), False) == dt.date(2026, 12, 1)
    # before the obligation's first period there is nothing to make up
    assert counted_period(rules(starts=dt.date(2026, 12, 1)), dt.date(2026, 12, 3), True) == dt.date(2026, 12, 1)
