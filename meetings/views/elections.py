"""elections pages (being written)."""
from meetings.views import bp  # noqa: F401
