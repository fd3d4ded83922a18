"""notice pages: stubs of the URL plan (/work/tools/MEETINGS_PLAN.md), replaced by their owner."""
from coop.pages import Load, coop_view
from meetings.models import Meeting
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS, VIEW_MEETING_RECORD
from meetings.views import bp


def _todo():
    return "", 501


@bp.route("/<int:meeting_id>/notice", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def notice(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/notice.pdf", methods=["POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def notice_pdf(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/roll", methods=["GET"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def roll(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/roll.pdf", methods=["POST"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def roll_pdf(meeting):
    return _todo()
