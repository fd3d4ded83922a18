"""Member register pages: applications."""
from members.views import bp  # noqa: F401
