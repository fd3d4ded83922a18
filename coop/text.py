"""Text as people search and compare it: without case or accents."""
from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, for searching "guaman" and finding "Guamán"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def key_of(text: object) -> str:
    """A name as compared: no case, accents or punctuation ("Número de documento" -> numero_de_documento)."""
    return re.sub(r"[^a-z0-9]+", "_", fold(str(text or ""))).strip("_")
