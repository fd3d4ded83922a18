"""The chart of accounts' two rules, written once: the order of its codes and each account's normal side.

Codes sort by their numbers ("1.1.9" before "1.1.10"), not as text. Assets and expenses normally
hold a debit balance, liabilities, equity and income a credit one; a balance is shown on the
account's normal side, so a bank's money and an income's takings both read as positive figures.
The chart page (``ledger.journal``), the financial statements (``ledger.reports``) and the
general ledger all read the chart through these two functions.
"""
from __future__ import annotations

from ledger.models import AccountType

#: accounts whose balance is normally a credit: shown positive when they hold one
CREDIT_NORMAL = frozenset({AccountType.LIABILITY, AccountType.EQUITY, AccountType.INCOME})


def code_key(code: str) -> tuple[int, ...]:
    """Sort "1.1.10" after "1.1.9": by the numbers, not the text."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def natural(account_type: AccountType, amount: int) -> int:
    """A signed amount (debit positive) as shown on the account's normal side."""
    return -amount if AccountType(account_type) in CREDIT_NORMAL else amount
