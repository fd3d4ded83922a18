"""Minga's printed documents: the sign-in sheet a coordinator takes to a session, and the programme
of the coming weeks for the notice board.

Not every member has a phone, and a session is worked face to face: the sign-in sheet (hoja de
asistencia) lists who has a place, with their household and a wide column to sign, then blank
lines for those who come without signing up, and the waitlist in small print; the programme
lists the sessions still taking people, week by week, in large type, and says how to sign up
without a phone. Both are rendered in the background (``coop.tasks``) like the books' reports:
the page queues the document and sends the reader to the task's page, which offers the file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_date, format_skeleton
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, tasks
from coop.auth.models import User
from coop.pdf import render_pdf
from coop.tenancy import Coop
from members.models import Household, Member
from minga import wording
from minga.models import Commission, SessionStatus, SessionTask, SignUp, SignUpStatus, WorkSession
from minga.permissions import MANAGE_SESSIONS, VIEW_MINGA

SIGN_IN_KIND = "minga.sign_in_sheet"
PROGRAMME_KIND = "minga.programme"
#: lines left blank at the end of a sign-in sheet, for those who come without signing up
BLANK_LINES = 8
#: the programme covers 1 to 8 weeks; 4 unless asked otherwise
PROGRAMME_WEEKS = range(1, 9)
DEFAULT_WEEKS = 4

audit.describe("minga.print_sign_in_sheet", _l("Minga sign-in sheet printed"))


# --- the sign-in sheet -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetLine:
    """A person on the printed sheet."""

    name: str
    number: int
    household: str
    task: str


@dataclass(frozen=True)
class SignInSheet:
    work_session: WorkSession
    commission: Commission
    when: str
    tasks: list[SessionTask]
    confirmed: list[SheetLine]
    waitlist: list[SheetLine]
    blank_lines: int


def _lines(session: so.Session, work_session: WorkSession, status: SignUpStatus, order) -> list[SheetLine]:
    rows = session.execute(
        sa.select(Member, Household.name, SessionTask.name)
        .join(SignUp, SignUp.member_id == Member.id)
        .outerjoin(Household, Household.id == Member.household_id)
        .outerjoin(SessionTask, SessionTask.id == SignUp.task_id)
        .where(SignUp.session_id == work_session.id, SignUp.status == status).order_by(*order))
    return [SheetLine(member.sort_name, member.number, household or "", task or "")
            for member, household, task in rows]


def sign_in_sheet(session: so.Session, coop: Coop, work_session: WorkSession, language: str) -> SignInSheet:
    """What the sign-in sheet of a session prints: confirmed by family names, the waitlist in its order."""
    confirmed = _lines(session, work_session, SignUpStatus.CONFIRMED,
                       [Member.family_names, Member.given_names, Member.number])
    waitlist = _lines(session, work_session, SignUpStatus.WAITLISTED, [SignUp.arrival])
    return SignInSheet(work_session, session.get(Commission, work_session.commission_id),
                       wording.session_when(coop, work_session, language), list(work_session.tasks),
                       confirmed, waitlist, BLANK_LINES)


def sign_in_filename(work_session: WorkSession, coop: Coop) -> str:
    day = calendar.utc_to_local(coop, work_session.starts_dt).date()
    return f"hoja-de-asistencia-{work_session.id}-{day.isoformat()}.pdf"


def request_sign_in_sheet(session: so.Session, coop: Coop, actor: User, work_session: WorkSession, *,
                          locale: str) -> tasks.Task:
    """Queue a session's sign-in sheet (flushed, not committed); the same one waiting is returned."""
    task = tasks.submit(session, coop, actor, SIGN_IN_KIND, {"locale": locale, "session_id": work_session.id},
                        filename=sign_in_filename(work_session, coop))
    audit.record(session, coop=coop, actor=actor, action="minga.print_sign_in_sheet", obj=work_session,
                 summary=work_session.title)
    return task


def _may_read_sheet(viewer, task: tasks.Task) -> bool:
    """A sheet names who signed up: for those who manage that session's commission."""
    from coop.db import get_session
    work_session = get_session().get(WorkSession, (task.params or {}).get("session_id"))
    return (work_session is not None and work_session.coop_id == task.coop_id
            and viewer.may(MANAGE_SESSIONS, work_session))


@tasks.document_kind(SIGN_IN_KIND, label=_l("Sign-in sheet"), permission=MANAGE_SESSIONS, rule=_may_read_sheet)
def render_sign_in_sheet(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    work_session = session.get(WorkSession, params["session_id"])
    if work_session is None or work_session.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The session no longer exists.")))
    progress(0, 2)
    sheet = sign_in_sheet(session, coop, work_session, _language_of(params, coop))
    progress(1, 2)
    return render_pdf("pdf/minga_sign_in_sheet.html", coop=coop, sheet=sheet)


def _language_of(params: dict, coop: Coop) -> str:
    return str(params.get("locale") or coop.locale or "es").split("_")[0]


# --- the programme of the coming weeks ------------------------------------------------------------

@dataclass(frozen=True)
class ProgrammeSession:
    work_session: WorkSession
    commission: str
    when: str
    tasks: list[SessionTask]


@dataclass(frozen=True)
class ProgrammeWeek:
    """A week of the programme, Monday to Sunday (the first from the day it is printed), with its sessions."""

    first: dt.date
    last: dt.date
    sessions: list[ProgrammeSession]


def programme_weeks(first_day: dt.date, weeks: int) -> list[tuple[dt.date, dt.date]]:
    """The first and last day of each week: this week from ``first_day`` to Sunday, then whole weeks
    from Monday to Sunday, as a calendar on the notice board shows them."""
    monday = first_day - dt.timedelta(days=first_day.weekday())
    return [(max(first_day, monday + dt.timedelta(weeks=n)), monday + dt.timedelta(weeks=n, days=6))
            for n in range(weeks)]


def programme(session: so.Session, coop: Coop, *, first_day: dt.date, weeks: int, language: str) -> list[ProgrammeWeek]:
    """The open and closed sessions from ``first_day`` to the Sunday that ends the ``weeks``-th week."""
    found = [ProgrammeWeek(first, last, []) for first, last in programme_weeks(first_day, weeks)]
    starts = calendar.local_to_utc(coop, dt.datetime.combine(first_day, dt.time()))
    ends = calendar.local_to_utc(coop, dt.datetime.combine(found[-1].last + dt.timedelta(days=1), dt.time()))
    rows = session.execute(
        sa.select(WorkSession, Commission.name).join(Commission, Commission.id == WorkSession.commission_id)
        .where(WorkSession.coop_id == coop.id, WorkSession.starts_dt >= starts, WorkSession.starts_dt < ends,
               WorkSession.status.in_([SessionStatus.OPEN, SessionStatus.CLOSED]))
        .options(so.selectinload(WorkSession.tasks))
        .order_by(WorkSession.starts_dt, Commission.name, WorkSession.id)).all()
    monday = first_day - dt.timedelta(days=first_day.weekday())
    for work_session, commission in rows:
        day = calendar.utc_to_local(coop, work_session.starts_dt).date()
        found[(day - monday).days // 7].sessions.append(
            ProgrammeSession(work_session, commission, wording.session_when(coop, work_session, language),
                             list(work_session.tasks)))
    return found


def day_month(day: dt.date, language: str) -> str:
    """A day of the programme without its year ("5 de diciembre", "December 5")."""
    return format_skeleton("MMMMd", day, locale=language)


def week_title(week: ProgrammeWeek, language: str) -> str:
    """A week's heading: "Semana del 7 al 13 de diciembre", "Semana del 28 de diciembre al 3 de enero";
    a week printed on its Sunday is that day alone ("Domingo, 6 de diciembre de 2026")."""
    first, last = week.first, week.last
    if first == last:
        return format_date(first, format="full", locale=language).capitalize()
    if first.month == last.month:
        return _("Week of %(month)s %(first)d to %(last)d", month=format_date(first, "MMMM", locale=language),
                 first=first.day, last=last.day)
    return _("Week of %(start)s to %(end)s", start=day_month(first, language), end=day_month(last, language))


def programme_filename(first_day: dt.date, weeks: int) -> str:
    return f"programa-minga-{first_day.isoformat()}-{weeks}-semanas.pdf"


def request_programme(session: so.Session, coop: Coop, actor: User, *, first_day: dt.date, weeks: int,
                      locale: str) -> tasks.Task:
    """Queue the programme of ``weeks`` weeks from ``first_day`` (flushed, not committed)."""
    return tasks.submit(session, coop, actor, PROGRAMME_KIND,
                        {"locale": locale, "first_day": first_day.isoformat(), "weeks": weeks},
                        filename=programme_filename(first_day, weeks))


@tasks.document_kind(PROGRAMME_KIND, label=_l("Minga programme"), permission=VIEW_MINGA)
def render_programme(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    first_day = dt.date.fromisoformat(params["first_day"])
    weeks = int(params["weeks"])
    progress(0, 2)
    found = programme(session, coop, first_day=first_day, weeks=weeks, language=_language_of(params, coop))
    progress(1, 2)
    return render_pdf("pdf/minga_programme.html", coop=coop, weeks=found, first_day=first_day,
                      week_title=lambda week: week_title(week, _language_of(params, coop)), last_day=found[-1].last)
