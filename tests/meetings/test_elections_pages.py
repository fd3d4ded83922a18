"""The secretary keeps the offices and runs an election at the assembly; a member votes from the
phone. Everyone logs in through the real form and reads the pages in English.

No test here holds a request context of its own (the ``ctx`` fixture): the test client would run
every request inside it, sharing one ``g`` and one database session between requests."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from coop import tasks
from meetings import election_result, elections, offices
from meetings.models import (BallotReceipt, Call, Election, ElectionStatus, MeetingStatus, OfficeTerm, PositionBody,
                             VotingMode)
from tests.conftest import field_error, flashes, once_key_of, text_of
from tests.meetings.test_elections_printing import read


@pytest.fixture
def secretary(assembly_coop, make_user):
    return make_user("secretaria@example.org", coop=assembly_coop, roles=["secretary"], locale="en")


@pytest.fixture
def board(db, assembly_coop):
    position = offices.add_position(db, None, assembly_coop, offices.PositionData(
        name="Consejo de vigilancia", body=PositionBody.OVERSIGHT, seats=1, alternates=1, term_months=12))
    db.commit()
    return position


@pytest.fixture
def sitting(db, assembly_coop, make_meeting, make_roll, make_members):
    members = make_members(assembly_coop, 5)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION, call=Call.FIRST)
    roll = make_roll(meeting, members, present=True)
    return meeting, members, roll


def url(coop, path="") -> str:
    return f"/c/{coop.slug}/meetings{path}"


def test_the_secretary_adds_an_office_and_sees_bad_input_beside_its_field(client, login, assembly_coop, secretary):
    login(client, secretary)
    page = client.post(url(assembly_coop, "/positions"), data={
        "name": "Representante", "body": "representative", "block": "", "seats": "2", "alternates": "1",
        "term_months": "24", "is_active": "y"})
    assert "name it" in field_error(page, "block")
    page = client.post(url(assembly_coop, "/positions"), data={
        "name": "Representante del bloque B", "body": "representative", "block": "B", "seats": "2",
        "alternates": "1", "term_months": "24", "is_active": "y"}, follow_redirects=True)
    assert "The office Representante del bloque B is added." in flashes(page)
    assert "Representante del bloque B" in text_of(page)


def test_the_secretary_runs_a_paper_election_to_its_result(client, db, login, assembly_coop, secretary, board,
                                                          sitting):
    meeting, members, _ = sitting
    login(client, secretary)
    form = client.get(url(assembly_coop, f"/{meeting.id}/elections/new"))
    page = client.post(url(assembly_coop, f"/{meeting.id}/elections/new"), data={
        "once_key": once_key_of(form), "position": str(board.id), "item": ""}, follow_redirects=True)
    assert "The election of Consejo de vigilancia is called: put the candidates forward." in flashes(page)
    db.rollback()
    election = db.scalar(sa.select(Election).where(Election.meeting_id == meeting.id))
    base = url(assembly_coop, f"/{meeting.id}/elections/{election.id}")
    page = client.post(base + "/candidates", data={"member": "999999"})
    assert page.status_code == 422 and "There is no member with this number." in field_error(page, "member")
    for member in members[:3]:
        client.post(base + "/candidates", data={"member": str(member.number)})
    page = client.post(base + "/open", data={"mode": "hands"}, follow_redirects=True)
    assert "Voting is open." in flashes(page)
    db.rollback()
    ids = {c.member_id: c.id for c in db.get(Election, election.id).candidates}
    page = client.post(base + "/totals", data={f"c{ids[members[0].id]}": "9", f"c{ids[members[1].id]}": "1",
                                              f"c{ids[members[2].id]}": "0"})
    assert page.status_code == 422 and "more votes than the 5 voters" in text_of(page)
    client.post(base + "/totals", data={f"c{ids[members[0].id]}": "4", f"c{ids[members[1].id]}": "1",
                                       f"c{ids[members[2].id]}": "0"})
    page = client.post(base + "/close", follow_redirects=True)
    assert "The round is counted and the election decided." in flashes(page)
    assert "Recorded as resolution" in text_of(page)
    db.rollback()
    terms = db.scalars(sa.select(OfficeTerm).where(OfficeTerm.election_id == election.id)).all()
    assert {(t.member_id, t.is_alternate) for t in terms} == {(members[0].id, False), (members[1].id, True)}
    register = client.get(url(assembly_coop, f"/offices?position={board.id}"))
    assert members[0].full_name in text_of(register) and "(alternate)" in text_of(register)


def test_an_election_is_reached_only_through_its_own_meeting(client, db, login, assembly_coop, secretary, board,
                                                             sitting, make_meeting):
    meeting, members, _ = sitting
    other = make_meeting(assembly_coop, title="Asamblea extraordinaria")
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    db.commit()
    login(client, secretary)
    assert client.get(url(assembly_coop, f"/{meeting.id}/elections/{election.id}")).status_code == 200
    assert client.get(url(assembly_coop, f"/{other.id}/elections/{election.id}")).status_code == 404


def test_a_member_votes_from_the_phone_once(client, db, login, make_user, assembly_coop, board, sitting):
    meeting, members, roll = sitting
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    for member in members[:3]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.SECRET, now=election.created_dt)
    db.commit()
    user = make_user("rosa@example.org", coop=assembly_coop, roles=["member"], locale="en")
    db.merge(members[4]).user_id = user.id
    db.commit()
    login(client, user)
    ballot_url = url(assembly_coop, f"/{meeting.id}/elections/{election.id}/ballot")
    page = client.get(ballot_url)
    assert "Your ballot" in text_of(page) and members[1].full_name in text_of(page)
    candidate_ids = [c.id for c in election.candidates]
    key = once_key_of(page)
    too_many = client.post(ballot_url, data={"once_key": key, "voter": str(roll[4].id),
                                             "candidates": [str(i) for i in candidate_ids]})
    assert "Choose at most 1 candidate." in text_of(too_many)
    page = client.post(ballot_url, data={"once_key": key, "voter": str(roll[4].id),
                                         "candidates": [str(candidate_ids[1])]}, follow_redirects=True)
    assert "Your ballot is cast. It is secret: nobody can see whom it chose." in flashes(page)
    assert "You have no ballot left to cast in this round." in text_of(page)
    again = client.post(ballot_url, data={"once_key": key, "voter": str(roll[4].id),
                                          "candidates": [str(candidate_ids[0])]}, follow_redirects=True)
    assert any("already sent" in message for message in flashes(again))
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(BallotReceipt)) == 1
    assert db.get(Election, election.id).status == ElectionStatus.VOTING
    # a member cannot open the secretary's forms
    assert client.post(url(assembly_coop, f"/{meeting.id}/elections/{election.id}/close")).status_code == 403


def test_members_read_the_register_but_cannot_end_a_term(client, db, login, make_user, make_members, assembly_coop,
                                                          secretary, board):
    (ana,) = make_members(assembly_coop, 1)
    term = offices.record_term(db, None, assembly_coop, position=board, member=db.merge(ana),
                               starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2030, 12, 31))
    db.commit()
    reader = make_user("socio@example.org", coop=assembly_coop, roles=["member"], locale="en")
    login(client, reader)
    page = client.get(url(assembly_coop, "/offices"))
    assert ana.full_name in text_of(page) and "End the term early" not in text_of(page)
    assert client.post(url(assembly_coop, f"/offices/{term.id}/end"),
                       data={"left_on": "2027-01-01", "reason": "x"}).status_code == 403
    client.post("/logout")
    login(client, secretary)
    page = client.post(url(assembly_coop, f"/offices/{term.id}/end"),
                       data={"left_on": "2027-01-01", "reason": "Renuncia"}, follow_redirects=True)
    assert "Renuncia" in text_of(page)
    db.rollback()
    assert db.get(OfficeTerm, term.id).left_reason == "Renuncia"


def test_the_meeting_page_block_offers_the_ballots_a_member_can_cast(app, db, make_user, assembly_coop, board,
                                                                      sitting):
    from flask import render_template
    from flask_login import login_user

    meeting, members, roll = sitting
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    elections.add_candidate(db, None, assembly_coop, election, members[0])
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.SECRET, now=election.created_dt)
    db.commit()
    user = make_user("luis@example.org", coop=assembly_coop, roles=["member"], locale="en")
    db.merge(members[2]).user_id = user.id
    db.commit()
    with app.test_request_context(url(assembly_coop, f"/{meeting.id}")):
        app.preprocess_request()
        login_user(user)
        html = render_template("meetings/_member_election.html", meeting=meeting)
    assert f"/elections/{election.id}/ballot" in html and "Vote: Consejo de vigilancia" in html
    assert "Call an election" not in html


def test_a_member_absent_or_without_a_vote_is_told_why_there_is_no_ballot(client, db, login, make_user,
                                                                         assembly_coop, board, sitting):
    meeting, members, roll = sitting
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    elections.add_candidate(db, None, assembly_coop, election, members[0])
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.SECRET, now=election.created_dt)
    db.commit()
    user = make_user("pedro@example.org", coop=assembly_coop, roles=["member"], locale="en")
    db.merge(members[3]).user_id = user.id
    db.merge(roll[3]).is_present = False
    db.commit()
    login(client, user)
    ballot_url = url(assembly_coop, f"/{meeting.id}/elections/{election.id}/ballot")
    assert "you can vote once the secretary has checked you in" in text_of(client.get(ballot_url))
    db.rollback()
    entry = db.merge(roll[3])
    entry.is_present, entry.may_vote, entry.ineligible_reason = True, False, "Aportes en mora más de 3 meses"
    db.commit()
    page = text_of(client.get(ballot_url))
    assert "You are on the roll without a vote. Aportes en mora más de 3 meses" in page and "Your ballot" not in page


def test_the_secretary_draws_lots_for_a_tie_when_the_bylaws_say_so(client, db, login, assembly_coop, secretary,
                                                                   board, sitting):
    from meetings.models import TieRule
    from meetings.rules import rules_of

    meeting, members, _ = sitting
    rules_of(db, assembly_coop).election_tie_rule = TieRule.LOT
    election = elections.new_election(db, None, assembly_coop, meeting, position=board, alternates=0)
    for member in members[:2]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=election.created_dt)
    elections.enter_totals(db, None, assembly_coop, election, {c.id: 2 for c in election.candidates})
    db.commit()
    login(client, secretary)
    base = url(assembly_coop, f"/{meeting.id}/elections/{election.id}")
    page = client.post(base + "/close", follow_redirects=True)
    assert "The round is counted: a tie must be settled." in flashes(page) and "Draw lots" in text_of(page)
    page = client.post(base + "/tie", follow_redirects=True)
    assert "The lot is drawn." in flashes(page) and "Recorded as resolution" in text_of(page)
    again = client.post(base + "/tie", follow_redirects=True)
    assert "This election has no tie to settle." in flashes(again)
    db.rollback()
    assert len(db.scalars(sa.select(OfficeTerm).where(OfficeTerm.election_id == election.id)).all()) == 1


def test_the_secretary_changes_an_office(client, db, login, assembly_coop, secretary, board):
    login(client, secretary)
    page = client.get(url(assembly_coop, f"/positions/{board.id}"))
    assert 'value="Consejo de vigilancia"' in page.get_data(as_text=True)
    page = client.post(url(assembly_coop, f"/positions/{board.id}"), data={
        "name": "Consejo de vigilancia", "body": "oversight", "block": "", "seats": "3", "alternates": "2",
        "term_months": "36"}, follow_redirects=True)
    assert "The office Consejo de vigilancia is saved." in flashes(page)
    db.rollback()
    position = db.get(type(board), board.id)
    assert (position.seats, position.alternates, position.term_months, position.is_active) == (3, 2, 36, False)


# --- printed documents ------------------------------------------------------------------------------

def _printed(app, client, address: str, data: dict | None = None) -> tuple[str, int]:
    """Press a print button: the document is queued, and once the worker ran the task's page gives the PDF's
    text (without spaces) and its number of pages."""
    response = client.post(address, data=data or {})
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"], response.status_code
    tasks.run_waiting(app)
    done = client.get(response.headers["Location"])
    assert done.mimetype == "application/pdf", text_of(done)
    text, pages = read(done.data)
    return text, len(pages)


def test_the_secretary_prints_as_many_paper_ballots_as_she_asks_for(app, client, db, login, make_user, assembly_coop,
                                                                   secretary, board, sitting):
    meeting, members, _ = sitting
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    for member in members[:3]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    db.commit()
    base = url(assembly_coop, f"/{meeting.id}/elections/{election.id}")
    login(client, secretary)
    assert "Print the paper ballots" not in text_of(client.get(base))  # the candidates may still change
    early = client.post(base + "/ballots.pdf", data={"count": "5"}, follow_redirects=True)
    assert "Paper ballots are printed while a round on paper is open: its candidates are then fixed." in flashes(early)
    db.rollback()
    elections.open_election(db, None, assembly_coop, db.merge(election), mode=VotingMode.HANDS, now=election.created_dt)
    db.commit()
    page = client.get(base)
    count_input = re.search(r'<input[^>]*name="count"[^>]*>', page.get_data(as_text=True)).group(0)
    assert "Print the paper ballots" in text_of(page) and 'value="5"' in count_input  # one for each voter present
    refused = client.post(base + "/ballots.pdf", data={"count": "999"})
    assert refused.status_code == 422 and "Print between 1 and 15 ballots" in field_error(refused, "count")
    text, pages = _printed(app, client, base + "/ballots.pdf", {"count": "7"})
    assert pages == 2 and text.count("Markupto1personwithanX.") == 7
    client.post("/logout")
    member = make_user("socia@example.org", coop=assembly_coop, roles=["member"], locale="en")
    login(client, member)
    assert "Print the paper ballots" not in text_of(client.get(base))
    assert client.post(base + "/ballots.pdf", data={"count": "5"}).status_code == 403


def test_members_print_the_count_record_of_a_decided_election_and_not_another_coops(
        app, client, db, login, make_user, make_coop, make_meeting, assembly_coop, secretary, board, sitting):
    meeting, members, _ = sitting
    election = elections.new_election(db, None, assembly_coop, meeting, position=board)
    for member in members[:2]:
        elections.add_candidate(db, None, assembly_coop, election, member)
    elections.open_election(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=election.created_dt)
    elections.enter_totals(db, None, assembly_coop, election, {c.id: n + 2 for n, c in enumerate(election.candidates)})
    db.commit()
    base = url(assembly_coop, f"/{meeting.id}/elections/{election.id}")
    reader = make_user("socio@example.org", coop=assembly_coop, roles=["member"], locale="en")
    login(client, reader)
    assert "Print the count record" not in text_of(client.get(base))
    refused = client.post(base + "/count.pdf", follow_redirects=True)
    assert "The count record is printed once the election is decided." in flashes(refused)
    db.rollback()
    election_result.close_election(db, None, assembly_coop, db.merge(election), now=election.created_dt)
    db.commit()
    assert "Print the count record" in text_of(client.get(base))
    text, _pages = _printed(app, client, base + "/count.pdf")
    assert "Countrecord:Consejodevigilancia" in text and "PresidentSecretary" in text
    # another co-op's election, reached through this co-op's pages: not found
    other = make_coop("otra")
    db.rollback()
    theirs = make_meeting(other, status=MeetingStatus.IN_SESSION, call=Call.FIRST)
    position = offices.add_position(db, None, other, offices.PositionData(name="Consejo", body=PositionBody.BOARD))
    their_election = elections.new_election(db, None, other, db.merge(theirs), position=position)
    db.commit()
    assert client.post(url(assembly_coop, f"/{meeting.id}/elections/{their_election.id}/count.pdf")).status_code == 404
    assert client.post(url(assembly_coop, f"/{theirs.id}/elections/{their_election.id}/count.pdf")).status_code == 404


def test_everyone_prints_the_register_of_offices_as_the_page_filters_it(app, client, db, login, make_user,
                                                                        make_members, assembly_coop, board):
    ana, luis = make_members(assembly_coop, 2)
    for member, start in ((ana, dt.date(2020, 1, 1)), (luis, dt.date(2024, 1, 1))):
        offices.record_term(db, None, assembly_coop, position=board, member=db.merge(member), starts_on=start,
                            ends_on=start + dt.timedelta(days=700))
    db.commit()
    login(client, make_user("socio@example.org", coop=assembly_coop, roles=["member"], locale="en"))
    page = client.get(url(assembly_coop, "/offices?on=2024-06-01"))
    assert "Print the register (PDF)" in text_of(page)
    assert url(assembly_coop, "/offices.pdf?on=2024-06-01") in page.get_data(as_text=True)
    text, _pages = _printed(app, client, url(assembly_coop, "/offices.pdf?on=2024-06-01"))
    assert "".join(luis.full_name.split()) in text and "".join(ana.full_name.split()) not in text
    assert "InofficeonJune1,2024·1term" in text
