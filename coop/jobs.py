"""The kernel's own scheduled jobs: delivering the outbox, forgetting dead sessions, and
rendering and purging background documents."""
from __future__ import annotations

from flask import current_app

from coop import documents, outbox
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


@register("documents.render", trigger="interval", minutes=1,
          description="Render documents still waiting (after a restart) and give up interrupted ones")
def render_documents(ctx: JobContext) -> str:
    # rendering writes its progress in units of work of its own, so the job's session stays unused
    return documents.render_waiting(current_app._get_current_object(), ctx.now)


@register("documents.purge", trigger="interval", days=1,
          description="Delete generated documents older than a week")
def purge_documents(ctx: JobContext) -> str:
    return f"{documents.purge_documents(ctx.session, ctx.now)} documents removed"
