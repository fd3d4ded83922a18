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
from collections.abc import Sequence

import pygal
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from flask_babel import gettext as _
from markupsafe import Markup, escape
from pygal.etree import etree
from pygal.style import Style

from coop.money import Money, format_money

STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1d2a24",
              foreground_strong="#1d2a24", foreground_subtle="#5b6b63", opacity=".9", opacity_hover="1",
              colors=("#2f6b4f", "#c0603a", "#3a6ea5"), font_family="DejaVu Sans, Liberation Sans, sans-serif",
              label_font_size=13, major_label_font_size=13, legend_font_size=14, value_font_size=12,
              title_font_size=16, tooltip_font_size=12)
WIDTH, HEIGHT = 720, 340


def _amount_labels(currency: str, locale: str):
    digits = Money(0, currency).digits

    whole = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0].replace(".00", "")

    def axis(value: float) -> str:  # the y axis: whole units ("$1.200")
        return format_currency(round(value), currency, format=whole, locale=locale, currency_digits=False)

    def exact(value: float) -> str:  # a bar's or point's own value: to the cent
        return format_money(Money(round(value * 10**digits), currency), locale)

    return axis, exact, 10**digits


def _config(locale: str, currency: str, **options) -> dict:
    axis, exact, _scale = _amount_labels(currency, locale)
    return dict(js=[], style=STYLE, width=WIDTH, height=HEIGHT, explicit_size=False,
                disable_xml_declaration=True, legend_at_bottom=True, legend_at_bottom_columns=3,
                show_minor_x_labels=True, truncate_label=-1,
                formatter=exact, value_formatter=axis, no_data_text=_("No figures yet"),
                **options)


def _month_label(month: dt.date, locale: str, many: bool) -> str:
    return format_date(month, "MMM yy" if many else "MMM", locale=locale)


def svg_text(chart: pygal.graph.graph.Graph) -> str:
    """The chart as a standalone SVG document without scripts or comments."""
    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return etree.tostring(root, encoding="unicode")


def as_image(svg: str, alt: str) -> Markup:
    """An ``<img>`` showing the SVG from a data: URI; ``alt`` says what the chart shows."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" src="data:image/svg+xml;base64,{}" alt="{}" width="{}" height="{}">').format(
        Markup(data), escape(alt), WIDTH, HEIGHT)


def income_expenses_svg(rows: Sequence, *, currency: str = "USD", locale: str = "es") -> str:
    """Bars of income and expenses by month; ``rows`` have ``month``, ``income``, ``expenses``."""
    _axis, _exact, scale = _amount_labels(currency, locale)
    chart = pygal.Bar(**_config(locale, currency))
    many = len({r.month.year for r in rows}) > 1
    chart.x_labels = [_month_label(r.month, locale, many) for r in rows]
    chart.add(_("Income"), [r.income / scale for r in rows])
    chart.add(_("Expenses"), [r.expenses / scale for r in rows])
    return svg_text(chart)


def income_expenses_chart(rows: Sequence, *, currency: str = "USD", locale: str = "es") -> Markup:
    """The income and expenses bars, ready for a page or a PDF."""
    return as_image(income_expenses_svg(rows, currency=currency, locale=locale),
                    _("Income and expenses by month"))


def fund_balance_svg(points: Sequence[tuple[dt.date, int]], *, currency: str = "USD", locale: str = "es") -> str:
    """A line of the construction fund's balance at the end of each month."""
    _axis, _exact, scale = _amount_labels(currency, locale)
    chart = pygal.Line(**_config(locale, currency, fill=True, show_dots=len(points) <= 24, dots_size=4))
    many = len({month.year for month, _balance in points}) > 1
    chart.x_labels = [_month_label(month, locale, many) for month, _balance in points]
    chart.add(_("Fund balance"), [balance / scale for _month, balance in points])
    return svg_text(chart)


def fund_balance_chart(points: Sequence[tuple[dt.date, int]], *, currency: str = "USD",
                       locale: str = "es") -> Markup:
    """The fund's balance line, ready for a page or a PDF."""
    return as_image(fund_balance_svg(points, currency=currency, locale=locale),
                    _("Balance of the construction fund by month"))
