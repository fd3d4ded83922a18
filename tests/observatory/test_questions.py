"""A question's life on the books, through the services: Rosa asks about an expense, the oversight
council gives it to the treasurer, the treasurer answers with the invoice, Rosa finds it wanting
and the secretary puts it on the next assembly's agenda. Each wrong step is refused with a clear
message and leaves nothing behind."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import audit
from coop.tenancy import Role, Scope, grant_role
from meetings.models import AgendaItem, MeetingStatus
from meetings.observatory import question_register as register
from meetings.observatory import question_answers as answers
from meetings.observatory import questions
from meetings.observatory import settings as observatory_settings
from meetings.observatory.models import (Office, Question, QuestionAttachment, QuestionFollower, QuestionStatus,
                                         SubjectKind)
from minga.permissions import COMMISSION_SCOPE
from tests.observatory.conftest import NOW, TODAY
from tests.observatory.question_factories import (PDF, PNG, accept, answer, ask, assess, fresh, mails,
                                                   make_assembly, make_commission, make_expense, member_with_account)


@pytest.fixture
def people(db, obs_coop, make_user, make_member):
    """Rosa (a member), Jorge (another member), the auditor, the treasurer and the secretary."""
    rosa = member_with_account(db, make_user, make_member, obs_coop, email="rosa@example.org")
    jorge = member_with_account(db, make_user, make_member, obs_coop, email="jorge@example.org", name="Jorge Tipán",
                                language="es")
    auditor = make_user("auditora@example.org", coop=obs_coop, roles=["auditor"], name="Carmen Auditora")
    treasurer = make_user("tesorero@example.org", coop=obs_coop, roles=["treasurer"], name="Luis Tesorero")
    secretary = make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"], name="Ana Secretaria")
    return {"rosa": rosa, "jorge": jorge, "auditor": auditor, "treasurer": treasurer, "secretary": secretary}


def test_questions_are_numbered_per_year_and_the_asker_follows_theirs(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    expense = make_expense(db, obs_coop)
    first = ask(db, obs_coop, user, rosa, subject_kind="expense", subject_ids={"expense_id": expense.id})
    second = ask(db, obs_coop, user, rosa, title="¿Quién aprobó el gasto?")
    next_year = ask(db, obs_coop, user, rosa, title="¿Y este año?", today=dt.date(2028, 1, 3))
    assert [first.reference, second.reference, next_year.reference] == ["C-2027-1", "C-2027-2", "C-2028-1"]
    first = fresh(db, first)
    assert first.subject_kind is SubjectKind.EXPENSE and first.expense_id == expense.id
    assert first.status is QuestionStatus.SUBMITTED
    assert db.scalar(sa.select(QuestionFollower.member_id).where(QuestionFollower.question_id == first.id)) == rosa.id
    assert [event.kind for event in first.events] == ["submitted"]
    assert "pintura" in first.search_text
    assert audit.events(db, obs_coop.id, audit.AuditFilter(), per_page=10)[1] >= 3


def test_a_question_about_another_coops_expense_is_refused_and_nothing_is_saved(db, ctx, obs_coop, people, make_coop):
    user, rosa = people["rosa"]
    from tests.minga.conftest import coop_with_books
    other = coop_with_books(db, make_coop, "vecina")
    theirs = make_expense(db, other)
    db.rollback()
    errors = _refusal(db, obs_coop, user, rosa, subject_kind="expense", subject_ids={"expense_id": theirs.id})
    assert errors == {"subject": "What this question is about is not among this co-op's records."}
    assert db.scalar(sa.select(sa.func.count(Question.id))) == 0


def _refusal(db, coop, user, member, **fields):
    from tests.observatory.conftest import refusal
    db.rollback()
    return refusal(questions.ask_question, db, db.merge(user), db.merge(coop), db.merge(member),
                   title=fields.pop("title", "¿Cuánto?"), body=fields.pop("body", "Detalle"), now=NOW, today=TODAY,
                   **fields)


def test_an_empty_question_is_refused_beside_each_field(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    assert _refusal(db, obs_coop, user, rosa, title=" ", body="") == {
        "title": "Write the question in a line.", "body": "Say what you want to know, and why."}


def test_the_council_accepts_with_the_bylaws_days_and_cannot_decide_twice(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    db.rollback()
    observatory_settings.update_settings(db, None, db.merge(obs_coop), answer_days=10, is_budget_public=False,
                                         tie_rule="cheaper_first")
    db.commit()
    question = accept(db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa))
    question = fresh(db, question)
    assert question.status is QuestionStatus.ACCEPTED and question.office is Office.TREASURER
    assert question.due_on == TODAY + dt.timedelta(days=10)
    from tests.observatory.conftest import refusal
    db.rollback()
    assert refusal(questions.decide_question, db, db.merge(people["auditor"]), db.merge(obs_coop), fresh(db, question),
                   accept=False, reason="Otra vez", now=NOW, today=TODAY) == {None: "This question was decided already."}
    [mail] = mails(db, "observatory.question:")
    assert mail.to_address == "rosa@example.org"
    assert mail.subject == f"Your question {question.reference} was accepted"


def test_the_default_is_thirty_days(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    question = fresh(db, accept(db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa), office="board"))
    assert question.due_on == TODAY + dt.timedelta(days=30)


def test_a_rejection_needs_a_reason_the_asker_reads(db, ctx, obs_coop, people):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    question = ask(db, obs_coop, user, rosa)
    db.rollback()
    assert refusal(questions.decide_question, db, db.merge(people["auditor"]), db.merge(obs_coop), fresh(db, question),
                   accept=False, reason=" ", now=NOW, today=TODAY) == {
        "reason": "Write why it is rejected: the asker reads it."}
    assert fresh(db, question).status is QuestionStatus.SUBMITTED
    db.rollback()
    questions.decide_question(db, db.merge(people["auditor"]), db.merge(obs_coop), fresh(db, question), accept=False,
                              reason="Nombra la deuda de otro socio.", now=NOW, today=TODAY)
    db.commit()
    [mail] = mails(db, "observatory.question:")
    assert "The reason: Nombra la deuda de otro socio." in mail.body


def test_accepting_needs_an_office_and_a_commission_of_the_coop(db, ctx, obs_coop, people, make_coop):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    question = ask(db, obs_coop, user, rosa)
    other = make_commission(db, make_coop("otra"))
    db.rollback()
    assert refusal(questions.decide_question, db, db.merge(people["auditor"]), db.merge(obs_coop), fresh(db, question),
                   accept=True, office="", now=NOW, today=TODAY) == {"office": "Choose the office that answers."}
    assert refusal(questions.decide_question, db, db.merge(people["auditor"]), db.merge(obs_coop), fresh(db, question),
                   accept=True, office="commission", commission_id=other.id, now=NOW, today=TODAY) == {
        "commission": "Choose the commission that answers."}


def test_only_the_assigned_office_answers(db, ctx, obs_coop, people, make_user):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    works, garden = make_commission(db, obs_coop), make_commission(db, obs_coop, "Comisión de jardines")
    gardener = make_user("jardin@example.org", coop=obs_coop)
    builder = make_user("obras@example.org", coop=obs_coop)
    db.rollback()
    grant_role(db, None, db.merge(obs_coop), db.merge(gardener), Role.COORDINATOR, Scope(COMMISSION_SCOPE, garden.id))
    grant_role(db, None, db.merge(obs_coop), db.merge(builder), Role.COORDINATOR, Scope(COMMISSION_SCOPE, works.id))
    db.commit()
    to_treasurer = accept(db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa))
    to_works = accept(db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa, title="¿Y la obra?"),
                      office="commission", commission_id=works.id)
    for wrong, question in ((people["secretary"], to_treasurer), (people["auditor"], to_treasurer),
                            (gardener, to_works), (people["treasurer"], to_works)):
        db.rollback()
        assert refusal(answers.answer_question, db, db.merge(wrong), db.merge(obs_coop), fresh(db, question),
                       text="Respuesta", now=NOW) == {None: "Only the office this question was given to answers it."}
    answer(db, obs_coop, people["treasurer"], to_treasurer)
    answer(db, obs_coop, builder, to_works)
    assert fresh(db, to_treasurer).status is QuestionStatus.ANSWERED
    assert fresh(db, to_works).status is QuestionStatus.ANSWERED


def test_an_answer_carries_pdf_and_pictures_told_by_their_bytes(db, ctx, obs_coop, people):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    question = accept(db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa))
    db.rollback()
    too_big = b"%PDF-" + b"0" * answers.MAX_ATTACHMENT_BYTES
    assert refusal(answers.answer_question, db, db.merge(people["treasurer"]), db.merge(obs_coop), fresh(db, question),
                   text="Aquí", uploads=[answers.Upload("factura.pdf", PDF), answers.Upload("virus.exe", b"MZ..."),
                                         answers.Upload("grande.pdf", too_big)], now=NOW) == {
        "files": "The file is 5.1 MB; the limit is 5 MB."}
    assert fresh(db, question).status is QuestionStatus.ACCEPTED
    assert db.scalar(sa.select(sa.func.count(QuestionAttachment.id))) == 0
    answer(db, obs_coop, people["treasurer"], question,
           uploads=[answers.Upload("C:\\docs\\factura.PDF", PDF), answers.Upload("foto", PNG)])
    names = [(a.filename, a.content_type) for a in fresh(db, question).attachments]
    assert names == [("factura.pdf", "application/pdf"), ("foto.png", "image/png")]


def test_a_bad_attachment_is_refused_beside_the_files(db, ctx, obs_coop, people):
    with pytest.raises(Exception) as raised:
        answers.check_attachment(answers.Upload("virus.exe", b"MZ\x90\x00"))
    assert raised.value.field == "files" and raised.value.text == "Attach a PDF or a picture (JPEG, PNG)."
    with pytest.raises(Exception) as raised:
        answers.check_attachment(answers.Upload("grande.pdf", b"%PDF-" + b"0" * answers.MAX_ATTACHMENT_BYTES))
    assert raised.value.text == "The file is 5.1 MB; the limit is 5 MB."


def test_only_the_asker_assesses_and_only_once(db, ctx, obs_coop, people):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    jorge_user, jorge = people["jorge"]
    question = answer(db, obs_coop, people["treasurer"], accept(db, obs_coop, people["auditor"],
                                                                ask(db, obs_coop, user, rosa)))
    db.rollback()
    assert refusal(answers.assess_question, db, db.merge(jorge_user), db.merge(obs_coop), db.merge(jorge),
                   fresh(db, question), satisfactory="yes", now=NOW) == {
        None: "Only the member who asked assesses the answer."}
    assert refusal(answers.assess_question, db, db.merge(user), db.merge(obs_coop), db.merge(rosa),
                   fresh(db, question), satisfactory="", now=NOW) == {
        "satisfactory": "Say whether the answer satisfied you."}
    assess(db, obs_coop, user, rosa, question)
    question = fresh(db, question)
    assert question.status is QuestionStatus.ASSESSED and question.is_satisfactory is False
    db.rollback()
    assert refusal(answers.assess_question, db, db.merge(user), db.merge(obs_coop), db.merge(rosa),
                   fresh(db, question), satisfactory="yes", now=NOW) == {None: "You assessed this answer already."}


def test_following_twice_is_harmless_and_me_too_is_counted(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    jorge_user, jorge = people["jorge"]
    question = ask(db, obs_coop, user, rosa)
    for me_too in (False, False, True, True):
        db.rollback()
        questions.follow_question(db, db.merge(jorge_user), db.merge(obs_coop), db.merge(jorge), fresh(db, question),
                                  me_too=me_too, now=NOW)
        db.commit()
    assert register.follow_counts(db, fresh(db, question)) == (1, 1)
    db.rollback()
    questions.follow_question(db, db.merge(jorge_user), db.merge(obs_coop), db.merge(jorge), fresh(db, question),
                              follow=False, now=NOW)
    db.commit()
    assert register.follow_counts(db, fresh(db, question)) == (0, 0)


def test_followers_are_told_of_each_step_in_their_language(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    jorge_user, jorge = people["jorge"]
    question = ask(db, obs_coop, user, rosa)
    db.rollback()
    questions.follow_question(db, db.merge(jorge_user), db.merge(obs_coop), db.merge(jorge), fresh(db, question),
                              now=NOW)
    db.commit()
    answer(db, obs_coop, people["treasurer"], accept(db, obs_coop, people["auditor"], question))
    sent = mails(db, "observatory.question:")
    assert [mail.to_address for mail in sent] == ["rosa@example.org", "jorge@example.org"] * 2
    rosa_accepted, jorge_accepted = sent[0].body, sent[1].body
    assert "April 1, 2027" in rosa_accepted  # Rosa reads English
    assert "1 de abril de 2027" in jorge_accepted  # Jorge reads Spanish
    assert "Once you have read it, say whether it satisfied you." in sent[2].body
    assert "say whether it satisfied you" not in sent[3].body  # only the asker assesses


def test_an_unsatisfactory_answer_goes_to_the_next_assembly_once(db, ctx, obs_coop, people):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    question = assess(db, obs_coop, user, rosa, answer(db, obs_coop, people["treasurer"], accept(
        db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa))))
    db.rollback()
    assert refusal(answers.send_to_assembly, db, db.merge(people["secretary"]), db.merge(obs_coop),
                   fresh(db, question), now=NOW, today=TODAY) == {
        None: "No general assembly is coming: prepare one first, then send the question to it."}
    make_assembly(db, obs_coop, dt.date(2027, 2, 20))  # past
    make_assembly(db, obs_coop, dt.date(2027, 3, 27), status=MeetingStatus.CANCELLED)
    later = make_assembly(db, obs_coop, dt.date(2027, 6, 5), title="Asamblea de junio")
    coming = make_assembly(db, obs_coop, dt.date(2027, 3, 20), status=MeetingStatus.DRAFT, title="Asamblea de marzo")
    db.rollback()
    meeting, item = answers.send_to_assembly(db, db.merge(people["secretary"]), db.merge(obs_coop),
                                               fresh(db, question), now=NOW, today=TODAY)
    db.commit()
    assert meeting.id == coming.id and meeting.id != later.id
    question = fresh(db, question)
    item = db.get(AgendaItem, question.agenda_item_id)
    assert item.meeting_id == coming.id and item.title == "Consulta C-2027-1: ¿Cuánto costó la pintura?"
    db.rollback()
    assert refusal(answers.send_to_assembly, db, db.merge(people["secretary"]), db.merge(obs_coop),
                   fresh(db, question), now=NOW, today=TODAY) == {None: "This question is on an assembly's agenda already."}
    assert db.scalar(sa.select(sa.func.count(AgendaItem.id))) == 1


def test_a_satisfied_or_waiting_question_does_not_go_but_an_overdue_one_does(db, ctx, obs_coop, people):
    from tests.observatory.conftest import refusal
    user, rosa = people["rosa"]
    make_assembly(db, obs_coop, dt.date(2027, 6, 5))
    satisfied = assess(db, obs_coop, user, rosa, answer(db, obs_coop, people["treasurer"], accept(
        db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa))), satisfactory="yes")
    waiting = accept(db, obs_coop, people["auditor"], ask(db, obs_coop, user, rosa, title="¿Y la otra?"))
    message = ("Only a question whose answer did not satisfy the asker, or an overdue one, goes to the assembly.")
    for question, today in ((satisfied, TODAY), (waiting, TODAY + dt.timedelta(days=30))):
        db.rollback()
        assert refusal(answers.send_to_assembly, db, db.merge(people["secretary"]), db.merge(obs_coop),
                       fresh(db, question), now=NOW, today=today) == {None: message}
    db.rollback()
    answers.send_to_assembly(db, db.merge(people["secretary"]), db.merge(obs_coop), fresh(db, waiting), now=NOW,
                               today=TODAY + dt.timedelta(days=31))
    db.commit()
    assert fresh(db, waiting).agenda_item_id is not None


def test_rejected_questions_and_hidden_names_in_the_register(db, ctx, obs_coop, people):
    user, rosa = people["rosa"]
    jorge_user, jorge = people["jorge"]
    hidden = ask(db, obs_coop, user, rosa, hide_name=True, title="¿Por qué subió la cuota?")
    rejected = ask(db, obs_coop, user, rosa, title="¿Cuánto debe el vecino?")
    db.rollback()
    questions.decide_question(db, db.merge(people["auditor"]), db.merge(obs_coop), fresh(db, rejected), accept=False,
                              reason="Datos personales de otro socio.", now=NOW, today=TODAY)
    db.commit()
    member, asker, council = (register.Reader(jorge.id, False), register.Reader(rosa.id, False),
                              register.Reader(None, True))
    seen = {name: [(q.reference, register.asker_name(reader, q)) for q in register.search(db, obs_coop, reader)[0]]
            for name, reader in (("member", member), ("asker", asker), ("council", council))}
    assert seen["member"] == [("C-2027-1", "Name withheld")]
    assert seen["asker"] == [("C-2027-2", "Rosa Quishpe"), ("C-2027-1", "Rosa Quishpe")]
    assert seen["council"] == seen["asker"]
    assert [q.reference for q in register.search(db, obs_coop, member, words="CUOTA")[0]] == ["C-2027-1"]
    assert register.search(db, obs_coop, member, words="pintura")[1] == 0


def test_the_settings_are_checked_and_audited(db, ctx, obs_coop):
    from tests.observatory.conftest import refusal
    db.rollback()
    assert refusal(observatory_settings.update_settings, db, None, db.merge(obs_coop), answer_days=0,
                   is_budget_public=True, tie_rule="coin") == {"answer_days": "Between 1 and 365 days.",
                                                               "tie_rule": "Choose how ties are settled."}
    changes = observatory_settings.update_settings(db, None, db.merge(obs_coop), answer_days=365,
                                                   is_budget_public=True, tie_rule="lot")
    db.commit()
    assert changes["answer_days"] == [30, 365] and changes["is_budget_public"] == [False, True]
    assert observatory_settings.get_settings(db, obs_coop).tie_rule.value == "lot"
    events, _total = audit.events(db, obs_coop.id, audit.AuditFilter(), per_page=5)
    assert events[0].action == "observatory.settings"
