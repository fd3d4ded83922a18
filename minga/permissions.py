"""What Minga's pages require, and who holds it (registered with ``coop.access``).

Every member sees the coming sessions and signs up. A coordinator holds the commission's work
only within their own commissions (the scope kind ``minga.commission``): its sessions, who signs
up at the office, the attendance; the secretary and the administrator hold it for all of them.
The secretary keeps the commissions and the obligation rules; the treasurer closes a period
(its fines and work credited as capital go through the books); the oversight council reads.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from coop import access
from coop.access import ALL_ROLES, OFFICERS, define
from coop.tenancy import Role
from minga.models import Attendance, Commission, SignUp, WorkSession

COMMISSION_SCOPE = "minga.commission"


def _commission_choices(session, coop) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in session.execute(
        sa.select(Commission.id, Commission.name).where(Commission.coop_id == coop.id).order_by(Commission.name))]


access.scope_kind(COMMISSION_SCOPE, label=_l("Commission"), choices=_commission_choices)

#: the coming sessions, signing up oneself, one's own hours
VIEW_MINGA = define("view_minga", ALL_ROLES)
#: commissions and the obligation rules and exemptions
MANAGE_COMMISSIONS = define("manage_commissions", OFFICERS)
#: a commission's sessions, sign-ups taken at the office, attendance: within one's commissions
MANAGE_SESSIONS = define("manage_sessions", OFFICERS, scoped={Role.COORDINATOR: COMMISSION_SCOPE})
#: compliance per household, hours per commission, the activity report
VIEW_COMPLIANCE = define("view_compliance", frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER, Role.AUDITOR}))
#: closing a period: fines and work credited as capital, through the books
CLOSE_PERIODS = define("close_minga_periods", frozenset({Role.ADMIN, Role.TREASURER}))

# which commission each Minga object lies in
access.scoped_by(Commission, COMMISSION_SCOPE, lambda commission: commission.id)
access.scoped_by(WorkSession, COMMISSION_SCOPE, lambda session: session.commission_id)
access.scoped_by(SignUp, COMMISSION_SCOPE, lambda sign_up: sign_up.session.commission_id)
access.scoped_by(Attendance, COMMISSION_SCOPE, lambda attendance: attendance.session.commission_id)
