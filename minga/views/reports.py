"""Minga's reports for the secretary and the board: hours per commission by month (a chart and its
table), and a commission's activity report, printed as a PDF in the background (``coop.tasks``).
"""
from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coop import calendar, tasks
from coop.db import get_session
from coop.errors import DomainError
from coop.pages import coop_view, query_date, show_refusal
from coop.pdf import render_pdf
from coop.tenancy import Coop
from coop.web import reader_locale
from minga import charts, reports, wording
from minga.models import Commission
from minga.permissions import VIEW_COMPLIANCE
from minga.views import bp

ACTIVITY_KIND = "minga.activity"


def _language() -> str:
    return str(get_locale() or "es").split("_")[0]


def _hours_text(language: str | None = None):
    """Minutes as hours in the reader's language, for the templates."""
    language = language or _language()
    return lambda minutes: wording.hours_text(minutes, language)


@bp.get("/hours")
@coop_view(VIEW_COMPLIANCE)
def hours():
    months = reports.last_months(calendar.today_in(g.coop))
    table = reports.hours_by_commission(get_session(), g.coop, months)
    return render_template("minga/hours.html", table=table, hours_text=_hours_text(), legend=charts.legend(table),
                           chart=charts.hours_chart(table, locale=_language(), small_screens=True))


# --- a commission's activity report ------------------------------------------------------------

def _report_dates(coop: Coop) -> tuple[dt.date, dt.date, str]:
    """The report's dates from ``?start=&end=`` (else the last 12 months) and what was wrong with them."""
    today = calendar.today_in(coop)
    end = query_date("end") or today
    start = query_date("start") or calendar.same_day_months_later(end, -12) + dt.timedelta(days=1)
    problem = ""
    if start > end:
        problem = _("The start comes after the end.")
    elif calendar.month_index(end) - calendar.month_index(start) >= reports.MAX_REPORT_MONTHS:
        problem = _("A report covers at most %(count)d months.", count=reports.MAX_REPORT_MONTHS)
    if problem:
        end = today
        start = calendar.same_day_months_later(end, -12) + dt.timedelta(days=1)
    return start, end, problem


@bp.get("/commissions/<int:commission_id>/activity")
@coop_view(VIEW_COMPLIANCE, commission=Commission)
def activity_report(commission: Commission):
    start, end, problem = _report_dates(g.coop)
    if problem:
        flash(problem, "error")
    activity = reports.commission_activity(get_session(), g.coop, commission, start, end)
    return render_template("minga/activity.html", activity=activity, commission=commission, hours_text=_hours_text(),
                           print_url=url_for("minga.activity_report_print", commission_id=commission.id,
                                             start=start.isoformat(), end=end.isoformat()))


@bp.post("/commissions/<int:commission_id>/activity/print")
@coop_view(VIEW_COMPLIANCE, commission=Commission)
def activity_report_print(commission: Commission):
    start, end, problem = _report_dates(g.coop)
    back = url_for("minga.activity_report", commission_id=commission.id, start=start.isoformat(),
                   end=end.isoformat())
    with show_refusal():
        if problem:
            raise DomainError(problem)
        params = {"locale": reader_locale(), "commission_id": commission.id, "start": start.isoformat(),
                  "end": end.isoformat()}
        task = tasks.submit(get_session(), g.coop, current_user, ACTIVITY_KIND, params,
                            filename=f"minga-{g.coop.slug}-{commission.id}-{start.isoformat()}-{end.isoformat()}.pdf")
        flash(_("The document is being prepared. This page shows how far it got and then offers the file."),
              "success")
        return redirect(url_for("coop.task", task_id=task.id))
    return redirect(back)


@tasks.document_kind(ACTIVITY_KIND, label=_l("Commission activity report"), permission=VIEW_COMPLIANCE)
def render_activity(session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    commission = session.get(Commission, params["commission_id"])
    if commission is None or commission.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The commission no longer exists.")))
    activity = reports.commission_activity(session, coop, commission, dt.date.fromisoformat(params["start"]),
                                           dt.date.fromisoformat(params["end"]))
    progress(1, 2)
    language = str(params.get("locale") or coop.locale).split("_")[0]
    return render_pdf("pdf/minga_activity.html", coop=coop, activity=activity, hours_text=_hours_text(language),
                      chart=charts.hours_chart(activity.hours, locale=language))
