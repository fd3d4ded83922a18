"""STUB: owned by the explorer helper. Replace the bodies (and the permissions) but keep the endpoints:
other pages link to them with url_for."""

from coop.pages import coop_view
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.views import bp


@bp.route("/budget", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget():
    return ""  # stub


@bp.route("/budget/<int:year>/lines/<int:account_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget_line(year, account_id):
    return ""  # stub


@bp.route("/budget/expenses/<int:expense_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def expense(expense_id):
    return ""  # stub


@bp.route("/budget/expenses/<int:expense_id>/receipt", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def expense_receipt(expense_id):
    return ""  # stub


@bp.route("/budget/<int:year>.csv", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget_csv(year):
    return ""  # stub


@bp.route("/budget/<int:year>.json", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def budget_json(year):
    return ""  # stub
