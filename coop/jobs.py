"""The kernel's own scheduled jobs: delivering the outbox, forgetting dead sessions, and
running and purging background tasks.

Each reports one line in English, from a message declared with ``job_detail`` (and marked with
``N_`` for the catalogue): the jobs pages read it back in the reader's language.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from coop import outbox, submissions, tasks
from coop.auth import services as auth
from coop.scheduler import N_, JobContext, job_detail, register

NO_SMTP = job_detail(N_("no SMTP server configured; messages stay in the outbox"))
SENT = job_detail(N_("sent %(sent)d, to retry %(retry)d, failed %(failed)d"))
PURGED_SESSIONS = job_detail(N_("%(sessions)d sessions and %(counters)d log-in counters removed"))
# coop.tasks.run_waiting writes this line
job_detail(N_("%(done)d done, %(failed)d failed, %(requeued)d queued again, %(given_up)d given up"))
PURGED_TASKS = job_detail(N_("%(count)d tasks removed"))
PURGED_TASKS_AND_KEYS = job_detail(N_("%(count)d tasks removed, %(keys)d form keys forgotten"))


@register("outbox.send", trigger="interval", minutes=1,
          description=_l("Send queued e-mail when an SMTP server is configured"))
def send_outbox(ctx: JobContext) -> str:
    settings = outbox.SmtpSettings.from_config(ctx.config)
    if settings is None:
        return NO_SMTP
    counts = outbox.send_due(ctx.session, settings, max_attempts=ctx.config["OUTBOX_MAX_ATTEMPTS"],
                             batch=ctx.config["OUTBOX_BATCH"], now=ctx.now)
    return SENT % counts


@register("auth.purge", trigger="interval", hours=1,
          description=_l("Delete expired sessions and old log-in counters"))
def purge_auth(ctx: JobContext) -> str:
    sessions = auth.purge_sessions(ctx.session, auth.SessionPolicy.from_config(ctx.config), ctx.now)
    counters = auth.purge_throttles(ctx.session, auth.ThrottlePolicy.from_config(ctx.config), ctx.now)
    return PURGED_SESSIONS % {"sessions": sessions, "counters": counters}


@register("tasks.run", trigger="interval", minutes=1,
          description=_l("Run queued tasks the task worker has not taken, and queue again those whose worker stopped"))
def run_tasks(ctx: JobContext) -> str:
    # a task writes its progress in units of work of its own, so the job's session stays unused
    return tasks.run_waiting(current_app._get_current_object(), ctx.now)


@register("tasks.purge", trigger="interval", days=1,
          description=_l("Delete finished tasks and their files after a week, and unconfirmed uploads after a day"))
def purge_tasks(ctx: JobContext) -> str:
    # forms' one-time keys are forgotten here too: a page kept open a month is stale anyway
    keys = submissions.purge_submissions(ctx.session, ctx.now)
    removed = tasks.purge_tasks(ctx.session, ctx.now)
    return PURGED_TASKS_AND_KEYS % {"count": removed, "keys": keys} if keys else PURGED_TASKS % {"count": removed}
