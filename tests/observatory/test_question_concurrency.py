"""Many presses at once on a question's forms: the same question sent eight times at once makes
one question; eight different questions at once are numbered 1 to 8 without a gap; the council
deciding eight times at once decides once (the others read why); "me too" pressed eight times at
once counts one follower. Real threads, each request with its own connection (PostgreSQL when the
suite runs on it)."""
from __future__ import annotations

import sqlalchemy as sa

from meetings.observatory.models import Question, QuestionEvent, QuestionFollower, QuestionStatus
from tests.conftest import once, text_of
from tests.ledger.conftest import post_at_once
from tests.observatory.question_factories import member_with_account

CROWD = 8


def signed_in(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_ask_form_pressed_at_once_makes_one_question_and_different_ones_are_numbered_without_gaps(
        app, db, obs_coop, make_user, make_member, login):
    rosa, _member = member_with_account(db, make_user, make_member, obs_coop, email="rosa@example.org")
    client = signed_in(app, login, rosa)
    url = f"/c/{obs_coop.slug}/observatory/questions/ask"
    same = {"title": "¿Cuánto costó la pintura?", "body": "Detalle", **once()}
    responses = post_at_once(app, client, url, [same] * CROWD)
    assert [r.status_code for r in responses] == [302] * CROWD
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Question.id))) == 1

    different = [{"title": f"Consulta {index}", "body": "Detalle", **once()} for index in range(CROWD)]
    assert [r.status_code for r in post_at_once(app, client, url, different)] == [302] * CROWD
    db.rollback()
    assert sorted(db.scalars(sa.select(Question.number))) == list(range(1, CROWD + 2))


def test_the_council_deciding_at_once_decides_once(app, db, obs_coop, make_user, make_member, login):
    rosa, _member = member_with_account(db, make_user, make_member, obs_coop, email="rosa@example.org")
    signed_in(app, login, rosa).post(f"/c/{obs_coop.slug}/observatory/questions/ask",
                                     data={"title": "¿Cuánto?", "body": "Detalle", **once()})
    db.rollback()
    question = db.scalar(sa.select(Question))
    auditor = signed_in(app, login, make_user("auditora@example.org", coop=obs_coop, roles=["auditor"], locale="en"))
    forms = [{"decision": "accept", "office": "treasurer"}, {"decision": "reject", "reason": "Datos personales"}]
    responses = post_at_once(app, auditor, f"/c/{obs_coop.slug}/observatory/questions/{question.id}/decide",
                             forms * (CROWD // 2))
    assert sorted(r.status_code for r in responses) == [200] * (CROWD - 1) + [302]
    for refused in (r for r in responses if r.status_code == 200):
        assert "This question was decided already." in text_of(refused)
    db.rollback()
    decided = db.get(Question, question.id)
    assert decided.status in (QuestionStatus.ACCEPTED, QuestionStatus.REJECTED)
    assert db.scalar(sa.select(sa.func.count(QuestionEvent.id)).where(
        QuestionEvent.kind.in_(("accepted", "rejected")))) == 1


def test_me_too_pressed_at_once_counts_one_follower(app, db, obs_coop, make_user, make_member, login):
    rosa, _member = member_with_account(db, make_user, make_member, obs_coop, email="rosa@example.org")
    jorge, jorge_member = member_with_account(db, make_user, make_member, obs_coop, email="jorge@example.org",
                                              name="Jorge Tipán")
    signed_in(app, login, rosa).post(f"/c/{obs_coop.slug}/observatory/questions/ask",
                                     data={"title": "¿Cuánto?", "body": "Detalle", **once()})
    db.rollback()
    question = db.scalar(sa.select(Question))
    responses = post_at_once(app, signed_in(app, login, jorge),
                             f"/c/{obs_coop.slug}/observatory/questions/{question.id}/follow",
                             [{"action": "me_too"}] * CROWD)
    assert [r.status_code for r in responses] == [302] * CROWD
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(QuestionFollower.id)).where(
        QuestionFollower.member_id == jorge_member.id, QuestionFollower.is_me_too.is_(True))) == 1
