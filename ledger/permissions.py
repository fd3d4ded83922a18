"""What the books' pages require, and who holds it (registered with ``coop.access``).

The treasurer and the administrator keep the books; the oversight council reads all of them; a
member reads their own statement and receipts, and the co-op-wide summaries when the co-op
publishes them. Rules about one object live here too: a statement or a receipt is the member's
own, a draft budget is for the books' readers.
"""
from __future__ import annotations

from coop.access import ALL_ROLES, Viewer, define
from coop.tenancy import Role

BOOK_READERS = frozenset({Role.ADMIN, Role.TREASURER, Role.AUDITOR})


def _finance_summary_readers(coop) -> frozenset[Role]:
    """The co-op-wide summaries of the books: everyone when the co-op publishes them."""
    return ALL_ROLES if coop is not None and coop.members_see_finances else BOOK_READERS


VIEW_BOOKS = define("view_books", BOOK_READERS)
MANAGE_BOOKS = define("manage_books", frozenset({Role.ADMIN, Role.TREASURER}))
#: never one's own expense: the service refuses that whoever holds the permission
APPROVE_EXPENSES = define("approve_expenses", frozenset({Role.ADMIN, Role.TREASURER}))
VIEW_FINANCE_SUMMARY = define("view_finance_summary", _finance_summary_readers)


def _own_member(viewer: Viewer, member) -> bool:
    return member is not None and viewer.is_user(member.user_id)


#: a member's statement of account: the books' readers, and the member themselves
READ_STATEMENT = define("read_statement", ALL_ROLES,
                        rule=lambda viewer, member: viewer.may(VIEW_BOOKS) or _own_member(viewer, member))
#: a printed receipt: the books' readers, and the member who paid
READ_RECEIPT = define("read_receipt", ALL_ROLES,
                      rule=lambda viewer, payment: viewer.may(VIEW_BOOKS) or _own_member(viewer, payment.member))
#: a budget: approved ones for whoever sees the summaries, drafts for the books' readers
READ_BUDGET = define("read_budget", _finance_summary_readers,
                     rule=lambda viewer, budget: budget.approved_dt is not None or viewer.may(VIEW_BOOKS))
