"""Pages of the books: dues plans, charging a period (choose, preview, confirm) and its run.

The rules live in ``ledger.dues``; these views read the form and call one service, and
``coop.pages`` commits once or shows the refusal.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop import calendar
from coop.db import get_session
from coop.errors import DomainError
from coop.decisions import DecisionField
from coop.forms import MoneyField
from coop.money import Money, format_money
from coop.pages import coop_view, page_number, query_date, query_given, show_refusal
from coop.paging import page_of
from ledger import dues
from ledger.models import Debtors, DuesPlan, DuesRun, Frequency
from ledger.permissions import MANAGE_BOOKS, VIEW_BOOKS
from ledger.views import bp

PAGE_SIZE = 100


class PlanForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)],
                       description=_l("As members read it on their statement, such as \"Cuota ordinaria\""))
    amount = MoneyField(_l("Amount per period"), validators=[InputRequired()])
    frequency = SelectField(_l("How often"), choices=[(f.value, label) for f, label in dues.FREQUENCY_LABELS.items()],
                            default=Frequency.MONTHLY.value)
    debtors = SelectField(_l("Who owes it"), choices=[(d.value, label) for d, label in dues.DEBTORS_LABELS.items()],
                          default=Debtors.MEMBERS.value)
    income_account = SelectField(_l("Income account credited"), coerce=int, validate_choice=False)
    start_date = DateField(_l("First period"), validators=[InputRequired()],
                           description=_l("Monthly periods start on the first of each month; quarters and years "
                                          "are counted from this month."))
    end_date = DateField(_l("Last period starts on or before"), validators=[Optional()],
                         description=_l("Leave empty while the assembly has not set an end."))
    run_day = IntegerField(_l("Charge automatically on day"), validators=[Optional(), NumberRange(min=1, max=28)],
                           description=_l("From 1 to 28, in the first month of each period; empty: only by hand."))
    due_days = IntegerField(_l("Days to pay"), default=0,
                            validators=[InputRequired(), NumberRange(min=0, max=dues.MAX_DUE_DAYS)],
                            description=_l("A charge falls due this many days after its period starts."))
    resolution_ref = StringField(_l("Resolution that approved it"), validators=[Optional(), Length(max=200)],
                                 description=_l("For example: General assembly of 14/03/2026, resolution 12"))
    resolution_id = DecisionField()

    def plan_data(self) -> dues.PlanData:
        return dues.PlanData(
            name=self.name.data or "", amount_minor=self.amount.data, frequency=Frequency(self.frequency.data),
            debtors=Debtors(self.debtors.data), income_account_id=self.income_account.data,
            start_date=self.start_date.data, end_date=self.end_date.data, run_day=self.run_day.data,
            due_days=self.due_days.data if self.due_days.data is not None else 0,
            resolution_ref=self.resolution_ref.data or "", resolution_id=self.resolution_id.data)


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # choosing a period to preview changes nothing

    period = SelectField(_l("Period"), validate_choice=False)


class ConfirmRunForm(FlaskForm):
    period = HiddenField()
    #: what the treasurer saw, so a list that changed meanwhile is shown again before charging
    expected_count = HiddenField()
    expected_total = HiddenField()


def _account_choices(form: PlanForm, plan: DuesPlan | None) -> None:
    accounts = dues.income_accounts(get_session(), g.coop)
    if plan is not None and plan.income_account not in accounts:
        accounts.append(plan.income_account)  # a closed account still shows, and the service says why
    form.income_account.choices = [(0, _("Choose..."))] + [(a.id, a.label) for a in accounts]


def _period_form(plan: DuesPlan, chosen: dt.date | None = None) -> PeriodForm:
    """The period chooser: charged periods marked, the chosen one (else the next to charge) selected."""
    offered = dues.period_choices(get_session(), plan, calendar.today_in(g.coop))
    form = PeriodForm(formdata=None)
    form.period.choices = [(c.start.isoformat(), _("%(period)s (already charged)", period=c.label)
                            if c.charged else c.label) for c in offered.choices]
    selected = chosen or offered.next_period
    form.period.data = selected.isoformat() if selected is not None else None
    form.next_period = offered.next_period
    return form


@bp.route("/dues/")
@coop_view(VIEW_BOOKS)
def dues_plans():
    db = get_session()
    return render_template("ledger/dues_plans.html", plans=dues.plans(db, g.coop),
                           frequency_labels=dues.FREQUENCY_LABELS, debtors_labels=dues.DEBTORS_LABELS)


@bp.route("/dues/new", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def new_dues_plan():
    form = PlanForm()
    _account_choices(form, None)
    if request.method == "GET":
        form.start_date.data = calendar.month_start(calendar.today_in(g.coop))
    if form.validate_on_submit():
        with show_refusal(form):
            plan = dues.create_plan(get_session(), current_user, g.coop, form.plan_data())
            flash(_("The plan %(name)s is recorded.", name=plan.name), "success")
            return redirect(url_for("ledger.dues_plan", plan_id=plan.id))
    return render_template("ledger/dues_plan_form.html", form=form, plan=None)


@bp.route("/dues/<int:plan_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS, plan=DuesPlan)
def edit_dues_plan(plan: DuesPlan):
    form = PlanForm(obj=plan)
    _account_choices(form, plan)
    if request.method == "GET":
        form.amount.data = plan.amount_minor
        form.income_account.data = plan.income_account_id
    if form.validate_on_submit():
        with show_refusal(form):
            changes = dues.update_plan(get_session(), current_user, g.coop, plan, form.plan_data())
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("ledger.dues_plan", plan_id=plan.id))
    return render_template("ledger/dues_plan_form.html", form=form, plan=plan)


@bp.route("/dues/<int:plan_id>/active", methods=["POST"])
@coop_view(MANAGE_BOOKS, plan=DuesPlan)
def dues_plan_active(plan: DuesPlan):
    active = request.form.get("active") == "1"
    dues.set_plan_active(get_session(), current_user, g.coop, plan, active)
    flash(_("The plan is charged again.") if active else _("The plan is no longer charged; its charges stay."),
          "success")
    return redirect(url_for("ledger.dues_plan", plan_id=plan.id))


def _render_plan(plan: DuesPlan, period_error: str = "", status: int = 200):
    form = _period_form(plan)
    if period_error:
        form.period.errors = [period_error]
    return render_template("ledger/dues_plan.html", plan=plan, runs=dues.runs_of(get_session(), plan), form=form,
                           frequency_labels=dues.FREQUENCY_LABELS, debtors_labels=dues.DEBTORS_LABELS,
                           label=lambda start: dues.period_label(plan, start)), status


@bp.route("/dues/<int:plan_id>")
@coop_view(VIEW_BOOKS, plan=DuesPlan)
def dues_plan(plan: DuesPlan):
    return _render_plan(plan)


def _render_preview(plan: DuesPlan, preview: dues.Preview, form: ConfirmRunForm, status: int = 200):
    page = page_number()
    shown = page_of(preview.debtors, page, PAGE_SIZE)
    period_form = _period_form(plan, preview.period_start)
    period_form.period.id = "choose-period"  # the confirmation's hidden field is "period"
    return render_template("ledger/dues_preview.html", plan=plan, preview=preview, form=form, debtors=shown,
                           page=page, per_page=PAGE_SIZE, period_form=period_form,
                           label=lambda start: dues.period_label(plan, start)), status


def _period_arg(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.route("/dues/<int:plan_id>/charge", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS, plan=DuesPlan)
def charge_dues(plan: DuesPlan):
    """GET: what charging the period would do. POST: charge it, if the list is still the one shown."""
    db = get_session()
    form = ConfirmRunForm()
    if request.method == "GET" and not query_given("period"):
        start = dues.period_choices(db, plan, calendar.today_in(g.coop)).next_period
        if start is None:
            return _render_plan(plan, _("Every period of this plan is charged."), 200)
    else:
        start = _period_arg(form.period.data) if request.method == "POST" else query_date("period")
    try:
        preview = dues.preview_run(db, g.coop, plan, start)
    except DomainError as error:  # not a period of this plan: say so beside the period chooser
        return _render_plan(plan, error.text, 400)
    if request.method == "GET" or not form.validate_on_submit():
        form.period.data = start.isoformat()
        form.expected_count.data, form.expected_total.data = len(preview.debtors), preview.total_minor
        return _render_preview(plan, preview, form, 200 if request.method == "GET" else 400)
    if (form.expected_count.data, form.expected_total.data) != (str(len(preview.debtors)), str(preview.total_minor)):
        form.form_errors.append(_("Who owes this period changed since you looked: check the list again."))
        form.expected_count.data, form.expected_total.data = len(preview.debtors), preview.total_minor
        return _render_preview(plan, preview, form, 409)
    with show_refusal():
        run = dues.run_dues(db, current_user, g.coop, plan, start)
        flash(_("%(period)s is charged: %(count)d charges, %(total)s in all.", period=preview.label,
                count=run.charges_count, total=format_money(Money(run.total_minor, g.coop.currency),
                                                            str(get_locale()))), "success")
        return redirect(url_for("ledger.dues_run", run_id=run.id))
    return redirect(url_for("ledger.dues_plan", plan_id=plan.id))


@bp.route("/dues/runs/<int:run_id>")
@coop_view(VIEW_BOOKS, run=DuesRun)
def dues_run(run: DuesRun):
    db = get_session()
    page = page_number()
    return render_template("ledger/dues_run.html", run=run, plan=run.plan,
                           label=dues.period_label(run.plan, run.period_start),
                           charges=dues.charges_of_run(db, run, page=page, per_page=PAGE_SIZE),
                           page=page, per_page=PAGE_SIZE)
