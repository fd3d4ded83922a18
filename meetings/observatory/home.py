"""Questions on the co-op's home page (``coop.home``): for the oversight council, the officers and
the offices that answer, how many questions wait for them and how many of those are overdue.
One query; nothing for a member with nothing waiting."""
from __future__ import annotations

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.access import Viewer
from coop.calendar import today_in
from coop.home import HomePanel, home_panel
from coop.tenancy import Coop
from meetings.observatory import question_register as register
from meetings.observatory.permissions import ANSWER_QUESTIONS, DECIDE_QUESTIONS


@home_panel(ANSWER_QUESTIONS, order=25)
def questions_waiting(session: so.Session, coop: Coop, viewer: Viewer) -> HomePanel | None:
    waiting, overdue = register.count_waiting(session, coop, viewer.grants, may_decide=viewer.may(DECIDE_QUESTIONS),
                                              today=today_in(coop))
    if not waiting:
        return None
    return HomePanel(str(_l("Questions on the books")), "observatory/_home_questions.html",
                     {"waiting": waiting, "overdue": overdue})
