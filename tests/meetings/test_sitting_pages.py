"""The secretary at the door of the assembly, on her phone, through the real pages: she finds
members by number or name and checks them in with one tap, opens the meeting once quorum is
there, puts an item under debate, records proxies (and is told what is wrong with a bad one),
and the hall screen shows it all to the room, reloading itself. A member reads the hall screen
and their own proxy, but not the check-in page."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import g, render_template_string
from flask_babel import force_locale
from flask_login import login_user

from meetings import proxies, sitting
from meetings.models import AgendaItem, Meeting, MeetingStatus, Proxy, QuorumEvent, RollEntry
from meetings.rules import rules_of
from tests.conftest import field_error, flashes, once_key_of, text_of


@pytest.fixture
def door(db, assembly_coop, make_meeting, make_roll, make_member, make_user):
    """A convened assembly whose first call was an hour ago; four voters on the roll; the secretary."""
    people = [make_member(assembly_coop, given_names=given, family_names=family) for given, family in
              (("Rosa", "Guamán"), ("Luis", "Quishpe"), ("Rocío", "Tipán"), ("Ana", "Caiza"))]
    outsider = make_member(assembly_coop, given_names="Pedro", family_names="Chiluisa")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    meeting = make_meeting(assembly_coop, day=(now - dt.timedelta(days=1)).date(), first=dt.time(9), second=dt.time(10))
    entries = make_roll(meeting, people)
    secretary = make_user("secretaria@example.org", coop=assembly_coop, roles=["secretary"], name="María Secretaria",
                          locale="en")
    member = make_user("rosa@example.org", coop=assembly_coop, roles=["member"], name="Rosa Guamán", locale="en")
    db.rollback()
    db.get(type(people[0]), people[0].id).user_id = member.id
    db.commit()
    base = f"/c/{assembly_coop.slug}/meetings/{meeting.id}"
    return {"coop": assembly_coop, "meeting": meeting, "entries": entries, "people": people, "outsider": outsider,
            "secretary": secretary, "member": member, "base": base}


def check_in(client, door, index, **options):
    return client.post(f"{door['base']}/checkin", data={"entry": door["entries"][index].id, "action": "in", "q": "x"},
                       **options)


def test_the_secretary_finds_a_member_and_checks_them_in_with_one_tap(client, db, door, login):
    login(client, door["secretary"])
    page = client.get(f"{door['base']}/checkin", query_string={"q": "guaman"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rosa Guamán" in text_of(page) and "Luis Quishpe" not in text_of(page)
    assert 'name="viewport"' in html and 'value="in"' in html and "autofocus" in html
    done = check_in(client, door, 0)
    assert done.status_code == 302 and "q=" not in done.headers["Location"]  # empty, ready for the next person
    after = client.get(done.headers["Location"])
    assert flashes(after) == ["Rosa Guamán is in."]
    assert "1 person checked in" in text_of(after)
    by_number = client.get(f"{door['base']}/checkin", query_string={"q": str(door["people"][0].number)})
    assert "Here since" in text_of(by_number) and 'value="out"' in by_number.get_data(as_text=True)
    again = client.get(check_in(client, door, 0).headers["Location"])
    assert flashes(again) == ["Rosa Guamán is already checked in."]
    db.rollback()
    assert db.get(RollEntry, door["entries"][0].id).is_present


def test_a_member_not_on_the_roll_is_named_as_such(client, door, login):
    login(client, door["secretary"])
    page = client.get(f"{door['base']}/checkin", query_string={"q": str(door["outsider"].number)})
    assert f"No. {door['outsider'].number}, Pedro Chiluisa, is not on this meeting's roll." in text_of(page)
    assert "Nobody on the roll matches “nadie”." in text_of(
        client.get(f"{door['base']}/checkin", query_string={"q": "nadie"}))


def test_the_meeting_opens_on_its_call_with_quorum_and_the_history_shows_it(client, db, door, login):
    login(client, door["secretary"])
    check_in(client, door, 0, follow_redirects=True)
    refused = client.post(f"{door['base']}/open", data={"call": "first"}, follow_redirects=True)
    assert flashes(refused) == ["There is no quorum for the first call: 3 voters are needed and 1 are present or "
                                "represented (2 missing)."]
    check_in(client, door, 1, follow_redirects=True)
    check_in(client, door, 2, follow_redirects=True)
    opened = client.post(f"{door['base']}/open", data={"call": "first"}, follow_redirects=True)
    assert flashes(opened) == ["The meeting is open on the first call, with 3 voters present or represented."]
    assert "Reached" in text_of(opened) and "Quorum reached." in text_of(opened)
    db.rollback()
    assert db.get(Meeting, door["meeting"].id).status is MeetingStatus.IN_SESSION
    assert db.scalar(sa.select(sa.func.count()).select_from(QuorumEvent)) == 1


def test_the_item_under_debate_goes_on_the_hall_screen(client, db, door, login):
    db.rollback()
    item = AgendaItem(coop_id=door["coop"].id, meeting_id=door["meeting"].id, position=2, title="Presupuesto 2027")
    db.add(item)
    db.commit()
    login(client, door["secretary"])
    for index in range(3):
        check_in(client, door, index, follow_redirects=True)
    client.post(f"{door['base']}/open", data={"call": "second"}, follow_redirects=True)
    page = client.get(f"{door['base']}/quorum")
    assert "Presupuesto 2027" in text_of(page) and "Show on the hall screen" in text_of(page)
    chosen = client.post(f"{door['base']}/current", data={"item": item.id}, follow_redirects=True)
    assert flashes(chosen) == ["Under debate now: Presupuesto 2027."]
    hall = client.get(f"{door['base']}/hall")
    html = hall.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in html and "<script" not in html
    assert "2. Presupuesto 2027" in text_of(hall) and "3 / 1" in text_of(hall)
    assert "Main menu" not in html and "Log out" not in text_of(hall)  # the projector shows the room nothing else
    closed = client.post(f"{door['base']}/close", follow_redirects=True)
    assert flashes(closed) == ["The meeting is closed."]
    assert "The meeting is closed." in text_of(client.get(f"{door['base']}/hall"))


def test_proxies_recorded_by_number_with_bad_ones_told_beside_their_field(client, db, door, login):
    login(client, door["secretary"])
    url = f"{door['base']}/proxies"
    rosa, luis, rocio = (door["people"][i] for i in range(3))
    page = client.get(url)
    assert "The bylaws allow one person to hold 1 proxy." in text_of(page)
    bad = client.post(url, data={"grantor": str(rosa.number), "holder": str(rosa.number), "authorisation": "",
                                 "once_key": once_key_of(page)})
    assert field_error(bad, "holder") == "A member cannot give a proxy to themselves."
    assert field_error(bad, "authorisation") == "Describe the written authorisation (a signed letter and its date)."
    good = client.post(url, data={"grantor": str(rosa.number), "holder": str(luis.number), "authorisation": "Carta",
                                  "once_key": once_key_of(bad)}, follow_redirects=True)
    assert flashes(good) == ["Luis Quishpe holds the proxy of Rosa Guamán."]
    assert "No: the holder is not here" in text_of(good)
    over = client.post(url, data={"grantor": str(rocio.number), "holder": str(luis.number), "authorisation": "Carta",
                                  "once_key": once_key_of(good)})
    assert field_error(over, "holder") == "Luis Quishpe already holds 1 of them, the most the bylaws allow."
    db.rollback()
    proxy = db.scalar(sa.select(Proxy))
    removed = client.post(f"{url}/{proxy.id}/remove", follow_redirects=True)
    assert flashes(removed) == ["The proxy of Rosa Guamán is removed."]
    assert "No proxy has been recorded." in text_of(removed)


def test_a_proxy_form_sent_twice_records_one_proxy(client, db, door, login):
    login(client, door["secretary"])
    url = f"{door['base']}/proxies"
    form = {"grantor": str(door["people"][0].number), "holder": str(door["people"][1].number),
            "authorisation": "Carta", "once_key": once_key_of(client.get(url))}
    assert client.post(url, data=form).status_code == 302
    second = client.post(url, data=form, follow_redirects=True)
    assert "This form was already sent and applied" in " ".join(flashes(second))
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Proxy)) == 1


def test_a_member_reads_the_hall_screen_but_not_the_check_in(client, door, login):
    login(client, door["member"])
    assert client.get(f"{door['base']}/hall").status_code == 200
    assert client.get(f"{door['base']}/checkin").status_code == 403
    assert client.get(f"{door['base']}/quorum").status_code == 403


def test_a_meeting_being_prepared_has_no_hall_screen_for_members(client, db, door, login):
    db.rollback()
    db.get(Meeting, door["meeting"].id).status = MeetingStatus.DRAFT
    db.commit()
    login(client, door["member"])
    assert client.get(f"{door['base']}/hall").status_code == 404


def test_the_members_proxy_on_the_meeting_page(app, db, door):
    db.rollback()
    coop = db.merge(door["coop"])
    meeting = db.get(Meeting, door["meeting"].id)
    rules_of(db, coop).max_proxies_per_holder = 2
    with app.test_request_context(f"{door['base']}/hall"), force_locale("en"):
        g.coop = coop
        proxies.record_proxy(db, None, coop, meeting, grantor_number=door["people"][1].number,
                             holder_number=door["people"][0].number, authorisation="Carta", now=meeting.first_call_dt)
        db.commit()
        login_user(door["member"])
        html = render_template_string('{% include "meetings/_member_proxy.html" %}', meeting=meeting)
    assert "You hold proxies for:" in html and "Luis Quishpe" in html
    assert sitting.find_on_roll(db, meeting, "Quishpe").entries[0].name == "Luis Quishpe"


def test_a_member_reads_their_place_on_the_roll_and_why_they_do_not_vote(client, db, door, login):
    db.rollback()
    meeting = db.get(Meeting, door["meeting"].id)
    meeting.notice_issued_dt = meeting.first_call_dt - dt.timedelta(days=10)
    db.commit()
    login(client, door["member"])
    number = door["entries"][0].number
    assert f"You are on the roll as no. {number} and you vote." in text_of(client.get(door["base"]))
    db.rollback()
    entry = db.get(RollEntry, door["entries"][0].id)
    entry.may_vote, entry.ineligible_reason = False, "Aportes en mora más de 3 meses."
    db.commit()
    assert (f"You are on the roll as no. {number} but do not vote: Aportes en mora más de 3 meses."
            in text_of(client.get(door["base"])))


def test_a_member_left_off_the_roll_is_told_so(client, db, door, login, make_user):
    outsider = make_user("pedro@example.org", coop=door["coop"], roles=["member"], name="Pedro Chiluisa", locale="en")
    meeting = db.get(Meeting, door["meeting"].id)
    meeting.notice_issued_dt = meeting.first_call_dt - dt.timedelta(days=10)
    db.get(type(door["outsider"]), door["outsider"].id).user_id = outsider.id
    db.commit()
    login(client, outsider)
    assert "You are not on this meeting’s roll." in text_of(client.get(door["base"]))
