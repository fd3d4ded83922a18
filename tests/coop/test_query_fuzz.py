"""Crafted query parameters never break a page: every GET route, every parameter it reads.

The names a page reads are collected by recording what it asks of ``request.args`` (directly,
through the kernel's readers, or through a filter form), then each is sent hostile values:
NUL bytes, control characters, numbers too large for the database, negative numbers, words
where a number or a date belongs. The answer may be the page, a 400 or a 404, never a 500.
"""
from __future__ import annotations

import threading

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from coop.tenancy import Role
from tests.conftest import log_in
from tests.coop.test_access import routes

#: a name every list may read, sent even where the plain visit did not ask for it
ALWAYS = ("page",)

HOSTILE = ("a\x00b", "\x01\x7f", "99999999999999999999999", "-99999999999999999999999", "-1", "0",
           "2147483648", "x" * 5000, "1e9", "9999-99-99", "0001-01-01",
           "²", "١٢")  # digits to str.isdigit() that int() refuses, or that are not ASCII


class _Recorded(threading.local):
    names: set[str] | None = None


READ = _Recorded()


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that remember which names the page asked for."""

    def _note(self, key):
        if READ.names is not None and isinstance(key, str):
            READ.names.add(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's own parameter name)
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._note(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


def status_of(client, url, **query) -> int | str:
    """The answer's status, or the error a test client lets through instead of a 500."""
    try:
        return client.get(url, query_string=query).status_code
    except Exception as error:  # noqa: BLE001 (each failure is listed, not just the first)
        return f"{type(error).__name__}: {str(error)[:120]}"


def names_read(client, url) -> tuple[int | str, set[str]]:
    READ.names = set()
    try:
        return status_of(client, url), set(READ.names)
    finally:
        READ.names = None


def broke(status) -> bool:
    return isinstance(status, str) or status >= 500


@pytest.fixture
def operator(app, make_coop, make_user):
    app.request_class = RecordingRequest
    coop = make_coop("quebrada")
    user = make_user("everything@example.org", coop=coop, roles=list(Role), is_platform_admin=True)
    return coop, user


def test_no_query_parameter_breaks_a_page(app, client, operator):
    coop, user = operator
    log_in(client, user.email)
    broken, checked = [], 0
    for rule, _endpoint, _view, method, url in routes(app):
        if method != "GET" or rule in ("/logout",):
            continue
        url = url.format(slug=coop.slug)
        status, read = names_read(client, url)
        if broke(status):
            broken.append((url, status))
            continue
        for name in sorted(read | set(ALWAYS)):
            for value in HOSTILE:
                status = status_of(client, url, **{name: value})
                checked += 1
                if broke(status):
                    broken.append((url, name, repr(value[:30]), status))
    assert checked > 500
    assert broken == [], "\n".join(map(str, broken))


def test_the_readers_ignore_what_the_database_could_not_hold(app):
    from coop.pages import MAX_PAGE, page_number, query_date, query_int, query_text

    query = "?n=99999999999999999999999&m=-3&k=12&page=99999999999999999999999&t=a%00b%01c&d=0001-01-01&e=2026-02-30"
    with app.test_request_context("/" + query):
        assert (query_int("n"), query_int("m"), query_int("k"), query_int("absent")) == (None, None, 12, None)
        assert page_number() == MAX_PAGE
        assert query_text("t") == "abc"
        assert (query_date("d"), query_date("e")) == (None, None)
    with app.test_request_context("/?page=-4&d=2026-03-31"):
        assert page_number() == 1
        assert str(query_date("d")) == "2026-03-31"


def test_a_nul_byte_in_a_form_or_an_address_is_a_bad_request(client, make_user):
    user = make_user("ana@example.org")
    assert client.post("/login", data={"email": "ana@example.org\x00", "password": "x"}).status_code == 400
    assert client.get("/login?next=/c/\x00").status_code == 400
    assert client.post("/login", data={"email": user.email, "password": "x"}).status_code == 200
