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
def ana(db, books, make_member):  # noqa: F811  (the fixture, imported above)
    """A member of the books' co-op, in the test's session."""
    person = make_member(books, given_names="Ana Lucía", family_names="Quishpe Toapanta")
    db.rollback()
    return db.merge(person)


@pytest.fixture
def treasurer(client, db, books, make_user, login):
    """The treasurer, logged in on ``client`` (files with their own treasurer override it)."""
    user = make_user("tesorera@example.org", coop=books, roles=["treasurer"])
    login(client, user)
    db.rollback()  # the log-in committed: start a fresh transaction before arranging more data
    return user


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


def post_at_once(app, signed_in, url: str, forms: list[dict], **options) -> list:
    """POST each form from a client of its own, all at the same instant (``run_at_once``), each
    client carrying the session of ``signed_in`` (a logged-in test client); the responses."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = signed_in.get_cookie(name)
    barrier, responses = threading.Barrier(len(forms)), [None] * len(forms)
    clients = [app.test_client() for _ in forms]
    for each in clients:
        each.set_cookie(name, cookie.value, domain=cookie.domain or "localhost")

    def send(index: int) -> None:
        barrier.wait(timeout=30)
        responses[index] = clients[index].post(url, data=forms[index], **options)

    run_at_once(send, [(index,) for index in range(len(forms))])
    return responses
