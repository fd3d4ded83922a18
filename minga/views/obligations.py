"""Minga pages: obligations (see minga.views)."""
from __future__ import annotations

from minga.views import bp  # noqa: F401
