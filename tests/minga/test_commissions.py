"""The secretary keeps the co-op's work commissions: their name and purpose, their standing
members (members of this co-op only) and their coordinators (people of the co-op holding the
coordinator role for that commission). Each refusal says why; each change is audited."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import access, tenancy
from coop.audit import AuditEvent
from coop.errors import DomainError, NotFoundError
from coop.tenancy import Grant, Role, Scope
from members.models import MemberStatus
from minga import commissions
from minga.commissions import CommissionData
from minga.models import Commission, CommissionMember
from minga.permissions import COMMISSION_SCOPE, MANAGE_SESSIONS
from tests.minga.conftest import refusal


def test_a_commission_is_recorded_with_its_purpose_and_settings_and_audited(db, minga_coop, ctx):
    coop = db.merge(minga_coop)
    created = commissions.create_commission(db, None, coop, CommissionData(
        name="  Construcción   etapa 3 ", purpose="Levantar las 800 viviendas que faltan.",
        is_capital_work=True))
    db.commit()
    assert created.name == "Construcción etapa 3"
    assert created.is_active and created.is_capital_work and not created.is_office_work
    changes = commissions.update_commission(db, None, coop, created, CommissionData(
        name="Construcción etapa 3", purpose=created.purpose, is_active=False, is_capital_work=True))
    assert changes == {"is_active": [True, False]}
    assert commissions.commissions(db, coop, active_only=True) == []
    actions = db.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "commission")).all()
    assert actions == ["minga.commission", "minga.commission"]


def test_a_commission_needs_a_name_not_taken_in_the_coop(db, minga_coop, make_coop, make_commission, ctx):
    make_commission(minga_coop, "Parque")
    neighbours = make_coop("vecina")
    make_commission(neighbours, "Escuela")
    coop = db.merge(minga_coop)
    assert refusal(commissions.create_commission, db, None, coop, CommissionData(name="  ")) == {
        "name": "Give the commission a name, as members know it."}
    assert refusal(commissions.create_commission, db, None, coop, CommissionData(name="parque")) == {
        "name": "Another commission already has this name."}
    assert commissions.create_commission(db, None, coop, CommissionData(name="Escuela")).name == "Escuela"


def test_standing_members_are_current_members_of_this_coop_only(db, minga_coop, make_coop, make_commission,
                                                                make_member, ctx):
    quebrada = make_commission(minga_coop)
    ana = make_member(minga_coop, given_names="Ana")
    gone = make_member(minga_coop, given_names="Luis")
    db.rollback()
    db.merge(gone).status = MemberStatus.WITHDRAWN
    db.commit()
    stranger = make_member(make_coop("vecina"), given_names="Rosa")
    coop, quebrada = db.merge(minga_coop), db.merge(quebrada)
    commissions.add_standing_member(db, None, coop, quebrada, db.merge(ana), today=dt.date(2026, 12, 1))
    assert [row.member.given_names for row in commissions.standing_members(db, quebrada)] == ["Ana"]
    assert refusal(commissions.add_standing_member, db, None, coop, quebrada, db.merge(ana)) == {
        "member": f"{ana.full_name} is already a standing member of this commission."}
    assert refusal(commissions.add_standing_member, db, None, coop, quebrada, db.merge(gone)) == {
        "member": f"{gone.full_name} is not a current member of the co-op."}
    with pytest.raises(NotFoundError):
        commissions.add_standing_member(db, None, coop, quebrada, db.merge(stranger))
    with pytest.raises(DomainError, match="No member of this co-op has that number"):
        commissions.member_by_number(db, coop, stranger.number + 1000)
    commissions.remove_standing_member(db, None, coop, quebrada, db.merge(ana))
    assert db.scalar(sa.select(sa.func.count()).select_from(CommissionMember)) == 0


def test_a_coordinator_is_a_person_of_the_coop_holding_the_role_for_that_commission(
        db, minga_coop, make_coop, make_commission, make_user, ctx):
    quebrada = make_commission(minga_coop)
    parque = make_commission(minga_coop, "Parque")
    rosa = make_user("rosa@example.org", coop=minga_coop, roles=["member"], name="Rosa Quishpe")
    outsider = make_user("otra@example.org", coop=make_coop("vecina"), roles=["member"])
    coop, quebrada = db.merge(minga_coop), db.merge(quebrada)
    commissions.appoint_coordinator(db, None, coop, quebrada, rosa.id)
    db.commit()
    assert Grant(Role.COORDINATOR, Scope(COMMISSION_SCOPE, quebrada.id)) in tenancy.grants_of(db, db.merge(rosa), coop)
    assert [user.name for user in commissions.coordinators_of(db, coop, quebrada)] == ["Rosa Quishpe"]
    assert commissions.coordinators_of(db, coop, db.merge(parque)) == []
    assert refusal(commissions.appoint_coordinator, db, None, coop, quebrada, rosa.id) == {
        "user": "Rosa Quishpe already coordinates this commission."}
    assert refusal(commissions.appoint_coordinator, db, None, coop, quebrada, outsider.id) == {
        "user": "Choose the coordinator among the co-op's people."}
    assert refusal(commissions.remove_coordinator, db, None, coop, db.merge(parque), rosa.id) == {
        "user": "Rosa Quishpe does not coordinate this commission."}
    commissions.remove_coordinator(db, None, coop, quebrada, rosa.id)
    assert commissions.coordinators_of(db, coop, quebrada) == []
    assert tenancy.roles_of(db, db.merge(rosa), coop) == {Role.MEMBER}


def test_a_coordinator_manages_only_their_commissions_and_the_secretary_all(db, minga_coop, make_commission):
    quebrada = make_commission(minga_coop)
    coordinator = access.viewer_for(minga_coop, 1, [Grant(Role.MEMBER),
                                                    Grant(Role.COORDINATOR, Scope(COMMISSION_SCOPE, quebrada.id))])
    secretary = access.viewer_for(minga_coop, 2, [Grant(Role.SECRETARY)])
    member = access.viewer_for(minga_coop, 3, [Grant(Role.MEMBER)])
    assert commissions.managed_commission_ids(coordinator) == {quebrada.id}
    assert commissions.managed_commission_ids(secretary) is None
    assert commissions.managed_commission_ids(member) == frozenset()
    assert coordinator.may(MANAGE_SESSIONS, db.get(Commission, quebrada.id))


def test_the_list_names_each_commissions_coordinators_and_next_sessions(db, minga_coop, make_commission, make_session,
                                                                       make_user, ctx):
    from tests.minga.conftest import NOW
    quebrada = make_commission(minga_coop)
    make_commission(minga_coop, "Parque")
    make_session(quebrada, title="Minga de diciembre")
    for week in (1, 2, 3):
        make_session(quebrada, day=dt.date(2026, 12, 5) + dt.timedelta(weeks=week), title=f"Semana {week}")
    rosa = make_user("rosa@example.org", coop=minga_coop, roles=["member"], name="Rosa Quishpe")
    coop = db.merge(minga_coop)
    commissions.appoint_coordinator(db, None, coop, db.merge(quebrada), rosa.id)
    summaries = {s.commission.name: s for s in commissions.commission_summaries(db, coop, now=NOW)}
    assert summaries["Recuperación de la quebrada"].coordinators == ["Rosa Quishpe"]
    assert [s.title for s in summaries["Recuperación de la quebrada"].next_sessions] == [
        "Minga de diciembre", "Semana 1", "Semana 2"]  # the next three
    assert summaries["Parque"].coordinators == [] and summaries["Parque"].next_sessions == []
