"""Pages of the books: statements."""
from ledger.views import bp  # noqa: F401
