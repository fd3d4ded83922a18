"""Meetings pages (being written)."""
from flask import render_template

from coop.pages import coop_view
from meetings.permissions import VIEW_MEETINGS
from meetings.views import bp


@bp.route("/")
@coop_view(VIEW_MEETINGS)
def index():
    return render_template("meetings/index.html")
