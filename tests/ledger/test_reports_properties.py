"""For any balanced entries: the balance sheet balances, and the period's result in the income
statement is exactly how much equity grew (when no entry touches equity directly)."""
from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import reports, services
from ledger.services import PostingLine
from tests.ledger.conftest import account

#: asset, liability, income and expense accounts (no equity: its direct movements are not a result)
CODES = ("1.1.01", "1.1.02", "1.2.02", "2.1", "2.3", "4.1", "4.3", "5.1", "5.4")
amounts = st.integers(min_value=-10**9, max_value=10**9).filter(bool)
days = st.dates(min_value=dt.date(2025, 11, 1), max_value=dt.date(2026, 4, 30))


@st.composite
def entries(draw):
    lines = draw(st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=4))
    rest = -sum(amount for _, amount in lines)
    if rest:
        lines.append((draw(st.sampled_from(CODES)), rest))
    return draw(days), lines


slugs = (f"prop{n}" for n in itertools.count())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(entries(), min_size=1, max_size=6), start=days, length=st.integers(0, 120))
def test_result_of_a_period_equals_the_change_in_equity(db, make_coop, batch, start, length):
    coop = make_coop(next(slugs))
    db.rollback()
    coop = db.merge(coop)
    services.install_chart(db, None, coop)
    # a start with money and equity, before any period hypothesis picks
    services.post_entry(db, None, coop, entry_date=dt.date(2025, 10, 1), description="Apertura",
                        postings=[PostingLine(account(db, coop, "1.1.02"), 500_000),
                                  PostingLine(account(db, coop, "3.3"), -500_000)])
    for day, lines in batch:
        services.post_entry(db, None, coop, entry_date=day, description="Movimiento",
                            postings=[PostingLine(account(db, coop, c), a) for c, a in lines])
    db.flush()
    end = start + dt.timedelta(days=length)
    before = reports.balance_sheet(db, coop, start - dt.timedelta(days=1))
    after = reports.balance_sheet(db, coop, end)
    assert before.is_balanced and after.is_balanced
    assert after.equity_total - before.equity_total == reports.income_statement(db, coop, start, end).result
    db.rollback()
