"""Meetings' pages for preparing them and reading them: the list of coming and past meetings, a
meeting's page (calls in words, the order of the day with its documents, the reader's proxy, vote
and the record), a new meeting, its changes and cancellation, the agenda and its documents, and
the bylaws' settings. The rules are ``meetings.meetings``', ``meetings.agenda``' and
``meetings.bylaws``'.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import calendar, submissions
from coop.access import can
from coop.db import get_session, utcnow
from coop.pages import Load, coop_view, file_response, page_number, show_refusal
from coop.web import reader_locale
from meetings import agenda, bylaws, meetings, motions
from meetings import home  # noqa: F401  (the next meeting on the co-op's home page)
from meetings.models import AgendaDocument, AgendaItem, Meeting, MeetingKind, MeetingStatus
from meetings.permissions import MANAGE_MEETINGS, MANAGE_MEETING_RULES, VIEW_MEETINGS
from meetings.rules import rules_of
from meetings.views import bp
from meetings.views.meeting_forms import (CancelForm, DocumentForm, ItemForm, MeetingForm, MoveForm, NewItemForm,
                                          NewMeetingForm, RulesForm)

MEETING = Load(Meeting, arg="meeting_id")
ITEM = Load(AgendaItem, arg="item_id")


def _hide_drafts_from_members(meeting: Meeting) -> None:
    """A meeting members were not called to does not exist for them."""
    if not meetings.is_shown_to_members(meeting) and not can(MANAGE_MEETINGS):
        abort(404)


def _commission_choices(form: MeetingForm) -> None:
    form.commission_id.choices = [(0, "—")] + meetings.commission_choices(get_session(), g.coop)


# --- the lists and a meeting's page ---------------------------------------------------------------------

@bp.route("/", methods=["GET"])
@coop_view(VIEW_MEETINGS)
def index():
    page = page_number()
    lists = meetings.meeting_lists(get_session(), g.coop, with_drafts=can(MANAGE_MEETINGS), now=utcnow(), page=page)
    return render_template("meetings/index.html", lists=lists, page=page, per_page=meetings.PAGE_SIZE)


def _render_meeting(meeting: Meeting, *, cancel_form=None, status: int = 200):
    db = get_session()
    return render_template(
        "meetings/meeting.html", meeting=meeting, documents=agenda.documents_by_item(db, meeting),
        motions=motions.motions_by_item(db, meeting), motion_labels=motions.STATUS_LABELS,
        rules=rules_of(db, g.coop), cancel_form=cancel_form or CancelForm(formdata=None),
        can_cancel=meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED),
        can_edit=meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED)), status


@bp.route("/<int:meeting_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=MEETING)
def meeting(meeting):
    _hide_drafts_from_members(meeting)
    return _render_meeting(meeting)


# --- making, changing and cancelling ---------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS)
def new_meeting():
    form = NewMeetingForm()
    _commission_choices(form)
    if form.validate_on_submit():
        db = get_session()
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            created = meetings.create_meeting(db, current_user, g.coop, form.data_of(), now=utcnow())
            url = url_for("meetings.agenda", meeting_id=created.id)
            sent.finish(url)
            flash(_("The meeting %(title)s is prepared: now write its order of the day.", title=created.title),
                  "success")
            return redirect(url)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    return render_template("meetings/meeting_form.html", form=form, meeting=None)


def _fill(form: MeetingForm, meeting: Meeting) -> None:
    first = calendar.utc_to_local(g.coop, meeting.first_call_dt)
    form.day.data, form.first_time.data = first.date(), first.time()
    if meeting.second_call_dt is not None:
        form.second_time.data = calendar.utc_to_local(g.coop, meeting.second_call_dt).time()
    form.commission_id.data = meeting.commission_id or 0


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING)
def edit_meeting(meeting):
    form = MeetingForm(obj=meeting)
    _commission_choices(form)
    if request.method == "GET":
        form.kind.data = meeting.kind.value
        _fill(form, meeting)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = meetings.update_meeting(get_session(), current_user, g.coop, meeting, form.data_of(),
                                              now=utcnow())
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/meeting_form.html", form=form, meeting=meeting)


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING)
def cancel_meeting(meeting):
    form = CancelForm()
    if form.validate_on_submit():
        with show_refusal(form):
            told = meetings.cancel_meeting(get_session(), current_user, g.coop, meeting, form.reason.data, now=utcnow())
            flash(_("The meeting is cancelled; %(count)d people on the roll will receive the reason by e-mail.",
                    count=told) if told else _("The meeting is cancelled."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return _render_meeting(meeting, cancel_form=form)


# --- the order of the day ----------------------------------------------------------------------------

def _render_agenda(meeting: Meeting, form=None, status: int = 200):
    return render_template("meetings/agenda.html", meeting=meeting, form=form or NewItemForm(formdata=None),
                           documents=agenda.documents_by_item(get_session(), meeting),
                           is_open=meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED)), status


@bp.route("/<int:meeting_id>/agenda", methods=["GET", "POST"], endpoint="agenda")
@coop_view(MANAGE_MEETINGS, meeting=MEETING)
def agenda_page(meeting):
    form = NewItemForm()
    if form.validate_on_submit():
        db = get_session()
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            item = agenda.add_item(db, current_user, g.coop, meeting, form.title.data, form.description.data)
            url = url_for("meetings.agenda", meeting_id=meeting.id)
            sent.finish(url)
            flash(_("Item %(position)d is on the order of the day.", position=item.position), "success")
            return redirect(url)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    return _render_agenda(meeting, form)


def _own_item(meeting: Meeting, item: AgendaItem) -> None:
    if item.meeting_id != meeting.id:
        abort(404)


def _render_item(meeting: Meeting, item: AgendaItem, *, form=None, document_form=None, status: int = 200):
    return render_template("meetings/item_form.html", meeting=meeting, item=item, form=form or ItemForm(obj=item),
                           document_form=document_form or DocumentForm(formdata=None),
                           documents=agenda.documents_by_item(get_session(), meeting).get(item.id, []),
                           limit=agenda.megabytes(agenda.document_limit()),
                           is_open=meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED),
                           takes_documents=meeting.status not in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED)
                           ), status


@bp.route("/<int:meeting_id>/items/<int:item_id>", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, item=ITEM)
def edit_item(meeting, item):
    _own_item(meeting, item)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = agenda.update_item(get_session(), current_user, g.coop, meeting, item, form.title.data,
                                         form.description.data)
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    return _render_item(meeting, item, form=form)


@bp.route("/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, item=ITEM)
def move_item(meeting, item):
    _own_item(meeting, item)
    form = MoveForm()
    if form.validate_on_submit():
        with show_refusal():
            agenda.move_item(get_session(), current_user, g.coop, meeting, item, form.direction.data)
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/items/<int:item_id>/delete", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, item=ITEM)
def delete_item(meeting, item):
    _own_item(meeting, item)
    with show_refusal():
        title = item.title
        agenda.delete_item(get_session(), current_user, g.coop, meeting, item)
        flash(_("“%(title)s” is off the order of the day.", title=title), "success")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


# --- documents ---------------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/items/<int:item_id>/documents", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=MEETING, item=ITEM)
def add_document(meeting, item):
    _own_item(meeting, item)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        name, content = (upload.filename, upload.read()) if upload is not None and upload.filename else ("", b"")
        with show_refusal(form):
            document = agenda.add_document(get_session(), current_user, g.coop, meeting, item, form.title.data,
                                           name, content)
            flash(_("The document %(name)s is attached.", name=document.filename), "success")
            return redirect(url_for("meetings.edit_item", meeting_id=meeting.id, item_id=item.id))
    return _render_item(meeting, item, document_form=form)


@bp.route("/documents/<int:document_id>", methods=["GET"])
@coop_view(VIEW_MEETINGS, document=Load(AgendaDocument, arg="document_id"))
def document(document):
    _hide_drafts_from_members(document.item.meeting)
    # always a download, with the type its first bytes proved: never shown inside our pages
    response = file_response(document.content, document.filename, document.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.route("/documents/<int:document_id>/delete", methods=["POST"])
@coop_view(MANAGE_MEETINGS, document=Load(AgendaDocument, arg="document_id"))
def delete_document(document):
    item_id, meeting_id = document.item_id, document.item.meeting_id
    with show_refusal():
        name = document.filename
        agenda.delete_document(get_session(), current_user, g.coop, document)
        flash(_("The document %(name)s is removed.", name=name), "success")
    return redirect(url_for("meetings.edit_item", meeting_id=meeting_id, item_id=item_id))


# --- the bylaws ----------------------------------------------------------------------------------------

@bp.route("/rules", methods=["GET", "POST"])
@coop_view(MANAGE_MEETING_RULES)
def rules():
    current = rules_of(get_session(), g.coop)
    form = RulesForm(obj=current)
    if request.method == "GET":
        form.assembly_form.data = current.assembly_form.value
        form.election_tie_rule.data = current.election_tie_rule.value
    if form.validate_on_submit():
        with show_refusal(form):
            changes = bylaws.update_rules(get_session(), current_user, g.coop, form.data_of())
            flash(_("The bylaws' settings are saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("meetings.rules"))
    return render_template("meetings/rules.html", form=form)


@bp.context_processor
def _meeting_wording():
    """``calls_of(meeting)``, ``kind_label``, ``status_label``: a meeting in the reader's words."""
    def calls_of(meeting) -> str:
        return meetings.calls_in_words(g.coop, meeting, reader_locale().split("_")[0])
    return {"calls_of": calls_of, "meeting_kind_labels": meetings.KIND_LABELS,
            "meeting_status_labels": meetings.STATUS_LABELS, "MeetingKind": MeetingKind}
