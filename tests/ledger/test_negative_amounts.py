"""A negative amount reads one way everywhere, on pages and in printed documents: the minus sign
before the currency sign ("-$37.500,00" in Spanish, "-$37,500.00" in English)."""
from __future__ import annotations

import datetime as dt

from tests.conftest import text_of
from tests.ledger.test_reports import pdf_text


def test_a_loss_on_the_balance_sheet_reads_with_the_minus_sign_first(client, books, post, make_user, login):
    post(books, ("1.1.02", 10_000_000), ("3.3", -10_000_000), entry_date=dt.date(2026, 1, 2), description="Apertura")
    post(books, ("5.2", 3_750_000), ("1.1.02", -3_750_000), entry_date=dt.date(2026, 2, 18), description="Cemento")
    login(client, make_user("tesorera@example.org", coop=books, roles=["treasurer"]))
    url = f"/c/{books.slug}/books/balance-sheet?as_of=2026-03-31"
    page = client.get(url)
    assert page.status_code == 200
    assert "-$37.500,00" in text_of(page) and "$-" not in text_of(page)
    printed = pdf_text(client.get(f"{url}&format=pdf").data)
    assert "-$37.500,00" in printed and "$-" not in printed
