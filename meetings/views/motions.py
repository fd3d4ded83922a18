"""Motions and votes: an item's motions and amendments, a motion's page with its versions and votes,
moving a motion through its states, opening a vote, the secretary's page of a vote (totals of a
show of hands, votes by member number, closing with the chair's casting vote), and the member's
ballot on the phone, for themselves and for the proxies they hold.

The ballot is always the logged-in user's own member's, never a number in the URL; each of its
forms carries a one-time key, so a double tap on a slow phone casts one vote, and the database's
unique key stops a second vote whatever the road.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop import access, submissions
from coop.db import get_session, utcnow
from coop.errors import DomainError
from coop.forms import OnceForm
from coop.pages import Load, coop_view, show_refusal
from coop.text import whole_number
from members import reports as member_reports
from meetings import motions as motion_services
from meetings import quorum, voting
from meetings.models import (AgendaItem, Choice, MajorityRule, Meeting, MeetingStatus, Motion, MotionStatus,
                             MotionVersion, RollEntry, RoundStatus, VoteRound, VotingMode)
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from meetings.rules import rules_of
from meetings.views import bp


def _rule_choices():
    return [(rule.value, label) for rule, label in motion_services.RULE_LABELS.items()]


class MotionForm(OnceForm, FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    text = TextAreaField(_l("Text of the motion"), validators=[InputRequired(), Length(max=20000)],
                         description=_l("For an amendment: the motion's whole text as the amendment would leave it."))
    proposer = StringField(_l("Proposed by (member no.)"), validators=[InputRequired(), Length(max=12)])
    seconder = StringField(_l("Seconded by (member no.)"), validators=[Optional(), Length(max=12)])
    majority = SelectField(_l("Majority required"), choices=_rule_choices, default=MajorityRule.SIMPLE.value)
    amends = SelectField(_l("Amends"), validate_choice=False, default="")
    is_draft = BooleanField(_l("A draft, prepared before the meeting"))


class StatusForm(FlaskForm):
    status = SelectField(_l("New state"), validate_choice=False)
    seconder = StringField(_l("Seconded by (member no.)"), validators=[Optional(), Length(max=12)])
    note = StringField(_l("Note (the commission it goes to, or why)"), validators=[Optional(), Length(max=500)])


class OpenVoteForm(FlaskForm):
    mode = SelectField(_l("How the assembly votes"), default=VotingMode.HANDS.value,
                       choices=lambda: [(m.value, label) for m, label in voting.MODE_LABELS.items()])


class TotalsForm(FlaskForm):
    yes = IntegerField(_l("In favour"), validators=[InputRequired(), NumberRange(min=0, max=10**6)])
    no = IntegerField(_l("Against"), validators=[InputRequired(), NumberRange(min=0, max=10**6)])
    abstain = IntegerField(_l("Abstentions"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10**6)])


def _choices():
    return [(c.value, label) for c, label in voting.CHOICE_LABELS.items()]


class RecordVoteForm(FlaskForm):
    number = StringField(_l("Member no."), validators=[InputRequired(), Length(max=12)])
    choice = SelectField(_l("Vote"), choices=_choices)


class CloseForm(FlaskForm):
    casting_vote = SelectField(_l("The chair's casting vote, if it is a tie"), default="",
                               choices=lambda: [("", _("None"))] + _choices()[:2])


class BallotForm(OnceForm, FlaskForm):
    """One ballot: the voter (the reader's own roll line, or a grantor's) and a choice (its button)."""

    voter = HiddenField()
    #: sent by the button pressed; not a hidden field, which would come first and be read instead
    choice = StringField()


def _own_member_id() -> int | None:
    member = member_reports.member_of_user(get_session(), g.coop, current_user.id)
    return member.id if member is not None else None


def _check_of(meeting: Meeting, *objects) -> None:
    """The objects the URL names belong to the meeting it names (else 404, like a missing one)."""
    for obj in objects:
        if obj.meeting_id != meeting.id:
            abort(404)


def _page_helpers() -> dict:
    return {"status_labels": motion_services.STATUS_LABELS, "rule_labels": motion_services.RULE_LABELS,
            "mode_labels": voting.MODE_LABELS, "choice_labels": voting.CHOICE_LABELS, "MotionStatus": MotionStatus,
            "RoundStatus": RoundStatus, "VotingMode": VotingMode}


# --- motions -------------------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/items/<int:item_id>/motions", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), item=Load(AgendaItem, arg="item_id"))
def motions(meeting, item):
    _check_of(meeting, item)
    db = get_session()
    listed = motion_services.motions_of_item(db, item)
    form = MotionForm()
    form.amends.choices = [("", _("Nothing: a motion of its own"))] + [
        (str(m.id), _("Amendment to: %(title)s", title=m.title)) for m in listed
        if m.amends_id is None and m.status not in motion_services.DECIDED and m.status != MotionStatus.VOTING]
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            amends_id = whole_number(form.amends.data)
            amends = db.get(Motion, amends_id) if amends_id else None
            motion = motion_services.propose_motion(
                db, current_user, g.coop, item, title=form.title.data, text=form.text.data,
                proposer_number=_number(form.proposer), seconder_number=_number(form.seconder),
                majority=MajorityRule(form.majority.data), amends=amends, is_draft=form.is_draft.data, now=utcnow())
            target = url_for("meetings.motion", meeting_id=meeting.id, motion_id=motion.id)
            sent.finish(target)
            flash(_("The motion “%(title)s” is recorded.", title=motion.title), "success")
            return redirect(target)
        answer = submissions.answer_if_sent(refusal)
        if answer:
            return answer
    return render_template("meetings/motions.html", meeting=meeting, item=item, motions=listed, form=form,
                           **_page_helpers())


def _number(field) -> int | None:
    """A typed member number (None when left empty); an unreadable one is refused beside its field."""
    if not (field.data or "").strip():
        return None
    number = whole_number(field.data)
    if number is None:
        raise DomainError(_l("Type a member number, such as 1024."), field=field.name)
    return number


@bp.route("/<int:meeting_id>/motions/<int:motion_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), motion=Load(Motion, arg="motion_id"))
def motion(meeting, motion):
    _check_of(meeting, motion)
    if meeting.status == MeetingStatus.DRAFT and not access.can(MANAGE_MEETINGS):
        abort(404)  # a meeting still being prepared is the officers' alone
    db = get_session()
    status_form = StatusForm(formdata=None)
    status_form.status.choices = [(s.value, motion_services.STATUS_LABELS[s])
                                  for s in motion_services.MOVES.get(motion.status, ())]
    return render_template(
        "meetings/motion.html", meeting=meeting, motion=motion, amends=motion.amends,
        amendments=motion_services.amendments_of(db, motion), rounds=voting.rounds_of(db, motion),
        pending=motion_services.undecided_amendments(db, motion), status_form=status_form,
        open_form=OpenVoteForm(formdata=None), may_vote_open=motion.status in motion_services.VOTABLE,
        **_page_helpers())


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/status", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), motion=Load(Motion, arg="motion_id"))
def motion_status(meeting, motion):
    _check_of(meeting, motion)
    form = StatusForm()
    target = url_for("meetings.motion", meeting_id=meeting.id, motion_id=motion.id)
    status = form.status.data if form.status.data in {s.value for s in MotionStatus} else None
    if not form.validate_on_submit() or status is None:
        flash(_("This form is out of date. Check it and send it again."), "error")
        return redirect(target)
    with show_refusal():
        motion_services.move_motion(get_session(), current_user, g.coop, motion, MotionStatus(status),
                                    note=form.note.data or "", seconder_number=_number(form.seconder))
        flash(_("The motion is now %(state)s.", state=str(motion_services.STATUS_LABELS[motion.status]).lower()),
              "success")
    return redirect(target)


# --- opening and running a vote ---------------------------------------------------------------------

@bp.route("/<int:meeting_id>/motions/<int:motion_id>/vote", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), motion=Load(Motion, arg="motion_id"))
def open_vote(meeting, motion):
    _check_of(meeting, motion)
    db = get_session()
    form = OpenVoteForm()
    if form.validate_on_submit():
        with show_refusal(form):
            vote_round = voting.open_round(db, current_user, g.coop, motion, VotingMode(form.mode.data), now=utcnow())
            flash(_("The vote on “%(title)s” is open.", title=motion.title), "success")
            return redirect(url_for("meetings.vote_round", meeting_id=meeting.id, round_id=vote_round.id))
    return render_template("meetings/open_vote.html", meeting=meeting, motion=motion, form=form,
                           quorum_now=quorum.state(db, g.coop, meeting), rules=rules_of(db, g.coop),
                           pending=motion_services.undecided_amendments(db, motion), **_page_helpers())


def _round_page(meeting, vote_round, *, totals=None, record=None, close=None):
    db = get_session()
    motion = db.get(Motion, vote_round.motion_id) if vote_round.motion_id else None
    if motion is None:
        abort(404)  # an election's round: its own pages show it
    totals = totals or TotalsForm(formdata=None, data={"yes": vote_round.yes_count, "no": vote_round.no_count,
                                                       "abstain": vote_round.abstain_count})
    return render_template(
        "meetings/vote_round.html", meeting=meeting, motion=motion, vote_round=vote_round,
        version=db.get(MotionVersion, vote_round.version_id) if vote_round.version_id else None,
        cast=voting.ballots_cast(db, vote_round), votes=voting.named_votes(db, vote_round),
        so_far=voting.count_round(db, vote_round) if vote_round.mode == VotingMode.NAMED else None,
        totals_form=totals, record_form=record or RecordVoteForm(formdata=None),
        close_form=close or CloseForm(formdata=None), casting=rules_of(db, g.coop).chair_has_casting_vote,
        **_page_helpers())


@bp.route("/<int:meeting_id>/rounds/<int:round_id>", methods=["GET"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def vote_round(meeting, round):
    _check_of(meeting, round)
    return _round_page(meeting, round)


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/totals", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def enter_totals(meeting, round):
    _check_of(meeting, round)
    form = TotalsForm()
    if form.validate_on_submit():
        with show_refusal(form):
            voting.enter_totals(get_session(), current_user, g.coop, round, yes=form.yes.data, no=form.no.data,
                                abstain=form.abstain.data)
            flash(_("The totals are entered: close the vote to count them."), "success")
            return redirect(url_for("meetings.vote_round", meeting_id=meeting.id, round_id=round.id))
    return _round_page(meeting, round, totals=form), 400


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/votes", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def record_vote(meeting, round):
    _check_of(meeting, round)
    form = RecordVoteForm()
    if form.validate_on_submit():
        with show_refusal(form):
            number = _number(form.number)
            voter = voting.record_vote(get_session(), current_user, g.coop, round, number, Choice(form.choice.data),
                                       now=utcnow())
            flash(_("The vote of %(number)d %(name)s is recorded.", number=voter.number, name=voter.name), "success")
            return redirect(url_for("meetings.vote_round", meeting_id=meeting.id, round_id=round.id))
    return _round_page(meeting, round, record=form), 400


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/close", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def close_vote(meeting, round):
    _check_of(meeting, round)
    form = CloseForm()
    if form.validate_on_submit():
        with show_refusal(form):
            casting = Choice(form.casting_vote.data) if form.casting_vote.data else None
            voting.close_round(get_session(), current_user, g.coop, round, casting_vote=casting, now=utcnow())
            flash(round.outcome_text, "success")
            return redirect(url_for("meetings.vote_round", meeting_id=meeting.id, round_id=round.id))
    return _round_page(meeting, round, close=form), 400


# --- the member's ballot --------------------------------------------------------------------------------

def _ballot_forms(sheet: voting.BallotSheet) -> list[tuple[RollEntry, BallotForm]]:
    """One form per vote the reader may still cast: their own first, then each proxy held."""
    voters = ([sheet.entry] if sheet.may_vote else []) + sheet.open_proxies
    return [(voter, BallotForm(formdata=None, data={"voter": str(voter.id)})) for voter in voters]


@bp.route("/<int:meeting_id>/rounds/<int:round_id>/ballot", methods=["GET", "POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), round=Load(VoteRound, arg="round_id"))
def ballot(meeting, round):
    _check_of(meeting, round)
    if round.motion_id is None:
        abort(404)  # an election's round has its own ballot
    db = get_session()
    target = url_for("meetings.ballot", meeting_id=meeting.id, round_id=round.id)
    form = BallotForm()
    if form.is_submitted():
        # the fewest reads on the way to the vote: 500 phones may send at the same moment
        with show_refusal(apply=_flash_unless_sent) as refusal:
            _cast(db, round, voting.own_roll_entry(db, round, current_user.id), form)
            return redirect(target)
        return submissions.answer_if_sent(refusal) or redirect(target)
    sheet = voting.ballot_sheet(db, round, _own_member_id())
    return render_template("meetings/ballot.html", meeting=meeting, motion=db.get(Motion, round.motion_id),
                           vote_round=round, sheet=sheet, forms=_ballot_forms(sheet),
                           version=db.get(MotionVersion, round.version_id), **_page_helpers())


def _flash_unless_sent(_form, error) -> None:
    # a ballot sent twice is told once, by ``answer_if_sent``, on the ballot's page
    if not (isinstance(error, submissions.AlreadySent) and error.url):
        flash(error.text, "error")


def _cast(db, vote_round: VoteRound, entry: RollEntry | None, form: BallotForm) -> None:
    if not form.validate() or form.choice.data not in {c.value for c in Choice}:
        raise DomainError(_l("This form is out of date. Check it and send it again."))
    if entry is None:
        raise DomainError(_l("You are not on this meeting's roll."))
    voter_id = whole_number(form.voter.data)
    grantor = None
    if voter_id != entry.id:
        grantor = db.get(RollEntry, voter_id) if voter_id is not None else None
        if grantor is None or not voting.holds_proxy(db, grantor, entry):
            raise DomainError(_l("You may vote only for yourself and for the proxies you hold."))
    sent = submissions.claim(db, g.coop, form.once_key.data)
    voting.cast_vote(db, current_user, g.coop, vote_round, grantor or entry, Choice(form.choice.data),
                     holder=entry if grantor is not None else None, now=utcnow())
    sent.finish(url_for("meetings.ballot", meeting_id=vote_round.meeting_id, round_id=vote_round.id))
    choice = str(voting.CHOICE_LABELS[Choice(form.choice.data)])
    if grantor is not None:
        flash(_("The vote of %(name)s (by proxy) is cast: %(choice)s.", name=grantor.name, choice=choice), "success")
    elif vote_round.mode == VotingMode.SECRET:
        flash(_("Your secret ballot is cast. Thank you."), "success")
    else:
        flash(_("Your vote is cast: %(choice)s.", choice=choice), "success")


@bp.context_processor
def _member_votes():
    """``member_votes(meeting)``: the votes open now at the meeting, each with the reader's ballot."""
    def member_votes(meeting) -> list[tuple[VoteRound, Motion, voting.BallotSheet]]:
        db = get_session()
        rounds = [r for r in voting.open_rounds(db, meeting) if r.mode != VotingMode.HANDS]
        if not rounds:
            return []
        member_id = _own_member_id()
        return [(r, db.get(Motion, r.motion_id), voting.ballot_sheet(db, r, member_id)) for r in rounds]
    return {"member_votes": member_votes}
