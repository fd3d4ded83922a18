"""The coordinator's work on the co-op's home page (``coop.home``): their commissions' next
sessions with places taken and waitlists, and the sessions that ended and wait for attendance.
Three cheap queries, whatever the size of the co-op's history."""
from __future__ import annotations

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.access import Viewer
from coop.db import utcnow
from coop.home import HomePanel, home_panel
from coop.tenancy import Coop, Role
from coop.web import reader_locale
from minga import commissions, sessions, wording
from minga.permissions import MANAGE_SESSIONS

#: coming sessions on the panel
NEXT_ON_HOME = 5


@home_panel(MANAGE_SESSIONS, order=40)
def coordinator_work(session: so.Session, coop: Coop, viewer: Viewer) -> HomePanel | None:
    if Role.COORDINATOR not in viewer.roles:
        return None  # the secretary and the administrator reach every commission from the Minga pages
    ids = commissions.managed_commission_ids(viewer)
    if ids is not None and not ids:
        return None
    now = utcnow()
    found = sessions.sessions_for_manager(session, coop, ids, now=now, page=1, limit=NEXT_ON_HOME, recent=False)
    waiting = sessions.awaiting_attendance(session, coop, ids, now=now, limit=NEXT_ON_HOME)
    language = reader_locale()
    return HomePanel(str(_l("Your commissions' work")), "minga/_home_coordinator.html", {
        "upcoming": [(item, wording.session_when(coop, item.session, language)) for item in found.upcoming],
        "waiting": [(work_session, wording.session_when(coop, work_session, language)) for work_session in waiting]})
