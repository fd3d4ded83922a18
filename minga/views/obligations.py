"""Minga pages: the obligation rules, exemptions, compliance per household, closing a period, and
a member's own household hours (the home panel; the member's Minga page reads
``obligations.recent_periods`` too).

The rules live in ``minga.obligations`` and ``minga.closing``; these views read the form, call
one service, and ``coop.pages`` commits once or shows the refusal.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop import calendar, submissions
from coop.access import Viewer
from coop.db import get_session
from coop.errors import DomainError
from coop.forms import MoneyField, OnceForm
from coop.home import HomePanel, home_panel
from coop.pages import coop_view, page_number, query_choice, query_date, show_refusal
from coop.paging import page_of
from coop.tenancy import Coop, Role
from ledger.models import Account, AccountType
from members import reports as member_reports
from members.models import Member
from minga import closing, obligations
from minga import exemptions as excusing
from minga.models import Exemption, ObligationPeriod, ObligationUnit, PeriodClose, SurplusRule
from minga.permissions import CLOSE_PERIODS, MANAGE_COMMISSIONS, VIEW_COMPLIANCE, VIEW_MINGA
from minga.views import bp
from minga.wording import hours_text

PAGE_SIZE = 100


class HoursField(StringField):
    """Hours as people type them ("8", "7,5", "7.5"); ``data`` is whole minutes, None when empty."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            self.data = round(float(text) * 60)
        except ValueError:
            self.data = None
            raise ValueError(_("Write a number of hours, such as 8 or 7,5.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return hours_text(self.data, str(get_locale())).removesuffix(" h") if self.data is not None else ""


class RulesForm(FlaskForm):
    owed_hours = HoursField(_l("Hours owed per period"), validators=[InputRequired()],
                            description=_l("0: no obligation."))
    unit = SelectField(_l("Who owes them"), choices=[(u.value, label) for u, label in obligations.UNIT_LABELS.items()])
    period = SelectField(_l("Period"), choices=[(p.value, label) for p, label in obligations.PERIOD_LABELS.items()])
    starts_on = DateField(_l("First period"), validators=[InputRequired()],
                          description=_l("Periods start on the first of this month; quarters count from it."))
    surplus = SelectField(_l("Hours worked beyond the obligation"),
                          choices=[(s.value, label) for s, label in obligations.SURPLUS_LABELS.items()])
    office_work_counts = BooleanField(_l("Office work (commission secretaries, treasury) counts"))
    grace_days = IntegerField(_l("Grace days"), default=10,
                              validators=[InputRequired(), NumberRange(min=0, max=obligations.MAX_GRACE_DAYS)],
                              description=_l("Days after a period to make up hours in a compensation session."))
    is_closed_automatically = BooleanField(_l("Close each period automatically when its grace days are over"))
    fine_per_hour = MoneyField(_l("Fine per missing hour"), validators=[Optional()], description=_l("Empty or 0: no fines."))
    fine_account = SelectField(_l("Fines are credited to"), coerce=int, validate_choice=False)
    capital_rate = MoneyField(_l("Value of an hour of capital work"), validators=[Optional()],
                              description=_l("Empty or 0: work is not credited as share capital."))
    capital_account = SelectField(_l("Work as capital is debited to"), coerce=int, validate_choice=False)
    reminder_hours = IntegerField(_l("Remind members this many hours before a session"), default=24,
                                  validators=[InputRequired(), NumberRange(min=0, max=obligations.MAX_REMINDER_HOURS)])

    def rules_data(self) -> obligations.RulesData:
        return obligations.RulesData(
            owed_minutes=self.owed_hours.data, unit=ObligationUnit(self.unit.data),
            period=ObligationPeriod(self.period.data), starts_on=self.starts_on.data,
            surplus=SurplusRule(self.surplus.data), office_work_counts=bool(self.office_work_counts.data),
            grace_days=self.grace_days.data, is_closed_automatically=bool(self.is_closed_automatically.data),
            fine_per_hour_minor=self.fine_per_hour.data or 0, fine_account_id=self.fine_account.data or None,
            capital_rate_minor=self.capital_rate.data or 0, capital_account_id=self.capital_account.data or None,
            reminder_hours=self.reminder_hours.data)


def _account_choices(form: RulesForm) -> None:
    accounts = list(get_session().scalars(sa.select(Account).where(
        Account.coop_id == g.coop.id, Account.is_closed.is_(False)).order_by(Account.code)))
    none = [(0, _("Choose..."))]
    form.fine_account.choices = none + [(a.id, a.label) for a in accounts if a.type == AccountType.INCOME]
    form.capital_account.choices = none + [(a.id, a.label) for a in accounts if a.type == AccountType.ASSET]


@bp.route("/obligations", methods=["GET", "POST"], endpoint="obligations")
@coop_view(MANAGE_COMMISSIONS)
def obligations_rules():
    rules = obligations.rules_of(get_session(), g.coop)
    form = RulesForm(obj=rules)
    _account_choices(form)
    if request.method == "GET":
        form.owed_hours.data, form.fine_per_hour.data = rules.owed_minutes, rules.fine_per_hour_minor
        form.capital_rate.data = rules.capital_rate_minor
        form.fine_account.data, form.capital_account.data = rules.fine_account_id or 0, rules.capital_account_id or 0
        form.unit.data, form.period.data, form.surplus.data = rules.unit, rules.period, rules.surplus
    if form.validate_on_submit():
        with show_refusal(form):
            changes = obligations.update_rules(get_session(), current_user, g.coop, form.rules_data())
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("minga.obligations"))
    return render_template("minga/obligations.html", form=form, rules=rules)


# --- exemptions -------------------------------------------------------------------------------

class ExemptionForm(OnceForm, FlaskForm):
    member_number = IntegerField(_l("Member no."), validators=[InputRequired(), NumberRange(min=1)],
                                 description=_l("When the obligation is per household, the member's household is "
                                                "excused."))
    percent = IntegerField(_l("Percentage excused"), default=100,
                           validators=[InputRequired(), NumberRange(min=1, max=100)])
    from_date = DateField(_l("From"), validators=[InputRequired()])
    to_date = DateField(_l("Until"), validators=[Optional()], description=_l("Empty: until further notice."))
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=500)])


def _exemption_data(form: ExemptionForm) -> excusing.ExemptionData:
    db = get_session()
    member = db.scalar(sa.select(Member).where(Member.coop_id == g.coop.id, Member.number == form.member_number.data))
    if member is None:
        raise DomainError(_l("There is no member with this number."), field="member_number")
    per_household = obligations.rules_of(db, g.coop).unit == ObligationUnit.HOUSEHOLD and member.household_id
    return excusing.ExemptionData(
        household_id=member.household_id if per_household else None, member_id=None if per_household else member.id,
        percent=form.percent.data, from_date=form.from_date.data, to_date=form.to_date.data,
        reason=form.reason.data or "")


@bp.route("/exemptions", methods=["GET", "POST"])
@coop_view(MANAGE_COMMISSIONS)
def exemptions():
    db = get_session()
    form = ExemptionForm()
    if request.method == "GET":
        form.from_date.data = calendar.today_in(g.coop)
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            excusing.create_exemption(db, current_user, g.coop, _exemption_data(form))
            sent.finish(url_for("minga.exemptions"))
            flash(_("The exemption is recorded."), "success")
            return redirect(url_for("minga.exemptions"))
        answered = submissions.answer_if_sent(refusal)
        if answered is not None:
            return answered
    return render_template("minga/exemptions.html", form=form,
                           exemptions=excusing.exemptions(db, g.coop), today=calendar.today_in(g.coop))


@bp.post("/exemptions/<int:exemption_id>/end")
@coop_view(MANAGE_COMMISSIONS, exemption=Exemption)
def end_exemption(exemption: Exemption):
    with show_refusal():
        excusing.end_exemption(get_session(), current_user, g.coop, exemption)
        flash(_("The exemption ends today."), "success")
    return redirect(url_for("minga.exemptions"))


# --- compliance -------------------------------------------------------------------------------

def _offered_periods(rules) -> list[dt.date]:
    """The periods from the first to the current one, latest first (at most five years)."""
    today = calendar.today_in(g.coop)
    if rules.id is None or today < obligations.first_period(rules):
        return []
    periods, start = [], obligations.period_of(rules, today)
    while start >= obligations.first_period(rules) and len(periods) < 60:
        periods.append(start)
        start = obligations.previous_period(rules, start)
    return periods


def _chosen_period(rules, offered: list[dt.date]) -> dt.date | None:
    chosen = query_date("period")
    if chosen in offered:
        return chosen
    return offered[1] if len(offered) > 1 else (offered[0] if offered else None)  # the last ended period


@bp.route("/compliance")
@coop_view(VIEW_COMPLIANCE)
def compliance():
    db = get_session()
    rules = obligations.rules_of(db, g.coop)
    offered = _offered_periods(rules)
    start = _chosen_period(rules, offered)
    only_short = query_choice("short", ("1", ""), "") == "1"
    rows = obligations.standings(db, g.coop, start, rules) if start is not None else []
    if only_short:
        rows = [row for row in rows if row.hours.missing > 0]
    page = page_number()
    language = str(get_locale())
    return render_template(
        "minga/compliance.html", rules=rules, start=start, only_short=only_short, total=len(rows),
        rows=page_of(rows, page, PAGE_SIZE), page=page, per_page=PAGE_SIZE,
        periods=[(p.isoformat(), obligations.period_label(rules, p, language)) for p in offered],
        label=obligations.period_label(rules, start, language) if start else "",
        short_count=sum(1 for row in rows if row.hours.missing > 0), hours=lambda m: hours_text(m, language))


# --- closes -----------------------------------------------------------------------------------

class ConfirmCloseForm(FlaskForm):
    period = HiddenField()
    #: what the treasurer saw, so a list that changed meanwhile is shown again before closing
    expected_count = HiddenField()
    expected_total = HiddenField()


@bp.route("/closes/")
@coop_view(CLOSE_PERIODS)
def closes():
    db = get_session()
    rules = obligations.rules_of(db, g.coop)
    language = str(get_locale())
    today = calendar.today_in(g.coop)
    waiting = closing.periods_to_close(db, g.coop, today, rules)
    return render_template("minga/closes.html", closes=closing.closes(db, g.coop), rules=rules,
                           waiting=[(p, obligations.period_label(rules, p, language)) for p in waiting],
                           label=lambda p: obligations.period_label(rules, p, language))


def _render_preview(preview: closing.ClosePreview, form: ConfirmCloseForm, status: int = 200):
    page = page_number()
    fined = preview.fined + [s for s in preview.credited if preview.fine_of(s) == 0]
    form.period.data = preview.period_start.isoformat()
    form.expected_count.data, form.expected_total.data = _fingerprint(preview)
    language = str(get_locale())
    return render_template("minga/close_preview.html", preview=preview, form=form, total=len(fined),
                           rows=page_of(fined, page, PAGE_SIZE), page=page, per_page=PAGE_SIZE,
                           hours=lambda m: hours_text(m, language)), status


def _fingerprint(preview: closing.ClosePreview) -> tuple[str, str]:
    return (f"{len(preview.fined)}/{len(preview.credited)}", f"{preview.fines_total}/{preview.capital_total}")


def _period_arg(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.route("/closes/preview", methods=["GET", "POST"])
@coop_view(CLOSE_PERIODS)
def close_preview():
    """GET: what closing the period would do. POST: close it, if the list is still the one shown."""
    db = get_session()
    form = ConfirmCloseForm()
    start = _period_arg(form.period.data) if request.method == "POST" else query_date("period")
    today = calendar.today_in(g.coop)
    try:
        preview = closing.preview_close(db, g.coop, start, today=today)
    except DomainError as error:
        flash(error.text, "error")
        return redirect(url_for("minga.closes"))
    if request.method == "GET" or not form.validate_on_submit():
        return _render_preview(preview, form, 200 if request.method == "GET" else 400)
    if (form.expected_count.data, form.expected_total.data) != _fingerprint(preview):
        form.form_errors.append(_("The hours changed since you looked: check the list again."))
        return _render_preview(preview, form, 409)
    with show_refusal(form):
        close = closing.close_period(db, current_user, g.coop, start, today=today)
        flash(_("%(period)s is closed: %(count)d fines.", period=preview.label, count=close.fines_count), "success")
        return redirect(url_for("minga.close", close_id=close.id))
    return _render_preview(closing.preview_close(db, g.coop, start, today=today), form, 409)


@bp.route("/closes/<int:close_id>")
@coop_view(CLOSE_PERIODS, close=PeriodClose)
def close(close: PeriodClose):
    db = get_session()
    rules = obligations.rules_of(db, g.coop)
    page = page_number()
    language = str(get_locale())
    return render_template("minga/close.html", close=close,
                           label=obligations.period_label(rules, close.period_start, language),
                           lines=closing.lines_of(db, close, page=page, per_page=PAGE_SIZE, only_posted=True),
                           total=close.fines_count + close.capital_count, page=page, per_page=PAGE_SIZE,
                           hours=lambda m: hours_text(m, language))


# --- a member's own household hours -----------------------------------------------------------

@home_panel(VIEW_MINGA, order=45)
def household_hours(session, coop: Coop, viewer: Viewer) -> HomePanel | None:
    """For those holding the member role, officers who are members too included: five queries in a
    co-op with an obligation (tests/coop/test_queries.py counts them), one without."""
    if viewer.user_id is None or Role.MEMBER not in viewer.roles:
        return None
    rules = obligations.saved_rules(session, coop)
    if rules is None or rules.owed_minutes <= 0:
        return None
    language = str(get_locale())
    member = member_reports.member_of_user(session, coop, viewer.user_id)
    periods = obligations.recent_periods(session, coop, member, language, rules)
    if not periods:
        return None
    return HomePanel(str(_l("My household's Minga hours")), "minga/_home_hours.html",
                     {"periods": periods, "hours": lambda m: hours_text(m, language)})
