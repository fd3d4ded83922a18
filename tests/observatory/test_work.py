"""What became of it: work packages opened for resolutions, the Minga sessions and expenses linked to
them, progress reports with photos, and the trace's figures, which agree with the books."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coop import tasks
from coop.audit import AuditEvent
from coop.tenancy import Coop
from ledger.models import Expense, Posting
from meetings.observatory import printing_accountability, trace
from meetings.observatory import work as works
from meetings.observatory.models import WorkPackage, WorkSessionLink, WorkStatus, WorkUpdate
from tests.observatory.conftest import account, refusal
from tests.observatory.work_factories import (JPEG, PNG, make_commission, make_package, make_resolution,  # noqa: F401
                                              make_work_session, paid_expense)


@pytest.fixture
def secretary(make_user, obs_coop):
    return make_user(coop=obs_coop, roles=["secretary"])


def facts(db, coop, resolution=None, **fields) -> works.PackageFacts:
    values = {"title": "Cerramiento de la cancha", "description": "Malla y postes alrededor de la cancha del bloque C.",
              "account": account(db, coop, "1.2.03"), "voted_minor": 480_000, "commission": None,
              "resolution": resolution}
    values.update(fields)
    return works.PackageFacts(**values)


def test_the_secretary_opens_a_work_package_for_a_resolution_and_it_is_in_the_audit_trail(
        db, ctx, obs_coop, secretary, make_resolution, make_commission):
    resolution = make_resolution(obs_coop, "Cerrar la cancha del bloque C")
    commission = make_commission(obs_coop)
    db.rollback()
    coop = db.merge(obs_coop)
    package = works.create_work_package(db, db.merge(secretary), coop,
                                        facts(db, coop, db.merge(resolution), commission=db.merge(commission)))
    db.commit()
    assert (package.title, package.voted_minor, package.status, package.progress_pct) == (
        "Cerramiento de la cancha", 480_000, WorkStatus.PLANNED, 0)
    assert package.resolution_id == resolution.id and package.commission_id == commission.id
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "observatory.work.create"))
    assert event.object_id == package.id and event.details["resolution"] == resolution.reference


def test_a_package_missing_its_resolution_title_line_and_amount_is_refused_with_every_reason(
        db, ctx, obs_coop, secretary):
    db.rollback()
    coop = db.merge(obs_coop)
    problems = refusal(works.create_work_package, db, db.merge(secretary), coop,
                       facts(db, coop, None, title="  ", account=None, voted_minor=None))
    assert set(problems) == {"resolution", "title", "account", "voted"}
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(WorkPackage.id))) == 0


def test_another_coops_resolution_account_or_commission_cannot_be_named(
        db, ctx, obs_coop, secretary, make_coop, make_resolution, make_commission):
    from tests.minga.conftest import coop_with_books
    other = coop_with_books(db, make_coop, "vecina")
    their_resolution = make_resolution(other, "Decisión ajena")
    their_commission = make_commission(other, "Comisión ajena")
    db.rollback()
    coop = db.merge(obs_coop)
    problems = refusal(works.create_work_package, db, db.merge(secretary), coop,
                       facts(db, coop, db.merge(their_resolution), account=account(db, db.merge(other), "1.2.03"),
                             commission=db.merge(their_commission)))
    assert set(problems) == {"resolution", "account", "commission"}


def test_finished_work_says_the_day_it_finished_and_progress_stays_a_percentage(
        db, ctx, obs_coop, secretary, make_resolution, make_package):
    package = make_package(obs_coop, make_resolution(obs_coop))
    db.rollback()
    coop, package = db.merge(obs_coop), db.get(WorkPackage, package.id)
    problems = refusal(works.edit_work_package, db, db.merge(secretary), coop, package, facts(db, coop),
                       status=WorkStatus.FINISHED, progress_pct=101, finished_on=None)
    assert set(problems) == {"progress", "finished_on"}
    db.rollback()
    package = db.get(WorkPackage, package.id)
    changes = works.edit_work_package(db, db.merge(secretary), coop, package, facts(db, coop),
                                      status=WorkStatus.FINISHED, progress_pct=100, finished_on=dt.date(2027, 2, 27))
    db.commit()
    assert package.status == WorkStatus.FINISHED and package.finished_on == dt.date(2027, 2, 27)
    assert changes["status"] == ["planned", "finished"] and changes["progress_pct"] == [0, 100]


def test_a_minga_session_counts_for_one_work_package_and_the_refusal_names_the_other(
        db, ctx, obs_coop, secretary, make_resolution, make_package, make_commission, make_work_session):
    resolution = make_resolution(obs_coop)
    park = make_package(obs_coop, resolution, title="Parque del bloque A")
    school = make_package(obs_coop, resolution, title="Aulas de la escuela")
    minga = make_work_session(obs_coop, make_commission(obs_coop), "Minga de limpieza")
    db.rollback()
    coop = db.merge(obs_coop)
    works.link_session(db, db.merge(secretary), coop, db.get(WorkPackage, park.id), db.merge(minga))
    db.commit()
    problems = refusal(works.link_session, db, db.merge(secretary), coop, db.get(WorkPackage, school.id),
                       db.merge(minga))
    assert problems == {"session": "The session “Minga de limpieza” already counts for the work package "
                                   "“Parque del bloque A”."}
    db.rollback()
    assert db.scalars(sa.select(WorkSessionLink.package_id)).all() == [park.id]
    works.unlink_session(db, db.merge(secretary), coop, db.get(WorkPackage, park.id), minga.id)
    works.link_session(db, db.merge(secretary), coop, db.get(WorkPackage, school.id), db.merge(minga))
    db.commit()
    assert db.scalars(sa.select(WorkSessionLink.package_id)).all() == [school.id]


def test_only_the_coops_approved_or_paid_expenses_are_linked_and_each_to_one_package(
        db, ctx, obs_coop, secretary, make_coop, make_resolution, make_package, paid_expense, make_commission,
        make_work_session):
    from tests.minga.conftest import coop_with_books
    resolution = make_resolution(obs_coop)
    park = make_package(obs_coop, resolution, title="Parque del bloque A")
    school = make_package(obs_coop, resolution, title="Aulas de la escuela")
    bill = paid_expense(obs_coop, amount_minor=80_000, supplier="Viveros Pichincha")
    other = coop_with_books(db, make_coop, "vecina")
    theirs = paid_expense(other, amount_minor=10_000)
    their_session = make_work_session(other, make_commission(other, "Ajena"))
    db.rollback()
    coop, actor = db.merge(obs_coop), db.merge(secretary)
    works.link_expense(db, actor, coop, db.get(WorkPackage, park.id), db.get(Expense, bill.id))
    db.commit()
    assert refusal(works.link_expense, db, actor, coop, db.get(WorkPackage, school.id), db.get(Expense, bill.id)) == {
        "expense": f"Expense no. {bill.id} (Viveros Pichincha) already counts for the work package “Parque del bloque A”."}
    db.rollback()
    assert "expense" in refusal(works.link_expense, db, actor, coop, db.get(WorkPackage, school.id),
                                db.get(Expense, theirs.id))
    assert "session" in refusal(works.link_session, db, actor, coop, db.get(WorkPackage, school.id),
                                db.merge(their_session))
    db.rollback()
    pending = Expense(coop_id=coop.id, expense_date=dt.date(2027, 2, 1), supplier="Pendiente", description="x",
                      account_id=account(db, coop, "1.2.03").id, amount_minor=5_000)
    db.add(pending)
    db.commit()
    assert refusal(works.link_expense, db, actor, coop, db.get(WorkPackage, school.id), pending) == {
        "expense": "Only an approved or paid expense is linked to a work package."}


def test_a_progress_report_with_a_photo_moves_planned_work_under_way(
        db, ctx, obs_coop, secretary, make_resolution, make_package):
    package = make_package(obs_coop, make_resolution(obs_coop))
    db.rollback()
    coop, package = db.merge(obs_coop), db.get(WorkPackage, package.id)
    update = works.report_progress(db, db.merge(secretary), coop, package, text="Se fundieron los plintos.",
                                   progress_pct=30, photo=("../fotos/plintos.jpeg", PNG))
    db.commit()
    assert (package.status, package.progress_pct) == (WorkStatus.UNDER_WAY, 30)
    assert (update.photo_name, update.photo_type) == ("plintos.png", "image/png")
    assert works.photo_of(db, coop, package.id, update.id).photo == PNG


@pytest.mark.parametrize("photo, message", [
    (("foto.jpg", b"not a picture at all"), "Attach a photo in JPEG or PNG."),
    (("foto.jpg", JPEG + b"\x00" * 150_000), "The photo is 0.2 MB; the limit is 0.1 MB."),
])
def test_a_photo_is_recognised_by_its_bytes_and_kept_within_the_limit_or_nothing_is_saved(
        db, ctx, app, obs_coop, secretary, make_resolution, make_package, photo, message, monkeypatch):
    monkeypatch.setitem(app.config, "OBSERVATORY_PHOTO_MAX_BYTES", 100_000)
    package = make_package(obs_coop, make_resolution(obs_coop), progress_pct=10)
    db.rollback()
    coop, package = db.merge(obs_coop), db.get(WorkPackage, package.id)
    assert refusal(works.report_progress, db, db.merge(secretary), coop, package, text="Avance",
                   progress_pct=50, photo=photo) == {"photo": message}
    db.rollback()
    assert db.get(WorkPackage, package.id).progress_pct == 10
    assert db.scalar(sa.select(sa.func.count(WorkUpdate.id))) == 0


def test_hours_are_minga_counted_minutes_by_the_sessions_commission(
        db, obs_coop, make_member, make_resolution, make_package, make_commission, make_work_session):
    members = [make_member(obs_coop) for _ in range(4)]
    parks, builders = make_commission(obs_coop, "Parques"), make_commission(obs_coop, "Construcción")
    first = make_work_session(obs_coop, parks, worked=[(members[0], "present", 240), (members[1], "present", 180),
                                                       (members[2], "absent", 0), (members[3], "excused", 0)])
    second = make_work_session(obs_coop, builders, "Minga de construcción", day=dt.date(2027, 1, 23),
                               worked=[(members[0], "present", 120)])
    package = make_package(obs_coop, make_resolution(obs_coop), sessions=[first, second])
    db.rollback()
    found = trace.package_trace(db, db.merge(obs_coop), db.get(WorkPackage, package.id))
    assert [(h.name, h.minutes) for h in found.hours] == [("Construcción", 120), ("Parques", 420)]
    assert found.minutes == 540
    sessions = trace.package_sessions(db, db.merge(obs_coop), db.get(WorkPackage, package.id))
    assert [(s.title, s.people, s.minutes) for s in sessions] == [("Minga del parque", 2, 420),
                                                                  ("Minga de construcción", 1, 120)]


def test_what_a_package_spent_is_what_the_books_posted_and_the_totals_add_up(
        db, obs_coop, make_resolution, make_package, paid_expense, make_process, make_proposal, make_member):
    process = make_process(obs_coop, year=2026, proposals_opens_on=dt.date(2026, 1, 4),
                           proposals_closes_on=dt.date(2026, 1, 31), review_closes_on=dt.date(2026, 2, 28),
                           support_opens_on=dt.date(2026, 3, 1), support_closes_on=dt.date(2026, 3, 15),
                           blocks_close_on=dt.date(2026, 3, 31))
    decision = make_resolution(obs_coop, "Presupuesto participativo 2026: obras financiadas")
    db.rollback()
    db.get(type(process), process.id).resolution_id = decision.id
    db.commit()
    proposer = make_member(obs_coop)
    swings = make_proposal(process, proposer, title="Juegos infantiles")
    lights = make_proposal(process, proposer, title="Alumbrado del pasaje")
    bills = [paid_expense(obs_coop, amount_minor=amount, day=dt.date(2027, 2, day))
             for amount, day in ((123_456, 3), (78_900, 4), (45_000, 5))]
    unpaid = paid_expense(obs_coop, amount_minor=99_999, pay=False)
    play = make_package(obs_coop, decision, proposal=swings, title="Juegos infantiles", voted_minor=250_000,
                        expenses=bills[:2] + [unpaid])
    light = make_package(obs_coop, decision, proposal=lights, title="Alumbrado", voted_minor=100_000,
                         expenses=bills[2:])
    other = make_package(obs_coop, make_resolution(obs_coop, "Reparar el techo de la casa comunal"),
                         title="Techo de la casa comunal", code="5.3", voted_minor=30_000)
    db.rollback()
    coop = db.get(Coop, obs_coop.id)
    fund = account(db, coop, "1.2.03")
    for package, paid in ((play, bills[:2]), (light, bills[2:])):
        posted = db.scalar(sa.select(sa.func.sum(Posting.amount_minor)).where(
            Posting.entry_id.in_([db.get(Expense, e.id).paid_entry_id for e in paid]), Posting.account_id == fund.id))
        assert trace.package_trace(db, coop, db.get(WorkPackage, package.id)).spent_minor == posted
    assert trace.package_trace(db, coop, db.get(WorkPackage, play.id)).spent_minor == 123_456 + 78_900
    report = trace.accountability(db, coop)
    [group] = report.processes
    assert group.process.id == process.id and group.resolution.id == decision.id
    assert [t.package.title for t in group.rows] == ["Juegos infantiles", "Alumbrado"]
    assert (group.totals.voted_minor, group.totals.spent_minor) == (350_000, 123_456 + 78_900 + 45_000)
    assert [t.package.id for g in report.others for t in g.rows] == [other.id]
    every = [t for g in report.processes + report.others for t in g.rows]
    assert report.totals.voted_minor == sum(t.voted_minor for t in every) == 380_000
    assert report.totals.spent_minor == sum(t.spent_minor for t in every) == 247_356
    assert report.totals.difference_minor == 380_000 - 247_356
    play_row = group.rows[0]
    assert [(e.amount_minor, e.spent_minor) for e in play_row.expenses] == [(123_456, 123_456), (78_900, 78_900),
                                                                             (99_999, 0)]


def test_the_accountability_pdf_prints_every_decision_with_its_totals(
        app, db, obs_coop, secretary, make_resolution, make_package, paid_expense):
    bill = paid_expense(obs_coop, amount_minor=61_250, supplier="Vidriería Andina")
    make_package(obs_coop, make_resolution(obs_coop, "Arreglar las ventanas de la escuela"),
                 title="Ventanas de la escuela", voted_minor=70_000, expenses=[bill], progress_pct=80,
                 status=WorkStatus.UNDER_WAY)
    db.rollback()
    with app.test_request_context():
        task = printing_accountability.request_accountability(db, db.merge(obs_coop), db.merge(secretary), locale="en")
        db.commit()
    assert tasks.run_task(app, task.id) == tasks.TaskStatus.DONE
    db.rollback()
    done = db.get(tasks.Task, task.id)
    assert done.filename.startswith("rendicion-de-cuentas-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(done.content)).pages)
    text = " ".join(text.split())
    assert "What became of the decisions" in text
    assert "Ventanas de la escuela" in text and "Arreglar las ventanas de la escuela" in text
    assert "Vidriería Andina" in text and "612.50" in text and "700.00" in text and "87.50" in text
    assert "Under way, 80 %" in text
