"""``flask --app wsgi ledger verify`` and ``ledger trial-balance`` for the treasurer's terminal."""
from __future__ import annotations

import datetime as dt

from tests.ledger.test_integrity import insert_forged_entry


def test_verify_says_a_sound_ledger_is_sound(app, books, post):
    post(books, ("1.1.02", 4000), ("4.1", -4000))
    result = app.test_cli_runner().invoke(args=["ledger", "verify", "--coop", "quebrada"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Ledger of quebrada: 1 entries, sound"


def test_verify_lists_each_problem_and_fails(app, db, books, post):
    first = post(books, ("1.1.02", 4000), ("4.1", -4000))
    insert_forged_entry(db, books, number=2, prev_hash=first.hash)
    result = app.test_cli_runner().invoke(args=["ledger", "verify", "--coop", "quebrada"])
    assert result.exit_code == 1
    *problems, summary = result.output.strip().splitlines()
    assert len(problems) == 1  # the forged entry's hash (worded in the co-op's language)
    assert summary == "Ledger of quebrada: 2 entries, 1 problems"


def test_verify_of_an_unknown_coop_fails(app):
    result = app.test_cli_runner().invoke(args=["ledger", "verify", "--coop", "nadie"])
    assert result.exit_code == 1 and "nadie" in result.output


def test_trial_balance_prints_csv_with_exact_amounts_and_a_total(app, books, post):
    post(books, ("1.1.02", 4000), ("4.1", -4000), entry_date=dt.date(2026, 1, 5))
    post(books, ("5.3", 1234), ("1.1.02", -1234), entry_date=dt.date(2026, 2, 5))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ledger", "trial-balance", "--coop", "quebrada", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "code,name,type,debit,credit,balance",
        "1.1.02,Bancos,asset,40.00,12.34,27.66",
        "4.1,Aportes ordinarios,income,0.00,40.00,-40.00",
        "5.3,Mantenimiento,expense,12.34,0.00,12.34",
        ",TOTAL,,52.34,52.34,0.00",
    ]
    january = runner.invoke(args=["ledger", "trial-balance", "--coop", "quebrada", "--as-of", "2026-01-31"])
    assert january.exit_code == 0, january.output
    assert "Bancos" in january.output and "Mantenimiento" not in january.output and "TOTAL" in january.output
