"""Exemptions from the Minga obligation: a household or a member excused, for a while and in part,
for age or illness, with the reason the assembly may ask for.

An exemption is never deleted once granted (a period's close may have read it): ending it early
records the day. How an exemption reduces the hours owed is ``minga.obligations``' rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop
from members.models import Household, Member
from minga import obligations
from minga.models import Exemption, ObligationUnit

audit.describe("minga.exemption", _l("Minga exemption granted or ended"))
for _field, _label in (("percent", _l("Percentage excused")), ("from_date", _l("From")), ("to_date", _l("Until")),
                       ("revoked_dt", _l("Ended early"))):
    audit.describe_field(_field, _label, values=audit.day_text if _field.endswith("date") else None,
                         on="exemption")


@dataclass
class ExemptionData:
    household_id: int | None
    member_id: int | None
    percent: int
    from_date: dt.date
    to_date: dt.date | None
    reason: str


def _exemption_target(session: so.Session, coop: Coop, data: ExemptionData, problems: Problems):
    if bool(data.household_id) == bool(data.member_id):
        problems.add(_l("Choose a household or a member."), field="household")
        return
    model, key = (Household, data.household_id) if data.household_id else (Member, data.member_id)
    target = session.get(model, key)
    if target is None or target.coop_id != coop.id:
        raise NotFoundError(_l("There is no such household or member."), field="household")
    rules = obligations.rules_of(session, coop)
    if isinstance(target, Member) and rules.unit == ObligationUnit.HOUSEHOLD and target.household_id:
        problems.add(_l("The obligation is per household: excuse %(name)s's household instead.",
                        name=target.full_name), field="member")


def create_exemption(session: so.Session, actor: User | None, coop: Coop, data: ExemptionData) -> Exemption:
    """Excuse a household or a member from part of the obligation for a while (age, illness)."""
    problems = Problems()
    _exemption_target(session, coop, data, problems)
    if not obligations.is_whole(data.percent, 1, 100):
        problems.add(_l("A percentage from 1 to 100."), field="percent")
    if not isinstance(data.from_date, dt.date):
        problems.add(_l("Write the first day it covers."), field="from_date")
    elif data.to_date is not None and data.to_date < data.from_date:
        problems.add(_l("The end comes after the start."), field="to_date")
    reason = " ".join((data.reason or "").split())
    if not reason:
        problems.add(_l("Say why (age, illness...): the assembly may ask."), field="reason")
    elif len(reason) > 500:
        problems.add(_l("At most 500 characters."), field="reason")
    problems.raise_any()
    exemption = Exemption(coop_id=coop.id, household_id=data.household_id or None, member_id=data.member_id or None,
                          percent=data.percent, from_date=data.from_date, to_date=data.to_date, reason=reason,
                          created_by_id=actor.id if actor is not None else None)
    session.add(exemption)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.exemption", obj=exemption,
                 summary=_exemption_name(exemption), changes={"percent": [None, data.percent],
                                                              "from_date": [None, data.from_date.isoformat()]})
    return exemption


def _exemption_name(exemption: Exemption) -> str:
    if exemption.household is not None:
        return exemption.household.name
    return f"{exemption.member.number}: {exemption.member.full_name}" if exemption.member else ""


def end_exemption(session: so.Session, actor: User | None, coop: Coop, exemption: Exemption, *,
                  now: dt.datetime | None = None) -> Exemption:
    """End an exemption early: it covers up to the day it is ended. It is never deleted (a close
    may have read it)."""
    if exemption.coop_id != coop.id:
        raise NotFoundError(_l("There is no such exemption."), field="exemption")
    if exemption.revoked_dt is not None:
        raise DomainError(_l("This exemption was already ended."), field="exemption")
    exemption.revoked_dt = now or utcnow()
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="minga.exemption", obj=exemption,
                 summary=_exemption_name(exemption),
                 changes={"revoked_dt": [None, calendar.utc_to_local(coop, exemption.revoked_dt).date().isoformat()]})
    return exemption


def exemptions(session: so.Session, coop: Coop, *, include_ended: bool = True) -> list[Exemption]:
    """The co-op's exemptions, the current ones first, newest first."""
    query = (sa.select(Exemption).where(Exemption.coop_id == coop.id)
             .options(so.joinedload(Exemption.household), so.joinedload(Exemption.member))
             .order_by(Exemption.revoked_dt.is_not(None), Exemption.from_date.desc(), Exemption.id.desc()))
    if not include_ended:
        query = query.where(Exemption.revoked_dt.is_(None))
    return list(session.scalars(query))
