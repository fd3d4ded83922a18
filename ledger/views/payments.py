"""Pages of the books: payments."""
from ledger.views import bp  # noqa: F401
