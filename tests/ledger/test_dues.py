"""Dues: the assembly's plans, their periods, and charging a period to everyone who owes it."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import numbering
from coop.errors import DomainError
from coop.scheduler import JobOutcome, run_job
from ledger import allocation, dues, reports, services
from ledger.models import (Charge, Debtors, DuesPlan, DuesRun, EntrySource, Frequency, JournalEntry, Payment,
                           PaymentMethod, Posting)
from ledger.services import NewEntry, PostingLine
from members import services as members
from members.models import MemberStatus
from tests.ledger.conftest import account

MARCH = dt.date(2026, 3, 1)


def count(db, model, *where) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def fields_of(error: DomainError) -> set[str | None]:
    return {e.field for e in getattr(error, "errors", [error])}


def texts_of(error: DomainError) -> list[str]:
    return [e.text for e in getattr(error, "errors", [error])]


@pytest.fixture
def make_plan(db, books):
    def factory(**fields) -> DuesPlan:
        db.rollback()
        values = {"name": "Aporte ordinario", "amount_minor": 2500, "frequency": Frequency.MONTHLY,
                  "debtors": Debtors.MEMBERS, "income_account_id": account(db, books, "4.1").id,
                  "start_date": dt.date(2026, 1, 1)} | fields
        plan = dues.create_plan(db, None, books, dues.PlanData(**values))
        db.commit()
        return plan
    return factory


def run(db, coop, plan, start=MARCH):
    db.rollback()
    result = dues.run_dues(db, None, coop, db.merge(plan), start)
    db.commit()
    return result


def pay(db, coop, member, amount, day=dt.date(2026, 2, 10)):
    """A dues payment already received (money the member has on credit until charges come)."""
    db.rollback()
    member = db.merge(member)
    entry = services.post_entry(db, None, coop, entry_date=day, description="Pago", source=EntrySource.PAYMENT,
                                postings=[PostingLine(account(db, coop, "1.1.01"), amount),
                                          PostingLine(account(db, coop, "1.1.03"), -amount, member)])
    payment = Payment(coop_id=coop.id, member_id=member.id, payment_date=day, amount_minor=amount,
                      method=PaymentMethod.CASH, account_id=account(db, coop, "1.1.01").id, entry_id=entry.id,
                      receipt_number=numbering.next_number(db, coop.id, "receipt"))
    db.add(payment)
    db.commit()
    return payment


# --- posting many entries at once -------------------------------------------------------------

def _lines(db, coop, amount):
    return [PostingLine(account(db, coop, "1.1.02"), amount), PostingLine(account(db, coop, "4.1"), -amount)]


def test_a_batch_is_numbered_and_chained_exactly_as_posting_one_by_one(db, books, make_coop, post):
    other = db.merge(make_coop("vecina"))
    services.install_chart(db, None, other)
    db.commit()
    for coop in (books, other):
        post(coop, ("1.1.01", 700), ("4.4", -700), description="Apertura")
    db.rollback()
    batch = services.post_entries(db, None, books, [
        NewEntry(MARCH, f"Aporte {i}", _lines(db, books, 100 + i), source=EntrySource.DUES) for i in range(5)])
    one_by_one = [services.post_entry(db, None, other, entry_date=MARCH, description=f"Aporte {i}",
                                      postings=_lines(db, other, 100 + i), source=EntrySource.DUES)
                  for i in range(5)]
    db.commit()
    assert [e.number for e in batch] == [2, 3, 4, 5, 6]
    assert [e.hash for e in batch] == [e.hash for e in one_by_one]
    assert reports.verify_ledger(db, books) == [] and reports.verify_ledger(db, other) == []
    # the next single entry follows the batch in number and chain
    after = post(books, ("1.1.01", 1), ("4.4", -1))
    assert after.number == 7 and after.prev_hash == batch[-1].hash
    assert reports.verify_ledger(db, books) == []


def test_a_batch_with_one_bad_entry_writes_nothing(db, books, post):
    post(books, ("1.1.01", 700), ("4.4", -700))
    db.rollback()
    services.close_month(db, None, books, dt.date(2026, 1, 1))
    db.commit()
    with pytest.raises(DomainError) as caught:
        services.post_entries(db, None, books, [NewEntry(MARCH, "Bien", _lines(db, books, 100)),
                                                NewEntry(dt.date(2026, 1, 20), "Mes cerrado", _lines(db, books, 5))])
    assert texts_of(caught.value) == ["Entry 2 of 2: The month of this date is closed: nothing more is posted into it."]
    db.rollback()
    assert count(db, JournalEntry) == 1
    assert post(books, ("1.1.01", 1), ("4.4", -1)).number == 2


def test_numbers_are_allocated_in_one_block(db, books):
    assert numbering.next_numbers(db, books.id, "test", 3) == range(1, 4)
    assert numbering.next_numbers(db, books.id, "test", 2) == range(4, 6)
    assert numbering.next_number(db, books.id, "test") == 6


# --- plans ------------------------------------------------------------------------------------

def test_a_plan_with_every_mistake_gets_every_message_beside_its_field(db, books, make_plan):
    make_plan()
    data = dues.PlanData(name="  aporte ORDINARIO ", amount_minor=0, frequency=Frequency.MONTHLY,
                         debtors=Debtors.MEMBERS, income_account_id=account(db, books, "5.1").id,
                         start_date=dt.date(2026, 6, 1), end_date=dt.date(2026, 5, 1), run_day=31, due_days=-1)
    with pytest.raises(DomainError) as caught:
        dues.create_plan(db, None, books, data)
    errors = {e.field: e.text for e in caught.value.errors}
    assert errors == {"name": "Another plan already has this name.",
                      "amount": "The amount must be more than zero.",
                      "income_account": "Choose an income account.",
                      "end_date": "The end comes after the start.",
                      "run_day": "A day from 1 to 28, so that every month has it; or leave it empty.",
                      "due_days": "From 0 to 366 days."}
    db.rollback()
    assert count(db, DuesPlan) == 1


def test_an_income_account_of_another_coop_or_closed_is_refused(db, books, make_plan, make_coop):
    other = db.merge(make_coop("vecina"))
    services.install_chart(db, None, other)
    db.commit()
    with pytest.raises(DomainError) as caught:
        make_plan(income_account_id=account(db, other, "4.1").id)
    assert fields_of(caught.value) == {"income_account"}
    db.rollback()
    services.close_account(db, None, books, account(db, books, "4.4"))
    db.commit()
    with pytest.raises(DomainError) as caught:
        make_plan(income_account_id=account(db, books, "4.4").id)
    assert texts_of(caught.value) == ["Account 4.4 is closed."]


def test_once_charged_a_plan_keeps_its_periods_but_may_change_its_amount(db, books, make_plan, make_member):
    plan = make_plan()
    make_member(books)
    run(db, books, plan)
    plan = db.merge(plan)
    data = dues.PlanData(name=plan.name, amount_minor=3000, frequency=Frequency.QUARTERLY, debtors=plan.debtors,
                         income_account_id=plan.income_account_id, start_date=plan.start_date,
                         end_date=dt.date(2026, 2, 1))
    with pytest.raises(DomainError) as caught:
        dues.update_plan(db, None, books, plan, data)
    assert fields_of(caught.value) == {"frequency", "end_date"}
    data.frequency, data.end_date = Frequency.MONTHLY, None
    assert dues.update_plan(db, None, books, plan, data) == {"amount_minor": [2500, 3000]}
    db.commit()
    assert run(db, books, plan, dt.date(2026, 4, 1)).total_minor == 3000
    assert db.scalar(sa.select(DuesRun.total_minor).where(DuesRun.period_start == MARCH)) == 2500


# --- periods ----------------------------------------------------------------------------------

def plan_of(frequency, start=dt.date(2026, 2, 1), end=None):
    return DuesPlan(frequency=frequency, start_date=start, end_date=end)


def test_monthly_periods_are_calendar_months():
    plan = plan_of(Frequency.MONTHLY, dt.date(2026, 1, 15))
    assert dues.period_start(plan, dt.date(2026, 3, 31)) == MARCH
    assert dues.period_end(plan, MARCH) == dt.date(2026, 3, 31)
    assert dues.period_end(plan, dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)
    assert dues.period_label(plan, MARCH) == "2026-03"
    assert dues.periods_due(plan, dt.date(2026, 3, 2)) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), MARCH]


def test_quarters_and_years_count_from_the_plan_start_month():
    quarterly = plan_of(Frequency.QUARTERLY)
    assert dues.period_start(quarterly, dt.date(2026, 4, 30)) == dt.date(2026, 2, 1)
    assert dues.period_start(quarterly, dt.date(2026, 5, 1)) == dt.date(2026, 5, 1)
    assert dues.period_start(quarterly, dt.date(2027, 1, 10)) == dt.date(2026, 11, 1)
    assert dues.period_start(quarterly, dt.date(2026, 1, 10)) == dt.date(2025, 11, 1)  # before the plan
    assert dues.period_end(quarterly, dt.date(2026, 11, 1)) == dt.date(2027, 1, 31)
    assert dues.period_label(quarterly, dt.date(2026, 11, 1)) == "2026-11/2027-01"
    yearly = plan_of(Frequency.YEARLY)
    assert dues.period_start(yearly, dt.date(2027, 1, 31)) == dt.date(2026, 2, 1)
    assert dues.period_end(yearly, dt.date(2026, 2, 1)) == dt.date(2027, 1, 31)
    assert dues.period_label(plan_of(Frequency.YEARLY, dt.date(2026, 1, 1)), dt.date(2027, 1, 1)) == "2027"
    assert dues.periods_due(quarterly, dt.date(2026, 8, 1)) == [dt.date(2026, 2, 1), dt.date(2026, 5, 1),
                                                                dt.date(2026, 8, 1)]


def test_a_one_off_plan_has_a_single_period_on_its_start_date():
    plan = plan_of(Frequency.ONE_OFF, dt.date(2026, 3, 20))
    assert dues.period_start(plan, dt.date(2027, 9, 9)) == dt.date(2026, 3, 20)
    assert dues.period_end(plan, dt.date(2026, 3, 20)) == dt.date(2026, 3, 20)
    assert dues.periods_due(plan, dt.date(2026, 3, 19)) == []
    assert dues.periods_due(plan, dt.date(2026, 3, 20)) == [dt.date(2026, 3, 20)]


def test_only_the_plan_own_periods_within_its_dates_can_be_charged():
    plan = plan_of(Frequency.QUARTERLY, end=dt.date(2026, 12, 31))
    dues.check_period(plan, dt.date(2026, 11, 1))
    with pytest.raises(DomainError, match="does not start a period"):
        dues.check_period(plan, dt.date(2026, 3, 1))
    with pytest.raises(DomainError, match="starts later"):
        dues.check_period(plan, dt.date(2025, 11, 1))
    with pytest.raises(DomainError, match="ended"):
        dues.check_period(plan, dt.date(2027, 2, 1))
    assert dues.periods_due(plan, dt.date(2030, 1, 1))[-1] == dt.date(2026, 11, 1)


# --- preview and run --------------------------------------------------------------------------

@pytest.fixture
def people(books, make_member):
    """Three members who owe March, and three who do not."""
    owing = [make_member(books, given_names="Rosa"), make_member(books, given_names="Luis"),
             make_member(books, given_names="Inés", status=MemberStatus.SUSPENDED)]
    make_member(books, given_names="Postulante", status=MemberStatus.APPLICANT)
    make_member(books, given_names="Retirado", status=MemberStatus.WITHDRAWN)
    make_member(books, given_names="Nuevo", join_date=dt.date(2026, 4, 1))
    return owing


def test_preview_lists_who_owes_and_the_total_without_writing(db, books, make_plan, people):
    plan = make_plan()
    preview = dues.preview_run(db, books, plan, MARCH)
    assert [d.member.given_names for d in preview.debtors] == ["Rosa", "Luis", "Inés"]
    assert (preview.total_minor, preview.label, preview.due_date, preview.problems) == (7500, "2026-03", MARCH, [])
    assert count(db, DuesRun) == 0 and count(db, JournalEntry) == 0
    assert [d.member.given_names for d in dues.preview_run(db, books, plan, dt.date(2026, 4, 1)).debtors] == \
        ["Rosa", "Luis", "Inés", "Nuevo"]


def test_a_run_posts_one_balanced_charge_per_debtor(db, books, make_plan, people):
    plan = make_plan(due_days=10, resolution_ref="Asamblea 2026-01-10, resolución 4")
    done = run(db, books, plan)
    assert (done.charges_count, done.total_minor) == (3, 7500)
    charges = list(db.scalars(sa.select(Charge).order_by(Charge.id)))
    assert [c.member_id for c in charges] == [m.id for m in people]
    assert {(c.amount_minor, c.due_date, c.source, c.description, c.run_id) for c in charges} == \
        {(2500, dt.date(2026, 3, 11), EntrySource.DUES, "Aporte ordinario 2026-03", done.id)}
    entries = list(db.scalars(sa.select(JournalEntry).order_by(JournalEntry.number)))
    assert [(e.entry_date, e.source, e.reference) for e in entries] == \
        [(MARCH, EntrySource.DUES, "Asamblea 2026-01-10, resolución 4")] * 3
    balances = {row.code: row.balance for row in reports.trial_balance(db, books)}
    assert balances == {"1.1.03": 7500, "4.1": -7500}
    assert reports.verify_ledger(db, books) == []
    receivable = account(db, books, "1.1.03")
    assert sorted(db.scalars(sa.select(Posting.member_id).where(Posting.account_id == receivable.id))) == \
        sorted(m.id for m in people)


def test_a_household_plan_charges_each_household_once_to_its_first_member(db, books, make_plan, make_member):
    db.rollback()
    quishpe = members.create_household(db, None, books, name="Familia Quishpe")
    guaman = members.create_household(db, None, books, name="Familia Guamán")
    db.commit()
    first = make_member(books, household=quishpe)
    make_member(books, household=quishpe)
    make_member(books, household=guaman, status=MemberStatus.WITHDRAWN)
    only = make_member(books, household=guaman)
    alone = make_member(books)
    run(db, books, make_plan(debtors=Debtors.HOUSEHOLDS))
    charged = db.execute(sa.select(Charge.member_id, Charge.household_id).order_by(Charge.id)).all()
    assert charged == [(first.id, quishpe.id), (only.id, guaman.id), (alone.id, None)]


def test_a_second_run_of_the_same_period_is_refused_and_writes_nothing(db, books, make_plan, people):
    plan = make_plan()
    run(db, books, plan)
    before = (count(db, JournalEntry), count(db, Charge), count(db, DuesRun))
    with pytest.raises(DomainError) as caught:
        run(db, books, plan)
    assert (caught.value.field, caught.value.text) == ("period", "This period was already charged.")
    db.rollback()
    assert (count(db, JournalEntry), count(db, Charge), count(db, DuesRun)) == before
    assert dues.preview_run(db, books, db.merge(plan), MARCH).problems == ["This period was already charged."]


def test_runs_are_refused_for_inactive_plans_closed_months_and_nobody_owing(db, books, make_plan, people):
    plan = make_plan()
    db.rollback()
    dues.set_plan_active(db, None, books, db.merge(plan), False)
    db.commit()
    with pytest.raises(DomainError, match="inactive"):
        run(db, books, plan)
    dues.set_plan_active(db, None, books, db.merge(plan), True)
    services.close_month(db, None, books, MARCH)
    db.commit()
    with pytest.raises(DomainError, match="closed"):
        run(db, books, plan)
    with pytest.raises(DomainError, match="starts later"):
        run(db, books, plan, dt.date(2025, 12, 1))
    nobody = make_plan(name="Cuota 1990", start_date=dt.date(1990, 1, 1))
    with pytest.raises(DomainError, match="Nobody owes this period"):
        run(db, books, nobody, dt.date(1990, 1, 1))
    db.rollback()
    assert count(db, DuesRun) == 0 and count(db, JournalEntry) == 0


def test_credit_a_member_already_has_pays_the_new_charge(db, books, make_plan, people):
    rosa, luis, _ines = people
    pay(db, books, rosa, 3000)
    pay(db, books, luis, 1000)
    run(db, books, make_plan())
    settled = dict(db.execute(sa.select(Charge.member_id, Charge.settled_minor)).all())
    assert settled[rosa.id] == 2500 and settled[luis.id] == 1000
    credit = allocation.unallocated_payments(db, books.id, rosa.id)[0]
    assert credit.amount_minor - credit.allocated_minor == 500


def test_a_fine_is_a_single_charge_paid_from_credit(db, books, people):
    rosa = people[0]
    pay(db, books, rosa, 400)
    db.rollback()
    charge = dues.charge_member(db, None, books, member=db.merge(rosa), amount_minor=1000,
                                description="Multa: inasistencia a la Minga del 7 de marzo",
                                due_date=dt.date(2026, 3, 31), income_account=account(db, books, "4.3"),
                                entry_date=dt.date(2026, 3, 8))
    db.commit()
    assert (charge.source, charge.settled_minor, charge.open_minor, charge.run_id) == (EntrySource.FINE, 400, 600, None)
    assert {row.code: row.balance for row in reports.trial_balance(db, books)}["4.3"] == -1000
    with pytest.raises(DomainError) as caught:
        dues.charge_member(db, None, books, member=db.merge(rosa), amount_minor=0, description="x",
                           due_date=MARCH, income_account=account(db, books, "1.1.01"))
    assert caught.value.field == "amount"


def fine(db, books, member, amount=1000):
    db.rollback()
    charge = dues.charge_member(db, None, books, member=db.merge(member), amount_minor=amount,
                                description="Multa: inasistencia a la Minga del 7 de marzo",
                                due_date=dt.date(2026, 3, 31), income_account=account(db, books, "4.3"),
                                entry_date=dt.date(2026, 3, 8))
    db.commit()
    return charge


def test_each_charge_entry_names_its_dues_run_or_its_single_charge(db, books, make_plan, people):
    done = run(db, books, make_plan())
    assert set(db.execute(sa.select(JournalEntry.origin_kind, JournalEntry.origin_id))) == {
        ("ledger.dues_run", done.id)}
    charge = fine(db, books, people[0])
    assert (charge.entry.origin_kind, charge.entry.origin_id) == ("ledger.charge", charge.id)


def test_reversing_a_charge_entry_by_hand_cancels_the_charge_and_frees_what_paid_it(db, books, make_plan, people):
    rosa, luis, _ines = people
    pay(db, books, rosa, 3000)
    run(db, books, make_plan())
    fined = fine(db, books, luis)
    dues_charge = db.scalar(sa.select(Charge).where(Charge.member_id == rosa.id))
    assert dues_charge.settled_minor == 2500
    for charge in (dues_charge, fined):
        services.reverse_entry(db, None, books, charge.entry, entry_date=dt.date(2026, 3, 9), reason="Cobro indebido")
    db.commit()
    assert [(c.is_void, c.settled_minor, c.open_minor) for c in (dues_charge, fined)] == [(True, 0, 0)] * 2
    credit = allocation.unallocated_payments(db, books.id, rosa.id)[0]
    assert credit.amount_minor - credit.allocated_minor == 3000


# --- the scheduled job ------------------------------------------------------------------------

def test_the_job_charges_plans_on_their_day_once_and_reports_failures(app, db, books, make_plan, people):
    make_plan(run_day=5)
    make_plan(name="Fondo de vivienda", run_day=20, income_account_id=account(db, books, "4.2").id)
    broken = make_plan(name="Cuota de la escuela", run_day=5, income_account_id=account(db, books, "4.4").id)
    db.rollback()
    services.close_account(db, None, books, account(db, books, "4.4"))
    db.commit()
    before = run_job(app, "ledger.dues", now=dt.datetime(2026, 3, 5, 4, 0))  # 23h00 on 4 March in Quito
    assert before.detail == "0 periods charged"
    first = run_job(app, "ledger.dues", now=dt.datetime(2026, 3, 5, 12, 0))
    assert first.outcome == JobOutcome.SUCCESS
    assert first.detail.startswith("1 periods charged (quebrada/Aporte ordinario 2026-03: 3); FAILED 1: ")
    assert "Cuota de la escuela" in first.detail and "4.4" in first.detail
    again = run_job(app, "ledger.dues", now=dt.datetime(2026, 3, 6, 12, 0))  # a missed day is caught up, once
    assert again.detail.startswith("0 periods charged; FAILED 1")
    db.rollback()
    assert count(db, DuesRun) == 1 and count(db, Charge) == 3
    assert db.scalar(sa.select(DuesRun.created_by_id)) is None
    assert broken.id not in set(db.scalars(sa.select(DuesRun.plan_id)))
    assert reports.verify_ledger(db, books) == []


def test_quarterly_plans_run_only_in_the_first_month_of_their_quarter(db, books):
    plan = plan_of(Frequency.QUARTERLY)
    plan.is_active, plan.run_day = True, 3
    assert dues.scheduled_period(plan, dt.date(2026, 2, 2)) is None
    assert dues.scheduled_period(plan, dt.date(2026, 2, 3)) == dt.date(2026, 2, 1)
    assert dues.scheduled_period(plan, dt.date(2026, 3, 3)) is None
    assert dues.scheduled_period(plan, dt.date(2026, 5, 28)) == dt.date(2026, 5, 1)
    plan.run_day = None
    assert dues.scheduled_period(plan, dt.date(2026, 5, 3)) is None
