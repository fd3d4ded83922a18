"""Member register pages: printing."""
from members.views import bp  # noqa: F401
