"""Second lines of defence: writes from another site, secret links in the outbox pages."""
from __future__ import annotations

import re

import sqlalchemy as sa

from coop.outbox import OutboxMessage
from tests.conftest import PASSWORD, log_in, text_of


def test_a_post_from_another_site_is_refused_even_with_a_valid_form(client, make_coop, make_user):
    coop = make_coop()
    admin = make_user("rosa@example.org", coop=coop, roles=["admin"])
    log_in(client, admin.email)
    data = {"email": "x@example.org", "role": "member"}
    url = f"/c/{coop.slug}/admin/people"
    assert client.post(url, data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(url, data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(url, data=data, headers={"Origin": "http://localhost",
                                                "Sec-Fetch-Site": "same-origin"}).status_code == 302


def test_a_foreign_origin_cannot_log_anyone_in(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD},
                           headers={"Origin": "http://localhost.evil.example"})
    assert response.status_code == 403


def test_the_outbox_pages_hide_secret_links(client, db, make_coop, make_user):
    coop = make_coop()
    admin = make_user("rosa@example.org", coop=coop, roles=["admin"])
    operator = make_user("op@example.org", is_platform_admin=True)
    log_in(client, admin.email)
    client.post(f"/c/{coop.slug}/admin/people", data={"email": "luz@example.org", "role": "member"})
    client.post("/password/forgot", data={"email": admin.email})
    db.rollback()
    bodies = db.scalars(sa.select(OutboxMessage.body)).all()
    tokens = [m.group(1) for body in bodies for m in [re.search(r"/(?:invitations|password/reset)/(\S+)", body)]]
    assert len(tokens) == 2
    coop_page = text_of(client.get(f"/c/{coop.slug}/admin/outbox"))
    client.post("/logout")
    log_in(client, operator.email)
    platform_page = text_of(client.get("/platform/outbox"))
    for page in (coop_page, platform_page):
        assert "luz@example.org" in page or page is platform_page
        assert "/invitations/••••••" in page
        assert not any(token in page for token in tokens)
    assert "/password/reset/••••••" in platform_page
