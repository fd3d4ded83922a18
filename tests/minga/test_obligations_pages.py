"""The obligation's pages through the real log-in: the secretary sets the rules and excuses a
household, the treasurer previews and closes a period, a member reads their household's hours
on the home page and is refused the compliance list."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ledger.models import Charge, EntrySource
from minga import obligations
from minga.models import Exemption, PeriodClose
from tests.conftest import field_error, once, text_of
from tests.minga.obligation_factories import commission, household, set_rules, work


def base(coop) -> str:
    return f"/c/{coop.slug}/minga"


def test_the_secretary_sets_the_rules_and_a_mistake_shows_beside_its_field(client, db, minga_coop, make_user, login):
    login(client, make_user(coop=minga_coop, roles=["secretary"]))
    page = client.get(f"{base(minga_coop)}/obligations")
    assert page.status_code == 200 and "4.3" in text_of(page)
    fine_account = obligations.rules_of(db, minga_coop).fine_account_id
    form = {"owed_hours": "8", "unit": "household", "period": "month", "starts_on": "2026-10-01",
            "surplus": "lost", "grace_days": "90", "fine_per_hour": "5,00", "fine_account": str(fine_account),
            "capital_rate": "", "capital_account": "0", "reminder_hours": "24"}
    refused = client.post(f"{base(minga_coop)}/obligations", data=form)
    assert field_error(refused, "grace_days")
    saved = client.post(f"{base(minga_coop)}/obligations", data={**form, "grace_days": "10"}, follow_redirects=True)
    assert saved.status_code == 200
    db.rollback()
    rules = obligations.rules_of(db, minga_coop)
    assert (rules.owed_minutes, rules.fine_per_hour_minor, rules.grace_days) == (480, 500, 10)


def test_the_secretary_excuses_a_household_and_ends_it(client, db, minga_coop, make_user, make_member, login):
    set_rules(db, minga_coop)
    ana = make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    login(client, make_user(coop=minga_coop, roles=["secretary"]))
    answer = client.post(f"{base(minga_coop)}/exemptions", data={
        "member_number": str(ana.number), "percent": "50", "from_date": "2026-11-01", "to_date": "",
        "reason": "Enfermedad", **once()}, follow_redirects=True)
    assert "Familia Quishpe" in text_of(answer)
    db.rollback()
    exemption = db.scalar(sa.select(Exemption))
    assert exemption.household_id == ana.household_id and exemption.percent == 50
    client.post(f"{base(minga_coop)}/exemptions/{exemption.id}/end")
    db.rollback()
    assert db.get(Exemption, exemption.id).revoked_dt is not None


def test_the_treasurer_previews_and_closes_a_period(client, db, minga_coop, make_user, make_member, login):
    set_rules(db, minga_coop, starts_on=dt.date(2026, 9, 1))
    ana = make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    work(db, minga_coop, ana, dt.date(2026, 9, 12), 300, where=commission(db, minga_coop))
    login(client, make_user(coop=minga_coop, roles=["treasurer"]))
    listed = client.get(f"{base(minga_coop)}/closes/")
    assert "septiembre de 2026" in text_of(listed) or "September 2026" in text_of(listed)
    preview = client.get(f"{base(minga_coop)}/closes/preview?period=2026-09-01")
    assert preview.status_code == 200 and "15,00" in text_of(preview)
    changed = client.post(f"{base(minga_coop)}/closes/preview", data={
        "period": "2026-09-01", "expected_count": "0/0", "expected_total": "0/0"})
    assert changed.status_code == 409
    closed = client.post(f"{base(minga_coop)}/closes/preview", data={
        "period": "2026-09-01", "expected_count": "1/0", "expected_total": "1500/0"}, follow_redirects=True)
    assert closed.status_code == 200
    db.rollback()
    close = db.scalar(sa.select(PeriodClose).where(PeriodClose.period_start == dt.date(2026, 9, 1)))
    assert close.fines_count == 1
    [fine] = db.scalars(sa.select(Charge).where(Charge.source == EntrySource.FINE))
    assert f"/books/journal/{fine.entry_id}" in closed.get_data(as_text=True)


def test_a_close_of_an_open_period_shows_why(client, db, minga_coop, make_user, login):
    set_rules(db, minga_coop, starts_on=dt.date(2026, 9, 1))
    login(client, make_user(coop=minga_coop, roles=["treasurer"]))
    today = obligations.period_of(obligations.rules_of(db, minga_coop), dt.date.today())
    preview = client.get(f"{base(minga_coop)}/closes/preview?period={today.isoformat()}")
    assert preview.status_code == 200
    assert "Close the period" not in text_of(preview) and "Cerrar el periodo" not in text_of(preview)


def test_compliance_lists_the_short_households_and_a_member_is_refused_it(client, db, minga_coop, make_user,
                                                                         make_member, login):
    set_rules(db, minga_coop, starts_on=dt.date(2026, 9, 1))
    make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    login(client, make_user(coop=minga_coop, roles=["secretary"]))
    page = client.get(f"{base(minga_coop)}/compliance?period=2026-10-01&short=1")
    assert page.status_code == 200 and "Familia Quishpe" in text_of(page)
    member_client = client.application.test_client()
    login(member_client, make_user(coop=minga_coop, roles=["member"]))
    assert member_client.get(f"{base(minga_coop)}/compliance").status_code == 403


def test_a_member_sees_their_household_hours_on_the_home_page(client, db, minga_coop, make_user, make_member, login):
    set_rules(db, minga_coop, starts_on=dt.date(2026, 1, 1))
    user = make_user(coop=minga_coop, roles=["member"])
    ana = make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    db.rollback()
    db.get(type(ana), ana.id).user_id = user.id
    db.commit()
    login(client, user)
    home = text_of(client.get(f"/c/{minga_coop.slug}/"))
    assert "8 h" in home


def test_a_member_reads_on_their_minga_page_what_the_household_worked_and_still_owes(client, db, minga_coop,
                                                                                    make_user, make_member, login):
    from coop import calendar
    set_rules(db, minga_coop, starts_on=dt.date(2026, 1, 1))
    user = make_user(coop=minga_coop, roles=["member"])
    quishpe = household(db, minga_coop, "Familia Quishpe")
    ana = make_member(minga_coop, household=quishpe)
    luis = make_member(minga_coop, given_names="Luis", household=quishpe)
    db.rollback()
    db.get(type(ana), ana.id).user_id = user.id
    db.commit()
    today = calendar.today_in(minga_coop)
    work(db, minga_coop, luis, today.replace(day=1), 180, where=commission(db, minga_coop))  # her husband's 3 h
    login(client, user)
    page = text_of(client.get(f"{base(minga_coop)}/me"))
    assert "3 h trabajadas de 8 h" in page
    assert "5 h faltantes" in page


def test_the_statement_page_shows_work_credited_as_capital_beside_the_money(client, db, minga_coop, make_user,
                                                                           make_member, login):
    from minga import closing
    set_rules(db, minga_coop, owed_minutes=0, fine_per_hour_minor=0, capital_rate_minor=400,
              starts_on=dt.date(2026, 9, 1))
    ana = make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    building = commission(db, minga_coop, "Construcción", is_capital_work=True)
    for day in (5, 12, 19):
        work(db, minga_coop, ana, dt.date(2026, 9, day), 480, where=building)
    with client.application.test_request_context():
        db.rollback()
        closing.close_period(db, None, minga_coop, dt.date(2026, 9, 1), today=dt.date(2026, 10, 20))
        db.commit()
    login(client, make_user(coop=minga_coop, roles=["treasurer"]))
    page = client.get(f"/c/{minga_coop.slug}/books/members/{ana.id}/statement?start=2026-10-01&end=2026-10-31")
    assert "Aporte en trabajo acreditado como capital: 24 h = $96,00" in text_of(page)


def test_the_treasurer_reverses_a_fine_on_the_journal_page_and_the_close_shows_it(client, db, minga_coop,
                                                                                  make_user, make_member, login):
    from minga import closing
    set_rules(db, minga_coop, starts_on=dt.date(2026, 9, 1))
    make_member(minga_coop, household=household(db, minga_coop, "Familia Quishpe"))
    with client.application.test_request_context():
        db.rollback()
        close = closing.close_period(db, None, minga_coop, dt.date(2026, 9, 1), today=dt.date(2026, 10, 20))
        db.commit()
    [fine] = db.scalars(sa.select(Charge).where(Charge.source == EntrySource.FINE))
    login(client, make_user(coop=minga_coop, roles=["treasurer"]))
    reversed_page = client.post(f"/c/{minga_coop.slug}/books/journal/{fine.entry_id}/reverse", data={
        "entry_date": "2026-10-21", "reason": "Trabajó en la comisión de fiestas: acta 12"})
    assert reversed_page.status_code == 302
    db.rollback()
    assert db.get(Charge, fine.id).is_void
    shown = text_of(client.get(f"{base(minga_coop)}/closes/{close.id}"))
    assert "revertido" in shown or "reversed" in shown
