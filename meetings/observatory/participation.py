"""Participatory budgets (presupuesto participativo): the officers set up a year's process, its
amount and where the money comes from, the rule members support proposals by, and the dates of
its six phases; the pages read the processes and their proposals.

One process per co-op and year (a unique constraint; the service says so first, the database
settles a race). Once the support phase has begun, the amount, the rule, the year and the dates
no longer change: members' ballots were cast against them. Title and description always may.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, duplicates
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.tenancy import Coop
from ledger.models import Account, AccountType, Budget
from meetings.observatory.models import ParticipatoryBudget, Proposal, ProposalStatus, SupportRule
from meetings.observatory.phases import Phase, phase_of

MAX_TITLE = 200
MAX_DESCRIPTION = 8000
#: the years a process may be for
YEARS = range(2000, 2101)
#: the kinds of account a process's money may come from: a fund, a budget line, a reserve
SOURCE_TYPES = (AccountType.ASSET, AccountType.EXPENSE, AccountType.EQUITY)

RULE_LABELS = {
    SupportRule.KNAPSACK: _l("Knapsack: each member chooses proposals that together cost at most the amount"),
    SupportRule.APPROVAL: _l("Approval: each member marks every proposal they support"),
}

#: the phase dates in their order, with their labels (the form's fields carry the same names)
DATE_FIELDS = (
    ("proposals_opens_on", _l("Proposals open on")),
    ("proposals_closes_on", _l("Proposals close on")),
    ("review_closes_on", _l("The board's review ends on")),
    ("support_opens_on", _l("Support opens on")),
    ("support_closes_on", _l("Support closes on")),
    ("blocks_close_on", _l("Block assemblies end on")),
)
#: what no longer changes once members support proposals
LOCKED_FIELDS = ("year", "amount_minor", "rule") + tuple(name for name, _label in DATE_FIELDS)

audit.describe("observatory.create_process", _l("Participatory budget created"))
audit.describe("observatory.update_process", _l("Participatory budget changed"))
duplicates.unique_rule("uq_participatory_budget_coop_id_year",
                       _l("There is already a participatory budget for this year."), field="year")


@dataclass
class ProcessData:
    """A process as the form gives it (None where nothing was typed)."""

    year: int | None
    title: str
    description: str
    amount_minor: int | None
    account_id: int | None
    budget_id: int | None
    rule: str
    proposals_opens_on: dt.date | None
    proposals_closes_on: dt.date | None
    review_closes_on: dt.date | None
    support_opens_on: dt.date | None
    support_closes_on: dt.date | None
    blocks_close_on: dt.date | None


# --- reading ----------------------------------------------------------------------------------------

def source_accounts(session: so.Session, coop: Coop) -> list[Account]:
    """The accounts a process's money may come from: open asset, expense and equity accounts."""
    return list(session.scalars(sa.select(Account).where(
        Account.coop_id == coop.id, Account.type.in_(SOURCE_TYPES), Account.is_closed.is_(False),
        Account.is_receivable.is_(False)).order_by(Account.code)))


def budgets(session: so.Session, coop: Coop) -> list[Budget]:
    return list(session.scalars(sa.select(Budget).where(Budget.coop_id == coop.id).order_by(Budget.year.desc())))


def processes(session: so.Session, coop: Coop) -> list[ParticipatoryBudget]:
    """The co-op's processes, newest first."""
    return list(session.scalars(sa.select(ParticipatoryBudget).where(ParticipatoryBudget.coop_id == coop.id)
                                .order_by(ParticipatoryBudget.year.desc())))


def source_of(session: so.Session, process: ParticipatoryBudget) -> tuple[Account, Budget | None]:
    return session.get(Account, process.account_id), (
        session.get(Budget, process.budget_id) if process.budget_id else None)


def listed_proposals(session: so.Session, process: ParticipatoryBudget, *,
                     with_withdrawn: bool) -> list[Proposal]:
    """The process's proposals for its page: feasible first, then waiting for review, then not
    feasible; withdrawn ones last, and only when asked (for officers)."""
    order = {ProposalStatus.FEASIBLE: 0, ProposalStatus.SUBMITTED: 1, ProposalStatus.NOT_FEASIBLE: 2,
             ProposalStatus.WITHDRAWN: 3}
    found = session.scalars(sa.select(Proposal).where(Proposal.process_id == process.id)
                            .options(so.joinedload(Proposal.proposer)).order_by(Proposal.number))
    return sorted((p for p in found if with_withdrawn or p.status is not ProposalStatus.WITHDRAWN),
                  key=lambda p: (order[p.status], p.number))


def feasible_proposals(session: so.Session, process: ParticipatoryBudget) -> list[Proposal]:
    return list(session.scalars(sa.select(Proposal).where(
        Proposal.process_id == process.id, Proposal.status == ProposalStatus.FEASIBLE).order_by(Proposal.number)))


def support_has_begun(process: ParticipatoryBudget, today: dt.date) -> bool:
    return phase_of(process, today) in (Phase.SUPPORT, Phase.BLOCKS, Phase.ASSEMBLY, Phase.DECIDED)


# --- checking ------------------------------------------------------------------------------------------

def _check(session: so.Session, coop: Coop, data: ProcessData, problems: Problems) -> None:
    if data.year is None or data.year not in YEARS:
        problems.add(_l("Give the year, such as 2027."), "year")
    if not data.title.strip():
        problems.add(_l("Give the process a title."), "title")
    elif len(data.title.strip()) > MAX_TITLE:
        problems.add(_l("The title is too long."), "title")
    if len(data.description) > MAX_DESCRIPTION:
        problems.add(_l("The description is too long."), "description")
    if data.amount_minor is None:
        problems.add(_l("Give the amount members decide on."), "amount_minor")
    elif data.amount_minor <= 0:
        problems.add(_l("The amount must be more than zero."), "amount_minor")
    account = session.get(Account, data.account_id) if data.account_id else None
    if account is None or account.coop_id != coop.id:
        problems.add(_l("Choose the fund or budget line the money comes from."), "account_id")
    elif account.type not in SOURCE_TYPES or account.is_closed or account.is_receivable:
        problems.add(_l("The money comes from a fund, a budget line or a reserve: an open asset, expense "
                        "or equity account."), "account_id")
    if data.budget_id:
        budget = session.get(Budget, data.budget_id)
        if budget is None or budget.coop_id != coop.id:
            problems.add(_l("Choose one of the co-op's budgets."), "budget_id")
        elif data.year is not None and budget.year != data.year:
            problems.add(_l("The budget must be the one of the process's year."), "budget_id")
    if data.rule not in {rule.value for rule in SupportRule}:
        problems.add(_l("Choose how members support proposals."), "rule")
    _check_dates(data, problems)


def _check_dates(data: ProcessData, problems: Problems) -> None:
    """Each date given, each on or after the one before it (the message beside the later one)."""
    previous: tuple[dt.date, str] | None = None
    for name, label in DATE_FIELDS:
        day = getattr(data, name)
        if day is None:
            problems.add(_l("Give the date."), name)
            continue
        if previous is not None and day < previous[0]:
            problems.add(_l("It cannot be before “%(before)s” (%(day)s).", before=previous[1],
                            day=previous[0].isoformat()), name)
        previous = (day, label)


def _year_taken(session: so.Session, coop: Coop, year: int | None, process_id: int | None = None) -> None:
    query = sa.select(ParticipatoryBudget.id).where(ParticipatoryBudget.coop_id == coop.id,
                                                    ParticipatoryBudget.year == year)
    if process_id is not None:
        query = query.where(ParticipatoryBudget.id != process_id)
    if year is not None and session.scalar(query) is not None:
        raise DomainError(_l("There is already a participatory budget for %(year)d.", year=year), field="year")


def keeping_locked(data: ProcessData, process: ParticipatoryBudget) -> ProcessData:
    """The data with the locked fields as the process has them (the form shows them as text once
    members support proposals, and does not send them)."""
    kept = {name: getattr(process, name) for name in LOCKED_FIELDS}
    kept["rule"] = process.rule.value
    return replace(data, **kept)


def _values(data: ProcessData) -> dict:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["title"] = data.title.strip()
    values["description"] = data.description.strip()
    values["rule"] = SupportRule(data.rule)
    values["budget_id"] = data.budget_id or None
    return values


# --- writing -------------------------------------------------------------------------------------------

def create_process(session: so.Session, actor: User, coop: Coop, data: ProcessData) -> ParticipatoryBudget:
    """A new year's process (flushed, not committed)."""
    problems = Problems()
    _check(session, coop, data, problems)
    problems.check(_year_taken, session, coop, data.year)
    problems.raise_any()
    process = ParticipatoryBudget(coop_id=coop.id, created_by_id=actor.id, **_values(data))
    with duplicates.refusing_duplicates(session, lambda: _year_taken(session, coop, data.year)):
        session.add(process)
        session.flush()
    audit.record(session, action="observatory.create_process", coop=coop, actor=actor, obj=process,
                 summary=f"{process.year} · {process.title}", details={"amount": process.amount_minor})
    return process


def update_process(session: so.Session, actor: User, coop: Coop, process: ParticipatoryBudget, data: ProcessData,
                   *, today: dt.date) -> ParticipatoryBudget:
    """Change a process; from the support phase on only its title and description."""
    problems = Problems()
    _check(session, coop, data, problems)
    problems.check(_year_taken, session, coop, data.year, process.id)
    values = _values(data) if not problems.errors else {}
    if values and support_has_begun(process, today):
        for name in LOCKED_FIELDS:
            if values[name] != getattr(process, name):
                problems.add(_l("This can no longer change: members are supporting proposals (or have "
                                "done so) against it."), name)
    problems.raise_any()
    changes = audit.changes_between(process, values)
    if changes:
        for name, value in values.items():
            setattr(process, name, value)
        with duplicates.refusing_duplicates(session, lambda: _year_taken(session, coop, data.year, process.id)):
            session.flush()
        audit.record(session, action="observatory.update_process", coop=coop, actor=actor, obj=process,
                     summary=f"{process.year} · {process.title}", changes=changes)
    return process
