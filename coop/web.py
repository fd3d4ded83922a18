"""Request plumbing shared by every page: request ids, language, security headers, static files,
error pages.

Every response carries a strict Content-Security-Policy (only this server's assets), nosniff,
no framing and a same-origin referrer policy. Every request gets an id that is logged with any
error and shown on the 500 page, so a member can report it and an administrator can find it.

Static files are addressed by their content: ``url_for("static", filename="site.css")`` gives
``/static/site.css?v=<hash of the file>``, and that address is sent to be kept for a year
(``immutable``), so a phone on a slow link fetches the stylesheet once, and again only when it
changes. A static file asked for without its current version is sent with ``no-cache`` as before.
"""
from __future__ import annotations

import hashlib
import logging
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Flask, abort, current_app, g, has_app_context, has_request_context, render_template, request,
                   send_from_directory, session)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from coop.pages import public_view
from coop.tenancy import format_locale

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

ERRORS = {
    400: (_l("Bad request"), _l("The page could not understand what was sent. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role in this co-op does not give access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("File too large"), _l("The file you sent is larger than allowed.")),
    429: (_l("Too many requests"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong"),
          _l("The error has been recorded and nothing was changed. If it happens again, "
             "tell your co-op's administrator the reference below.")),
}

#: how long a browser keeps a versioned static file: its address changes when its content does
STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


class StaticVersions:
    """The ``v`` of each static file's address: the start of the SHA-256 of its content.

    Worked out once per state of the file (its size and time of change), so a running
    development server gives an edited stylesheet a new address at once.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).resolve()
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, filename: str) -> str | None:
        """The version of ``filename`` under the folder, or None when there is no such file."""
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder):
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        state = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(filename)
        if known is None or known[0] != state:
            known = (state, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            self._known[filename] = known
        return known[1]


def _static_versions() -> StaticVersions:
    return current_app.extensions["coop.static_versions"]


def _version_static_url(endpoint: str, values: dict) -> None:
    """``url_for("static", ...)`` adds the file's version, unless one is given."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = _static_versions().of(values["filename"])
        if version:
            values["v"] = version


def _cache_static(response) -> None:
    """A static file asked for at its current version may be kept for a year."""
    wanted = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if wanted and filename and response.status_code in (200, 304) and wanted == _static_versions().of(filename):
        response.headers["Cache-Control"] = STATIC_CACHE_CONTROL


@public_view
def favicon():
    """Browsers ask for /favicon.ico on their own (a PDF shown in the browser, for one): the SVG icon."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (a dash outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    for name in ("coop", "apscheduler"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RequestIdFilter) for h in logger.handlers for f in h.filters):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def select_language() -> str:
    """The user's choice, else the session's, else the co-op's, else the browser's, else Spanish."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    coop = g.get("coop")
    if coop is not None and coop.locale in languages:
        return coop.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """The Babel locale: language plus the co-op's country, so money reads "$1.234,50" in Ecuador."""
    coop = g.get("coop") if has_request_context() else None
    language = select_language() if has_request_context() else current_app.config["BABEL_DEFAULT_LOCALE"]
    return format_locale(language, coop.country if coop is not None else None)


def reader_locale() -> str:
    """The Babel locale of whoever reads the page ("es_EC"), for formatting and reading numbers."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    coop = g.get("coop") if has_app_context() else None  # background documents set g.coop too
    return coop.timezone if coop is not None else current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex[:16]


def _refuse_nul_bytes() -> None:
    """A NUL byte in any query or form value is never typed by a person: answer 400 at once.

    The pages' readers (``coop.pages.query_*``) drop control characters anyway; this is the
    second line for anything read another way (PostgreSQL refuses NUL in text and would fail).
    """
    sources = [request.args]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sources.append(request.form)
    for values in sources:
        for key, items in values.lists():
            if "\x00" in key or any("\x00" in item for item in items):
                abort(400)


def _refuse_cross_site_writes() -> None:
    """A second line behind the CSRF token: a write sent from another site answers 403.

    Browsers say where a request comes from: ``Origin`` on every POST, and ``Sec-Fetch-Site``
    in current ones. A request with neither (an old browser, a script) still needs its token.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        abort(403)
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc.lower() != request.host.lower():
        abort(403)


def _secure_response(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint == "static":
        _cache_static(response)
    elif current_user and current_user.is_authenticated:
        # personal data must not stay in a shared phone's cache
        headers.setdefault("Cache-Control", "private, no-store")
    if "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    return response


def render_error(code: int, message: str | None = None):
    title, default_message = ERRORS.get(code, ERRORS[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default_message,
                           request_id=g.get("request_id")), code


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(_start_request)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_refuse_cross_site_writes)
    app.after_request(_secure_response)
    app.extensions["coop.static_versions"] = StaticVersions(app.static_folder)
    app.url_defaults(_version_static_url)
    app.add_url_rule("/favicon.ico", "favicon", favicon)

    def handle_http(error):
        if error.code == 404:
            g.pop("coop", None)  # a 404 page shows nothing of a co-op the visitor cannot see
        return render_error(error.code if error.code in ERRORS else 400)

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, handle_http)

    @app.errorhandler(CSRFError)
    def handle_csrf(_error):
        return render_error(400, str(_l("The form had expired. Reload the page and send it again.")))

    @app.errorhandler(500)
    def handle_500(_error):
        # Flask has already logged the exception through app.logger, with the request id;
        # the unit of work is rolled back when the app context tears down.
        return render_error(500)
