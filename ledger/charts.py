"""The books' charts, drawn on the server by pygal as SVG, for pages and PDFs alike.

A chart is a small SVG document with its own stylesheet and no script: pygal's configuration
script and its comments (which carry pygal's web addresses) are removed from the tree before it
is written. Pages send it as an ``<img>`` with a ``data:`` URI rather than inline: the site's
Content-Security-Policy (``style-src 'self'``) would switch off an inline SVG's stylesheet, while
an image keeps its own, and WeasyPrint draws such an image in PDFs (``coop.pdf`` loads ``data:``).
Month labels and amounts are written in the reader's language and the co-op's currency.
"""
from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from flask_babel import gettext as _
from markupsafe import Markup, escape
from pygal.etree import etree
from pygal.style import Style

from coop.money import Money, format_money


@dataclass(frozen=True)
class Size:
    """A chart's drawing size and type sizes, in SVG pixels before the page scales the image."""

    width: int
    height: int
    font: int  # axis labels
    legend: int


#: desktops and print: a wide chart, drawn at about the size it is shown
WIDE = Size(720, 340, 13, 14)
#: phones: the same figures drawn narrower, taller and with larger type, so that once the image
#: is scaled to a 300 px wide card its labels are still about 12 px high
NARROW = Size(400, 340, 16, 16)
WIDTH, HEIGHT = WIDE.width, WIDE.height
#: the media query under which a page shows the narrow drawing (the stylesheet's phone width)
NARROW_MEDIA = "(max-width: 40rem)"
#: a label's width per character of text, as a share of its font size (DejaVu Sans, a little generous)
CHAR_WIDTH = 0.62
#: room left of the plot for the amounts of the y axis and their tick, and right of it, in pixels
Y_AXIS_ROOM, RIGHT_ROOM = 20, 20


#: the series' colours, in the order they are added (a chart may bring its own)
COLOURS = ("#2f6b4f", "#c0603a", "#3a6ea5")


def chart_style(size: Size, colours: Sequence[str] = COLOURS) -> Style:
    """The co-op's charts' look: white, dark green type, DejaVu Sans at ``size``'s type sizes."""
    return Style(background="#ffffff", plot_background="#ffffff", foreground="#1d2a24",
                 foreground_strong="#1d2a24", foreground_subtle="#5b6b63", opacity=".9", opacity_hover="1",
                 colors=tuple(colours), font_family="DejaVu Sans, Liberation Sans, sans-serif",
                 label_font_size=size.font, major_label_font_size=size.font, legend_font_size=size.legend,
                 value_font_size=12, title_font_size=16, tooltip_font_size=12)


def _amount_labels(currency: str, locale: str):
    digits = Money(0, currency).digits

    whole = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0].replace(".00", "")

    def axis(value: float) -> str:  # the y axis: whole units ("$1.200")
        return format_currency(round(value), currency, format=whole, locale=locale, currency_digits=False)

    def exact(value: float) -> str:  # a bar's or point's own value: to the cent
        return format_money(Money(round(value * 10**digits), currency), locale)

    return axis, exact, 10**digits


def scale_marks(values: Sequence[float], *, from_zero: bool, about: int = 6) -> list[float]:
    """Round amounts for the y axis, from at or below the smallest value to at or above the largest.

    pygal's own marks may stop short of the largest value, and a bar then rises above the top of
    the scale; these always enclose every value, in steps of 1, 2, 2.5 or 5 times a power of ten.
    """
    low, high = min(values, default=0.0), max(values, default=0.0)
    if from_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    high = max(high, low + 5)  # a year of zeros still gets a scale: $0 to $5 in whole units
    rough = (high - low) / (about - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = max(1, next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= rough))  # the axis shows whole units
    bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
    return [bottom + i * step for i in range(round((top - bottom) / step) + 1)]


def label_every(labels: Sequence[str], plot_width: float, font: int, *, slots: int) -> int:
    """Show one month label in this many, so that no label runs into the next one.

    ``slots`` is how many equal spaces the labels share (bars: one per month; a line: one less).
    The answer divides a year (1, 2, 3, 4, 6 or 12) so the labels fall on the same months each year.
    """
    if not labels:
        return 1
    need = (max(len(label) for label in labels) + 1.5) * font * CHAR_WIDTH
    room = plot_width / max(slots, 1)
    return next((n for n in (1, 2, 3, 4, 6, 12) if room * n >= need), 12)


def legend_columns(names: Sequence[str], size: Size) -> int:
    """As many legend columns (at most 3) as the longest series name leaves room for: names are never
    cut. Names that take several rows share them evenly (four names: two rows of two)."""
    longest = max((len(name) for name in names), default=10)
    fit = max(1, min(3, int(size.width // (longest * size.legend * CHAR_WIDTH + 2 * size.legend))))
    return fit if len(names) <= fit else math.ceil(len(names) / math.ceil(len(names) / fit))


def _config(locale: str, currency: str, size: Size, marks: list[float], names: Sequence[str],
            colours: Sequence[str] = COLOURS, **options) -> dict:
    axis, exact, _scale = _amount_labels(currency, locale)
    return dict(js=[], style=chart_style(size, colours), width=size.width, height=size.height, explicit_size=False,
                disable_xml_declaration=True, legend_at_bottom=True,
                legend_at_bottom_columns=legend_columns(names, size), truncate_legend=-1,
                truncate_label=-1, y_labels=marks, range=(marks[0], marks[-1]),
                margin_bottom=size.legend + 16,  # pygal's default leaves the legend's descenders outside
                formatter=exact, value_formatter=axis, no_data_text=_("No figures yet"),
                **options)


def plot_width(size: Size, marks: Sequence[float], axis) -> float:
    """The plot's width once the y axis's widest label (``axis(mark)``) and the margins are taken."""
    widest = max((len(axis(m)) for m in marks), default=4)
    return size.width - widest * size.font * CHAR_WIDTH - Y_AXIS_ROOM - RIGHT_ROOM


def month_labels(months: Sequence[dt.date], locale: str) -> list[str]:
    """Short month names ("ene"), with the year ("ene 26") when the months run over two years."""
    many = len({month.year for month in months}) > 1
    return [format_date(month, "MMM yy" if many else "MMM", locale=locale) for month in months]


def shown_months(months: Sequence[dt.date], labels: list[str], every: int) -> dict:
    """pygal options showing only every ``every``-th month's label, counted from January."""
    if every == 1:
        return {"show_minor_x_labels": True}
    return {"show_minor_x_labels": False,
            "x_labels_major": [label for month, label in zip(months, labels) if (month.month - 1) % every == 0]}


def svg_text(chart: pygal.graph.graph.Graph) -> str:
    """The chart as a standalone SVG document without scripts or comments."""
    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return etree.tostring(root, encoding="unicode")


def _data_uri(svg: str) -> Markup:
    return Markup("data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"))


def as_image(svg: str, alt: str) -> Markup:
    """An ``<img>`` showing the SVG from a data: URI; ``alt`` says what the chart shows."""
    return Markup('<img class="chart" src="{}" alt="{}" width="{}" height="{}">').format(
        _data_uri(svg), escape(alt), WIDE.width, WIDE.height)


def as_picture(wide_svg: str, narrow_svg: str, alt: str) -> Markup:
    """The wide drawing for desktops and print, the narrow one on a phone (a ``<picture>``)."""
    return Markup('<picture><source media="{}" srcset="{}" width="{}" height="{}">{}</picture>').format(
        NARROW_MEDIA, _data_uri(narrow_svg), NARROW.width, NARROW.height, as_image(wide_svg, alt))


def month_bars_svg(months: Sequence[dt.date], series: Sequence[tuple[str, Sequence[int]]], *,
                   currency: str = "USD", locale: str = "es", size: Size = WIDE,
                   colours: Sequence[str] = COLOURS) -> str:
    """Bars by month, one colour per series; ``series`` are (label, amounts in minor units per month)."""
    axis, _exact, scale = _amount_labels(currency, locale)
    values = [[amount / scale for amount in amounts] for _label, amounts in series]
    marks = scale_marks([v for column in values for v in column], from_zero=True)
    labels = month_labels(months, locale)
    every = label_every(labels, plot_width(size, marks, axis), size.font, slots=len(labels))
    chart = pygal.Bar(**_config(locale, currency, size, marks, [label for label, _amounts in series], colours,
                                **shown_months(months, labels, every)))
    chart.x_labels = labels
    for (label, _amounts), column in zip(series, values, strict=True):
        chart.add(label, column)
    return svg_text(chart)


def month_bars_chart(months: Sequence[dt.date], series: Sequence[tuple[str, Sequence[int]]], alt: str, *,
                     currency: str = "USD", locale: str = "es", small_screens: bool = False,
                     colours: Sequence[str] = COLOURS) -> Markup:
    """Bars by month, ready for a PDF, or with ``small_screens`` for a page (``alt`` says what they show)."""
    wide = month_bars_svg(months, series, currency=currency, locale=locale, colours=colours)
    if not small_screens:
        return as_image(wide, alt)
    narrow = month_bars_svg(months, series, currency=currency, locale=locale, size=NARROW, colours=colours)
    return as_picture(wide, narrow, alt)


def income_expenses_svg(rows: Sequence, *, currency: str = "USD", locale: str = "es", size: Size = WIDE) -> str:
    """Bars of income and expenses by month; ``rows`` have ``month``, ``income``, ``expenses``."""
    return month_bars_svg([r.month for r in rows], [(_("Income"), [r.income for r in rows]),
                                                     (_("Expenses"), [r.expenses for r in rows])],
                          currency=currency, locale=locale, size=size)


def income_expenses_chart(rows: Sequence, *, currency: str = "USD", locale: str = "es",
                          small_screens: bool = False) -> Markup:
    """The income and expenses bars, ready for a PDF, or with ``small_screens`` for a page."""
    alt = _("Income and expenses by month")
    wide = income_expenses_svg(rows, currency=currency, locale=locale)
    if not small_screens:
        return as_image(wide, alt)
    return as_picture(wide, income_expenses_svg(rows, currency=currency, locale=locale, size=NARROW), alt)


def fund_balance_svg(points: Sequence[tuple[dt.date, int]], *, currency: str = "USD", locale: str = "es",
                     size: Size = WIDE) -> str:
    """A line of the construction fund's balance at the end of each month."""
    axis, _exact, scale = _amount_labels(currency, locale)
    balances = [balance / scale for _month, balance in points]
    marks = scale_marks(balances, from_zero=False)
    months = [month for month, _balance in points]
    labels = month_labels(months, locale)
    every = label_every(labels, plot_width(size, marks, axis), size.font, slots=len(labels) - 1)
    name = _("Fund balance")
    chart = pygal.Line(**_config(locale, currency, size, marks, [name], fill=True, show_dots=len(points) <= 24,
                                 dots_size=3, **shown_months(months, labels, every)))
    chart.x_labels = labels
    chart.add(name, balances)
    return svg_text(chart)


def fund_balance_chart(points: Sequence[tuple[dt.date, int]], *, currency: str = "USD",
                       locale: str = "es", small_screens: bool = False) -> Markup:
    """The fund's balance line, ready for a PDF, or with ``small_screens`` for a page."""
    alt = _("Balance of the construction fund by month")
    wide = fund_balance_svg(points, currency=currency, locale=locale)
    if not small_screens:
        return as_image(wide, alt)
    return as_picture(wide, fund_balance_svg(points, currency=currency, locale=locale, size=NARROW), alt)
