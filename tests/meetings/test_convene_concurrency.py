"""Two secretaries press "Issue the notice" at the same instant, from two phones: the meeting is
convened once, its roll written once, each member told once; the other is told it was issued
already. Real threads, against PostgreSQL when the suite runs there."""
from __future__ import annotations

import sqlalchemy as sa

from coop.outbox import OutboxMessage
from meetings.models import Meeting, MeetingStatus, RollEntry
from tests.conftest import once
from tests.ledger.conftest import post_at_once
from tests.meetings.conftest import NOW
from tests.meetings.convene_factories import add_items


def test_two_secretaries_issuing_at_once_convene_the_meeting_once(app, db, client, login, assembly_coop,
                                                                  make_meeting, make_members, make_user, monkeypatch):
    monkeypatch.setattr("meetings.views.notice.utcnow", lambda: NOW)
    people = make_members(assembly_coop, 12, email="socio@example.org")
    meeting = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    add_items(db, meeting, "Informe del consejo")
    login(client, make_user("maria@example.org", coop=assembly_coop, roles=["secretary"]))

    responses = post_at_once(app, client, f"/c/{assembly_coop.slug}/meetings/{meeting.id}/notice", [once(), once()])

    assert sorted(r.status_code for r in responses) == [302, 422]
    assert "La convocatoria de esta reunión ya fue emitida." in [r for r in responses if r.status_code == 422][0].get_data(as_text=True)
    db.rollback()
    assert db.get(Meeting, meeting.id).status == MeetingStatus.CONVENED
    assert db.scalar(sa.select(sa.func.count()).where(RollEntry.meeting_id == meeting.id)) == len(people)
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                     .where(OutboxMessage.dedupe_key.like(f"meetings.notice:{meeting.id}:%"))) == len(people)
