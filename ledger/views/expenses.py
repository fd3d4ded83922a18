"""Pages of the books: expenses."""
from ledger.views import bp  # noqa: F401
