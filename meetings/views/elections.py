"""elections pages: stubs of the URL plan (/work/tools/MEETINGS_PLAN.md), replaced by their owner."""
from coop.pages import Load, coop_view
from meetings.models import Election, Meeting, OfficeTerm
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from meetings.views import bp


def _todo():
    return "", 501


@bp.route("/positions", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS)
def positions():
    return _todo()


@bp.route("/offices", methods=["GET"])
@coop_view(VIEW_MEETINGS)
def offices():
    return _todo()


@bp.route("/offices/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS)
def new_term():
    return _todo()


@bp.route("/offices/<int:term_id>/end", methods=["POST"])
@coop_view(MANAGE_MEETINGS, term=Load(OfficeTerm, arg="term_id"))
def end_term(term):
    return _todo()


@bp.route("/<int:meeting_id>/elections/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def new_election(meeting):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def election(meeting, election):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>/candidates", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def add_candidate(meeting, election):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>/open", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def open_election(meeting, election):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>/totals", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def election_totals(meeting, election):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>/ballot", methods=["GET", "POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def election_ballot(meeting, election):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>/close", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def close_election(meeting, election):
    return _todo()


@bp.route("/<int:meeting_id>/elections/<int:election_id>/tie", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), election=Load(Election, arg="election_id"))
def settle_tie(meeting, election):
    return _todo()
