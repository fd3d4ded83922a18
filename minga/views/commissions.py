"""Minga pages: the commissions every member reads, and the secretary's keeping of them (their
name and purpose, standing members, coordinators). The rules are ``minga.commissions``'."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop import submissions
from coop.access import can
from coop.db import get_session, utcnow
from coop.forms import OnceForm
from coop.pages import coop_view, load_or_404, show_refusal
from members.models import Member
from minga import commissions
from minga.models import Commission
from minga.permissions import MANAGE_COMMISSIONS, MANAGE_SESSIONS, VIEW_COMPLIANCE, VIEW_MINGA
from minga.views import bp
from minga.views.calendars import commission_feed_url


class CommissionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)],
                       description=_l("As members know it, such as \"Recuperación de la quebrada\""))
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=4000)],
                            description=_l("What the commission is for, in a few lines members read."))
    is_active = BooleanField(_l("Active (takes new sessions)"), default=True)
    is_capital_work = BooleanField(_l("Its hours are valued as share capital (construction)"))
    is_office_work = BooleanField(_l("Office work: horas funcionales"))

    def data_of(self) -> commissions.CommissionData:
        return commissions.CommissionData(
            name=self.name.data or "", purpose=self.purpose.data or "", is_active=bool(self.is_active.data),
            is_capital_work=bool(self.is_capital_work.data), is_office_work=bool(self.is_office_work.data))


class NewCommissionForm(OnceForm, CommissionForm):
    pass


class StandingMemberForm(FlaskForm):
    member = IntegerField(_l("Member no."), validators=[InputRequired(_l("Write the member's number.")),
                                                          NumberRange(min=1, max=2**31 - 1)])


class CoordinatorForm(FlaskForm):
    user = SelectField(_l("Person"), coerce=int, validate_choice=False,
                       description=_l("Among the co-op's people (someone new is invited from the People page "
                                      "first)."))


@bp.route("/commissions/", endpoint="commissions")
@coop_view(VIEW_MINGA)
def commissions_list():
    summaries = commissions.commission_summaries(get_session(), g.coop, now=utcnow())
    return render_template("minga/commissions.html", summaries=summaries)



def _render_commission(commission: Commission, member_form=None, coordinator_form=None):
    db = get_session()
    manages = can(MANAGE_COMMISSIONS)
    coordinator_form = coordinator_form or CoordinatorForm(formdata=None)
    if manages:  # the co-op's people and their addresses are for whoever appoints
        coordinator_form.user.choices = [(0, _("Choose..."))] + commissions.people_choices(db, g.coop)
    coming = commissions.next_sessions(db, g.coop, now=utcnow(), commission_ids=[commission.id], per_commission=10)
    return render_template(
        "minga/commission.html", commission=commission, manages=manages,
        manages_sessions=can(MANAGE_SESSIONS, commission),
        coordinators=commissions.coordinators_of(db, g.coop, commission),
        standing=commissions.standing_members(db, commission) if manages or can(MANAGE_SESSIONS, commission) else None,
        next_sessions=coming.get(commission.id, []), feed_url=commission_feed_url(db, g.coop, commission),
        reads_reports=can(VIEW_COMPLIANCE),
        member_form=member_form or StandingMemberForm(formdata=None), coordinator_form=coordinator_form)


@bp.route("/commissions/<int:commission_id>")
@coop_view(VIEW_MINGA, commission=Commission)
def commission(commission: Commission):
    return _render_commission(commission)


@bp.route("/commissions/new", methods=["GET", "POST"])
@coop_view(MANAGE_COMMISSIONS)
def new_commission():
    form = NewCommissionForm()
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            created = commissions.create_commission(get_session(), current_user, g.coop, form.data_of())
            sent.finish(url_for("minga.commission", commission_id=created.id))
            flash(_("The commission %(name)s is recorded.", name=created.name), "success")
            return redirect(url_for("minga.commission", commission_id=created.id))
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    return render_template("minga/commission_form.html", form=form, commission=None)


@bp.route("/commissions/<int:commission_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_COMMISSIONS, commission=Commission)
def edit_commission(commission: Commission):
    form = CommissionForm(obj=commission)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = commissions.update_commission(get_session(), current_user, g.coop, commission, form.data_of())
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("minga.commission", commission_id=commission.id))
    return render_template("minga/commission_form.html", form=form, commission=commission)


@bp.route("/commissions/<int:commission_id>/members", methods=["POST"])
@coop_view(MANAGE_COMMISSIONS, commission=Commission)
def add_standing_member(commission: Commission):
    form = StandingMemberForm()
    if form.validate_on_submit():
        with show_refusal(form):
            db = get_session()
            member = commissions.member_by_number(db, g.coop, form.member.data)
            commissions.add_standing_member(db, current_user, g.coop, commission, member)
            flash(_("%(name)s is a standing member of the commission.", name=member.full_name), "success")
            return redirect(url_for("minga.commission", commission_id=commission.id) + "#standing")
    return _render_commission(commission, member_form=form)


@bp.route("/commissions/<int:commission_id>/members/<int:member_id>/remove", methods=["POST"])
@coop_view(MANAGE_COMMISSIONS, commission=Commission)
def remove_standing_member(commission: Commission, member_id: int):
    member = load_or_404(Member, member_id)
    with show_refusal():
        commissions.remove_standing_member(get_session(), current_user, g.coop, commission, member)
        flash(_("%(name)s is no longer a standing member of the commission.", name=member.full_name), "success")
    return redirect(url_for("minga.commission", commission_id=commission.id) + "#standing")


@bp.route("/commissions/<int:commission_id>/coordinators", methods=["POST"])
@coop_view(MANAGE_COMMISSIONS, commission=Commission)
def appoint_coordinator(commission: Commission):
    form = CoordinatorForm()
    if form.validate_on_submit():
        with show_refusal(form):
            user = commissions.appoint_coordinator(get_session(), current_user, g.coop, commission, form.user.data)
            flash(_("%(name)s coordinates the commission now.", name=user.name), "success")
            return redirect(url_for("minga.commission", commission_id=commission.id) + "#coordinators")
    return _render_commission(commission, coordinator_form=form)


@bp.route("/commissions/<int:commission_id>/coordinators/<int:user_id>/remove", methods=["POST"])
@coop_view(MANAGE_COMMISSIONS, commission=Commission)
def remove_coordinator(commission: Commission, user_id: int):
    with show_refusal():
        user = commissions.remove_coordinator(get_session(), current_user, g.coop, commission, user_id)
        flash(_("%(name)s no longer coordinates the commission.", name=user.name), "success")
    return redirect(url_for("minga.commission", commission_id=commission.id) + "#coordinators")

