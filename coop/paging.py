"""Paged lists: one page of a query or of rows already read, and how many rows there are in all.

Services page their lists through these so that every list counts its pages the same way: pages
are numbered from 1 and a number below 1 is the first page. The page number comes from
``coop.pages.page_number`` and the links between pages from the ``pager`` macro
(``templates/macros.html``), which keeps the reader's filters.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so

Row = TypeVar("Row")
Query = TypeVar("Query", bound=sa.Select)


def first_row(page: int, per_page: int) -> int:
    """How many rows come before page ``page`` (the query's OFFSET)."""
    return (max(page, 1) - 1) * per_page


def one_page(query: Query, page: int, per_page: int) -> Query:
    """``query`` cut to page ``page`` of ``per_page`` rows (give it its ORDER BY: a page needs one)."""
    return query.limit(per_page).offset(first_row(page, per_page))


def page_of(rows: Sequence[Row], page: int, per_page: int) -> Sequence[Row]:
    """Page ``page`` of rows already in memory."""
    start = first_row(page, per_page)
    return rows[start:start + per_page]


def count_of(session: so.Session, query: sa.Select) -> int:
    """How many rows ``query`` returns (its ORDER BY is left out of the count)."""
    return session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
