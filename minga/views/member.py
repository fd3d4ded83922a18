"""The member's side of Minga: the coming sessions with their free places, signing up in one tap,
a session's page with one's place or waitlist number, cancelling, and one's own sign-ups.

The member is always the one linked to the logged-in user in this co-op, never a number in the
URL. A user with no member record here (an officer from outside) reads the sessions without the
buttons, and a sentence says why. Signing up carries a one-time key, so a double tap on a slow
phone makes one sign-up, and the second tap lands on the session's page.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from coop import submissions
from coop.db import get_session, utcnow
from coop.forms import OnceForm
from coop.pages import Load, coop_view, page_number, query_int, show_refusal
from coop.text import whole_number
from members import reports as member_reports
from members.models import Member, MemberStatus
from minga import obligations, signups, wording
from minga.models import SessionStatus, SessionTask, SignUpStatus, WorkSession
from minga.permissions import VIEW_MINGA
from minga.views import bp

#: the sessions a member may open: not those still being prepared
SESSION = Load.by(lambda session, coop, value: _visible_session(session, coop, value), "session_id")


def _visible_session(session, coop, session_id):
    found = session.get(WorkSession, session_id)
    if found is None or found.coop_id != coop.id or found.status == SessionStatus.DRAFT:
        return None
    return found


class SignUpForm(OnceForm, FlaskForm):
    """One tap: the session is in the URL, the member is the reader; a task may be chosen."""

    task = SelectField(_l("Task"), validate_choice=False, default="")


class CancelForm(FlaskForm):
    pass


def own_member() -> Member | None:
    """The logged-in user's member record in this co-op, if any."""
    return member_reports.member_of_user(get_session(), g.coop, current_user.id)


def _page_helpers() -> dict:
    return {"when": lambda s: wording.session_when(g.coop, s, _language()),
            "status_labels": signups.STATUS_LABELS, "session_labels": signups.SESSION_STATUS_LABELS,
            "SignUpStatus": SignUpStatus, "SessionStatus": SessionStatus, "new_form": _new_form,
            "cancel_form": CancelForm(formdata=None), "moment": lambda t: signups.moment_text(g.coop, t)}


def _language() -> str:
    from coop.web import reader_locale
    return reader_locale().split("_")[0]


def _new_form(tasks=()) -> SignUpForm:
    form = SignUpForm(formdata=None)
    form.task.choices = [("", _("Any task"))] + [(str(t.id), t.name) for t in tasks]
    return form


@bp.route("/")
@coop_view(VIEW_MINGA)
def upcoming():
    db, now, member = get_session(), utcnow(), own_member()
    page = page_number()
    listing = signups.upcoming_sessions(db, g.coop, now=now, commission_id=query_int("commission"), page=page)
    places = signups.places_of(db, member, [s.id for s in listing.sessions])
    return render_template("minga/upcoming.html", listing=listing, places=places, member=member, now=now,
                           page=page, per_page=signups.PAGE_SIZE, may_sign_up=signups.is_taking_sign_ups,
                           active=member is not None and member.status == MemberStatus.ACTIVE, **_page_helpers())


@bp.route("/sessions/<int:session_id>")
@coop_view(VIEW_MINGA, work_session=SESSION)
def session(work_session: WorkSession):
    db, now, member = get_session(), utcnow(), own_member()
    mine = signups.sign_up_of(db, work_session, member)
    waiting = signups.sign_ups_of_session(db, g.coop, work_session).waitlisted
    return render_template(
        "minga/session.html", work_session=work_session, member=member, mine=mine, now=now,
        position=signups.waitlist_position(db, mine) if mine else None, waiting=len(waiting),
        may_sign_up=signups.is_taking_sign_ups(work_session, now),
        may_cancel=mine is not None and signups.may_cancel_own(work_session, now),
        active=member is not None and member.status == MemberStatus.ACTIVE,
        form=_new_form(work_session.tasks), **_page_helpers())


def _outcome_message(place) -> str:
    if place.status == SignUpStatus.CONFIRMED:
        return _("You are signed up for %(title)s. See you there!", title=place.session.title)
    return _("The session is full: you are on the waitlist, number %(position)d. If a place frees up it is "
             "yours in that order, and we will tell you.",
             position=signups.waitlist_position(get_session(), place))


def _flash_unless_sent(_form, error) -> None:
    # a form sent twice is told once, by ``answer_if_sent``, on the page of the first sending
    if not (isinstance(error, submissions.AlreadySent) and error.url):
        flash(error.text, "error")


@bp.post("/sessions/<int:session_id>/sign-up")
@coop_view(VIEW_MINGA, work_session=SESSION)
def sign_up(work_session: WorkSession):
    member = own_member()
    if member is None:
        abort(403)
    db = get_session()
    form = SignUpForm()
    form.task.choices = [("", "")] + [(str(t.id), t.name) for t in work_session.tasks]
    target = url_for("minga.session", session_id=work_session.id)
    with show_refusal(apply=_flash_unless_sent) as refusal:
        if not form.validate_on_submit():
            flash(_("This form is out of date. Check it and send it again."), "error")
            return redirect(target)
        sent = submissions.claim(db, g.coop, form.once_key.data)
        task_id = whole_number(form.task.data)
        task = db.get(SessionTask, task_id) if task_id is not None else None
        place = signups.sign_up(db, current_user, g.coop, work_session, member, task=task)
        sent.finish(target)
        flash(_outcome_message(place), "success")
        return redirect(target)
    return submissions.answer_if_sent(refusal) or redirect(target)


@bp.post("/sessions/<int:session_id>/cancel")
@coop_view(VIEW_MINGA, work_session=SESSION)
def cancel_sign_up(work_session: WorkSession):
    db, member = get_session(), own_member()
    mine = signups.sign_up_of(db, work_session, member)
    target = url_for("minga.session", session_id=work_session.id)
    if mine is None:
        flash(_("You are not signed up for this session."), "info")
        return redirect(target)
    if CancelForm().validate_on_submit():
        with show_refusal():
            signups.cancel_sign_up(db, current_user, g.coop, mine)
            flash(_("Your sign-up for %(title)s is cancelled.", title=work_session.title), "success")
    return redirect(target)


@bp.route("/me")
@coop_view(VIEW_MINGA)
def my_minga():
    db, now, member = get_session(), utcnow(), own_member()
    mine = signups.member_sign_ups(db, g.coop, member, now=now) if member is not None else []
    language = str(get_locale())
    hours = {"periods": obligations.recent_periods(db, g.coop, member, language),
             "hours": lambda minutes: wording.hours_text(minutes, language)}
    return render_template("minga/my_minga.html", member=member, mine=mine, now=now, household_hours=hours,
                           may_cancel=signups.may_cancel_own, **_page_helpers())
