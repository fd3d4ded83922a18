"""The one place that decides who may do what.

Each co-op view declares the permission it needs with ``@coop_view(Permission.X)``; the table
below says which roles grant it. Anonymous visitors are sent to log in; users with no role in
the co-op get 404 (the co-op's objects do not exist for them); users whose roles lack the
permission get 403. The route-matrix test walks every rule of the application against this table.
"""
from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, g
from flask_login import current_user

from coop import tenancy
from coop.db import get_session
from coop.extensions import login_manager
from coop.tenancy import Role

ALL_ROLES = frozenset(Role)


class Permission(enum.StrEnum):
    """Things a co-op page may require. Domain packages add theirs to ``GRANTS``."""

    VIEW_COOP = "view_coop"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT = "view_audit"
    VIEW_OUTBOX = "view_outbox"
    VIEW_JOBS = "view_jobs"
    # member register
    VIEW_REGISTER = "view_register"
    MANAGE_MEMBERS = "manage_members"
    EXPORT_REGISTER = "export_register"
    VIEW_PERSONAL_DATA = "view_personal_data"
    VIEW_DIRECTORY = "view_directory"
    # the books
    VIEW_BOOKS = "view_books"
    MANAGE_BOOKS = "manage_books"
    APPROVE_EXPENSES = "approve_expenses"
    VIEW_FINANCE_SUMMARY = "view_finance_summary"


OFFICERS = frozenset({Role.ADMIN, Role.SECRETARY})


def _directory_readers(coop) -> frozenset[Role]:
    """The register's officers always; every member too when the co-op chose to share it."""
    readers = frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER, Role.AUDITOR})
    return ALL_ROLES if coop is not None and coop.members_see_directory else readers


BOOK_READERS = frozenset({Role.ADMIN, Role.TREASURER, Role.AUDITOR})


def _finance_summary_readers(coop) -> frozenset[Role]:
    """The co-op-wide summaries of the books: everyone when the co-op publishes them."""
    return ALL_ROLES if coop is not None and coop.members_see_finances else BOOK_READERS


#: permission -> the roles that hold it, or a function of the co-op giving them
GRANTS: dict[Permission, frozenset[Role] | Callable[[object], frozenset[Role]]] = {
    Permission.VIEW_COOP: ALL_ROLES,
    Permission.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
    Permission.MANAGE_PEOPLE: frozenset({Role.ADMIN}),
    Permission.VIEW_AUDIT: frozenset({Role.ADMIN, Role.AUDITOR}),
    Permission.VIEW_OUTBOX: frozenset({Role.ADMIN}),
    Permission.VIEW_JOBS: frozenset({Role.ADMIN}),
    # the treasurer finds members to record payments; the council audits the register
    Permission.VIEW_REGISTER: frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER, Role.AUDITOR}),
    Permission.MANAGE_MEMBERS: OFFICERS,
    Permission.EXPORT_REGISTER: frozenset({Role.ADMIN, Role.SECRETARY, Role.AUDITOR}),
    # identity document, birth date, phone and address (a member also sees their own)
    Permission.VIEW_PERSONAL_DATA: OFFICERS,
    Permission.VIEW_DIRECTORY: _directory_readers,
    # the treasurer and admin keep the books; the oversight council reads all of them
    Permission.VIEW_BOOKS: BOOK_READERS,
    Permission.MANAGE_BOOKS: frozenset({Role.ADMIN, Role.TREASURER}),
    # never one's own expense: the service refuses that whoever holds the permission
    Permission.APPROVE_EXPENSES: frozenset({Role.ADMIN, Role.TREASURER}),
    Permission.VIEW_FINANCE_SUMMARY: _finance_summary_readers,
}


def granted(permission: Permission, coop=None) -> frozenset[Role]:
    """The roles that hold a permission in a co-op."""
    grant = GRANTS[permission]
    return grant(coop) if callable(grant) else grant


def may(roles: frozenset[Role], permission: Permission, coop=None) -> bool:
    return bool(roles & granted(permission, coop))


def current_roles() -> frozenset[Role]:
    """The logged-in user's roles in the co-op of this request (cached for the request)."""
    if "coop_roles" not in g:
        coop = g.get("coop")
        g.coop_roles = (tenancy.roles_of(get_session(), current_user, coop)
                        if coop is not None and current_user.is_authenticated else frozenset())
    return g.coop_roles


def can(permission: Permission | str) -> bool:
    """For templates: may the current user do this in the current co-op?"""
    return may(current_roles(), Permission(permission), g.get("coop"))


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


def coop_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint whose routes live under /c/<coop_slug>/ and see the co-op as ``g.coop``."""
    blueprint = Blueprint(name, import_name, url_prefix="/c/<coop_slug>" + url_prefix)

    @blueprint.url_value_preprocessor
    def _load_coop(_endpoint, values):
        slug = values.pop("coop_slug", None) if values else None
        coop = tenancy.coop_by_slug(get_session(), slug) if slug else None
        if coop is None:
            abort(404)
        g.coop = coop

    @blueprint.url_defaults
    def _add_coop(_endpoint, values):
        if "coop_slug" not in values and g.get("coop") is not None:
            values["coop_slug"] = g.coop.slug

    return blueprint


def _refuse_anonymous():
    return login_manager.unauthorized()


def coop_view(permission: Permission) -> Callable:
    """Guard a co-op view: log-in required, a role in the co-op (else 404), then the permission."""
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            roles = current_roles()
            if not roles:
                abort(404)
            if not may(roles, permission, g.coop):
                abort(403)
            return view(*args, **kwargs)

        guarded.access_permission = permission
        return guarded
    return decorator


def platform_view(view: Callable) -> Callable:
    """Guard a platform operator's page (creating co-ops, reading the whole outbox)."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    guarded.access_platform = True
    return guarded


def account_view(view: Callable) -> Callable:
    """Guard a page about the logged-in user's own account."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    guarded.access_account = True
    return guarded


def public_view(view: Callable) -> Callable:
    """Mark a page anyone may open (log-in, password reset, error pages)."""
    view.access_public = True
    return view
