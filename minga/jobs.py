"""Minga's scheduled jobs: closing each period once its grace days are over (``minga.closing``).

The job runs daily; a co-op whose rules close automatically gets every period whose deadline
has passed closed, oldest first. The unique (co-op, period) key of a close keeps a second run,
or a run in another process at the same instant, from fining anyone twice.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coop import calendar, tenancy
from coop.scheduler import N_, JobContext, job_detail, register
from minga import closing

CLOSED = job_detail(N_("%(count)d Minga periods closed"))
CLOSED_WHICH = job_detail(N_("%(count)d Minga periods closed (%(periods)s)"))
CLOSED_FAILED = job_detail(N_("%(count)d Minga periods closed; FAILED %(failed)d: %(failures)s"))


@register("minga.close", trigger="cron", hour=5, minute=30,
          description=_l("Close the Minga periods whose grace days are over (fines and work as capital)"))
def close_minga_periods(ctx: JobContext) -> str:
    done, failed = [], []
    for coop in tenancy.all_coops(ctx.session):
        closed, refused = closing.run_scheduled(ctx.session, coop, calendar.utc_to_local(coop, ctx.now).date())
        done += closed
        failed += refused
    values = {"count": len(done), "periods": "; ".join(done), "failed": len(failed), "failures": "; ".join(failed)}
    if failed:
        return CLOSED_FAILED % values
    return (CLOSED_WHICH if done else CLOSED) % values
