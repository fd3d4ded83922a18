"""Known vulnerabilities of the installed packages, from PyPI's JSON API (what this machine reaches).

pip-audit asks PyPI per version (/pypi/NAME/VERSION/json); the registry reachable here answers only
per package (/pypi/NAME/json), whose "vulnerabilities" describe the latest release. So: an
installed package that is the latest release is audited from that answer; any other is listed as
not audited (never silently passed). Exit 1 when a vulnerability is found.
"""
from __future__ import annotations

import json
import sys
import urllib.request
from importlib import metadata

INDEX = "https://pypi.org/pypi/{}/json"


def main() -> int:
    found, unaudited = [], []
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name, version = dist.metadata["Name"], dist.version
        try:
            with urllib.request.urlopen(INDEX.format(name), timeout=30) as answer:  # nosec B310 (fixed https host)
                data = json.load(answer)
        except OSError as error:
            unaudited.append(f"{name} {version}: {error}")
            continue
        if data["info"]["version"] != version:
            unaudited.append(f"{name} {version}: not the latest release ({data['info']['version']})")
            continue
        found += [f"{name} {version}: {v.get('id')} {', '.join(v.get('aliases') or [])} fixed in "
                  f"{', '.join(v.get('fixed_in') or []) or '?'}" for v in data.get("vulnerabilities") or []]
    for line in unaudited:
        print("not audited:", line)
    for line in found:
        print("VULNERABLE:", line)
    print(f"{len(found)} known vulnerabilities; {len(unaudited)} packages could not be audited")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
