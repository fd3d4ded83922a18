"""Numbers people see, sequential per co-op without gaps: member no., receipt no., resolution no.

A counter row per (co-op, series) is incremented by one atomic ``UPDATE ... RETURNING`` inside
the same transaction that uses the number. PostgreSQL holds the row lock until that transaction
ends, so concurrent allocations queue; SQLite's write transactions (BEGIN IMMEDIATE) are already
serial. If the transaction rolls back, so does the counter: no number is lost, none is used twice.
A unique constraint on the numbered table is the last line of defence.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base


class CoopCounter(Base):
    """The last number handed out in one series of one co-op."""

    __tablename__ = "coop_counter"

    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), primary_key=True)
    #: the series, such as "member" or "receipt"
    series: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    #: the last number allocated (0 before the first)
    last_value: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


def _ensure_counter(session: so.Session, coop_id: int, series: str) -> None:
    exists = session.scalar(sa.select(CoopCounter.last_value).where(
        CoopCounter.coop_id == coop_id, CoopCounter.series == series))
    if exists is not None:
        return
    try:
        with session.begin_nested():
            session.add(CoopCounter(coop_id=coop_id, series=series, last_value=0))
    except sa.exc.IntegrityError:
        pass  # another transaction created it; the UPDATE below waits for it


def next_number(session: so.Session, coop_id: int, series: str) -> int:
    """Allocate the next number of ``series`` for the co-op, in the caller's transaction."""
    return next_numbers(session, coop_id, series, 1)[0]


def raise_to_at_least(session: so.Session, coop_id: int, series: str, value: int) -> None:
    """After importing numbered records, continue numbering after the highest one imported."""
    _ensure_counter(session, coop_id, series)
    session.execute(sa.update(CoopCounter)
                    .where(CoopCounter.coop_id == coop_id, CoopCounter.series == series,
                           CoopCounter.last_value < value)
                    .values(last_value=value).execution_options(synchronize_session=False))


def next_numbers(session: so.Session, coop_id: int, series: str, count: int) -> range:
    """Allocate ``count`` consecutive numbers of ``series`` at once (one counter update, one lock)."""
    if count < 1:
        raise ValueError("allocate at least one number")
    statement = (sa.update(CoopCounter)
                 .where(CoopCounter.coop_id == coop_id, CoopCounter.series == series)
                 .values(last_value=CoopCounter.last_value + count)
                 .returning(CoopCounter.last_value)
                 .execution_options(synchronize_session=False))
    last = session.execute(statement).scalar_one_or_none()
    if last is None:  # the series' first number: create its counter, then count
        _ensure_counter(session, coop_id, series)
        last = session.execute(statement).scalar_one()
    return range(last - count + 1, last + 1)
