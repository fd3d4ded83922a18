"""The observatory's front page (what is open to the member now, what waits for the council,
the officers and the offices, and the public copy of the budget when the co-op publishes it) and
its settings.

The co-op's home page also carries a small panel (``meetings.observatory.home``): the questions
waiting for the reader's roles, with those overdue flagged.
"""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired

from coop import access
from coop.calendar import today_in
from coop.db import get_session
from coop.pages import coop_view, show_refusal
from meetings.observatory import explorer
from meetings.observatory import home as home_panel  # noqa: F401  (the panel on the co-op's home page)
from meetings.observatory import question_register as register
from meetings.observatory import questions as services
from meetings.observatory import settings as observatory_settings
from meetings.observatory.permissions import (ANSWER_QUESTIONS, DECIDE_QUESTIONS, MANAGE_OBSERVATORY,
                                              VIEW_OBSERVATORY)
from meetings.observatory.views import bp
from meetings.permissions import MANAGE_MEETINGS
from members import reports as member_reports


class SettingsForm(FlaskForm):
    answer_days = IntegerField(_l("Days an office has to answer an accepted question"),
                               validators=[InputRequired(_l("Between %(min)d and %(max)d days.",
                                                            min=observatory_settings.MIN_ANSWER_DAYS,
                                                            max=observatory_settings.MAX_ANSWER_DAYS))])
    is_budget_public = BooleanField(_l("Publish the budget's figures without log-in (totals only, never a member's)"))
    tie_rule = SelectField(_l("Participatory budget: proposals with equal support that do not all fit"),
                           choices=lambda: [(rule.value, label) for rule, label in observatory_settings.TIE_LABELS.items()])


@bp.route("/", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def index():
    db = get_session()
    viewer = access.current_viewer()
    today = today_in(g.coop)
    member = member_reports.member_of_user(db, g.coop, current_user.id)
    is_staff = viewer.may(DECIDE_QUESTIONS) or viewer.may(ANSWER_QUESTIONS)
    waiting = register.waiting_for(db, g.coop, viewer.grants, may_decide=viewer.may(DECIDE_QUESTIONS),
                                   may_send=viewer.may(MANAGE_MEETINGS), today=today) if is_staff else None
    return render_template("observatory/index.html", waiting=waiting, today=today,
                           own=register.own(db, g.coop, member.id if member else None),
                           status_labels=services.STATUS_LABELS, is_overdue=services.is_overdue,
                           may_settings=viewer.may(MANAGE_OBSERVATORY),
                           is_budget_public=explorer.is_budget_public(db, g.coop))


@bp.route("/settings", methods=["GET", "POST"])
@coop_view(MANAGE_OBSERVATORY)
def settings():
    db = get_session()
    current = observatory_settings.get_settings(db, g.coop)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = observatory_settings.update_settings(
                db, current_user, g.coop, answer_days=form.answer_days.data,
                is_budget_public=form.is_budget_public.data, tie_rule=form.tie_rule.data)
            flash(_("The observatory's settings are saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("observatory.settings"))
    return render_template("observatory/settings.html", form=form)
