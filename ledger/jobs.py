"""Scheduled jobs of the ledger: the nightly integrity check.

``ledger.verify`` re-checks every co-op's books (entry balances, account totals, the hash
chain, gapless numbers). When a co-op's books show a problem, its administrators get one e-mail
through the outbox; the dedupe key (co-op and day) keeps a second run that day from mailing
again.
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import outbox, tenancy
from coop.scheduler import N_, JobContext, job_detail, register
from coop.tenancy import Role
from ledger import reports

ALL_SOUND = job_detail(N_("%(count)d ledgers checked, all sound"))
BROKEN = job_detail(N_("%(count)d ledgers checked, broken: %(broken)s; %(alerts)d alerts queued"))
CHARGED = job_detail(N_("%(count)d periods charged"))
CHARGED_WHICH = job_detail(N_("%(count)d periods charged (%(periods)s)"))
CHARGED_FAILED = job_detail(N_("%(count)d periods charged; FAILED %(failed)d: %(failures)s"))
CHARGED_WHICH_FAILED = job_detail(N_("%(count)d periods charged (%(periods)s); FAILED %(failed)d: %(failures)s"))


def _alert_admins(ctx: JobContext, coop: tenancy.Coop, problems: list[str]) -> int:
    queued = 0
    day = ctx.now.date().isoformat()
    for user, grants in tenancy.people_of(ctx.session, coop):
        # the co-op's administrators, not someone who administers one scope of it
        if not user.email or not any(g.role is Role.ADMIN and g.scope is None for g in grants):
            continue
        with force_locale(coop.locale):
            subject = _("The books of %(name)s failed their integrity check", name=coop.name)
            body = "\n".join([_("Ayllu's nightly check found these problems in the books:"), "",
                              *(f"- {p}" for p in problems), "",
                              _("Nothing was changed. Ask the treasurer and the oversight council to look "
                                "into it.")])
        if outbox.enqueue(ctx.session, to=user.email, subject=subject, body=body, coop_id=coop.id,
                          dedupe_key=f"ledger.verify:{coop.id}:{user.id}:{day}"):
            queued += 1
    return queued


@register("ledger.verify", trigger="cron", hour=2,
          description=_l("Check every co-op's books and hash chain; alert admins on a problem"))
def verify_ledgers(ctx: JobContext) -> str:
    coops = tenancy.all_coops(ctx.session)
    broken, alerts = [], 0
    for coop in coops:
        with force_locale(coop.locale):
            problems = reports.verify_ledger(ctx.session, coop)
        if problems:
            broken.append(coop.slug)
            alerts += _alert_admins(ctx, coop, problems)
    if not broken:
        return ALL_SOUND % {"count": len(coops)}
    return BROKEN % {"count": len(coops), "broken": ", ".join(broken), "alerts": alerts}


# --- dues -------------------------------------------------------------------------------------

import datetime as dt  # noqa: E402  (appended with the dues job)
import zoneinfo  # noqa: E402

from ledger import dues  # noqa: E402


def _local_date(now: dt.datetime, coop: tenancy.Coop) -> dt.date:
    """The co-op's date at ``now`` (naive UTC, as every *_dt)."""
    return now.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(coop.timezone)).date()


@register("ledger.dues", trigger="cron", hour=6, minute=0,
          description=_l("Charge the dues plans whose day has come (each period once)"))
def run_dues_plans(ctx: JobContext) -> str:
    charged, failed = [], []
    for coop in tenancy.all_coops(ctx.session):
        done, refused = dues.run_scheduled(ctx.session, coop, _local_date(ctx.now, coop))
        charged += done
        failed += refused
    values = {"count": len(charged), "periods": "; ".join(charged), "failed": len(failed),
              "failures": "; ".join(failed)}
    if failed:
        return (CHARGED_WHICH_FAILED if charged else CHARGED_FAILED) % values
    return (CHARGED_WHICH if charged else CHARGED) % values
