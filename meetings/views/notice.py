"""The notice (convocatoria) and the roll: preview and issue the notice, print it for the notice
board, read the frozen roll (searched, filtered, paged) and print it with its sign-in sheet. The
rules are ``meetings.notice``'s and ``meetings.roll``'s; the documents ``meetings.printing``'s.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from coop import submissions, tasks
from coop.access import current_viewer
from coop.db import get_session, utcnow
from coop.forms import OnceForm
from coop.pages import Load, coop_view, page_number, query_choice, query_text, refreshing, show_refusal
from coop.web import reader_locale
from meetings import notice as notices
from meetings import printing
from meetings import roll as rolls
from meetings.models import Meeting, MeetingStatus
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETING_RECORD, VIEW_MEETINGS
from meetings.rules import rules_of
from meetings.views import bp

PREPARING = _l("The document is being prepared. This page shows how far it got and then offers the file.")


class NoticeForm(OnceForm, FlaskForm):
    override = BooleanField(_l("Issue it late anyway"),
                            description=_l("Only when the bylaws' days of notice can no longer be given."))
    late_reason = TextAreaField(_l("Why it goes out late"), validators=[Optional(), Length(max=notices.MAX_REASON)],
                                description=_l("Printed on the notice and in the minutes."))


def _language() -> str:
    return notices.language_of(g.coop, reader_locale())


def _printed(meeting: Meeting, *kinds: str) -> list:
    viewer, db = current_viewer(), get_session()
    return [(task, name) for kind in kinds for task, name in tasks.tasks_of(db, g.coop, kind)
            if (task.params or {}).get("meeting_id") == meeting.id and tasks.may_see(viewer, task)]


@bp.route("/<int:meeting_id>/notice", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def notice(meeting: Meeting):
    """The notice: what issuing it does (who is called, who gets it by mail, how many days ahead), and issuing it."""
    db = get_session()
    form = NoticeForm()
    refusal = None
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            claim = submissions.claim(db, g.coop, form.once_key.data)
            queued = notices.issue_notice(db, current_user, g.coop, meeting, override=bool(form.override.data),
                                          late_reason=form.late_reason.data or "", now=utcnow())
            flash(ngettext("The notice is issued and the roll frozen. %(num)d notice goes out by mail.",
                           "The notice is issued and the roll frozen. %(num)d notices go out by mail.", queued),
                  "success")
            target = url_for("meetings.notice", meeting_id=meeting.id)
            claim.finish(target)
            return redirect(target)
        if (sent := submissions.answer_if_sent(refusal)) is not None:
            return sent
    preview = notices.preview_notice(db, g.coop, meeting, utcnow())
    language = _language()
    printed = _printed(meeting, printing.NOTICE_KIND)
    waiting = any(task.is_waiting for task, _name in printed)
    status = 422 if request.method == "POST" else 200
    return refreshing(render_template(
        "meetings/notice.html", meeting=meeting, form=form, preview=preview, printed=printed, waiting=waiting,
        refresh=tasks.REFRESH_SECONDS, kind_label=notices.KIND_LABELS[meeting.kind],
        first_call=notices.call_words(g.coop, meeting.first_call_dt, language),
        second_call=notices.call_words(g.coop, meeting.second_call_dt, language) if meeting.second_call_dt else "",
        quorum=notices.quorum_words(rules_of(db, g.coop)), is_draft=meeting.status == MeetingStatus.DRAFT),
        waiting, tasks.REFRESH_SECONDS), status


@bp.route("/<int:meeting_id>/notice.pdf", methods=["POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def notice_pdf(meeting: Meeting):
    """Print the notice for the notice board (a background document); a draft's only by those who prepare it."""
    if meeting.status == MeetingStatus.DRAFT and not current_viewer().may(MANAGE_MEETINGS):
        abort(404)
    with show_refusal():
        task = printing.request_notice(get_session(), g.coop, current_user, meeting, locale=reader_locale())
        flash(PREPARING, "success")
        return redirect(url_for("coop.task", task_id=task.id))
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/roll", methods=["GET"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def roll(meeting: Meeting):
    """The frozen roll: search by number or name, voters or not, paged; with its printed copies."""
    db = get_session()
    text = query_text("q", 100)
    voters = query_choice("voters", rolls.VOTER_FILTERS)
    page = page_number()
    entries, found = rolls.roll_page(db, meeting, text=text, voters=voters, page=page)
    printed = _printed(meeting, printing.ROLL_KIND, printing.SIGN_IN_KIND)
    waiting = any(task.is_waiting for task, _name in printed)
    counts = rolls.roll_counts(db, meeting)
    return refreshing(render_template(
        "meetings/roll.html", meeting=meeting, entries=entries, found=found, q=text, voters=voters, page=page,
        per_page=rolls.ROLL_PAGE_SIZE, counts=counts, role_labels=rolls.ROLE_LABELS,
        printed=printed, waiting=waiting, refresh=tasks.REFRESH_SECONDS,
        is_frozen=counts.total > 0 or meeting.notice_issued_dt is not None), waiting, tasks.REFRESH_SECONDS)


def _print_roll(meeting: Meeting, *, sign_in: bool):
    with show_refusal():
        task = printing.request_roll(get_session(), g.coop, current_user, meeting, locale=reader_locale(),
                                     sign_in=sign_in)
        flash(PREPARING, "success")
        return redirect(url_for("coop.task", task_id=task.id))
    return redirect(url_for("meetings.roll", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/roll.pdf", methods=["POST"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def roll_pdf(meeting: Meeting):
    """Print the roll: number, name, role, whether they vote and why not."""
    return _print_roll(meeting, sign_in=False)


@bp.route("/<int:meeting_id>/sign-in.pdf", methods=["POST"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def sign_in_pdf(meeting: Meeting):
    """Print the sign-in sheet: everyone on the roll by name, a column to sign, proxies held, blank lines."""
    return _print_roll(meeting, sign_in=True)
