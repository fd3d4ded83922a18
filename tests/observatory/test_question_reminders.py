"""The daily job reminds the office of each overdue answer, at most once a day per question; a
second run the same day sends nothing, the next day it reminds again; the asker and the followers
hear once that the answer is overdue."""
from __future__ import annotations

import datetime as dt

from coop.scheduler import JobContext
from meetings.observatory import question_jobs
from meetings.observatory.models import QuestionStatus
from tests.observatory.question_factories import accept, answer, ask, fresh, mails, member_with_account

#: 10:00 in Quito, the day after the answer was due (accepted on TODAY, 30 days to answer)
DAY_AFTER_DUE = dt.datetime(2027, 4, 2, 15, 0)


def run_job(app, db, now):
    db.rollback()
    with app.test_request_context():
        detail = question_jobs.remind_overdue_questions(JobContext(session=db, config=app.config, now=now))
    db.commit()
    return detail


def test_an_overdue_answer_is_reminded_once_a_day(app, db, ctx, obs_coop, make_user, make_member):
    user, rosa = member_with_account(db, make_user, make_member, obs_coop, email="rosa@example.org")
    auditor = make_user("auditora@example.org", coop=obs_coop, roles=["auditor"])
    make_user("tesorero@example.org", coop=obs_coop, roles=["treasurer"], locale="es")
    deputy = make_user("otro@example.org", coop=obs_coop, roles=["treasurer"])
    make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"])  # the board: not reminded
    question = accept(db, obs_coop, auditor, ask(db, obs_coop, user, rosa))
    answered = answer(db, obs_coop, deputy, accept(db, obs_coop, auditor, ask(db, obs_coop, user, rosa, title="¿Y la luz?")))
    assert fresh(db, answered).status is QuestionStatus.ANSWERED

    assert run_job(app, db, DAY_AFTER_DUE - dt.timedelta(days=1)) == "0 overdue questions reminded"  # the due day
    assert run_job(app, db, DAY_AFTER_DUE) == "1 overdue questions reminded"
    assert run_job(app, db, DAY_AFTER_DUE + dt.timedelta(hours=2)) == "0 overdue questions reminded"
    reminders = mails(db, "observatory.overdue:")
    assert sorted(mail.to_address for mail in reminders) == ["otro@example.org", "tesorero@example.org"]
    assert fresh(db, question).reminded_on == dt.date(2027, 4, 2)
    [told] = mails(db, f"observatory.question:{question.id}:overdue")
    assert told.to_address == "rosa@example.org" and "was due on April 1, 2027" in told.body

    assert run_job(app, db, DAY_AFTER_DUE + dt.timedelta(days=1)) == "1 overdue questions reminded"
    assert len(mails(db, "observatory.overdue:")) == 4
    assert len(mails(db, f"observatory.question:{question.id}:overdue")) == 1
    assert [event.kind for event in fresh(db, question).events].count("reminded") == 2
