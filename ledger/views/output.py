"""What every report of the books shares: one page, its PDF and its CSV, and the period asked for.

A report view reads ``report_format()`` ("html", "pdf" or "csv"), builds its rows once, and
answers with ``render_template``, ``pdf_download`` or ``csv_download``; a PDF that can take more
than about a second is instead a background document (``ledger.documents``), asked for with a
POST and never rendered in the request. ``period_from_args``
reads ``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (defaults: the current fiscal year to today) and
gives back the problems for the form instead of failing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Response
from flask_babel import lazy_gettext as _l

from coop import calendar
from coop.money import Money
from coop.pages import query_choice, query_date, query_given
from coop.pdf import pdf_response, render_pdf
from coop.spreadsheets import csv_chunks

FORMATS = ("html", "pdf", "csv")


def report_format() -> str:
    return query_choice("format", FORMATS, "html")


def csv_download(filename: str, header: list[str], rows: Iterable[list[object]]) -> Response:
    """A streamed CSV (UTF-8 with BOM, formulas defused) offered as a download."""
    response = Response(csv_chunks(header, rows), mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_download(template: str, filename: str, **context) -> Response:
    """A report rendered to PDF through coop.pdf, shown in the browser."""
    return pdf_response(render_pdf(template, **context), filename)


def amount(minor: int, currency: str) -> str:
    """An exact decimal for CSV cells ("1234.50"), whatever the page's locale."""
    return str(Money(int(minor), currency).to_decimal())


@dataclass
class Period:
    start: dt.date
    end: dt.date
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, params: dict) -> Period:
        """The period a document's parameters name (``period_params``)."""
        return cls(dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"]))


def period_params(period: Period) -> dict:
    """A period as a document's parameters: the dates the page showed."""
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _date_arg(name: str, default: dt.date, errors: dict[str, str]) -> dt.date:
    if not query_given(name):
        return default
    value = query_date(name)
    if value is None:
        errors[name] = str(_l("Write the date as year-month-day, such as 2026-03-31."))
        return default
    return value


def period_from_args(coop) -> Period:
    """The period a report covers, from the query string; bad dates fall back with a message."""
    today = calendar.today_in(coop)
    errors: dict[str, str] = {}
    start = _date_arg("start", calendar.fiscal_year_start(coop, today), errors)
    end = _date_arg("end", today, errors)
    if start > end:
        errors["end"] = str(_l("The end comes after the start."))
        end = start
    return Period(start, end, errors)


def as_of_from_args(coop, name: str = "as_of") -> Period:
    """A single date (balance sheet, arrears), as a period starting on that day."""
    errors: dict[str, str] = {}
    day = _date_arg(name, calendar.today_in(coop), errors)
    return Period(day, day, errors)
