"""Unique rules the database enforces, told to people as the rule's own message.

A service checks "is this cédula already in the register?" before it writes, so one person at a
time gets a clear message. Two people at once both pass that read; the database's unique
constraint then refuses the second, and without this module the second person would get an
error page. Each package names its unique constraints here with the message and field a person
should see (``unique_rule``); ``coop.pages.show_refusal`` turns the database's refusal of a
named constraint into that message beside its field, and a service that can say more (which
member holds the cédula) wraps its write in ``refusing_duplicates(session, recheck)``: a
savepoint around the insert, after whose failure ``recheck`` runs the service's own check again,
which now sees the other request's row and refuses with the usual message.

Constraint names follow ``coop.db.NAMING_CONVENTION`` (``uq_<table>_<columns>``); PostgreSQL
reports the name, SQLite the table and columns, from which the same name is rebuilt. A unique
index that should be told apart this way is named as the convention would name the constraint.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.errors import DomainError

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ((?:\w+\.\w+(?:, )?)+)")
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(\w+)'")


@dataclass(frozen=True)
class UniqueRule:
    message: str
    field: str | None = None


#: constraint name -> what a person is told when it refuses a row
RULES: dict[str, UniqueRule] = {}


def unique_rule(name: str, message, field: str | None = None) -> None:
    """Name a unique constraint (or unique index) and what a person reads when it refuses a row."""
    RULES[name] = UniqueRule(message, field)


def constraint_of(error: sa.exc.IntegrityError) -> str | None:
    """The name of the unique constraint a failed insert or update ran into, or None."""
    original = getattr(error, "orig", None)
    diag = getattr(original, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return name
    text = str(original or error)
    found = _SQLITE_INDEX.search(text)
    if found:
        return found.group(1)
    found = _SQLITE_UNIQUE.search(text)
    if found:
        columns = [part.strip().split(".") for part in found.group(1).split(",") if part.strip()]
        return "uq_" + columns[0][0] + "_" + "_".join(column for _table, column in columns)
    return None


def refusal_for(error: sa.exc.IntegrityError) -> DomainError | None:
    """The rule's message for a database refusal of a named unique constraint; None for others."""
    rule = RULES.get(constraint_of(error) or "")
    return DomainError(rule.message, field=rule.field) if rule is not None else None


@contextmanager
def refusing_duplicates(session: so.Session, recheck: Callable[[], object] | None = None) -> Iterator[None]:
    """Write inside a savepoint; a named unique constraint's refusal becomes a ``DomainError``.

    ``recheck`` runs the service's own check again after the refusal (it now sees the row that
    won), so the person reads what they would have read one at a time; the rule's message is
    the fallback. Objects added before the block are flushed before the savepoint begins.
    """
    try:
        with session.begin_nested():
            yield
    except sa.exc.IntegrityError as error:
        refusal = refusal_for(error)
        if refusal is None:
            raise
        if recheck is not None:
            recheck()
        raise refusal from None
