"""The secretary's work on the co-op's home page (``coop.home``): applications waiting for a
decision and member imports waiting for their confirmation, counted and linked."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.access import Viewer
from coop.home import HomePanel, home_panel
from coop.tasks import Task, TaskStatus
from coop.tenancy import Coop
from members import reports
from members.imports import IMPORT_KIND
from members.permissions import MANAGE_MEMBERS

#: imports listed on the home page (a draft is forgotten after a day anyway)
IMPORTS_SHOWN = 5


def imports_waiting(session: so.Session, coop: Coop) -> list[Task]:
    """Checked member files kept as drafts until someone confirms them, newest first."""
    return list(session.scalars(
        sa.select(Task).where(Task.coop_id == coop.id, Task.kind == IMPORT_KIND, Task.status == TaskStatus.DRAFT)
        .order_by(Task.created_dt.desc(), Task.id.desc()).limit(IMPORTS_SHOWN)))


@home_panel(MANAGE_MEMBERS, order=10)
def register_work(session: so.Session, coop: Coop, viewer: Viewer) -> HomePanel:
    return HomePanel(str(_l("The register")), "members/_home_panel.html", {
        "pending_applications": reports.pending_applications_count(session, coop),
        "imports": imports_waiting(session, coop)})
