"""The meetings' pages, under /c/<slug>/meetings/.

Split by area, each module thin (read the form, call one service; ``coop.pages`` loads the
page's object, decides access and commits once): ``meetings`` (list, a meeting's page, agenda,
documents, the bylaws settings), ``notice`` (issuing the convocatoria, the roll), ``sitting``
(check-in, proxies, quorum, the hall screen), ``motions`` (motions, amendments, votes, voting
from the phone), ``record`` (resolutions, minutes), ``elections`` and ``election_printing`` (the
ballots, the count record and the register of offices on paper).
"""
from flask_babel import lazy_gettext as _l

from coop.access import add_nav
from coop.pages import coop_blueprint
from meetings.permissions import VIEW_MEETINGS

bp = coop_blueprint("meetings", __name__, url_prefix="/meetings")
add_nav("meetings.index", _l("Assemblies"), VIEW_MEETINGS)

from meetings.views import (  # noqa: E402,F401  (routes)
    election_printing, elections, meetings, motions, notice, record, sitting)
