"""Minga's pages, under /c/<slug>/minga/.

Split by area, each module thin (read the form, call one service; ``coop.pages`` loads the
page's object, decides access and commits once): ``member`` (the coming sessions, signing up
and cancelling, my hours, my calendar link), ``commissions`` (commissions, coordinators,
standing members), ``sessions`` (sessions, recurring series, tasks, status, sign-ups taken at
the office), ``attendance`` (recording and correcting who worked), ``obligations`` (rules,
exemptions, compliance, closing a period), ``reports`` (hours by commission, the activity
report) and ``calendars`` (the iCalendar feeds).
"""
from flask_babel import lazy_gettext as _l

from coop.access import add_nav
from coop.pages import coop_blueprint
from minga.permissions import VIEW_MINGA

bp = coop_blueprint("minga", __name__, url_prefix="/minga")
add_nav("minga.upcoming", _l("Minga"), VIEW_MINGA)

from minga.views import (  # noqa: E402,F401  (routes)
    attendance, calendars, commissions, member, obligations, reports, sessions, signups)
from minga import home  # noqa: E402,F401  (the coordinator's panel on the co-op's home page)
