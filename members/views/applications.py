"""Applications to join: the co-op's public form, and the secretary's queue and decisions.

The public form (/c/<slug>/apply) needs no account. Its page is never cached, because it carries
a fresh signed stamp each time it is shown. The queue, the paper-form entry and the decisions are
for those who keep the register (``MANAGE_MEMBERS``).
"""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import submissions
from coop.calendar import today_in
from coop.db import get_session
from coop.errors import DomainError, apply_to_form
from coop.pages import Load, coop_view, page_number, public_view, query_text, show_refusal
from coop.views import invitation, invitation_link
from members import applications
from members.applications import (AlreadyDecided, PublicSubmission, Source, SubmissionRefused,
                                  TooManyApplications)
from members.forms import (ApplicationForm, ApproveApplicationForm, PublicApplicationForm,
                           RejectApplicationForm)
from members.models import Application, ApplicationStatus
from members.permissions import MANAGE_MEMBERS
from members.services import DOCUMENT_LABELS
from members.views import bp

#: an application's page: the co-op's application the URL names
BY_ID = Load.by(applications.application_of, "application_id")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


# --- the public form -------------------------------------------------------------------------

def _refusal_status(error: DomainError) -> int:
    if isinstance(error, TooManyApplications):
        return 429
    return 400 if isinstance(error, SubmissionRefused) else 200


@bp.route("/apply", methods=["GET", "POST"])
@public_view
def apply():
    form = PublicApplicationForm()
    form.today = today_in(g.coop)
    status = 200
    if form.validate_on_submit():
        submission = PublicSubmission(honeypot=form.website.data or "", stamp=form.stamp.data or "",
                                      client=request.remote_addr or "unknown")
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            applications.submit_public_application(get_session(), g.coop, form.application_data(), submission,
                                                   secret=_secret(), today=form.today)
            sent.finish(url_for("members.apply_sent"))
            return redirect(url_for("members.apply_sent"))
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
        status = _refusal_status(refusal.error)
    form.website.data = ""
    form.stamp.data = applications.issue_stamp(_secret(), g.coop)
    response = current_app.make_response((render_template("members/apply.html", form=form), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/apply/sent")
@public_view
def apply_sent():
    return render_template("members/apply_sent.html")


# --- the secretary's queue -------------------------------------------------------------------

@bp.route("/members/applications")
@coop_view(MANAGE_MEMBERS)
def applications_queue():
    db = get_session()
    wanted = query_text("status", 20)
    status = ApplicationStatus(wanted) if wanted in set(ApplicationStatus) else None
    page = page_number()
    rows, total = applications.queue(db, g.coop, status=status, page=page)
    return render_template("members/applications.html", rows=rows, total=total, page=page,
                           per_page=applications.PAGE_SIZE, status=status,
                           counts=applications.counts_by_status(db, g.coop),
                           status_labels=applications.STATUS_LABELS)


@bp.route("/members/applications/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS)
def new_application():
    form = ApplicationForm()
    form.today = today_in(g.coop)
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            application = applications.submit_application(get_session(), current_user, g.coop,
                                                          form.application_data(), source=Source.SECRETARY,
                                                          today=form.today)
            sent.finish(url_for("members.application", application_id=application.id))
            flash(_("The application of %(name)s is in the queue.", name=application.full_name), "success")
            return redirect(url_for("members.application", application_id=application.id))
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("members/application_form.html", form=form)


def _show_decision_refusal(form, error: DomainError) -> None:
    """Someone decided first (perhaps a moment ago): say so above the decision that stands."""
    if isinstance(error, AlreadyDecided):
        flash(error.text, "error")
    else:
        apply_to_form(form, error)


def _render_application(application: Application, approve_form=None, reject_form=None):
    today = today_in(g.coop)
    approve_form = approve_form or ApproveApplicationForm(formdata=None, prefix="approve", decision_date=today)
    reject_form = reject_form or RejectApplicationForm(formdata=None, prefix="reject", decision_date=today)
    return render_template(
        "members/application.html", application=application, approve_form=approve_form,
        reject_form=reject_form, status_labels=applications.STATUS_LABELS,
        source_labels=applications.SOURCE_LABELS, document_labels=DOCUMENT_LABELS,
        member_number=applications.member_number(get_session(), application))


def _after_decision(application: Application):
    return redirect(url_for("members.application", application_id=application.id))


@bp.route("/members/applications/<int:application_id>")
@coop_view(MANAGE_MEMBERS, application=BY_ID)
def application(application: Application):
    return _render_application(application)


def _flash_approval(approval: applications.Approval) -> None:
    member = approval.member
    flash(_("%(name)s is member no. %(number)d.", name=member.full_name, number=member.number), "success")
    if approval.invited:
        flash(_("An invitation to the co-op's pages is on its way to %(email)s.", email=member.email), "info")
    elif member.email and approval.user is None:
        flash(_("The e-mail %(email)s already opens another member's pages; this member has no "
                "account of their own yet.", email=member.email), "info")


@bp.route("/members/applications/<int:application_id>/approve", methods=["POST"])
@coop_view(MANAGE_MEMBERS, application=BY_ID)
def approve_application(application: Application):
    form = ApproveApplicationForm(prefix="approve")
    if form.validate_on_submit():
        with show_refusal(form, apply=_show_decision_refusal) as refusal:
            approval = applications.approve_application(
                get_session(), current_user, g.coop, application, decision_date=form.decision_date.data,
                today=today_in(g.coop), resolution_ref=form.resolution_ref.data or "",
                reason=form.reason.data or "", invitation=invitation(), invite_link=invitation_link,
                resolution_id=form.resolution_id.data)
            _flash_approval(approval)
            return _after_decision(application)
        if isinstance(refusal.error, AlreadyDecided):
            return _after_decision(application)
    return _render_application(application, approve_form=form)


@bp.route("/members/applications/<int:application_id>/reject", methods=["POST"])
@coop_view(MANAGE_MEMBERS, application=BY_ID)
def reject_application(application: Application):
    form = RejectApplicationForm(prefix="reject")
    if form.validate_on_submit():
        with show_refusal(form, apply=_show_decision_refusal) as refusal:
            applications.reject_application(get_session(), current_user, g.coop, application,
                                            decision_date=form.decision_date.data, reason=form.reason.data or "",
                                            today=today_in(g.coop), resolution_ref=form.resolution_ref.data or "",
                                            resolution_id=form.resolution_id.data)
            flash(_("The application of %(name)s was rejected.", name=application.full_name), "success")
            return _after_decision(application)
        if isinstance(refusal.error, AlreadyDecided):
            return _after_decision(application)
    return _render_application(application, reject_form=form)
