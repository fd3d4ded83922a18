"""Decisions in the register, as the rest of the co-op cites them: one provider, asked by the kernel.

A status change, an admission, a share subscription, a lot assignment, a dues plan or a budget
was decided by a resolution. The register of resolutions lives in ``meetings``, which depends on
``members`` and ``ledger``, never the other way; so those packages ask this registry instead: the
recent decisions a form suggests, which decision a typed reference ("2027-014") names, whether an
id is one of the co-op's, and the label and page of a cited one. ``meetings`` plugs its register
in with ``provide``; with no provider (a test app without meetings) nothing is suggested, nothing
typed is found and nothing links.

A co-op with 25 years of resolutions cannot offer them all in a select, so ``DecisionField`` is a
text input with a ``<datalist>`` of the recent ones (no JavaScript): the person types a reference
or picks a suggestion, and the service resolves the text (``checked``) in the unit of work that
saves it. The free-text reference stays beside it, for decisions taken before the co-op used Ayllu.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy.orm as so
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.widgets import TextInput

from coop.db import get_session
from coop.errors import DomainError

#: the field name the forms and services use, so a refusal lands beside the field
FIELD = "resolution_id"
#: the id of the page's one ``<datalist>`` of recent decisions, shared by every field on the page
DATALIST_ID = "register-decisions"


@dataclass(frozen=True)
class DecisionLink:
    """How a cited decision reads ("2027-014 Approval of the budget") and where its page is."""

    reference: str
    title: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.reference} {self.title}"


@dataclass(frozen=True)
class Typed:
    """What a person typed in the "Resolution in the register" field ("2027-014", or a suggestion's
    whole label); the service resolves it with ``checked``."""

    text: str


#: how a service is told the decision: an id (code that already knows it), typed text, or none
Cited = int | Typed | None


class DecisionProvider(Protocol):
    def recent(self, session: so.Session, coop: Any) -> list[tuple[int, str]]:
        """The co-op's recent decisions to suggest, newest first: (id, label)."""

    def find(self, session: so.Session, coop: Any, text: str) -> int | None:
        """The co-op's decision whose reference is the first word of ``text``; None if there is none."""

    def labels(self, session: so.Session, coop: Any, ids: set[int]) -> dict[int, tuple[str, str]]:
        """The co-op's decisions among ``ids`` (others are left out): (reference, title)."""

    def url(self, decision_id: int) -> str:
        """The decision's page (within a request)."""


_provider: DecisionProvider | None = None


def provide(provider: DecisionProvider) -> None:
    """Plug in the register (the last one provided is asked)."""
    global _provider
    _provider = provider


def recent(session: so.Session, coop: Any) -> list[tuple[int, str]]:
    return _provider.recent(session, coop) if _provider is not None else []


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


def _found(session: so.Session, coop: Any, typed: Typed) -> int | None:
    text = " ".join(typed.text.split())
    if not text:
        return None
    found = _provider.find(session, coop, text) if _provider is not None else None
    if found is None:
        raise DomainError(_l("This co-op's register has no resolution “%(reference)s”. Type its reference "
                             "(year-number, such as 2027-014) or choose one from the list.",
                             reference=text.split()[0][:40]), field=FIELD)
    return found


def checked(session: so.Session, coop: Any, decision: Cited) -> int | None:
    """The id of the co-op's decision that ``decision`` names (None, or empty text, stays None);
    a decision of another co-op, or text that names none, is refused beside the field."""
    if isinstance(decision, Typed):
        return _found(session, coop, decision)
    if decision is None:
        return None
    if int(decision) not in labels(session, coop, {decision}):
        raise DomainError(_l("Choose a resolution of this co-op's register."), field=FIELD)
    return int(decision)


def _request_coop() -> Any:
    return g.get("coop") if has_request_context() else None


def link(decision_id: int | None) -> DecisionLink | None:
    """For templates: the cited decision's label and page (each asked once per request)."""
    if not decision_id or _request_coop() is None:
        return None
    cache = g.setdefault("_decision_links", {})
    if decision_id not in cache:
        cache.update(links(get_session(), g.coop, {decision_id}))
        cache.setdefault(decision_id, None)
    return cache[decision_id]


def _datalist() -> Markup:
    """The page's ``<datalist>`` of recent decisions: written with the first field, once per page."""
    coop = _request_coop()
    if coop is None or g.get("_decision_datalist"):
        return Markup("")
    g._decision_datalist = True
    options = "".join(f'<option value="{escape(text)}"></option>' for _id, text in recent(get_session(), coop))
    return Markup(f'<datalist id="{DATALIST_ID}">{options}</datalist>')


class DecisionInput(TextInput):
    """A text input that suggests the recent decisions; with no JavaScript a phone shows the
    suggestions matching what is typed (a reference or a word of the title)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("list", DATALIST_ID)
        kwargs.setdefault("autocomplete", "off")  # the browser's own history would crowd the register out
        return super().__call__(field, **kwargs) + _datalist()


class DecisionField(StringField):
    """The optional "Resolution in the register": typed ("2027-014") or picked among the recent ones.

    ``data`` is ``Typed`` text from the form, or the id of the record's decision (an edit form,
    which shows its label); the service resolves and checks it (``checked``) in the same unit of
    work that saves it, so any resolution of the register may be typed, not only those suggested.
    """

    widget = DecisionInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", _l("Type its reference, such as 2027-014, or choose one of the latest. "
                                            "Leave empty for a decision taken before the co-op used Ayllu, "
                                            "and write it in the field above."))
        super().__init__(label or _l("Resolution in the register"), validators, **kwargs)

    def process_formdata(self, valuelist):
        text = " ".join((valuelist[0] if valuelist else "").split())
        self.data = Typed(text) if text else None

    def _value(self) -> str:
        if isinstance(self.data, Typed):
            return self.data.text
        coop = _request_coop()
        if not self.data or coop is None:
            return ""
        return label(get_session(), coop, self.data)
