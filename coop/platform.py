"""The platform operator's pages: opening co-ops, the whole outbox, and the scheduled jobs."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import invitations, outbox, scheduler, tenancy
from coop.db import get_or_404, get_session
from coop.forms import NewCoopForm
from coop.pages import page_number, platform_view, query_text, refreshing, show_refusal
from coop.tasks import REFRESH_SECONDS
from coop.tenancy import Role
from coop.views import invitation_link

bp = Blueprint("platform", __name__, url_prefix="/platform")


@bp.route("/coops", methods=["GET", "POST"])
@platform_view
def coops():
    db = get_session()
    form = NewCoopForm()
    example = "alianza-solidaria"
    form.slug.description = _("Lower-case letters, digits and hyphens. For example, “%(slug)s” gives the co-op "
                              "the address %(url)s", slug=example, url=f"{request.host_url}c/{example}/")
    if form.validate_on_submit():
        with show_refusal(form):
            coop = tenancy.create_coop(
                db, current_user, name=form.name.data, slug=form.slug.data,
                currency=form.currency.data.upper(), locale=form.locale.data,
                country=form.country.data.upper(), timezone=form.timezone.data.strip())
            # its administrator joins by accepting, like anyone else (an existing account is never attached)
            invitations.invite(db, current_user, coop, email=form.admin_email.data, name=form.admin_name.data,
                               role=Role.ADMIN, link_for=invitation_link)
            flash(_("The co-op %(name)s is open. Its administrator has been invited.", name=coop.name),
                  "success")
            return redirect(url_for("platform.coops"))
    return render_template("admin/coops.html", form=form, coops=tenancy.all_coops(db))


@bp.route("/outbox")
@platform_view
def outbox_page():
    page = page_number()
    status = query_text("status", 20)
    messages, total = outbox.messages(get_session(), coop_id=None, status=status, page=page)
    return render_template("admin/outbox.html", messages=messages, total=total, page=page,
                           per_page=outbox.PAGE_SIZE, status=status, platform=True)


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@platform_view
def retry_message(message_id: int):
    db = get_session()
    message = get_or_404(db, outbox.OutboxMessage, message_id)
    with show_refusal():
        outbox.retry(db, message)
        flash(_("The message is back in the queue."), "success")
    return redirect(url_for("platform.outbox_page"))


@bp.route("/jobs")
@platform_view
def jobs():
    db = get_session()
    waiting = scheduler.in_progress(db)
    return refreshing(render_template("admin/jobs.html", specs=scheduler.REGISTRY.values(),
                                      last=scheduler.last_runs(db), runs=scheduler.recent_runs(db), platform=True,
                                      refresh=REFRESH_SECONDS if waiting else None),
                      waiting, REFRESH_SECONDS)


@bp.route("/jobs/<job_id>/run", methods=["POST"])
@platform_view
def run_job(job_id: str):
    """Hand the job to the scheduler process: a dues run can take seconds, never inside a request."""
    if job_id not in scheduler.REGISTRY:
        abort(404)
    with show_refusal():
        scheduler.request_run(get_session(), job_id)
        flash(_("Job %(job)s will start within a few seconds; its run is listed below.", job=job_id), "success")
    return redirect(url_for("platform.jobs"))
