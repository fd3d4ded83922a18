"""The member's side of Minga: the coming sessions with their free places."""
from __future__ import annotations

from flask import render_template

from coop.pages import coop_view
from minga.permissions import VIEW_MINGA
from minga.views import bp


@bp.route("/")
@coop_view(VIEW_MINGA)
def upcoming():
    return render_template("minga/upcoming.html")
