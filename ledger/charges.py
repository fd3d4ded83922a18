"""Charging many members at once: one journal entry and one ``Charge`` per member, in one batch.

A dues run and a Minga period's close both charge hundreds or thousands of members. They share
this door so a charge is the same thing wherever it comes from: an entry debiting the member on
the receivable account and crediting an income account, posted through
``ledger.services.post_entries`` (numbered and chained together, a handful of queries whatever
the count), a ``Charge`` row per entry for arrears and allocation, and then the members' unused
credit applied oldest charge first (``allocation.settle_members``). The caller holds the
savepoint and names the origin (its run or close), whose reversal hook voids a charge.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.auth.models import User
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import allocation, services
from ledger.models import Account, Charge, EntrySource, JournalEntry
from ledger.origins import Origin
from ledger.services import NewEntry, PostingLine
from members.models import Household, Member

#: days a charge that is not part of a dues plan (a Minga fine) gives to pay it
USUAL_DUE_DAYS = 30


@dataclass(frozen=True)
class ChargeLine:
    """One member to charge: how much, and what their statement says about it."""

    member: Member
    amount_minor: int
    description: str
    #: for a charge owed by a household, the household
    household: Household | None = None


def post_charges(session: so.Session, actor: User | None, coop: Coop, lines: Sequence[ChargeLine], *,
                 income_account: Account, source: EntrySource, origin: Origin, entry_date: dt.date,
                 due_date: dt.date, run_id: int | None = None, reference: str = "") -> list[JournalEntry]:
    """Post one charge per line in one batch; the entries, in the order of ``lines``.

    Refused whole (``DomainError``) before anything is written if any entry cannot be posted.
    """
    if not lines:
        return []
    receivable = services.receivable_account(session, coop)
    if receivable is None:
        raise DomainError(_l("The chart of accounts has no open members' (receivable) account."))
    entries = services.post_entries(session, actor, coop, [
        NewEntry(entry_date, line.description, [PostingLine(receivable, line.amount_minor, line.member),
                                                PostingLine(income_account, -line.amount_minor)],
                 source=source, reference=reference, origin=origin)
        for line in lines])
    session.execute(sa.insert(Charge), [
        {"coop_id": coop.id, "member_id": line.member.id,
         "household_id": line.household.id if line.household is not None else None, "run_id": run_id,
         "source": EntrySource(source), "description": entry.description, "due_date": due_date,
         "amount_minor": line.amount_minor, "settled_minor": 0, "is_void": False, "entry_id": entry.id}
        for line, entry in zip(lines, entries, strict=True)])
    session.flush()
    allocation.settle_members(session, coop.id, [line.member.id for line in lines])
    return entries
