"""Factories for the ledger's tests: a co-op with the housing chart, and a way to post."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable

import pytest

from ledger import services
from ledger.models import Account, EntrySource
from ledger.services import PostingLine
from tests.members.conftest import make_member  # noqa: F401  (the member factory)

DAY = dt.date(2026, 3, 15)


@pytest.fixture
def books(db, make_coop):
    """A co-op whose chart of accounts is installed; returns the co-op (attached to ``db``)."""
    coop = make_coop()
    db.rollback()
    coop = db.merge(coop)
    services.install_chart(db, None, coop)
    db.commit()
    return coop


def account(db, coop, code) -> Account:
    return services.account_by_code(db, coop, code)


@pytest.fixture
def post(db):
    """Post an entry from (code, amount[, member]) tuples and commit it."""
    def do(coop, *lines, entry_date=DAY, description="Aporte de marzo", source=EntrySource.MANUAL):
        db.rollback()
        postings = [PostingLine(account(db, coop, code), amount, db.merge(rest[0]) if rest else None)
                    for code, amount, *rest in lines]
        entry = services.post_entry(db, None, coop, entry_date=entry_date, description=description,
                                    postings=postings, source=source)
        db.commit()
        return entry
    return do


def run_at_once(target: Callable, arguments: Iterable[tuple]) -> None:
    """Run ``target`` once per argument tuple, each in its own thread, all at the same time."""
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
