"""The observatory's front page (what is open to the member now) and its settings.
STUB: owned by the questions helper (home) — replace the bodies, keep the endpoints."""

from coop.pages import coop_view
from meetings.observatory.permissions import MANAGE_OBSERVATORY, VIEW_OBSERVATORY
from meetings.observatory.views import bp

@bp.route("/", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def index():
    return ""  # stub

@bp.route("/settings", methods=["GET", "POST"])
@coop_view(MANAGE_OBSERVATORY)
def settings():
    return ""  # stub
