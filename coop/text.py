"""Text as people search and compare it: without case or accents."""
from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, for searching "guaman" and finding "Guamán"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def whole_number(text: str | None, max_digits: int = 9) -> int | None:
    """The whole number typed in ``text`` (a member no., an id in a form), or None.

    Only ASCII digits count: ``"²".isdigit()`` is true but ``int("²")`` fails, and a number longer
    than ``max_digits`` would not fit the database's integer columns.
    """
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def key_of(text: object) -> str:
    """A name as compared: no case, accents or punctuation ("Número de documento" -> numero_de_documento)."""
    return re.sub(r"[^a-z0-9]+", "_", fold(str(text or ""))).strip("_")
