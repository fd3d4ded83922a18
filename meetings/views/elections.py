"""The offices' and elections' pages: the elected offices, the register of who held which office
when, and an election at a meeting (candidates, rounds, paper totals, the phone ballot, the count,
settling a tie). The members' block on the meeting page (``_member_election.html``) asks
``member_elections(meeting)`` for the ballots the reader can cast now.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import access, submissions
from coop.db import get_session, utcnow
from coop.pages import Load, coop_view, page_number, query_date, query_int, query_text, show_refusal
from coop.text import whole_number
from coop.errors import DomainError
from meetings import election_ballots, election_result, elections, printing_elections
from meetings import offices as office_register
from meetings.election_forms import (BallotForm, BallotsForm, CandidateForm, ElectionForm, EndTermForm, OpenForm,
                                     PositionForm, RowForm, TermForm, totals_form)
from meetings.models import (AgendaItem, Candidate, Election, ElectionStatus, Meeting, MeetingStatus, OfficeTerm,
                             Position, VotingMode)
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from meetings.rules import rules_of
from meetings.views import bp
from members import reports as member_reports
from members.reports import DirectoryQuery

MEETING, ELECTION = Load(Meeting, arg="meeting_id"), Load(Election, arg="election_id")
FOUND_AT_MOST = 10


def _member(number_text: str | None):
    number = whole_number(number_text)
    return member_reports.member_by_number(get_session(), g.coop, number) if number is not None else None


def _own_member():
    return member_reports.member_of_user(get_session(), g.coop, current_user.id)


def belongs(meeting: Meeting, election: Election) -> None:
    """An election is reached only through its own meeting; members do not see a meeting in preparation."""
    if election.meeting_id != meeting.id:
        abort(404)
    if meeting.status == MeetingStatus.DRAFT and not access.can(MANAGE_MEETINGS):
        abort(404)


def to_election(election: Election):
    return redirect(url_for("meetings.election", meeting_id=election.meeting_id, election_id=election.id))


# --- offices --------------------------------------------------------------------------------------

@bp.route("/positions", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS)
def positions():
    form = PositionForm()
    if form.validate_on_submit():
        with show_refusal(form):
            position = office_register.add_position(get_session(), current_user, g.coop, form.data_for())
            flash(_("The office %(name)s is added.", name=position.name), "success")
            return redirect(url_for("meetings.positions"))
    return render_template("meetings/positions.html", form=form,
                           positions=office_register.positions(get_session(), g.coop),
                           body_labels=office_register.BODY_LABELS, signs_as_labels=office_register.SIGNS_AS_LABELS)


@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, position=Load(Position, arg="position_id"))
def edit_position(position: Position):
    form = PositionForm(obj=position) if request.method == "GET" else PositionForm()
    if request.method == "GET":
        form.body.data = position.body.value
        form.signs_as.data = position.signs_as.value if position.signs_as else ""
    if form.validate_on_submit():
        with show_refusal(form):
            office_register.edit_position(get_session(), current_user, g.coop, position, form.data_for())
            flash(_("The office %(name)s is saved.", name=position.name), "success")
            return redirect(url_for("meetings.positions"))
    return render_template("meetings/position_form.html", form=form, position=position)


@bp.route("/offices", methods=["GET"])
@coop_view(VIEW_MEETINGS)
def offices():
    db, page = get_session(), page_number()
    position_id, on_day = query_int("position"), query_date("on")
    listing = office_register.register(db, g.coop, position_id=position_id, on_day=on_day, page=page)
    return render_template("meetings/offices.html", listing=listing, page=page, per_page=office_register.PAGE_SIZE,
                           positions=office_register.positions(db, g.coop), position_id=position_id, on_day=on_day,
                           end_form=EndTermForm(formdata=None), today=utcnow().date())


def _term_form() -> TermForm:
    form = TermForm()
    form.position.choices = [("", _("Choose…"))] + [
        (str(p.id), p.name) for p in office_register.positions(get_session(), g.coop)]
    return form


@bp.route("/offices/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS)
def new_term():
    form, db = _term_form(), get_session()
    find = " ".join(query_text("find").split())
    if request.method == "GET" and query_text("member", 12):
        form.member.data = query_text("member", 12)
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            position_id = whole_number(form.position.data)
            term = office_register.record_term(
                db, current_user, g.coop, position=db.get(Position, position_id) if position_id else None,
                member=_member(form.member.data), starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                is_alternate=form.is_alternate.data, note=form.note.data or "")
            target = url_for("meetings.offices", position=term.position_id)
            sent.finish(target)
            flash(_("The term of %(name)s is recorded.", name=term.member.full_name), "success")
            return redirect(target)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    found, found_total = (member_reports.directory(db, g.coop, DirectoryQuery(text=find), per_page=FOUND_AT_MOST)
                          if find else ([], 0))
    return render_template("meetings/term_form.html", form=form, find=find, found=found, found_total=found_total)


@bp.route("/offices/<int:term_id>/end", methods=["POST"])
@coop_view(MANAGE_MEETINGS, term=Load(OfficeTerm, arg="term_id"))
def end_term(term: OfficeTerm):
    form = EndTermForm()
    target = url_for("meetings.offices", position=term.position_id)
    if not form.validate_on_submit():
        flash(_("Give the day the person left the office and why."), "error")
        return redirect(target)
    with show_refusal():
        office_register.end_term(get_session(), current_user, g.coop, term, left_on=form.left_on.data,
                         reason=form.reason.data)
        flash(_("The term of %(name)s ends on %(day)s.", name=term.member.full_name, day=term.left_on.isoformat()),
              "success")
    return redirect(target)


# --- an election ----------------------------------------------------------------------------------

def _election_form(meeting: Meeting) -> ElectionForm:
    form = ElectionForm()
    form.position.choices = [("", _("Choose…"))] + [
        (str(p.id), p.name) for p in office_register.positions(get_session(), g.coop, active_only=True)]
    form.item.choices = [("", _("None"))] + [(str(i.id), f"{i.position}. {i.title}") for i in meeting.items]
    return form


@bp.route("/<int:meeting_id>/elections/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING)
def new_election(meeting: Meeting):
    form, db = _election_form(meeting), get_session()
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            position_id, item_id = whole_number(form.position.data), whole_number(form.item.data)
            election = elections.new_election(
                db, current_user, g.coop, meeting, position=db.get(Position, position_id) if position_id else None,
                seats=form.seats.data, alternates=form.alternates.data, max_choices=form.max_choices.data,
                term_starts_on=form.term_starts_on.data, term_ends_on=form.term_ends_on.data,
                item=db.get(AgendaItem, item_id) if item_id else None)
            target = url_for("meetings.election", meeting_id=meeting.id, election_id=election.id)
            sent.finish(target)
            flash(_("The election of %(office)s is called: put the candidates forward.",
                    office=election.position.name), "success")
            return redirect(target)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    return render_template("meetings/election_new.html", meeting=meeting, form=form,
                           elections=elections.elections_of(db, meeting))


def _ballot_forms(election: Election, pending) -> list:
    forms = []
    for ballot in pending:
        form = BallotForm(formdata=None)
        form.voter.data = str(ballot.entry.id)
        forms.append((ballot, form))
    return forms


def render_election(meeting: Meeting, election: Election, *, candidate_form=None, totals=None, ballots_form=None,
                    status=200):
    db = get_session()
    vote_round = elections.latest_round(db, election)
    paper_round = printing_elections.ballots_round(db, election) if access.can(MANAGE_MEETINGS) else None
    if paper_round is not None and ballots_form is None:
        ballots_form = BallotsForm(formdata=None, count=printing_elections.default_ballots(paper_round))
    on_ballot = elections.round_candidates(election, vote_round)
    placement = elections.placement_now(election) if election.status == ElectionStatus.COUNTED else None
    tie_rule = election_result.tie_rule(db, g.coop, election, placement.tie) if placement and placement.tie else None
    find = " ".join(query_text("find").split())
    found, found_total = (member_reports.directory(db, g.coop, DirectoryQuery(text=find), per_page=FOUND_AT_MOST)
                          if find and access.can(MANAGE_MEETINGS) else ([], 0))
    resolution = election_result.resolution_of(db, election)
    pending = election_ballots.pending_ballots(db, election, _own_member())
    open_secret = election_ballots.secret_round(db, election)
    return render_template(
        "meetings/election.html", meeting=meeting, election=election, vote_round=vote_round, on_ballot=on_ballot,
        placement=placement, tie_rule=tie_rule, resolution=resolution, pending=pending,
        receipts=election_ballots.receipts_count(db, open_secret) if open_secret else None,
        max_choices=elections.round_max_choices(election, vote_round), status_labels=elections.STATUS_LABELS,
        mode_labels=elections.MODE_LABELS, candidate_form=candidate_form or CandidateForm(formdata=None),
        totals=totals or (totals_form(on_ballot, empty=True) if vote_round else None),
        open_form=OpenForm(formdata=None),
        row_form=RowForm(formdata=None), find=find, found=found, found_total=found_total,
        placed=election_result.placed(election), rules=rules_of(db, g.coop),
        ballots_form=ballots_form if paper_round is not None else None,
        most_ballots=printing_elections.most_ballots(paper_round) if paper_round is not None else None), status


@bp.route("/<int:meeting_id>/elections/<int:election_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=MEETING, election=ELECTION)
def election(meeting: Meeting, election: Election):
    belongs(meeting, election)
    candidate_form = CandidateForm(formdata=None)
    candidate_form.member.data = query_text("member", 12)
    return render_election(meeting, election, candidate_form=candidate_form)


@bp.route("/<int:meeting_id>/elections/<int:election_id>/candidates", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def add_candidate(meeting: Meeting, election: Election):
    belongs(meeting, election)
    form = CandidateForm()
    if form.validate_on_submit():
        with show_refusal(form):
            candidate = elections.add_candidate(get_session(), current_user, g.coop, election,
                                                _member(form.member.data))
            flash(_("%(name)s stands for %(office)s.", name=candidate.member.full_name,
                    office=election.position.name), "success")
            return to_election(election)
    return render_election(meeting, election, candidate_form=form, status=422)


@bp.route("/<int:meeting_id>/elections/<int:election_id>/candidates/remove", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def remove_candidate(meeting: Meeting, election: Election):
    belongs(meeting, election)
    form = RowForm()
    if form.validate_on_submit():
        with show_refusal():
            candidate_id = whole_number(form.candidate.data)
            candidate = get_session().get(Candidate, candidate_id) if candidate_id else None
            elections.remove_candidate(get_session(), current_user, g.coop, election, candidate)
            flash(_("%(name)s no longer stands.", name=candidate.member.full_name), "success")
    return to_election(election)


def _mode(form: OpenForm) -> VotingMode | None:
    return VotingMode(form.mode.data) if form.mode.data in {m.value for m in elections.ELECTION_MODES} else None


@bp.route("/<int:meeting_id>/elections/<int:election_id>/open", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def open_election(meeting: Meeting, election: Election):
    belongs(meeting, election)
    form = OpenForm()
    if form.validate_on_submit():
        with show_refusal():
            elections.open_election(get_session(), current_user, g.coop, election, mode=_mode(form), now=utcnow())
            flash(_("Voting is open."), "success")
    return to_election(election)


@bp.route("/<int:meeting_id>/elections/<int:election_id>/totals", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def election_totals(meeting: Meeting, election: Election):
    belongs(meeting, election)
    on_ballot = elections.round_candidates(election, elections.latest_round(get_session(), election))
    form = totals_form(on_ballot)
    if form.validate_on_submit():
        with show_refusal(form):
            votes = {c.id: form[f"c{c.id}"].data for c in on_ballot}
            elections.enter_totals(get_session(), current_user, g.coop, election, votes)
            flash(_("The votes are entered. Check them, then close the round to count."), "success")
            return to_election(election)
    return render_election(meeting, election, totals=form, status=422)


@bp.route("/<int:meeting_id>/elections/<int:election_id>/ballot", methods=["GET", "POST"])
@coop_view(VIEW_MEETINGS, meeting=MEETING, election=ELECTION)
def election_ballot(meeting: Meeting, election: Election):
    belongs(meeting, election)
    db, member = get_session(), _own_member()
    vote_round = election_ballots.secret_round(db, election)
    on_ballot = elections.round_candidates(election, vote_round) if vote_round else []
    form = BallotForm()
    if request.method == "POST":
        target = url_for("meetings.election_ballot", meeting_id=meeting.id, election_id=election.id)
        with show_refusal(form) as refusal:
            if not form.validate_on_submit():
                raise DomainError(_("This form is out of date. Check it and send it again."))
            sent = submissions.claim(db, g.coop, form.once_key.data)
            election_ballots.cast_ballot(db, g.coop, election, member, voter_id=whole_number(form.voter.data),
                                         candidate_ids=list(form.candidates.data or []), now=utcnow())
            sent.finish(target)
            flash(_("Your ballot is cast. It is secret: nobody can see whom it chose."), "success")
            return redirect(target)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    pending = election_ballots.pending_ballots(db, election, member)
    return render_template("meetings/election_ballot.html", meeting=meeting, election=election, vote_round=vote_round,
                           on_ballot=on_ballot, forms=_ballot_forms(election, pending), refused=form,
                           max_choices=elections.round_max_choices(election, vote_round),
                           on_roll=election_ballots.own_entry(db, election, member))


@bp.route("/<int:meeting_id>/elections/<int:election_id>/close", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def close_election(meeting: Meeting, election: Election):
    belongs(meeting, election)
    if RowForm().validate_on_submit():
        with show_refusal():
            election_result.close_election(get_session(), current_user, g.coop, election, now=utcnow())
            if election.status == ElectionStatus.DECIDED:
                flash(_("The round is counted and the election decided."), "success")
            else:
                flash(_("The round is counted: a tie must be settled."), "info")
    return to_election(election)


@bp.route("/<int:meeting_id>/elections/<int:election_id>/tie", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, election=ELECTION)
def settle_tie(meeting: Meeting, election: Election):
    belongs(meeting, election)
    form = OpenForm()
    if form.validate_on_submit():
        with show_refusal():
            runoff = election_result.settle_tie(get_session(), current_user, g.coop, election, mode=_mode(form),
                                                now=utcnow())
            flash(_("The runoff among the tied is open.") if runoff else _("The lot is drawn."), "success")
    return to_election(election)


@bp.context_processor
def _member_election_helpers():
    """For the meeting page: ``member_elections(meeting)``, the elections taking ballots the reader
    may cast now (with how many: their own and their grantors'), and ``meeting_elections(meeting)``,
    every election of the meeting (none of a meeting in preparation, unless the reader prepares it)."""
    def member_elections(meeting: Meeting) -> list[tuple[Election, int]]:
        db = get_session()
        member = _own_member() if current_user.is_authenticated else None
        if member is None or meeting.status != MeetingStatus.IN_SESSION:
            return []
        found = []
        for each in elections.elections_of(db, meeting):
            pending = election_ballots.pending_ballots(db, each, member)
            if pending:
                found.append((each, len(pending)))
        return found

    def meeting_elections(meeting: Meeting) -> list[Election]:
        if meeting.status == MeetingStatus.DRAFT and not access.can(MANAGE_MEETINGS):
            return []
        return elections.elections_of(get_session(), meeting)
    return {"member_elections": member_elections, "meeting_elections": meeting_elections,
            "election_status_labels": elections.STATUS_LABELS}
