"""Questions on the books through the pages, as each person meets them: Rosa asks from an
expense's page (a double click makes one question), the auditor gives it to the treasurer, the
secretary may not answer it, the treasurer answers with the invoice, Rosa finds it wanting and
the secretary sends it to the next assembly. The register hides a hidden asker's name from
members, never from the council; the front page shows each office what waits for it."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from coop.calendar import today_in
from meetings.models import AgendaItem
from meetings.observatory.models import ObservatorySettings, Question, QuestionStatus
from tests.conftest import flashes, once, text_of
from tests.observatory.explorer_factories import publish_budget
from tests.observatory.question_factories import (PDF, make_assembly, make_expense, member_with_account)


@pytest.fixture
def cast(db, obs_coop, make_user, make_member):
    rosa = member_with_account(db, make_user, make_member, obs_coop, email="rosa@example.org")
    jorge = member_with_account(db, make_user, make_member, obs_coop, email="jorge@example.org", name="Jorge Tipán")
    return {"rosa": rosa[0], "rosa_member": rosa[1], "jorge": jorge[0],
            "auditor": make_user("auditora@example.org", coop=obs_coop, roles=["auditor"], locale="en",
                                 name="Carmen Auditora"),
            "treasurer": make_user("tesorero@example.org", coop=obs_coop, roles=["treasurer"], locale="en"),
            "secretary": make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"], locale="en")}


@pytest.fixture
def as_(app, login):
    """A client of its own, logged in as the user (each person reads on their own phone)."""
    def open_as(user):
        client = app.test_client()
        login(client, user)
        return client
    return open_as


def base(coop) -> str:
    return f"/c/{coop.slug}/observatory"


def only_question(db) -> Question:
    db.rollback()
    return db.scalar(sa.select(Question))


def test_a_member_asks_from_an_expense_and_a_double_click_makes_one_question(db, obs_coop, cast, as_):
    expense = make_expense(db, obs_coop)
    url = f"{base(obs_coop)}/questions/ask?subject=expense&id={expense.id}"
    books = as_(cast["treasurer"]).get(f"/c/{obs_coop.slug}/books/expenses/{expense.id}")
    assert "Ask a question about this" in text_of(books)
    assert url.replace("&", "&amp;") in books.get_data(as_text=True)
    client = as_(cast["rosa"])
    form = client.get(url)
    assert "Ferretería Andina: Pintura para la casa comunal" in text_of(form)
    data = {"title": "¿Cuánto costó la pintura?", "body": "Quiero ver la factura.", "hide_name": "y", **once()}
    first = client.post(url, data=data)
    second = client.post(url, data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Question.id))) == 1
    page = client.get(first.headers["Location"], follow_redirects=True)
    text = text_of(page)
    assert f"Question C-{today_in(obs_coop).year}-1: ¿Cuánto costó la pintura?" in text
    assert "Waiting for the oversight council" in text and "Rosa Quishpe" in text
    assert f'/observatory/budget/expenses/{expense.id}' in page.get_data(as_text=True)


def test_another_coops_expense_has_no_ask_page(db, obs_coop, cast, as_, make_coop):
    from tests.minga.conftest import coop_with_books
    theirs = make_expense(db, coop_with_books(db, make_coop, "vecina"))
    client = as_(cast["rosa"])
    url = f"{base(obs_coop)}/questions/ask?subject=expense&id={theirs.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"title": "x", "body": "y", **once()}).status_code == 404
    assert client.get(f"{base(obs_coop)}/questions/ask?subject=planet&id=1").status_code == 404
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Question.id))) == 0


def test_an_empty_question_is_refused_beside_its_fields(db, obs_coop, cast, as_):
    client = as_(cast["rosa"])
    page = client.post(f"{base(obs_coop)}/questions/ask", data={"title": "", "body": "", **once()})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="title-error">Write the question in a line.' in html
    assert 'id="body-error">Say what you want to know, and why.' in html


def _ask(client, obs_coop, **fields) -> str:
    data = {"title": "¿Cuánto costó la pintura?", "body": "Quiero ver la factura.", **once(), **fields}
    response = client.post(f"{base(obs_coop)}/questions/ask", data=data)
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_whole_life_of_a_question_through_its_pages(db, obs_coop, cast, as_):
    client = as_(cast["rosa"])
    url = _ask(client, obs_coop, hide_name="y")
    question = only_question(db)

    # the council gives it to the treasurer
    client = as_(cast["auditor"])
    decide = f"{url}/decide"
    assert "Rosa Quishpe" in text_of(client.get(decide))  # the council sees the hidden name
    page = client.post(decide, data={"decision": "accept", "office": "treasurer"}, follow_redirects=True)
    assert "is accepted and given to Treasurer" in text_of(page)
    again = client.post(decide, data={"decision": "reject", "reason": "Tarde"})
    assert "This question was decided already." in text_of(again)

    # the secretary is not the treasurer
    client = as_(cast["secretary"])
    page = client.get(f"{url}/answer")
    assert "Only the office this question was given to answers it." in text_of(page)
    refused = client.post(f"{url}/answer", data={"answer": "Yo respondo"})
    assert "Only the office this question was given to answers it." in text_of(refused)
    assert only_question(db).status is QuestionStatus.ACCEPTED

    # the treasurer answers, with the invoice
    client = as_(cast["treasurer"])
    bad = client.post(f"{url}/answer", data={"answer": "Adjunto", "files": (io.BytesIO(b"MZ\x90"), "virus.exe")},
                      content_type="multipart/form-data")
    assert 'id="files-error">Attach a PDF or a picture (JPEG, PNG).' in bad.get_data(as_text=True)
    page = client.post(f"{url}/answer", data={"answer": "Costó 450 dólares.",
                                              "files": (io.BytesIO(PDF), "factura.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "Costó 450 dólares." in text_of(page) and "factura.pdf" in text_of(page)
    attachment = only_question(db).attachments[0]
    download = client.get(f"{url}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF

    # another member may not assess it, and reads "Name withheld"
    client = as_(cast["jorge"])
    page = client.get(url)
    assert "Name withheld" in text_of(page) and "Rosa Quishpe" not in text_of(page)
    assert "Assess the answer" not in text_of(page)
    refused = client.post(f"{url}/assess", data={"satisfactory": "yes"})
    assert "Only the member who asked assesses the answer." in text_of(refused)
    client.post(f"{url}/follow", data={"action": "me_too"})
    client.post(f"{url}/follow", data={"action": "me_too"})  # a double click
    assert "1 follows it · 1 has the same question" in text_of(client.get(url))

    # Rosa finds it wanting
    client = as_(cast["rosa"])
    page = client.post(f"{url}/assess", data={"satisfactory": "no", "comment": "Falta la proforma."},
                       follow_redirects=True)
    assert "The asker's assessment Not satisfactory : Falta la proforma." in text_of(page)

    # the secretary sends it to the assembly, once
    client = as_(cast["secretary"])
    page = client.get(f"{url}/to-assembly")
    assert "No general assembly is coming" in text_of(page)
    make_assembly(db, obs_coop, today_in(obs_coop) + dt.timedelta(days=20))
    page = client.post(f"{url}/to-assembly", data={}, follow_redirects=True)
    assert f"Question {question.reference} is on the order of the day of Asamblea general ordinaria." in flashes(page)
    again = client.post(f"{url}/to-assembly", data={})
    assert "This question is on an assembly's agenda already." in text_of(again)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(AgendaItem.id))) == 1
    history = text_of(client.get(url))
    for step in ("Asked", "Accepted by the oversight council", "Answered", "Assessed by the asker",
                 "Sent to the assembly"):
        assert step in history


def test_a_rejected_question_is_read_by_its_asker_and_the_council_only(db, obs_coop, cast, as_):
    client = as_(cast["rosa"])
    url = _ask(client, obs_coop, title="¿Cuánto debe el vecino del lote 12?")
    client = as_(cast["auditor"])
    client.post(f"{url}/decide", data={"decision": "reject", "reason": ""})
    assert only_question(db).status is QuestionStatus.SUBMITTED  # a reason is required
    client.post(f"{url}/decide", data={"decision": "reject", "reason": "Expone la deuda de otro socio."})
    client = as_(cast["rosa"])
    assert "Expone la deuda de otro socio." in text_of(client.get(url))
    assert "lote 12" in text_of(client.get(f"{base(obs_coop)}/questions"))
    client = as_(cast["jorge"])
    assert client.get(url).status_code == 404
    assert "lote 12" not in text_of(client.get(f"{base(obs_coop)}/questions"))
    client = as_(cast["treasurer"])
    assert client.get(url).status_code == 200


def test_the_register_searches_and_flags_overdue_answers(db, obs_coop, cast, as_):
    client = as_(cast["rosa"])
    _ask(client, obs_coop, title="¿Por qué subió la cuota?")
    _ask(client, obs_coop, title="¿Quién pintó la casa comunal?")
    db.rollback()
    late = db.scalar(sa.select(Question).where(Question.number == 2))
    late.status, late.office, late.due_on = QuestionStatus.ACCEPTED, "treasurer", today_in(obs_coop) - dt.timedelta(days=1)
    db.commit()
    client = as_(cast["jorge"])
    found = text_of(client.get(f"{base(obs_coop)}/questions?q=CUOTA"))
    assert "¿Por qué subió la cuota?" in found and "casa comunal" not in found and "1 question" in found
    overdue = text_of(client.get(f"{base(obs_coop)}/questions?status=overdue"))
    assert "casa comunal" in overdue and "Overdue" in overdue and "cuota" not in overdue

    client = as_(cast["treasurer"])
    front = text_of(client.get(f"{base(obs_coop)}/"))
    assert "To answer" in front and "Overdue answers" in front and "casa comunal" in front
    home = text_of(client.get(f"/c/{obs_coop.slug}/"))
    assert "1 question waits for you" in home and "1 overdue" in home


def test_the_front_page_leads_every_member_to_each_part(db, obs_coop, cast, as_):
    client = as_(cast["rosa"])
    _ask(client, obs_coop)
    page = client.get(f"{base(obs_coop)}/")
    html, text = page.get_data(as_text=True), text_of(page)
    for path in ("/observatory/questions", "/observatory/budget", "/observatory/budgets", "/observatory/work",
                 "/observatory/accountability"):
        assert f'href="/c/{obs_coop.slug}{path}"' in html
    assert "Your questions" in text and "Questions waiting" not in text
    client = as_(cast["auditor"])
    assert "To accept or reject" in text_of(client.get(f"{base(obs_coop)}/"))


def test_the_front_page_links_the_public_budget_only_while_the_coop_publishes_it(app, db, obs_coop, cast, as_):
    client = as_(cast["rosa"])
    public = f"/c/{obs_coop.slug}/observatory/open/budget"
    page = client.get(f"{base(obs_coop)}/")
    assert public not in page.get_data(as_text=True) and "without logging in" not in text_of(page)
    publish_budget(db, obs_coop)
    page = client.get(f"{base(obs_coop)}/")
    assert f'href="{public}"' in page.get_data(as_text=True)
    shown = text_of(page)
    assert "The public copy of the budget" in shown and "anyone can see it without logging in" in shown
    assert app.test_client().get(public).status_code == 200  # and so it is, for anyone
    publish_budget(db, obs_coop, False)
    assert public not in client.get(f"{base(obs_coop)}/").get_data(as_text=True)


def test_the_settings_page_checks_the_days_and_saves(db, obs_coop, make_user, as_):
    admin = make_user("admin@example.org", coop=obs_coop, roles=["admin"], locale="en")
    client = as_(admin)
    url = f"{base(obs_coop)}/settings"
    assert "Days an office has to answer an accepted question" in text_of(client.get(url))
    refused = client.post(url, data={"answer_days": "400", "tie_rule": "lot"})
    assert 'id="answer_days-error">Between 1 and 365 days.' in refused.get_data(as_text=True)
    client.post(url, data={"answer_days": "15", "is_budget_public": "y", "tie_rule": "lot"})
    db.rollback()
    saved = db.scalar(sa.select(ObservatorySettings).where(ObservatorySettings.coop_id == obs_coop.id))
    assert (saved.answer_days, saved.is_budget_public, saved.tie_rule.value) == (15, True, "lot")
    member = make_user("socio@example.org", coop=obs_coop, roles=["member"], locale="en")
    client = as_(member)
    assert client.get(url).status_code == 403


def test_the_partial_lists_the_questions_about_a_subject_with_a_link_to_ask(app, db, obs_coop, cast, as_):
    from flask import g, render_template_string
    from flask_login import login_user

    from coop.auth.models import User
    expense, other = make_expense(db, obs_coop), make_expense(db, obs_coop, description="Cemento")
    client = as_(cast["rosa"])
    _ask(client, obs_coop, title="¿Y la pintura?", hide_name="y")
    client.post(f"{base(obs_coop)}/questions/ask?subject=expense&id={expense.id}",
                data={"title": "¿Quién aprobó la pintura?", "body": "Detalle", "hide_name": "y", **once()})
    page = ('{% for once_more in [1] %}{% set subject_kind = "expense" %}{% set subject_ids = {"expense_id": ID} %}'
            '{% include "observatory/_questions_about.html" ignore missing %}{% endfor %}')
    db.rollback()
    for reader, shown_name in ((cast["jorge"], "Name withheld"), (cast["auditor"], "Rosa Quishpe")):
        with app.test_request_context():
            g.coop = db.merge(obs_coop)
            login_user(db.get(User, reader.id))
            html = render_template_string(page.replace("ID", str(expense.id)))
            empty = render_template_string(page.replace("ID", str(other.id)))
        assert "¿Quién aprobó la pintura?" in html and "¿Y la pintura?" not in html and shown_name in html
        assert f"/observatory/questions/ask?subject=expense&amp;id={expense.id}" in html
        assert "No member has asked about this yet." in empty


def test_each_subject_links_to_its_page_and_the_resolution_page_offers_to_ask(db, obs_coop, cast, as_):
    from ledger.models import Budget
    from meetings.models import Resolution
    from meetings.observatory.models import WorkPackage
    from tests.observatory.conftest import account
    meeting = make_assembly(db, obs_coop, dt.date(2027, 1, 30))
    db.rollback()
    line = account(db, obs_coop, "5.3")
    budget = Budget(coop_id=obs_coop.id, year=2027)
    resolution = Resolution(coop_id=obs_coop.id, year=2027, number=4, meeting_id=meeting.id,
                            title="Pintar la casa comunal", text="Se aprueba pintar.", decided_on=dt.date(2027, 1, 30))
    db.add_all([budget, resolution])
    db.flush()
    package = WorkPackage(coop_id=obs_coop.id, title="Pintura de la casa comunal", resolution_id=resolution.id,
                          account_id=line.id, voted_minor=50_000)
    db.add(package)
    db.commit()
    client = as_(cast["rosa"])
    assert (f"/observatory/questions/ask?subject=resolution&amp;id={resolution.id}"
            in client.get(f"/c/{obs_coop.slug}/meetings/resolutions/{resolution.id}").get_data(as_text=True))
    for query, link, words in (
            (f"subject=budget_line&budget={budget.id}&id={line.id}", f"/observatory/budget/2027/lines/{line.id}",
             f"2027 · {line.code} {line.name}"),
            (f"subject=resolution&id={resolution.id}", f"/meetings/resolutions/{resolution.id}",
             "Pintar la casa comunal"),
            (f"subject=work_package&id={package.id}", f"/observatory/work/{package.id}", "Pintura de la casa comunal")):
        form = client.get(f"{base(obs_coop)}/questions/ask?{query}")
        assert words in text_of(form)
        response = client.post(f"{base(obs_coop)}/questions/ask?{query}", data={"title": "¿Cuánto?", "body": "Detalle",
                                                                                **once()})
        page = client.get(response.headers["Location"])
        assert f'href="/c/{obs_coop.slug}{link}"' in page.get_data(as_text=True) and words in text_of(page)
    assert client.get(f"{base(obs_coop)}/questions/ask?subject=budget_line&budget={budget.id}").status_code == 404
