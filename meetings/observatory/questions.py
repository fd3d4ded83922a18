"""The life of a question on the books (consulta): asked → accepted by the oversight council (or
rejected with a reason the asker reads) → answered by the office it was given to, within the
bylaws' days → assessed by the asker. An unsatisfactory or overdue question may become an item
of the next general assembly's order of the day.

This module holds what a question is about, who may do what, asking, the council's decision and
following; ``question_answers`` holds what comes after acceptance: the office's answer with its
documents, the asker's assessment, the overdue reminder and sending a question to the assembly.

Every step is one conditional ``UPDATE ... WHERE status = <the step before>`` (``move_question``),
so two people pressing at once (or one pressing twice) move a question once; the loser reads why.
Questions are numbered per year without gaps (``coop.numbering``, series ``question-<year>``).
Each step is audited, written in the question's history (``add_event``) and told to the asker and
the followers through the outbox (``question_mail``).

Who answers: the treasurer for the treasurer's office; the administrator or the secretary for
the board; a coordinator of that commission (a coordinator grant scoped to it, or unscoped) for
a commission.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, numbering, tenancy
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop, Grant, Role, Scope
from coop.text import fold
from ledger.models import Account, Budget, DuesPlan, Expense, JournalEntry
from meetings.models import Resolution
from meetings.observatory import question_mail
from meetings.observatory.models import (Office, Question, QuestionEvent, QuestionFollower, QuestionStatus,
                                         SubjectKind, WorkPackage)
from meetings.observatory.settings import get_settings
from members.models import Member
from minga.models import Commission
from minga.permissions import COMMISSION_SCOPE

MAX_TITLE = 200
MAX_BODY = 8000
MAX_REASON = 2000

STATUS_LABELS = {QuestionStatus.SUBMITTED: _l("Waiting for the oversight council"),
                 QuestionStatus.REJECTED: _l("Rejected"),
                 QuestionStatus.ACCEPTED: _l("Waiting for the answer"),
                 QuestionStatus.ANSWERED: _l("Answered"),
                 QuestionStatus.ASSESSED: _l("Assessed")}
OFFICE_LABELS = {Office.TREASURER: _l("Treasurer"), Office.BOARD: _l("Board (administrator and secretary)"),
                 Office.COMMISSION: _l("A commission")}
SUBJECT_LABELS = {SubjectKind.GENERAL: _l("The co-op's books in general"), SubjectKind.BUDGET_LINE: _l("Budget line"),
                  SubjectKind.EXPENSE: _l("Expense"), SubjectKind.JOURNAL_ENTRY: _l("Journal entry"),
                  SubjectKind.DUES_PLAN: _l("Dues plan"), SubjectKind.RESOLUTION: _l("Resolution"),
                  SubjectKind.WORK_PACKAGE: _l("Work package")}
EVENT_LABELS = {"submitted": _l("Asked"), "accepted": _l("Accepted by the oversight council"),
                "rejected": _l("Rejected by the oversight council"), "answered": _l("Answered"),
                "assessed": _l("Assessed by the asker"), "sent_to_assembly": _l("Sent to the assembly"),
                "reminded": _l("Overdue: the office was reminded")}

audit.describe("observatory.question_ask", _l("Question on the books asked"))
audit.describe("observatory.question_accept", _l("Question accepted by the oversight council"))
audit.describe("observatory.question_reject", _l("Question rejected by the oversight council"))
audit.describe("observatory.question_follow", _l("Question followed or unfollowed"))

#: the subject kinds' id arguments (query and form names), in the order a subject needs them
SUBJECT_ARGS = {SubjectKind.GENERAL: (), SubjectKind.BUDGET_LINE: ("budget_id", "account_id"),
                SubjectKind.EXPENSE: ("expense_id",), SubjectKind.JOURNAL_ENTRY: ("journal_entry_id",),
                SubjectKind.DUES_PLAN: ("dues_plan_id",), SubjectKind.RESOLUTION: ("resolution_id",),
                SubjectKind.WORK_PACKAGE: ("work_package_id",)}
_SUBJECT_MODELS = {"budget_id": Budget, "account_id": Account, "expense_id": Expense,
                   "journal_entry_id": JournalEntry, "dues_plan_id": DuesPlan, "resolution_id": Resolution,
                   "work_package_id": WorkPackage}


# --- the subject ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """What a question is about, checked to be the co-op's: its kind, ids and a line naming it."""

    kind: SubjectKind
    ids: dict
    text: str


def _describe(kind: SubjectKind, found: dict) -> str:
    if kind is SubjectKind.BUDGET_LINE:
        return f"{found['budget_id'].year} · {found['account_id'].code} {found['account_id'].name}"
    if kind is SubjectKind.EXPENSE:
        expense = found["expense_id"]
        return f"{expense.expense_date.isoformat()} · {expense.supplier}: {expense.description}"
    if kind is SubjectKind.JOURNAL_ENTRY:
        entry = found["journal_entry_id"]
        return f"{entry.number} · {entry.entry_date.isoformat()} · {entry.description}"
    if kind is SubjectKind.DUES_PLAN:
        return found["dues_plan_id"].name
    if kind is SubjectKind.RESOLUTION:
        resolution = found["resolution_id"]
        return f"{resolution.reference}: {resolution.title}"
    if kind is SubjectKind.WORK_PACKAGE:
        return found["work_package_id"].title
    return ""


def find_subject(session: so.Session, coop: Coop, kind: str | SubjectKind | None, ids: dict) -> Subject:
    """The co-op's subject named by a kind and its ids; ``NotFoundError`` for one that is not the
    co-op's (or does not exist), ``DomainError`` for an unknown kind."""
    try:
        kind = SubjectKind(kind or SubjectKind.GENERAL)
    except ValueError:
        raise DomainError(_l("A question is about a budget line, an expense, a journal entry, a dues plan, "
                             "a resolution, a work package, or the books in general."), field="subject") from None
    found, clean = {}, {}
    for name in SUBJECT_ARGS[kind]:
        value = ids.get(name)
        model = _SUBJECT_MODELS[name]
        obj = None
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            obj = session.scalar(sa.select(model).where(model.id == int(value), model.coop_id == coop.id))
        if obj is None:
            raise NotFoundError(_l("What this question is about is not among this co-op's records."), field="subject")
        found[name], clean[name] = obj, obj.id
    return Subject(kind, clean, _describe(kind, found))


def subject_of(session: so.Session, coop: Coop, question: Question) -> Subject:
    ids = {name: getattr(question, name) for name in SUBJECT_ARGS[question.subject_kind]}
    return find_subject(session, coop, question.subject_kind, ids)


# --- who may do what -------------------------------------------------------------------------------

def answers_for(grants: Iterable[Grant], question: Question) -> bool:
    """Does one holding these grants answer for the question's office?"""
    roles = {grant.role for grant in grants}
    if question.office is Office.TREASURER:
        return Role.TREASURER in roles
    if question.office is Office.BOARD:
        return bool(roles & {Role.ADMIN, Role.SECRETARY})
    if question.office is Office.COMMISSION:
        return any(grant.role is Role.COORDINATOR and (
            grant.scope is None or grant.scope == Scope(COMMISSION_SCOPE, question.commission_id))
            for grant in grants)
    return False


def may_answer(session: so.Session, coop: Coop, user: User | None, question: Question) -> bool:
    return user is not None and answers_for(tenancy.grants_of(session, user, coop), question)


def is_overdue(question: Question, today: dt.date) -> bool:
    """Accepted and not answered by its due day (the due day itself is still in time)."""
    return question.status is QuestionStatus.ACCEPTED and question.due_on is not None and question.due_on < today


def may_go_to_assembly(question: Question, today: dt.date) -> bool:
    return question.agenda_item_id is None and (
        (question.status is QuestionStatus.ASSESSED and question.is_satisfactory is False)
        or is_overdue(question, today))


# --- helpers (of every step) ----------------------------------------------------------------------------

def search_text(*texts: str) -> str:
    """Lower-case words without accents, for the register's search."""
    return " ".join(re.findall(r"\w+", fold(" ".join(texts))))


def search_words(text: str) -> list[str]:
    return search_text(text).split()


def add_event(session: so.Session, question: Question, kind: str, actor: User | None, note: str = "",
              now: dt.datetime | None = None) -> None:
    """A line of the question's history (flushed with the step that wrote it)."""
    event = QuestionEvent(coop_id=question.coop_id, question_id=question.id, kind=kind, note=note,
                          actor_id=actor.id if actor is not None else None)
    if now is not None:
        event.created_dt = now
    session.add(event)


def move_question(session: so.Session, question: Question, expected: QuestionStatus, message, **values) -> None:
    """Move the question on by one conditional update; ``message`` when it was not at ``expected``."""
    won = session.execute(sa.update(Question).where(Question.id == question.id, Question.status == expected)
                          .values(**values).execution_options(synchronize_session=False))
    if won.rowcount != 1:
        session.refresh(question)
        raise DomainError(message)
    session.refresh(question)


def clean_text(value: str | None) -> str:
    return (value or "").strip()


# --- asking ----------------------------------------------------------------------------------------------

def ask_question(session: so.Session, actor: User | None, coop: Coop, asker: Member | None, *, title: str,
                 body: str, hide_name: bool = False, subject_kind: str | SubjectKind | None = None,
                 subject_ids: dict | None = None, now: dt.datetime, today: dt.date) -> Question:
    """A member asks; the question is numbered in the year and the asker follows it."""
    problems = Problems()
    if asker is None or asker.coop_id != coop.id:
        problems.add(_l("Only a member of the co-op asks a question: your account is not linked to a member."))
    subject = problems.check(find_subject, session, coop, subject_kind, subject_ids or {})
    title = " ".join((title or "").split())
    body = clean_text(body)
    if not title:
        problems.add(_l("Write the question in a line."), field="title")
    elif len(title) > MAX_TITLE:
        problems.add(_l("A title has at most %(max)d characters.", max=MAX_TITLE), field="title")
    if not body:
        problems.add(_l("Say what you want to know, and why."), field="body")
    elif len(body) > MAX_BODY:
        problems.add(_l("At most %(max)d characters.", max=MAX_BODY), field="body")
    problems.raise_any()
    number = numbering.next_number(session, coop.id, f"question-{today.year}")
    question = Question(coop_id=coop.id, year=today.year, number=number, asker_id=asker.id,
                        is_name_hidden=bool(hide_name), title=title, body=body, subject_kind=subject.kind,
                        status=QuestionStatus.SUBMITTED, search_text=search_text(title, body), created_dt=now,
                        **subject.ids)
    session.add(question)
    session.flush()
    session.add(QuestionFollower(coop_id=coop.id, question_id=question.id, member_id=asker.id, created_dt=now))
    add_event(session, question, "submitted", actor, now=now)
    session.flush()
    audit.record(session, action="observatory.question_ask", coop=coop, actor=actor, obj=question,
                 summary=f"{question.reference}: {title}", details={"subject": subject.kind.value})
    return question


# --- the council's decision ----------------------------------------------------------------------------

def decide_question(session: so.Session, actor: User | None, coop: Coop, question: Question, *, accept: bool,
                    office: str | Office | None = None, commission_id: int | None = None, reason: str = "",
                    now: dt.datetime, today: dt.date) -> Question:
    """Accept (given to an office, due in the bylaws' days) or reject (with a reason the asker reads)."""
    if question.coop_id != coop.id:
        raise NotFoundError(_l("There is no such question."))
    if question.status is not QuestionStatus.SUBMITTED:
        raise DomainError(_l("This question was decided already."))
    problems = Problems()
    reason = clean_text(reason)
    values: dict = {"decided_by_id": actor.id if actor else None, "decided_dt": now}
    if accept:
        try:
            office = Office(office) if office else None
        except ValueError:
            office = None
        if office is None:
            problems.add(_l("Choose the office that answers."), field="office")
        elif office is Office.COMMISSION:
            commission = session.scalar(sa.select(Commission).where(
                Commission.id == (commission_id or 0), Commission.coop_id == coop.id))
            if commission is None:
                problems.add(_l("Choose the commission that answers."), field="commission")
        problems.raise_any()
        due_on = today + dt.timedelta(days=get_settings(session, coop).answer_days)
        values.update(status=QuestionStatus.ACCEPTED, office=office, due_on=due_on,
                      commission_id=commission_id if office is Office.COMMISSION else None)
    else:
        if not reason:
            problems.add(_l("Write why it is rejected: the asker reads it."), field="reason")
        elif len(reason) > MAX_REASON:
            problems.add(_l("At most %(max)d characters.", max=MAX_REASON), field="reason")
        problems.raise_any()
        values.update(status=QuestionStatus.REJECTED, rejection_reason=reason)
    move_question(session, question, QuestionStatus.SUBMITTED, _l("This question was decided already."), **values)
    kind = "accepted" if accept else "rejected"
    add_event(session, question, kind, actor, note=reason, now=now)
    session.flush()
    audit.record(session, action=f"observatory.question_{'accept' if accept else 'reject'}", coop=coop, actor=actor,
                 obj=question, summary=f"{question.reference}: {question.title}",
                 details={"office": office.value} if accept else {"reason": reason})
    question_mail.tell_followers(session, coop, question, kind)
    return question


# --- following and "me too" ------------------------------------------------------------------------------

def follow_question(session: so.Session, actor: User | None, coop: Coop, member: Member | None, question: Question,
                    *, follow: bool = True, me_too: bool = False, now: dt.datetime) -> QuestionFollower | None:
    """Follow (optionally saying "me too") or stop following. A second press changes nothing."""
    if question.coop_id != coop.id:
        raise NotFoundError(_l("There is no such question."))
    if member is None or member.coop_id != coop.id:
        raise DomainError(_l("Only a member of the co-op follows a question: your account is not linked to a member."))
    where = (QuestionFollower.question_id == question.id, QuestionFollower.member_id == member.id)
    if not follow:
        if member.id == question.asker_id:
            raise DomainError(_l("The asker always hears of their own question."))
        gone = session.execute(sa.delete(QuestionFollower).where(*where)
                               .execution_options(synchronize_session=False)).rowcount
        if gone:
            audit.record(session, action="observatory.question_follow", coop=coop, actor=actor, obj=question,
                         summary=question.reference, details={"follow": False})
        return None
    existing = session.scalar(sa.select(QuestionFollower).where(*where))
    if existing is None:
        try:
            with session.begin_nested():  # the unique key settles two presses at once
                existing = QuestionFollower(coop_id=coop.id, question_id=question.id, member_id=member.id,
                                            is_me_too=me_too, created_dt=now)
                session.add(existing)
        except sa.exc.IntegrityError:
            existing = session.scalar(sa.select(QuestionFollower).where(*where))
        else:
            audit.record(session, action="observatory.question_follow", coop=coop, actor=actor, obj=question,
                         summary=question.reference, details={"follow": True, "me_too": me_too})
            return existing
    if me_too and not existing.is_me_too:
        existing.is_me_too = True
        session.flush()
        audit.record(session, action="observatory.question_follow", coop=coop, actor=actor, obj=question,
                     summary=question.reference, details={"follow": True, "me_too": True})
    return existing
