"""The daily reminder of overdue answers to questions on the books.

Every day the job looks, in every co-op, for accepted questions whose due day has passed and
reminds the office they were given to (the users holding its roles), and tells the asker and the
followers once that the answer is overdue. A question is reminded at most once a day: the
conditional ``UPDATE`` of its ``reminded_on`` admits one run per day, so a second run (or a second
process) sends nothing.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coop import calendar, tenancy
from coop.scheduler import N_, JobContext, job_detail, register
from meetings.observatory import question_answers

REMINDED = job_detail(N_("%(count)d overdue questions reminded"))


@register("observatory.question_reminders", trigger="cron", hour=7, minute=15,
          description=_l("Remind the offices of questions on the books whose answer is overdue"))
def remind_overdue_questions(ctx: JobContext) -> str:
    count = 0
    for coop in tenancy.all_coops(ctx.session):
        today = calendar.utc_to_local(coop, ctx.now).date()
        count += question_answers.remind_overdue(ctx.session, coop, today=today, now=ctx.now)
    return REMINDED % {"count": count}
