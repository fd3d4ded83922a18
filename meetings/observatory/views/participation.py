"""STUB: owned by the participatory-budget helper. Replace the bodies (and the permissions) but keep the endpoints:
other pages link to them with url_for."""

from coop.pages import coop_view
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.views import bp


@bp.route("/budgets", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def processes():
    return ""  # stub


@bp.route("/budgets/new", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def new_process():
    return ""  # stub


@bp.route("/budgets/<int:process_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def process(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/edit", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def edit_process(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/proposals/new", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def new_proposal(process_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def proposal(process_id, proposal_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>/review", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def review_proposal(process_id, proposal_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@coop_view(VIEW_OBSERVATORY)
def withdraw_proposal(process_id, proposal_id):
    return ""  # stub


@bp.route("/budgets/<int:process_id>/print", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def print_process(process_id):
    return ""  # stub
