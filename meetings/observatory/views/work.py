"""STUB: owned by the work-packages helper. Replace the bodies (and the permissions) but keep the endpoints:
other pages link to them with url_for."""

from coop.pages import coop_view
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.views import bp


@bp.route("/work", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def work_packages():
    return ""  # stub


@bp.route("/work/new", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def new_work_package():
    return ""  # stub


@bp.route("/work/<int:package_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def work_package(package_id):
    return ""  # stub


@bp.route("/work/<int:package_id>/edit", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def edit_work_package(package_id):
    return ""  # stub


@bp.route("/work/<int:package_id>/links", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def work_links(package_id):
    return ""  # stub


@bp.route("/work/<int:package_id>/updates", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def work_update(package_id):
    return ""  # stub


@bp.route("/work/<int:package_id>/updates/<int:update_id>/photo", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def work_photo(package_id, update_id):
    return ""  # stub


@bp.route("/accountability", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def accountability():
    return ""  # stub


@bp.route("/accountability/print", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def print_accountability():
    return ""  # stub
