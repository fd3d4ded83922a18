"""The charts are self-contained SVG: no script, nothing fetched, amounts and months in the reader's words."""
from __future__ import annotations

import base64
import datetime as dt
import re

from ledger import charts
from ledger.reports import MonthTotals

XML_NAMESPACES = re.compile(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"')


def outside_urls(svg: str) -> list[str]:
    """Web addresses in the SVG, apart from the XML namespace names (identifiers, never fetched)."""
    return re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\"'\s<>)]*", XML_NAMESPACES.sub("", svg))


def test_income_and_expenses_bars_have_no_script_and_no_outside_address(app):
    rows = [MonthTotals(dt.date(2026, m, 1), 120_000 * m, 50_050 * m) for m in (1, 2, 3)]
    with app.test_request_context():
        svg = charts.income_expenses_svg(rows, currency="USD", locale="es_EC")
    assert svg.startswith("<svg") and "<script" not in svg.lower() and "javascript:" not in svg.lower()
    assert outside_urls(svg) == []
    assert "<!--" not in svg  # pygal's comments carry its web address
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"ene", "feb", "mar"} <= set(labels)  # months in Spanish
    assert "$1.000" in labels  # an axis amount written the Ecuadorian way
    assert "$1.501,50" in svg  # a bar's exact value, for its tooltip


def test_fund_line_is_an_image_pages_and_pdfs_can_both_show(app):
    points = [(dt.date(2025 + (m > 12), (m - 1) % 12 + 1, 1), 1_000_000 + 10_000 * m) for m in range(7, 19)]
    with app.test_request_context(headers={"Accept-Language": "en"}):  # an English reader: title and months
        markup = charts.fund_balance_chart(points, currency="USD", locale="en")
    match = re.fullmatch(r'<img class="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"'
                         r' width="\d+" height="\d+">', str(markup))
    assert match and match.group(2) == "Balance of the construction fund by month"
    svg = base64.b64decode(match.group(1)).decode()
    assert "<script" not in svg and outside_urls(svg) == []
    assert "Dec 25" in svg and "Jan 26" in svg  # two years shown: the year is in the label


def test_a_chart_without_figures_still_draws(app):
    with app.test_request_context():
        svg = charts.income_expenses_svg([], currency="USD", locale="es")
    assert svg.startswith("<svg") and "<script" not in svg
