"""On a phone a table becomes one card per row, and every figure in it keeps its column's name.

A stacked table (``table.stack``) hides its heading row on narrow screens; each of its cells
therefore carries the heading as ``data-label`` (the stylesheet writes it before the value), or is
the row's title, ``<th scope="row">``. These tests read the demo's busiest pages as each officer
or member does and check every stacked cell against the heading of its column: "Debe $x" and
"Haber $y", never four unnamed amounts. A table too wide to stack scrolls inside a region a
keyboard can reach and a screen reader can name.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import url_for

from coop import demo
from members.models import Member
from tests.conftest import log_in

SECRETARY = "secretaria@quebrada-verde.example"
TREASURER = "tesoreria@quebrada-verde.example"
MEMBER = "socia@quebrada-verde.example"


class Tables(HTMLParser):
    """Every table of a page: its class, column headings and the cells of its body and foot rows."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self._open: list[dict] = []  # tables being read, innermost last
        self._cell: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            table = {"classes": (attrs.get("class") or "").split(), "headings": [], "rows": [], "section": "tbody"}
            self.tables.append(table)
            self._open.append(table)
        if not self._open:
            return
        table = self._open[-1]
        if tag in ("thead", "tbody", "tfoot"):
            table["section"] = tag
        elif tag == "tr" and table["section"] != "thead":
            table["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = {"tag": tag, "attrs": attrs, "text": "", "span": int(attrs.get("colspan") or 1)}
            if table["section"] == "thead":
                table["headings"].append(self._cell)
            else:
                table["rows"][-1].append(self._cell)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "table" and self._open:
            self._open.pop()


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def unlabelled_cells(table: dict) -> list[str]:
    """The stacked cells that do not say which column they are in, or say the wrong one."""
    headings = []
    for heading in table["headings"]:
        headings += [words(heading["text"])] * heading["span"]
    problems = []
    for row in table["rows"]:
        column = 0
        for cell in row:
            label = cell["attrs"].get("data-label")
            if cell["tag"] == "th" and cell["attrs"].get("scope") != "row":
                problems.append(f"a title cell without scope=row: {words(cell['text'])!r}")
            elif cell["tag"] == "td" and label is None:
                problems.append(f"no data-label in column {headings[column:column + 1]}: {words(cell['text'])!r}")
            elif cell["tag"] == "td" and label and label != headings[column]:
                problems.append(f"data-label {label!r} under the heading {headings[column]!r}")
            column += cell["span"]
    return problems


def ana_toapanta(db) -> Member:
    return db.scalars(sa.select(Member).where(Member.given_names.like("Ana%"),
                                              Member.family_names.like("Toapanta%"),
                                              Member.user_id.is_not(None))).one()


#: (page, who reads it, endpoint, URL values from the demo member)
PAGES = [
    ("trial balance", TREASURER, "ledger.trial_balance", lambda m: {}),
    ("own statement", MEMBER, "ledger.my_statement", lambda m: {}),
    ("member statement", TREASURER, "ledger.member_statement", lambda m: {"member_id": m.id}),
    ("arrears", TREASURER, "ledger.arrears", lambda m: {}),
    ("finances overview", MEMBER, "ledger.home", lambda m: {}),
    ("journal", TREASURER, "ledger.journal", lambda m: {}),
    ("payments", TREASURER, "ledger.payments", lambda m: {}),
    ("chart of accounts", TREASURER, "ledger.accounts", lambda m: {}),
    ("households", SECRETARY, "members.households", lambda m: {}),
    ("directory", SECRETARY, "members.directory", lambda m: {}),
    ("member page", SECRETARY, "members.member", lambda m: {"number": m.number}),
]


@pytest.mark.parametrize("page, reader, endpoint, values", PAGES, ids=[page[0] for page in PAGES])
def test_every_stacked_cell_names_its_column(demo_app, demo_db, demo_client, page, reader, endpoint, values):
    with demo_app.test_request_context():
        address = url_for(endpoint, coop_slug=demo.DEMO_SLUG, **values(ana_toapanta(demo_db)))
    assert log_in(demo_client, reader, demo.DEMO_PASSWORD).status_code == 302
    response = demo_client.get(address)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    stacked = [table for table in Tables(html).tables if "stack" in table["classes"]]
    assert stacked, f"the {page} has no stacked table"
    assert all(table["rows"] for table in stacked)
    for table in stacked:
        assert unlabelled_cells(table) == [], page
    assert 'class="table-wrap"' not in html  # stacked: nothing scrolls sideways


def test_the_trial_balance_names_each_amount_of_an_account(demo_app, demo_db, demo_client):
    assert log_in(demo_client, TREASURER, demo.DEMO_PASSWORD).status_code == 302
    html = demo_client.get(f"/c/{demo.DEMO_SLUG}/books/trial-balance").get_data(as_text=True)
    table = next(t for t in Tables(html).tables if "stack" in t["classes"])
    cash = next(row for row in table["rows"] if words(row[0]["text"]).startswith("1.1.01"))
    assert [cell["attrs"].get("data-label") for cell in cash] == [
        None, "Saldo inicial", "Debe", "Haber", "Saldo final"]
    assert cash[0]["tag"] == "th" and cash[0]["attrs"]["scope"] == "row"  # the account is the card's title


def test_a_table_too_wide_to_stack_scrolls_in_a_named_region_the_keyboard_reaches(demo_app, demo_client):
    assert log_in(demo_client, TREASURER, demo.DEMO_PASSWORD).status_code == 302
    html = demo_client.get(f"/c/{demo.DEMO_SLUG}/books/budget-vs-actual").get_data(as_text=True)
    regions = re.findall(r'<div class="table-wrap"([^>]*)>', html)
    assert regions
    for attributes in regions:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes
        assert re.search(r'aria-label="[^"]+"', attributes)


def test_wide_reports_use_the_width_of_a_desktop_screen(demo_app, demo_client):
    assert log_in(demo_client, TREASURER, demo.DEMO_PASSWORD).status_code == 302
    assert '<main id="main" class="wide">' in demo_client.get(f"/c/{demo.DEMO_SLUG}/books/arrears").get_data(
        as_text=True)
    assert '<main id="main">' in demo_client.get(f"/c/{demo.DEMO_SLUG}/books/").get_data(as_text=True)
