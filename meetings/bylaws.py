"""Changing the co-op's bylaws on meetings (``MeetingRules``), within bounds a bylaw can mean.

Every field is checked at once, so the secretary sees each mistake beside its field. A change
holds for meetings convened afterwards: a roll already frozen keeps the voters it had, and a
vote keeps the rule locked when it opened.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import Problems
from coop.tenancy import Coop
from meetings.models import AssemblyForm, MeetingRules, TieRule
from meetings.rules import rules_of

MAX_NOTICE_DAYS = 90
MAX_ARREARS_MONTHS = 120
MAX_PROXIES = 20

FORM_LABELS = {AssemblyForm.MEMBERS: _l("Members' assembly: every member"),
               AssemblyForm.REPRESENTATIVES: _l("Representatives' assembly: the representatives in office")}
TIE_LABELS = {TieRule.RUNOFF: _l("A runoff among the tied"), TieRule.LOT: _l("Drawing lots")}

audit.describe("meetings.rules", _l("Bylaws on meetings changed"))
for _field, _label in (("notice_days", _l("Days of notice")),
                       ("first_call_quorum_pct", _l("Quorum at the first call (%)")),
                       ("second_call_quorum_pct", _l("Quorum at the second call (%)")),
                       ("quorum_is_more_than", _l("More than the percent")),
                       ("arrears_months_limit", _l("Months of arrears that bar a vote")),
                       ("minga_shortfall_excludes", _l("Short Minga hours bar a vote")),
                       ("proxies_allowed", _l("Proxies allowed")), ("max_proxies_per_holder", _l("Proxies per holder")),
                       ("chair_has_casting_vote", _l("Chair's casting vote")),
                       ("abstentions_count", _l("Abstentions count as votes cast"))):
    audit.describe_field(_field, _label, on="meeting_rules")
audit.describe_field("assembly_form", _l("General assembly"), values=FORM_LABELS, on="meeting_rules")
audit.describe_field("election_tie_rule", _l("Tie for the last seat"), values=TIE_LABELS, on="meeting_rules")


@dataclass
class RulesData:
    notice_days: int | None
    first_call_quorum_pct: int | None
    second_call_quorum_pct: int | None
    quorum_is_more_than: bool
    arrears_months_limit: int | None
    minga_shortfall_excludes: bool
    proxies_allowed: bool
    max_proxies_per_holder: int | None
    chair_has_casting_vote: bool
    abstentions_count: bool
    assembly_form: str
    election_tie_rule: str


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check(data: RulesData) -> dict:
    problems = Problems()
    if not _whole(data.notice_days, 0, MAX_NOTICE_DAYS):
        problems.add(_l("From 0 to %(max)d days.", max=MAX_NOTICE_DAYS), field="notice_days")
    if not _whole(data.first_call_quorum_pct, 1, 100):
        problems.add(_l("A percent from 1 to 100."), field="first_call_quorum_pct")
    if not _whole(data.second_call_quorum_pct, 0, 100):
        problems.add(_l("A percent from 0 (whoever is present) to 100."), field="second_call_quorum_pct")
    elif _whole(data.first_call_quorum_pct, 1, 100) and data.second_call_quorum_pct > data.first_call_quorum_pct:
        problems.add(_l("The second call asks at most the quorum of the first."), field="second_call_quorum_pct")
    if data.arrears_months_limit is not None and not _whole(data.arrears_months_limit, 1, MAX_ARREARS_MONTHS):
        problems.add(_l("From 1 to %(max)d months, or leave it empty.", max=MAX_ARREARS_MONTHS),
                     field="arrears_months_limit")
    if not _whole(data.max_proxies_per_holder, 0, MAX_PROXIES):
        problems.add(_l("From 0 to %(max)d.", max=MAX_PROXIES), field="max_proxies_per_holder")
    elif data.proxies_allowed and data.max_proxies_per_holder == 0:
        problems.add(_l("With proxies allowed, one person may hold at least one."), field="max_proxies_per_holder")
    values = {}
    for name, enum_type in (("assembly_form", AssemblyForm), ("election_tie_rule", TieRule)):
        try:
            values[name] = enum_type(getattr(data, name))
        except ValueError:
            problems.add(_l("Choose one."), field=name)
    problems.raise_any()
    values.update(
        notice_days=data.notice_days, first_call_quorum_pct=data.first_call_quorum_pct,
        second_call_quorum_pct=data.second_call_quorum_pct, quorum_is_more_than=bool(data.quorum_is_more_than),
        arrears_months_limit=data.arrears_months_limit, minga_shortfall_excludes=bool(data.minga_shortfall_excludes),
        proxies_allowed=bool(data.proxies_allowed), max_proxies_per_holder=data.max_proxies_per_holder,
        chair_has_casting_vote=bool(data.chair_has_casting_vote), abstentions_count=bool(data.abstentions_count))
    return values


def update_rules(session: so.Session, actor: User | None, coop: Coop, data: RulesData) -> dict:
    """Change the bylaws' settings; the changes made (recorded in the audit trail)."""
    values = _check(data)
    rules: MeetingRules = rules_of(session, coop)
    changes = audit.changes_between(rules, values)
    for key, value in values.items():
        setattr(rules, key, value)
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="meetings.rules", obj=rules, summary=coop.name,
                     changes=changes)
    return changes
