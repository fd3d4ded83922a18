"""Factories for the participatory budgets' tests: a process's dates placing it in a given phase
on a given day, a member with a log-in (to propose through the pages), and the people of the
pages' tests: the secretary, Rosa and Luis."""
from __future__ import annotations

import datetime as dt

import pytest

from coop.calendar import today_in
from meetings.observatory.phases import Phase

#: days from ``today`` of each phase's dates, in the model's order
_OFFSETS = {
    Phase.UPCOMING: (5, 10, 15, 16, 20, 25),
    Phase.PROPOSALS: (-5, 5, 10, 11, 15, 20),
    Phase.REVIEW: (-20, -5, 5, 6, 10, 15),
    Phase.SUPPORT: (-30, -20, -10, -5, 5, 10),
    Phase.BLOCKS: (-40, -30, -20, -15, -5, 5),
    Phase.ASSEMBLY: (-50, -40, -30, -25, -20, -10),
}
DATE_NAMES = ("proposals_opens_on", "proposals_closes_on", "review_closes_on", "support_opens_on",
              "support_closes_on", "blocks_close_on")


def dates_in(phase: Phase, today: dt.date) -> dict[str, dt.date]:
    """The six dates of a process that is in ``phase`` on ``today``."""
    return {name: today + dt.timedelta(days=days) for name, days in zip(DATE_NAMES, _OFFSETS[phase], strict=True)}


def member_with_login(db, make_member, make_user, coop, email: str, *, roles=("member",), **names):
    """A member of the register whose user logs in (the member a proposal is made by)."""
    user = make_user(email, coop=coop, roles=list(roles), locale="en")
    member = make_member(coop, **names)
    db.rollback()
    db.merge(member).user_id = user.id
    db.commit()
    return user, member


@pytest.fixture
def people(db, obs_coop, make_user, make_member):
    """The secretary, and two members who log in: Rosa Quishpe and Luis Guamán."""
    secretary = make_user("secretaria@example.org", coop=obs_coop, roles=["secretary"], locale="en")
    rosa_user, rosa = member_with_login(db, make_member, make_user, obs_coop, "rosa@example.org",
                                        given_names="Rosa", family_names="Quishpe")
    luis_user, luis = member_with_login(db, make_member, make_user, obs_coop, "luis@example.org",
                                        given_names="Luis", family_names="Guamán")
    return {"secretary": secretary, "rosa_user": rosa_user, "rosa": rosa, "luis_user": luis_user, "luis": luis}


def base(coop) -> str:
    """The participatory budgets' pages of the co-op."""
    return f"/c/{coop.slug}/observatory/budgets"


def today(coop):
    return today_in(coop)
