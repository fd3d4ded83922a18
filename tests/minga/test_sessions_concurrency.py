"""A session cancelled while people are signing up for it, at the same instant (real threads,
each with its own connection and transaction): cancelling takes the session's row lock first,
so every sign-up either landed before it (and is cancelled with it, and its member told) or
comes after and is refused; none stays confirmed or waiting in a cancelled session."""
from __future__ import annotations

import sqlalchemy as sa

from coop.outbox import OutboxMessage
from coop.tenancy import Coop
from members.models import Member
from minga import sessions, signups
from minga.models import SessionStatus, SignUp, SignUpStatus, WorkSession
from tests.minga.conftest import NOW
from tests.minga.test_signups_concurrency import at_once, many_members


def test_a_session_cancelled_while_thirty_people_sign_up_leaves_nobody_in_it(app, db, minga_coop, make_commission,
                                                                             make_session, make_member):
    session_id = make_session(make_commission(minga_coop), capacity=10).id
    member_ids = many_members(db, minga_coop, 30, make_member, email="socia@example.org")
    coop_id = minga_coop.id

    def act(session, index):
        coop, work_session = session.get(Coop, coop_id), session.get(WorkSession, session_id)
        if index == 15:
            sessions.cancel_session(session, None, coop, work_session, "Lluvia fuerte", now=NOW)
        else:
            member = session.get(Member, member_ids[index if index < 15 else index - 1])
            signups.sign_up(session, None, coop, work_session, member, now=NOW)

    errors, refusals = at_once(app, 31, act)
    assert errors == []
    db.rollback()
    work_session = db.get(WorkSession, session_id)
    assert work_session.status is SessionStatus.CANCELLED and work_session.confirmed_count == 0
    landed = db.scalar(sa.select(sa.func.count()).select_from(SignUp).where(SignUp.session_id == session_id))
    assert set(db.scalars(sa.select(SignUp.status).where(SignUp.session_id == session_id))) <= {SignUpStatus.CANCELLED}
    assert landed + len(refusals) == 30
    told = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert told == landed  # each one who had landed is told; those refused were never in
