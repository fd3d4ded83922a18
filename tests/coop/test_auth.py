"""Logging in and out, sessions that can be revoked, throttling, password reset and change."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from coop.auth.models import LoginThrottle, User, UserSession
from coop.db import utcnow
from coop.outbox import OutboxMessage
from tests.conftest import PASSWORD, field_error, flashes, log_in, text_of


def cookie_of(client) -> str:
    return client.get_cookie("ayllu_session").value


def clone_session(app, client):
    """A second browser holding a copy of the first one's cookie."""
    other = app.test_client()
    other.set_cookie("ayllu_session", cookie_of(client))
    return other


def test_member_logs_in_and_reaches_their_coop(client, make_coop, make_user):
    coop = make_coop()
    user = make_user("ana@example.org", coop=coop, roles=["member"])
    response = log_in(client, "  ANA@example.org ", follow_redirects=True)
    assert response.status_code == 200
    assert coop.name in text_of(response)
    assert user.name in text_of(response)


def test_unknown_email_and_wrong_password_get_the_same_message(client, make_user):
    make_user("ana@example.org")
    wrong_password = flashes(log_in(client, "ana@example.org", "not the password"))
    unknown_email = flashes(log_in(client, "nobody@example.org", "not the password"))
    assert wrong_password == unknown_email
    assert len(wrong_password) == 1 and "contraseña" in wrong_password[0]


def test_session_identifier_changes_at_log_in(client, make_user):
    user = make_user()
    client.get("/login")
    client.post("/language", data={"lang": "en"})
    before = cookie_of(client)
    log_in(client, user.email)
    assert cookie_of(client) != before


def test_log_out_ends_every_session_even_a_copied_cookie(app, client, make_user):
    user = make_user()
    log_in(client, user.email)
    copy = clone_session(app, client)
    phone = app.test_client()
    log_in(phone, user.email)
    assert copy.get("/account").status_code == 200
    client.post("/logout")
    for browser in (copy, phone):
        response = browser.get("/account")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_logs_out_other_devices_but_not_this_one(app, client, db, make_user):
    user = make_user()
    log_in(client, user.email)
    other_device = app.test_client()
    log_in(other_device, user.email)
    copy = clone_session(app, client)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a new long secret", "confirm": "a new long secret"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert copy.get("/account").status_code == 302
    fresh = app.test_client()
    assert log_in(fresh, user.email, "a new long secret").status_code == 302


def test_password_change_shows_errors_beside_fields(client, db, make_user):
    user = make_user()
    log_in(client, user.email)
    client.post("/language", data={"lang": "en"})
    response = client.post("/account/password", data={
        "current_password": "wrong", "new_password": "long enough pass", "confirm": "different"})
    assert field_error(response, "confirm") == "The two passwords are not the same."
    response = client.post("/account/password", data={
        "current_password": "wrong", "new_password": "long enough pass", "confirm": "long enough pass"})
    assert field_error(response, "current_password") == "Your current password is not correct."
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert field_error(response, "new_password") == "Use at least 10 characters."
    db.rollback()
    assert db.get(User, user.id).password_hash == user.password_hash


def test_idle_and_absolute_timeouts_end_a_session(app, client, db, make_user):
    user = make_user()
    log_in(client, user.email)
    assert client.get("/account").status_code == 200
    db.rollback()
    long_ago = utcnow() - dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.execute(sa.update(UserSession).values(last_seen_dt=long_ago))
    db.commit()
    assert client.get("/account").status_code == 302

    log_in(client, user.email)
    assert client.get("/account").status_code == 200
    db.rollback()
    long_ago = utcnow() - dt.timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"] + 1)
    db.execute(sa.update(UserSession).where(UserSession.revoked_dt.is_(None)).values(created_dt=long_ago))
    db.commit()
    assert client.get("/account").status_code == 302


def test_repeated_failures_slow_down_then_lock_the_account_from_that_address(app, client, db, make_user):
    app.config.update(LOGIN_SLOW_AFTER=3, LOGIN_LOCK_AFTER=5)
    user = make_user()
    for _ in range(3):
        log_in(client, user.email, "wrong password")
    # the fourth attempt comes too soon, even with the right password
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "wait" in text_of(response).lower() or "espere" in text_of(response).lower()
    # let the short delay pass, fail twice more: now the account is locked for minutes
    for _ in range(2):
        db.rollback()
        db.execute(sa.update(LoginThrottle).values(blocked_until_dt=None))
        db.commit()
        log_in(client, user.email, "wrong password")
    db.rollback()
    row = db.scalar(sa.select(LoginThrottle).where(LoginThrottle.kind == "pair"))
    assert row.failures == 5
    assert row.blocked_until_dt - row.last_failure_dt >= dt.timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"])
    assert log_in(client, user.email, PASSWORD).status_code == 200


def test_a_stranger_cannot_lock_the_owner_out_from_another_address(app, db, make_user):
    app.config.update(LOGIN_SLOW_AFTER=3, LOGIN_LOCK_AFTER=5)
    user = make_user()
    stranger = app.test_client()
    for _ in range(12):  # paced failures: each waits out the slow-down first
        db.rollback()
        db.execute(sa.update(LoginThrottle).where(LoginThrottle.kind == "pair").values(
            blocked_until_dt=sa.case((LoginThrottle.failures >= 5, LoginThrottle.blocked_until_dt), else_=None)))
        db.commit()
        stranger.post("/login", data={"email": user.email, "password": "guess"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    refused = stranger.post("/login", data={"email": user.email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 200 and "espere" in text_of(refused).lower()
    owner = app.test_client()
    response = owner.post("/login", data={"email": user.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert response.status_code == 302


def test_lock_holds_across_worker_processes(app, database_url, make_user):
    """Two app instances (two workers) share the counters through the database."""
    from coop.app import create_app
    app.config.update(LOGIN_SLOW_AFTER=100, LOGIN_LOCK_AFTER=4)
    other_worker = create_app("testing", {"DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"],
                                          "LOGIN_SLOW_AFTER": 100, "LOGIN_LOCK_AFTER": 4})
    user = make_user()
    try:
        for worker in (app, other_worker, app, other_worker):
            log_in(worker.test_client(), user.email, "wrong password")
        assert log_in(app.test_client(), user.email, PASSWORD).status_code == 200
        assert log_in(other_worker.test_client(), user.email, PASSWORD).status_code == 200
    finally:
        other_worker.extensions["coop.db"].engine.dispose()


def test_a_client_guessing_many_accounts_is_locked(app, client, make_user):
    app.config.update(LOGIN_CLIENT_LOCK_AFTER=5)
    user = make_user()
    for n in range(5):
        log_in(client, f"guess{n}@example.org", "whatever")
    assert log_in(client, user.email, PASSWORD).status_code == 200


def test_successful_log_in_clears_the_account_counter(client, db, make_user):
    user = make_user()
    log_in(client, user.email, "wrong password")
    assert log_in(client, user.email).status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)
                     .where(LoginThrottle.kind == "pair")) == 0


def reset_link_for(db, email) -> str:
    db.rollback()
    message = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == email)
                         .order_by(OutboxMessage.id.desc())).first()
    assert message is not None
    return re.search(r"http://localhost(/password/reset/\S+)", message.body).group(1)


def test_password_reset_by_emailed_link(app, client, db, make_user):
    user = make_user("ana@example.org")
    logged_in = app.test_client()
    log_in(logged_in, user.email)
    response = client.post("/password/forgot", data={"email": "ana@example.org"}, follow_redirects=True)
    assert response.status_code == 200
    link = reset_link_for(db, "ana@example.org")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "brand new secret", "confirm": "brand new secret"})
    assert response.status_code == 302
    assert log_in(app.test_client(), user.email, "brand new secret").status_code == 302
    assert logged_in.get("/account").status_code == 302  # old sessions ended
    # the link works once
    assert client.get(link).status_code == 400


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, db, make_user):
    make_user("ana@example.org")
    known = flashes(client.post("/password/forgot", data={"email": "ana@example.org"}, follow_redirects=True))
    unknown = flashes(client.post("/password/forgot", data={"email": "nadie@example.org"}, follow_redirects=True))
    assert known == unknown
    assert known[0].startswith("Si alguna cuenta usa este correo")
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_reset_requests_do_not_flood_an_inbox(client, db, make_user):
    make_user("ana@example.org")
    for _ in range(5):
        client.post("/password/forgot", data={"email": "ana@example.org"})
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_expired_or_forged_reset_link_is_refused(app, client, db, make_user):
    user = make_user("ana@example.org")
    client.post("/password/forgot", data={"email": "ana@example.org"})
    link = reset_link_for(db, "ana@example.org")
    assert client.get(link + "tampered").status_code == 400
    app.config["PASSWORD_RESET_HOURS"] = -1  # issued an hour "too long ago"
    response = client.get(link)
    assert response.status_code == 400
    db.rollback()
    assert db.get(User, user.id).password_hash == user.password_hash


def test_next_parameter_never_leaves_the_site(client, make_user):
    user = make_user()
    response = client.post("/login?next=//evil.example/steal", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_csrf_is_enforced_outside_the_testing_config(database_url, make_user):
    from coop.app import create_app
    app = create_app("testing", {"DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True})
    try:
        user = make_user()
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
    finally:
        app.extensions["coop.db"].engine.dispose()


def test_disabled_account_cannot_log_in(client, db, make_user):
    user = make_user()
    db.rollback()
    db.get(User, user.id).is_active = False
    db.commit()
    assert log_in(client, user.email).status_code == 200


def test_passwords_are_stored_as_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
