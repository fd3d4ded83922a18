"""What each member owes: Rosa's statement of account carries her balance across a period, shows
what was cancelled as cancelled, always agrees with the books, and the treasurer's arrears
report ages what is still open in 30-day buckets."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import reports, services, statements
from members import services as member_services
from members.models import Member
from tests.ledger.statement_factories import RECEIVABLE_CODE, add_charge, add_payment, void_payment

D = dt.date


@pytest.fixture
def rosa(db, books, make_member):
    member = make_member(books, given_names="Rosa", family_names="Pilataxi Guamán")
    db.rollback()
    return db.get(Member, member.id)


def test_statement_carries_the_balance_from_before_the_period_and_runs_it_line_by_line(db, books, rosa):
    add_charge(db, books, rosa, 4_000, due=D(2026, 1, 10), description="Aporte de enero")
    add_charge(db, books, rosa, 4_000, due=D(2026, 2, 10), description="Aporte de febrero")
    add_payment(db, books, rosa, 5_000, on=D(2026, 2, 20), reference="DEP-991")
    add_charge(db, books, rosa, 4_000, due=D(2026, 3, 10), description="Aporte de marzo")
    add_charge(db, books, rosa, 4_000, due=D(2026, 4, 10), description="Aporte de abril")
    db.commit()

    statement = statements.member_statement(db, books, rosa, D(2026, 2, 1), D(2026, 3, 31))

    assert statement.opening == 4_000  # January, before the period
    assert [(line.description, line.charge, line.payment, line.balance) for line in statement.lines] == [
        ("Aporte de febrero", 4_000, 0, 8_000),
        ("Pago de Rosa Pilataxi Guamán", 0, 5_000, 3_000),
        ("Aporte de marzo", 4_000, 0, 7_000)]
    assert statement.lines[1].reference == "DEP-991"
    assert (statement.total_charges, statement.total_payments, statement.closing) == (8_000, 5_000, 7_000)
    assert statement.closing == statements.member_balance(db, books, rosa.id, D(2026, 3, 31))
    assert statements.member_balance(db, books, rosa.id) == 11_000  # April too
    empty = statements.member_statement(db, books, rosa, D(2025, 1, 1), D(2025, 12, 31))
    assert (empty.opening, empty.lines, empty.closing) == (0, [], 0)


def test_a_cancelled_charge_and_a_voided_payment_show_as_such_and_leave_nothing_owed(db, books, rosa):
    wrong = add_charge(db, books, rosa, 9_900, due=D(2026, 3, 1), description="Multa por error")
    payment = add_payment(db, books, rosa, 2_000, on=D(2026, 3, 5))
    db.flush()
    reversal = services.reverse_entry(db, None, books, wrong.entry, entry_date=D(2026, 3, 6),
                                      reason="La multa no correspondía")
    void_payment(db, books, payment, on=D(2026, 3, 7))
    db.commit()

    lines = statements.member_statement(db, books, rosa, D(2026, 3, 1), D(2026, 3, 31)).lines

    assert [(line.charge, line.payment, line.balance) for line in lines] == [
        (9_900, 0, 9_900), (0, 2_000, 7_900), (0, 9_900, -2_000), (2_000, 0, 0)]
    assert lines[0].is_reversed and lines[0].reversed_by_number == reversal.number
    assert lines[2].is_reversal and lines[2].reverses_number == wrong.entry.number
    assert lines[1].is_reversed and lines[3].is_reversal
    assert statements.member_balance(db, books, rosa.id) == 0
    assert statements.member_arrears(db, books, rosa.id, D(2026, 6, 1)) is None  # the charge is void
    shown = statements.last_payments(db, books, rosa.id)
    assert [(p.amount_minor, p.is_void) for p in shown] == [(2_000, True)]


def test_last_payments_are_the_newest_three(db, books, rosa):
    for day in (1, 2, 3, 4):
        add_payment(db, books, rosa, 100 * day, on=D(2026, 5, day))
    db.commit()
    assert [p.amount_minor for p in statements.last_payments(db, books, rosa.id)] == [400, 300, 200]


def test_share_capital_status_counts_only_valid_payments_of_each_subscription(db, books, rosa):
    first = member_services.subscribe_shares(db, None, books, rosa, amount_minor=50_000, instalments=5,
                                             first_due_date=D(2026, 1, 31))
    second = member_services.subscribe_shares(db, None, books, rosa, amount_minor=20_000, instalments=1,
                                              first_due_date=D(2026, 6, 30))
    add_payment(db, books, rosa, 10_000, on=D(2026, 1, 31), subscription=first)
    voided = add_payment(db, books, rosa, 10_000, on=D(2026, 2, 28), subscription=first)
    void_payment(db, books, voided, on=D(2026, 3, 1))
    add_payment(db, books, rosa, 3_000, on=D(2026, 3, 1))  # dues, not shares
    db.commit()

    status = statements.share_capital_status(db, books, rosa.id)

    assert [(s.subscription.id, s.subscribed, s.paid, s.outstanding) for s in status] == [
        (first.id, 50_000, 10_000, 40_000), (second.id, 20_000, 0, 20_000)]


# --- the statement always agrees with the books ----------------------------------------------

movements = st.lists(st.tuples(st.integers(0, 2), st.booleans(), st.integers(1, 50_000), st.integers(0, 120)),
                     min_size=1, max_size=12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=movements, cut=st.integers(0, 120))
def test_statements_agree_with_member_balances_and_the_receivable_account(db, books, make_member, batch, cut):
    db.rollback()
    people = list(db.scalars(sa.select(Member).where(Member.coop_id == books.id).order_by(Member.id)))
    while len(people) < 3:
        make_member(books)
        db.rollback()
        people = list(db.scalars(sa.select(Member).where(Member.coop_id == books.id).order_by(Member.id)))
    start = D(2026, 1, 1)
    for who, is_charge, amount, offset in batch:
        day = start + dt.timedelta(days=offset)
        if is_charge:
            add_charge(db, books, people[who], amount, due=day)
        else:
            add_payment(db, books, people[who], amount, on=day)
    db.commit()

    middle = start + dt.timedelta(days=cut)
    for person in people:
        before = statements.member_statement(db, books, person, D(2000, 1, 1), middle)
        after = statements.member_statement(db, books, person, middle + dt.timedelta(days=1), D(2030, 1, 1))
        assert after.opening == before.closing == statements.member_balance(db, books, person.id, middle)
        assert after.closing == statements.member_balance(db, books, person.id)
        assert after.closing == before.closing + after.total_charges - after.total_payments
    receivable = {row.code: row.balance for row in reports.trial_balance(db, books)}.get(RECEIVABLE_CODE, 0)
    balances = statements.member_balances(db, books)
    assert sum(balances.values()) == receivable
    assert sum(statements.member_balance(db, books, person.id) for person in people) == receivable
    # what is open in charges less unapplied credit is what the members owe
    report = statements.arrears_aging(db, books, D(2031, 1, 1), min_days=0)
    assert report.totals.total - sum(statements.member_credits(db, books).values()) == receivable


# --- arrears ---------------------------------------------------------------------------------

AS_OF = D(2026, 6, 30)


def days_before(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


def test_arrears_buckets_at_their_boundaries(db, books, rosa):
    for days in (-5, 0, 29, 30, 59, 60, 89, 90, 400):  # -5: falls due in five days
        add_charge(db, books, rosa, 1_000 + days if days > 0 else 1_000, due=days_before(days),
                   on=min(days_before(days), AS_OF), description=f"{days} días")
    add_payment(db, books, rosa, 1_400, on=D(2026, 1, 1))  # pays the oldest (400 days) in full
    db.commit()

    row = statements.member_arrears(db, books, rosa.id, AS_OF)

    aging = row.aging
    assert aging.current == 1_000 + 1_000 + 1_029  # not yet due, due today, 29 days late
    assert aging.days_30 == 1_030 + 1_059
    assert aging.days_60 == 1_060 + 1_089
    assert aging.days_90 == 1_090
    assert row.overdue == aging.total - 2_000  # today's and the future charge are not yet overdue
    assert (row.oldest_due, row.days_late) == (days_before(90), 90)
    assert (row.number, row.name) == (rosa.number, "Pilataxi Guamán, Rosa")


def test_a_charge_posted_after_the_report_date_is_not_yet_in_arrears(db, books, rosa):
    add_charge(db, books, rosa, 500, due=D(2026, 7, 5), on=D(2026, 7, 1))
    db.commit()
    assert statements.member_arrears(db, books, rosa.id, AS_OF) is None
    assert statements.member_arrears(db, books, rosa.id, D(2026, 7, 10)).aging.total == 500


@pytest.fixture
def three_debtors(db, books, make_member):
    """Ana: a little, long late; Bruno: much, a month late; Carla: nothing due yet; Dora paid ahead."""
    names = ("Ana", "Bruno", "Carla", "Dora")
    ids = {name: make_member(books, given_names=name, family_names="Quishpe").id for name in names}
    db.rollback()
    people = {name: db.get(Member, member_id) for name, member_id in ids.items()}
    add_charge(db, books, people["Ana"], 1_000, due=days_before(95))
    add_charge(db, books, people["Bruno"], 50_000, due=days_before(35))
    add_charge(db, books, people["Carla"], 7_000, due=days_before(-3), on=days_before(10))
    add_payment(db, books, people["Dora"], 9_000, on=days_before(10))
    db.commit()
    return people


def test_arrears_filter_by_days_late_and_sort_by_amount_or_days(db, books, three_debtors):
    def names(**options):
        return [row.name.split(", ")[1] for row in statements.arrears_aging(db, books, AS_OF, **options).rows]

    assert names(min_days=0) == ["Bruno", "Carla", "Ana"]
    assert names(min_days=1) == ["Bruno", "Ana"]
    assert names(min_days=1, sort="days") == ["Ana", "Bruno"]
    assert names(min_days=60) == ["Ana"]
    report = statements.arrears_aging(db, books, AS_OF, min_days=0)
    assert (report.totals.current, report.totals.days_30, report.totals.days_60, report.totals.days_90) == \
        (7_000, 50_000, 0, 1_000)
    assert report.total_overdue == 51_000
    assert statements.member_credits(db, books) == {three_debtors["Dora"].id: 9_000}
    assert statements.member_balance(db, books, three_debtors["Dora"].id) == -9_000


def test_arrears_take_the_same_few_queries_whatever_the_number_of_members(app, db, books, make_member):
    engine = app.extensions["coop.db"].engine

    def queries_for_report() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2]) if args[2].startswith("SELECT") else None  # noqa: E731
        db.refresh(books)
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            report = statements.arrears_aging(db, books, AS_OF)
            assert report.rows
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    def add_debtors(count):
        for _ in range(count):
            member = make_member(books)
            db.rollback()
            add_charge(db, books, db.get(Member, member.id), 1_000, due=days_before(45))
        db.commit()

    add_debtors(2)
    few = queries_for_report()
    add_debtors(8)
    assert queries_for_report() == few == 2  # open charges by bucket, members with credit
