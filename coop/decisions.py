"""Decisions in the register, as the rest of the co-op cites them: one provider, asked by the kernel.

A status change, an admission, a share subscription, a lot assignment, a dues plan or a budget
was decided by a resolution. The register of resolutions lives in ``meetings``, which depends on
``members`` and ``ledger``, never the other way; so those packages ask this registry instead: the
choices for a form's "Resolution in the register" select, whether a chosen id is one of the
co-op's, and the label and page of a cited one. ``meetings`` plugs its register in with
``provide``; with no provider (a test app without meetings) the select is empty and nothing links.
The free-text reference stays beside it, for decisions taken before the co-op used Ayllu.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy.orm as so
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from coop.db import get_session
from coop.errors import DomainError

#: the field name the forms and services use, so a refusal lands beside the select
FIELD = "resolution_id"


@dataclass(frozen=True)
class DecisionLink:
    """How a cited decision reads ("2027-014 Approval of the budget") and where its page is."""

    reference: str
    title: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.reference} {self.title}"


class DecisionProvider(Protocol):
    def choices(self, session: so.Session, coop: Any) -> list[tuple[int, str]]:
        """The co-op's decisions to choose from, newest first: (id, label)."""

    def labels(self, session: so.Session, coop: Any, ids: set[int]) -> dict[int, tuple[str, str]]:
        """The co-op's decisions among ``ids`` (others are left out): (reference, title)."""

    def url(self, decision_id: int) -> str:
        """The decision's page (within a request)."""


_provider: DecisionProvider | None = None


def provide(provider: DecisionProvider) -> None:
    """Plug in the register (the last one provided is asked)."""
    global _provider
    _provider = provider


def choices(session: so.Session, coop: Any) -> list[tuple[int, str]]:
    return _provider.choices(session, coop) if _provider is not None else []


def labels(session: so.Session, coop: Any, ids) -> dict[int, tuple[str, str]]:
    """(reference, title) of the co-op's decisions among ``ids``."""
    wanted = {int(i) for i in ids if i}
    if not wanted or _provider is None:
        return {}
    return _provider.labels(session, coop, wanted)


def label(session: so.Session, coop: Any, decision_id: int | None) -> str:
    """How a record cites the decision in words ("2027-014 Approval of the budget"); "" if none."""
    found = labels(session, coop, {decision_id}).get(decision_id) if decision_id else None
    return " ".join(found) if found else ""


def links(session: so.Session, coop: Any, ids) -> dict[int, DecisionLink]:
    return {i: DecisionLink(reference, title, _provider.url(i))
            for i, (reference, title) in labels(session, coop, ids).items()}


def checked(session: so.Session, coop: Any, decision_id: int | None) -> int | None:
    """``decision_id`` if it is one of the co-op's decisions (None stays None); refused otherwise."""
    if decision_id is None:
        return None
    if int(decision_id) not in labels(session, coop, {decision_id}):
        raise DomainError(_l("Choose a resolution of this co-op's register."), field=FIELD)
    return int(decision_id)


def link(decision_id: int | None) -> DecisionLink | None:
    """For templates: the cited decision's label and page (each asked once per request)."""
    if not decision_id or not has_request_context() or g.get("coop") is None:
        return None
    cache = g.setdefault("_decision_links", {})
    if decision_id not in cache:
        cache.update(links(get_session(), g.coop, {decision_id}))
        cache.setdefault(decision_id, None)
    return cache[decision_id]


def _optional_id(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not a number: refused by ``checked`` like an id of another co-op


class DecisionField(SelectField):
    """The optional "Resolution in the register" select; its choices are the co-op's, newest first.

    The chosen id is checked by the service (``checked``), in the same unit of work that saves it.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", _l("Leave empty for a decision taken before the co-op used Ayllu, "
                                            "and write it in the field above."))
        super().__init__(label or _l("Resolution in the register"), validators, coerce=_optional_id,
                         validate_choice=False, **kwargs)

    def _register_choices(self) -> list[tuple[Any, str]]:
        found = (choices(get_session(), g.coop)
                 if has_request_context() and g.get("coop") is not None else [])
        return [("", "—")] + [(str(i), label) for i, label in found]

    def iter_choices(self):
        self.choices = self._register_choices()
        return super().iter_choices()
