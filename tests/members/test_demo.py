"""The demo co-op shows a believable register: Quebrada Verde's families, homes and applications."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from stdnum.ec import ci

from coop import demo
from coop.auth.models import User
from coop.tenancy import CoopRole
from members.demo import plan_register
from members.models import (Application, ApplicationStatus, FormOfAddress, Household, Lot, LotAssignment, LotStatus,
                            Member, MemberStatus, MemberStatusChange, ShareSubscription)
from tests.conftest import log_in, text_of


@pytest.fixture
def loaded(demo_coop):
    """The demo co-op's id, on a copy of the demo as `flask coop demo` built it."""
    return demo_coop.id


def count(db, model, *where) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_demo_register_holds_about_300_members_in_120_households_with_their_homes(demo_db, loaded):
    members = demo_db.scalars(sa.select(Member).where(Member.coop_id == loaded).order_by(Member.number)).all()
    assert 280 <= len(members) <= 320
    assert 110 <= count(demo_db, Household, Household.coop_id == loaded) <= 130
    assert [m.number for m in members] == list(range(1, len(members) + 1))
    assert all(ci.is_valid(m.document_number) for m in members)
    assert len({m.document_number for m in members}) == len(members)
    assert sum(m.document_number.startswith("17") for m in members) > len(members) * 0.6
    admitted_lately = set(demo_db.scalars(sa.select(Application.member_id).where(Application.member_id.is_not(None))))
    assert all(m.household_id is not None for m in members if m.id not in admitted_lately)
    joined = [m.join_date for m in members]
    assert joined == sorted(joined)  # numbers were given in the order people joined

    # most are active, with a few of every other fate, each with its history
    by_status = dict(demo_db.execute(sa.select(Member.status, sa.func.count()).where(Member.coop_id == loaded)
                                     .group_by(Member.status)).all())
    total = sum(by_status.values())
    assert by_status[MemberStatus.ACTIVE] > total * 0.8
    assert by_status[MemberStatus.SUSPENDED] >= 5 and by_status[MemberStatus.WITHDRAWN] >= 5
    assert 1 <= by_status[MemberStatus.DECEASED] <= 2
    assert 1 <= by_status[MemberStatus.APPLICANT] <= 5
    changed = demo_db.scalars(sa.select(Member).where(Member.coop_id == loaded,
                                                      Member.status.in_([MemberStatus.SUSPENDED, MemberStatus.WITHDRAWN,
                                                                         MemberStatus.DECEASED]))).all()
    assert all(len(m.status_changes) >= 2 and m.status_changes[-1].status is m.status for m in changed)
    reinstated = demo_db.scalar(sa.select(sa.func.count(sa.distinct(MemberStatusChange.member_id))).where(
        MemberStatusChange.coop_id == loaded, MemberStatusChange.previous_status == MemberStatus.SUSPENDED,
        MemberStatusChange.status == MemberStatus.ACTIVE))
    assert reinstated >= 1
    assert count(demo_db, ShareSubscription, ShareSubscription.coop_id == loaded) > total * 0.7

    # lots lie in blocks A to F of two phases, and most households have one
    lots = demo_db.scalars(sa.select(Lot).where(Lot.coop_id == loaded)).all()
    assert {lot.block for lot in lots} == set("ABCDEF")
    assert {lot.phase for lot in lots} == {"Etapa 1", "Etapa 2"}
    assert {lot.status for lot in lots} == set(LotStatus)
    assert all(lot.phase == "Etapa 1" for lot in lots if lot.status in (LotStatus.BUILT, LotStatus.DELIVERED))
    housed = {lot.household_id for lot in lots if lot.household_id}
    assert len(housed) > 100
    assert count(demo_db, LotAssignment, LotAssignment.coop_id == loaded) == len(housed)


def test_applications_wait_for_the_secretary_and_some_were_decided(demo_client, demo_db, loaded):
    by_status = dict(demo_db.execute(sa.select(Application.status, sa.func.count())
                                     .where(Application.coop_id == loaded).group_by(Application.status)).all())
    assert 5 <= by_status[ApplicationStatus.PENDING] <= 8
    assert by_status[ApplicationStatus.APPROVED] >= 1 and by_status[ApplicationStatus.REJECTED] >= 1
    approved = demo_db.scalars(sa.select(Application).where(Application.status == ApplicationStatus.APPROVED)).all()
    assert all(a.member_id is not None for a in approved)
    rejected = demo_db.scalars(sa.select(Application).where(Application.status == ApplicationStatus.REJECTED)).all()
    assert all(a.decision_reason for a in rejected)
    log_in(demo_client, "secretaria@quebrada-verde.example", demo.DEMO_PASSWORD)
    queue = text_of(demo_client.get(f"/c/{demo.DEMO_SLUG}/members/applications?status=pending"))
    assert all(a.family_names in queue for a in demo_db.scalars(
        sa.select(Application).where(Application.status == ApplicationStatus.PENDING)))


def test_every_demo_user_is_a_member_linked_to_their_account(demo_client, demo_db, loaded):
    users = demo_db.scalars(sa.select(User).join(CoopRole, CoopRole.user_id == User.id)
                            .where(CoopRole.coop_id == loaded).distinct()).all()
    assert {email for _role, _name, email in demo.DEMO_PEOPLE} <= {u.email for u in users}
    linked = {m.user_id: m for m in demo_db.scalars(sa.select(Member).where(Member.coop_id == loaded,
                                                                            Member.user_id.is_not(None)))}
    assert all(user.id in linked for user in users)
    ana = next(u for u in users if u.email == "socia@quebrada-verde.example")
    member = linked[ana.id]
    assert member.full_name.startswith("Ana") and "Toapanta" in member.family_names
    assert member.status is MemberStatus.ACTIVE and member.household_id is not None
    assert count(demo_db, Lot, Lot.household_id == member.household_id) == 1
    log_in(demo_client, ana.email, demo.DEMO_PASSWORD)
    portal = demo_client.get(f"/c/{demo.DEMO_SLUG}/me")
    assert portal.status_code == 200 and member.full_name in text_of(portal)
    # the demo records how its members are addressed, so its pages show "socia" and "socio"
    assert f"Socia N.º {member.number}" in text_of(portal)
    forms = {m.form_of_address for m in demo_db.scalars(sa.select(Member).where(Member.coop_id == loaded))}
    assert {FormOfAddress.FEMININE, FormOfAddress.MASCULINE} <= forms


def test_the_plan_is_the_same_every_time_and_its_dates_have_come():
    today = dt.date(2026, 11, 27)
    first, second = plan_register(today), plan_register(today)
    assert [p.data for p in first.people] == [p.data for p in second.people]
    assert first.lots == second.lots and [h.name for h in first.households] == [h.name for h in second.households]
    assert all(step.on <= today for p in first.people for step in p.steps)
    assert all(p.data.birth_date < p.data.join_date for p in first.people)

