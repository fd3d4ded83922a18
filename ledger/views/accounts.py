"""Pages of the books: accounts."""
from ledger.views import bp  # noqa: F401
