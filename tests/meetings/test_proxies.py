"""Members who cannot come to the assembly send a signed letter: the secretary records each proxy
by member numbers, within the bylaws' cap, and every bad one is refused with its reason and
nothing saved. A proxy counts while its holder is here and its grantor is not."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from meetings import proxies, quorum, sitting
from meetings.models import (AgendaItem, Choice, MajorityRule, Meeting, MeetingStatus, Motion, Proxy, RollEntry,
                             RoundStatus, Vote, VoteRound, VotingMode)
from meetings.rules import rules_of
from tests.meetings.conftest import refusal

pytestmark = pytest.mark.usefixtures("ctx")
LETTER = "Carta firmada el 10/03/2027, copia de cédula adjunta"


@pytest.fixture
def assembly(db, assembly_coop, make_meeting, make_roll, make_members):
    """A convened assembly: six voters and one member in arrears who may not vote."""
    members = make_members(assembly_coop, 7)
    meeting = make_meeting(assembly_coop)
    voters = make_roll(meeting, members[:6])
    barred = make_roll(meeting, members[6:], may_vote=False, ineligible_reason="Aportes en mora")
    db.rollback()
    return {"coop": db.merge(assembly_coop), "meeting": db.get(Meeting, meeting.id),
            "voters": [db.get(RollEntry, e.id) for e in voters], "barred": db.get(RollEntry, barred[0].id),
            "first": meeting.first_call_dt}


def give(db, a, grantor, holder, authorisation=LETTER):
    return proxies.record_proxy(db, None, a["coop"], a["meeting"], grantor_number=grantor.number if grantor else None,
                                holder_number=holder.number if holder else None, authorisation=authorisation,
                                now=a["first"])


def test_a_proxy_is_recorded_and_counts_while_the_holder_is_here(db, assembly):
    rosa, luis = assembly["voters"][:2]
    proxy = give(db, assembly, rosa, luis)
    db.commit()
    assert (proxy.grantor_id, proxy.holder_id, proxy.authorisation) == (rosa.id, luis.id, LETTER)
    assert db.get(RollEntry, luis.id).proxies_held == 1
    assert quorum.state(db, assembly["coop"], assembly["meeting"]).represented == 0  # the holder is not here yet
    sitting.check_in(db, None, assembly["coop"], assembly["meeting"], luis.id, now=assembly["first"])
    db.commit()
    state = quorum.state(db, assembly["coop"], assembly["meeting"])
    assert (state.present, state.represented, state.counted) == (1, 1, 2)
    assert db.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "meetings.proxy")) == "meetings.proxy"


def test_a_holder_over_the_cap_is_refused(db, assembly):
    rules_of(db, assembly["coop"]).max_proxies_per_holder = 2
    db.commit()
    holder = assembly["voters"][0]
    give(db, assembly, assembly["voters"][1], holder)
    give(db, assembly, assembly["voters"][2], holder)
    db.commit()
    assert refusal(give, db, assembly, assembly["voters"][3], holder) == {
        "holder": f"{holder.name} already holds 2 of them, the most the bylaws allow."}
    db.rollback()
    assert db.get(RollEntry, holder.id).proxies_held == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(Proxy)) == 2


def test_a_proxy_to_oneself_is_refused(db, assembly):
    rosa = assembly["voters"][0]
    assert refusal(give, db, assembly, rosa, rosa) == {"holder": "A member cannot give a proxy to themselves."}


def test_a_member_who_may_not_vote_neither_gives_nor_holds_a_proxy(db, assembly):
    barred, rosa = assembly["barred"], assembly["voters"][0]
    assert refusal(give, db, assembly, barred, rosa) == {
        "grantor": f"{barred.name} may not vote at this meeting, so cannot give a proxy."}
    assert refusal(give, db, assembly, rosa, barred) == {
        "holder": f"{barred.name} may not vote at this meeting, so cannot hold a proxy."}


def test_a_member_who_is_here_votes_in_person(db, assembly):
    rosa, luis = assembly["voters"][:2]
    sitting.check_in(db, None, assembly["coop"], assembly["meeting"], rosa.id, now=assembly["first"])
    db.commit()
    assert refusal(give, db, assembly, rosa, luis) == {
        "grantor": f"{rosa.name} is here: a member present votes in person, not by proxy."}


def test_the_bylaws_may_not_allow_proxies(db, assembly):
    rules_of(db, assembly["coop"]).proxies_allowed = False
    db.commit()
    assert refusal(give, db, assembly, *assembly["voters"][:2]) == {None: "The bylaws do not allow proxies."}


def test_every_mistake_is_shown_at_once_and_nothing_is_saved(db, assembly):
    assert refusal(proxies.record_proxy, db, None, assembly["coop"], assembly["meeting"], grantor_number=None,
                   holder_number=987654, authorisation="  ", now=assembly["first"]) == {
        "authorisation": "Describe the written authorisation (a signed letter and its date).",
        "grantor": "Write the member number.", "holder": "No. 987654 is not on this meeting's roll."}
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Proxy)) == 0


def test_one_proxy_per_grantor_and_none_passed_on(db, assembly):
    rules_of(db, assembly["coop"]).max_proxies_per_holder = 3
    db.commit()
    rosa, luis, ana, pedro = assembly["voters"][:4]
    give(db, assembly, rosa, luis)
    db.commit()
    assert refusal(give, db, assembly, rosa, ana) == {"grantor": f"{rosa.name} has already given a proxy, to {luis.name}."}
    assert refusal(give, db, assembly, pedro, rosa) == {
        "holder": f"{rosa.name} has given their own proxy, so cannot hold others'."}
    assert refusal(give, db, assembly, luis, ana) == {"grantor": f"{luis.name} holds proxies of others, so cannot give their own."}


def test_no_proxy_before_the_notice_is_issued(db, assembly_coop, make_meeting, make_roll, make_members):
    draft = make_meeting(assembly_coop, status=MeetingStatus.DRAFT)
    rosa, luis = make_roll(draft, make_members(assembly_coop, 2))
    db.rollback()
    a = {"coop": db.merge(assembly_coop), "meeting": db.get(Meeting, draft.id), "first": draft.first_call_dt}
    assert "has not been issued" in refusal(give, db, a, rosa, luis)[None]


def test_removing_a_proxy_frees_the_holders_place(db, assembly):
    rosa, luis = assembly["voters"][:2]
    proxy = give(db, assembly, rosa, luis)
    db.commit()
    proxies.remove_proxy(db, None, assembly["coop"], assembly["meeting"], db.get(Proxy, proxy.id), now=assembly["first"])
    db.commit()
    assert db.get(RollEntry, luis.id).proxies_held == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Proxy)) == 0
    give(db, assembly, assembly["voters"][2], luis)  # the cap of one has room again


def test_a_proxy_used_in_a_vote_stays(db, assembly):
    rosa, luis = assembly["voters"][:2]
    proxy = give(db, assembly, rosa, luis)
    coop, meeting = assembly["coop"], assembly["meeting"]
    item = AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=1, title="Presupuesto")
    db.add(item)
    db.flush()
    motion = Motion(coop_id=coop.id, meeting_id=meeting.id, item_id=item.id, title="Presupuesto 2027")
    db.add(motion)
    db.flush()
    round_ = VoteRound(coop_id=coop.id, meeting_id=meeting.id, motion_id=motion.id, mode=VotingMode.NAMED,
                       majority=MajorityRule.SIMPLE, abstentions_count=False, roll_voters=6, present_voters=2,
                       status=RoundStatus.OPEN)
    db.add(round_)
    db.flush()
    db.add(Vote(coop_id=coop.id, round_id=round_.id, voter_id=rosa.id, choice=Choice.YES, by_proxy_id=luis.id))
    db.commit()
    assert refusal(proxies.remove_proxy, db, None, coop, meeting, db.get(Proxy, proxy.id), now=assembly["first"]) == {
        None: "A vote has been cast with this proxy: it stays in the record."}


def test_the_members_own_proxy_given_and_held(db, assembly):
    rules_of(db, assembly["coop"]).max_proxies_per_holder = 2
    db.commit()
    rosa, luis, ana = assembly["voters"][:3]
    give(db, assembly, rosa, luis)
    give(db, assembly, ana, luis)
    db.commit()
    held = proxies.member_proxy(db, assembly["meeting"], luis.member)
    assert held.given is None and sorted(p.grantor_id for p in held.held) == sorted([rosa.id, ana.id])
    given = proxies.member_proxy(db, assembly["meeting"], rosa.member)
    assert given.given.holder_id == luis.id and given.held == []
    assert not proxies.member_proxy(db, assembly["meeting"], assembly["voters"][5].member).any
