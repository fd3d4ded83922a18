"""Printed documents: ``render_pdf(template, **context)`` over WeasyPrint.

Assemblies happen face to face, so statements, certificates, notices and minutes are printed.
Each document is a Jinja template extending ``pdf/base.html`` (A4 or Letter by the co-op's
setting, the co-op's name at the top of every page, "página X de Y" at the foot). The font
configuration and the base stylesheet are built once per process; fonts come from the machine
and nothing is fetched from the network: only ``data:`` URLs and files under the static folder
may be loaded.
"""
from __future__ import annotations

import contextlib
import io
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import Response, render_template

from coop.db import utcnow

#: what a server without Pango says instead of a traceback (and WeasyPrint's own long notice)
PANGO_MISSING = ("Ayllu prints its documents with WeasyPrint, which needs the Pango libraries. "
                 "Install them with: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0")

try:
    with contextlib.redirect_stdout(io.StringIO()):
        from weasyprint import CSS, HTML, Document
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher
except OSError as missing_library:
    raise SystemExit(PANGO_MISSING) from missing_library

STATIC_DIR = Path(__file__).resolve().parent / "static"
PRINT_CSS = STATIC_DIR / "print.css"

_lock = threading.Lock()
_cache: dict[str, object] = {}


class LocalOnlyFetcher(URLFetcher):
    """Loads ``data:`` URLs and files under the static folder; refuses everything else."""

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if path.is_relative_to(STATIC_DIR):
                return super().fetch(url, headers)
        raise ValueError(f"printed documents load only local assets, not {url}")


def _resources() -> tuple[FontConfiguration, CSS, LocalOnlyFetcher]:
    with _lock:
        if not _cache:
            font_config = FontConfiguration()
            fetcher = LocalOnlyFetcher(allowed_protocols={"file", "data"})
            _cache["fonts"] = font_config
            _cache["fetcher"] = fetcher
            _cache["css"] = CSS(filename=str(PRINT_CSS), font_config=font_config, url_fetcher=fetcher)
        return _cache["fonts"], _cache["css"], _cache["fetcher"]


def layout_pdf(template: str, **context) -> Document:
    """Lay out a printed document without writing it, so its pages can be counted or chosen."""
    context.setdefault("now", utcnow())
    font_config, css, fetcher = _resources()
    html = HTML(string=render_template(template, **context), base_url=STATIC_DIR.as_uri() + "/",
                url_fetcher=fetcher)
    return html.render(stylesheets=[css], font_config=font_config)


def render_pdf(template: str, **context) -> bytes:
    """Render a Jinja template to PDF bytes (inside an app or request context)."""
    return layout_pdf(template, **context).write_pdf()


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> Response:
    """An HTTP response carrying a PDF, shown in the browser unless ``download``."""
    disposition = "attachment" if download else "inline"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
