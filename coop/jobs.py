"""The kernel's own scheduled jobs: delivering the outbox, forgetting dead sessions, and
running and purging background tasks."""
from __future__ import annotations

from flask import current_app

from coop import outbox, submissions, tasks
from coop.auth import services as auth
from coop.scheduler import JobContext, register


@register("outbox.send", trigger="interval", minutes=1,
          description="Send queued e-mail when an SMTP server is configured")
def send_outbox(ctx: JobContext) -> str:
    settings = outbox.SmtpSettings.from_config(ctx.config)
    if settings is None:
        return "no SMTP server configured; messages stay in the outbox"
    counts = outbox.send_due(ctx.session, settings, max_attempts=ctx.config["OUTBOX_MAX_ATTEMPTS"],
                             batch=ctx.config["OUTBOX_BATCH"], now=ctx.now)
    return "sent {sent}, to retry {retry}, failed {failed}".format(**counts)


@register("auth.purge", trigger="interval", hours=1,
          description="Delete expired sessions and old log-in counters")
def purge_auth(ctx: JobContext) -> str:
    sessions = auth.purge_sessions(ctx.session, auth.SessionPolicy.from_config(ctx.config), ctx.now)
    counters = auth.purge_throttles(ctx.session, auth.ThrottlePolicy.from_config(ctx.config), ctx.now)
    return f"{sessions} sessions and {counters} log-in counters removed"


@register("tasks.run", trigger="interval", minutes=1,
          description="Run queued tasks the task worker has not taken, and queue again those whose worker stopped")
def run_tasks(ctx: JobContext) -> str:
    # a task writes its progress in units of work of its own, so the job's session stays unused
    return tasks.run_waiting(current_app._get_current_object(), ctx.now)


@register("tasks.purge", trigger="interval", days=1,
          description="Delete finished tasks and their files after a week, and unconfirmed uploads after a day")
def purge_tasks(ctx: JobContext) -> str:
    # forms' one-time keys are forgotten here too: a page kept open a month is stale anyway
    keys = submissions.purge_submissions(ctx.session, ctx.now)
    removed = f"{tasks.purge_tasks(ctx.session, ctx.now)} tasks removed"
    return f"{removed}, {keys} form keys forgotten" if keys else removed
