"""The ballots' pages as members and the secretary use them: a member chooses proposals within the
amount from their phone and sees their ballot afterwards; the secretary enters paper ballots and
the block assemblies' tallies; results are explained in words."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import calendar
from meetings.observatory import ballots
from meetings.observatory.models import BallotChannel, ParticipatoryBudget, Proposal, SupportBallot, WorkPackage
from tests.conftest import field_error, flashes, text_of
from tests.observatory.ballot_factories import (budget_with_proposals, carry, cast,  # noqa: F401
                                               make_assembly, phase_dates)


@pytest.fixture
def today(obs_coop):
    return calendar.today_in(obs_coop)


@pytest.fixture
def member_user(db, obs_coop, make_member, make_user, login, client):
    """Ana, a member whose user is logged in on ``client``."""
    ana = make_member(obs_coop, given_names="Ana")
    user = make_user("ana@example.org", coop=obs_coop, roles=["member"], locale="en")
    db.rollback()
    db.merge(ana).user_id = user.id
    db.commit()
    login(client, user)
    return ana


@pytest.fixture
def secretary(obs_coop, make_user, login, client):
    login(client, make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"], locale="en"))


def base(process) -> str:
    return f"/c/observatorio/observatory/budgets/{process.id}"


def ids(*proposals) -> list[str]:
    return [str(p.id) for p in proposals]


def ballots_of(db, process) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(SupportBallot)
                     .where(SupportBallot.process_id == process.id))


def test_a_member_adds_up_their_choice_sends_it_and_sees_it_afterwards(client, db, member_user, budget_with_proposals,
                                                                       today):
    process, (park, lights, wall, clinic) = budget_with_proposals(**phase_dates(today, "support"))
    page = client.get(f"{base(process)}/ballot")
    assert page.status_code == 200
    assert "P-3 Muro de contención de la quebrada · $6,500.00" in text_of(page)
    assert "The proposals chosen may cost together at most $10,000.00." in text_of(page)
    added = client.post(f"{base(process)}/ballot", data={"proposals": ids(park, wall), "check": "1"})
    assert added.status_code == 200
    assert "You chose 2 proposals for $10,500.00 of $10,000.00." in text_of(added)
    assert ballots_of(db, process) == 0
    over = client.post(f"{base(process)}/ballot", data={"proposals": ids(park, wall)})
    assert over.status_code == 422
    assert field_error(over, "proposals") == "You chose $10,500.00 of $10,000.00: take out proposals until they fit."
    assert "You chose 2 proposals for $10,500.00 of $10,000.00." in text_of(over)
    sent = client.post(f"{base(process)}/ballot", data={"proposals": ids(park, lights, clinic)}, follow_redirects=True)
    assert flashes(sent) == ["Your ballot is recorded: 3 proposals for $9,500.00."]
    assert "You have already taken part" in text_of(sent)
    assert "P-2 Alumbrado del pasaje · $3,000.00" in text_of(sent) and "Muro" not in text_of(sent)
    assert "Together: $9,500.00." in text_of(sent)


def test_a_second_submission_from_another_tab_changes_nothing(client, db, member_user, budget_with_proposals, today):
    process, (park, lights, wall, clinic) = budget_with_proposals(**phase_dates(today, "support"))
    client.post(f"{base(process)}/ballot", data={"proposals": ids(park)})
    again = client.post(f"{base(process)}/ballot", data={"proposals": ids(wall)})
    assert again.status_code == 422
    assert "You have already taken part" in text_of(again)
    db.rollback()
    assert ballots_of(db, process) == 1
    assert db.scalars(sa.select(Proposal.supports).where(Proposal.process_id == process.id)
                      .order_by(Proposal.number)).all() == [1, 0, 0, 0]
    assert db.get(ParticipatoryBudget, process.id).ballots_count == 1


def test_a_user_not_linked_to_a_member_is_told_to_ask_for_a_paper_ballot(client, obs_coop, make_user, login,
                                                                         budget_with_proposals, today):
    process, _proposals = budget_with_proposals(**phase_dates(today, "support"))
    login(client, make_user("visita@example.org", coop=obs_coop, roles=["member"], locale="en"))
    page = client.get(f"{base(process)}/ballot")
    assert "Your account is not linked to a member of this co-op" in text_of(page)
    assert 'type="checkbox"' not in page.get_data(as_text=True)


def test_after_support_closes_the_phone_ballot_is_closed(client, member_user, budget_with_proposals, today):
    process, _proposals = budget_with_proposals(**phase_dates(today, "blocks"))
    page = client.get(f"{base(process)}/ballot")
    assert "Ballots are taken from" in text_of(page) and 'type="checkbox"' not in page.get_data(as_text=True)


def test_the_secretary_enters_paper_ballots_and_is_told_of_one_who_voted_by_phone(
        client, db, obs_coop, make_member, secretary, budget_with_proposals, today):
    process, (park, lights, wall, clinic) = budget_with_proposals(**phase_dates(today, "blocks"))
    luis, marta = make_member(obs_coop, given_names="Luis"), make_member(obs_coop, given_names="Marta")
    page = client.get(f"{base(process)}/paper-ballots")
    assert page.status_code == 200 and "Enter a paper ballot" in text_of(page)
    sent = client.post(f"{base(process)}/paper-ballots", data={"member": str(luis.number), "proposals": ids(wall)},
                       follow_redirects=True)
    assert flashes(sent) == [f"The paper ballot of member no. {luis.number}, {luis.full_name}, is recorded: "
                             "1 proposal for $6,500.00."]
    db.rollback()
    db.add(SupportBallot(coop_id=obs_coop.id, process_id=process.id, member_id=marta.id,
                         channel=BallotChannel.PHONE, total_cost_minor=400_000,
                         created_dt=calendar.local_to_utc(obs_coop, dt.datetime(2026, 11, 20, 9, 30))))
    db.commit()
    refused = client.post(f"{base(process)}/paper-ballots", data={"member": str(marta.number), "proposals": ids(park)})
    assert refused.status_code == 422
    assert field_error(refused, "member") == (f"Member no. {marta.number} has already taken part: their ballot came "
                                              "by phone on 20 Nov 2026, 09:30. Nothing was saved.")
    unknown = client.post(f"{base(process)}/paper-ballots", data={"member": "99999", "proposals": ids(park)})
    assert field_error(unknown, "member") == "No member has the number 99999."
    assert ballots_of(db, process) == 2


def test_a_member_may_not_enter_paper_ballots(client, member_user, budget_with_proposals, today):
    process, _proposals = budget_with_proposals(**phase_dates(today, "support"))
    assert client.get(f"{base(process)}/paper-ballots").status_code == 403
    assert client.get(f"{base(process)}/blocks").status_code == 403
    assert client.get(f"{base(process)}/decision").status_code == 403


def test_members_see_results_after_support_closes_with_the_blocks_voice(
        client, db, obs_coop, make_member, make_user, login, budget_with_proposals, today):
    process, (park, lights, wall, clinic) = budget_with_proposals(**phase_dates(today, "blocks"))
    for pick in ([wall, lights], [wall], [park, clinic], [park], [wall, clinic]):
        cast(db, obs_coop, process, make_member(obs_coop), pick, channel=BallotChannel.PAPER, today=today)
    db.rollback()
    ballots.enter_block_result(db, None, db.merge(obs_coop), db.merge(process), block="B", meeting_id=None, present=30,
                               supports={park.id: 21, wall.id: 9}, today=today)
    db.commit()
    login(client, make_user("socio@example.org", coop=obs_coop, roles=["member"], locale="en"))
    page = text_of(client.get(f"{base(process)}/results"))
    # the sentence writes its amounts as the tables beside it do, with the currency's sign
    assert ("2 proposals are funded for $9,000.00 of $10,000.00; $1,000.00 is left. In order: P-3 Muro de "
            "contención de la quebrada (3 supports); P-4 Botiquín comunitario (2 supports).") in page
    assert "Funded $9,000.00" in page and "Left over $1,000.00" in page
    # P-1 and P-4 tie at 2 supports: the cheaper P-4 first, and then P-1 no longer fits
    assert "Not funded: P-1 (did not fit: $1,000.00 left); P-2 (did not fit: $1,000.00 left)." in page
    assert "Rule: knapsack: each ballot chooses proposals up to the amount available" in page
    assert "Ties: equal support: the cheaper proposal first (equal cost: the lower number)." in page
    assert "Block B" in page and "21/30" in page
    assert "they do not change the ballots' count" in page


def test_members_wait_for_support_to_close_while_officers_follow_the_live_count(
        app, client, db, obs_coop, make_member, make_user, login, budget_with_proposals, today):
    process, (park, *_rest) = budget_with_proposals(**phase_dates(today, "support"))
    cast(db, obs_coop, process, make_member(obs_coop), [park], today=today)
    login(client, make_user("socio@example.org", coop=obs_coop, roles=["member"], locale="en"))
    assert "The results are shown once support closes" in text_of(client.get(f"{base(process)}/results"))
    office = app.test_client()
    login(office, make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"], locale="en"))
    live = text_of(office.get(f"{base(process)}/results"))
    assert "Live count" in live and "1 proposal is funded for $4,000.00 of $10,000.00" in live


def test_the_secretary_enters_a_block_tally_and_is_stopped_over_those_present(
        client, db, obs_coop, secretary, budget_with_proposals, today):
    process, (park, lights, wall, clinic) = budget_with_proposals(**phase_dates(today, "blocks"))
    page = client.get(f"{base(process)}/blocks")
    assert page.status_code == 200 and "P-1 Juegos infantiles en el parque" in text_of(page)
    over = client.post(f"{base(process)}/blocks", data={"block": "C", "meeting": "", "present": "12",
                                                         f"support-{park.id}": "13"})
    assert over.status_code == 422
    assert field_error(over, f"support-{park.id}") == "13 supports, but only 12 people were present."
    sent = client.post(f"{base(process)}/blocks", data={"block": "C", "meeting": "", "present": "12",
                                                         f"support-{park.id}": "10", f"support-{wall.id}": "2"},
                       follow_redirects=True)
    assert flashes(sent) == ["Block C's result is recorded: 12 people present."]
    assert "C 12 12" in text_of(sent)


def test_the_secretary_puts_the_result_to_the_assembly_and_records_the_decision_once_it_carried(
        client, db, obs_coop, make_member, secretary, budget_with_proposals, today):
    process, (park, lights, wall, clinic) = budget_with_proposals(**phase_dates(today, "assembly"))
    db.rollback()
    db.execute(sa.update(Proposal).where(Proposal.id.in_([wall.id, lights.id])).values(supports=3))
    db.commit()
    carmen = make_member(obs_coop, given_names="Carmen")
    assembly = make_assembly(db, obs_coop)
    page = client.get(f"{base(process)}/decision")
    assert page.status_code == 200 and "Asamblea general ordinaria abril 2027" in text_of(page)
    not_yet = client.post(f"{base(process)}/decision", data={"step": "record"})
    assert not_yet.status_code == 422 and "Put the result to a general assembly first." in text_of(not_yet)
    put = client.post(f"{base(process)}/decision", data={"step": "put", "meeting": str(assembly.id),
                                                          "proposer": str(carmen.number)}, follow_redirects=True)
    assert flashes(put) == ["The result is on the order of the day as the motion "
                            "“Presupuesto participativo 2027: the result”."]
    assert "The decision is recorded once the motion has carried and become a resolution." in text_of(put)
    waiting = client.post(f"{base(process)}/decision", data={"step": "record"})
    assert "The assembly has not carried the motion yet (it is: proposed)" in text_of(waiting)
    resolution = carry(db, process)
    recorded = client.post(f"{base(process)}/decision", data={"step": "record"}, follow_redirects=True)
    assert flashes(recorded) == ["The decision is recorded: 2 work packages opened."]
    assert f"Decided by resolution {resolution.reference}." in text_of(recorded)
    assert "Alumbrado del pasaje · $3,000.00" in text_of(recorded)
    twice = client.post(f"{base(process)}/decision", data={"step": "record"})
    assert "The decision is already recorded." in text_of(twice)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(WorkPackage)) == 2
