"""Meetings on the co-op's home page (``coop.home``): for every member the next meeting they were
called to (its day, place and page), and for the secretary the meetings prepared and still waiting
for their notice. One query, whoever reads it."""
from __future__ import annotations

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.access import Viewer
from coop.db import utcnow
from coop.home import HomePanel, home_panel
from coop.tenancy import Coop
from coop.web import reader_locale
from meetings import meetings
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS


@home_panel(VIEW_MEETINGS, order=20)
def next_assembly(session: so.Session, coop: Coop, viewer: Viewer) -> HomePanel | None:
    now = utcnow()
    if viewer.may(MANAGE_MEETINGS):
        coming, waiting = meetings.officers_next(session, coop, now=now)
    else:
        coming, waiting = meetings.next_meeting(session, coop, now=now), []
    if coming is None and not waiting:
        return None
    language = reader_locale().split("_")[0]
    return HomePanel(str(_l("Assemblies and meetings")), "meetings/_home_meetings.html", {
        "coming": coming, "coming_when": meetings.calls_in_words(coop, coming, language) if coming else "",
        "waiting": [(meeting, meetings.calls_in_words(coop, meeting, language)) for meeting in waiting]})
