"""Browser tests: Debian's Chromium, driven by Playwright, on the demo co-op served for real.

One copy of the demo co-op (SQLite file or PostgreSQL database, made from the session's demo
template) is served by werkzeug in a thread on a free port for the whole session, with CSRF
protection on as in production. One Chromium serves the session; each role and screen width
gets a browser context of its own, logged in through the real form once per role.

``page_problems`` lists what a page must not have: sideways scrolling of the page (or of a box
a keyboard cannot reach or that has no name), a visible cell of a stacked table without its
label (on a phone), a console error, a failed request or one to another host, and an axe-core
violation of serious or critical impact. A screenshot of every
page checked is written to ``browser-screenshots/`` (or ``COOP_BROWSER_SCREENSHOTS``), which
CI keeps as an artefact.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from coop.app import create_app
from tests.conftest import PROJECT_DIR, copy_of_demo

CHROMIUM = os.environ.get("COOP_CHROMIUM", "/usr/bin/chromium")
INSTALL_CHROMIUM = "sudo apt-get install -y chromium"
#: relative to the project (CI keeps it as an artefact); an absolute path is taken as it is
SCREENSHOTS = PROJECT_DIR / os.environ.get("COOP_BROWSER_SCREENSHOTS", "browser-screenshots")
PASSWORD = "minga-quebrada-verde"
COOP = "/c/quebrada-verde"
#: screen widths every page is checked at: a modest phone and a desktop
PHONE, DESKTOP = 360, 1280
HEIGHT = 800
#: axe-core impacts that fail a page
FAILING_IMPACTS = ("serious", "critical")
AXE = Axe()
NETWORK_SCHEMES = ("http", "https", "ws", "wss", "ftp")


def email_of(role: str) -> str:
    if role == "operador":  # the platform's operator, who opens co-ops
        return "operador@ayllu.example"
    return f"{role}@quebrada-verde.example"


# --- the server ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_database_url(demo_template) -> Iterator[str]:
    """One copy of the demo co-op for every browser test of the session."""
    with copy_of_demo(demo_template, "browser", Path(demo_template.source).parent) as url:
        yield url


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request: a failing test's report shows what went wrong, not the access log."""

    def log_request(self, *_args, **_kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def live_server(browser_database_url) -> Iterator[str]:
    """The demo co-op served over HTTP in a thread; yields its base URL (``http://127.0.0.1:PORT``)."""
    app = create_app("testing", {"DATABASE_URL": browser_database_url, "WTF_CSRF_ENABLED": True,
                                 "TASKS_RUN_IN_THREAD": True})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["coop.db"].engine.dispose()


# --- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder of this run's screenshots, emptied of an earlier run's."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob("*.png"), SCREENSHOTS / "problems.txt"]:
        old.unlink(missing_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"The browser tests drive Debian's Chromium, which is not installed at {CHROMIUM}. "
                    f"Install it with: {INSTALL_CHROMIUM}", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did that a user would suffer from: errors in its console, requests that failed
    or went to another host. Cleared before each page is checked."""

    origin: str
    problems: list[str] = field(default_factory=list)
    #: URLs that turned into downloads: their navigation is aborted by design
    downloads: set[str] = field(default_factory=set)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("download", lambda download: self.downloads.add(download.url))

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in NETWORK_SCHEMES:
            return  # data: URLs, and Chromium's own pages (its PDF viewer) never leave the machine
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another host: {request.url}")

    def _failed(self, request) -> None:
        if request.url in self.downloads or request.failure == "net::ERR_ABORTED" and (
                request.is_navigation_request() or "/favicon." in urlsplit(request.url).path):
            # a download aborts its navigation (its response was checked), and the browser drops its
            # own favicon fetch when the page moves on; neither is a request the page failed
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


@dataclass
class Visitor:
    """One role's browser at one width: a logged-in context with one page, watched."""

    role: str
    width: int
    context: BrowserContext
    page: Page
    watch: Watch
    base: str

    def url(self, path: str) -> str:
        return self.base + path


class Visitors:
    """A context per (role, width), logged in once per role; only the one in use stays open."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self.states: dict[str, dict] = {}
        self.current: Visitor | None = None

    def get(self, role: str, width: int) -> Visitor:
        if self.current and (self.current.role, self.current.width) == (role, width):
            return self.current
        self.close()
        self.current = self.open(role, width)
        return self.current

    def open(self, role: str, width: int, storage_state: dict | None = None) -> Visitor:
        """A fresh context; ``role`` "anonymous" logs nobody in."""
        if storage_state is None and role != "anonymous":
            storage_state = self.states.get(role)
        context = self.browser.new_context(viewport={"width": width, "height": HEIGHT}, base_url=self.base,
                                           storage_state=storage_state, locale="es-EC",
                                           accept_downloads=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        watch = Watch(self.base)
        watch.attach(page)
        visitor = Visitor(role, width, context, page, watch, self.base)
        if role != "anonymous" and storage_state is None:
            log_in(page, email_of(role))
            self.states[role] = context.storage_state()
        watch.take()
        return visitor

    def close(self) -> None:
        if self.current is not None:
            self.current.context.close()
            self.current = None


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the real log-in form, as a person would."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{email} could not log in: {page.inner_text('main')[:500]}"


@pytest.fixture(scope="session")
def visitors(browser, live_server) -> Iterator[Visitors]:
    pool = Visitors(browser, live_server)
    yield pool
    pool.close()


@pytest.fixture
def fresh(browser, live_server) -> Iterator:
    """Opens fresh contexts for a journey (``fresh(role, width)``), closed after the test."""
    pool = Visitors(browser, live_server)
    opened: list[Visitor] = []

    def open_one(role: str, width: int = PHONE) -> Visitor:
        visitor = pool.open(role, width)
        opened.append(visitor)
        return visitor
    yield open_one
    for visitor in opened:
        visitor.context.close()


# --- the checks ------------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const scroll = document.scrollingElement.scrollWidth;
  if (scroll <= width) return null;
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 5; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) part += '#' + e.id;
      else if (e.classList.length) part += '.' + Array.from(e.classList).join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && parent.getBoundingClientRect().right > width + 1) continue;
    wide.push(`${path(el)} (right edge ${Math.round(box.right)} px)`);
    if (wide.length >= 5) break;
  }
  return {width, scroll, wide};
}"""

# A box that scrolls sideways must be reachable by keyboard and named (the session's convention:
# tabindex="0" and an accessible name), so that its hidden part is not lost.
SCROLLERS_JS = """() => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
    if (!el.getClientRects().length) continue;
    const named = (el.getAttribute('aria-label') || '').trim() || (el.getAttribute('aria-labelledby') || '').trim();
    if (el.getAttribute('tabindex') === '0' && named) continue;
    const heading = el.closest('section') && el.closest('section').querySelector('h1, h2, h3');
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                 (el.classList.length ? '.' + Array.from(el.classList).join('.') : '') +
                 (heading ? ` under "${heading.textContent.trim().slice(0, 60)}"` : '');
    const missing = [el.getAttribute('tabindex') === '0' ? '' : 'tabindex="0"', named ? '' : 'an accessible name']
      .filter(Boolean).join(' and ');
    found.push(`${name} hides ${el.scrollWidth - el.clientWidth} px of ${el.scrollWidth} px (needs ${missing})`);
  }
  return found;
}"""

# A cell spanning several columns (a message row, a "Total" label) has no one heading; an empty
# cell shows nothing to label; a cell holding only buttons ("Run now"), fieldsets named by their
# legend ("Who works instead") and help text is labelled by them.
UNLABELLED_JS = """() => {
  const found = [];
  const onlyButtons = (td) => {
    if (!td.querySelector('button, a.button')) return false;
    const rest = td.cloneNode(true);
    rest.querySelectorAll('button, a.button, fieldset:has(> legend), p.help').forEach((b) => b.remove());
    return rest.textContent.trim() === '';
  };
  document.querySelectorAll('table.stack').forEach((table, index) => {
    const section = table.closest('section');
    const heading = section && section.querySelector('h1, h2, h3');
    const name = (table.id ? '#' + table.id : `table.stack[${index}]`) +
                 (heading ? ` under "${heading.textContent.trim().slice(0, 60)}"` : '');
    const cells = Array.from(table.querySelectorAll('td')).filter((td) =>
      td.getClientRects().length > 0 && getComputedStyle(td).visibility !== 'hidden' && td.colSpan <= 1 &&
      !(td.getAttribute('data-label') || '').trim() && !onlyButtons(td) &&
      (td.textContent.trim() !== '' || td.querySelector('img, svg, input, select, button, a')));
    if (cells.length) {
      const texts = cells.slice(0, 6).map((td) => JSON.stringify(td.textContent.trim().replace(/\\s+/g, ' ').slice(0, 30)));
      found.push(`${name}: ${cells.length} cells without data-label, e.g. ${texts.join(', ')}`);
    }
  });
  return found;
}"""


def page_problems(visitor: Visitor) -> list[str]:
    """Everything wrong with the page the visitor is on, as sentences for the failure message."""
    page = visitor.page
    problems = list(visitor.watch.take())
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        problems.append(f"page scrolls sideways: {overflow['scroll']} px wide in a {overflow['width']} px window; "
                        f"past the edge: {'; '.join(overflow['wide'])}")
    problems.extend(f"box scrolls sideways: {found}" for found in page.evaluate(SCROLLERS_JS))
    if visitor.width <= PHONE:
        problems.extend(f"stacked table cells without their label: {found}" for found in page.evaluate(UNLABELLED_JS))
    results = AXE.run(page)
    for violation in results.response["violations"]:
        if violation.get("impact") in FAILING_IMPACTS:
            targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:4])
            more = len(violation["nodes"]) - 4
            problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} "
                            f"({len(violation['nodes'])} elements: {targets}{f', +{more}' if more > 0 else ''})")
    problems.extend(visitor.watch.take())
    return problems


def slug_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "home"


def record_problems(folder: Path, title: str, problems: list[str]) -> None:
    """Adds a failing page's problems to ``problems.txt`` beside the screenshots, for CI's artefacts."""
    with (folder / "problems.txt").open("a", encoding="utf-8") as report:
        report.write(f"{title}\n" + "".join(f"  {problem}\n" for problem in problems))


def screenshot(visitor: Visitor, folder: Path, name: str) -> Path:
    path = folder / f"{visitor.role}-{visitor.width}-{slug_of(name)}.png"
    visitor.page.screenshot(path=str(path), full_page=True)
    return path
