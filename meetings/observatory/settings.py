"""The observatory's settings per co-op (``ObservatorySettings``): the days an office has to answer
a question, whether the budget's figures are open without log-in, and the participatory budget's
tie rule. A co-op that never saved them reads the defaults (30 days, not public, cheaper first)."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import Problems
from coop.tenancy import Coop
from meetings.observatory.models import BudgetTieRule, ObservatorySettings

MIN_ANSWER_DAYS, MAX_ANSWER_DAYS = 1, 365
TIE_LABELS = {BudgetTieRule.CHEAPER_FIRST: _l("The cheaper proposal first"),
              BudgetTieRule.LOT: _l("Drawn by lot")}

audit.describe("observatory.settings", _l("Observatory settings changed"))
audit.describe_field("answer_days", _l("Days to answer a question"), on="observatory_settings")
audit.describe_field("is_budget_public", _l("Budget published without log-in"), on="observatory_settings")
audit.describe_field("tie_rule", _l("Tie rule"), values=TIE_LABELS, on="observatory_settings")


def get_settings(session: so.Session, coop: Coop) -> ObservatorySettings:
    """The co-op's settings, or (unsaved) the defaults."""
    found = session.scalar(sa.select(ObservatorySettings).where(ObservatorySettings.coop_id == coop.id))
    if found is None:
        found = ObservatorySettings(coop_id=coop.id, answer_days=30, is_budget_public=False,
                                    tie_rule=BudgetTieRule.CHEAPER_FIRST)
    return found


def update_settings(session: so.Session, actor: User | None, coop: Coop, *, answer_days: int | None,
                    is_budget_public: bool, tie_rule: str | BudgetTieRule) -> dict:
    """Change the settings; the changes as recorded in the audit trail (empty: nothing changed)."""
    problems = Problems()
    if answer_days is None or not MIN_ANSWER_DAYS <= answer_days <= MAX_ANSWER_DAYS:
        problems.add(_l("Between %(min)d and %(max)d days.", min=MIN_ANSWER_DAYS, max=MAX_ANSWER_DAYS),
                     field="answer_days")
    try:
        tie_rule = BudgetTieRule(tie_rule)
    except ValueError:
        problems.add(_l("Choose how ties are settled."), field="tie_rule")
    problems.raise_any()
    settings = get_settings(session, coop)
    changes = audit.changes_between(settings, {"answer_days": answer_days, "is_budget_public": bool(is_budget_public),
                                               "tie_rule": tie_rule})
    if settings.id is None:
        session.add(settings)
    settings.answer_days, settings.is_budget_public, settings.tie_rule = answer_days, bool(is_budget_public), tie_rule
    session.flush()
    if changes:
        audit.record(session, action="observatory.settings", coop=coop, actor=actor, obj=settings,
                     summary=coop.name, changes=changes)
    return changes
