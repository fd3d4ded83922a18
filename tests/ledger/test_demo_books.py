"""The demo co-op's two years of books: sound, believable, and in every state a treasurer meets."""
from __future__ import annotations

import sqlalchemy as sa

from coop import demo
from coop.calendar import today_in
from coop.tenancy import Coop
from ledger import reports, statements
from ledger.models import (Budget, Charge, ClosedPeriod, DuesRun, EntrySource, Expense, ExpenseStatus,
                           JournalEntry, Payment, PaymentKind)
from tests.conftest import log_in, text_of


def test_the_demo_books_hold_two_years_that_verify_with_arrears_expenses_and_budgets(demo_db, demo_client):
    coop = demo_db.scalar(sa.select(Coop).where(Coop.is_demo.is_(True)))

    assert reports.verify_ledger(demo_db, coop) == []
    assert sum(row.balance for row in reports.trial_balance(demo_db, coop)) == 0
    sources = dict(demo_db.execute(sa.select(JournalEntry.source, sa.func.count())
                                   .where(JournalEntry.coop_id == coop.id).group_by(JournalEntry.source)).all())
    assert sources[EntrySource.OPENING] == 1 and sources[EntrySource.REVERSAL] == 1
    assert sources[EntrySource.DUES] > 24 * 200 and sources[EntrySource.PAYMENT] > 2000
    assert sources[EntrySource.SHARE_CAPITAL] > 50 and sources[EntrySource.EXPENSE] > 40

    # monthly dues for two years, and a yearly household plan
    runs = demo_db.scalar(sa.select(sa.func.count()).select_from(DuesRun).where(DuesRun.coop_id == coop.id))
    assert runs >= 25 + 2
    # receipts numbered without gaps; one voided by mistake
    numbers = demo_db.scalars(sa.select(Payment.receipt_number).where(Payment.coop_id == coop.id)
                              .order_by(Payment.receipt_number)).all()
    assert numbers == list(range(1, len(numbers) + 1))
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(Payment).where(
        Payment.coop_id == coop.id, Payment.voided_dt.is_not(None))) == 1
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(Payment).where(
        Payment.coop_id == coop.id, Payment.kind == PaymentKind.SHARE_CAPITAL)) > 50

    # most members are up to date, some are behind, a few far behind
    today = today_in(coop)
    aging = statements.arrears_aging(demo_db, coop, today, min_days=1)
    assert 10 <= len(aging.rows) <= 150
    assert aging.totals.days_90 > 0 and aging.total_overdue > 0
    open_charges = demo_db.scalar(sa.select(sa.func.count()).select_from(Charge).where(
        Charge.coop_id == coop.id, Charge.settled_minor < Charge.amount_minor))
    all_charges = demo_db.scalar(sa.select(sa.func.count()).select_from(Charge).where(Charge.coop_id == coop.id))
    assert open_charges < all_charges * 0.2

    # expenses in every state, budgets approved, old months closed
    states = set(demo_db.scalars(sa.select(Expense.status).where(Expense.coop_id == coop.id)))
    assert {ExpenseStatus.PAID, ExpenseStatus.PENDING} <= states
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(Budget).where(
        Budget.coop_id == coop.id, Budget.approved_dt.is_not(None))) == 2
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(ClosedPeriod)
                          .where(ClosedPeriod.coop_id == coop.id)) >= 20

    # the demo member reads her own statement; the treasurer the overview
    assert log_in(demo_client, "socia@quebrada-verde.example", demo.DEMO_PASSWORD).status_code == 302
    page = demo_client.get(f"/c/{coop.slug}/books/me/statement")
    assert page.status_code == 200
    assert "Ana Toapanta" in text_of(page)
