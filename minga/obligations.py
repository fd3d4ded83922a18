"""Minga's obligation: the co-op's rules, exemptions, periods, and each household's hours.

The rules say how many hours each household (or member) owes per month or quarter from a first
period on, whether surplus hours carry over, whether office work counts, the grace days after a
period to make up hours, and the fine and capital rates the close posts through the books.

How a period's hours are counted (``hours_of``, pure, and ``standings`` over the database):

- owed: the rule's minutes, for those who owe the period (``ledger.dues.owing_members``: members
  in good standing who joined by its end, one per household by the dues rule);
- exempt: an exemption counts pro rata by days. Each day of the period is excused by the highest
  percentage of the exemptions covering it (they never add up past 100 %); the exempt minutes are
  the owed minutes times the average of those daily percentages, rounded to the nearest minute.
  An exemption ended early covers up to and including the day it was ended;
- worked: minutes of PRESENT attendance in sessions that count for the period. A session counts
  for the period it starts in (the co-op's dates), except a compensation session held before the
  previous period's deadline (its end plus the grace days), which makes up hours for that
  previous period instead. Each session counts for exactly one period. Office-work commissions
  count only when the rules say so; cancelled sessions never count;
- carried: when surplus is carried, what the previous period's work exceeded its own obligation
  (after exemptions) counts toward this one, for one period only (hours are not banked forever);
- missing: what is still owed after exemptions, work and carried hours.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_skeleton
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.money import MAX_MINOR
from coop.tenancy import Coop
from ledger import dues
from ledger.models import Account, AccountType
from ledger.services import account_by_code
from members.models import Household, Member
from minga.models import (Attendance, AttendanceStatus, Commission, Exemption, MingaRules, ObligationPeriod,
                          ObligationUnit, PeriodClose, SessionStatus, SurplusRule, WorkSession)

#: the default accounts of the housing chart
FINE_ACCOUNT_CODE, CAPITAL_ACCOUNT_CODE = "4.3", "1.2.02"
MAX_GRACE_DAYS, MAX_REMINDER_HOURS = 60, 168
MAX_OWED_MINUTES = 744 * 60  # every hour of a month
MONTHS = {ObligationPeriod.MONTH: 1, ObligationPeriod.QUARTER: 3}

UNIT_LABELS = {ObligationUnit.HOUSEHOLD: _l("Each household"), ObligationUnit.MEMBER: _l("Each member")}
PERIOD_LABELS = {ObligationPeriod.MONTH: _l("Month"), ObligationPeriod.QUARTER: _l("Quarter")}
SURPLUS_LABELS = {SurplusRule.LOST: _l("Lost at the end of the period"),
                  SurplusRule.CARRIED: _l("Carried to the next period")}

audit.describe("minga.rules", _l("Minga obligation rules changed"))
for _field, _label, _values in (
        ("owed_minutes", _l("Minutes owed per period"), None), ("unit", _l("Who owes"), UNIT_LABELS),
        ("period", _l("Period"), PERIOD_LABELS), ("starts_on", _l("First period"), audit.day_text),
        ("surplus", _l("Surplus hours"), SURPLUS_LABELS), ("office_work_counts", _l("Office work counts"), None),
        ("grace_days", _l("Grace days"), None), ("is_closed_automatically", _l("Close automatically"), None),
        ("fine_per_hour_minor", _l("Fine per missing hour"), None), ("fine_account_id", _l("Fines account"), None),
        ("capital_rate_minor", _l("Value of an hour of capital work"), None),
        ("capital_account_id", _l("Account debited for work as capital"), None),
        ("reminder_hours", _l("Reminder hours before a session"), None)):
    audit.describe_field(_field, _label, values=_values, on="minga_rules")


# --- rules ------------------------------------------------------------------------------------

def rules_of(session: so.Session, coop: Coop) -> MingaRules:
    """The co-op's rules; unsaved defaults (no obligation, the chart's accounts) when none are set."""
    rules = session.scalar(sa.select(MingaRules).where(MingaRules.coop_id == coop.id))
    if rules is not None:
        return rules
    fine, capital = (account_by_code(session, coop, code) for code in (FINE_ACCOUNT_CODE, CAPITAL_ACCOUNT_CODE))
    return MingaRules(coop_id=coop.id, owed_minutes=0, unit=ObligationUnit.HOUSEHOLD, period=ObligationPeriod.MONTH,
                      starts_on=calendar.month_start(calendar.today_in(coop)), surplus=SurplusRule.LOST,
                      office_work_counts=False, grace_days=10, is_closed_automatically=False,
                      fine_per_hour_minor=0, fine_account_id=fine.id if fine else None, capital_rate_minor=0,
                      capital_account_id=capital.id if capital else None, reminder_hours=24)


@dataclass
class RulesData:
    """What the secretary types in (money already read by ``coop.money``, hours as minutes)."""

    owed_minutes: int
    unit: ObligationUnit
    period: ObligationPeriod
    starts_on: dt.date
    surplus: SurplusRule
    office_work_counts: bool
    grace_days: int
    is_closed_automatically: bool
    fine_per_hour_minor: int
    fine_account_id: int | None
    capital_rate_minor: int
    capital_account_id: int | None
    reminder_hours: int


def is_whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _account(session: so.Session, coop: Coop, account_id: int | None, kind: AccountType, field: str,
             problems: Problems, needed: bool) -> None:
    account = session.get(Account, account_id) if account_id else None
    if account is None or account.coop_id != coop.id:
        if needed:
            problems.add(_l("Choose the account."), field=field)
    elif account.type != kind:
        problems.add(_l("Choose an income account.") if kind == AccountType.INCOME
                     else _l("Choose an asset account."), field=field)
    elif account.is_closed:
        problems.add(_l("Account %(code)s is closed.", code=account.code), field=field)


def _check_rules(session: so.Session, coop: Coop, data: RulesData) -> None:
    problems = Problems()
    if not is_whole(data.owed_minutes, 0, MAX_OWED_MINUTES):
        problems.add(_l("Hours owed: from 0 (no obligation) to 744."), field="owed_hours")
    if data.unit not in set(ObligationUnit):
        problems.add(_l("Choose who owes the hours."), field="unit")
    if data.period not in set(ObligationPeriod):
        problems.add(_l("Choose the period."), field="period")
    if not isinstance(data.starts_on, dt.date):
        problems.add(_l("Write the first day of the first period."), field="starts_on")
    if data.surplus not in set(SurplusRule):
        problems.add(_l("Choose what happens to surplus hours."), field="surplus")
    if not is_whole(data.grace_days, 0, MAX_GRACE_DAYS):
        problems.add(_l("From 0 to %(max)d days.", max=MAX_GRACE_DAYS), field="grace_days")
    if not is_whole(data.reminder_hours, 0, MAX_REMINDER_HOURS):
        problems.add(_l("From 0 (no reminders) to %(max)d hours.", max=MAX_REMINDER_HOURS), field="reminder_hours")
    for value, name in ((data.fine_per_hour_minor, "fine_per_hour"), (data.capital_rate_minor, "capital_rate")):
        if not is_whole(value, 0, MAX_MINOR - 1):
            problems.add(_l("An amount from zero up."), field=name)
    _account(session, coop, data.fine_account_id, AccountType.INCOME, "fine_account", problems,
             needed=bool(data.fine_per_hour_minor))
    _account(session, coop, data.capital_account_id, AccountType.ASSET, "capital_account", problems,
             needed=bool(data.capital_rate_minor))
    problems.raise_any()


def _check_after_closes(session: so.Session, coop: Coop, rules: MingaRules, data: RulesData) -> None:
    """Once a period is closed, what defines the periods and who owes them stays as it was."""
    if rules.id is None or session.scalar(sa.select(PeriodClose.id).where(PeriodClose.coop_id == coop.id)
                                          .limit(1)) is None:
        return
    problems = Problems()
    for name, new, old in (("unit", data.unit, rules.unit), ("period", data.period, rules.period),
                           ("starts_on", calendar.month_start(data.starts_on), rules.starts_on)):
        if new != old:
            problems.add(_l("Periods were already closed under this rule: it can no longer change."), field=name)
    problems.raise_any()


def update_rules(session: so.Session, actor: User | None, coop: Coop, data: RulesData) -> dict:
    """Save the co-op's rules (creating them the first time); the changes made."""
    _check_rules(session, coop, data)
    rules = rules_of(session, coop)
    _check_after_closes(session, coop, rules, data)
    values = {key: getattr(data, key) for key in RulesData.__dataclass_fields__}
    values["starts_on"] = calendar.month_start(data.starts_on)
    values["unit"], values["period"], values["surplus"] = (ObligationUnit(data.unit), ObligationPeriod(data.period),
                                                           SurplusRule(data.surplus))
    is_new = rules.id is None
    # new rules are recorded field by field from nothing, as a plan's creation is
    changes = audit.changes_between(SimpleNamespace(**dict.fromkeys(values)) if is_new else rules, values)
    if not changes and not is_new:
        return {}
    for key, value in values.items():
        setattr(rules, key, value)
    if is_new:
        session.add(rules)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.rules", obj=rules, summary=coop.name,
                 changes=changes)
    return changes


# --- periods (pure) ---------------------------------------------------------------------------

def first_period(rules: MingaRules) -> dt.date:
    return calendar.month_start(rules.starts_on)


def period_of(rules: MingaRules, day: dt.date) -> dt.date:
    """The first day of the period containing ``day`` (counted from the first period's month)."""
    step, base = MONTHS[ObligationPeriod(rules.period)], calendar.month_index(first_period(rules))
    return calendar.month_of_index(base + (calendar.month_index(day) - base) // step * step)


def period_end(rules: MingaRules, start: dt.date) -> dt.date:
    return calendar.add_months(start, MONTHS[ObligationPeriod(rules.period)]) - dt.timedelta(days=1)


def previous_period(rules: MingaRules, start: dt.date) -> dt.date:
    return calendar.add_months(start, -MONTHS[ObligationPeriod(rules.period)])


def deadline(rules: MingaRules, start: dt.date) -> dt.date:
    """The last day hours may be made up for the period: its end plus the grace days."""
    return period_end(rules, start) + dt.timedelta(days=rules.grace_days or 0)


def period_label(rules: MingaRules, start: dt.date, language: str = "es") -> str:
    """"noviembre de 2026"; a quarter of the calendar year as "4.º trimestre de 2026", any other
    three months as "noviembre de 2026 – enero de 2027"."""
    if rules.period == ObligationPeriod.MONTH:
        return format_skeleton("yMMMM", start, locale=language)
    if start.month in (1, 4, 7, 10):
        return format_skeleton("yQQQQ", start, locale=language)
    end = period_end(rules, start)
    return f"{format_skeleton('yMMMM', start, locale=language)} – {format_skeleton('yMMMM', end, locale=language)}"


def check_period(rules: MingaRules, start: dt.date) -> None:
    """Refuse a date that does not start one of the obligation's periods."""
    if not isinstance(start, dt.date):
        raise DomainError(_l("Choose the period."), field="period")
    if period_of(rules, start) != start:
        raise DomainError(_l("This date does not start a period of the obligation."), field="period")
    if start < first_period(rules):
        raise DomainError(_l("The obligation starts later: its first period is %(day)s.",
                             day=first_period(rules).isoformat()), field="period")


def counted_period(rules: MingaRules, day: dt.date, is_compensation: bool) -> dt.date:
    """The period a session held on ``day`` counts for (see the module's rules)."""
    own = period_of(rules, day)
    if is_compensation:
        previous = previous_period(rules, own)
        if previous >= first_period(rules) and day <= deadline(rules, previous):
            return previous
    return own


# --- hours of one unit (pure) -----------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """An exemption as the count reads it: a percentage over days (``to`` None: open-ended)."""

    percent: int
    start: dt.date
    to: dt.date | None


def exempt_minutes(owed: int, start: dt.date, end: dt.date, spans: Iterable[Span]) -> int:
    """The owed minutes excused over the period from ``start`` to ``end``, pro rata by days."""
    spans = list(spans)
    if owed <= 0 or not spans:
        return 0
    days = (end - start).days + 1
    percent_days = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        percent_days += max((s.percent for s in spans if s.start <= day and (s.to is None or day <= s.to)),
                            default=0)
    return min(owed, (owed * percent_days + 50 * days) // (100 * days))


@dataclass(frozen=True)
class Hours:
    """One household's (or member's) count for one period, in minutes."""

    owed: int
    exempt: int
    worked: int
    carried: int

    @property
    def due(self) -> int:
        """What the period asks after exemptions."""
        return self.owed - self.exempt

    @property
    def missing(self) -> int:
        return max(self.due - self.worked - self.carried, 0)

    @property
    def surplus(self) -> int:
        """What this period's own work exceeded its obligation (what a carrying rule passes on)."""
        return max(self.worked - self.due, 0)


def hours_of(*, owed: int, start: dt.date, end: dt.date, spans: Sequence[Span], worked: int,
             carried: int = 0) -> Hours:
    """Count one unit's period (the rules in the module's docstring)."""
    return Hours(owed=owed, exempt=exempt_minutes(owed, start, end, spans), worked=worked, carried=carried)


def _span(coop: Coop, exemption: Exemption) -> Span:
    to = exemption.to_date
    if exemption.revoked_dt is not None:
        ended = calendar.utc_to_local(coop, exemption.revoked_dt).date()
        to = ended if to is None else min(to, ended)
    return Span(exemption.percent, exemption.from_date, to)


# --- standings (the database) -----------------------------------------------------------------

def unit_key(household_id: int | None, member_id: int) -> str:
    """The close line's key: "h<household id>", or "m<member id>" for a member on their own."""
    return f"h{household_id}" if household_id is not None else f"m{member_id}"


@dataclass
class Standing:
    """One unit's period: who answers for it in the books, its hours, and its capital work."""

    key: str
    member: Member
    household: Household | None
    hours: Hours
    capital_minutes: int = 0

    @property
    def name(self) -> str:
        return self.household.name if self.household is not None else self.member.full_name


@dataclass
class _Tally:
    worked: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    capital: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))


def _window(coop: Coop, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds of the co-op's days from ``start`` to ``end`` inclusive."""
    return (calendar.local_to_utc(coop, dt.datetime.combine(start, dt.time())),
            calendar.local_to_utc(coop, dt.datetime.combine(end + dt.timedelta(days=1), dt.time())))


def _tallies(session: so.Session, coop: Coop, rules: MingaRules, start: dt.date,
             only: sa.ColumnElement | None = None, since: dt.date | None = None) -> dict[str, _Tally]:
    """Worked and capital minutes per unit key, for the period (and those from ``since``) and the
    one before: one query."""
    low, high = _window(coop, previous_period(rules, since or start), deadline(rules, start))
    query = (sa.select(Attendance.household_id, Attendance.member_id, Attendance.minutes, WorkSession.starts_dt,
                       WorkSession.is_compensation, Commission.is_office_work, Commission.is_capital_work)
             .join(WorkSession, WorkSession.id == Attendance.session_id)
             .join(Commission, Commission.id == WorkSession.commission_id)
             .where(Attendance.coop_id == coop.id, Attendance.status == AttendanceStatus.PRESENT,
                    Attendance.minutes > 0, WorkSession.status != SessionStatus.CANCELLED,
                    WorkSession.starts_dt >= low, WorkSession.starts_dt < high))
    if only is not None:
        query = query.where(only)
    per_household = rules.unit == ObligationUnit.HOUSEHOLD
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for household_id, member_id, minutes, starts, compensation, office, capital in session.execute(query):
        day = calendar.utc_to_local(coop, starts).date()
        period = counted_period(rules, day, compensation)
        tally = tallies[unit_key(household_id if per_household else None, member_id)]
        if not office or rules.office_work_counts:
            tally.worked[period] += minutes
        if capital:
            tally.capital[period] += minutes
    return tallies


def _spans(session: so.Session, coop: Coop, rules: MingaRules, start: dt.date,
           only: sa.ColumnElement | None = None, since: dt.date | None = None) -> dict[str, list[Span]]:
    """Exemptions touching the period (and those from ``since``) or the one before, by unit key."""
    first, last = previous_period(rules, since or start), period_end(rules, start)
    query = sa.select(Exemption).where(Exemption.coop_id == coop.id,
                                       Exemption.from_date <= last,
                                       sa.or_(Exemption.to_date.is_(None), Exemption.to_date >= first))
    if only is not None:
        query = query.where(only)
    by_key: dict[str, list[Span]] = defaultdict(list)
    for exemption in session.scalars(query):
        key = (f"h{exemption.household_id}" if exemption.household_id is not None else f"m{exemption.member_id}")
        by_key[key].append(_span(coop, exemption))
    return by_key


def _standing(rules: MingaRules, start: dt.date, member: Member, household: Household | None,
              tallies: dict[str, _Tally], spans: dict[str, list[Span]], previous_owes: bool) -> Standing:
    per_household = rules.unit == ObligationUnit.HOUSEHOLD
    key = unit_key(household.id if household is not None and per_household else None, member.id)
    mine = spans.get(key, []) + ([] if per_household or member.household_id is None
                                 else spans.get(f"h{member.household_id}", []))
    tally = tallies.get(key) or _Tally()
    carried = 0
    before = previous_period(rules, start)
    if rules.surplus == SurplusRule.CARRIED and before >= first_period(rules):
        previous = hours_of(owed=rules.owed_minutes if previous_owes else 0, start=before,
                            end=period_end(rules, before), spans=mine, worked=tally.worked.get(before, 0))
        carried = previous.surplus
    hours = hours_of(owed=rules.owed_minutes, start=start, end=period_end(rules, start), spans=mine,
                     worked=tally.worked.get(start, 0), carried=carried)
    return Standing(key, member, household if per_household else None, hours, tally.capital.get(start, 0))


def standings(session: so.Session, coop: Coop, start: dt.date, rules: MingaRules | None = None) -> list[Standing]:
    """Every unit's count for the period starting on ``start``, by member number (four queries)."""
    rules = rules or rules_of(session, coop)
    check_period(rules, start)
    per_household = rules.unit == ObligationUnit.HOUSEHOLD
    owing = dues.owing_members(session, coop, joined_by=period_end(rules, start), per_household=per_household)
    tallies, spans = _tallies(session, coop, rules, start), _spans(session, coop, rules, start)
    before_end = period_end(rules, previous_period(rules, start))
    return [_standing(rules, start, member, household, tallies, spans, member.join_date <= before_end)
            for member, household in owing]


def household_standing(session: so.Session, coop: Coop, member: Member, start: dt.date,
                       rules: MingaRules | None = None) -> Standing | None:
    """The count of the member's own household (or their own) for one period; None if they owe
    nothing that period (not yet joined, not in good standing, before the first period)."""
    return household_standings(session, coop, member, [start], rules)[start]


def household_standings(session: so.Session, coop: Coop, member: Member, starts: Sequence[dt.date],
                        rules: MingaRules | None = None) -> dict[dt.date, Standing | None]:
    """``household_standing`` for several periods at once (two queries whatever their number)."""
    rules = rules or rules_of(session, coop)
    owing = [start for start in starts if member.coop_id == coop.id and rules.owed_minutes > 0
             and start >= first_period(rules) and member.status in dues.OWING_STATUSES
             and member.join_date <= period_end(rules, start)]
    found: dict[dt.date, Standing | None] = dict.fromkeys(starts)
    if not owing:
        return found
    per_household = rules.unit == ObligationUnit.HOUSEHOLD and member.household_id is not None
    if per_household:
        only_attendance = Attendance.household_id == member.household_id
        only_exemptions = Exemption.household_id == member.household_id
    else:
        only_attendance = Attendance.member_id == member.id
        only_exemptions = sa.or_(Exemption.member_id == member.id, Exemption.household_id == member.household_id
                                 if member.household_id else sa.false())
    latest, since = max(owing), min(owing)
    tallies = _tallies(session, coop, rules, latest, only_attendance, since)
    spans = _spans(session, coop, rules, latest, only_exemptions, since)
    for start in owing:
        before_end = period_end(rules, previous_period(rules, start))
        found[start] = _standing(rules, start, member, member.household if per_household else None, tallies, spans,
                                 member.join_date <= before_end)
    return found


def saved_rules(session: so.Session, coop: Coop) -> MingaRules | None:
    """The co-op's rules if it set any (one cheap query, for the home page)."""
    return session.scalar(sa.select(MingaRules).where(MingaRules.coop_id == coop.id))


def recent_periods(session: so.Session, coop: Coop, member: Member | None, language: str = "es",
                   rules: MingaRules | None = None) -> list[dict]:
    """The member's household hours against its obligation, for the current and previous periods
    (the home panel and the member's Minga page): label, standing, deadline."""
    rules = rules or saved_rules(session, coop)
    if member is None or rules is None or rules.owed_minutes <= 0:
        return []
    current = period_of(rules, calendar.today_in(coop))
    found = household_standings(session, coop, member, [current, previous_period(rules, current)], rules)
    return [{"label": period_label(rules, start, language), "standing": standing,
             "deadline": deadline(rules, start), "start": start}
            for start, standing in found.items() if standing is not None]
