"""Helpers of the notice's tests: an agenda written directly, and the outbox read back."""
from __future__ import annotations

import sqlalchemy as sa

from coop.outbox import OutboxMessage
from meetings.models import AgendaItem


def add_items(db, meeting, *titles: str) -> None:
    db.rollback()
    for position, title in enumerate(titles, start=1):
        db.add(AgendaItem(coop_id=meeting.coop_id, meeting_id=meeting.id, position=position, title=title))
    db.commit()


def mails(db, prefix: str = "meetings.") -> list[OutboxMessage]:
    db.rollback()
    return list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"{prefix}%"))
                           .order_by(OutboxMessage.to_address)))
