"""sitting pages: stubs of the URL plan (/work/tools/MEETINGS_PLAN.md), replaced by their owner."""
from coop.pages import Load, coop_view
from meetings.models import Meeting, Proxy
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS, VIEW_MEETING_RECORD
from meetings.views import bp


def _todo():
    return "", 501


@bp.route("/<int:meeting_id>/checkin", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def checkin(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/open", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def open_meeting(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/close", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def close_meeting(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/proxies", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def proxies(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/proxies/<int:proxy_id>/remove", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), proxy=Load(Proxy, arg="proxy_id"))
def remove_proxy(meeting, proxy):
    return _todo()


@bp.route("/<int:meeting_id>/quorum", methods=["GET"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def quorum(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/current", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def current_item(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/hall", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def hall(meeting):
    return _todo()
