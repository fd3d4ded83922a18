"""Minga pages for whoever manages sessions (a coordinator within their commissions, the
secretary for all): the sessions one manages, a new session or a recurring series, a session's
sign-ups and waitlist, its status, changes and cancellation. The rules are ``minga.sessions``'.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop import calendar, submissions
from coop.access import current_viewer
from coop.db import get_session, utcnow
from coop.forms import OnceForm
from coop.pages import Load, coop_view, page_number, show_refusal
from coop.web import reader_locale
from minga import commissions, sessions, signups, wording
from minga.models import Commission, SessionStatus, WorkSession
from minga.permissions import MANAGE_SESSIONS
from minga.views import bp

STATUS_CHOICES = [(status.value, label) for status, label in sessions.STATUS_LABELS.items()
                  if status is not SessionStatus.CANCELLED]


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)],
                        description=_l("As members will read it, such as \"Minga de la quebrada\""))
    day = DateField(_l("Day"), validators=[InputRequired()])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    end = TimeField(_l("Ends at"), validators=[InputRequired()])
    place = StringField(_l("Where to meet"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(min=1, max=sessions.MAX_CAPACITY)],
                            description=_l("How many people it takes; those who come later join the waitlist."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    tasks = TextAreaField(_l("Tasks"), validators=[Optional(), Length(max=6000)],
                          description=_l("One a line, with the people it needs after a colon: \"Cargar piedra: 6\"."))
    signup_opens = DateField(_l("Sign-ups open on"), validators=[Optional()],
                             description=_l("Leave empty to open sign-ups at once."))
    signup_opens_time = TimeField(_l("at"), validators=[Optional()])
    signup_closes = DateField(_l("Sign-ups close on"), validators=[Optional()],
                              description=_l("Leave empty to take sign-ups (and cancellations) until the start."))
    signup_closes_time = TimeField(_l("at"), validators=[Optional()])
    is_compensation = BooleanField(_l("Compensation session (to make up missing hours)"))

    def _moment(self, day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
        """A window's end as the wall clock: a time alone is on the session's day, a day alone at 00:00."""
        day = day or (self.day.data if time is not None else None)
        return dt.datetime.combine(day, time or dt.time(0)) if day is not None else None

    def data_of(self, *, is_open: bool = True) -> sessions.SessionData:
        """What was written, its tasks read (a badly written task line is refused beside them)."""
        return sessions.SessionData(
            title=self.title.data or "", day=self.day.data, start=self.start.data, end=self.end.data,
            capacity=self.capacity.data, place=self.place.data or "", description=self.description.data or "",
            signup_opens=self._moment(self.signup_opens.data, self.signup_opens_time.data),
            signup_closes=self._moment(self.signup_closes.data, self.signup_closes_time.data),
            tasks=sessions.parse_tasks(self.tasks.data or ""), is_compensation=bool(self.is_compensation.data),
            is_open=is_open)


class NewSessionForm(OnceForm, SessionForm):
    is_open = BooleanField(_l("Open for sign-ups at once"), default=True,
                           description=_l("Else it stays a draft, which members do not see, until you open it."))


class SeriesForm(NewSessionForm):
    every_days = IntegerField(_l("Every how many days"), default=7,
                              validators=[InputRequired(), NumberRange(min=1, max=sessions.MAX_EVERY_DAYS)],
                              description=_l("7: every week, on the same day."))
    count = IntegerField(_l("How many sessions"),
                         validators=[InputRequired(), NumberRange(min=2, max=sessions.MAX_SERIES)],
                         description=_l("At most %(max)d.", max=sessions.MAX_SERIES))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why is the session cancelled?"), validators=[InputRequired(), Length(max=2000)],
                           description=_l("Everyone signed up or on the waitlist receives this reason."))


def _managed() -> frozenset[int] | None:
    return commissions.managed_commission_ids(current_viewer())


def _attendance_links(work_session: WorkSession) -> dict:
    """The attendance page and the sign-in sheet, when the application has them."""
    views = current_app.view_functions
    return {"attendance_url": url_for("minga.attendance", session_id=work_session.id)
            if "minga.attendance" in views else None,
            "sheet_url": url_for("minga.sign_in_sheet", session_id=work_session.id)
            if "minga.sign_in_sheet" in views else None}


@bp.route("/manage/")
@coop_view(MANAGE_SESSIONS)
def manage_sessions():
    db = get_session()
    ids = _managed()
    page = page_number()
    found = sessions.sessions_for_manager(db, g.coop, ids, now=utcnow(), page=page)
    mine = [c for c in commissions.commissions(db, g.coop, active_only=True) if ids is None or c.id in ids]
    return render_template("minga/manage_sessions.html", found=found, commissions=mine, page=page,
                           per_page=sessions.PAGE_SIZE, status_labels=sessions.STATUS_LABELS)


def _create(form, commission: Commission, make):
    """Claim the form's key, make the session(s) and go to what was made."""
    if not form.validate_on_submit():
        return None
    db = get_session()
    with show_refusal(form) as refusal:
        sent = submissions.claim(db, g.coop, form.once_key.data)
        url = make(db, form.data_of(is_open=bool(form.is_open.data)))
        sent.finish(url)
        return redirect(url)
    return submissions.answer_if_sent(refusal)


@bp.route("/manage/commissions/<int:commission_id>/sessions/new", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, commission=Load(Commission))
def new_session(commission: Commission):
    form = NewSessionForm()

    def make(db, data):
        created = sessions.create_session(db, current_user, g.coop, commission, data)
        flash(_("The session %(title)s is recorded.", title=created.title), "success")
        return url_for("minga.manage_session", session_id=created.id)
    answer = _create(form, commission, make)
    return answer or render_template("minga/manage_session_form.html", form=form, commission=commission,
                                     work_session=None, series=False)


@bp.route("/manage/commissions/<int:commission_id>/series/new", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, commission=Load(Commission))
def new_series(commission: Commission):
    form = SeriesForm()
    form.day.label.text = _("First day")

    def make(db, data):
        series = sessions.create_series(db, current_user, g.coop, commission, data,
                                        every_days=form.every_days.data, count=form.count.data)
        flash(_("%(count)d sessions are recorded: %(rule)s.", count=series.count, rule=series.rule_text), "success")
        return url_for("minga.manage_sessions")
    answer = _create(form, commission, make)
    return answer or render_template("minga/manage_session_form.html", form=form, commission=commission,
                                     work_session=None, series=True)


def _render_session(work_session: WorkSession, *, cancel_form=None, status: int = 200):
    db = get_session()
    found = signups.sign_ups_of_session(db, g.coop, work_session)
    now = utcnow()
    allowed = [s for s in sessions.TRANSITIONS[work_session.status]
               if s is not SessionStatus.DONE or now >= work_session.ends_dt]
    return render_template(
        "minga/manage_session.html", work_session=work_session, confirmed=found.confirmed, waitlisted=found.waitlisted,
        status_labels=sessions.STATUS_LABELS, next_statuses=allowed,
        cancel_form=cancel_form or CancelForm(formdata=None),
        can_cancel=work_session.status not in (SessionStatus.DONE, SessionStatus.CANCELLED)
        and not sessions.has_attendance(db, work_session), **_attendance_links(work_session)), status


@bp.route("/manage/sessions/<int:session_id>")
@coop_view(MANAGE_SESSIONS, work_session=Load(WorkSession, arg="session_id"))
def manage_session(work_session: WorkSession):
    return _render_session(work_session)


def _fill(form: SessionForm, work_session: WorkSession) -> None:
    starts, ends = (calendar.utc_to_local(g.coop, work_session.starts_dt),
                    calendar.utc_to_local(g.coop, work_session.ends_dt))
    form.day.data, form.start.data, form.end.data = starts.date(), starts.time(), ends.time()
    for name, value in (("signup_opens", work_session.signup_opens_dt),
                        ("signup_closes", work_session.signup_closes_dt)):
        if value is not None:
            local = calendar.utc_to_local(g.coop, value)
            getattr(form, name).data, getattr(form, f"{name}_time").data = local.date(), local.time()
    form.tasks.data = sessions.tasks_text(work_session)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, work_session=Load(WorkSession, arg="session_id"))
def edit_session(work_session: WorkSession):
    form = SessionForm(obj=work_session)
    if request.method == "GET":
        _fill(form, work_session)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = sessions.update_session(get_session(), current_user, g.coop, work_session, form.data_of())
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("minga.manage_session", session_id=work_session.id))
    return render_template("minga/manage_session_form.html", form=form, commission=work_session.commission,
                           work_session=work_session, series=False)


@bp.route("/manage/sessions/<int:session_id>/status", methods=["POST"])
@coop_view(MANAGE_SESSIONS, work_session=Load(WorkSession, arg="session_id"))
def session_status(work_session: WorkSession):
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose the session's new status."), "error")
        return _render_session(work_session)
    with show_refusal():
        sessions.set_status(get_session(), current_user, g.coop, work_session, SessionStatus(form.status.data))
        flash(_("The session is now: %(status)s.", status=sessions.STATUS_LABELS[work_session.status]), "success")
        return redirect(url_for("minga.manage_session", session_id=work_session.id))
    return _render_session(work_session)


@bp.route("/manage/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, work_session=Load(WorkSession, arg="session_id"))
def cancel_session(work_session: WorkSession):
    form = CancelForm()
    if form.validate_on_submit():
        with show_refusal(form):
            told = sessions.cancel_session(get_session(), current_user, g.coop, work_session, form.reason.data)
            flash(_("The session is cancelled; %(count)d people signed up were told why.", count=told), "success")
            return redirect(url_for("minga.manage_session", session_id=work_session.id))
    return render_template("minga/manage_cancel.html", work_session=work_session, form=form)


@bp.context_processor
def _session_wording():
    """``when_of(work_session)``: a session's day and hours where the co-op is, in the reader's language."""
    def when_of(work_session) -> str:
        return wording.session_when(g.coop, work_session, reader_locale())
    return {"when_of": when_of}
