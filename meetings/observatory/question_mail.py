"""What the observatory tells people about a question, through the outbox, each in their language.

The asker and the followers hear of each step (accepted, rejected, answered, assessed, sent to the
assembly, overdue); the office a question was given to is reminded when its answer is overdue.
Each mail carries a dedupe key (the question, the step and the reader; for a reminder also the
day), so a step or a job run twice never mails twice. A member without an address (their own or
their account's) is not told: they read the same facts on the question's page.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from coop import outbox
from coop.auth.models import User
from coop.scheduler import N_
from coop.tenancy import Coop
from meetings.observatory.models import Question, QuestionFollower
from members.models import Member

SUBJECTS = {"accepted": N_("Your question %(reference)s was accepted"),
            "rejected": N_("Question %(reference)s was rejected"),
            "answered": N_("Question %(reference)s has its answer"),
            "assessed": N_("The answer to question %(reference)s was assessed"),
            "sent_to_assembly": N_("Question %(reference)s goes to the general assembly"),
            "overdue": N_("The answer to question %(reference)s is overdue")}


def _language(coop: Coop, language: str | None) -> str:
    return str(language or coop.locale or "es").split("_")[0]


def _link(coop: Coop, question: Question) -> str:
    try:
        return url_for("observatory.question", coop_slug=coop.slug, question_id=question.id, _external=True)
    except RuntimeError:  # no request (a job without a server name): the page's path
        return f"/c/{coop.slug}/observatory/questions/{question.id}"


def readers(session: so.Session, question: Question) -> list[tuple[int, str, str | None]]:
    """(member id, address, language) of the asker and the followers with an address."""
    rows = session.execute(
        sa.select(Member.id, Member.email, User.email, Member.preferred_language)
        .outerjoin(User, User.id == Member.user_id)
        .where(sa.or_(Member.id == question.asker_id,
                      Member.id.in_(sa.select(QuestionFollower.member_id)
                                    .where(QuestionFollower.question_id == question.id))))
        .order_by(Member.id))
    return [(member_id, own or account, language) for member_id, own, account, language in rows if own or account]


def tell_followers(session: so.Session, coop: Coop, question: Question, kind: str, **params) -> int:
    """Tell the asker and the followers of a step of the question; how many mails queued."""
    queued = 0
    link = _link(coop, question)
    for member_id, address, language in readers(session, question):
        with force_locale(coop.format_locale(_language(coop, language))):
            subject = _(SUBJECTS[kind], reference=question.reference)
            body = render_template("mail/observatory_question.txt", kind=kind, question=question, link=link,
                                   coop_name=coop.name, is_asker=member_id == question.asker_id, **params)
        if outbox.enqueue(session, to=address, subject=subject[:300], body=body, coop_id=coop.id,
                          dedupe_key=f"observatory.question:{question.id}:{kind}:{member_id}") is not None:
            queued += 1
    return queued


def remind_office(session: so.Session, coop: Coop, question: Question, users: list[User], today: dt.date) -> int:
    """Remind those who answer for the question's office that its answer is overdue (once a day)."""
    queued = 0
    link = _link(coop, question)
    for user in users:
        with force_locale(coop.format_locale(_language(coop, user.locale))):
            subject = _("Overdue: question %(reference)s waits for your answer", reference=question.reference)
            body = render_template("mail/observatory_overdue.txt", question=question, link=link, coop_name=coop.name)
        if outbox.enqueue(session, to=user.email, subject=subject[:300], body=body, coop_id=coop.id,
                          dedupe_key=f"observatory.overdue:{question.id}:{today.isoformat()}:{user.id}") is not None:
            queued += 1
    return queued
