"""Pages of the books: dues."""
from ledger.views import bp  # noqa: F401
