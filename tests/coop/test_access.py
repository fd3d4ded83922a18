"""The route matrix: every page of the application against the one access table.

New routes are covered automatically: each must declare how it is guarded, every co-op route
refuses anonymous visitors and people of other co-ops (404), and each role-restricted route
refuses the roles the access table does not grant.
"""
from __future__ import annotations

import re

import pytest

from coop.access import granted
from coop.tenancy import Role
from tests.conftest import log_in

DUMMY_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x"}


def routes(app):
    """(rule, endpoint, view, method, concrete url) for every rule but static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.rule
        for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
            value = "{slug}" if name == "coop_slug" else DUMMY_VALUES.get(converter or "default", "x")
            url = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?" + name + ">", value, url)
        method = "GET" if "GET" in rule.methods else "POST"
        found.append((rule.rule, rule.endpoint, app.view_functions[rule.endpoint], method, url))
    return found


def request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


def test_every_route_declares_its_guard(app):
    undeclared = [rule for rule, _e, view, _m, _u in routes(app)
                  if not any(hasattr(view, attr) for attr in
                             ("access_permission", "access_platform", "access_account", "access_public"))]
    assert undeclared == []


def test_every_coop_route_is_guarded_by_a_permission_or_declared_public(app):
    coop_routes = [(rule, view) for rule, _e, view, _m, _u in routes(app) if rule.startswith("/c/")]
    assert coop_routes, "the application has co-op pages"
    assert [rule for rule, view in coop_routes
            if not (hasattr(view, "access_permission") or hasattr(view, "access_public"))] == []


@pytest.fixture
def two_coops(make_coop, make_user):
    ours = make_coop("nuestra")
    theirs = make_coop("vecina")
    outsider = make_user("outsider@example.org", coop=theirs, roles=list(Role))
    return ours, theirs, outsider


def test_anonymous_visitors_are_sent_to_log_in(app, client, two_coops):
    ours, _theirs, _ = two_coops
    for rule, _endpoint, view, method, url in routes(app):
        if hasattr(view, "access_public"):
            continue
        response = request(client, method, url.format(slug=ours.slug))
        assert response.status_code == 302, (rule, response.status_code)
        assert "/login" in response.headers["Location"], rule


def test_people_of_another_coop_get_not_found(app, client, two_coops):
    ours, _theirs, outsider = two_coops
    log_in(client, outsider.email)
    for rule, _endpoint, view, method, url in routes(app):
        if hasattr(view, "access_permission"):
            response = request(client, method, url.format(slug=ours.slug))
            assert response.status_code == 404, (rule, response.status_code)


def test_unknown_coop_answers_not_found(client, make_user):
    user = make_user()
    log_in(client, user.email)
    assert client.get("/c/no-such-coop/").status_code == 404


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("members_see_directory", [False, True])
def test_each_role_reaches_exactly_what_the_access_table_grants(app, client, db, two_coops, make_user, role,
                                                                members_see_directory):
    ours, _theirs, _ = two_coops
    db.rollback()
    db.get(type(ours), ours.id).members_see_directory = members_see_directory
    db.commit()
    ours = db.get(type(ours), ours.id)
    user = make_user(f"{role.value}@example.org", coop=ours, roles=[role])
    log_in(client, user.email)
    for rule, _endpoint, view, method, url in routes(app):
        permission = getattr(view, "access_permission", None)
        if permission is None:
            continue
        response = request(client, method, url.format(slug=ours.slug))
        if role in granted(permission, ours):
            # a page about one object (its id is a placeholder here) may well not exist: 404 is fine
            refused = (403,) if "<int:" in rule else (403, 404)
            assert response.status_code not in refused, (rule, role, response.status_code)
        else:
            assert response.status_code == 403, (rule, role, response.status_code)


def test_platform_pages_are_for_operators_only(app, client, make_user):
    member = make_user("plain@example.org")
    operator = make_user("operator@example.org", is_platform_admin=True)
    platform_routes = [(rule, method, url) for rule, _e, view, method, url in routes(app)
                       if hasattr(view, "access_platform")]
    assert platform_routes
    log_in(client, member.email)
    for rule, method, url in platform_routes:
        assert request(client, method, url).status_code == 403, rule
    client.post("/logout")
    log_in(client, operator.email)
    for rule, method, url in platform_routes:
        if method == "GET":
            assert request(client, method, url).status_code == 200, rule


def test_operator_role_alone_does_not_open_a_coops_data(client, make_coop, make_user):
    coop = make_coop()
    operator = make_user("operator@example.org", is_platform_admin=True)
    log_in(client, operator.email)
    assert client.get(f"/c/{coop.slug}/audit").status_code == 404


def test_revoking_a_role_of_someone_outside_the_coop_is_not_found(client, two_coops, make_user):
    ours, theirs, outsider = two_coops
    admin = make_user("admin@example.org", coop=ours, roles=["admin"])
    log_in(client, admin.email)
    response = client.post(f"/c/{ours.slug}/admin/people/revoke",
                           data={"user_id": outsider.id, "role": "admin"})
    assert response.status_code == 404
