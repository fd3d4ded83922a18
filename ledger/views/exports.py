"""Pages of the books: exports."""
from ledger.views import bp  # noqa: F401
