"""The treasurer's work on the co-op's home page (``coop.home``): expenses waiting for approval
and approved ones waiting to be paid, counted (one query) and linked."""
from __future__ import annotations

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.access import Viewer
from coop.home import HomePanel, home_panel
from coop.tenancy import Coop
from ledger import expenses
from ledger.models import ExpenseStatus
from ledger.permissions import APPROVE_EXPENSES


@home_panel(APPROVE_EXPENSES, order=20)
def books_work(session: so.Session, coop: Coop, viewer: Viewer) -> HomePanel:
    counts = expenses.status_counts(session, coop)
    return HomePanel(str(_l("The books")), "ledger/_home_panel.html", {
        "pending": counts[ExpenseStatus.PENDING], "approved": counts[ExpenseStatus.APPROVED]})
