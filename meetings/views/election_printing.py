"""The elections' and the offices' printed documents: an election's paper ballots and its count
record, and the register of offices as the offices page filters it. Each is a background document
(``meetings.printing_elections``): the page queues it and sends the reader to the task's page,
which offers the file.
"""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop.db import get_session
from coop.pages import coop_view, query_date, query_int, show_refusal
from coop.web import reader_locale
from meetings import printing_elections
from meetings.election_forms import BallotsForm
from meetings.models import Election, Meeting
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from meetings.views import bp
from meetings.views.elections import ELECTION, MEETING, belongs, render_election, to_election


def _to_task(task):
    flash(_("The document is being prepared. This page shows how far it got and then offers the file."), "success")
    return redirect(url_for("coop.task", task_id=task.id))


@bp.route("/<int:meeting_id>/elections/<int:election_id>/ballots.pdf", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def election_ballots_pdf(meeting: Meeting, election: Election):
    """Print the open round's paper ballots, as many as the secretary asks for."""
    belongs(meeting, election)
    form = BallotsForm()
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            return _to_task(printing_elections.request_ballots(get_session(), g.coop, current_user, election,
                                                               form.count.data, locale=reader_locale()))
        if refusal.error.field is None:  # no round on paper open (closed a moment ago): said on the page
            flash(refusal.error.text, "error")
            return to_election(election)
    return render_election(meeting, election, ballots_form=form, status=422)


@bp.route("/<int:meeting_id>/elections/<int:election_id>/count.pdf", methods=["POST"])
@coop_view(VIEW_MEETINGS, meeting=MEETING, election=ELECTION)
def election_count_pdf(meeting: Meeting, election: Election):
    """Print the count record of a decided election: whoever may read the election may print it."""
    belongs(meeting, election)
    with show_refusal():
        return _to_task(printing_elections.request_count_record(get_session(), g.coop, current_user, election,
                                                                locale=reader_locale()))
    return to_election(election)


@bp.route("/offices.pdf", methods=["POST"])
@coop_view(VIEW_MEETINGS)
def offices_pdf():
    """Print the register of offices with the page's filters (carried in the address, as the page reads them)."""
    position_id, on_day = query_int("position"), query_date("on")
    with show_refusal():
        return _to_task(printing_elections.request_offices_register(
            get_session(), g.coop, current_user, position_id=position_id, on_day=on_day, locale=reader_locale()))
    return redirect(url_for("meetings.offices", position=position_id, on=on_day))
