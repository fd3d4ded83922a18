"""The one place that decides who may do what.

A *permission* is something a co-op page may require ("view_books"). The kernel defines its own
below; each domain package defines its permissions with ``define`` in its ``permissions``
module, saying which roles hold each, so a new domain never edits the kernel. A person holds
*grants* in a co-op: a role, for the whole co-op or for a *scope* (coordinator of one commission;
later, one meeting's tellers). A permission may be held by some roles everywhere and by others
only within a scope of a given kind; and it may carry a *rule* about one object ("their own
statement", "an approved budget"), decided here, not in views.

``decide`` gives the answer for a page and, once the page has loaded its object, for that
object: allowed; forbidden (403: the person may know the thing exists); or hidden (404: a
member must not learn that another member's statement exists, nor anyone another co-op's
objects). ``coop.pages`` asks it for every co-op page; templates ask ``can``.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import g
from flask_login import current_user

from coop import tenancy
from coop.db import get_session
from coop.tenancy import Coop, Grant, Role, Scope

ALL_ROLES = frozenset(Role)
OFFICERS = frozenset({Role.ADMIN, Role.SECRETARY})

#: the roles holding a permission, or a function of the co-op giving them (a co-op setting)
RoleGrant = frozenset[Role] | Callable[[Coop | None], frozenset[Role]]


class Permission(str):
    """The name of something a co-op page may require; made only by ``define``."""

    __slots__ = ()


@dataclass(frozen=True)
class PermissionRule:
    """Who holds a permission, where, and for which objects."""

    permission: Permission
    #: roles that hold it throughout the co-op
    roles: RoleGrant
    #: roles that hold it only within their scope: role -> the scope kind
    scoped: Mapping[Role, str] = field(default_factory=dict)
    #: a condition on the object of a page ("the viewer's own"); failing it hides the object (404)
    rule: Callable[[Viewer, Any], bool] | None = None

    def roles_in(self, coop: Coop | None) -> frozenset[Role]:
        return self.roles(coop) if callable(self.roles) else self.roles


#: every permission of the application, by name
PERMISSIONS: dict[str, PermissionRule] = {}


def define(name: str, roles: RoleGrant, *, scoped: Mapping[Role, str] | None = None,
           rule: Callable[[Viewer, Any], bool] | None = None) -> Permission:
    """Declare a permission (once, at import time) and return it for views and ``can``."""
    if name in PERMISSIONS:
        raise ValueError(f"permission {name!r} is defined twice")
    for kind in (scoped or {}).values():
        if kind not in SCOPE_KINDS:
            raise ValueError(f"permission {name!r} names an unknown scope kind {kind!r}")
    permission = Permission(name)
    PERMISSIONS[name] = PermissionRule(permission, roles, dict(scoped or {}), rule)
    return permission


def rule_of(permission: str) -> PermissionRule:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"no permission named {permission!r}") from None


def granted(permission: str, coop: Coop | None = None) -> frozenset[Role]:
    """The roles that hold a permission in a co-op, everywhere or within a scope."""
    spec = rule_of(permission)
    return spec.roles_in(coop) | frozenset(spec.scoped)


# --- scopes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScopeKind:
    """A kind of thing a role may be held for, registered by the package that owns the thing."""

    name: str
    #: what the people page calls it ("Commission")
    label: str
    #: (id, name) of the co-op's things of this kind, to choose from when granting a role
    choices: Callable[[Any, Coop], list[tuple[int, str]]]


SCOPE_KINDS: dict[str, ScopeKind] = {}
#: model class -> (scope kind, the function giving an object's scope id)
_SCOPE_OF: dict[type, tuple[str, Callable[[Any], int | None]]] = {}


def scope_kind(name: str, *, label: str, choices: Callable[[Any, Coop], list[tuple[int, str]]]) -> ScopeKind:
    """Register a kind of scope ("minga.commission")."""
    kind = ScopeKind(name, label, choices)
    SCOPE_KINDS[name] = kind
    return kind


def scoped_by(model: type, kind: str, scope_id: Callable[[Any], int | None]) -> None:
    """Say which scope an object of ``model`` lies in (a work session: its commission)."""
    if kind not in SCOPE_KINDS:
        raise ValueError(f"unknown scope kind {kind!r}")
    _SCOPE_OF[model] = (kind, scope_id)


def scope_of(obj: Any) -> Scope | None:
    """The scope an object lies in, if its model registered one."""
    for cls in type(obj).__mro__:
        if cls in _SCOPE_OF:
            kind, scope_id = _SCOPE_OF[cls]
            found = scope_id(obj)
            return Scope(kind, found) if found is not None else None
    return None


# --- deciding -----------------------------------------------------------------------------------

class Decision(enum.Enum):
    ALLOW = "allow"
    #: 403: the page exists for this person, but not this action
    FORBID = "forbid"
    #: 404: for this person the object does not exist
    HIDE = "hide"


@dataclass(frozen=True)
class Viewer:
    """Someone looking at a co-op: who they are and the grants they hold there."""

    coop: Coop | None
    user_id: int | None
    grants: frozenset[Grant]

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held, whatever its scope."""
        return frozenset(grant.role for grant in self.grants)

    def is_user(self, user_id: int | None) -> bool:
        return self.user_id is not None and user_id == self.user_id

    def decide(self, permission: str, obj: Any = None) -> Decision:
        return decide(self, permission, obj)

    def may(self, permission: str, obj: Any = None) -> bool:
        return decide(self, permission, obj) is Decision.ALLOW

    def scope_ids(self, permission: str) -> frozenset[int] | None:
        """Within which scopes the permission is held: None for everywhere (or nowhere)."""
        spec = rule_of(permission)
        if any(grant.role in spec.roles_in(self.coop) for grant in self.grants):
            return None
        ids = set()
        for grant in self.grants:
            if grant.role in spec.scoped:
                if grant.scope is None:
                    return None
                if grant.scope.kind == spec.scoped[grant.role]:
                    ids.add(grant.scope.id)
        return frozenset(ids)


def viewer_for(coop: Coop | None, user_id: int | None, grants: Iterable[Grant]) -> Viewer:
    return Viewer(coop, user_id, frozenset(grants))


def decide(viewer: Viewer, permission: str, obj: Any = None) -> Decision:
    """May this viewer do this (to this object)?

    Without a role in the co-op everything is hidden. Without a grant of the permission it is
    forbidden; a role held within a scope holds it only for objects in that scope. An object
    that fails the permission's rule is hidden.
    """
    if not viewer.grants:
        return Decision.HIDE
    spec = rule_of(permission)
    everywhere = any(grant.role in spec.roles_in(viewer.coop) for grant in viewer.grants)
    scoped = [grant for grant in viewer.grants if grant.role in spec.scoped
              and (grant.scope is None or grant.scope.kind == spec.scoped[grant.role])]
    if not everywhere and not scoped:
        return Decision.FORBID
    if obj is not None and not everywhere:
        where = scope_of(obj)
        if not any(grant.scope is None or grant.scope == where for grant in scoped):
            return Decision.FORBID
    if obj is not None and spec.rule is not None and not spec.rule(viewer, obj):
        return Decision.HIDE
    return Decision.ALLOW


def current_viewer() -> Viewer:
    """The logged-in user as a viewer of the request's co-op (kept for the request)."""
    if "coop_viewer" not in g:
        coop = g.get("coop")
        authenticated = current_user.is_authenticated
        grants = (tenancy.grants_of(get_session(), current_user, coop)
                  if coop is not None and authenticated else frozenset())
        g.coop_viewer = viewer_for(coop, current_user.id if authenticated else None, grants)
    return g.coop_viewer


def can(permission: str, obj: Any = None) -> bool:
    """For templates and views: may the current user do this (to this object) here?"""
    return current_viewer().may(permission, obj)


# --- the kernel's own permissions ---------------------------------------------------------------

VIEW_COOP = define("view_coop", ALL_ROLES)
MANAGE_SETTINGS = define("manage_settings", frozenset({Role.ADMIN}))
MANAGE_PEOPLE = define("manage_people", frozenset({Role.ADMIN}))
VIEW_AUDIT = define("view_audit", frozenset({Role.ADMIN, Role.AUDITOR}))
VIEW_OUTBOX = define("view_outbox", frozenset({Role.ADMIN}))
VIEW_JOBS = define("view_jobs", frozenset({Role.ADMIN}))


# --- the co-op's menu -----------------------------------------------------------------------------

@dataclass(frozen=True)
class NavItem:
    """A link in a co-op's main menu, shown to those who hold its permission."""

    endpoint: str
    label: str
    permission: Permission


#: the co-op menu; domain packages add their sections with ``add_nav``
COOP_NAV: list[NavItem] = []


def add_nav(endpoint: str, label: str, permission: Permission) -> None:
    if all(item.endpoint != endpoint for item in COOP_NAV):
        COOP_NAV.append(NavItem(endpoint, label, permission))


def coop_nav() -> list[NavItem]:
    """The menu entries the current user may open in the current co-op."""
    return [item for item in COOP_NAV if can(item.permission)]
