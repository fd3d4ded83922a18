"""The route matrix: every page of the application against the one access table.

New routes are covered automatically: each must declare how it is guarded, every co-op route
refuses anonymous visitors and people of other co-ops (404), each role-restricted route refuses
the roles the access table does not grant, and each route whose permission a role holds only
within a scope (a coordinator's commission) refuses that role outside its scope.

Until Minga brings commissions, a probe package defined here (a "commission" scope, two routes)
stands for a domain with scoped roles, and is registered on the application of these tests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import g

from coop import access, tenancy
from coop.access import granted
from coop.pages import Load, coop_blueprint, coop_view
from coop.tenancy import Role, Scope
from tests.conftest import log_in

# --- a probe domain with a scoped role -------------------------------------------------------------


@dataclass(frozen=True)
class ProbeCommission:
    """A stand-in for a Minga commission: numbers 1 to 3 exist in every co-op."""

    id: int
    coop_id: int


def _probe_commission(_session, coop, number):
    return ProbeCommission(number, coop.id) if 1 <= number <= 3 else None


access.scope_kind("tests.commission", label="Commission", choices=lambda _session, _coop: [])
access.scoped_by(ProbeCommission, "tests.commission", lambda commission: commission.id)
PROBE_MANAGE = access.define("tests.manage_commission", frozenset({Role.ADMIN}),
                             scoped={Role.COORDINATOR: "tests.commission"})
probe = coop_blueprint("probe", __name__, url_prefix="/probe")


@probe.route("/commissions/")
@coop_view(PROBE_MANAGE)
def probe_commissions():
    ids = access.current_viewer().scope_ids(PROBE_MANAGE)
    return "all" if ids is None else ",".join(str(i) for i in sorted(ids))


@probe.route("/commissions/<int:commission_id>", methods=["GET", "POST"])
@coop_view(PROBE_MANAGE, commission=Load.by(_probe_commission, "commission_id"))
def probe_commission(commission: ProbeCommission):
    return f"commission {commission.id} of {g.coop.slug}"


def minga_commission(db, coop, scope_id: int) -> int:
    """The id of Minga commission ``scope_id`` of the co-op, made (with those before it) if missing."""
    from minga.models import Commission
    db.rollback()
    while db.get(Commission, scope_id) is None:
        db.add(Commission(coop_id=coop.id, name=f"Comisión {db.scalar(sa.select(sa.func.count(Commission.id))) + 1}"))
        db.commit()
    assert db.get(Commission, scope_id).coop_id == coop.id
    return scope_id


def minga_session_in(db, coop, scope_id: int) -> dict:
    """An open Minga session, a week ahead, of commission ``scope_id`` (made if missing)."""
    import datetime as dt

    from minga.models import SessionStatus, WorkSession
    minga_commission(db, coop, scope_id)
    starts = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(days=7)
    work_session = WorkSession(coop_id=coop.id, commission_id=scope_id, title="Minga", capacity=5,
                               starts_dt=starts, ends_dt=starts + dt.timedelta(hours=6), status=SessionStatus.OPEN)
    db.add(work_session)
    db.commit()
    return {"session_id": work_session.id}


#: endpoint of a route with a scoped subject -> URL values naming an object within scope ``id``;
#: a domain with scoped roles adds its routes here (the test below fails for a route missing)
SCOPED_OBJECTS = {
    "probe.probe_commission": lambda _db, _coop, scope_id: {"commission_id": scope_id},
    "minga.attendance": minga_session_in,
    "minga.sign_in_sheet": minga_session_in,
    "minga.office_sign_up": minga_session_in,
    "minga.office_cancel_sign_up": minga_session_in,
    "minga.substitute_sign_up": minga_session_in,
    "minga.commission_calendar": lambda db, coop, scope_id: {"commission_id": minga_commission(db, coop, scope_id)},
    "minga.new_session": lambda db, coop, scope_id: {"commission_id": minga_commission(db, coop, scope_id)},
    "minga.new_series": lambda db, coop, scope_id: {"commission_id": minga_commission(db, coop, scope_id)},
    "minga.manage_session": minga_session_in,
    "minga.edit_session": minga_session_in,
    "minga.session_status": minga_session_in,
    "minga.cancel_session": minga_session_in,
}


@pytest.fixture(autouse=True)
def with_probe(app):
    app.register_blueprint(probe)

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


def scoped_routes(app):
    """(rule, endpoint, view, method) of every route whose permission some role holds only within a scope."""
    return [(rule, endpoint, view, method) for rule, endpoint, view, method, _url in routes(app)
            if hasattr(view, "access_permission") and access.rule_of(view.access_permission).scoped]


def test_the_matrix_covers_a_domain_with_scoped_roles(app):
    assert {endpoint for _r, endpoint, _v, _m in scoped_routes(app)} >= {"probe.probe_commissions",
                                                                         "probe.probe_commission"}


def test_a_role_held_within_a_scope_is_refused_outside_it(app, client, db, two_coops, make_user):
    ours, _theirs, _ = two_coops
    for _rule, endpoint, view, method in scoped_routes(app):
        spec = access.rule_of(view.access_permission)
        for role, kind in spec.scoped.items():
            email = f"{role.value}-{endpoint}@example.org"
            user = make_user(email, coop=ours, roles=[Role.MEMBER])
            db.rollback()
            tenancy.grant_role(db, None, db.merge(ours), db.merge(user), role, Scope(kind, 1))
            db.commit()
            client.post("/logout")
            log_in(client, email)
            urls = app.url_map.bind("localhost")
            if not view.access_loads:
                response = client.open(urls.build(endpoint, {"coop_slug": ours.slug}), method=method)
                assert response.status_code == 200, (endpoint, role, response.status_code)
                continue
            assert endpoint in SCOPED_OBJECTS, f"name an object within a scope for {endpoint} in SCOPED_OBJECTS"
            for scope_id, expected in ((1, 200), (2, 403)):
                values = SCOPED_OBJECTS[endpoint](db, ours, scope_id)
                response = client.open(urls.build(endpoint, {"coop_slug": ours.slug, **values}), method=method)
                assert response.status_code == expected, (endpoint, role, scope_id, response.status_code)


def test_a_coordinator_of_one_commission_sees_only_it_and_a_coop_wide_one_sees_all(app, client, db, two_coops,
                                                                                  make_user):
    ours, _theirs, _ = two_coops
    scoped = make_user("scoped@example.org", coop=ours, roles=[Role.MEMBER])
    everywhere = make_user("everywhere@example.org", coop=ours, roles=[Role.COORDINATOR])
    member = make_user("member@example.org", coop=ours, roles=[Role.MEMBER])
    db.rollback()
    tenancy.grant_role(db, None, db.merge(ours), db.merge(scoped), Role.COORDINATOR, Scope("tests.commission", 2))
    db.commit()
    log_in(client, scoped.email)
    assert client.get(f"/c/{ours.slug}/probe/commissions/").get_data(as_text=True) == "2"
    assert client.get(f"/c/{ours.slug}/probe/commissions/2").status_code == 200
    assert client.get(f"/c/{ours.slug}/probe/commissions/3").status_code == 403
    assert client.get(f"/c/{ours.slug}/probe/commissions/9").status_code == 404  # no such commission
    client.post("/logout")
    log_in(client, everywhere.email)
    assert client.get(f"/c/{ours.slug}/probe/commissions/").get_data(as_text=True) == "all"
    assert client.get(f"/c/{ours.slug}/probe/commissions/3").status_code == 200
    client.post("/logout")
    log_in(client, member.email)
    assert client.get(f"/c/{ours.slug}/probe/commissions/2").status_code == 403


def test_revoking_a_role_of_someone_outside_the_coop_is_not_found(client, two_coops, make_user):
    ours, theirs, outsider = two_coops
    admin = make_user("admin@example.org", coop=ours, roles=["admin"])
    log_in(client, admin.email)
    response = client.post(f"/c/{ours.slug}/admin/people/revoke",
                           data={"user_id": outsider.id, "role": "admin"})
    assert response.status_code == 404
