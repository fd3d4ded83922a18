"""The meeting as it sits: check-in at the door on a phone, proxies, the quorum page with the
opening, closing and item under debate, the hall screen for the projector, and the reader's
proxy on the meeting page (``member_proxy``, for ``_member_proxy.html``).

Pages work without JavaScript. The check-in page is one search box and a big button per person
found; after each tap it comes back empty, ready for the next person (an alternate's search is
kept, so that the "stands in for" button is at hand). The hall screen reloads itself every five
seconds with a ``<meta http-equiv="refresh">``.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from coop import submissions
from coop.access import can
from coop.db import get_session, utcnow
from coop.errors import apply_to_form
from coop.forms import OnceForm
from coop.pages import Load, coop_view, page_number, query_text, show_refusal
from coop.text import whole_number
from meetings import proxies as proxy_service
from meetings import quorum as quorum_service
from meetings import sitting
from meetings.models import Call, Meeting, MeetingStatus, Proxy, RollRole
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS, VIEW_MEETING_RECORD
from meetings.rules import rules_of
from meetings.views import bp
from members import reports as member_reports


class PresenceForm(FlaskForm):
    """One tap on the check-in page: who (a roll line), what (in, out, stand in for), the search to go back to."""

    entry = HiddenField()
    action = HiddenField()
    representative = HiddenField()
    q = HiddenField()


class ProxyForm(OnceForm, FlaskForm):
    grantor = StringField(_l("Member no. of who gives the proxy"), validators=[Length(max=12)])
    holder = StringField(_l("Member no. of who holds it"), validators=[Length(max=12)])
    authorisation = StringField(_l("Written authorisation"), validators=[Length(max=300)],
                                description=_l("The letter as kept: who signed it and when, identity card attached."))


class OpenForm(FlaskForm):
    call = RadioField(_l("Open on the"), choices=[(c.value, sitting.CALL_LABELS[c]) for c in Call],
                      default=Call.FIRST.value, validate_choice=False)


class CurrentItemForm(FlaskForm):
    item = SelectField(_l("Item under debate"), validate_choice=False)


def _item_choices(meeting: Meeting) -> list[tuple[str, str]]:
    return [("", _("Between items"))] + [(str(i.id), f"{i.position}. {i.title}") for i in meeting.items]


# --- check-in -------------------------------------------------------------------------------------------

def _apply_presence(meeting: Meeting, form: PresenceForm):
    db, now = get_session(), utcnow()
    entry_id = whole_number(form.entry.data)
    action = form.action.data
    if action == "in":
        sitting.check_in(db, current_user, g.coop, meeting, entry_id, now=now)
        entry = sitting.entry_of(db, meeting, entry_id)
        flash(_("%(name)s is in.", name=entry.name), "success")
    elif action == "out":
        sitting.check_out(db, current_user, g.coop, meeting, entry_id, now=now)
        entry = sitting.entry_of(db, meeting, entry_id)
        flash(_("%(name)s has left.", name=entry.name), "success")
    elif action == "stand_in":
        entry = sitting.stand_in(db, current_user, g.coop, meeting, entry_id, whole_number(form.representative.data),
                                 now=now)
        flash(_("%(name)s stands in for %(representative)s and votes in their place.", name=entry.name,
                representative=sitting.entry_of(db, meeting, entry.stands_in_for_id).name), "success")
    else:
        abort(400)
    return entry


@bp.route("/<int:meeting_id>/checkin", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def checkin(meeting: Meeting):
    db = get_session()
    form = PresenceForm()
    if form.validate_on_submit():
        with show_refusal():
            entry = _apply_presence(meeting, form)
            keep = form.q.data if entry.role == RollRole.ALTERNATE and form.action.data == "in" else ""
            return redirect(url_for("meetings.checkin", meeting_id=meeting.id, q=keep or None))
        return redirect(url_for("meetings.checkin", meeting_id=meeting.id, q=form.q.data or None))
    text = query_text("q")
    found = sitting.find_on_roll(db, meeting, text) if text else sitting.RollSearch([], False)
    present, on_roll = sitting.presence_counts(db, meeting)
    return render_template("meetings/checkin.html", meeting=meeting, q=text, found=found,
                           notes=sitting.notes_for(db, meeting, found.entries), present=present, on_roll=on_roll,
                           state=quorum_service.state(db, g.coop, meeting), call_labels=sitting.CALL_LABELS,
                           with_roll=meeting.status in sitting.WITH_ROLL)


# --- opening, closing, the item under debate ---------------------------------------------------------

@bp.route("/<int:meeting_id>/open", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def open_meeting(meeting: Meeting):
    form = OpenForm()
    if form.validate_on_submit():
        with show_refusal():
            state = sitting.open_meeting(get_session(), current_user, g.coop, meeting, form.call.data, now=utcnow())
            flash(_("The meeting is open on the %(call)s, with %(counted)d voters present or represented.",
                    call=sitting.CALL_LABELS[meeting.call], counted=state.counted), "success")
    return redirect(url_for("meetings.quorum", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/close", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def close_meeting(meeting: Meeting):
    if FlaskForm().validate_on_submit():
        with show_refusal():
            sitting.close_meeting(get_session(), current_user, g.coop, meeting, now=utcnow())
            flash(_("The meeting is closed."), "success")
    return redirect(url_for("meetings.quorum", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/current", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def current_item(meeting: Meeting):
    form = CurrentItemForm()
    if form.validate_on_submit():
        with show_refusal():
            item = sitting.set_current_item(get_session(), meeting, whole_number(form.item.data))
            flash(_("Under debate now: %(title)s.", title=item.title) if item else
                  _("No item is under debate now."), "success")
    return redirect(url_for("meetings.quorum", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/quorum", methods=["GET"])
@coop_view(VIEW_MEETING_RECORD, meeting=Load(Meeting, arg="meeting_id"))
def quorum(meeting: Meeting):
    db = get_session()
    state = quorum_service.state(db, g.coop, meeting)
    second = (quorum_service.state(db, g.coop, meeting, Call.SECOND)
              if meeting.call is None and meeting.second_call_dt else None)
    item_form = CurrentItemForm(formdata=None, item=str(meeting.current_item_id or ""))
    item_form.item.choices = _item_choices(meeting)
    present, on_roll = sitting.presence_counts(db, meeting)
    return render_template("meetings/quorum.html", meeting=meeting, state=state, second=second,
                           events=sitting.quorum_history(db, meeting), present=present, on_roll=on_roll,
                           call_labels=sitting.CALL_LABELS, open_form=OpenForm(formdata=None),
                           item_form=item_form, MeetingStatus=MeetingStatus,
                           call_time=lambda call: sitting.call_time(g.coop, meeting, call))


# --- proxies -------------------------------------------------------------------------------------------

def _unless_sent(form, error) -> None:
    # a form sent twice is told once, by ``answer_if_sent``, on the page it led to
    if not (isinstance(error, submissions.AlreadySent) and error.url):
        apply_to_form(form, error)


@bp.route("/<int:meeting_id>/proxies", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def proxies(meeting: Meeting):
    db = get_session()
    form = ProxyForm()
    target = url_for("meetings.proxies", meeting_id=meeting.id)
    refusal = None
    if form.validate_on_submit():
        with show_refusal(form, apply=_unless_sent) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            proxy = proxy_service.record_proxy(
                db, current_user, g.coop, meeting, grantor_number=whole_number(form.grantor.data),
                holder_number=whole_number(form.holder.data), authorisation=form.authorisation.data, now=utcnow())
            sent.finish(target)
            flash(_("%(holder)s holds the proxy of %(grantor)s.", holder=proxy.holder.name,
                    grantor=proxy.grantor.name), "success")
            return redirect(target)
        answered = submissions.answer_if_sent(refusal)
        if answered is not None:
            return answered
    page = page_number()
    rows, total = proxy_service.proxies_of(db, meeting, page=page)
    return render_template("meetings/proxies.html", meeting=meeting, form=form, rows=rows, total=total, page=page,
                           per_page=proxy_service.PAGE_SIZE, rules=rules_of(db, g.coop),
                           with_roll=meeting.status in sitting.WITH_ROLL, remove_form=FlaskForm(formdata=None))


@bp.route("/<int:meeting_id>/proxies/<int:proxy_id>/remove", methods=["POST"])
@coop_view(MANAGE_MEETINGS, meeting=Load(Meeting, arg="meeting_id"), proxy=Load(Proxy, arg="proxy_id"))
def remove_proxy(meeting: Meeting, proxy: Proxy):
    if proxy.meeting_id != meeting.id:
        abort(404)
    if FlaskForm().validate_on_submit():
        grantor = proxy.grantor.name
        with show_refusal():
            proxy_service.remove_proxy(get_session(), current_user, g.coop, meeting, proxy, now=utcnow())
            flash(_("The proxy of %(grantor)s is removed.", grantor=grantor), "success")
    return redirect(url_for("meetings.proxies", meeting_id=meeting.id))


# --- the hall screen, the member's proxy ----------------------------------------------------------------

@bp.route("/<int:meeting_id>/hall", methods=["GET"])
@coop_view(VIEW_MEETINGS, meeting=Load(Meeting, arg="meeting_id"))
def hall(meeting: Meeting):
    if meeting.status == MeetingStatus.DRAFT and not can(MANAGE_MEETINGS):
        abort(404)  # a meeting still being prepared is not shown to members
    screen = sitting.hall_screen(get_session(), g.coop, meeting)
    return render_template("meetings/hall.html", meeting=meeting, screen=screen, page_width="hall",
                           call_labels=sitting.CALL_LABELS, MeetingStatus=MeetingStatus)


@bp.context_processor
def _member_proxy_helper():
    def member_proxy(meeting: Meeting) -> proxy_service.MemberProxy:
        """The reader's proxy at ``meeting`` (given or held), for ``_member_proxy.html``."""
        if meeting.status == MeetingStatus.DRAFT or not current_user.is_authenticated:
            return proxy_service.MemberProxy(None, [])
        db = get_session()
        member = member_reports.member_of_user(db, g.coop, current_user.id)
        return proxy_service.member_proxy(db, meeting, member)
    return {"member_proxy": member_proxy}
