"""The life of a question on the books (consulta): asked → accepted by the oversight council (or
rejected with a reason the asker reads) → answered by the office it was given to, within the
bylaws' days → assessed by the asker. An unsatisfactory or overdue question may become an item
of the next general assembly's order of the day.

Every step is one conditional ``UPDATE ... WHERE status = <the step before>``, so two people
pressing at once (or one pressing twice) move a question once; the loser reads why. Questions are
numbered per year without gaps (``coop.numbering``, series ``question-<year>``). Each step is
audited, written in the question's history (``QuestionEvent``) and told to the asker and the
followers through the outbox (``question_mail``).

Who answers: the treasurer for the treasurer's office; the administrator or the secretary for
the board; a coordinator of that commission (a coordinator grant scoped to it, or unscoped) for
a commission.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, numbering, tenancy
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop, Grant, Role, Scope
from ledger.models import Account, Budget, DuesPlan, Expense, JournalEntry
from meetings import agenda
from meetings.models import GENERAL_KINDS, Meeting, MeetingStatus, Resolution
from meetings.observatory import question_mail
from meetings.observatory.models import (Office, Question, QuestionAttachment, QuestionEvent, QuestionFollower,
                                         QuestionStatus, SubjectKind, WorkPackage)
from meetings.observatory.settings import get_settings
from members.models import Member
from minga.models import Commission
from minga.permissions import COMMISSION_SCOPE

MAX_TITLE = 200
MAX_BODY = 8000
MAX_REASON = 2000
MAX_ANSWER = 20000
MAX_COMMENT = 2000
MAX_ATTACHMENTS = 3  # three of the largest fit in one request (MAX_CONTENT_LENGTH, 16 MB)
#: the largest attachment of an answer
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

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
audit.describe("observatory.question_answer", _l("Question answered"))
audit.describe("observatory.question_assess", _l("Answer to a question assessed"))
audit.describe("observatory.question_to_assembly", _l("Question sent to the assembly"))
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


# --- helpers -----------------------------------------------------------------------------------------

def _words(*texts: str) -> str:
    """Lower-case words without accents, for the register's search."""
    text = unicodedata.normalize("NFKD", " ".join(texts).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", text))


def search_words(text: str) -> list[str]:
    return _words(text).split()


def _event(session: so.Session, question: Question, kind: str, actor: User | None, note: str = "",
           now: dt.datetime | None = None) -> None:
    event = QuestionEvent(coop_id=question.coop_id, question_id=question.id, kind=kind, note=note,
                          actor_id=actor.id if actor is not None else None)
    if now is not None:
        event.created_dt = now
    session.add(event)


def _move(session: so.Session, question: Question, expected: QuestionStatus, message, **values) -> None:
    """Move the question on by one conditional update; ``message`` when it was not at ``expected``."""
    won = session.execute(sa.update(Question).where(Question.id == question.id, Question.status == expected)
                          .values(**values).execution_options(synchronize_session=False))
    if won.rowcount != 1:
        session.refresh(question)
        raise DomainError(message)
    session.refresh(question)


def _text(value: str | None) -> str:
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
    body = _text(body)
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
                        status=QuestionStatus.SUBMITTED, search_text=_words(title, body), created_dt=now,
                        **subject.ids)
    session.add(question)
    session.flush()
    session.add(QuestionFollower(coop_id=coop.id, question_id=question.id, member_id=asker.id, created_dt=now))
    _event(session, question, "submitted", actor, now=now)
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
    reason = _text(reason)
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
    _move(session, question, QuestionStatus.SUBMITTED, _l("This question was decided already."), **values)
    kind = "accepted" if accept else "rejected"
    _event(session, question, kind, actor, note=reason, now=now)
    session.flush()
    audit.record(session, action=f"observatory.question_{'accept' if accept else 'reject'}", coop=coop, actor=actor,
                 obj=question, summary=f"{question.reference}: {question.title}",
                 details={"office": office.value} if accept else {"reason": reason})
    question_mail.tell_followers(session, coop, question, kind)
    return question


# --- the answer ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


_KINDS = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
          (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


def check_attachment(upload: Upload) -> QuestionAttachment:
    """A PDF, JPEG or PNG (told by its first bytes) within the size limit, as an unsaved attachment."""
    content = upload.content or b""
    if not content:
        raise DomainError(_l("The file is empty."), field="files")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise DomainError(_l("The file is %(size)s MB; the limit is %(limit)s MB.",
                             size=agenda.megabytes(len(content)), limit=agenda.megabytes(MAX_ATTACHMENT_BYTES)),
                          field="files")
    for magic, content_type, extension in _KINDS:
        if content.startswith(magic):
            name = os.path.basename((upload.filename or "").replace("\\", "/"))
            stem = re.sub(r"[\x00-\x1f]|\s+", " ", os.path.splitext(name)[0]).strip(" .") or "documento"
            return QuestionAttachment(filename=stem[:190] + extension, content_type=content_type, size=len(content),
                                      content=content)
    raise DomainError(_l("Attach a PDF or a picture (JPEG, PNG)."), field="files")


def answer_question(session: so.Session, actor: User | None, coop: Coop, question: Question, *, text: str,
                    uploads: Iterable[Upload] = (), now: dt.datetime) -> Question:
    """The assigned office answers, with text and documents."""
    if question.coop_id != coop.id:
        raise NotFoundError(_l("There is no such question."))
    if question.status is not QuestionStatus.ACCEPTED:
        raise DomainError(_l("This question is not waiting for an answer."))
    if not may_answer(session, coop, actor, question):
        raise DomainError(_l("Only the office this question was given to answers it."))
    problems = Problems()
    text = _text(text)
    if not text:
        problems.add(_l("Write the answer."), field="answer")
    elif len(text) > MAX_ANSWER:
        problems.add(_l("At most %(max)d characters.", max=MAX_ANSWER), field="answer")
    uploads = [upload for upload in uploads if upload.filename or upload.content]
    if len(uploads) > MAX_ATTACHMENTS:
        problems.add(_l("At most %(max)d documents.", max=MAX_ATTACHMENTS), field="files")
    attachments = [problems.check(check_attachment, upload) for upload in uploads[:MAX_ATTACHMENTS]]
    problems.raise_any()
    _move(session, question, QuestionStatus.ACCEPTED, _l("This question is not waiting for an answer."),
          status=QuestionStatus.ANSWERED, answer=text, answered_by_id=actor.id if actor else None, answered_dt=now,
          search_text=_words(question.title, question.body, text))
    for attachment in attachments:
        attachment.coop_id, attachment.question_id, attachment.created_dt = coop.id, question.id, now
        session.add(attachment)
    _event(session, question, "answered", actor, now=now)
    session.flush()
    audit.record(session, action="observatory.question_answer", coop=coop, actor=actor, obj=question,
                 summary=f"{question.reference}: {question.title}", details={"documents": len(attachments)})
    question_mail.tell_followers(session, coop, question, "answered")
    return question


def attachment_of(session: so.Session, coop: Coop, question: Question, attachment_id: int) -> QuestionAttachment:
    found = session.scalar(sa.select(QuestionAttachment).where(
        QuestionAttachment.id == attachment_id, QuestionAttachment.question_id == question.id,
        QuestionAttachment.coop_id == coop.id).options(so.undefer(QuestionAttachment.content)))
    if found is None:
        raise NotFoundError(_l("There is no such document."))
    return found


# --- the asker's assessment ------------------------------------------------------------------------------

def assess_question(session: so.Session, actor: User | None, coop: Coop, member: Member | None, question: Question,
                    *, satisfactory: str | bool | None, comment: str = "", now: dt.datetime) -> Question:
    """The asker says whether the answer satisfied them, with a comment."""
    if question.coop_id != coop.id:
        raise NotFoundError(_l("There is no such question."))
    if member is None or member.id != question.asker_id:
        raise DomainError(_l("Only the member who asked assesses the answer."))
    if question.status is QuestionStatus.ASSESSED:
        raise DomainError(_l("You assessed this answer already."))
    if question.status is not QuestionStatus.ANSWERED:
        raise DomainError(_l("This question has no answer to assess yet."))
    problems = Problems()
    if satisfactory in ("yes", True):
        verdict = True
    elif satisfactory in ("no", False):
        verdict = False
    else:
        verdict = None
        problems.add(_l("Say whether the answer satisfied you."), field="satisfactory")
    comment = _text(comment)
    if len(comment) > MAX_COMMENT:
        problems.add(_l("At most %(max)d characters.", max=MAX_COMMENT), field="comment")
    problems.raise_any()
    _move(session, question, QuestionStatus.ANSWERED, _l("You assessed this answer already."),
          status=QuestionStatus.ASSESSED, is_satisfactory=verdict, assessment_comment=comment, assessed_dt=now)
    _event(session, question, "assessed", actor, note=comment, now=now)
    session.flush()
    audit.record(session, action="observatory.question_assess", coop=coop, actor=actor, obj=question,
                 summary=f"{question.reference}: {question.title}", details={"satisfactory": verdict})
    question_mail.tell_followers(session, coop, question, "assessed")
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


# --- to the assembly --------------------------------------------------------------------------------------

def next_assembly(session: so.Session, coop: Coop, now: dt.datetime) -> Meeting | None:
    """The next general assembly still being prepared or convened, whose first call is ahead."""
    return session.scalar(sa.select(Meeting).where(
        Meeting.coop_id == coop.id, Meeting.kind.in_(GENERAL_KINDS),
        Meeting.status.in_((MeetingStatus.DRAFT, MeetingStatus.CONVENED)), Meeting.first_call_dt > now)
        .order_by(Meeting.first_call_dt, Meeting.id).limit(1))


def send_to_assembly(session: so.Session, actor: User | None, coop: Coop, question: Question, *,
                     now: dt.datetime, today: dt.date):
    """Put an unsatisfactory or overdue question on the next general assembly's order of the day."""
    if question.coop_id != coop.id:
        raise NotFoundError(_l("There is no such question."))
    if question.agenda_item_id is not None:
        raise DomainError(_l("This question is on an assembly's agenda already."))
    if not may_go_to_assembly(question, today):
        raise DomainError(_l("Only a question whose answer did not satisfy the asker, or an overdue one, "
                             "goes to the assembly."))
    meeting = next_assembly(session, coop, now)
    if meeting is None:
        raise DomainError(_l("No general assembly is coming: prepare one first, then send the question to it."))
    description = "\n\n".join(part for part in (question.body, question.answer, question.assessment_comment) if part)
    item = agenda.add_item(session, actor, coop, meeting, title=f"Consulta {question.reference}: {question.title}"
                           [:agenda.MAX_ITEM_TITLE], description=description[:agenda.MAX_DESCRIPTION])
    won = session.execute(sa.update(Question).where(Question.id == question.id, Question.agenda_item_id.is_(None))
                          .values(agenda_item_id=item.id).execution_options(synchronize_session=False))
    if won.rowcount != 1:
        raise DomainError(_l("This question is on an assembly's agenda already."))
    session.refresh(question)
    _event(session, question, "sent_to_assembly", actor, note=meeting.title, now=now)
    session.flush()
    audit.record(session, action="observatory.question_to_assembly", coop=coop, actor=actor, obj=question,
                 summary=f"{question.reference}: {question.title}", details={"meeting": meeting.title})
    question_mail.tell_followers(session, coop, question, "sent_to_assembly", meeting=meeting.title)
    return meeting, item


# --- the overdue reminder -----------------------------------------------------------------------------------

def office_users(session: so.Session, coop: Coop, question: Question) -> list[User]:
    """The users who answer for the question's office."""
    from coop.tenancy import CoopRole
    where = [CoopRole.coop_id == coop.id]
    if question.office is Office.TREASURER:
        where.append(CoopRole.role == Role.TREASURER)
    elif question.office is Office.BOARD:
        where.append(CoopRole.role.in_((Role.ADMIN, Role.SECRETARY)))
    elif question.office is Office.COMMISSION:
        where += [CoopRole.role == Role.COORDINATOR,
                  sa.or_(CoopRole.scope_kind == "",
                         sa.and_(CoopRole.scope_kind == COMMISSION_SCOPE, CoopRole.scope_id == question.commission_id))]
    else:
        return []
    return list(session.scalars(sa.select(User).join(CoopRole, CoopRole.user_id == User.id)
                                .where(*where, User.is_active.is_(True)).distinct().order_by(User.id)))


def remind_overdue(session: so.Session, coop: Coop, *, today: dt.date, now: dt.datetime) -> int:
    """Remind the office of each overdue question, at most once a day per question; how many reminded."""
    reminded = 0
    overdue = list(session.scalars(sa.select(Question).where(
        Question.coop_id == coop.id, Question.status == QuestionStatus.ACCEPTED, Question.due_on < today,
        sa.or_(Question.reminded_on.is_(None), Question.reminded_on < today)).order_by(Question.id)))
    for question in overdue:
        won = session.execute(sa.update(Question).where(
            Question.id == question.id, Question.status == QuestionStatus.ACCEPTED,
            sa.or_(Question.reminded_on.is_(None), Question.reminded_on < today))
            .values(reminded_on=today).execution_options(synchronize_session=False))
        if won.rowcount != 1:
            continue
        session.refresh(question)
        _event(session, question, "reminded", None, now=now)
        question_mail.remind_office(session, coop, question, office_users(session, coop, question), today)
        question_mail.tell_followers(session, coop, question, "overdue")
        reminded += 1
    session.flush()
    return reminded
