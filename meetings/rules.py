"""The co-op's bylaws on meetings: read (made with the defaults on first use) and changed.

The defaults are those of many Ecuadorian housing co-ops' bylaws: eight days' notice, half plus
one of the voters at the first call, whoever is present at the second, one proxy per person,
abstentions not counted as votes cast, a members' assembly, a runoff for a tied last seat.
"""
from __future__ import annotations

import math

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.tenancy import Coop
from meetings.models import Call, MeetingRules


def rules_of(session: so.Session, coop: Coop) -> MeetingRules:
    """The co-op's settings, created with the defaults the first time they are asked for."""
    rules = session.scalar(sa.select(MeetingRules).where(MeetingRules.coop_id == coop.id))
    if rules is None:
        rules = MeetingRules(coop_id=coop.id)
        try:
            with session.begin_nested():
                session.add(rules)
        except sa.exc.IntegrityError:  # made at the same moment by another request
            rules = session.scalar(sa.select(MeetingRules).where(MeetingRules.coop_id == coop.id))
    return rules


def quorum_required(roll_voters: int, percent: int, *, more_than: bool) -> int:
    """How many voters (present or represented) make quorum out of ``roll_voters``.

    ``more_than``: more than ``percent`` (half plus one: 100 voters at 50 % need 51); otherwise
    at least ``percent`` (50 %: 50). A percent of 0 means whoever is present: one person.
    """
    if percent <= 0 or roll_voters <= 0:
        return 1
    if more_than:
        return min(roll_voters * percent // 100 + 1, roll_voters)
    return max(math.ceil(roll_voters * percent / 100), 1)


def required_for(rules: MeetingRules, roll_voters: int, call: Call) -> int:
    percent = rules.first_call_quorum_pct if call == Call.FIRST else rules.second_call_quorum_pct
    return quorum_required(roll_voters, percent, more_than=rules.quorum_is_more_than)
