"""Participatory budgets' pages: the list of processes, a process with its phases and proposals,
setting a process up and changing it (officers), proposing, changing and withdrawing (members;
officers change too), the board's review, a proposal's page, and printing the proposal booklet and
the blank paper ballot.
The rules are ``participation``'s and ``proposals``'; the documents ``printing``'s.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from coop import submissions, tasks
from coop.access import current_viewer
from coop.calendar import today_in
from coop.db import get_session, utcnow
from coop.forms import MoneyField, OnceForm
from coop.pages import Load, coop_view, refreshing, show_refusal
from coop.web import reader_locale
from members import reports as member_reports
from meetings.observatory import participation, printing
from meetings.observatory import proposals as proposal_services
from meetings.observatory.models import ParticipatoryBudget, Proposal, ProposalStatus, SupportRule
from meetings.observatory.permissions import EDIT_PROPOSAL, MANAGE_PARTICIPATION, VIEW_OBSERVATORY
from meetings.observatory.phases import PHASE_LABELS, Phase, phase_of
from meetings.observatory.views import bp
from minga import commissions as minga_commissions
from minga.models import Commission

PREPARING = _l("The document is being prepared. This page shows how far it got and then offers the file.")


# --- forms ------------------------------------------------------------------------------------------

class ProcessForm(FlaskForm):
    """What is missing or out of order is the service's to say, beside each field at once."""

    year = IntegerField(_l("Year"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=participation.MAX_TITLE)],
                        description=_l("Such as \"Presupuesto participativo 2027\"."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=participation.MAX_DESCRIPTION)])
    amount_minor = MoneyField(_l("Amount members decide on"), validators=[Optional()])
    account_id = SelectField(_l("The money comes from"), coerce=int, choices=[], validate_choice=False,
                             description=_l("The fund or budget line the funded proposals spend against."))
    budget_id = SelectField(_l("Budget of the year (optional)"), coerce=int, choices=[], validate_choice=False)
    rule = SelectField(_l("How members support proposals"), default=SupportRule.KNAPSACK.value,
                       choices=[(rule.value, label) for rule, label in participation.RULE_LABELS.items()])
    proposals_opens_on = DateField(_l("Proposals open on"), validators=[Optional()])
    proposals_closes_on = DateField(_l("Proposals close on"), validators=[Optional()])
    review_closes_on = DateField(_l("The board's review ends on"), validators=[Optional()])
    support_opens_on = DateField(_l("Support opens on"), validators=[Optional()])
    support_closes_on = DateField(_l("Support closes on"), validators=[Optional()])
    blocks_close_on = DateField(_l("Block assemblies end on"), validators=[Optional()])

    def data_of(self, kept: ParticipatoryBudget | None = None) -> participation.ProcessData:
        """What was typed; with ``kept``, its locked fields (shown as text, not sent) as they are."""
        data = participation.ProcessData(
            year=self.year.data, title=self.title.data or "", description=self.description.data or "",
            amount_minor=self.amount_minor.data, account_id=self.account_id.data or None,
            budget_id=self.budget_id.data or None, rule=self.rule.data or "",
            **{name: getattr(self, name).data for name, _label in participation.DATE_FIELDS})
        return participation.keeping_locked(data, kept) if kept is not None else data


class NewProcessForm(OnceForm, ProcessForm):
    pass


class ProposalForm(OnceForm, FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=proposal_services.MAX_TITLE)])
    description = TextAreaField(_l("What you propose, and why"),
                                validators=[Optional(), Length(max=proposal_services.MAX_DESCRIPTION)])
    block = StringField(_l("Block (optional)"), validators=[Optional(), Length(max=proposal_services.MAX_BLOCK)],
                        description=_l("Leave empty for the whole co-op."))
    place = StringField(_l("Place (optional)"), validators=[Optional(), Length(max=proposal_services.MAX_PLACE)],
                        description=_l("Such as \"the ravine\" or \"the school's yard\"."))
    estimated_cost_minor = MoneyField(_l("Estimated cost"), validators=[Optional()])
    commission_id = SelectField(_l("A commission that could do the work (optional)"), coerce=int, choices=[],
                                validate_choice=False)

    def data_of(self) -> proposal_services.ProposalData:
        return proposal_services.ProposalData(
            title=self.title.data or "", description=self.description.data or "", block=self.block.data or "",
            place=self.place.data or "", estimated_cost_minor=self.estimated_cost_minor.data,
            commission_id=self.commission_id.data or None)


class ReviewForm(FlaskForm):
    verdict = RadioField(_l("The board finds it"), validators=[InputRequired()],
                         choices=[("feasible", _l("Feasible")), ("not_feasible", _l("Not feasible"))])
    cost_minor = MoneyField(_l("Revised cost (optional)"), validators=[Optional()],
                            description=_l("Leave empty to keep the proposer's estimate."))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=proposal_services.MAX_REASON)],
                           description=_l("Required when it is not feasible or the cost is revised; everyone "
                                          "reads it."))


class PrintForm(FlaskForm):
    document = SelectField(_l("Document"), choices=[(printing.BOOKLET_KIND, _l("Proposal booklet")),
                                                    (printing.PAPER_BALLOT_KIND, _l("Blank paper ballot"))])


# --- helpers ----------------------------------------------------------------------------------------

def _today():
    return today_in(g.coop)


def _is_officer() -> bool:
    return current_viewer().may(MANAGE_PARTICIPATION)


def _own_member():
    return member_reports.member_of_user(get_session(), g.coop, current_user.id)


def _check_of(process: ParticipatoryBudget, proposal: Proposal) -> None:
    if proposal.process_id != process.id:
        abort(404)


def _fill_commissions(form: ProposalForm, kept: int | None = None) -> None:
    """The active commissions, and the one the proposal already names even if it has closed."""
    listed = minga_commissions.commissions(get_session(), g.coop, active_only=not kept)
    form.commission_id.choices = [(0, "—")] + [(c.id, c.name) for c in listed if c.is_active or c.id == kept]


def _fill_process_choices(form: ProcessForm) -> None:
    db = get_session()
    form.account_id.choices = [(0, "—")] + [(a.id, a.label) for a in participation.source_accounts(db, g.coop)]
    form.budget_id.choices = [(0, _("None"))] + [(b.id, str(b.year)) for b in participation.budgets(db, g.coop)]


def _page_helpers() -> dict:
    return {"phase_labels": PHASE_LABELS, "Phase": Phase, "status_labels": proposal_services.STATUS_LABELS,
            "rule_labels": participation.RULE_LABELS, "ProposalStatus": ProposalStatus,
            "reference": proposal_services.reference}


# --- processes --------------------------------------------------------------------------------------

@bp.route("/budgets", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def processes():
    """The co-op's participatory budgets, newest first, with their phase and amount."""
    today = _today()
    listed = [(p, phase_of(p, today)) for p in participation.processes(get_session(), g.coop)]
    return render_template("observatory/processes.html", processes=listed, is_officer=_is_officer(),
                           **_page_helpers())


@bp.route("/budgets/new", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION)
def new_process():
    db = get_session()
    form = NewProcessForm()
    _fill_process_choices(form)
    if request.method == "GET":
        form.year.data = _today().year + (1 if _today().month >= 10 else 0)
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            process = participation.create_process(db, current_user, g.coop, form.data_of())
            target = url_for("observatory.process", process_id=process.id)
            sent.finish(target)
            flash(_("The participatory budget %(year)d is set up.", year=process.year), "success")
            return redirect(target)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("observatory/process_form.html", form=form, process=None), \
        422 if request.method == "POST" else 200


@bp.route("/budgets/<int:process_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, process=Load(ParticipatoryBudget, arg="process_id"))
def process(process: ParticipatoryBudget):
    """A process: its phase on a timeline, its amount and source, its proposals, what to do now."""
    db, today, is_officer = get_session(), _today(), _is_officer()
    account, budget = participation.source_of(db, process)
    return render_template(
        "observatory/process.html", process=process, phase=phase_of(process, today), today=today,
        account=account, budget=budget, is_officer=is_officer,
        proposals=participation.listed_proposals(db, process, with_withdrawn=is_officer),
        show_supports=proposal_services.may_see_supports(process, today, is_officer=is_officer),
        locked=participation.support_has_begun(process, today), **_page_helpers())


@bp.route("/budgets/<int:process_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION, process=Load(ParticipatoryBudget, arg="process_id"))
def edit_process(process: ParticipatoryBudget):
    db = get_session()
    locked = participation.support_has_begun(process, _today())
    form = ProcessForm(obj=process)
    _fill_process_choices(form)
    if request.method == "GET":
        form.budget_id.data = process.budget_id or 0
        form.rule.data = process.rule.value
    if form.validate_on_submit():
        with show_refusal(form):
            participation.update_process(db, current_user, g.coop, process,
                                         form.data_of(kept=process if locked else None), today=_today())
            flash(_("The participatory budget is saved."), "success")
            return redirect(url_for("observatory.process", process_id=process.id))
    return render_template("observatory/process_form.html", form=form, process=process, locked=locked,
                           locked_fields=participation.LOCKED_FIELDS, rule_labels=participation.RULE_LABELS), \
        422 if request.method == "POST" else 200


# --- proposals --------------------------------------------------------------------------------------

@bp.route("/budgets/<int:process_id>/proposals/new", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY, process=Load(ParticipatoryBudget, arg="process_id"))
def new_proposal(process: ParticipatoryBudget):
    """Any member proposes, during the proposals phase."""
    db, today = get_session(), _today()
    form = ProposalForm()
    _fill_commissions(form)
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            proposal = proposal_services.submit_proposal(db, current_user, g.coop, process, _own_member(),
                                                         form.data_of(), today=today)
            target = url_for("observatory.proposal", process_id=process.id, proposal_id=proposal.id)
            sent.finish(target)
            flash(_("Your proposal is %(ref)s. The board reviews it before support opens.",
                    ref=proposal_services.reference(proposal)), "success")
            return redirect(target)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    phase = phase_of(process, today)
    return render_template("observatory/proposal_form.html", form=form, process=process, phase=phase,
                           blocks=member_reports.blocks(db, g.coop), **_page_helpers()), \
        422 if request.method == "POST" else 200


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, process=Load(ParticipatoryBudget, arg="process_id"),
           proposal=Load(Proposal, arg="proposal_id"))
def proposal(process: ParticipatoryBudget, proposal: Proposal):
    _check_of(process, proposal)
    today, is_officer = _today(), _is_officer()
    member = _own_member()
    if proposal.status is ProposalStatus.WITHDRAWN and not is_officer and (
            member is None or member.id != proposal.proposer_id):
        abort(404)
    commission = get_session().get(Commission, proposal.commission_id) if proposal.commission_id else None
    return render_template(
        "observatory/proposal.html", process=process, proposal=proposal, phase=phase_of(process, today),
        commission=commission, is_officer=is_officer,
        may_review=is_officer and proposal_services.may_review(proposal, today),
        may_withdraw=proposal_services.may_withdraw(proposal, member, today),
        may_edit=proposal_services.may_edit(proposal, member, today, is_officer=is_officer),
        show_supports=proposal_services.may_see_supports(process, today, is_officer=is_officer),
        **_page_helpers())


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@coop_view(EDIT_PROPOSAL, proposal=Load(Proposal, arg="proposal_id"),
           process=Load(ParticipatoryBudget, arg="process_id"))
def edit_proposal(proposal: Proposal, process: ParticipatoryBudget):
    """Its proposer (or an officer) changes a proposal until support opens."""
    _check_of(process, proposal)
    db, today, is_officer, member = get_session(), _today(), _is_officer(), _own_member()
    form = ProposalForm(obj=proposal)
    _fill_commissions(form, proposal.commission_id)
    if request.method == "GET":
        form.commission_id.data = proposal.commission_id or 0
    page = url_for("observatory.proposal", process_id=process.id, proposal_id=proposal.id)
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            again = proposal_services.back_to_review(proposal, is_officer=is_officer)
            changes = proposal_services.edit_proposal(db, current_user, g.coop, proposal, member, form.data_of(),
                                                      is_officer=is_officer, today=today)
            sent.finish(page)
            ref = proposal_services.reference(proposal)
            flash(_("Nothing changed in %(ref)s.", ref=ref) if not changes else
                  _("%(ref)s is changed; it goes back to the board for review.", ref=ref) if again else
                  _("%(ref)s is changed.", ref=ref), "success")
            return redirect(page)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("observatory/proposal_form.html", form=form, process=process, proposal=proposal,
                           phase=phase_of(process, today), blocks=member_reports.blocks(db, g.coop),
                           may_edit=proposal_services.may_edit(proposal, member, today, is_officer=is_officer),
                           back_to_review=proposal_services.back_to_review(proposal, is_officer=is_officer),
                           **_page_helpers()), 422 if request.method == "POST" else 200


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>/review", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION, process=Load(ParticipatoryBudget, arg="process_id"),
           proposal=Load(Proposal, arg="proposal_id"))
def review_proposal(process: ParticipatoryBudget, proposal: Proposal):
    """The board's review: feasible (perhaps at a revised cost) or not, with the reason."""
    _check_of(process, proposal)
    form = ReviewForm()
    if request.method == "GET" and proposal.status in (ProposalStatus.FEASIBLE, ProposalStatus.NOT_FEASIBLE):
        form.verdict.data = proposal.status.value
        form.cost_minor.data = proposal.cost_minor
        form.reason.data = proposal.review_reason
    if form.validate_on_submit():
        with show_refusal(form):
            proposal_services.review_proposal(
                get_session(), current_user, g.coop, proposal, is_feasible=form.verdict.data == "feasible",
                cost_minor=form.cost_minor.data, reason=form.reason.data or "", today=_today(), now=utcnow())
            flash(_("%(ref)s is reviewed: %(status)s.", ref=proposal_services.reference(proposal),
                    status=proposal_services.STATUS_LABELS[proposal.status]), "success")
            return redirect(url_for("observatory.process", process_id=process.id))
    return render_template("observatory/proposal_review.html", form=form, process=process, proposal=proposal,
                           may_review=proposal_services.may_review(proposal, _today()), **_page_helpers()), \
        422 if request.method == "POST" else 200


@bp.route("/budgets/<int:process_id>/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@coop_view(VIEW_OBSERVATORY, process=Load(ParticipatoryBudget, arg="process_id"),
           proposal=Load(Proposal, arg="proposal_id"))
def withdraw_proposal(process: ParticipatoryBudget, proposal: Proposal):
    _check_of(process, proposal)
    if FlaskForm().validate_on_submit():
        with show_refusal():
            proposal_services.withdraw_proposal(get_session(), current_user, g.coop, proposal, _own_member(),
                                                today=_today())
            flash(_("%(ref)s is withdrawn.", ref=proposal_services.reference(proposal)), "success")
    else:
        flash(_("This form is out of date. Check it and send it again."), "error")
    return redirect(url_for("observatory.process", process_id=process.id))


# --- printing ---------------------------------------------------------------------------------------

@bp.route("/budgets/<int:process_id>/print", methods=["GET", "POST"])
@coop_view(MANAGE_PARTICIPATION, process=Load(ParticipatoryBudget, arg="process_id"))
def print_process(process: ParticipatoryBudget):
    """The booklet and the blank paper ballot: the documents printed so far, and printing one."""
    db = get_session()
    form = PrintForm()
    if form.validate_on_submit():
        with show_refusal(form):
            task = printing.request_document(db, g.coop, current_user, process, form.document.data,
                                             locale=reader_locale())
            flash(PREPARING, "success")
            return redirect(url_for("coop.task", task_id=task.id))
    printed = printing.printed(db, g.coop, current_viewer(), process)
    waiting = any(task.is_waiting for task, _name in printed)
    return refreshing(render_template(
        "observatory/process_print.html", process=process, form=form, printed=printed, waiting=waiting,
        refresh=tasks.REFRESH_SECONDS, feasible=len(participation.feasible_proposals(db, process))),
        waiting, tasks.REFRESH_SECONDS), 422 if request.method == "POST" else 200
