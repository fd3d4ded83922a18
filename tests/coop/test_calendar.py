"""The co-op's calendar: months named by their first day, counted the same way by every package,
and fiscal years that start in the month the bylaws say."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from coop import calendar


@dataclass
class Quebrada:
    timezone: str = "America/Guayaquil"
    fiscal_year_start_month: int = 1


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


@given(days, st.integers(min_value=-400, max_value=400))
def test_adding_months_then_taking_them_away_comes_back_to_the_month(day, count):
    month = calendar.add_months(day, count)
    assert month.day == 1
    assert calendar.add_months(month, -count) == calendar.month_start(day)
    assert calendar.month_index(month) - calendar.month_index(day) == count


@given(days, days)
def test_months_between_lists_every_month_once_in_order(start, end):
    months = calendar.months_between(start, end)
    if start.replace(day=1) > end:
        assert months == []
        return
    assert months[0] == calendar.month_start(start) and months[-1] == calendar.month_start(end)
    assert all(calendar.add_months(a, 1) == b for a, b in zip(months, months[1:]))


def test_the_same_day_months_later_keeps_the_day_or_takes_the_months_last():
    assert calendar.same_day_months_later(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert calendar.same_day_months_later(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert calendar.same_day_months_later(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert calendar.month_end(dt.date(2026, 12, 5)) == dt.date(2026, 12, 31)
    assert calendar.days_in_month(2026, 2) == 28


def test_a_fiscal_year_from_april_runs_april_to_march():
    coop = Quebrada(fiscal_year_start_month=4)
    assert calendar.fiscal_year_start(coop, dt.date(2026, 3, 31)) == dt.date(2025, 4, 1)
    assert calendar.fiscal_year_start(coop, dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
    assert calendar.fiscal_year_of(coop, dt.date(2027, 1, 15)) == 2026
    assert calendar.fiscal_year_end(coop, dt.date(2026, 5, 1)) == dt.date(2027, 3, 31)
    months = calendar.fiscal_months(coop, 2026)
    assert months[0] == dt.date(2026, 4, 1) and months[-1] == dt.date(2027, 3, 1) and len(months) == 12


@given(days, st.integers(min_value=1, max_value=12))
def test_every_day_lies_within_its_fiscal_year(day, start_month):
    coop = Quebrada(fiscal_year_start_month=start_month)
    assert calendar.fiscal_year_start(coop, day) <= day <= calendar.fiscal_year_end(coop, day)
    assert calendar.month_start(day) in calendar.fiscal_months(coop, calendar.fiscal_year_of(coop, day))


def test_today_is_where_the_coop_is():
    quito = calendar.today_in(Quebrada())
    tokyo = calendar.today_in(Quebrada(timezone="Asia/Tokyo"))
    assert abs((tokyo - quito).days) <= 1
