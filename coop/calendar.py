"""The co-op's calendar: its today, months, and fiscal years.

Dues are charged by the month, budgets run by the fiscal year, Minga obligations by month or
quarter, and an assembly's notice counts days: every package reads dates through here, so a
month is cut the same way everywhere. A month is named by its first day. Pure functions, but
``today_in``, which reads the clock where the co-op is.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Protocol


class HasCalendar(Protocol):
    """What the calendar needs of a co-op: where it is and when its fiscal year starts."""

    timezone: str
    fiscal_year_start_month: int


def today_in(coop: HasCalendar) -> dt.date:
    """Today's date where the co-op is (a member admitted at 20h00 in Quito joins that day)."""
    return dt.datetime.now(zoneinfo.ZoneInfo(coop.timezone)).date()


def local_to_utc(coop: HasCalendar, moment: dt.datetime) -> dt.datetime:
    """A wall-clock time where the co-op is ("Saturday 07:00"), as stored: UTC without tzinfo."""
    zone = zoneinfo.ZoneInfo(coop.timezone)
    return moment.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)


def utc_to_local(coop: HasCalendar, moment: dt.datetime) -> dt.datetime:
    """A stored UTC time as the wall clock where the co-op is (without tzinfo)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(coop.timezone)).replace(tzinfo=None)


# --- months -----------------------------------------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the name of the month."""
    return day.replace(day=1)


def month_index(day: dt.date) -> int:
    """Months since the year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> dt.date:
    """The month (its first day) of a ``month_index``."""
    return dt.date(index // 12, index % 12 + 1, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The month ``count`` months after ``month``'s (before it when negative), by its first day."""
    return month_of_index(month_index(month) + count)


def days_in_month(year: int, month: int) -> int:
    return (add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)).day


def same_day_months_later(day: dt.date, count: int) -> dt.date:
    """The same day of the month ``count`` months later, or the month's last day if it is shorter."""
    month = add_months(day, count)
    return month.replace(day=min(day.day, days_in_month(month.year, month.month)))


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return add_months(day, 1) - dt.timedelta(days=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from ``start``'s to ``end``'s, inclusive."""
    first, last = month_index(start), month_index(end)
    return [month_of_index(index) for index in range(first, last + 1)]


# --- fiscal years ---------------------------------------------------------------------------------

def fiscal_year_start(coop: HasCalendar, day: dt.date) -> dt.date:
    """The first day of the fiscal year ``day`` falls in."""
    month = coop.fiscal_year_start_month or 1
    return dt.date(day.year if day.month >= month else day.year - 1, month, 1)


def fiscal_year_of(coop: HasCalendar, day: dt.date) -> int:
    """The fiscal year ``day`` falls in, named by the calendar year it starts in."""
    return fiscal_year_start(coop, day).year


def fiscal_months(coop: HasCalendar, year: int) -> list[dt.date]:
    """The first day of each of the twelve months of fiscal ``year``, in order."""
    first = dt.date(year, coop.fiscal_year_start_month or 1, 1)
    return [add_months(first, count) for count in range(12)]


def fiscal_year_end(coop: HasCalendar, day: dt.date) -> dt.date:
    """The last day of the fiscal year ``day`` falls in."""
    return month_end(add_months(fiscal_year_start(coop, day), 11))
