"""A question on the books after the oversight council accepted it: the office it was given to
answers (with documents), the asker assesses the answer, the daily job reminds the office of an
overdue one, and an unsatisfactory or overdue question goes to the next general assembly's order
of the day. Asking, the council's decision and following are ``questions``'.

Each step moves the question by one conditional update (``questions.move_question``), is audited,
written in its history and told to the asker and the followers (``question_mail``).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop, CoopRole, Role
from meetings import agenda
from meetings.models import GENERAL_KINDS, Meeting, MeetingStatus
from meetings.observatory import question_mail
from meetings.observatory.models import Office, Question, QuestionAttachment, QuestionStatus
from meetings.observatory.questions import (add_event, clean_text, may_answer, may_go_to_assembly, move_question,
                                            search_text)
from members.models import Member
from minga.permissions import COMMISSION_SCOPE

MAX_ANSWER = 20000
MAX_COMMENT = 2000
MAX_ATTACHMENTS = 3  # three of the largest fit in one request (MAX_CONTENT_LENGTH, 16 MB)
#: the largest attachment of an answer
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

audit.describe("observatory.question_answer", _l("Question answered"))
audit.describe("observatory.question_assess", _l("Answer to a question assessed"))
audit.describe("observatory.question_to_assembly", _l("Question sent to the assembly"))


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
    text = clean_text(text)
    if not text:
        problems.add(_l("Write the answer."), field="answer")
    elif len(text) > MAX_ANSWER:
        problems.add(_l("At most %(max)d characters.", max=MAX_ANSWER), field="answer")
    uploads = [upload for upload in uploads if upload.filename or upload.content]
    if len(uploads) > MAX_ATTACHMENTS:
        problems.add(_l("At most %(max)d documents.", max=MAX_ATTACHMENTS), field="files")
    attachments = [problems.check(check_attachment, upload) for upload in uploads[:MAX_ATTACHMENTS]]
    problems.raise_any()
    move_question(session, question, QuestionStatus.ACCEPTED, _l("This question is not waiting for an answer."),
          status=QuestionStatus.ANSWERED, answer=text, answered_by_id=actor.id if actor else None, answered_dt=now,
          search_text=search_text(question.title, question.body, text))
    for attachment in attachments:
        attachment.coop_id, attachment.question_id, attachment.created_dt = coop.id, question.id, now
        session.add(attachment)
    add_event(session, question, "answered", actor, now=now)
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
    comment = clean_text(comment)
    if len(comment) > MAX_COMMENT:
        problems.add(_l("At most %(max)d characters.", max=MAX_COMMENT), field="comment")
    problems.raise_any()
    move_question(session, question, QuestionStatus.ANSWERED, _l("You assessed this answer already."),
          status=QuestionStatus.ASSESSED, is_satisfactory=verdict, assessment_comment=comment, assessed_dt=now)
    add_event(session, question, "assessed", actor, note=comment, now=now)
    session.flush()
    audit.record(session, action="observatory.question_assess", coop=coop, actor=actor, obj=question,
                 summary=f"{question.reference}: {question.title}", details={"satisfactory": verdict})
    question_mail.tell_followers(session, coop, question, "assessed")
    return question


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
    add_event(session, question, "sent_to_assembly", actor, note=meeting.title, now=now)
    session.flush()
    audit.record(session, action="observatory.question_to_assembly", coop=coop, actor=actor, obj=question,
                 summary=f"{question.reference}: {question.title}", details={"meeting": meeting.title})
    question_mail.tell_followers(session, coop, question, "sent_to_assembly", meeting=meeting.title)
    return meeting, item


# --- the overdue reminder -----------------------------------------------------------------------------------

def office_users(session: so.Session, coop: Coop, question: Question) -> list[User]:
    """The users who answer for the question's office."""
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
        add_event(session, question, "reminded", None, now=now)
        question_mail.remind_office(session, coop, question, office_users(session, coop, question), today)
        question_mail.tell_followers(session, coop, question, "overdue")
        reminded += 1
    session.flush()
    return reminded
