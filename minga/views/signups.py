"""Sign-ups taken at the office: a coordinator of the session's commission, or the secretary, finds
a member by number or name and signs them up (it counts the same as the member's own), cancels a
sign-up until the session starts, or lets another member of the household work in a place, chosen
among the household's other active members listed under the place.

The page lists the session's places and waitlist with those actions on each row. Every route is
guarded by MANAGE_SESSIONS on the session, so a coordinator of another commission is refused.
"""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from coop import submissions
from coop.db import get_session, utcnow
from coop.errors import DomainError
from coop.forms import OnceForm
from coop.pages import Load, coop_view, query_text, show_refusal
from coop.text import whole_number
from members import reports as member_reports
from minga import signups, wording
from minga.models import SessionTask, SignUp, SignUpStatus, WorkSession
from minga.permissions import MANAGE_SESSIONS
from minga.views import bp

SESSION = Load(WorkSession, arg="session_id")
#: members the search lists at most
FOUND_AT_MOST = 20


class OfficeSignUpForm(OnceForm, FlaskForm):
    member = StringField(_l("Member no."), validators=[InputRequired(), Length(max=12)])
    task = SelectField(_l("Task"), validate_choice=False, default="")


class RowForm(FlaskForm):
    """An action on one sign-up of the list (the row names it)."""

    sign_up_id = HiddenField(validators=[InputRequired()])


class SubstituteForm(RowForm):
    """The place's row and the member number of the housemate chosen among those listed under it."""

    member = StringField(_l("Who works instead"),
                         validators=[InputRequired(_l("Choose who works instead.")), Length(max=12)])


def _member_by_number(text: str | None, field: str = "member"):
    text = (text or "").strip()
    number = whole_number(text)
    member = member_reports.member_by_number(get_session(), g.coop, number) if number is not None else None
    if member is None:
        raise DomainError(_l("No member has the number %(number)s.", number=text[:12]), field=field)
    return member


def _row_sign_up(work_session: WorkSession, form: RowForm) -> SignUp:
    text = (form.sign_up_id.data or "").strip()
    sign_up_id = whole_number(text)
    found = get_session().get(SignUp, sign_up_id) if sign_up_id is not None else None
    if found is None or found.coop_id != g.coop.id or found.session_id != work_session.id:
        raise DomainError(_l("That sign-up is not in this session."))
    return found


def _found_members(text: str):
    if not text:
        return [], 0
    query = member_reports.DirectoryQuery(text=text, current_only=True)
    return member_reports.directory(get_session(), g.coop, query, per_page=FOUND_AT_MOST)


def _render(work_session: WorkSession, form: OfficeSignUpForm, *, find: str = "",
            substitute: SubstituteForm | None = None, status: int = 200):
    db = get_session()
    form.task.choices = [("", _("Any task"))] + [(str(t.id), t.name) for t in work_session.tasks]
    found, found_total = _found_members(find)
    chosen = None
    if whole_number(form.member.data) is not None:
        chosen = member_reports.member_by_number(db, g.coop, whole_number(form.member.data))
    listed = signups.sign_ups_of_session(db, g.coop, work_session)
    return render_template(
        "minga/office_sign_up.html", work_session=work_session, form=form, find=find, found=found,
        found_total=found_total, chosen=chosen, listed=listed, stand_ins=signups.stand_ins(db, g.coop, listed),
        substitute=substitute or SubstituteForm(formdata=None),
        when=wording.session_when(g.coop, work_session, str(g.coop.locale).split("_")[0]),
        may_sign_up=utcnow() < work_session.starts_dt, SignUpStatus=SignUpStatus), status


def _told(place: SignUp) -> str:
    if place.status == SignUpStatus.CONFIRMED:
        return _("%(name)s has a place in %(title)s.", name=place.member.full_name, title=place.session.title)
    return _("The session is full: %(name)s is on the waitlist, number %(position)d.", name=place.member.full_name,
             position=signups.waitlist_position(get_session(), place))


@bp.route("/manage/sessions/<int:session_id>/sign-ups/new", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, work_session=SESSION)
def office_sign_up(work_session: WorkSession):
    form = OfficeSignUpForm()
    if request.method == "GET":
        form.member.data = query_text("member", 12)
        return _render(work_session, form, find=" ".join(query_text("find").split()))
    if form.validate_on_submit():
        db = get_session()
        with show_refusal(form) as refusal:
            member = _member_by_number(form.member.data)
            sent = submissions.claim(db, g.coop, form.once_key.data)
            task_text = form.task.data or ""
            task_id = whole_number(task_text)
            task = db.get(SessionTask, task_id) if task_id is not None else None
            place = signups.sign_up(db, current_user, g.coop, work_session, member, task=task, by_office=True)
            target = url_for("minga.office_sign_up", session_id=work_session.id)
            sent.finish(target)
            flash(_told(place), "success")
            return redirect(target)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    return _render(work_session, form)


@bp.post("/manage/sessions/<int:session_id>/sign-ups/cancel")
@coop_view(MANAGE_SESSIONS, work_session=SESSION)
def office_cancel_sign_up(work_session: WorkSession):
    form = RowForm()
    if form.validate_on_submit():
        with show_refusal():
            place = _row_sign_up(work_session, form)
            promoted = signups.cancel_sign_up(get_session(), current_user, g.coop, place, by_office=True)
            flash(_("The sign-up of %(name)s is cancelled.", name=place.member.full_name), "success")
            for each in promoted:
                flash(_("%(name)s moves up from the waitlist and has a place; they are told.",
                        name=each.member.full_name), "info")
            return redirect(url_for("minga.office_sign_up", session_id=work_session.id))
    else:
        flash(_("Choose the sign-up from the list."), "error")
    return _render(work_session, OfficeSignUpForm(formdata=None))


@bp.post("/manage/sessions/<int:session_id>/sign-ups/substitute")
@coop_view(MANAGE_SESSIONS, work_session=SESSION)
def substitute_sign_up(work_session: WorkSession):
    form = SubstituteForm()
    if form.validate_on_submit():
        with show_refusal(form):
            place = _row_sign_up(work_session, form)
            member = _member_by_number(form.member.data)
            place = signups.substitute(get_session(), current_user, g.coop, place, member)
            flash(_("%(name)s works in this place instead.", name=place.member.full_name), "success")
            return redirect(url_for("minga.office_sign_up", session_id=work_session.id))
    elif not form.member.errors:
        flash(_("Choose the sign-up from the list."), "error")
    # a refusal is shown under the place's own list of the household, beside the choice
    return _render(work_session, OfficeSignUpForm(formdata=None), substitute=form)
