"""Static files are addressed by their content, so a phone keeps the stylesheet until it changes."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from coop.web import STATIC_CACHE_CONTROL, StaticVersions

STATIC = Path(__file__).resolve().parents[2] / "coop" / "static"


def linked(page_html: str, filename: str) -> str:
    match = re.search(rf'"(/static/{re.escape(filename)}\?v=[0-9a-f]+)"', page_html)
    assert match, f"{filename} is not linked with its version"
    return match.group(1)


def test_pages_link_the_stylesheet_by_the_hash_of_its_content(client):
    url = linked(client.get("/login").get_data(as_text=True), "site.css")
    expected = hashlib.sha256((STATIC / "site.css").read_bytes()).hexdigest()[:12]
    assert url == f"/static/site.css?v={expected}"


def test_a_versioned_stylesheet_is_kept_for_a_year(client):
    url = linked(client.get("/login").get_data(as_text=True), "site.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == STATIC_CACHE_CONTROL == "public, max-age=31536000, immutable"
    assert response.data == (STATIC / "site.css").read_bytes()
    assert response.mimetype == "text/css"


def test_the_icon_is_versioned_too(client):
    url = linked(client.get("/login").get_data(as_text=True), "favicon.svg")
    assert client.get(url).headers["Cache-Control"] == STATIC_CACHE_CONTROL


def test_a_static_file_without_its_current_version_is_checked_again_each_time(client):
    for url in ("/static/site.css", "/static/site.css?v=0123456789ab"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert "no-cache" in response.headers["Cache-Control"]


def test_an_edited_file_gets_a_new_address_at_once(tmp_path):
    styles = tmp_path / "site.css"
    styles.write_text("body { color: black; }")
    versions = StaticVersions(tmp_path)
    first = versions.of("site.css")
    assert first == versions.of("site.css")
    styles.write_text("body { color: darkgreen; }")
    os.utime(styles, ns=(styles.stat().st_atime_ns, styles.stat().st_mtime_ns + 1_000_000))
    assert versions.of("site.css") not in (None, first)
    assert versions.of("missing.css") is None
    assert versions.of("../site.css") is None


def test_browsers_asking_for_favicon_ico_get_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data == (STATIC / "favicon.svg").read_bytes()
