"""Tamper evidence for the journal, as pure functions over plain values.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical text of the entry
(number, date, description, reference, source, the entry it reverses, the reason, and its
postings sorted as "account_code|member_id|amount"). ``check_chain`` walks a co-op's entries in
number order and reports every unbalanced entry, broken link, mismatched hash and gap in the
numbers. Nothing here touches the database, so a test can build a chain in memory, beancount
style, and tamper with it freely.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

#: the prev_hash of a co-op's first entry
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class PostingFacts:
    """What a posting contributes to its entry's hash."""

    account_code: str
    member_id: int | None
    amount_minor: int

    def canonical(self) -> str:
        return f"{self.account_code}|{'' if self.member_id is None else self.member_id}|{self.amount_minor}"


@dataclass(frozen=True)
class EntryFacts:
    """An entry as the chain sees it: its hashed content and its stored hashes."""

    number: int
    entry_date: dt.date
    description: str
    reference: str
    source: str
    reverses_id: int | None
    reason: str
    postings: tuple[PostingFacts, ...]
    prev_hash: str = ""
    hash: str = ""

    def canonical(self) -> str:
        # JSON, so that a newline or a "|" typed in a description cannot fake another layout
        return json.dumps([self.number, self.entry_date.isoformat(), self.description, self.reference,
                           str(self.source), self.reverses_id, self.reason,
                           sorted(p.canonical() for p in self.postings)],
                          ensure_ascii=False, separators=(",", ":"))


def entry_hash(prev_hash: str, facts: EntryFacts) -> str:
    """The hex SHA-256 that an entry with these facts, after ``prev_hash``, must carry."""
    return hashlib.sha256(f"{prev_hash}\n{facts.canonical()}".encode()).hexdigest()


def check_chain(entries: Iterable[EntryFacts]) -> list[str]:
    """Every problem of a co-op's journal, given its entries in number order; [] when sound."""
    problems: list[str] = []
    expected_number, expected_prev = 1, GENESIS_HASH
    for entry in entries:
        if entry.number != expected_number:
            problems.append(str(_l("Entry numbers jump from %(last)d to %(number)d.",
                                   last=expected_number - 1, number=entry.number)))
        total = sum(p.amount_minor for p in entry.postings)
        if total != 0:
            problems.append(str(_l("Entry %(number)d does not balance: its postings add up to %(total)d.",
                                   number=entry.number, total=total)))
        if entry.prev_hash != expected_prev:
            problems.append(str(_l("Entry %(number)d is not linked to the entry before it.",
                                   number=entry.number)))
        if entry.hash != entry_hash(entry.prev_hash, entry):
            problems.append(str(_l("Entry %(number)d was changed after it was posted (its hash does not match).",
                                   number=entry.number)))
        expected_number, expected_prev = entry.number + 1, entry.hash
    return problems
