"""Who signs for the co-op on a given day: its president and its secretary, as documents name them.

A membership certificate (``members``) is signed by the co-op's president and secretary. Who held
which office, and when, is the register of offices in ``meetings``, which depends on ``members``,
never the other way; so a document asks this registry, and ``meetings`` plugs its register in
with ``provide``. An office signs as president or secretary because the secretary said so on the
office itself (``Officer``), not because of how its name is spelled. With no provider (an app
without meetings), or nobody in office on the day, a document prints the generic title alone,
to be named and signed by hand.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Protocol

import sqlalchemy.orm as so

class Officer(enum.StrEnum):
    """An office that signs the co-op's documents."""

    PRESIDENT = "president"
    SECRETARY = "secretary"



class OfficerProvider(Protocol):
    def holders(self, session: so.Session, coop: Any, day: dt.date) -> dict[Officer, Any]:
        """The member holding each office on ``day`` (an office nobody holds is left out)."""


_provider: OfficerProvider | None = None


def provide(provider: OfficerProvider | None) -> None:
    """Plug in the register of offices (the last one provided is asked)."""
    global _provider
    _provider = provider


def holders(session: so.Session, coop: Any, day: dt.date) -> dict[Officer, Any]:
    """The member (``members.models.Member``) holding each office of ``coop`` on ``day``."""
    return _provider.holders(session, coop, day) if _provider is not None else {}
