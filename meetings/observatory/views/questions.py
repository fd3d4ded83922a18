"""STUB: owned by the questions helper. Replace the bodies (and the permissions) but keep the endpoints:
other pages link to them with url_for."""

from coop.pages import coop_view
from meetings.observatory.permissions import VIEW_OBSERVATORY
from meetings.observatory.views import bp


@bp.route("/questions", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def questions():
    return ""  # stub


@bp.route("/questions/ask", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def ask():
    return ""  # stub


@bp.route("/questions/<int:question_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def question(question_id):
    return ""  # stub


@bp.route("/questions/<int:question_id>/decide", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def decide_question(question_id):
    return ""  # stub


@bp.route("/questions/<int:question_id>/answer", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def answer_question(question_id):
    return ""  # stub


@bp.route("/questions/<int:question_id>/attachments/<int:attachment_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def question_attachment(question_id, attachment_id):
    return ""  # stub


@bp.route("/questions/<int:question_id>/assess", methods=["POST"])
@coop_view(VIEW_OBSERVATORY)
def assess_question(question_id):
    return ""  # stub


@bp.route("/questions/<int:question_id>/follow", methods=["POST"])
@coop_view(VIEW_OBSERVATORY)
def follow_question(question_id):
    return ""  # stub


@bp.route("/questions/<int:question_id>/to-assembly", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def send_question_to_assembly(question_id):
    return ""  # stub
