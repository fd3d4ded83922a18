"""STUB: owned by the ballots helper. Replace the bodies (and the permissions) but keep the endpoints:
other pages link to them with url_for."""

from coop.pages import coop_view
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.views import bp


@bp.route("/budgets/<int:process_id>/ballot", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def ballot(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/paper-ballots", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def paper_ballot(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/blocks", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def block_results(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/results", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def results(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/decision", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def decision(process_id):
    return ""  # stub
