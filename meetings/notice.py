"""The notice (convocatoria): issuing it freezes the roll and tells everyone on it.

Issuing is refused without an agenda, for a meeting not in draft, or once the first call has
passed. A notice less than the bylaws' days before the first call (days counted between the
co-op's dates of issue and of the first call) needs an explicit override with a reason; the
reason is kept on the meeting (``late_notice_reason``), printed on the notice and the minutes,
and recorded in the audit trail. The meeting goes from draft to convened by one conditional
``UPDATE``, so two secretaries pressing at once issue it once. Then the roll is frozen
(``meetings.roll``) and each person on it with an address gets the notice through the outbox,
in their own language, under a dedupe key per meeting and member; those without one read it on
the notice board (``meetings.printing``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_date, format_time
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, outbox
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.scheduler import N_
from coop.tenancy import Coop
from meetings import roll as rolls
from meetings.models import Meeting, MeetingKind, MeetingRules, MeetingStatus, RollEntry
from meetings.rules import quorum_required, rules_of
from members.models import Member

MAX_REASON = 2000
KIND_LABELS = {MeetingKind.ORDINARY: _l("Ordinary general assembly"),
               MeetingKind.EXTRAORDINARY: _l("Extraordinary general assembly"),
               MeetingKind.BOARD: _l("Board meeting"), MeetingKind.OVERSIGHT: _l("Oversight council meeting"),
               MeetingKind.COMMISSION: _l("Commission meeting"), MeetingKind.BLOCK: _l("Block assembly")}



def _issued_text(details: dict) -> str:
    """An issued notice's record in words: "120 called, 96 told by mail, 12 days ahead (reason: ...)"."""
    sentence = _("%(called)d called, %(mailed)d told by mail, %(days)d days ahead", called=details.get("called", 0),
                 mailed=details.get("mailed", 0), days=details.get("days", 0))
    reason = details.get("reason")
    return _("%(sentence)s (reason: %(reason)s)", sentence=sentence, reason=reason) if reason else sentence


audit.describe("meetings.notice", _l("Notice of a meeting issued"), details=_issued_text)
audit.describe("meetings.late_notice", _l("Notice of a meeting issued late, by override"), details=_issued_text)


# --- words -----------------------------------------------------------------------------------------

def language_of(coop: Coop, language: str | None = None) -> str:
    return str(language or coop.locale or "es").split("_")[0]


def call_words(coop: Coop, moment: dt.datetime, language: str) -> str:
    """A call where the co-op is: "sábado, 13 de marzo de 2027, 09:00"."""
    local = calendar.utc_to_local(coop, moment)
    return f"{format_date(local.date(), format='full', locale=language)}, {format_time(local.time(), 'HH:mm', locale=language)}"


def quorum_words(rules: MeetingRules, voters: int | None = None) -> list[str]:
    """The bylaws' quorum for each call, in words (with the voters it takes when the roll is known)."""
    def one(percent: int) -> str:
        if percent <= 0:
            return _("whoever is present")
        if rules.quorum_is_more_than:
            text = _("more than %(percent)d %% of the voters", percent=percent)
        else:
            text = _("at least %(percent)d %% of the voters", percent=percent)
        if voters:
            text += " " + _("(%(num)d of %(voters)d)", num=quorum_required(
                voters, percent, more_than=rules.quorum_is_more_than), voters=voters)
        return text
    return [_("First call: %(rule)s.", rule=one(rules.first_call_quorum_pct)),
            _("Second call: %(rule)s.", rule=one(rules.second_call_quorum_pct))]


def days_of_notice(coop: Coop, meeting: Meeting, now: dt.datetime) -> int:
    """Whole days between the co-op's dates of issuing now and of the first call."""
    return (rolls.meeting_day(coop, meeting) - calendar.utc_to_local(coop, now).date()).days


# --- the preview ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticePreview:
    """What issuing now would do: how many are called and told, and whether it is late."""

    called: int
    voters: int
    with_address: int
    days: int
    notice_days: int
    items: int

    @property
    def without_address(self) -> int:
        return self.called - self.with_address

    @property
    def is_late(self) -> bool:
        return self.days < self.notice_days


def _addressed(session: so.Session, member_ids: list[int]) -> dict[int, tuple[str | None, str]]:
    """Each member's address (their own, else their account's; None: no address) and language."""
    found = {}
    for start in range(0, len(member_ids), 900):  # SQLite's limit on bound parameters
        for member_id, own, account, language in session.execute(
                sa.select(Member.id, Member.email, User.email, Member.preferred_language)
                .outerjoin(User, User.id == Member.user_id).where(Member.id.in_(member_ids[start:start + 900]))):
            found[member_id] = (own or account or None, language)
    return found


def preview_notice(session: so.Session, coop: Coop, meeting: Meeting, now: dt.datetime) -> NoticePreview:
    """For a draft, who the roll would hold today; for a convened meeting, the frozen roll."""
    if meeting.status == MeetingStatus.DRAFT:
        lines = rolls.roll_lines(session, coop, meeting, calendar.utc_to_local(coop, now).date())
        ids, voters = [line.member_id for line in lines], sum(1 for line in lines if line.may_vote)
    else:
        ids = list(session.scalars(sa.select(RollEntry.member_id).where(RollEntry.meeting_id == meeting.id)))
        voters = rolls.roll_counts(session, meeting).voters
    with_address = sum(1 for address, _language in _addressed(session, ids).values() if address)
    return NoticePreview(called=len(ids), voters=voters, with_address=with_address,
                         days=days_of_notice(coop, meeting, now), notice_days=rules_of(session, coop).notice_days,
                         items=len(meeting.items))


# --- issuing ----------------------------------------------------------------------------------------

def _check(session: so.Session, coop: Coop, meeting: Meeting, override: bool, reason: str,
           now: dt.datetime) -> str:
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_l("This meeting was cancelled: it cannot be convened."))
    if meeting.status != MeetingStatus.DRAFT:
        raise DomainError(_l("The notice of this meeting was issued already."))
    problems = Problems()
    if not meeting.items:
        problems.add(_l("Add the agenda before issuing the notice: a notice states the order of the day."))
    if meeting.first_call_dt <= now:
        problems.add(_l("The first call has passed: change the meeting's date before issuing the notice."))
    reason = (reason or "").strip()
    notice_days = rules_of(session, coop).notice_days
    days = days_of_notice(coop, meeting, now)
    if days < notice_days and meeting.first_call_dt > now:
        if not override:
            problems.add(_l("The bylaws ask for %(days)d days' notice and the first call is in %(left)d days. "
                            "To issue it anyway, tick the override and write why.", days=notice_days, left=days),
                         field="override")
        elif not reason:
            problems.add(_l("Write why the notice goes out late: the reason goes on the notice and the minutes."),
                         field="late_reason")
        elif len(reason) > MAX_REASON:
            problems.add(_l("At most %(max)d characters.", max=MAX_REASON), field="late_reason")
    problems.raise_any()
    return reason if days < notice_days else ""


def issue_notice(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, *, override: bool = False,
                 late_reason: str = "", now: dt.datetime) -> int:
    """Issue the notice: the meeting convened, its roll frozen, the notices queued; how many queued."""
    reason = _check(session, coop, meeting, override, late_reason, now)
    won = session.execute(
        sa.update(Meeting).where(Meeting.id == meeting.id, Meeting.status == MeetingStatus.DRAFT)
        .values(status=MeetingStatus.CONVENED, notice_issued_dt=now, notice_issued_by_id=actor.id if actor else None,
                late_notice_reason=reason).execution_options(synchronize_session=False))
    if won.rowcount != 1:
        raise DomainError(_l("The notice of this meeting was issued already."))
    session.refresh(meeting)
    called = rolls.freeze_roll(session, coop, meeting, calendar.utc_to_local(coop, now).date())
    queued = send_notices(session, coop, meeting)
    audit.record(session, action="meetings.late_notice" if reason else "meetings.notice", coop=coop, actor=actor,
                 obj=meeting, summary=meeting.title,
                 details={"called": called, "mailed": queued, "days": days_of_notice(coop, meeting, now),
                          **({"reason": reason} if reason else {})})
    return queued


# --- mail ---------------------------------------------------------------------------------------------

def _mail(session: so.Session, coop: Coop, meeting: Meeting, *, kind: str, subject: str, key: str) -> int:
    """Queue ``mail/meeting_<kind>.txt`` to everyone on the roll with an address, each in their
    language, under ``<key>:<member id>``; keys already in the outbox are skipped. How many queued."""
    roll = {member_id: ("" if may_vote else (reason or "-")) for member_id, may_vote, reason in session.execute(
        sa.select(RollEntry.member_id, RollEntry.may_vote, RollEntry.ineligible_reason)
        .where(RollEntry.meeting_id == meeting.id))}
    keys = {member_id: f"{key}:{member_id}" for member_id in roll}
    sent: set[str] = set()
    for start in range(0, len(keys), 900):
        sent |= set(session.scalars(sa.select(outbox.OutboxMessage.dedupe_key)
                                    .where(outbox.OutboxMessage.dedupe_key.in_(list(keys.values())[start:start + 900]))))
    by_language: dict[str, list[tuple[int, str]]] = {}
    for member_id, (address, language) in _addressed(session, [m for m, k in keys.items() if k not in sent]).items():
        if address:
            by_language.setdefault(language_of(coop, language), []).append((member_id, address))
    context = {"coop_name": coop.name, "meeting": meeting, "items": list(meeting.items),
               "kind_label": KIND_LABELS[meeting.kind], "quorum_rules": rules_of(session, coop)}
    rows = []
    for language, members in by_language.items():
        bodies: dict[str, str] = {}  # one text per reason (most share one: none)
        with force_locale(coop.format_locale(language)):
            calls = {"first_call": call_words(coop, meeting.first_call_dt, language),
                     "second_call": call_words(coop, meeting.second_call_dt, language) if meeting.second_call_dt else "",
                     "quorum": quorum_words(context["quorum_rules"])}
            title = _(subject, title=meeting.title)[:300]
            for member_id, address in members:
                why = roll[member_id]
                if why not in bodies:
                    bodies[why] = render_template(f"mail/meeting_{kind}.txt", why=why, **calls, **context)
                rows.append({"to_address": address, "subject": title, "body": bodies[why], "coop_id": coop.id,
                             "dedupe_key": keys[member_id]})
    if rows:  # one statement: a notice to 5,000 members is one of the request's few writes
        session.execute(sa.insert(outbox.OutboxMessage), rows)
    queued = len(rows)
    session.flush()
    return queued


def send_notices(session: so.Session, coop: Coop, meeting: Meeting) -> int:
    """The notice to everyone on the frozen roll (once per meeting and member)."""
    return _mail(session, coop, meeting, kind="notice", subject=N_("Notice of meeting: %(title)s"),
                 key=f"meetings.notice:{meeting.id}")


def send_reminders(session: so.Session, coop: Coop, meeting: Meeting) -> int:
    """The reminder the day before (once per meeting, first call and member: a moved meeting reminds again)."""
    return _mail(session, coop, meeting, kind="reminder", subject=N_("Reminder: %(title)s"),
                 key=f"meetings.reminder:{meeting.id}:{meeting.first_call_dt.isoformat()}")
