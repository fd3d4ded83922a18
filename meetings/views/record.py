"""Record pages: the register of resolutions with its search, one resolution and what it was
applied to, a meeting's minutes (the draft for officers, approved versions for everyone), the
secretary's notes, approval, corrections and the minutes PDF (a background document)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from coop import calendar, submissions
from coop.access import can
from coop.db import get_session
from coop.errors import DomainError
from coop.forms import OnceForm
from coop.pages import Load, coop_view, page_number, query_int, query_text, show_refusal
from coop.text import whole_number
from coop.web import reader_locale
from meetings import minutes, offices, printing_minutes, register
from meetings.models import Meeting, MeetingStatus, Resolution
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETING_RECORD, VIEW_MEETINGS
from meetings.views import bp
from members.models import Member


# --- forms -----------------------------------------------------------------------------------------

class NotesForm(FlaskForm):
    opening_notes = TextAreaField(_l("Opening"), validators=[Length(max=minutes.NOTES_MAX)],
                                  description=_l("Who opened the meeting, on which call, who chaired it."))
    chair_number = StringField(_l("Chair (member no.)"), validators=[Length(max=9)])
    secretary_number = StringField(_l("Secretary (member no.)"), validators=[Length(max=9)])


class CorrectionForm(OnceForm, FlaskForm):
    reason = TextAreaField(_l("Why are the minutes corrected?"), validators=[InputRequired(), Length(max=2000)])
    opening_notes = TextAreaField(_l("Opening"), validators=[Length(max=minutes.NOTES_MAX)])


def _with_items(form_class, items: list[tuple[int, str]]):
    """The form with one notes box per agenda item (fields ``notes_<item id>``)."""
    fields = {f"notes_{item_id}": TextAreaField(title, validators=[Length(max=minutes.NOTES_MAX)])
              for item_id, title in items}
    return type(form_class.__name__, (form_class,), fields)


def _item_notes(form, items) -> dict[int, str]:
    return {item_id: getattr(form, f"notes_{item_id}").data or "" for item_id, _title in items}


class ApproveForm(OnceForm, FlaskForm):
    how = RadioField(_l("Approved"), default="meeting", choices=[
        ("meeting", _l("At a later meeting")), ("board", _l("By the board, on a date"))])
    at_meeting = SelectField(_l("The meeting that approved them"), coerce=lambda v: whole_number(str(v or "")),
                             validate_choice=False)
    approved_on = DateField(_l("Day the board approved them"), validators=[Optional()])
    president_name = StringField(_l("President (signs)"), validators=[InputRequired(), Length(max=250)])
    secretary_name = StringField(_l("Secretary (signs)"), validators=[InputRequired(), Length(max=250)])


class PrintForm(FlaskForm):
    #: an approved version's number (empty: the latest approved)
    version = HiddenField()
    #: "1": the draft as it stands (officers only)
    draft = HiddenField()


# --- the register ------------------------------------------------------------------------------------

@bp.route("/resolutions", methods=["GET"])
@coop_view(VIEW_MEETINGS)
def resolutions():
    """The register of resolutions: search by words, narrow to a year, newest first, paged."""
    db = get_session()
    years = register.years_of(db, g.coop)
    query = register.RegisterQuery(text=query_text("q"), year=query_int("year", min=1900, max=3000))
    page = page_number()
    rows, total = register.search(db, g.coop, query, page=page)
    return render_template("meetings/resolutions.html", rows=rows, total=total, page=page,
                           per_page=register.PAGE_SIZE, query=query, years=years)


@bp.route("/resolutions/<int:resolution_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, resolution=Load(Resolution, arg="resolution_id"))
def resolution(resolution: Resolution):
    db = get_session()
    return render_template("meetings/resolution.html", resolution=resolution, meeting=resolution.meeting,
                           motion=register.motion_of(db, resolution), cited_by=register.applied_to(db, resolution, people=can(VIEW_MEETING_RECORD)),
                           kind_labels=register.KIND_LABELS)


# --- minutes -----------------------------------------------------------------------------------------

def _words() -> printing_minutes.Wording:
    return printing_minutes.Wording(reader_locale().split("_")[0])


@bp.route("/<int:meeting_id>/minutes", methods=["GET"], endpoint="minutes")
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def minutes_page(meeting: Meeting):
    """Approved versions for everyone (a chosen one, else the latest); the live draft for officers."""
    db = get_session()
    officer = can(VIEW_MEETING_RECORD) or can(MANAGE_MEETINGS)
    versions = [v for v in minutes.versions_of(db, meeting) if officer or v.status.value == "approved"]
    chosen = query_int("version")
    version = next((v for v in versions if v.number == chosen), None) if chosen else None
    version = version or minutes.latest_approved(db, meeting)
    show_draft = officer and (query_text("show") == "draft" or version is None)
    content = (minutes.draft_content(db, g.coop, meeting) if show_draft
               else minutes.content_of(version) if version is not None else None)
    return render_template("meetings/minutes.html", meeting=meeting, versions=versions,
                           version=None if show_draft else version, content=content, officer=officer,
                           pending=minutes.pending_correction(db, meeting), words=_words())


def _items(meeting: Meeting) -> list[tuple[int, str]]:
    return [(item.id, f"{item.position}. {item.title}") for item in meeting.items]


@bp.route("/<int:meeting_id>/minutes/notes", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def minutes_notes(meeting: Meeting):
    """The secretary's notes for the draft: the opening, the chair and secretary, each item."""
    items = _items(meeting)
    form = _with_items(NotesForm, items)()
    if request.method == "GET":
        form.opening_notes.data = meeting.opening_notes
        form.chair_number.data = _number_of(meeting.chair_member_id)
        form.secretary_number.data = _number_of(meeting.secretary_member_id)
        for item in meeting.items:
            getattr(form, f"notes_{item.id}").data = item.minutes_notes
    if form.validate_on_submit():
        with show_refusal(form):
            minutes.save_notes(get_session(), current_user, g.coop, meeting, minutes.NotesData(
                opening_notes=form.opening_notes.data or "",
                chair_number=_typed_number(form.chair_number), secretary_number=_typed_number(form.secretary_number),
                item_notes=_item_notes(form, items)))
            flash(_("The notes are saved in the draft minutes."), "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id, show="draft"))
    return render_template("meetings/minutes_notes.html", meeting=meeting, form=form, items=items)


def _number_of(member_id: int | None) -> str:
    member = get_session().get(Member, member_id) if member_id else None
    return str(member.number) if member else ""


def _typed_number(field) -> int | None:
    """The member number typed, None when empty; a number that is not one is refused beside it."""
    text = (field.data or "").strip()
    number = whole_number(text)
    if text and number is None:
        raise DomainError(_l("Type a member number (digits only)."), field=field.name)
    return number


@bp.route("/<int:meeting_id>/minutes/approve", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def approve_minutes(meeting: Meeting):
    """Approve the draft (or the pending correction): at a later meeting or by the board, signed."""
    db = get_session()
    form = ApproveForm()
    later = minutes.later_meetings(db, g.coop, meeting)
    form.at_meeting.choices = [("", "—")] + [(str(m.id), f"{m.title} ({_words().when(_local(m))})") for m in later]
    if request.method == "GET":  # offered: who holds the signing offices today, as the register of offices says
        form.president_name.data, form.secretary_name.data = offices.signers_on(db, g.coop, calendar.today_in(g.coop))
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            by_meeting = form.how.data == "meeting"
            chosen = next((m for m in later if m.id == form.at_meeting.data), None) if by_meeting else None
            if by_meeting and chosen is None:
                raise DomainError(_l("Choose a meeting held after this one."), field="at_meeting")
            version = minutes.approve_minutes(db, current_user, g.coop, meeting, minutes.Approval(
                president_name=form.president_name.data or "", secretary_name=form.secretary_name.data or "",
                at_meeting=chosen, on=None if by_meeting else form.approved_on.data),
                today=calendar.today_in(g.coop))
            target = url_for("meetings.minutes", meeting_id=meeting.id, version=version.number)
            sent.finish(target)
            flash(_("The minutes are approved (version %(number)d). They no longer change.",
                    number=version.number), "success")
            return redirect(target)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("meetings/minutes_approve.html", meeting=meeting, form=form,
                           pending=minutes.pending_correction(db, meeting),
                           approved=minutes.latest_approved(db, meeting))


def _local(meeting: Meeting) -> str:
    return calendar.utc_to_local(g.coop, meeting.first_call_dt).isoformat(timespec="minutes")


@bp.route("/<int:meeting_id>/minutes/correct", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def correct_minutes(meeting: Meeting):
    """Draft a correction of the approved minutes: the notes edited, and why; approved like the first."""
    db = get_session()
    base = minutes.pending_correction(db, meeting) or minutes.latest_approved(db, meeting)
    content = minutes.content_of(base) if base is not None else {"items": [], "opening_notes": ""}
    items = [(item["id"], f"{item['position']}. {item['title']}") for item in content["items"]]
    form = _with_items(CorrectionForm, items)()
    if request.method == "GET":
        form.opening_notes.data = content["opening_notes"]
        form.reason.data = base.correction_reason if base is not None else ""
        for item in content["items"]:
            getattr(form, f"notes_{item['id']}").data = item["notes"]
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            version = minutes.correct_minutes(db, current_user, g.coop, meeting, reason=form.reason.data or "",
                                              opening_notes=form.opening_notes.data or "",
                                              item_notes=_item_notes(form, items))
            target = url_for("meetings.approve_minutes", meeting_id=meeting.id)
            sent.finish(target)
            flash(_("Correction drafted as version %(number)d. Approve it to make it the minutes.",
                    number=version.number), "success")
            return redirect(target)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("meetings/minutes_correct.html", meeting=meeting, form=form, items=items,
                           base=base, approved=minutes.latest_approved(db, meeting))


@bp.route("/<int:meeting_id>/minutes.pdf", methods=["POST"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def minutes_pdf(meeting: Meeting):
    """Queue the minutes PDF: an approved version (``version``), or the draft for officers."""
    db = get_session()
    officer = can(VIEW_MEETING_RECORD)
    form = PrintForm()
    form.validate_on_submit()  # the CSRF token; both fields are optional
    number = whole_number(form.version.data)
    version = next((v for v in minutes.versions_of(db, meeting)
                    if v.number == number and v.status.value == "approved"), None) if number else None
    version = version or minutes.latest_approved(db, meeting)
    if form.draft.data == "1" and officer:
        version = None
    elif version is None:
        flash(_("These minutes are not approved yet."), "error")
        return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    with show_refusal():
        task = printing_minutes.request_minutes(db, g.coop, current_user, meeting, version, locale=reader_locale())
        flash(_("The document is being prepared. This page shows how far it got and then offers the file."),
              "success")
        return redirect(url_for("coop.task", task_id=task.id))
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


# --- the meeting page's partial ------------------------------------------------------------------------

@bp.context_processor
def _meeting_record():
    def meeting_record(meeting: Meeting) -> dict:
        db = get_session()
        return {"approved": minutes.latest_approved(db, meeting), "resolutions": register.of_meeting(db, meeting),
                "held": meeting.status in (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED)}
    return {"meeting_record": meeting_record}
