"""The demo co-op's questions on the books: a handful, one in every state a member meets.

Submitted and waiting for the oversight council; rejected because it asked for another family's
debt; accepted and not yet due; accepted and overdue (reminded by the job); answered and waiting
for its asker, the demo member, to assess it; assessed as satisfactory; assessed as
unsatisfactory and sent to the coming assembly's agenda; one with its asker's name hidden. Each
has the history its steps would have written (``QuestionEvent``), dates that agree with it (due
``answer_days`` after acceptance), its number in its year's series, and the search words of its
title, body and answer; some have followers who said "me too".
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop import numbering
from coop.calendar import local_to_utc, today_in
from coop.tenancy import Coop, Role
from ledger import services as ledger_services
from ledger.demo import RECEIPT_PDF
from ledger.models import Budget, DuesPlan, Expense, ExpenseStatus
from meetings import agenda
from meetings.models import Meeting, Resolution
from meetings.observatory import questions
from meetings.observatory.models import (Office, Question, QuestionAttachment, QuestionEvent, QuestionFollower,
                                         QuestionStatus, SubjectKind, WorkExpenseLink, WorkPackage)

ANSWER_DAYS = 30


@dataclass
class QuestionPlan:
    title: str
    body: str
    subject: SubjectKind
    subject_ids: dict
    #: days before today it was asked, accepted (or rejected), answered, assessed
    asked: int
    decided: int | None = None
    answered: int | None = None
    assessed: int | None = None
    rejected: str = ""
    office: Office | None = None
    commission_id: int | None = None
    answer: str = ""
    satisfactory: bool | None = None
    comment: str = ""
    hidden: bool = False
    asker: int | None = None
    followers: int = 0
    me_too: int = 0
    #: days before today it went to the coming assembly's agenda
    sent: int | None = None
    attachment: bool = False
    extra: dict = field(default_factory=dict)


def _at(coop: Coop, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(coop, dt.datetime.combine(day, dt.time(hour, minute)))


def _subjects(session: so.Session, coop: Coop, packages: list[WorkPackage]) -> dict:
    today = today_in(coop)
    first_bill = session.scalar(sa.select(Expense).join(WorkExpenseLink, WorkExpenseLink.expense_id == Expense.id)
                                .where(WorkExpenseLink.package_id == packages[0].id).order_by(Expense.id).limit(1))
    paid = sa.select(Expense).where(Expense.coop_id == coop.id, Expense.status == ExpenseStatus.PAID)
    water = session.scalar(paid.where(Expense.description == "Agua potable de áreas comunales")
                           .order_by(Expense.expense_date.desc()).limit(1)) \
        or session.scalar(paid.order_by(Expense.expense_date.desc()).limit(1))
    budget = session.scalar(sa.select(Budget).where(Budget.coop_id == coop.id, Budget.year == today.year))
    ordinary = session.scalar(sa.select(DuesPlan).where(DuesPlan.coop_id == coop.id,
                                                        DuesPlan.name == "Cuota ordinaria"))
    yearly = session.scalar(sa.select(DuesPlan).where(DuesPlan.coop_id == coop.id,
                                                      DuesPlan.name == "Cuota anual de mantenimiento"))
    return {"bill": first_bill, "water": water, "budget": budget,
            "maintenance": ledger_services.account_by_code(session, coop, "5.3"),
            "dues_resolution": session.get(Resolution, ordinary.resolution_id), "yearly": yearly,
            "wall": packages[1]}


def _plans(s: dict, cast, rng: random.Random) -> list[QuestionPlan]:
    askers = [m for m in cast.users if m != cast.socia and m in cast.blocks]
    rng.shuffle(askers)
    quebrada = cast.commissions["Recuperación de la quebrada"].id
    return [
        QuestionPlan(
            "¿Cuánto debe en aportes la familia del lote C-14?",
            "Quiero saber cuánto debe la familia del lote C-14, porque dicen que no paga desde hace un año.",
            SubjectKind.GENERAL, {}, asked=26, decided=24, asker=askers[0],
            rejected="La consulta pide la deuda de otra familia socia: son datos personales que la cooperativa no "
                     "publica. Puede preguntar por la mora total de la cooperativa, que sí es pública."),
        QuestionPlan(
            "¿Para qué se usa la cuota anual de mantenimiento?",
            "Pagamos 60 dólares al año por hogar y no sabemos en qué se gastan. ¿Cuánto se recaudó y qué se hizo?",
            SubjectKind.DUES_PLAN, {"dues_plan_id": s["yearly"].id}, asked=40, decided=38, answered=12,
            assessed=9, office=Office.BOARD, asker=askers[1], followers=9, me_too=5, sent=4,
            answer="Se usa en el mantenimiento de las áreas comunales, según el presupuesto.",
            satisfactory=False,
            comment="No dice cuánto se recaudó ni en qué se gastó: pido el detalle en la asamblea."),
        QuestionPlan(
            "¿Se está separando el dólar para el fondo de construcción?",
            "La asamblea subió la cuota a 25 dólares y dijo que un dólar va al fondo de construcción. ¿Dónde se ve "
            "ese dinero separado cada mes?",
            SubjectKind.RESOLUTION, {"resolution_id": s["dues_resolution"].id}, asked=36, decided=33,
            office=Office.BOARD, asker=askers[2], followers=6, me_too=4, extra={"reminders": 2}),
        QuestionPlan(
            "¿Por qué el muro de gaviones va más lento de lo previsto?",
            "El muro de la quebrada iba a estar listo en dos meses y todavía falta la mitad.",
            SubjectKind.WORK_PACKAGE, {"work_package_id": s["wall"].id}, asked=25, decided=23, answered=12,
            assessed=10, office=Office.COMMISSION, commission_id=quebrada, asker=askers[3], followers=2,
            answer="Las lluvias suspendieron dos mingas y la piedra llegó tarde. Con la malla ya comprada "
                   "y la piedra en obra, faltan cuatro sábados de Minga.",
            satisfactory=True, comment="Gracias, se entiende."),
        QuestionPlan(
            "¿Por qué subió la planilla de agua de las áreas comunales?",
            f"El gasto de agua potable de las áreas comunales del {s['water'].expense_date:%d/%m/%Y} es más alto que "
            "otros meses. ¿Hay una fuga?",
            SubjectKind.EXPENSE, {"expense_id": s["water"].id}, asked=15, decided=13, answered=3,
            office=Office.TREASURER, asker=cast.socia, attachment=True,
            answer="La EMAAP-Q cobró dos meses juntos porque no leyó el medidor en el mes anterior. No hay fuga: se "
                   "adjuntan las dos planillas."),
        QuestionPlan(
            "¿Cuánto se ha gastado en mantenimiento este año?",
            "Quiero ver cuánto lleva gastado la línea de mantenimiento del presupuesto de este año frente a lo "
            "aprobado.",
            SubjectKind.BUDGET_LINE, {"budget_id": s["budget"].id, "account_id": s["maintenance"].id}, asked=8,
            decided=6, office=Office.TREASURER, asker=askers[4], followers=1, me_too=1),
        QuestionPlan(
            "¿Se cobran multas de Minga a quien tiene certificado médico?",
            "Tengo un certificado médico y me llegó una multa de Minga del mes pasado.",
            SubjectKind.GENERAL, {}, asked=5, decided=3, office=Office.BOARD, asker=askers[5], hidden=True),
        QuestionPlan(
            "¿Se pidieron tres cotizaciones para los juegos infantiles?",
            "La factura de los juegos infantiles del parque es de un solo proveedor. ¿Se compararon precios?",
            SubjectKind.EXPENSE, {"expense_id": s["bill"].id}, asked=1, asker=askers[6], followers=1, me_too=1),
    ]


def _event(coop: Coop, question: Question, kind: str, moment: dt.datetime, actor: int | None,
           note: str = "") -> QuestionEvent:
    return QuestionEvent(coop_id=coop.id, question=question, kind=kind, note=note, actor_id=actor,
                         created_dt=moment)


def _question(session: so.Session, coop: Coop, cast, plan: QuestionPlan, today: dt.date,
              coming: Meeting | None) -> Question:
    auditor = cast.by_role[Role.AUDITOR].id
    day = today - dt.timedelta(days=plan.asked)
    asked_at = _at(coop, day, 20, 15)
    question = Question(
        coop_id=coop.id, year=day.year, number=numbering.next_number(session, coop.id, f"question-{day.year}"),
        asker_id=plan.asker, is_name_hidden=plan.hidden, title=plan.title, body=plan.body,
        subject_kind=plan.subject, status=QuestionStatus.SUBMITTED, answer="", rejection_reason="",
        assessment_comment="", created_dt=asked_at, **plan.subject_ids)
    asker_user = cast.users[plan.asker]
    events = [_event(coop, question, "submitted", asked_at, asker_user)]
    if plan.decided is not None:
        decided_day = today - dt.timedelta(days=plan.decided)
        question.decided_by_id, question.decided_dt = auditor, _at(coop, decided_day, 18)
        if plan.rejected:
            question.status, question.rejection_reason = QuestionStatus.REJECTED, plan.rejected
            events.append(_event(coop, question, "rejected", question.decided_dt, auditor, plan.rejected))
        else:
            question.status, question.office, question.commission_id = \
                QuestionStatus.ACCEPTED, plan.office, plan.commission_id
            question.due_on = decided_day + dt.timedelta(days=ANSWER_DAYS)
            events.append(_event(coop, question, "accepted", question.decided_dt, auditor))
    for n in range(plan.extra.get("reminders", 0)):
        reminded = question.due_on + dt.timedelta(days=n + 1)
        question.reminded_on = reminded
        events.append(_event(coop, question, "reminded", _at(coop, reminded, 7), None))
    if plan.answered is not None:
        answerer = {Office.TREASURER: Role.TREASURER, Office.BOARD: Role.ADMIN,
                    Office.COMMISSION: Role.COORDINATOR}[plan.office]
        question.status, question.answer = QuestionStatus.ANSWERED, plan.answer
        question.answered_by_id = cast.by_role[answerer].id
        question.answered_dt = _at(coop, today - dt.timedelta(days=plan.answered), 17)
        events.append(_event(coop, question, "answered", question.answered_dt, question.answered_by_id))
        if plan.attachment:
            question.attachments.append(QuestionAttachment(
                coop_id=coop.id, filename="planillas-agua.pdf", content_type="application/pdf",
                size=len(RECEIPT_PDF), content=RECEIPT_PDF, created_dt=question.answered_dt))
    if plan.assessed is not None:
        question.status, question.is_satisfactory = QuestionStatus.ASSESSED, plan.satisfactory
        question.assessment_comment = plan.comment
        question.assessed_dt = _at(coop, today - dt.timedelta(days=plan.assessed), 21)
        events.append(_event(coop, question, "assessed", question.assessed_dt, asker_user, plan.comment))
    if plan.sent is not None and coming is not None:
        item = agenda.add_item(session, cast.by_role[Role.SECRETARY], coop, coming,
                               f"Consulta {question.reference}: {plan.title}",
                               f"{plan.body}\n\nRespuesta: {plan.answer}\n\nQuien preguntó la consideró "
                               f"insatisfactoria: {plan.comment}")
        question.agenda_item_id = item.id
        events.append(_event(coop, question, "sent_to_assembly", _at(coop, today - dt.timedelta(days=plan.sent), 11),
                             cast.by_role[Role.SECRETARY].id, coming.title))
    question.search_text = questions.search_text(question.title, question.body, question.answer)
    session.add(question)
    session.add_all(events)
    session.flush()
    return question


def ask(session: so.Session, coop: Coop, cast, rng: random.Random, packages: list[WorkPackage],
        coming: Meeting | None) -> list[Question]:
    """The questions, asked in the order of their days (so each year's numbers follow time)."""
    today = today_in(coop)
    plans = sorted(_plans(_subjects(session, coop, packages), cast, rng), key=lambda p: -p.asked)
    made = []
    for plan in plans:
        question = _question(session, coop, cast, plan, today, coming)
        # the asker follows their own question from the start, as asking does
        session.add(QuestionFollower(coop_id=coop.id, question_id=question.id, member_id=plan.asker,
                                     created_dt=question.created_dt))
        others = [m for m in cast.users if m not in (plan.asker,)]
        for n, member in enumerate(sorted(rng.sample(others, plan.followers))):
            session.add(QuestionFollower(coop_id=coop.id, question_id=question.id, member_id=member,
                                         is_me_too=n < plan.me_too,
                                         created_dt=question.created_dt + dt.timedelta(hours=5 + n)))
        made.append(question)
    session.flush()
    return made
