"""Member register pages: directory."""
from members.views import bp  # noqa: F401
