"""Who may vote: the bylaws' bars on a member's vote, read from the books and from Minga.

Every active member may vote unless the bylaws bar them (``MeetingRules``):

- dues in arrears beyond N months (``arrears_months_limit``): the oldest charge still unpaid fell
  due more than N months before the day the roll is frozen. A charge due exactly N months before
  does not bar (the bylaws say "more than"); one day earlier does. Read from the books
  (``ledger.statements.arrears_aging``): payments not yet applied to a charge do not count, as
  the statement shows them;
- short on Minga hours (``minga_shortfall_excludes``): the member's household (or the member,
  when the obligation is per member) still missed hours in the last period already closed
  (``minga.obligations.standings`` for that period). No closed period: nobody is barred.

The core (``bar_reason``, ``arrears_bar``) is pure; ``bars_of`` gathers what it needs in a few
queries whatever the number of members, so freezing a 5,000-member roll stays fast. Reasons are
written in the co-op's language when the roll is frozen, because the roll is a record printed
and signed as it was on that day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import ngettext

from coop import calendar
from coop.tenancy import Coop
from ledger import statements
from meetings.models import MeetingRules
from minga import obligations
from minga.models import PeriodClose


def arrears_limit_day(as_of: dt.date, months: int) -> dt.date:
    """The oldest due date that still does not bar: ``months`` months before ``as_of`` (same day
    of the month, or the month's last day when it is shorter)."""
    return calendar.same_day_months_later(as_of, -months)


def arrears_bar(oldest_due: dt.date | None, as_of: dt.date, months: int | None) -> bool:
    """True when a charge due on ``oldest_due`` is still unpaid more than ``months`` months later."""
    if months is None or oldest_due is None:
        return False
    return oldest_due < arrears_limit_day(as_of, months)


@dataclass
class Bars:
    """What bars votes in one co-op on one day: each barred member's oldest due date, and the
    Minga units (households, members on their own) short of hours in the last closed period."""

    as_of: dt.date
    arrears_months: int | None = None
    oldest_due: dict[int, dt.date] = field(default_factory=dict)
    short_households: set[int] = field(default_factory=set)
    short_members: set[int] = field(default_factory=set)
    #: the closed period whose hours count ("noviembre de 2026"), '' when Minga bars nobody
    minga_period: str = ""


def bar_reason(bars: Bars, member_id: int, household_id: int | None) -> str:
    """Why the member may not vote ('' when they may), in the current language."""
    reasons = []
    if arrears_bar(bars.oldest_due.get(member_id), bars.as_of, bars.arrears_months):
        reasons.append(ngettext("Dues in arrears for more than %(num)d month",
                                "Dues in arrears for more than %(num)d months", bars.arrears_months))
    if member_id in bars.short_members or (household_id is not None and household_id in bars.short_households):
        reasons.append(_("Short on Minga hours in %(period)s", period=bars.minga_period))
    return "; ".join(reasons)[:200]


def bars_of(session: so.Session, coop: Coop, rules: MeetingRules, as_of: dt.date, *, language: str = "es") -> Bars:
    """What bars votes on ``as_of`` under the co-op's bylaws (a few queries in all)."""
    bars = Bars(as_of=as_of, arrears_months=rules.arrears_months_limit)
    if rules.arrears_months_limit is not None:
        report = statements.arrears_aging(session, coop, as_of, min_days=1)
        bars.oldest_due = {row.member_id: row.oldest_due for row in report.rows if row.oldest_due is not None}
    if rules.minga_shortfall_excludes:
        _minga_bars(session, coop, as_of, bars, language)
    return bars


def last_closed_period(session: so.Session, coop: Coop, as_of: dt.date) -> PeriodClose | None:
    """The latest Minga period closed by ``as_of`` (its close is what the co-op acted on)."""
    return session.scalar(sa.select(PeriodClose).where(PeriodClose.coop_id == coop.id,
                                                       PeriodClose.period_end < as_of)
                          .order_by(PeriodClose.period_start.desc()).limit(1))


def _minga_bars(session: so.Session, coop: Coop, as_of: dt.date, bars: Bars, language: str) -> None:
    close = last_closed_period(session, coop, as_of)
    if close is None:
        return
    rules = obligations.rules_of(session, coop)
    for standing in obligations.standings(session, coop, close.period_start, rules):
        if standing.hours.missing <= 0:
            continue
        if standing.key.startswith("h") and standing.household is not None:
            bars.short_households.add(standing.household.id)
        else:
            bars.short_members.add(standing.member.id)
    bars.minga_period = obligations.period_label(rules, close.period_start, language)
