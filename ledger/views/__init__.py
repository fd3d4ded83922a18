"""The books' pages, under /c/<slug>/books/.

Split by area, each module thin (parse, call one service, commit): ``accounts`` (chart of
accounts, journal, manual entries, reversals, closing months, opening balances), ``dues`` (plans
and runs), ``payments`` (payments, receipts, share capital), ``expenses``, ``budgets``,
``statements`` (member statements, arrears, the member panel), ``reports`` (the overview, the
financial statements and charts) and ``exports`` (hledger, beancount, CSV).
"""
from flask_babel import lazy_gettext as _l

from coop.access import Permission, add_nav, coop_blueprint

bp = coop_blueprint("ledger", __name__, url_prefix="/books")
add_nav("ledger.home", _l("Finances"), Permission.VIEW_FINANCE_SUMMARY)

from ledger.views import (  # noqa: E402,F401  (routes)
    accounts, budgets, dues, expenses, exports, payments, reports, statements)
