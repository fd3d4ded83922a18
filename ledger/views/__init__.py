"""The books' pages, under /c/<slug>/books/.

Split by area, each module thin (read the form, call one service; ``coop.pages`` loads the page's
object, decides access and commits once): ``accounts`` (chart of accounts, journal, manual
entries, reversals, closing months, opening balances), ``dues`` (plans and runs), ``payments``
(payments, receipts, share capital), ``expenses``, ``budgets``, ``statements`` (member
statements, arrears, the member panel), ``reports`` (the overview, the financial statements and
charts) and ``exports`` (hledger, beancount, CSV).
"""
from flask_babel import lazy_gettext as _l

from coop.access import add_nav
from coop.pages import coop_blueprint
from ledger.permissions import VIEW_FINANCE_SUMMARY

bp = coop_blueprint("ledger", __name__, url_prefix="/books")
add_nav("ledger.home", _l("Finances"), VIEW_FINANCE_SUMMARY)

from ledger import home  # noqa: E402,F401  (the treasurer's panel on the co-op's home page)
from ledger.views import (  # noqa: E402,F401  (routes)
    accounts, budgets, dues, expenses, exports, payments, reports, statements)
