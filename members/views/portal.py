"""Member register pages: portal."""
from members.views import bp  # noqa: F401
