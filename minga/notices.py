"""What Minga tells members through the outbox: a place freed for them, a place lost when the
session shrank, a session cancelled, a sign-up cancelled at the office, and the reminder before a
session.

Each notice is written in the member's own language and goes to the member's address (else to
the address of the account linked to them); a member with neither is not told, and the office
reads the same facts on the session's page. Every notice carries a dedupe key, so a job or a
request that runs twice never mails twice.
"""
from __future__ import annotations

import sqlalchemy.orm as so
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from coop import outbox
from coop.scheduler import N_
from coop.auth.models import User
from coop.tenancy import Coop
from members.models import Member
from minga import wording


def address_of(session: so.Session, member: Member) -> str | None:
    if member.email:
        return member.email
    if member.user_id is not None:
        user = session.get(User, member.user_id)
        return user.email if user is not None else None
    return None


def _tell(session: so.Session, coop: Coop, member: Member, work_session, *, kind: str, subject: str,
          dedupe_key: str, **params) -> bool:
    """Queue one notice (template ``mail/minga_<kind>.txt``); False when it was not queued."""
    to = address_of(session, member)
    if not to:
        return False
    language = member.preferred_language or coop.locale.split("_")[0]
    with force_locale(language):
        when = wording.session_when(coop, work_session, language)
        body = render_template(f"mail/minga_{kind}.txt", coop_name=coop.name, member=member,
                               work_session=work_session, when=when, **params)
        title = _(subject, title=work_session.title)
    return outbox.enqueue(session, to=to, subject=title, body=body, coop_id=coop.id,
                          dedupe_key=dedupe_key) is not None


def promoted(session: so.Session, coop: Coop, sign_up) -> bool:
    """A place freed up and the member, first on the waitlist, now has it."""
    return _tell(session, coop, sign_up.member, sign_up.session, kind="promoted",
                 subject=N_("You have a place in the Minga: %(title)s"),
                 dedupe_key=f"minga.promoted:{sign_up.id}:{sign_up.arrival}")


def moved_to_waitlist(session: so.Session, coop: Coop, sign_up, position: int) -> bool:
    """The session now takes fewer people and the member's place went back to the waitlist."""
    return _tell(session, coop, sign_up.member, sign_up.session, kind="waitlisted",
                 subject=N_("Fewer places in the Minga %(title)s: you are on the waitlist"),
                 dedupe_key=f"minga.waitlisted:{sign_up.id}:{sign_up.arrival}:{sign_up.session.capacity}",
                 position=position)


def cancelled(session: so.Session, coop: Coop, sign_up) -> bool:
    """The session was cancelled (its ``cancel_reason`` says why)."""
    return _tell(session, coop, sign_up.member, sign_up.session, kind="cancelled",
                 subject=N_("Minga cancelled: %(title)s"),
                 dedupe_key=f"minga.cancelled:{sign_up.session_id}:{sign_up.member_id}")


def cancelled_by_office(session: so.Session, coop: Coop, sign_up) -> bool:
    """The coordinator or the secretary cancelled the member's sign-up (the member asked at the
    office, or cannot come): said, so nobody turns up for a place that is no longer theirs."""
    return _tell(session, coop, sign_up.member, sign_up.session, kind="office_cancelled",
                 subject=N_("Your sign-up for the Minga %(title)s is cancelled"),
                 dedupe_key=f"minga.office_cancelled:{sign_up.id}:{sign_up.arrival}")


def reminder(session: so.Session, coop: Coop, sign_up) -> bool:
    """The session is near; sent once per session and start time (a moved session reminds again)."""
    return _tell(session, coop, sign_up.member, sign_up.session, kind="reminder",
                 subject=N_("Reminder: Minga %(title)s"),
                 dedupe_key=f"minga.reminder:{sign_up.session_id}:{sign_up.member_id}:"
                            f"{sign_up.session.starts_dt.isoformat()}")

