"""Participatory budgeting's ballots and results: a member's ballot by phone, the secretary's entry
of paper ballots and of the block assemblies' tallies, the results explained in words, and the
general assembly's decision (putting the result to it, then recording its resolution).

A ballot needs no one-time key: the ballot itself is unique per (process, member) in the
database, so a double tap, a second tab or the paper ballot of someone who voted by phone is
refused with who voted how and when, and nothing changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coop import access
from coop.calendar import today_in
from coop.db import get_session, utcnow
from coop.errors import DomainError
from coop.pages import Load, coop_view, show_refusal
from coop.text import whole_number
from members import reports as member_reports
from members.models import MemberStatus
from meetings.models import Meeting, MeetingKind, Motion
from meetings.observatory import ballots as services
from meetings.observatory import pb_decision, pb_results, trace
from meetings.observatory.models import BallotChannel, ParticipatoryBudget
from meetings.observatory.pb_counting import ballot_limit
from meetings.observatory.permissions import MANAGE_PARTICIPATION, VIEW_OBSERVATORY
from meetings.observatory.phases import PHASE_LABELS, Phase, phase_of
from meetings.observatory.views import bp

PROCESS = Load(ParticipatoryBudget, arg="process_id")


class ProposalsField(SelectMultipleField):
    """The proposals on the ballot as checkboxes (choices: the proposals' ids)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        # the service says what is wrong with a choice (another process's proposal), beside the field
        super().__init__(*args, validate_choice=False, **kwargs)


class BallotForm(FlaskForm):
    proposals = ProposalsField(_l("Proposals"), coerce=int)


class PaperBallotForm(FlaskForm):
    member = StringField(_l("Member no."), validators=[InputRequired(), Length(max=12)])
    proposals = ProposalsField(_l("Proposals marked on the paper ballot"), coerce=int)


class PutForm(FlaskForm):
    step = HiddenField(default="put")
    meeting = SelectField(_l("General assembly"), validators=[InputRequired()])
    proposer = StringField(_l("Member no. of who proposes the motion"), validators=[InputRequired(), Length(max=12)])


class RecordForm(FlaskForm):
    step = HiddenField(default="record")


def _proposal_choices(on_ballot) -> list[tuple[int, str]]:
    return [(p.id, p.title) for p in on_ballot]


def _tally(process, on_ballot, chosen) -> dict:
    """What the submitted choices add up to, for the "you chose X of Y" line (no script needed)."""
    count, total = services.chosen_total(on_ballot, chosen or [])
    limit = ballot_limit(process.rule, process.amount_minor)
    return {"count": count, "total": total, "limit": limit, "is_over": limit is not None and total > limit}


# --- the member's ballot by phone -------------------------------------------------------------------

@bp.route("/budgets/<int:process_id>/ballot", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY, process=PROCESS)
def ballot(process):
    db = get_session()
    today = today_in(g.coop)
    member = services.voter_of_user(db, g.coop, current_user.id)
    own = services.ballot_of(db, process, member.id if member else None)
    on_ballot = services.feasible_proposals(db, process)
    form = BallotForm()
    form.proposals.choices = _proposal_choices(on_ballot)
    tally = None
    if form.validate_on_submit():
        tally = _tally(process, on_ballot, form.proposals.data)
        if "check" not in request.form:
            with show_refusal(form):
                if member is None:
                    raise DomainError(_l("Your account is not linked to a member of this co-op: ask the secretary "
                                         "to enter your paper ballot."))
                services.cast_ballot(db, current_user, g.coop, process, member, form.proposals.data,
                                            channel=BallotChannel.PHONE, today=today, now=utcnow())
                flash(ngettext("Your ballot is recorded: %(num)d proposal for %(total)s.",
                               "Your ballot is recorded: %(num)d proposals for %(total)s.", tally["count"],
                               total=services.money_words(g.coop, tally["total"])), "success")
                return redirect(url_for("observatory.ballot", process_id=process.id))
            own = services.ballot_of(db, process, member.id if member else None)
    chosen = {c.proposal_id for c in own.choices} if own is not None else set()
    may_vote = (own is None and member is not None and member.status == MemberStatus.ACTIVE
                and phase_of(process, today) == Phase.SUPPORT)
    status = 422 if request.method == "POST" and "check" not in request.form else 200
    return render_template("observatory/ballot.html", process=process, form=form, on_ballot=on_ballot, own=own,
                           chosen=chosen, member=member, may_vote=may_vote, tally=tally,
                           phase=phase_of(process, today), phase_labels=PHASE_LABELS,
                           channel_labels=services.CHANNEL_LABELS,
                           limit=ballot_limit(process.rule, process.amount_minor)), status


# --- the secretary enters a paper ballot ------------------------------------------------------------

@bp.route("/budgets/<int:process_id>/paper-ballots", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION, process=PROCESS)
def paper_ballot(process):
    db = get_session()
    today = today_in(g.coop)
    on_ballot = services.feasible_proposals(db, process)
    form = PaperBallotForm()
    form.proposals.choices = _proposal_choices(on_ballot)
    tally = None
    if form.validate_on_submit():
        tally = _tally(process, on_ballot, form.proposals.data)
        with show_refusal(form):
            number = whole_number(form.member.data)
            member = member_reports.member_by_number(db, g.coop, number) if number is not None else None
            if member is None:
                raise DomainError(_l("No member has the number %(number)s.", number=form.member.data.strip()[:12]),
                                  field="member")
            services.cast_ballot(db, current_user, g.coop, process, member, form.proposals.data,
                                 channel=BallotChannel.PAPER, today=today, now=utcnow())
            flash(ngettext("The paper ballot of member no. %(number)d, %(name)s, is recorded: %(num)d proposal for "
                           "%(total)s.", "The paper ballot of member no. %(number)d, %(name)s, is recorded: %(num)d "
                           "proposals for %(total)s.", tally["count"], number=member.number, name=member.full_name,
                           total=services.money_words(g.coop, tally["total"])), "success")
            return redirect(url_for("observatory.paper_ballot", process_id=process.id))
    phase = phase_of(process, today)
    status = 422 if request.method == "POST" else 200
    return render_template("observatory/ballot_paper.html", process=process, form=form, on_ballot=on_ballot,
                           tally=tally, is_open=phase in services.OPEN_PHASES[BallotChannel.PAPER],
                           phase=phase, phase_labels=PHASE_LABELS,
                           limit=ballot_limit(process.rule, process.amount_minor)), status


# --- the block assemblies' results ------------------------------------------------------------------

class BlockResultForm(FlaskForm):
    block = StringField(_l("Block"), validators=[InputRequired(), Length(max=20)])
    meeting = SelectField(_l("Block assembly (if held through Ayllu)"), default="")
    present = IntegerField(_l("People present"), validators=[InputRequired(), NumberRange(min=1)])


def _block_form(on_ballot):
    """A form with one supports field per proposal on the ballot, named as the service's errors."""
    fields = {f"support-{p.id}": IntegerField(f"P-{p.number} {p.title}", validators=[Optional(), NumberRange(min=0)])
              for p in on_ballot}
    form_class = type("BlockResultForm", (BlockResultForm,), fields)
    return form_class()


@bp.route("/budgets/<int:process_id>/blocks", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION, process=PROCESS)
def block_results(process):
    db = get_session()
    today = today_in(g.coop)
    on_ballot = services.feasible_proposals(db, process)
    form = _block_form(on_ballot)
    form.meeting.choices = [("", _("None"))] + [(str(m.id), m.title) for m in db.scalars(
        sa.select(Meeting).where(Meeting.coop_id == g.coop.id, Meeting.kind == MeetingKind.BLOCK)
        .order_by(Meeting.first_call_dt.desc()))]
    if form.validate_on_submit():
        with show_refusal(form):
            supports = {p.id: form[f"support-{p.id}"].data for p in on_ballot}
            rows = services.enter_block_result(db, current_user, g.coop, process, block=form.block.data,
                                               meeting_id=whole_number(form.meeting.data), present=form.present.data,
                                               supports=supports, today=today)
            flash(_("Block %(block)s's result is recorded: %(present)d people present.",
                    block=rows[0].block if rows else form.block.data, present=form.present.data), "success")
            return redirect(url_for("observatory.block_results", process_id=process.id))
    phase = phase_of(process, today)
    return render_template("observatory/blocks.html", process=process, form=form, on_ballot=on_ballot,
                           support_fields=[form[f"support-{p.id}"] for p in on_ballot],
                           blocks=services.known_blocks(db, g.coop), voices=pb_results.block_voices(db, process),
                           is_open=phase in services.BLOCK_PHASES, phase=phase,
                           phase_labels=PHASE_LABELS), 422 if request.method == "POST" else 200


# --- the results ------------------------------------------------------------------------------------

@bp.route("/budgets/<int:process_id>/results", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, process=PROCESS)
def results(process):
    db = get_session()
    today = today_in(g.coop)
    is_officer = access.can(MANAGE_PARTICIPATION)
    shown = pb_results.may_see(process, today, is_officer=is_officer)
    return render_template("observatory/results.html", process=process, is_officer=is_officer,
                           results=pb_results.results_of(db, g.coop, process) if shown else None,
                           phase=phase_of(process, today), phase_labels=PHASE_LABELS,
                           rule_labels=pb_results.RULE_LABELS, reason_text=pb_results.reason_text)


# --- the general assembly's decision ----------------------------------------------------------------

@bp.route("/budgets/<int:process_id>/decision", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION, process=PROCESS)
def decision(process):
    db = get_session()
    today = today_in(g.coop)
    put_form, record_form = PutForm(), RecordForm()
    put_form.meeting.choices = [("", "—")] + [(str(m.id), m.title)
                                             for m in pb_decision.coming_assemblies(db, g.coop)]
    if request.method == "GET" and not put_form.proposer.data:
        own = services.voter_of_user(db, g.coop, current_user.id)
        put_form.proposer.data = str(own.number) if own is not None else ""
    step = request.form.get("step")
    if step == "put" and put_form.validate_on_submit():
        with show_refusal(put_form):
            meeting_id = whole_number(put_form.meeting.data)
            motion = pb_decision.put_to_assembly(
                db, current_user, g.coop, process, db.get(Meeting, meeting_id) if meeting_id else None,
                proposer_number=whole_number(put_form.proposer.data), today=today, now=utcnow())
            flash(_("The result is on the order of the day as the motion “%(title)s”.", title=motion.title), "success")
            return redirect(url_for("observatory.decision", process_id=process.id))
    elif step == "record" and record_form.validate_on_submit():
        with show_refusal():
            packages = pb_decision.record_decision(db, current_user, g.coop, process)
            flash(ngettext("The decision is recorded: %(num)d work package opened.",
                           "The decision is recorded: %(num)d work packages opened.", len(packages)), "success")
            return redirect(url_for("observatory.decision", process_id=process.id))
    packages = trace.packages_for(db, g.coop, resolution_id=process.resolution_id) if process.resolution_id else []
    return render_template("observatory/decision.html", process=process, put_form=put_form, record_form=record_form,
                           phase=phase_of(process, today), phase_labels=PHASE_LABELS, Phase=Phase,
                           meeting=db.get(Meeting, process.meeting_id) if process.meeting_id else None,
                           motion=db.get(Motion, process.motion_id) if process.motion_id else None,
                           resolution=pb_decision.resolution_of(db, process), packages=packages,
                           status_labels=pb_decision.motions.STATUS_LABELS), 422 if request.method == "POST" else 200
