"""The kernel's own scheduled jobs: delivering the outbox and forgetting dead sessions."""
from __future__ import annotations

from coop import outbox
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
