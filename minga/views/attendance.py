"""Minga pages: recording who worked a session (on a phone, in the field, without JavaScript), walk-ins,
corrections with their history, and the printed sign-in sheet and programme (background documents)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import Form, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from coop import tasks
from coop.access import current_viewer
from coop.calendar import today_in
from coop.db import get_session, utcnow
from coop.errors import DomainError
from coop.pages import Load, coop_view, query_int, refreshing, show_refusal
from coop.text import whole_number
from coop.web import reader_locale
from minga import attendance, printing, wording
from minga.attendance import STATUS_LABELS, AttendanceEntry, row_field
from minga.models import AttendanceStatus, WorkSession
from minga.permissions import MANAGE_SESSIONS, VIEW_MINGA
from minga.views import bp


# --- forms -----------------------------------------------------------------------------------------

class AttendanceRowForm(Form):
    """One person's row of the sheet (its fields are named "m<member id>-..."; the sheet carries the CSRF token)."""

    status = RadioField(_l("Attendance"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                        validate_choice=False)
    hours = StringField(_l("Hours"), validators=[Length(max=10)])
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    correction_reason = StringField(_l("Why is it corrected?"), validators=[Length(max=500)])


class SheetForm(FlaskForm):
    form = HiddenField(default="sheet")


class WalkInForm(FlaskForm):
    form = HiddenField(default="walk_in")
    who = StringField(_l("Member number or name"), validators=[Length(max=100)])
    number = RadioField(_l("Which one?"), choices=[], validate_choice=False)
    hours = StringField(_l("Hours worked"), validators=[Length(max=10)])


class ProgrammeForm(FlaskForm):
    weeks = SelectField(_l("Weeks"), coerce=int, default=printing.DEFAULT_WEEKS,
                        choices=[(n, str(n)) for n in printing.PROGRAMME_WEEKS])


# --- the attendance sheet ---------------------------------------------------------------------------

def _language() -> str:
    return reader_locale().split("_")[0]


def _row_forms(rows, work_session: WorkSession, posted: bool) -> dict[int, AttendanceRowForm]:
    """A form per row: what was sent, else what was recorded, else present for the whole session."""
    forms = {}
    for row in rows:
        recorded = row.attendance
        data = ({"status": recorded.status.value, "reason": recorded.reason,
                 "hours": attendance.hours_input(recorded.minutes or None, _language())} if recorded else
                {"status": AttendanceStatus.PRESENT.value,
                 "hours": attendance.hours_input(work_session.length_minutes, _language())})
        forms[row.member.id] = AttendanceRowForm(formdata=request.form if posted else None,
                                                 prefix=f"m{row.member.id}-", data=data)
    return forms


def _entries(row_forms: dict[int, AttendanceRowForm]) -> tuple[list[AttendanceEntry], list[DomainError]]:
    """The rows as the service takes them, and the hours that could not be read (beside their row)."""
    entries, unreadable = [], []
    for member_id, form in row_forms.items():
        if not form.status.raw_data:
            continue  # a row the page did not show when it was sent (a sign-up since): left as it is
        if not form.validate():
            unreadable.extend(DomainError(field.errors[0], field=row_field(member_id, name))
                              for name, field in form._fields.items() if field.errors)
        minutes = None
        if form.status.data == AttendanceStatus.PRESENT.value:
            try:
                minutes = attendance.parse_hours(form.hours.data, row_field(member_id, "minutes"))
            except DomainError as error:
                unreadable.append(error)
        entries.append(AttendanceEntry(member_id, form.status.data, minutes or 0, form.reason.data or "",
                                       form.correction_reason.data or ""))
    return entries, unreadable


_ROW_FIELDS = {"status": "status", "minutes": "hours", "hours": "hours", "reason": "reason", "correction_reason": "correction_reason"}


def _show_beside_rows(row_forms: dict[int, AttendanceRowForm], sheet: SheetForm, error: DomainError) -> None:
    """Put each refusal beside its row's field; a row keeps its first message (hours it could not read)."""
    for each in getattr(error, "errors", None) or [error]:
        member_id, _sep, name = (each.field or "").partition("-")
        form = row_forms.get(whole_number(member_id[1:]))
        field = getattr(form, _ROW_FIELDS.get(name, ""), None) if form is not None else None
        if field is None:
            sheet.form_errors.append(each.text)
        elif not field.errors:
            field.errors = list(field.errors) + [each.text]


def _record_sheet(work_session: WorkSession, rows, row_forms, sheet: SheetForm):
    entries, unreadable = _entries(row_forms)
    with show_refusal(sheet, apply=lambda form, error: _show_beside_rows(row_forms, form, error)):
        for error in unreadable:
            _show_beside_rows(row_forms, sheet, error)
        written = attendance.record_attendance(get_session(), current_user, g.coop, work_session, entries)
        if unreadable:
            raise DomainError(unreadable[0].message, field=unreadable[0].field)
        flash(_("The attendance is recorded (%(count)d rows changed).", count=len(written))
              if written else _("Nothing changed: the attendance was already recorded as sent."), "success")
        return redirect(url_for("minga.attendance", session_id=work_session.id))
    return None


def _walk_in(work_session: WorkSession, form: WalkInForm):
    """Find the member typed (or chosen among several) and record them: a response, or None to show the page."""
    db = get_session()
    chosen = form.number.data or ""
    found = attendance.find_members(db, g.coop, chosen if whole_number(chosen) is not None else form.who.data or "")
    form.number.choices = [(str(m.number), f"{m.number} · {m.sort_name}") for m in found]
    if not found:
        form.who.errors = [_("No member has that number or name.")]
        return None
    if len(found) > 1:
        form.number.errors = [_("Several members match: choose one.")]
        return None
    with show_refusal(form, apply=_walk_in_refusal):
        minutes = attendance.parse_hours(form.hours.data, "hours")
        added = attendance.add_walk_in(db, current_user, g.coop, work_session, found[0], minutes)
        flash(_("%(name)s is added to the attendance.", name=added.member.full_name), "success")
        return redirect(url_for("minga.attendance", session_id=work_session.id))
    return None


def _walk_in_refusal(form: WalkInForm, error: DomainError) -> None:
    for each in getattr(error, "errors", None) or [error]:
        field = form.hours if each.field == "hours" else form.who
        field.errors = list(field.errors) + [each.text]


def _back_url(work_session: WorkSession) -> str | None:
    """The session's management page, where the sessions' pages are (they may not be here yet)."""
    try:
        return url_for("minga.manage_session", session_id=work_session.id)
    except BuildError:
        return None


@bp.route("/manage/sessions/<int:session_id>/attendance", methods=["GET", "POST"], endpoint="attendance")
@coop_view(MANAGE_SESSIONS, work_session=Load(WorkSession, arg="session_id"))
def attendance_page(work_session: WorkSession):
    """The coordinator records who worked: one row per person, a walk-in form, corrections with their history."""
    db = get_session()
    rows = attendance.attendance_sheet(db, g.coop, work_session)
    which = request.form.get("form") if request.method == "POST" else None
    row_forms = _row_forms(rows, work_session, posted=which == "sheet")
    sheet = SheetForm(formdata=request.form if which == "sheet" else None)
    walk_in = WalkInForm(formdata=request.form if which == "walk_in" else None,
                         data={"hours": attendance.hours_input(work_session.length_minutes, _language())})
    if which == "sheet" and sheet.validate_on_submit():
        response = _record_sheet(work_session, rows, row_forms, sheet)
        if response is not None:
            return response
    elif which == "walk_in" and walk_in.validate_on_submit():
        response = _walk_in(work_session, walk_in)
        if response is not None:
            return response
    try:
        attendance.check_session_open_to_attendance(g.coop, work_session, utcnow())
        closed_reason = None
    except DomainError as error:
        closed_reason = error.text
    return render_template(
        "minga/attendance.html", work_session=work_session, rows=rows, row_forms=row_forms, sheet=sheet,
        walk_in=walk_in, closed_reason=closed_reason, back_url=_back_url(work_session),
        changes=attendance.changes_of_session(db, g.coop, work_session), status_labels=STATUS_LABELS,
        when=wording.session_when(g.coop, work_session, _language()), language=_language(),
        hours_text=wording.hours_text), 422 if _refused(sheet, walk_in, row_forms) else 200


def _refused(sheet: SheetForm, walk_in: WalkInForm, row_forms: dict[int, AttendanceRowForm]) -> bool:
    return bool(sheet.errors or walk_in.errors or any(form.errors for form in row_forms.values()))


# --- printed documents ------------------------------------------------------------------------------

def _printed(kind: str, keep) -> list:
    viewer = current_viewer()
    return [(task, name) for task, name in tasks.tasks_of(get_session(), g.coop, kind)
            if keep(task) and tasks.may_see(viewer, task)]


@bp.route("/manage/sessions/<int:session_id>/sign-in-sheet", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, work_session=Load(WorkSession, arg="session_id"))
def sign_in_sheet(work_session: WorkSession):
    """The session's printed sign-in sheets, and a button to print one now (a background document)."""
    if request.method == "POST":  # no fields: CSRFProtect checks the token of every POST
        with show_refusal():
            task = printing.request_sign_in_sheet(get_session(), g.coop, current_user, work_session,
                                                  locale=reader_locale())
            flash(_("The document is being prepared. This page shows how far it got and then offers the file."),
                  "success")
            return redirect(url_for("coop.task", task_id=task.id))
        return redirect(url_for("minga.sign_in_sheet", session_id=work_session.id))
    printed = _printed(printing.SIGN_IN_KIND, lambda task: (task.params or {}).get("session_id") == work_session.id)
    waiting = any(task.is_waiting for task, _name in printed)
    return refreshing(render_template(
        "minga/attendance_sign_in_sheet.html", work_session=work_session, printed=printed, waiting=waiting,
        refresh=tasks.REFRESH_SECONDS, when=wording.session_when(g.coop, work_session, _language()),
        back_url=_back_url(work_session)), waiting, tasks.REFRESH_SECONDS)


@bp.route("/programme", methods=["GET", "POST"])
@coop_view(VIEW_MINGA)
def programme():
    """The programme of the coming weeks for the notice board: choose how many weeks, print it."""
    form = ProgrammeForm(data={"weeks": query_int("weeks", min=1, max=8) or printing.DEFAULT_WEEKS}
                         if request.method == "GET" else None)
    first_day = today_in(g.coop)
    if form.validate_on_submit():
        with show_refusal(form):
            task = printing.request_programme(get_session(), g.coop, current_user, first_day=first_day,
                                              weeks=form.weeks.data, locale=reader_locale())
            flash(_("The document is being prepared. This page shows how far it got and then offers the file."),
                  "success")
            return redirect(url_for("coop.task", task_id=task.id))
    weeks = form.weeks.data if form.weeks.data in printing.PROGRAMME_WEEKS else printing.DEFAULT_WEEKS
    return render_template("minga/attendance_programme.html", form=form, first_day=first_day,
                           week_title=lambda week: printing.week_title(week, _language()),
                           weeks=printing.programme(get_session(), g.coop, first_day=first_day, weeks=weeks,
                                                    language=_language()))
