"""Work packages and the accountability report: what became of the assembly's decisions.

Every member reads the packages, one package's trace (resolution, budget line, expenses, Minga
hours, progress and photos) and the accountability page, and may print the report; the officers
(``MANAGE_WORK``) open and change packages, link sessions and expenses and report progress. The
rules are ``meetings.observatory.work``'s, the figures ``trace``'s, the PDF
``printing_accountability``'s.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop import submissions, tasks
from coop.access import current_viewer
from coop.calendar import utc_to_local
from coop.db import get_session
from coop.forms import MoneyField, OnceForm
from coop.money import Money, format_money
from coop.pages import Load, coop_view, refreshing, show_refusal
from coop.web import reader_locale
from ledger import expenses as ledger_expenses
from ledger.models import Account, Expense
from meetings.models import Resolution
from meetings.observatory import printing_accountability, trace
from meetings.observatory import work as works
from meetings.observatory.models import WorkPackage, WorkStatus
from meetings.observatory.permissions import MANAGE_WORK, VIEW_OBSERVATORY
from meetings.observatory.views import bp
from minga import commissions as minga_commissions
from minga.models import Commission, WorkSession

PACKAGE = Load(WorkPackage, arg="package_id")
#: how many of the co-op's resolutions, sessions and expenses the pickers offer (newest first)
PICKER_SIZE = 200


# --- forms ------------------------------------------------------------------------------------------

class PackageForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Write the work package's title.")),
                                                 Length(max=works.MAX_TITLE)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=works.MAX_DESCRIPTION)])
    account = SelectField(_l("Budget line (account)"), validate_choice=False)
    voted = MoneyField(_l("Amount voted"), validators=[InputRequired(_l("Enter an amount."))])
    commission = SelectField(_l("Commission doing the work"), validate_choice=False)


class NewPackageForm(OnceForm, PackageForm):
    resolution = SelectField(_l("Resolution that decided it"), validate_choice=False)


class EditPackageForm(PackageForm):
    status = SelectField(_l("Status"), choices=[(str(s), label) for s, label in works.STATUS_LABELS.items()])
    progress = IntegerField(_l("Progress (%)"), validators=[InputRequired(_l("Write the progress, 0 to 100.")),
                                                           NumberRange(0, 100, _l("Progress is a percentage from 0 to 100."))])
    finished_on = DateField(_l("Finished on"), validators=[Optional()],
                            description=_l("Required when the work is finished."))


class LinkForm(FlaskForm):
    action = HiddenField()
    session = SelectField(_l("Minga session"), validate_choice=False)
    expense = SelectField(_l("Expense"), validate_choice=False)


class UpdateForm(OnceForm, FlaskForm):
    text = TextAreaField(_l("What was done"), validators=[InputRequired(_l("Say what was done.")),
                                                          Length(max=works.MAX_UPDATE)])
    progress = IntegerField(_l("Progress (%)"), validators=[InputRequired(_l("Write the progress, 0 to 100.")),
                                                           NumberRange(0, 100, _l("Progress is a percentage from 0 to 100."))])
    photo = FileField(_l("Photo (JPEG or PNG, optional)"))


def _page(template: str, **context) -> str:
    """A page of this module: minutes are written as hours in the reader's language."""
    return render_template(template, hours=trace.hours, **context)


def _money(minor: int) -> str:
    return format_money(Money(minor, g.coop.currency), reader_locale())


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _choices(form: PackageForm) -> None:
    db = get_session()
    form.account.choices = [("", _("Choose…"))] + [
        (str(a.id), a.label) for a in ledger_expenses.expense_accounts(db, g.coop)]
    form.commission.choices = [("", _("No commission"))] + [
        (str(c.id), c.name) for c in minga_commissions.commissions(db, g.coop)]
    if isinstance(form, NewPackageForm):
        form.resolution.choices = [("", _("Choose…"))] + [
            (str(r.id), f"{r.reference} · {r.title}") for r in db.scalars(
                sa.select(Resolution).where(Resolution.coop_id == g.coop.id)
                .order_by(Resolution.decided_on.desc(), Resolution.id.desc()).limit(PICKER_SIZE))]


def _of_coop(model, value):
    found = get_session().get(model, _int(value)) if _int(value) is not None else None
    return found if found is not None and found.coop_id == g.coop.id else None


def _facts(form: PackageForm) -> works.PackageFacts:
    return works.PackageFacts(
        title=form.title.data or "", description=form.description.data or "",
        account=_of_coop(Account, form.account.data), voted_minor=form.voted.data,
        commission=_of_coop(Commission, form.commission.data),
        resolution=_of_coop(Resolution, form.resolution.data) if isinstance(form, NewPackageForm) else None)


# --- reading ----------------------------------------------------------------------------------------

@bp.route("/work", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def work_packages():
    """Every work package, by status or by process, with voted, spent, hours and progress."""
    by = request.args.get("by", "status")
    by = by if by in trace.GROUPINGS else "status"
    groups, totals = trace.overview(get_session(), g.coop, by)
    return _page("observatory/work_packages.html", groups=groups, totals=totals, by=by,
                           labels=works.STATUS_LABELS, may_manage=current_viewer().may(MANAGE_WORK))


@bp.route("/work/<int:package_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, package=PACKAGE)
def work_package(package: WorkPackage):
    """One package traced: decision, budget line, money voted and spent, expenses, hours, progress, photos."""
    db = get_session()
    return _page("observatory/work_package.html", package=package,
                           trace=trace.package_trace(db, g.coop, package),
                           sessions=trace.package_sessions(db, g.coop, package),
                           updates=trace.package_updates(db, package), labels=works.STATUS_LABELS,
                           expense_labels=ledger_expenses.STATUS_LABELS,
                           may_manage=current_viewer().may(MANAGE_WORK))


@bp.route("/work/<int:package_id>/updates/<int:update_id>/photo", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, package=PACKAGE)
def work_photo(package: WorkPackage, update_id: int):
    update = works.photo_of(get_session(), g.coop, package.id, update_id)
    if update is None:
        abort(404)
    response = Response(update.photo, mimetype=update.photo_type)
    response.headers["Content-Disposition"] = f'inline; filename="{update.photo_name}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- writing ----------------------------------------------------------------------------------------

@bp.route("/work/new", methods=["GET", "POST"])
@coop_view(MANAGE_WORK)
def new_work_package():
    """Open a work package for one of the co-op's resolutions."""
    form = NewPackageForm()
    _choices(form)
    if request.method == "GET" and request.args.get("resolution"):
        form.resolution.data = request.args["resolution"]
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            package = works.create_work_package(get_session(), current_user, g.coop, _facts(form))
            target = url_for("observatory.work_package", package_id=package.id)
            sent.finish(target)
            flash(_("The work package “%(title)s” is open.", title=package.title), "success")
            return redirect(target)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    status = 422 if request.method == "POST" else 200
    return render_template("observatory/work_form.html", form=form, package=None), status


@bp.route("/work/<int:package_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_WORK, package=PACKAGE)
def edit_work_package(package: WorkPackage):
    """Change a package: its facts, status, progress and the day it finished."""
    form = EditPackageForm(obj=package) if request.method == "GET" else EditPackageForm()
    _choices(form)
    if request.method == "GET":
        form.account.data = str(package.account_id)
        form.commission.data = str(package.commission_id or "")
        form.voted.data = package.voted_minor
        form.status.data = str(package.status)
        form.progress.data = package.progress_pct
    if form.validate_on_submit():
        with show_refusal(form):
            works.edit_work_package(get_session(), current_user, g.coop, package, _facts(form),
                                    status=WorkStatus(form.status.data), progress_pct=form.progress.data,
                                    finished_on=form.finished_on.data)
            flash(_("The work package is saved."), "success")
            return redirect(url_for("observatory.work_package", package_id=package.id))
    status = 422 if request.method == "POST" else 200
    return render_template("observatory/work_form.html", form=form, package=package), status


def _session_choices(package: WorkPackage) -> list[tuple[str, str]]:
    """The co-op's sessions not linked here, the package's commission's first, newest first."""
    rows = trace.sessions_to_link(get_session(), g.coop, package, limit=PICKER_SIZE)
    return [("", _("Choose…"))] + [
        (str(sid), f"{utc_to_local(g.coop, starts).date().isoformat()} · {title} · {commission}")
        for sid, title, starts, commission in rows]


def _expense_choices(package: WorkPackage) -> list[tuple[str, str]]:
    """The co-op's approved and paid expenses not linked here, the package's account's first, newest first."""
    rows = trace.expenses_to_link(get_session(), g.coop, package, limit=PICKER_SIZE)
    labels = ledger_expenses.STATUS_LABELS
    return [("", _("Choose…"))] + [
        (str(eid), f"{_('No. %(number)d', number=eid)} · {day.isoformat()} · {supplier} · {_money(amount)} · {labels[status]}")
        for eid, day, supplier, amount, status in rows]


def _apply_link(form: LinkForm, package: WorkPackage) -> None:
    db, action = get_session(), form.action.data
    if action == "link_session":
        works.link_session(db, current_user, g.coop, package, _of_coop(WorkSession, form.session.data))
        flash(_("The session is linked: its hours count for this work."), "success")
    elif action == "unlink_session":
        works.unlink_session(db, current_user, g.coop, package, _int(form.session.data) or 0)
        flash(_("The session is no longer linked."), "success")
    elif action == "link_expense":
        works.link_expense(db, current_user, g.coop, package, _of_coop(Expense, form.expense.data))
        flash(_("The expense is linked: what was paid counts for this work."), "success")
    elif action == "unlink_expense":
        works.unlink_expense(db, current_user, g.coop, package, _int(form.expense.data) or 0)
        flash(_("The expense is no longer linked."), "success")
    else:
        abort(400)


@bp.route("/work/<int:package_id>/links", methods=["GET", "POST"])
@coop_view(MANAGE_WORK, package=PACKAGE)
def work_links(package: WorkPackage):
    """Link Minga sessions and expenses to the package, or unlink them."""
    form = LinkForm()
    form.session.choices = _session_choices(package)
    form.expense.choices = _expense_choices(package)
    status = 200
    if form.validate_on_submit():
        with show_refusal(form):
            _apply_link(form, package)
            return redirect(url_for("observatory.work_links", package_id=package.id))
        status = 422
    elif request.method == "POST":
        status = 422
    db = get_session()
    return _page("observatory/work_links.html", package=package, form=form,
                           trace=trace.package_trace(db, g.coop, package),
                           sessions=trace.package_sessions(db, g.coop, package),
                           expense_labels=ledger_expenses.STATUS_LABELS), status


@bp.route("/work/<int:package_id>/updates", methods=["GET", "POST"])
@coop_view(MANAGE_WORK, package=PACKAGE)
def work_update(package: WorkPackage):
    """Report the work's progress, with a photo if there is one."""
    form = UpdateForm()
    if request.method == "GET":
        form.progress.data = package.progress_pct
    if form.validate_on_submit():
        upload = form.photo.data
        photo = (upload.filename or "", upload.read()) if upload and getattr(upload, "filename", "") else None
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            works.report_progress(get_session(), current_user, g.coop, package, text=form.text.data,
                                  progress_pct=form.progress.data, photo=photo)
            target = url_for("observatory.work_package", package_id=package.id)
            sent.finish(target)
            flash(_("The progress report is saved."), "success")
            return redirect(target)
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    status = 422 if request.method == "POST" else 200
    return render_template("observatory/work_update.html", package=package, form=form,
                           limit=works.megabytes(works.photo_limit())), status


# --- the accountability report ----------------------------------------------------------------------

@bp.route("/accountability", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def accountability():
    """For the assembly: every decision of past participatory budgets and every other package, what became of it."""
    return _page("observatory/accountability.html",
                           report=trace.accountability(get_session(), g.coop), labels=works.STATUS_LABELS)


def _printed() -> list:
    viewer = current_viewer()
    return [(task, name) for task, name in tasks.tasks_of(get_session(), g.coop, printing_accountability.KIND)
            if tasks.may_see(viewer, task)]


@bp.route("/accountability/print", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def print_accountability():
    """The printed report: the copies asked for so far; a POST asks for a new one (a background document)."""
    if request.method == "POST":
        form = FlaskForm()
        if not form.validate_on_submit():
            abort(400)
        with show_refusal():
            task = printing_accountability.request_accountability(get_session(), g.coop, current_user,
                                                                  locale=reader_locale())
            flash(_("The document is being prepared. This page shows how far it got and then offers the file."),
                  "success")
            return redirect(url_for("coop.task", task_id=task.id))
        return redirect(url_for("observatory.print_accountability"))
    printed = _printed()
    waiting = any(task.is_waiting for task, _name in printed)
    return refreshing(render_template("observatory/work_accountability_print.html", printed=printed, waiting=waiting,
                                      refresh=tasks.REFRESH_SECONDS), waiting, tasks.REFRESH_SECONDS)


@bp.app_context_processor
def _work_for_helper():
    """``work_packages_for(resolution_id=…)`` / ``(expense_id=…)`` for any template: the partial
    ``observatory/_work_for.html`` links a resolution or an expense to the work it paid for."""
    def work_packages_for(**ids):
        if g.get("coop") is None or not current_user.is_authenticated or not current_viewer().may(VIEW_OBSERVATORY):
            return []
        return trace.packages_for(get_session(), g.coop, **ids)
    return {"work_packages_for": work_packages_for}

