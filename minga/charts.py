"""Minga's chart: hours worked per commission by month, stacked bars drawn as SVG by pygal.

Drawn the way the books draw theirs (``ledger.charts``): a standalone SVG without scripts, sent
as an image, wide for desktops and print and narrow for phones (a ``<picture>``). Each
commission keeps one colour; the legend under the chart names them.
"""
from __future__ import annotations

import pygal
from babel.numbers import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from ledger.charts import (NARROW, WIDE, Size, as_image, as_picture, chart_style, label_every, legend_columns,
                           month_labels, plot_width, scale_marks, shown_months, svg_text)
from minga.reports import HoursTable

#: one colour per commission, in the order the legend lists them (then again from the first)
COLOURS = ("#2f6b4f", "#c0603a", "#3a6ea5", "#b08a1e", "#7a4f9a", "#2d8a8a", "#9a3f5c", "#5b6b63")


def hours_svg(table: HoursTable, *, locale: str = "es", size: Size = WIDE) -> str:
    """Stacked bars of hours by month, one series (and colour) per commission."""
    def hours(value: float) -> str:
        return f"{format_decimal(round(value, 2), format='#,##0.##', locale=locale)} h"

    stacks = [table.month_total(month) / 60 for month in table.months]
    marks = scale_marks(stacks, from_zero=True)
    labels = month_labels(table.months, locale)
    every = label_every(labels, plot_width(size, marks, hours), size.font, slots=len(labels))
    # without a series pygal draws its "no data" text, and fails on a scale given to it
    scale = {"y_labels": marks, "range": (marks[0], marks[-1])} if table.commissions else {}
    chart = pygal.StackedBar(
        js=[], style=chart_style(size, COLOURS), width=size.width, height=size.height, explicit_size=False,
        disable_xml_declaration=True, legend_at_bottom=True,
        legend_at_bottom_columns=legend_columns([name for _id, name in table.commissions], size),
        truncate_label=-1, truncate_legend=-1, margin_bottom=size.legend + 16, formatter=hours,
        value_formatter=hours, no_data_text=_("No hours recorded yet"), **scale,
        **shown_months(table.months, labels, every))
    chart.x_labels = labels
    for commission_id, name in table.commissions:
        chart.add(name, [table.of(commission_id, month) / 60 for month in table.months])
    return svg_text(chart)


def hours_chart(table: HoursTable, *, locale: str = "es", small_screens: bool = False) -> Markup:
    """The hours chart, ready for a PDF, or with ``small_screens`` for a page."""
    alt = _("Hours worked per commission by month")
    wide = hours_svg(table, locale=locale)
    if not small_screens:
        return as_image(wide, alt)
    return as_picture(wide, hours_svg(table, locale=locale, size=NARROW), alt)
