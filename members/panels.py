"""Panels other packages add to a member's page and to the member's own portal page.

The ledger adds the account balance, Minga the hours worked, meetings the votes cast. Each
registers a function of (session, coop, member, viewer) returning a ``Panel`` or None (the
viewer is a ``coop.access.Viewer``: it decides what the person looking may see);
the member page renders every panel it gets back, in registration order.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy.orm as so

from coop.access import Viewer


@dataclass(frozen=True)
class Panel:
    """A box on the member page: a title and an included template with its context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)


PanelFactory = Callable[[so.Session, object, object, Viewer], Panel | None]
MEMBER_PANELS: list[PanelFactory] = []


def member_panel(factory: PanelFactory) -> PanelFactory:
    """Register a panel for the member page and the portal."""
    MEMBER_PANELS.append(factory)
    return factory


def panels_for(session: so.Session, coop, member, viewer: Viewer) -> list[Panel]:
    return [panel for factory in MEMBER_PANELS
            if (panel := factory(session, coop, member, viewer)) is not None]
