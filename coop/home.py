"""The co-op's home page shows each person the work waiting for their roles.

A package adds a panel with ``@home_panel(permission)``: a function of (session, coop, viewer)
returning a ``HomePanel`` (a title and an included template with its context), or None when it
has nothing to say to this person. The home page shows the panels whose permission the viewer
holds, in the order given. Each panel counts and links, with one or two cheap queries: the home
page is everyone's first page, and ``tests/coop/test_queries.py`` bounds what it sends.

The kernel adds its own below: the latest changes of the audit trail for whoever reads it (the
oversight council). Minga adds the commission coordinator's work (``minga.home``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.access import VIEW_AUDIT, Permission, Viewer
from coop.tenancy import Coop


@dataclass(frozen=True)
class HomePanel:
    """A box on the home page: a title and an included template with its context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)


PanelFactory = Callable[[so.Session, Coop, Viewer], HomePanel | None]


@dataclass(frozen=True)
class _Registered:
    order: int
    permission: Permission | None
    factory: PanelFactory


HOME_PANELS: dict[str, _Registered] = {}


def home_panel(permission: Permission | None, *, order: int = 50) -> Callable[[PanelFactory], PanelFactory]:
    """Register a panel for the home page of those holding ``permission`` (None: everyone)."""
    def register(factory: PanelFactory) -> PanelFactory:
        HOME_PANELS[f"{factory.__module__}.{factory.__qualname__}"] = _Registered(order, permission, factory)
        return factory
    return register


def panels_for(session: so.Session, coop: Coop, viewer: Viewer) -> list[HomePanel]:
    """The panels this viewer sees, in order."""
    shown = []
    for entry in sorted(HOME_PANELS.values(), key=lambda entry: entry.order):
        if entry.permission is not None and not viewer.may(entry.permission):
            continue
        panel = entry.factory(session, coop, viewer)
        if panel is not None:
            shown.append(panel)
    return shown


#: events of the trail on the home page
LATEST_EVENTS = 10


@home_panel(VIEW_AUDIT, order=30)
def latest_changes(session: so.Session, coop: Coop, viewer: Viewer) -> HomePanel:
    events, total = audit.events(session, coop.id, audit.AuditFilter(), per_page=LATEST_EVENTS)
    return HomePanel(str(_l("Latest changes")), "coop/_home_latest_changes.html",
                     {"events": events, "total": total})
