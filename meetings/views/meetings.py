"""meetings pages: stubs of the URL plan (/work/tools/MEETINGS_PLAN.md), replaced by their owner."""
from coop.pages import Load, coop_view
from meetings.models import AgendaDocument, AgendaItem, Meeting
from meetings.permissions import MANAGE_MEETINGS, MANAGE_MEETING_RULES, VIEW_MEETINGS
from meetings.views import bp


def _todo():
    return "", 501


@bp.route("/", methods=["GET"])
@coop_view(VIEW_MEETINGS)
def index():
    return _todo()


@bp.route("/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS)
def new_meeting():
    return _todo()


@bp.route("/<int:meeting_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def meeting(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def edit_meeting(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def cancel_meeting(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/agenda", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def agenda(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/items/<int:item_id>", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), item=Load(AgendaItem, arg="item_id"))
def edit_item(meeting, item):
    return _todo()


@bp.route("/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), item=Load(AgendaItem, arg="item_id"))
def move_item(meeting, item):
    return _todo()


@bp.route("/<int:meeting_id>/items/<int:item_id>/delete", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), item=Load(AgendaItem, arg="item_id"))
def delete_item(meeting, item):
    return _todo()


@bp.route("/<int:meeting_id>/items/<int:item_id>/documents", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), item=Load(AgendaItem, arg="item_id"))
def add_document(meeting, item):
    return _todo()


@bp.route("/documents/<int:document_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, document=Load(AgendaDocument, arg="document_id"))
def document(document):
    return _todo()


@bp.route("/rules", methods=["GET", "POST"])
@coop_view(MANAGE_MEETING_RULES)
def rules():
    return _todo()
