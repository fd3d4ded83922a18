"""The demo co-op's observatory: last year's participatory budget decided and carried out, this
year's open for support, and questions on the books in every state, held together as the
services keep them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from coop import demo
from coop.auth import services as auth
from coop.auth.models import User
from coop.calendar import today_in, utc_to_local
from coop.numbering import CoopCounter
from ledger.models import Expense, ExpenseStatus, JournalEntry, Posting
from ledger.services import closed_month_starts
from meetings.models import AgendaItem, Meeting, MeetingStatus, Motion, MotionStatus, Resolution
from meetings.observatory.models import (BallotChannel, BallotChoice, BlockResult, BudgetTieRule, ObservatorySettings,
                                         Office, ParticipatoryBudget, Proposal, ProposalStatus, Question,
                                         QuestionEvent, QuestionFollower, QuestionStatus, SubjectKind, SupportBallot,
                                         SupportRule, WorkExpenseLink, WorkPackage, WorkSessionLink, WorkStatus,
                                         WorkUpdate)
from meetings.observatory.phases import Phase, phase_of
from meetings.observatory.pb_results import count_process
from meetings.observatory.questions import search_words
from meetings.observatory.trace import package_trace
from members.models import Member
from minga.models import Attendance, AttendanceStatus
from tests.conftest import log_in

SOCIA = "socia@quebrada-verde.example"


def processes(db, coop) -> list[ParticipatoryBudget]:
    return db.scalars(sa.select(ParticipatoryBudget).where(ParticipatoryBudget.coop_id == coop.id)
                      .order_by(ParticipatoryBudget.year)).all()


def socia(db, coop) -> Member:
    user = auth.user_by_email(db, SOCIA)
    return db.scalar(sa.select(Member).where(Member.coop_id == coop.id, Member.user_id == user.id))


def funded_by_the_bylaws(process: ParticipatoryBudget) -> tuple[list[Proposal], int]:
    """Most supported first, the cheaper first on a tie; each funded while it fits."""
    left, funded = process.amount_minor, []
    feasible = [p for p in process.proposals if p.status is ProposalStatus.FEASIBLE]
    for proposal in sorted(feasible, key=lambda p: (-p.supports, p.final_cost_minor)):
        if proposal.final_cost_minor <= left:
            funded.append(proposal)
            left -= proposal.final_cost_minor
    return funded, left


def test_the_coop_keeps_its_settings_and_two_participatory_budgets_one_decided_one_open(demo_db, demo_coop):
    settings = demo_db.scalar(sa.select(ObservatorySettings).where(ObservatorySettings.coop_id == demo_coop.id))
    assert settings.answer_days == 30 and not settings.is_budget_public
    assert settings.tie_rule is BudgetTieRule.CHEAPER_FIRST

    today = today_in(demo_coop)
    last, current = processes(demo_db, demo_coop)
    assert (last.year, current.year) == (today.year - 1, today.year)
    assert phase_of(last, today) is Phase.DECIDED and phase_of(current, today) is Phase.SUPPORT
    assert current.support_opens_on < today < current.support_closes_on
    assert 5 <= (current.support_closes_on - today).days <= 10
    assert last.rule is current.rule is SupportRule.KNAPSACK
    assert (last.amount_minor, current.amount_minor) == (1_200_000, 1_500_000)
    assert last.account_id == current.account_id

    # last year's was decided by a carried motion of last year's ordinary assembly, in its dates' order
    motion = demo_db.get(Motion, last.motion_id)
    resolution = demo_db.get(Resolution, last.resolution_id)
    assert motion.status is MotionStatus.CARRIED and resolution.motion_id == motion.id
    assert resolution.meeting_id == last.meeting_id == motion.meeting_id
    assert last.blocks_close_on < resolution.decided_on
    assert "presupuesto participativo" in demo_db.get(AgendaItem, motion.item_id).title.lower()
    # this year's goes to the coming ordinary assembly, after the block assemblies
    coming = demo_db.get(Meeting, current.meeting_id)
    assert coming.status is MeetingStatus.CONVENED and current.resolution_id is None
    assert current.blocks_close_on < utc_to_local(demo_coop, coming.first_call_dt).date()

    for process, proposals, not_feasible in ((last, 8, 2), (current, 12, 2)):
        assert [p.number for p in process.proposals] == list(range(1, proposals + 1))
        refused = [p for p in process.proposals if p.status is ProposalStatus.NOT_FEASIBLE]
        assert len(refused) == not_feasible and all(p.review_reason for p in refused)
        assert all(p.supports == 0 for p in refused)
        assert any(p.cost_minor is not None and p.cost_minor != p.estimated_cost_minor for p in process.proposals)
    costs = [p.final_cost_minor for p in current.proposals]
    assert 80_000 <= min(costs) and max(costs) <= 600_000
    assert {p.block for p in current.proposals} >= set("ABCD")


def test_every_counter_equals_its_rows_and_every_ballot_fits_the_amount(demo_db, demo_coop):
    secretary = auth.user_by_email(demo_db, "secretaria@quebrada-verde.example")
    for process in processes(demo_db, demo_coop):
        ballots = demo_db.scalars(sa.select(SupportBallot).where(SupportBallot.process_id == process.id)).all()
        assert process.ballots_count == len(ballots)
        chosen = dict(demo_db.execute(
            sa.select(BallotChoice.proposal_id, sa.func.count()).join(SupportBallot).where(
                SupportBallot.process_id == process.id).group_by(BallotChoice.proposal_id)).all())
        assert {p.id: p.supports for p in process.proposals} == {p.id: chosen.get(p.id, 0) for p in process.proposals}
        costs = {p.id: p.final_cost_minor for p in process.proposals}
        for ballot in ballots:
            assert ballot.choices and ballot.total_cost_minor == sum(costs[c.proposal_id] for c in ballot.choices)
            assert ballot.total_cost_minor <= process.amount_minor
        paper = [b for b in ballots if b.channel is BallotChannel.PAPER]
        phone = [b for b in ballots if b.channel is BallotChannel.PHONE]
        assert paper and phone
        assert all(b.entered_by_id == secretary.id for b in paper) and all(b.entered_by_id is None for b in phone)
        # a phone ballot comes from a member who has an account to log in with
        with_account = set(demo_db.scalars(sa.select(Member.id).where(Member.user_id.is_not(None))))
        assert {b.member_id for b in phone} <= with_account
    last, current = processes(demo_db, demo_coop)
    assert last.ballots_count >= 150 and current.ballots_count >= 30

    results = demo_db.scalars(sa.select(BlockResult).where(BlockResult.process_id == last.id)).all()
    assert {r.block for r in results} == {"A", "B"}
    assert all(0 <= r.supports <= r.present for r in results)


def test_last_years_result_is_explained_and_its_three_funded_proposals_became_work(demo_db, demo_coop):
    last, _current = processes(demo_db, demo_coop)
    funded, left = funded_by_the_bylaws(last)
    assert len(funded) == 3 and left >= 0
    counted = count_process(demo_db, demo_coop, last)  # as the results' page counts it
    assert [line.candidate.id for line in counted.funded] == [p.id for p in funded]
    assert counted.leftover_minor == left
    assert all(p.title in last.result_text for p in funded)
    assert all(f"P-{p.number} {p.title}" in last.result_text for p in funded)
    assert "100,00" in last.result_text  # what is left, as the co-op writes amounts

    packages = demo_db.scalars(sa.select(WorkPackage).where(WorkPackage.coop_id == demo_coop.id)
                               .order_by(WorkPackage.id)).all()
    assert [p.proposal_id for p in packages] == [p.id for p in funded]
    assert all(p.resolution_id == last.resolution_id and p.account_id == last.account_id for p in packages)
    assert [p.voted_minor for p in packages] == [p.final_cost_minor for p in funded]
    assert [p.commission_id for p in packages] == [p.commission_id for p in funded]
    finished = [p for p in packages if p.status is WorkStatus.FINISHED]
    assert len(finished) == 1 and finished[0].progress_pct == 100 and finished[0].finished_on is not None
    assert sorted(p.progress_pct for p in packages if p.status is not WorkStatus.FINISHED) == [10, 60]

    for package in packages:
        # hours: Minga sessions of its commission, with attendance
        sessions = demo_db.scalars(sa.select(WorkSessionLink.session_id).where(
            WorkSessionLink.package_id == package.id)).all()
        assert sessions
        minutes = demo_db.scalar(sa.select(sa.func.sum(Attendance.minutes)).where(
            Attendance.session_id.in_(sessions), Attendance.status == AttendanceStatus.PRESENT))
        assert minutes > 0
        # money: paid expenses with their receipt, and what the ledger posted to the package's account
        linked = demo_db.scalars(sa.select(Expense).join(WorkExpenseLink, WorkExpenseLink.expense_id == Expense.id)
                                 .where(WorkExpenseLink.package_id == package.id)).all()
        assert linked and all(e.status is ExpenseStatus.PAID and e.attachment_name for e in linked)
        assert all(e.account_id == package.account_id for e in linked)
        posted = demo_db.scalar(sa.select(sa.func.sum(Posting.amount_minor)).where(
            Posting.entry_id.in_([e.paid_entry_id for e in linked]), Posting.account_id == package.account_id))
        assert posted == sum(e.amount_minor for e in linked) <= package.voted_minor
        assert package_trace(demo_db, demo_coop, package).spent_minor == posted  # as the trace page reads it
        assert package.updates and package.updates[-1].progress_pct == package.progress_pct
    photos = demo_db.scalar(sa.select(sa.func.count()).select_from(WorkUpdate).where(
        WorkUpdate.coop_id == demo_coop.id, WorkUpdate.photo_name != ""))
    assert 1 <= photos <= 2


def test_the_works_bills_were_paid_over_the_months_the_works_ran(demo_db, demo_coop):
    """Not all in the last two open months: the books' old months close after every package posted."""
    rows = demo_db.execute(sa.select(WorkPackage, JournalEntry.entry_date)
                           .join(WorkExpenseLink, WorkExpenseLink.package_id == WorkPackage.id)
                           .join(Expense, Expense.id == WorkExpenseLink.expense_id)
                           .join(JournalEntry, JournalEntry.id == Expense.paid_entry_id)
                           .where(WorkPackage.coop_id == demo_coop.id)).all()
    assert len({paid.replace(day=1) for _package, paid in rows}) >= 4
    for package, paid in rows:
        assert utc_to_local(demo_coop, package.created_dt).date() <= paid <= today_in(demo_coop)
        if package.finished_on is not None:
            assert paid <= package.finished_on
    closed = closed_month_starts(demo_db, demo_coop)
    assert any(paid.replace(day=1) in closed for _package, paid in rows)  # since closed, as the books' old months are
    assert len(closed) >= 20


def test_the_demo_member_has_not_supported_this_years_proposals_yet(demo_db, demo_coop, demo_client):
    _last, current = processes(demo_db, demo_coop)
    # those who supported by phone log in with the demo's password, as she does
    voter = demo_db.scalar(sa.select(Member).join(SupportBallot, SupportBallot.member_id == Member.id).where(
        SupportBallot.process_id == current.id, SupportBallot.channel == BallotChannel.PHONE,
        Member.user_id.is_not(None)).order_by(Member.number).limit(1))
    assert log_in(demo_client, demo_db.get(User, voter.user_id).email, demo.DEMO_PASSWORD).status_code == 302
    ana = socia(demo_db, demo_coop)
    assert demo_db.scalar(sa.select(SupportBallot.id).where(SupportBallot.process_id == current.id,
                                                            SupportBallot.member_id == ana.id)) is None
    assert any(p.proposer_id == ana.id and p.block == "B" for p in current.proposals)


def test_questions_are_in_every_state_with_a_history_that_agrees(demo_db, demo_coop):
    today = today_in(demo_coop)
    questions = demo_db.scalars(sa.select(Question).where(Question.coop_id == demo_coop.id)
                                .order_by(Question.year, Question.number)).all()
    assert {q.status for q in questions} == set(QuestionStatus)
    for year in {q.year for q in questions}:
        numbers = [q.number for q in questions if q.year == year]
        assert numbers == list(range(1, len(numbers) + 1))
        assert demo_db.scalar(sa.select(CoopCounter.last_value).where(
            CoopCounter.coop_id == demo_coop.id, CoopCounter.series == f"question-{year}")) == len(numbers)
    steps = {QuestionStatus.SUBMITTED: ["submitted"], QuestionStatus.REJECTED: ["submitted", "rejected"],
             QuestionStatus.ACCEPTED: ["submitted", "accepted"],
             QuestionStatus.ANSWERED: ["submitted", "accepted", "answered"],
             QuestionStatus.ASSESSED: ["submitted", "accepted", "answered", "assessed"]}
    for question in questions:
        kinds = [e.kind for e in question.events if e.kind not in ("reminded", "sent_to_assembly")]
        assert kinds == steps[question.status], question.title
        assert question.search_text == " ".join(search_words(f"{question.title} {question.body} {question.answer}"))
        if question.status not in (QuestionStatus.SUBMITTED, QuestionStatus.REJECTED):
            accepted_on = utc_to_local(demo_coop, question.decided_dt).date()
            assert question.due_on == accepted_on + dt.timedelta(days=30), question.title
    subjects = {q.subject_kind for q in questions}
    assert {SubjectKind.EXPENSE, SubjectKind.BUDGET_LINE, SubjectKind.RESOLUTION, SubjectKind.WORK_PACKAGE,
            SubjectKind.DUES_PLAN, SubjectKind.GENERAL} <= subjects

    rejected = next(q for q in questions if q.status is QuestionStatus.REJECTED)
    assert "datos personales" in rejected.rejection_reason
    accepted = [q for q in questions if q.status is QuestionStatus.ACCEPTED]
    overdue = [q for q in accepted if q.due_on < today]
    assert len(overdue) == 1 and any(q.due_on >= today for q in accepted)
    assert overdue[0].reminded_on is not None and "reminded" in [e.kind for e in overdue[0].events]

    # the demo member asked about an expense, was answered, and may now assess the answer
    ana = socia(demo_db, demo_coop)
    hers = [q for q in questions if q.asker_id == ana.id]
    assert any(q.subject_kind is SubjectKind.EXPENSE and q.status is QuestionStatus.ANSWERED and q.answer
               for q in hers)
    # an expense of a work package is asked about
    package_bills = set(demo_db.scalars(sa.select(WorkExpenseLink.expense_id)))
    assert any(q.expense_id in package_bills for q in questions)

    assessed = [q for q in questions if q.status is QuestionStatus.ASSESSED]
    assert {q.is_satisfactory for q in assessed} == {True, False}
    sent = next(q for q in assessed if q.is_satisfactory is False)
    item = demo_db.get(AgendaItem, sent.agenda_item_id)
    coming = demo_db.get(Meeting, item.meeting_id)
    assert coming.status is MeetingStatus.CONVENED and sent.reference in item.title
    assert "sent_to_assembly" in [e.kind for e in sent.events]
    assert any(q.is_name_hidden for q in questions)
    assert any(q.office is Office.COMMISSION and q.commission_id for q in questions)

    followers = demo_db.scalars(sa.select(QuestionFollower).where(QuestionFollower.coop_id == demo_coop.id)).all()
    assert any(f.is_me_too for f in followers)
    assert {q.id for q in questions} == {f.question_id for f in followers if
                                         f.member_id == demo_db.get(Question, f.question_id).asker_id}
    assert demo_db.scalar(sa.select(sa.func.count()).select_from(QuestionEvent).where(
        QuestionEvent.coop_id == demo_coop.id)) >= len(questions) * 2
