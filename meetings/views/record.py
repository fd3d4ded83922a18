"""record pages: stubs of the URL plan (/work/tools/MEETINGS_PLAN.md), replaced by their owner."""
from coop.pages import Load, coop_view
from meetings.models import Meeting, Resolution
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from meetings.views import bp


def _todo():
    return "", 501


@bp.route("/resolutions", methods=["GET"])
@coop_view(VIEW_MEETINGS)
def resolutions():
    return _todo()


@bp.route("/resolutions/<int:resolution_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, resolution=Load(Resolution, arg="resolution_id"))
def resolution(resolution):
    return _todo()


@bp.route("/<int:meeting_id>/minutes", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def minutes(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/minutes/notes", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def minutes_notes(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/minutes/approve", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def approve_minutes(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/minutes/correct", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def correct_minutes(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/minutes.pdf", methods=["POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def minutes_pdf(meeting):
    return _todo()
