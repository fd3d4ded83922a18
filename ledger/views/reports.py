"""Pages of the books: the overview, the financial statements and their charts."""
from flask import g, render_template

from coop.access import Permission, coop_view
from ledger.views import bp


@bp.get("/")
@coop_view(Permission.VIEW_FINANCE_SUMMARY)
def home():
    return render_template("ledger/home.html", coop=g.coop)
