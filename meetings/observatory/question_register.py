"""Reading questions: the register (search by words, state and year, paged), the questions about
one subject, the work waiting for each office, and one's own questions.

Who sees what: every member reads every question but the rejected ones, which only their asker,
the oversight council and the officers read (a rejection is often for exposing someone's personal
data). A hidden asker's name reads "Nombre reservado" to members and their real name to the
council and the officers (``ANSWER_QUESTIONS`` or ``DECIDE_QUESTIONS``); the asker always reads
their own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.calendar import today_in
from coop.paging import one_page
from coop.tenancy import Coop, Grant, Role
from meetings.observatory.models import (Office, Question, QuestionFollower, QuestionStatus, SubjectKind)
from meetings.observatory.questions import SUBJECT_ARGS, search_words
from minga.permissions import COMMISSION_SCOPE

PER_PAGE = 25
HIDDEN_NAME = _l("Name withheld")


@dataclass(frozen=True)
class Reader:
    """Who reads: their member (None for an officer who is not one) and whether they are staff."""

    member_id: int | None
    is_staff: bool


def _visible(reader: Reader):
    if reader.is_staff:
        return sa.true()
    return sa.or_(Question.status != QuestionStatus.REJECTED, Question.asker_id == (reader.member_id or 0))


def may_read(reader: Reader, question: Question) -> bool:
    return reader.is_staff or question.status is not QuestionStatus.REJECTED or question.asker_id == reader.member_id


def asker_name(reader: Reader, question: Question) -> str:
    if question.is_name_hidden and not reader.is_staff and question.asker_id != reader.member_id:
        return str(HIDDEN_NAME)
    return question.asker.full_name


def search(session: so.Session, coop: Coop, reader: Reader, *, words: str = "", status: str = "",
           year: int | None = None, page: int = 1, per_page: int = PER_PAGE) -> tuple[list[Question], int]:
    """One page of the register, newest first, and how many match."""
    where = [Question.coop_id == coop.id, _visible(reader)]
    for word in search_words(words)[:10]:
        where.append(Question.search_text.contains(word, autoescape=True))
    if status == "overdue":
        where += [Question.status == QuestionStatus.ACCEPTED, Question.due_on < today_in(coop)]
    elif status in {s.value for s in QuestionStatus}:
        where.append(Question.status == QuestionStatus(status))
    if year:
        where.append(Question.year == year)
    total = session.scalar(sa.select(sa.func.count(Question.id)).where(*where))
    rows = list(session.scalars(one_page(sa.select(Question).where(*where).options(so.joinedload(Question.asker))
                                         .order_by(Question.year.desc(), Question.number.desc()), page, per_page)))
    return rows, total


def years(session: so.Session, coop: Coop) -> list[int]:
    return list(session.scalars(sa.select(Question.year).where(Question.coop_id == coop.id).distinct()
                                .order_by(Question.year.desc())))


def about(session: so.Session, coop: Coop, reader: Reader, kind: str, ids: dict, limit: int = 20) -> list[Question]:
    """The questions about one subject (those the reader may read), newest first."""
    try:
        kind = SubjectKind(kind)
    except ValueError:
        return []
    where = [Question.coop_id == coop.id, Question.subject_kind == kind, _visible(reader)]
    for name in SUBJECT_ARGS[kind]:
        value = ids.get(name)
        if value is None:
            return []
        where.append(getattr(Question, name) == int(value))
    return list(session.scalars(sa.select(Question).where(*where).options(so.joinedload(Question.asker))
                                .order_by(Question.created_dt.desc(), Question.id.desc()).limit(limit)))


def follow_counts(session: so.Session, question: Question) -> tuple[int, int]:
    """(followers, "me too") of a question, the asker not counted."""
    followers, me_too = session.execute(
        sa.select(sa.func.count(QuestionFollower.id),
                  sa.func.coalesce(sa.func.sum(sa.case((QuestionFollower.is_me_too, 1), else_=0)), 0))
        .where(QuestionFollower.question_id == question.id, QuestionFollower.member_id != question.asker_id)).one()
    return int(followers), int(me_too)


def following(session: so.Session, question: Question, member_id: int | None) -> QuestionFollower | None:
    if member_id is None:
        return None
    return session.scalar(sa.select(QuestionFollower).where(QuestionFollower.question_id == question.id,
                                                            QuestionFollower.member_id == member_id))


def _office_filter(grants: frozenset[Grant]):
    roles = {grant.role for grant in grants}
    clauses = []
    if Role.TREASURER in roles:
        clauses.append(Question.office == Office.TREASURER)
    if roles & {Role.ADMIN, Role.SECRETARY}:
        clauses.append(Question.office == Office.BOARD)
    coordinator = [grant for grant in grants if grant.role is Role.COORDINATOR]
    if any(grant.scope is None for grant in coordinator):
        clauses.append(Question.office == Office.COMMISSION)
    else:
        ids = [grant.scope.id for grant in coordinator if grant.scope and grant.scope.kind == COMMISSION_SCOPE]
        if ids:
            clauses.append(sa.and_(Question.office == Office.COMMISSION, Question.commission_id.in_(ids)))
    return sa.or_(*clauses) if clauses else None


@dataclass(frozen=True)
class Waiting:
    to_decide: list[Question]
    to_answer: list[Question]
    overdue: list[Question]


def waiting_for(session: so.Session, coop: Coop, grants: frozenset[Grant], *, may_decide: bool, may_send: bool,
                today: dt.date, limit: int = 20) -> Waiting:
    """The questions waiting for this person: to decide (the council), to answer (their offices),
    and every overdue one (for the council and the officers, who may send them to the assembly)."""
    to_decide = list(session.scalars(sa.select(Question).where(
        Question.coop_id == coop.id, Question.status == QuestionStatus.SUBMITTED)
        .order_by(Question.created_dt, Question.id).limit(limit))) if may_decide else []
    office = _office_filter(grants)
    to_answer = list(session.scalars(sa.select(Question).where(
        Question.coop_id == coop.id, Question.status == QuestionStatus.ACCEPTED, office)
        .order_by(Question.due_on, Question.id).limit(limit))) if office is not None else []
    overdue_where = [Question.coop_id == coop.id, Question.status == QuestionStatus.ACCEPTED, Question.due_on < today]
    if not (may_decide or may_send):
        overdue_where.append(office if office is not None else sa.false())
    overdue = list(session.scalars(sa.select(Question).where(*overdue_where)
                                   .order_by(Question.due_on, Question.id).limit(limit)))
    return Waiting(to_decide, to_answer, overdue)


def own(session: so.Session, coop: Coop, member_id: int | None, limit: int = 20) -> list[Question]:
    if member_id is None:
        return []
    return list(session.scalars(sa.select(Question).where(Question.coop_id == coop.id, Question.asker_id == member_id)
                                .order_by(Question.created_dt.desc(), Question.id.desc()).limit(limit)))


def count_waiting(session: so.Session, coop: Coop, grants: frozenset[Grant], *, may_decide: bool,
                  today: dt.date) -> tuple[int, int]:
    """(waiting for this person, of them overdue), for the home page: one query."""
    clauses = []
    if may_decide:
        clauses.append(Question.status == QuestionStatus.SUBMITTED)
    office = _office_filter(grants)
    if office is not None:
        clauses.append(sa.and_(Question.status == QuestionStatus.ACCEPTED, office))
    if not clauses:
        return 0, 0
    waiting, overdue = session.execute(sa.select(
        sa.func.count(Question.id),
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(Question.status == QuestionStatus.ACCEPTED,
                                                      Question.due_on < today), 1), else_=0)), 0))
        .where(Question.coop_id == coop.id, sa.or_(*clauses))).one()
    return int(waiting), int(overdue)


