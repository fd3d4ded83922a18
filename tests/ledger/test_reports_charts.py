"""The charts are self-contained SVG: no script, nothing fetched, amounts and months in the reader's words."""
from __future__ import annotations

import base64
import datetime as dt
import itertools
import re

import pytest

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


# --- readable at every size: the scale holds every bar, month labels never run into each other -----------

#: the width of a label's character, as a share of its font size: DejaVu Sans averages a little
#: above one half for lower-case letters and digits
CHARACTER = 0.55


def demo_year() -> list[MonthTotals]:
    """A year like the demo's: January's income (annual fees) about twice any other month's."""
    return [MonthTotals(dt.date(2026, m, 1), 1_398_500 if m == 1 else 677_500, 84_536) for m in range(1, 13)]


def two_years_of_fund() -> list[tuple[dt.date, int]]:
    return [(dt.date(2025 + (m > 12), (m - 1) % 12 + 1, 1), 10_000_000 + 150_000 * m) for m in range(1, 25)]


def axis_group(svg: str, axis: str) -> str:
    start = svg.index(f'<g class="axis {axis}')
    return svg[start:svg.index('<g class="axis', start + 1) if axis == "y" else svg.index("</g></g><g", start)]


def y_marks(svg: str) -> list[tuple[float, float]]:
    """(amount, height in the drawing) of each mark of the y axis."""
    marks = re.findall(r'<path d="M0\.0+ ([\d.]+) h[\d.]+"[^>]*/><text[^>]*>\$([\d.]+)</text>', axis_group(svg, "y"))
    return [(float(amount.replace(".", "")), float(y)) for y, amount in marks]


def x_labels(svg: str) -> list[tuple[float, str]]:
    """(position, text) of each month label shown under the chart."""
    labels = re.findall(r'<text x="([\d.]+)"[^>]*>([^<]+)</text>', axis_group(svg, "x"))
    return sorted((float(x), text) for x, text in labels)


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW], ids=["desktop", "phone"])
def test_the_scale_reaches_above_the_tallest_bar(app, size):
    rows = demo_year()
    with app.test_request_context():
        svg = charts.income_expenses_svg(rows, currency="USD", locale="es_EC", size=size)
    marks = y_marks(svg)
    assert max(amount for amount, _y in marks) >= 13_985  # January's $13.985,00 is under the top mark
    top = min(y for _amount, y in marks)
    bars = [float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"[^>]*class="rect reactive', svg)]
    assert len(bars) == 24 and min(bars) >= top - 0.5  # no bar is drawn above the top line of the scale


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW], ids=["desktop", "phone"])
@pytest.mark.parametrize("chart", ["fund", "bars"])
def test_no_month_label_runs_into_the_next(app, size, chart):
    with app.test_request_context():
        if chart == "fund":
            svg = charts.fund_balance_svg(two_years_of_fund(), currency="USD", locale="es_EC", size=size)
        else:
            svg = charts.income_expenses_svg(demo_year(), currency="USD", locale="es_EC", size=size)
    labels = x_labels(svg)
    assert len(labels) >= 2
    for (x, text), (next_x, next_text) in itertools.pairwise(labels):
        needed = (len(text) + len(next_text)) / 2 * size.font * CHARACTER
        assert next_x - x >= needed, f"{text!r} and {next_text!r} overlap"
    if chart == "fund":  # the shown months fall on the same months every year, with the year written
        assert {text.split()[0] for _x, text in labels} <= {"ene", "abr", "jul", "oct"}
        assert any(text.endswith("26") for _x, text in labels)


def test_scale_marks_enclose_every_value_in_round_steps():
    assert charts.scale_marks([13_985, 6_775, 845], from_zero=True) == [0, 5_000, 10_000, 15_000]
    assert charts.scale_marks([100_150, 135_500], from_zero=False) == [100_000, 110_000, 120_000, 130_000, 140_000]
    assert charts.scale_marks([-37.5, 12], from_zero=True) == [-40, -30, -20, -10, 0, 10, 20]
    assert charts.scale_marks([], from_zero=True) == [0, 1, 2, 3, 4, 5]  # nothing yet: still a scale
    assert charts.scale_marks([0, 0, 0], from_zero=True) == [0, 1, 2, 3, 4, 5]


def test_a_page_gets_a_drawing_for_phones_and_a_pdf_only_the_wide_one(app):
    with app.test_request_context():
        page = str(charts.income_expenses_chart(demo_year(), currency="USD", locale="es_EC", small_screens=True))
        printed = str(charts.income_expenses_chart(demo_year(), currency="USD", locale="es_EC"))
    assert re.fullmatch(r'<picture><source media="\(max-width: 40rem\)" srcset="data:image/svg\+xml;base64,[^"]+"'
                        r' width="400" height="340"><img class="chart" [^>]+></picture>', page)
    assert printed.startswith('<img class="chart"') and "<picture" not in printed


def test_a_legend_never_cuts_a_name_and_shares_its_rows_evenly():
    four = ["Ingresos presupuestados", "Ingresos recibidos", "Gastos presupuestados", "Gastos realizados"]
    assert charts.legend_columns(four, charts.WIDE) == 2  # two rows of two, not three and one
    assert charts.legend_columns(four, charts.NARROW) == 1  # a phone: one long name a row
    assert charts.legend_columns(["Votado", "Gastado"], charts.WIDE) == 3
    assert charts.legend_columns([f"Comisión {n}" for n in range(8)], charts.WIDE) == 3
