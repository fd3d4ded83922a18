"""motions pages: stubs of the URL plan (/work/tools/MEETINGS_PLAN.md), replaced by their owner."""
from coop.pages import Load, coop_view
from meetings.models import AgendaItem, Meeting, Motion, VoteRound
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from meetings.views import bp


def _todo():
    return "", 501


@bp.route("/<int:meeting_id>/items/<int:item_id>/motions", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), item=Load(AgendaItem, arg="item_id"))
def motions(meeting, item):
    return _todo()


@bp.route("/<int:meeting_id>/motions/<int:motion_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), motion=Load(Motion, arg="motion_id"))
def motion(meeting, motion):
    return _todo()


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/status", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), motion=Load(Motion, arg="motion_id"))
def motion_status(meeting, motion):
    return _todo()


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/vote", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), motion=Load(Motion, arg="motion_id"))
def open_vote(meeting, motion):
    return _todo()


@bp.route("/<int:meeting_id>/rounds/<int:round_id>", methods=["GET"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def vote_round(meeting, round):
    return _todo()


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/totals", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def enter_totals(meeting, round):
    return _todo()


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/votes", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def record_vote(meeting, round):
    return _todo()


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/close", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def close_vote(meeting, round):
    return _todo()


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/ballot", methods=["GET", "POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def ballot(meeting, round):
    return _todo()
