"""Factories for the observatory's tests: a co-op with its books, members, and a participatory
budget made directly (each area's tests build what they need through these, not through another
area's services). Areas add their own factories in ``<area>_factories.py`` beside this file."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from ledger.models import Account
from meetings.observatory.models import ParticipatoryBudget, Proposal, ProposalStatus, SupportRule
from tests.members.conftest import make_member  # noqa: F401  (the member factory)
from tests.minga.conftest import coop_with_books, ctx, refusal  # noqa: F401  (shared with Minga's tests)

#: tests pass ``today``/``now`` to the services: Tuesday 2 March 2027, 10:00 in Quito
TODAY = dt.date(2027, 3, 2)
NOW = dt.datetime(2027, 3, 2, 15, 0)


@pytest.fixture
def obs_coop(db, make_coop):
    """A co-op in Quito whose chart of accounts is installed."""
    return coop_with_books(db, make_coop, "observatorio")


def account(db, coop, code: str) -> Account:
    """One of the housing chart's accounts by its code ("5.3" Mantenimiento, "1.2.03" community works)."""
    return db.scalar(sa.select(Account).where(Account.coop_id == coop.id, Account.code == code))


@pytest.fixture
def make_process(db):
    """A participatory budget of 10,000.00 from "Obras de infraestructura comunitaria", by default in
    its support phase on TODAY (proposals in January, review in February, support 1-15 March)."""
    def factory(coop, *, year=2027, amount_minor=1_000_000, rule=SupportRule.KNAPSACK, **dates) -> ParticipatoryBudget:
        db.rollback()
        coop = db.merge(coop)
        process = ParticipatoryBudget(
            coop_id=coop.id, year=year, title=f"Presupuesto participativo {year}", amount_minor=amount_minor,
            account_id=account(db, coop, "1.2.03").id, rule=rule,
            proposals_opens_on=dates.pop("proposals_opens_on", dt.date(year, 1, 4)),
            proposals_closes_on=dates.pop("proposals_closes_on", dt.date(year, 1, 31)),
            review_closes_on=dates.pop("review_closes_on", dt.date(year, 2, 28)),
            support_opens_on=dates.pop("support_opens_on", dt.date(year, 3, 1)),
            support_closes_on=dates.pop("support_closes_on", dt.date(year, 3, 15)),
            blocks_close_on=dates.pop("blocks_close_on", dt.date(year, 3, 31)), **dates)
        db.add(process)
        db.commit()
        return process
    return factory


@pytest.fixture
def make_proposal(db):
    """A proposal in a process, feasible at its estimate unless told."""
    def factory(process, proposer, *, title="Juegos infantiles en el parque", cost_minor=250_000,
                status=ProposalStatus.FEASIBLE, block="B", **fields) -> Proposal:
        db.rollback()
        process = db.merge(process)
        number = (db.scalar(sa.select(sa.func.max(Proposal.number)).where(Proposal.process_id == process.id)) or 0) + 1
        proposal = Proposal(coop_id=process.coop_id, process_id=process.id, number=number,
                            proposer_id=db.merge(proposer).id, title=title,
                            description=fields.pop("description", "Columpios y un tobogán para los niños del bloque."),
                            block=block, estimated_cost_minor=cost_minor, status=status, **fields)
        db.add(proposal)
        db.commit()
        return proposal
    return factory
