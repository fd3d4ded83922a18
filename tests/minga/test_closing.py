"""Closing a Minga period: each short household fined once through the books, exactly like a
dues charge; work credited as capital; refusals; a close killed midway; the treasurer's reversal;
the scheduled job."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.errors import DomainError
from coop.scheduler import JobContext
from ledger import charges, reports, services, statements
from ledger.models import Charge, EntrySource, JournalEntry
from ledger.services import CASH_CODE, account_by_code
from minga import closing, jobs
from minga.models import CloseLine, PeriodClose
from tests.minga.obligation_factories import (AFTER_NOVEMBER, NOVEMBER, commission, household, set_rules, work)


@pytest.fixture
def november(db, minga_coop, make_member):
    """Three households owe 8 h in November at $5,00 a missing hour: the Quishpe worked 5 h (3 h
    short: $15,00), the Guamán all 8, and Rosa, on her own, nothing ($40,00)."""
    set_rules(db, minga_coop)
    quishpe, guaman = household(db, minga_coop, "Familia Quishpe"), household(db, minga_coop, "Familia Guamán")
    people = {"ana": make_member(minga_coop, household=quishpe), "luis": make_member(minga_coop, household=quishpe),
              "jose": make_member(minga_coop, household=guaman), "rosa": make_member(minga_coop)}
    quebrada = commission(db, minga_coop)
    work(db, minga_coop, people["luis"], dt.date(2026, 11, 7), 300, where=quebrada)
    work(db, minga_coop, people["jose"], dt.date(2026, 11, 14), 480, where=quebrada)
    return people


@pytest.fixture(autouse=True)
def in_the_app(app):
    """The close writes the books in the co-op's language, as it does in a request or the job."""
    with app.test_request_context():
        yield


def fines_of(db, member) -> list[Charge]:
    return list(db.scalars(sa.select(Charge).where(Charge.member_id == member.id, Charge.source == EntrySource.FINE)))


def test_the_preview_lists_who_would_be_fined_and_how_much(db, minga_coop, november):
    preview = closing.preview_close(db, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    assert preview.problems == []
    assert sorted((s.member.id, preview.fine_of(s)) for s in preview.fined) == sorted(
        [(november["ana"].id, 1500), (november["rosa"].id, 4000)])
    assert preview.fines_total == 5500 and preview.label == "noviembre de 2026"


def test_a_close_charges_each_short_household_once_like_a_dues_charge(db, minga_coop, november):
    db.rollback()
    close = closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.commit()
    assert (close.fines_count, close.fines_total_minor) == (2, 5500)
    [fine] = fines_of(db, november["ana"])  # the household's lowest-numbered member answers for it
    assert fine.amount_minor == 1500 and fine.household_id is not None
    assert fine.due_date == AFTER_NOVEMBER + dt.timedelta(days=charges.USUAL_DUE_DAYS)
    assert fine.entry.origin_kind == "minga.fine"
    assert fines_of(db, november["luis"]) == [] and fines_of(db, november["jose"]) == []
    assert [p.account.code for p in fine.entry.postings] == ["1.1.03", "4.3"]
    statement = statements.member_statement(db, minga_coop, november["ana"], NOVEMBER, AFTER_NOVEMBER)
    assert [(line.description, line.charge) for line in statement.lines] == [
        ("Multa de Minga noviembre de 2026: 3 h faltantes", 1500)]
    late = statements.member_arrears(db, minga_coop, november["ana"].id, AFTER_NOVEMBER + dt.timedelta(days=45))
    assert late.aging.total == 1500 and late.overdue == 1500
    line = db.scalar(sa.select(CloseLine).where(CloseLine.member_id == november["ana"].id))
    assert (line.missing_minutes, line.fine_minor, line.fine_entry_id) == (180, 1500, fine.entry_id)
    assert reports.verify_ledger(db, minga_coop) == []


def test_a_payment_settles_the_fine_oldest_first(db, minga_coop, november):
    from ledger import payments
    db.rollback()
    closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    payments.record_payment(db, None, minga_coop, member=november["rosa"], payment_date=dt.date(2026, 11, 28),
                            amount_minor=1000, method="cash", account=account_by_code(db, minga_coop, CASH_CODE))
    db.commit()
    [fine] = fines_of(db, november["rosa"])
    assert fine.settled_minor == 1000 and fine.open_minor == 3000


def test_a_second_close_of_the_period_is_refused(db, minga_coop, november):
    db.rollback()
    closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.commit()
    with pytest.raises(DomainError, match="ya fue cerrado"):
        closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    assert len(fines_of(db, november["rosa"])) == 1


def test_a_fine_run_for_an_open_period_is_refused_with_its_reason(db, minga_coop, november):
    db.rollback()
    with pytest.raises(DomainError) as refused:
        closing.close_period(db, None, minga_coop, NOVEMBER, today=dt.date(2026, 12, 10))
    assert refused.value.text == ("noviembre de 2026 sigue abierto: los hogares pueden recuperar horas hasta el "
                                  "10 de diciembre de 2026. Se puede cerrar desde el día siguiente.")
    assert db.scalar(sa.select(sa.func.count()).select_from(PeriodClose)) == 0


def test_a_close_killed_midway_leaves_nothing_and_the_next_run_fines_each_once(db, minga_coop, november,
                                                                                monkeypatch):
    def killed(*args, **kwargs):
        raise RuntimeError("the server went down")

    monkeypatch.setattr(closing, "_record_lines", killed)  # after the fines were posted
    db.rollback()
    with pytest.raises(RuntimeError):
        closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(PeriodClose)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Charge)) == 0
    monkeypatch.undo()
    closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.commit()
    assert db.scalar(sa.select(sa.func.count()).select_from(Charge)) == 2
    assert reports.verify_ledger(db, minga_coop) == []


def test_the_treasurer_reversing_a_fine_voids_it_and_marks_its_line(db, minga_coop, november):
    db.rollback()
    closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.commit()
    [fine] = fines_of(db, november["rosa"])
    services.reverse_entry(db, None, minga_coop, fine.entry, entry_date=AFTER_NOVEMBER,
                           reason="Trabajó en la comisión de fiestas, con acta")
    db.commit()
    db.refresh(fine)
    line = db.scalar(sa.select(CloseLine).where(CloseLine.fine_entry_id == fine.entry_id))
    assert fine.is_void and line.is_fine_reversed
    assert statements.member_arrears(db, minga_coop, november["rosa"].id, dt.date(2027, 3, 1)) is None


def test_capital_work_is_credited_to_share_capital_and_shown_on_the_statement(db, minga_coop, make_member):
    set_rules(db, minga_coop, owed_minutes=0, fine_per_hour_minor=0, capital_rate_minor=400)
    ana = make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    building = commission(db, minga_coop, "Construcción", is_capital_work=True)
    park = commission(db, minga_coop, "Parque")
    for day in (7, 14, 21):
        work(db, minga_coop, ana, dt.date(2026, 11, day), 480, where=building)
    work(db, minga_coop, ana, dt.date(2026, 11, 28), 480, where=park)
    db.rollback()
    close = closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.commit()
    assert (close.capital_count, close.capital_total_minor, close.fines_count) == (1, 9600, 0)
    line = db.scalar(sa.select(CloseLine).where(CloseLine.close_id == close.id))
    entry = db.get(JournalEntry, line.capital_entry_id)
    assert sorted((p.account.code, p.amount_minor) for p in entry.postings) == [("1.2.02", 9600), ("3.1", -9600)]
    assert str(ana.number) in entry.description
    statement = statements.member_statement(db, minga_coop, ana, NOVEMBER, AFTER_NOVEMBER)
    assert [(n.label, n.detail, n.amount_minor) for n in statement.notes] == [
        ("Aporte en trabajo acreditado como capital", "24 h", 9600)]
    services.reverse_entry(db, None, minga_coop, entry, entry_date=AFTER_NOVEMBER, reason="Horas mal registradas")
    db.commit()
    db.refresh(line)
    assert line.is_capital_reversed
    assert statements.member_statement(db, minga_coop, ana, NOVEMBER, AFTER_NOVEMBER).notes == []


def test_the_scheduled_job_closes_a_period_once(app, db, minga_coop, november):
    set_rules(db, minga_coop, is_closed_automatically=True)
    db.rollback()
    context = JobContext(session=db, config=app.config, now=dt.datetime(2026, 12, 11, 12))
    first = jobs.close_minga_periods(context)
    db.commit()
    second = jobs.close_minga_periods(context)
    db.commit()
    # October (the first period) and November both ended their grace days
    assert first.startswith("2 ") and second.startswith("0 ")
    assert db.scalar(sa.select(sa.func.count()).select_from(PeriodClose)) == 2
    assert len(fines_of(db, november["rosa"])) == 2


def test_once_a_period_is_closed_the_periods_can_no_longer_be_redrawn(db, minga_coop, november):
    from minga import obligations
    from minga.models import ObligationPeriod
    from tests.minga.obligation_factories import rules_data
    db.rollback()
    closing.close_period(db, None, minga_coop, NOVEMBER, today=AFTER_NOVEMBER)
    db.commit()
    with pytest.raises(DomainError) as refused:
        obligations.update_rules(db, None, minga_coop, rules_data(db, minga_coop, period=ObligationPeriod.QUARTER))
    assert refused.value.field == "period" or {e.field for e in refused.value.errors} == {"period"}
    assert obligations.update_rules(db, None, minga_coop, rules_data(db, minga_coop, fine_per_hour_minor=700))
