"""What a journal entry belongs to: a payment, a dues run, an expense, later a Minga fine.

The journal knows no package that posts into it. A package registers each kind of thing it posts
for (``register_origin("ledger.payment", ...)``) and names it when posting
(``origin=Origin("ledger.payment", payment_id)``); the entry keeps the kind and the id in
``origin_kind`` / ``origin_id``, outside its hash. The registration says whether a person may
reverse such an entry by hand (a payment's entry is reversed only by voiding its receipt), and
what must follow any reversal of one (a dues charge is voided). So a new package plugs in here
instead of adding a flag to the journal.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

if TYPE_CHECKING:
    from coop.tenancy import Coop
    from ledger.models import JournalEntry

#: the width of ``journal_entry.origin_kind``
MAX_KIND_LENGTH = 40

#: ``on_reversed(session, coop, entry, reversal)``: what follows the reversal of an entry of the kind
ReversalHook = Callable[[so.Session, "Coop", "JournalEntry", "JournalEntry"], None]


@dataclass(frozen=True)
class Origin:
    """What one entry belongs to: a registered kind and, usually, the id of the row it posts for."""

    kind: str
    id: int | None = None


@dataclass(frozen=True)
class OriginKind:
    """A kind of origin as its package registered it."""

    kind: str
    #: what an entry of this kind records, as the books' pages name it ("Member's payment")
    label: str
    #: why a person may not reverse such an entry by hand, in the reader's language; None: they may
    manual_reversal: str | None = None
    #: run after any reversal of such an entry, by hand or by the package itself
    on_reversed: ReversalHook | None = None


_KINDS: dict[str, OriginKind] = {}


def register_origin(kind: str, *, label, manual_reversal=None,
                    on_reversed: ReversalHook | None = None) -> OriginKind:
    """Register a kind of origin, once, when the package that owns it is imported.

    ``label`` and ``manual_reversal`` are lazy translations (``_l``). Registering the same kind
    again replaces it, as a module reloaded in development does.
    """
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"an origin kind has 1 to {MAX_KIND_LENGTH} characters: {kind!r}")
    registered = OriginKind(kind, label, manual_reversal, on_reversed)
    _KINDS[kind] = registered
    return registered


def origin_kind(kind: str) -> OriginKind:
    """The registration of ``kind``; a kind nobody registered is a programming error."""
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"no package registered the journal origin {kind!r}") from None


def origin_of(entry: JournalEntry) -> OriginKind | None:
    """The registration of what ``entry`` belongs to; None for an entry of its own (manual, opening)."""
    return origin_kind(entry.origin_kind) if entry.origin_kind else None


def reserve_id(session: so.Session, model: type) -> int:
    """The primary key the next row of ``model`` will carry, taken before the row is written.

    An entry is inserted before the payment or charge that points at it, and is never updated
    afterwards (the table is append-only), so it can name its origin only if the origin's id is
    known first. PostgreSQL hands out the sequence's next value. SQLite has no sequence, but its
    writers are serial (``BEGIN IMMEDIATE``): the highest id plus one stays free until this
    transaction ends; ids this session reserved before are skipped.
    """
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence(table.name, "id"))))
    reserved: dict[str, int] = session.info.setdefault("ledger.reserved_ids", {})
    highest = session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    reserved[table.name] = max(highest, reserved.get(table.name, 0)) + 1
    return reserved[table.name]
