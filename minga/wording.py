"""How Minga says when a session is, in the reader's language and the co-op's wall clock.

Pages, printed programmes, e-mails and calendar feeds all name a session's time the same way:
"sábado, 5 de diciembre de 2026, 07:00–13:00" where the co-op is, whatever the server's clock.
"""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_time

from coop import calendar
from coop.calendar import HasCalendar


def local_times(coop: HasCalendar, starts_dt: dt.datetime, ends_dt: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return calendar.utc_to_local(coop, starts_dt), calendar.utc_to_local(coop, ends_dt)


def session_when(coop: HasCalendar, work_session, language: str = "es", *, date_format: str = "full") -> str:
    """The day and hours of a session where the co-op is ("sábado, 5 de diciembre de 2026, 07:00–13:00")."""
    starts, ends = local_times(coop, work_session.starts_dt, work_session.ends_dt)
    day = format_date(starts.date(), format=date_format, locale=language)
    hours = f"{format_time(starts.time(), 'HH:mm', locale=language)}–{format_time(ends.time(), 'HH:mm', locale=language)}"
    if ends.date() != starts.date():
        return f"{day} {hours} ({format_date(ends.date(), format='short', locale=language)})"
    return f"{day}, {hours}"


def hours_text(minutes: int, language: str = "es") -> str:
    """Minutes as hours a person reads: 270 -> "4,5 h" in Spanish, "4.5 h" in English; 0 -> "0 h"."""
    from babel.numbers import format_decimal
    return f"{format_decimal(round(minutes / 60, 2), format='#,##0.##', locale=language)} h"
