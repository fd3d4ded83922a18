"""The observatory's pages, under /c/<slug>/observatory/.

Split by area, each module thin (read the form, call one service; ``coop.pages`` loads the
page's object, decides access and commits once): ``home`` (the observatory's front page and its
settings), ``questions`` (the register, asking, the council's decision, answers, assessment,
following, sending to an assembly), ``budget`` (the budget explorer, its CSV and JSON, and the
published copy without log-in), ``participation`` (participatory budgets and their proposals),
``ballots`` (support ballots by phone and on paper, block results, results and the decision) and
``work`` (work packages and the accountability report).
"""
from flask_babel import lazy_gettext as _l

from coop.access import add_nav
from coop.pages import coop_blueprint
from meetings.observatory import models  # noqa: F401  (the tables, for the app's metadata)
from meetings.observatory.permissions import VIEW_OBSERVATORY

bp = coop_blueprint("observatory", __name__, url_prefix="/observatory")
add_nav("observatory.index", _l("Observatory"), VIEW_OBSERVATORY)

from meetings.observatory.views import (  # noqa: E402,F401  (routes)
    ballots, budget, home, participation, questions, work)
