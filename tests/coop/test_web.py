"""What every page shares: security headers, error pages in both languages, request ids,
rollback on unexpected errors, language choice and locale formatting."""
from __future__ import annotations

import logging

import sqlalchemy as sa

from coop.db import get_session
from coop.pages import public_view
from coop.tenancy import Coop
from tests.conftest import log_in, text_of


def test_pages_send_strict_security_headers(client):
    response = client.get("/login")
    headers = response.headers
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert len(headers["X-Request-ID"]) >= 8


def test_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user()
    response = log_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logged_in_pages_are_not_cached(client, make_coop, make_user):
    coop = make_coop()
    user = make_user(coop=coop, roles=["member"])
    log_in(client, user.email)
    assert "no-store" in client.get(f"/c/{coop.slug}/").headers["Cache-Control"]


def test_pages_use_no_outside_assets(client):
    html = client.get("/login").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    assert "<script" not in html  # the pages work without JavaScript


def test_not_found_page_in_spanish_and_english(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Página no encontrada" in text_of(response)
    client.post("/language", data={"lang": "en"})
    assert "Page not found" in text_of(client.get("/no-such-page"))


def test_browser_language_is_used_until_someone_chooses(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Page not found" in text_of(response)


def test_user_language_choice_is_remembered_on_their_account(app, client, make_user):
    user = make_user()
    log_in(client, user.email)
    client.post("/language", data={"lang": "en", "next": "/account"})
    other_browser = app.test_client()
    log_in(other_browser, user.email)
    assert "My account" in text_of(other_browser.get("/account"))


def test_unknown_language_is_a_bad_request(client):
    assert client.post("/language", data={"lang": "fr"}).status_code == 400


def test_unexpected_error_answers_500_with_a_reference_and_changes_nothing(app, db, make_coop, caplog):
    coop = make_coop()

    @public_view
    def explode():
        get_session().get(Coop, coop.id).name = "Half-saved"
        get_session().flush()
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/explode", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert "req-12345678" in text_of(response)
    assert "Algo salió mal" in text_of(response)
    assert any("req-12345678" in getattr(r, "request_id", "") for r in caplog.records)
    db.rollback()
    assert db.get(Coop, coop.id).name != "Half-saved"


def test_money_is_formatted_for_the_coops_country(app, make_coop):
    coop = make_coop(country="EC")
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        from flask import g, render_template_string
        g.coop = coop
        assert render_template_string("{{ 123450|money }}") == "$1.234,50"


def test_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_every_page_of_an_admin_stays_small(client, make_coop, make_user):
    """Members have modest phones and patchy connections: a typical page is well under 100 KB."""
    coop = make_coop()
    admin = make_user(coop=coop, roles=["admin"])
    log_in(client, admin.email)
    for path in ("", "admin/settings", "admin/people", "audit", "admin/outbox", "admin/jobs"):
        response = client.get(f"/c/{coop.slug}/{path}")
        assert response.status_code == 200
        assert len(response.data) < 30_000, path
    assert len(client.get("/static/site.css").data) < 15_000


def test_demo_badge_marks_a_demo_coop(client, db, make_coop, make_user):
    coop = make_coop(is_demo=True)
    user = make_user(coop=coop, roles=["member"])
    log_in(client, user.email)
    assert "Demostración" in text_of(client.get(f"/c/{coop.slug}/"))
    db.rollback()
    assert db.scalar(sa.select(Coop.is_demo).where(Coop.id == coop.id)) is True
