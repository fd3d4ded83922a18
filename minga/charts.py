"""Minga's chart: hours worked per commission by month, stacked bars drawn as SVG by pygal.

Drawn the way the books draw theirs (``ledger.charts``): a standalone SVG without scripts, sent
as an image, wide for desktops and print and narrow for phones (a ``<picture>``). Each
commission keeps one colour. In a PDF the legend is drawn under the bars; a page draws the bars
alone and names the colours in its own text (``legend``), because a co-op with eight or more
commissions would fill a phone's drawing with one long column of names too small to read and
leave the bars a thin strip, while text wraps and keeps the reader's type size on any screen.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygal
from babel.numbers import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.colors import lighten

from ledger.charts import (NARROW, WIDE, Size, as_image, as_picture, chart_style, label_every, legend_columns,
                           month_labels, plot_width, scale_marks, shown_months, svg_text)
from minga.reports import HoursTable

#: one colour per commission, in the order the legend lists them (then again, a shade lighter)
COLOURS = ("#2f6b4f", "#c0603a", "#3a6ea5", "#b08a1e", "#7a4f9a", "#2d8a8a", "#9a3f5c", "#5b6b63")


@dataclass(frozen=True)
class LegendEntry:
    """A commission as the legend of a page names it, with the colour of its bars."""

    commission_id: int
    name: str
    colour: str


def colours(count: int) -> list[str]:
    """A colour for each of ``count`` commissions: the palette, then again a shade lighter each round."""
    return [lighten(COLOURS[n % len(COLOURS)], 18 * (n // len(COLOURS))) for n in range(count)]


def legend(table: HoursTable) -> list[LegendEntry]:
    """The commissions of the chart with their colours, in the order of its bars."""
    return [LegendEntry(commission_id, name, colour)
            for (commission_id, name), colour in zip(table.commissions, colours(len(table.commissions)))]


def hours_svg(table: HoursTable, *, locale: str = "es", size: Size = WIDE, with_legend: bool = True) -> str:
    """Stacked bars of hours by month, one series (and colour) per commission; ``with_legend``
    names the commissions under the bars (a page names them in its text instead)."""
    def hours(value: float) -> str:
        return f"{format_decimal(round(value, 2), format='#,##0.##', locale=locale)} h"

    stacks = [table.month_total(month) / 60 for month in table.months]
    marks = scale_marks(stacks, from_zero=True)
    labels = month_labels(table.months, locale)
    every = label_every(labels, plot_width(size, marks, hours), size.font, slots=len(labels))
    # without a series pygal draws its "no data" text, and fails on a scale given to it
    scale = {"y_labels": marks, "range": (marks[0], marks[-1])} if table.commissions else {}
    drawn_legend = ({"legend_at_bottom": True, "truncate_legend": -1, "margin_bottom": size.legend + 16,
                     "legend_at_bottom_columns": legend_columns([name for _id, name in table.commissions], size)}
                    if with_legend else {"show_legend": False})
    chart = pygal.StackedBar(
        js=[], style=chart_style(size, tuple(colours(max(len(table.commissions), 1)))), width=size.width,
        height=size.height, explicit_size=False, disable_xml_declaration=True, truncate_label=-1, formatter=hours,
        value_formatter=hours, no_data_text=_("No hours recorded yet"), **drawn_legend, **scale,
        **shown_months(table.months, labels, every))
    chart.x_labels = labels
    for commission_id, name in table.commissions:
        chart.add(name, [table.of(commission_id, month) / 60 for month in table.months])
    return svg_text(chart)


def hours_chart(table: HoursTable, *, locale: str = "es", small_screens: bool = False) -> Markup:
    """The hours chart, ready for a PDF with its legend, or with ``small_screens`` for a page: a
    narrow drawing for phones, and neither with a legend (the page shows ``legend`` as text)."""
    alt = _("Hours worked per commission by month")
    if not small_screens:
        return as_image(hours_svg(table, locale=locale), alt)
    return as_picture(hours_svg(table, locale=locale, with_legend=False),
                      hours_svg(table, locale=locale, size=NARROW, with_legend=False), alt)
