"""Pages of the books: budgets."""
from ledger.views import bp  # noqa: F401
