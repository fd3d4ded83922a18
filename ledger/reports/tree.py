"""The chart of accounts as the reports read it: plain rows in code order, and subtrees by code.

A report reads the co-op's chart once (a few hundred rows at most) as frozen values, then works
out the tree, the signs and the totals in Python; the postings come in one or two grouped queries
beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.tenancy import Coop
from ledger.chart import code_key
from ledger.models import Account, AccountType


@dataclass(frozen=True)
class ChartAccount:
    id: int
    code: str
    name: str
    type: AccountType
    parent_id: int | None
    is_receivable: bool


def chart(session: so.Session, coop: Coop) -> list[ChartAccount]:
    """The co-op's accounts, in the order of their codes ("1.1.2" before "1.1.10")."""
    rows = session.execute(sa.select(Account.id, Account.code, Account.name, Account.type, Account.parent_id,
                                     Account.is_receivable).where(Account.coop_id == coop.id))
    return sorted((ChartAccount(i, c, n, AccountType(t), p, bool(r)) for i, c, n, t, p, r in rows),
                  key=lambda a: code_key(a.code))


def subtree_ids(accounts: list[ChartAccount], codes: tuple[str, ...]) -> set[int]:
    """The ids of the accounts with these codes and of every account under them."""
    return {a.id for a in accounts if any(a.code == c or a.code.startswith(c + ".") for c in codes)}
