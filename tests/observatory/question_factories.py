"""Factories for the questions' tests: members with accounts, an expense, a commission, an
assembly ahead, and a question brought to a given step through the services."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from coop import calendar
from coop.outbox import OutboxMessage
from ledger.models import Expense, ExpenseStatus
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.observatory import question_answers as answers
from meetings.observatory import questions
from meetings.observatory.models import Question
from minga.models import Commission
from tests.observatory.conftest import NOW, TODAY, account


def member_with_account(db, make_user, make_member, coop, *, roles=("member",), email=None, name="Rosa Quishpe",
                        language="en", **fields):
    """A member whose log-in is linked to them (the user reads English unless told)."""
    user = make_user(email, coop=coop, roles=list(roles), name=name, locale=language)
    given, family = name.split(" ", 1)
    member = make_member(coop, given_names=given, family_names=family, email=user.email, **fields)
    db.rollback()
    member = db.merge(member)
    member.user_id, member.preferred_language = user.id, language
    db.commit()
    return user, member


def make_expense(db, coop, *, description="Pintura para la casa comunal", supplier="Ferretería Andina"):
    db.rollback()
    expense = Expense(coop_id=coop.id, expense_date=dt.date(2027, 2, 10), supplier=supplier, description=description,
                      account_id=account(db, coop, "5.3").id, amount_minor=45_000, status=ExpenseStatus.APPROVED)
    db.add(expense)
    db.commit()
    return expense


def make_commission(db, coop, name="Comisión de obras"):
    db.rollback()
    commission = Commission(coop_id=coop.id, name=name)
    db.add(commission)
    db.commit()
    return commission


def make_assembly(db, coop, day, *, status=MeetingStatus.CONVENED, kind=MeetingKind.ORDINARY,
                  title="Asamblea general ordinaria"):
    db.rollback()
    meeting = Meeting(coop_id=coop.id, kind=kind, title=title, place="Casa comunal", status=status,
                      first_call_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(9))),
                      second_call_dt=calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(10))))
    db.add(meeting)
    db.commit()
    return meeting


def ask(db, coop, user, member, *, title="¿Cuánto costó la pintura?", body="Quiero saber el detalle.",
        now=NOW, today=TODAY, **fields):
    db.rollback()
    question = questions.ask_question(db, db.merge(user), db.merge(coop), db.merge(member), title=title, body=body,
                                      now=now, today=today, **fields)
    db.commit()
    return question


def accept(db, coop, council, question, *, office="treasurer", commission_id=None, now=NOW, today=TODAY):
    db.rollback()
    question = db.merge(question)
    questions.decide_question(db, db.merge(council), db.merge(coop), question, accept=True, office=office,
                              commission_id=commission_id, now=now, today=today)
    db.commit()
    return question


def answer(db, coop, user, question, *, text="Costó 450 dólares; adjunto la factura.", uploads=(), now=NOW):
    db.rollback()
    question = db.merge(question)
    answers.answer_question(db, db.merge(user), db.merge(coop), question, text=text, uploads=uploads, now=now)
    db.commit()
    return question


def assess(db, coop, user, member, question, *, satisfactory="no", comment="No adjuntaron la factura.", now=NOW):
    db.rollback()
    question = db.merge(question)
    answers.assess_question(db, db.merge(user), db.merge(coop), db.merge(member), question,
                              satisfactory=satisfactory, comment=comment, now=now)
    db.commit()
    return question


def fresh(db, question) -> Question:
    db.rollback()
    return db.get(Question, question.id)


def mails(db, prefix: str) -> list[OutboxMessage]:
    db.rollback()
    return list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(prefix))
                           .order_by(OutboxMessage.id)))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
