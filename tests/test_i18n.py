"""Every string is marked and translated: Spanish (the default) is complete, and the catalogues
hold exactly the strings the code and templates use today."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "coop" / "translations"


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def ids(catalog) -> set:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def test_spanish_catalogue_is_complete_and_not_fuzzy():
    spanish = catalogue("es")
    untranslated = [m.id for m in spanish if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in spanish if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    import re
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalogue("es"):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[-1]
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        for target in targets:
            assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(target)), source


def test_catalogues_hold_every_string_in_use(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        in_use = ids(read_po(handle))
    for language in ("es", "en"):
        held = ids(catalogue(language))
        assert in_use - held == set(), f"{language}: run `make messages` and translate"
        assert held - in_use == set(), f"{language}: strings no longer used"
