"""Member register pages: imports."""
from members.views import bp  # noqa: F401
