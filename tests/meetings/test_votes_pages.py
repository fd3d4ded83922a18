"""The votes' pages as people use them: the secretary records a motion, puts it to the vote, records
votes by number and closes it; a member votes from the phone, for themselves and for the proxy they
hold, once. Everyone logs in through the real form (in English: the strings compared are the
msgids, whatever the catalogue holds)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g, render_template
from flask_login import login_user

from meetings.models import Choice, MeetingStatus, MotionStatus, Resolution, Vote, VoteRound, VotingMode
from tests.conftest import field_error, flashes, once, once_key_of, text_of
from meetings import voting
from tests.meetings.votes_factories import NOW, give_proxy, hall, open_vote, propose  # noqa: F401  (fixture)


def base(hall) -> str:
    return f"/c/{hall.coop.slug}/meetings/{hall.meeting.id}"


@pytest.fixture
def secretary(client, hall, make_user, login):
    user = make_user("secretaria@example.org", coop=hall.coop, roles=["secretary"], name="Rosa Pilco", locale="en")
    login(client, user)
    return user


@pytest.fixture
def voter(db, hall, make_user):
    """The user of the first member in the hall (who may hold a proxy)."""
    def factory(index=0):
        member = hall.members[index]
        user = make_user(f"socio{index}@example.org", coop=hall.coop, roles=["member"], locale="en")
        db.rollback()
        db.merge(member).user_id = user.id
        db.commit()
        return user
    return factory


def test_the_secretary_records_a_motion_puts_it_to_a_named_vote_and_closes_it(client, db, hall, secretary):
    page = client.get(f"{base(hall)}/items/{hall.item.id}/motions")
    assert page.status_code == 200 and "No motions on this item yet." in text_of(page)
    sent = client.post(f"{base(hall)}/items/{hall.item.id}/motions", follow_redirects=True, data={
        "once_key": once_key_of(page), "title": "Arreglar la vía", "text": "Se arregla la vía de acceso.",
        "proposer": str(hall.members[0].number), "seconder": str(hall.members[1].number), "majority": "simple",
        "amends": ""})
    assert flashes(sent) == ["The motion “Arreglar la vía” is recorded."]
    assert "Seconded" in text_of(sent) and "Se arregla la vía de acceso." in text_of(sent)
    motion_id = int(sent.request.path.rsplit("/", 1)[1])
    opened = client.post(f"{base(hall)}/motions/{motion_id}/vote", data={"mode": "named"}, follow_redirects=True)
    assert flashes(opened) == ["The vote on “Arreglar la vía” is open."]
    round_url = opened.request.path
    for entry in hall.present[:5]:
        recorded = client.post(f"{round_url}/votes", data={"number": str(entry.number), "choice": "yes"},
                               follow_redirects=True)
        assert flashes(recorded) == [f"The vote of {entry.number} {entry.name} is recorded."]
    again = client.post(f"{round_url}/votes", data={"number": str(hall.present[0].number), "choice": "no"})
    assert again.status_code == 400
    assert field_error(again, "number") == f"{hall.present[0].name} has already voted in this vote."
    absent = client.post(f"{round_url}/votes", data={"number": str(hall.absent[0].number), "choice": "no"})
    assert "is not checked in" in field_error(absent, "number")
    closed = client.post(f"{round_url}/close", data={"casting_vote": ""}, follow_redirects=True)
    outcome = "Carried: 5 in favour, 0 against, 0 abstentions; 3 were required (more than half of the votes cast)"
    assert flashes(closed) == [outcome]
    assert outcome in text_of(client.get(f"{base(hall)}/motions/{motion_id}"))
    db.rollback()
    assert db.scalar(sa.select(Resolution.title)) == "Arreglar la vía"


def test_the_motion_form_shows_every_mistake_beside_its_field(client, hall, secretary):
    page = client.get(f"{base(hall)}/items/{hall.item.id}/motions")
    refused = client.post(f"{base(hall)}/items/{hall.item.id}/motions", data={
        "once_key": once_key_of(page), "title": "Arreglar la vía", "text": "Se arregla.",
        "proposer": "999999", "seconder": "", "majority": "simple", "amends": ""})
    assert field_error(refused, "proposer") == "There is no member number 999999."
    words = client.post(f"{base(hall)}/items/{hall.item.id}/motions", data={
        "once_key": once_key_of(page), "title": "Arreglar la vía", "text": "Se arregla.",
        "proposer": "uno", "majority": "simple", "amends": ""})
    assert field_error(words, "proposer") == "Type a member number, such as 1024."


def test_a_show_of_hands_above_the_hall_is_refused_beside_the_field(client, db, hall, secretary):
    vote_round = open_vote(db, hall, propose(db, hall), VotingMode.HANDS)
    url = f"{base(hall)}/rounds/{vote_round.id}"
    refused = client.post(f"{url}/totals", data={"yes": "7", "no": "2", "abstain": "0"})
    assert field_error(refused, "yes") == ("These totals add up to 9, more than the 8 voters present and represented "
                                           "when the vote opened.")
    entered = client.post(f"{url}/totals", data={"yes": "6", "no": "2", "abstain": "0"}, follow_redirects=True)
    assert flashes(entered) == ["The totals are entered: close the vote to count them."]
    closed = client.post(f"{url}/close", data={}, follow_redirects=True)
    assert flashes(closed)[0].startswith("Carried: 6 in favour, 2 against, 0 abstentions")


def test_opening_a_vote_without_quorum_says_so(client, db, hall, secretary):
    motion = propose(db, hall)
    for entry in hall.present[2:]:
        entry.is_present = False
    db.commit()
    page = client.get(f"{base(hall)}/motions/{motion.id}/vote")
    assert "2 present and represented, 6 required · no quorum" in text_of(page)
    refused = client.post(f"{base(hall)}/motions/{motion.id}/vote", data={"mode": "hands"})
    assert ("There is no quorum: 2 present and represented, 6 required. A vote cannot open without quorum."
            in text_of(refused))
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(VoteRound)) == 0


def test_a_member_votes_from_the_phone_for_themselves_and_their_proxy_once(client, db, hall, voter, login):
    give_proxy(db, hall, hall.absent[0], hall.present[0])
    vote_round = open_vote(db, hall, propose(db, hall))
    login(client, voter(0))
    url = f"{base(hall)}/rounds/{vote_round.id}/ballot"
    page = client.get(url)
    text = text_of(page)
    assert "Your vote" in text and f"Vote for {hall.absent[0].name} (proxy)" in text and "Abstain" in text
    # the choice comes only from the button pressed: three buttons on each of the two ballots
    assert page.get_data(as_text=True).count('name="choice"') == 6
    own_key = once_key_of(page)
    voted = client.post(url, data={"once_key": own_key, "voter": str(hall.present[0].id), "choice": "yes"},
                        follow_redirects=True)
    assert flashes(voted) == ["Your vote is cast: Yes."]
    assert "You have voted." in text_of(voted)
    proxy_form = once_key_of(voted)
    by_proxy = client.post(url, data={"once_key": proxy_form, "voter": str(hall.absent[0].id), "choice": "no"},
                           follow_redirects=True)
    assert flashes(by_proxy) == [f"The vote of {hall.absent[0].name} (by proxy) is cast: No."]
    double_tap = client.post(url, data={"once_key": own_key, "voter": str(hall.present[0].id), "choice": "yes"},
                             follow_redirects=True)
    assert flashes(double_tap) == ["This form was already sent and applied; it was not applied a second time."]
    second = client.post(url, data={**once(), "voter": str(hall.present[0].id), "choice": "no"},
                         follow_redirects=True)
    assert flashes(second) == ["You have already voted."]
    db.rollback()
    assert sorted((v.voter_id, v.choice, v.by_proxy_id) for v in db.scalars(sa.select(Vote))) == sorted(
        [(hall.present[0].id, Choice.YES, None), (hall.absent[0].id, Choice.NO, hall.present[0].id)])


def test_a_member_votes_only_for_themselves_and_the_proxies_they_hold(client, db, hall, voter, login):
    vote_round = open_vote(db, hall, propose(db, hall), VotingMode.SECRET)
    login(client, voter(0))
    url = f"{base(hall)}/rounds/{vote_round.id}/ballot"
    other = client.post(url, data={**once(), "voter": str(hall.present[1].id), "choice": "yes"},
                        follow_redirects=True)
    assert flashes(other) == ["You may vote only for yourself and for the proxies you hold."]
    secret = client.post(url, data={**once(), "voter": str(hall.present[0].id), "choice": "no"},
                         follow_redirects=True)
    assert flashes(secret) == ["Your secret ballot is cast. Thank you."]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0


def test_an_absent_member_is_told_to_check_in_and_gets_no_buttons(client, db, hall, voter, login):
    vote_round = open_vote(db, hall, propose(db, hall))
    login(client, voter(9))
    page = client.get(f"{base(hall)}/rounds/{vote_round.id}/ballot")
    assert "You are not checked in: ask at the door, then vote here." in text_of(page)
    assert 'name="choice"' not in page.get_data(as_text=True)


def test_a_member_cannot_open_the_secretarys_page_of_a_vote(client, db, hall, voter, login):
    vote_round = open_vote(db, hall, propose(db, hall))
    login(client, voter(0))
    assert client.get(f"{base(hall)}/rounds/{vote_round.id}").status_code == 403
    assert client.post(f"{base(hall)}/rounds/{vote_round.id}/close").status_code == 403


def test_the_meeting_page_partial_offers_the_open_vote_with_the_proxies(app, db, hall, voter):
    give_proxy(db, hall, hall.absent[0], hall.present[0])
    vote_round = open_vote(db, hall, propose(db, hall))
    user = voter(0)
    with app.test_request_context(f"{base(hall)}/rounds/{vote_round.id}/ballot"):
        g.coop = hall.coop
        login_user(user)
        html = render_template("meetings/_member_vote.html", meeting=hall.meeting)
    assert "Aprobar el presupuesto 2027" in html and "Vote now" in html and "and 1 proxy" in html
    assert f"/rounds/{vote_round.id}/ballot" in html


def test_a_motion_page_shows_every_version_and_the_state_form(client, db, hall, secretary):
    motion = propose(db, hall)
    moved = client.post(f"{base(hall)}/motions/{motion.id}/status", data={"status": "in_debate"},
                        follow_redirects=True)
    assert flashes(moved) == ["The motion is now in debate."]
    db.rollback()
    assert db.get(type(motion), motion.id).status == MotionStatus.IN_DEBATE
    # a motion of one version shows its text without numbering it
    assert "Se aprueba el presupuesto 2027." in text_of(moved) and "Version 1" not in text_of(moved)



def test_an_amended_motion_shows_both_versions_the_current_first(client, db, hall, secretary):
    motion = propose(db, hall)
    amendment = propose(db, hall, title="Bajar la cuota a 20 dólares", text="Se aprueba con cuota de 20.",
                        amends=motion)
    vote_round = open_vote(db, hall, amendment, VotingMode.HANDS)
    voting.enter_totals(db, None, hall.coop, vote_round, yes=6, no=2, abstain=0)
    voting.close_round(db, None, hall.coop, vote_round, now=NOW)
    db.commit()
    page = text_of(client.get(f"{base(hall)}/motions/{motion.id}"))
    assert page.index("Version 2 (current)") < page.index("Se aprueba con cuota de 20.") < page.index("Version 1")
    assert "Made by a carried amendment." in page

def test_members_do_not_read_the_motions_of_a_meeting_still_in_draft(client, db, hall, voter, login):
    motion = propose(db, hall)
    hall.meeting.status = MeetingStatus.DRAFT
    db.commit()
    login(client, voter(0))
    assert client.get(f"{base(hall)}/motions/{motion.id}").status_code == 404
