"""Dues (aportes): the contributions the assembly approved, and charging them one period at a time.

A ``DuesPlan`` says how much, how often, who owes it and from when to when. ``run_dues`` charges
one period of a plan: it first inserts the ``DuesRun`` row, whose unique key (co-op, plan,
period) is what makes a second run of the same period impossible, even from two processes at
the same instant; then it charges every debtor in one batch (``ledger.charges.post_charges``, which
Minga's period close shares: an entry and a ``Charge`` each, then the members' unused credit
pays the new charges). Everything happens inside a savepoint, so a refusal leaves nothing
behind. Periods are months, quarters or years counted from the plan's start month (a quarterly
plan starting in February has periods February-April, May-July, ...); a one-off plan has a single
period starting on its start date. ``charge_member`` posts a single charge by hand.
Each entry names its run, or its single charge, as its origin (``ledger.origins``): whoever
reverses such an entry, the charge is voided and what paid it becomes the member's credit again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, calendar, decisions
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.money import MAX_MINOR
from coop.paging import one_page
from coop.scheduler import run_each
from coop.tenancy import Coop, check_amount
from ledger import allocation, charges, services
from ledger.models import (Account, AccountType, Charge, Debtors, DuesPlan, DuesRun, EntrySource, Frequency)
from ledger.origins import Origin, register_origin, reserve_id
from ledger.services import PostingLine, is_closed_month, post_entry
from members.models import Household, Member, MemberStatus

#: who owes dues: a suspended member loses rights for a while, not their obligations
OWING_STATUSES = (MemberStatus.ACTIVE, MemberStatus.SUSPENDED)
#: months per period of each recurring frequency
MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
MAX_DUE_DAYS = 366

FREQUENCY_LABELS = {Frequency.MONTHLY: _l("Monthly"), Frequency.QUARTERLY: _l("Quarterly"),
                    Frequency.YEARLY: _l("Yearly"), Frequency.ONE_OFF: _l("Once")}
DEBTORS_LABELS = {Debtors.MEMBERS: _l("Each member"),
                  Debtors.HOUSEHOLDS: _l("Each household (charged to its first member)")}

audit.describe("ledger.dues_plan", _l("Dues plan changed"))
audit.describe("ledger.dues_run", _l("Dues charged for a period"))
audit.describe("ledger.charge", _l("Charge posted to a member"))
for _field, _label, _values in (
        ("frequency", _l("How often"), FREQUENCY_LABELS), ("debtors", _l("Who owes it"), DEBTORS_LABELS),
        ("income_account_id", _l("Income account credited"), None), ("start_date", _l("First period"), audit.day_text),
        ("end_date", _l("Last period starts on or before"), audit.day_text),
        ("run_day", _l("Charge automatically on day"), None), ("due_days", _l("Days to pay"), None),
        ("is_active", _l("Active"), None)):
    audit.describe_field(_field, _label, values=_values, on="dues_plan")


def _void_charges(session: so.Session, coop: Coop, entry, reversal) -> None:
    """A charge's entry was reversed: the charge is cancelled, what paid it becomes credit again."""
    allocation.void_charges_of_entry(session, coop.id, entry.id)


#: the entries of a dues run (the origin's id is the run's) and of a single charge (the charge's)
DUES_RUN_ORIGIN, CHARGE_ORIGIN = "ledger.dues_run", "ledger.charge"
register_origin(DUES_RUN_ORIGIN, label=_l("Dues charged for a period"), on_reversed=_void_charges)
register_origin(CHARGE_ORIGIN, label=_l("Charge posted to a member"), on_reversed=_void_charges)


# --- accounts ---------------------------------------------------------------------------------

def income_accounts(session: so.Session, coop: Coop) -> list[Account]:
    """The open income accounts a plan or a fine may credit, by code."""
    return list(session.scalars(sa.select(Account).where(
        Account.coop_id == coop.id, Account.type == AccountType.INCOME, Account.is_closed.is_(False))
        .order_by(Account.code)))


def _income_account(session: so.Session, coop: Coop, account_id: int | None, field: str) -> Account:
    account = session.get(Account, account_id) if account_id else None
    if account is None or account.coop_id != coop.id:
        raise DomainError(_l("Choose the income account it is credited to."), field=field)
    if account.type != AccountType.INCOME:
        raise DomainError(_l("Choose an income account."), field=field)
    if account.is_closed:
        raise DomainError(_l("Account %(code)s is closed.", code=account.code), field=field)
    return account


# --- plans ------------------------------------------------------------------------------------

@dataclass
class PlanData:
    """What a treasurer types in for a plan (the amount already read by ``coop.money``)."""

    name: str
    amount_minor: int
    frequency: Frequency
    debtors: Debtors
    income_account_id: int | None
    start_date: dt.date
    end_date: dt.date | None = None
    run_day: int | None = None
    due_days: int = 0
    resolution_ref: str = ""
    #: the resolution in the register that approved it, typed or by id (``coop.decisions.checked``)
    resolution_id: decisions.Cited = None


def plans(session: so.Session, coop: Coop) -> list[DuesPlan]:
    """The co-op's plans, active ones first, then by name."""
    return list(session.scalars(sa.select(DuesPlan).where(DuesPlan.coop_id == coop.id)
                                .order_by(DuesPlan.is_active.desc(), DuesPlan.name)))


def runs_of(session: so.Session, plan: DuesPlan) -> list[DuesRun]:
    """A plan's runs, latest period first."""
    return list(session.scalars(sa.select(DuesRun).where(DuesRun.coop_id == plan.coop_id, DuesRun.plan_id == plan.id)
                                .order_by(DuesRun.period_start.desc())))


def _check_plan(session: so.Session, coop: Coop, data: PlanData, plan: DuesPlan | None) -> PlanData:
    """Every refusal of the plan's data at once; the data cleaned (its resolution's id found)."""
    problems = Problems()
    name = " ".join((data.name or "").split())
    if not name:
        problems.add(_l("Give the plan a name, as members will read it on their statement."), field="name")
    elif len(name) > 200:
        problems.add(_l("A name has at most 200 characters."), field="name")
    elif session.scalar(sa.select(DuesPlan.id).where(
            DuesPlan.coop_id == coop.id, sa.func.lower(DuesPlan.name) == name.lower(),
            DuesPlan.id != (plan.id if plan is not None else -1))) is not None:
        problems.add(_l("Another plan already has this name."), field="name")
    amount = data.amount_minor
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        problems.add(_l("The amount must be more than zero."), field="amount")
    elif amount >= MAX_MINOR:
        problems.add(_l("This amount is too large."), field="amount")
    else:
        problems.check(check_amount, coop, amount)
    if data.frequency not in set(Frequency):
        problems.add(_l("Choose how often it is charged."), field="frequency")
    if data.debtors not in set(Debtors):
        problems.add(_l("Choose who owes it."), field="debtors")
    problems.check(_income_account, session, coop, data.income_account_id, "income_account")
    if not isinstance(data.start_date, dt.date):
        problems.add(_l("Write the date of the first period."), field="start_date")
    elif data.end_date is not None and data.end_date < data.start_date:
        problems.add(_l("The end comes after the start."), field="end_date")
    if data.run_day is not None and not 1 <= data.run_day <= 28:
        problems.add(_l("A day from 1 to 28, so that every month has it; or leave it empty."), field="run_day")
    if not isinstance(data.due_days, int) or not 0 <= data.due_days <= MAX_DUE_DAYS:
        problems.add(_l("From 0 to %(max)d days.", max=MAX_DUE_DAYS), field="due_days")
    resolution = " ".join((data.resolution_ref or "").split())
    if len(resolution) > 200:
        problems.add(_l("A resolution reference has at most 200 characters."), field="resolution_ref")
    decision = problems.check(decisions.checked, session, coop, data.resolution_id)
    if plan is not None:
        _check_change_after_runs(session, plan, data, problems)
    problems.raise_any()
    return replace(data, name=name, resolution_ref=resolution, resolution_id=decision)


def _check_change_after_runs(session: so.Session, plan: DuesPlan, data: PlanData, problems: Problems) -> None:
    """Once a period is charged, what defines the periods and their debtors stays as it was."""
    last = session.scalar(sa.select(sa.func.max(DuesRun.period_start)).where(DuesRun.plan_id == plan.id))
    if last is None:
        return
    locked = _l("Periods of this plan were already charged: create a new plan instead.")
    for field, new, old in (("frequency", data.frequency, plan.frequency), ("debtors", data.debtors, plan.debtors),
                            ("start_date", data.start_date, plan.start_date)):
        if new != old:
            problems.add(locked, field=field)
    if data.end_date is not None and data.end_date < last:
        problems.add(_l("The period of %(day)s was already charged: end the plan after it.",
                        day=last.isoformat()), field="end_date")


def _values(data: PlanData) -> dict:
    """The columns of a checked plan (``_check_plan``)."""
    return {"name": data.name, "amount_minor": data.amount_minor, "frequency": Frequency(data.frequency),
            "debtors": Debtors(data.debtors), "income_account_id": data.income_account_id,
            "start_date": data.start_date, "end_date": data.end_date, "run_day": data.run_day,
            "due_days": data.due_days, "resolution_ref": data.resolution_ref, "resolution_id": data.resolution_id}


def _flush_plan(session: so.Session) -> None:
    try:
        with session.begin_nested():  # the unique name settles a race with another treasurer
            session.flush()
    except sa.exc.IntegrityError:
        raise DomainError(_l("Another plan already has this name."), field="name") from None


def create_plan(session: so.Session, actor: User | None, coop: Coop, data: PlanData) -> DuesPlan:
    """Record a dues plan the assembly approved."""
    data = _check_plan(session, coop, data, None)
    plan = DuesPlan(coop_id=coop.id, created_by_id=actor.id if actor is not None else None, **_values(data))
    session.add(plan)
    _flush_plan(session)
    audit.record(session, coop=coop, actor=actor, action="ledger.dues_plan", obj=plan, summary=data.name,
                 changes={"created": [None, data.name]})
    return plan


def _own(coop: Coop, plan: DuesPlan) -> DuesPlan:
    if plan.coop_id != coop.id:
        raise NotFoundError(_l("There is no such dues plan."), field="plan")
    return plan


def update_plan(session: so.Session, actor: User | None, coop: Coop, plan: DuesPlan, data: PlanData) -> dict:
    """Change a plan; a new amount applies to the periods charged from now on. The changes made."""
    _own(coop, plan)
    data = _check_plan(session, coop, data, plan)
    changes = audit.changes_between(plan, _values(data))
    if changes:
        for key, value in _values(data).items():
            setattr(plan, key, value)
        _flush_plan(session)
        audit.record(session, coop=coop, actor=actor, action="ledger.dues_plan", obj=plan, summary=data.name,
                     changes=changes)
    return changes


def set_plan_active(session: so.Session, actor: User | None, coop: Coop, plan: DuesPlan, active: bool) -> DuesPlan:
    """Stop charging a plan (its runs and charges stay), or take it up again."""
    _own(coop, plan)
    if plan.is_active != active:
        plan.is_active = active
        session.flush()
        audit.record(session, coop=coop, actor=actor, action="ledger.dues_plan", obj=plan, summary=plan.name,
                     changes={"is_active": [not active, active]})
    return plan


# --- periods (pure) ---------------------------------------------------------------------------

def period_start(plan: DuesPlan, day: dt.date) -> dt.date:
    """The first day of the plan's period that contains ``day`` (periods before the start too)."""
    if plan.frequency == Frequency.ONE_OFF:
        return plan.start_date
    step, base = MONTHS[Frequency(plan.frequency)], calendar.month_index(plan.start_date)
    return calendar.month_of_index(base + (calendar.month_index(day) - base) // step * step)


def period_end(plan: DuesPlan, start: dt.date) -> dt.date:
    """The last day of the period starting on ``start``."""
    if plan.frequency == Frequency.ONE_OFF:
        return start
    return calendar.add_months(start, MONTHS[Frequency(plan.frequency)]) - dt.timedelta(days=1)


def period_label(plan: DuesPlan, start: dt.date) -> str:
    """How a period reads on a statement: "2026-03", "2026-02/2026-04", "2026", or the date."""
    if plan.frequency == Frequency.ONE_OFF:
        return start.isoformat()
    if plan.frequency == Frequency.MONTHLY:
        return start.strftime("%Y-%m")
    end = period_end(plan, start)
    if plan.frequency == Frequency.YEARLY and start.month == 1:
        return str(start.year)
    return f"{start:%Y-%m}/{end:%Y-%m}"


def first_period(plan: DuesPlan) -> dt.date:
    return period_start(plan, plan.start_date)


def periods_due(plan: DuesPlan, today: dt.date) -> list[dt.date]:
    """Every period of the plan that has begun by ``today``, oldest first (within its end)."""
    if plan.frequency == Frequency.ONE_OFF:
        return [plan.start_date] if plan.start_date <= today else []
    step, periods = MONTHS[Frequency(plan.frequency)], []
    month, last = first_period(plan), period_start(plan, today)
    while month <= last and (plan.end_date is None or month <= plan.end_date):
        periods.append(month)
        month = calendar.add_months(month, step)
    return periods


def following_period(plan: DuesPlan, start: dt.date) -> dt.date | None:
    """The period after the one starting on ``start``, or None when the plan has no more."""
    if plan.frequency == Frequency.ONE_OFF:
        return None
    following = calendar.add_months(start, MONTHS[Frequency(plan.frequency)])
    return None if plan.end_date is not None and following > plan.end_date else following


@dataclass(frozen=True)
class PeriodChoice:
    """A period a treasurer may choose to charge, and whether it already was."""

    start: dt.date
    label: str
    charged: bool


@dataclass(frozen=True)
class PeriodChoices:
    """The periods to offer, newest first, and the one to charge next (None once all are charged)."""

    choices: list[PeriodChoice]
    next_period: dt.date | None


def period_choices(session: so.Session, plan: DuesPlan, today: dt.date) -> PeriodChoices:
    """Every period begun by ``today``, and the next one not yet charged even if it begins later.

    The next period is the one after the latest charged (the plan's first, if none is): a
    treasurer who charges the month ahead finds it offered, and charged periods stay on the
    list, marked, so their charges can be looked at again.
    """
    charged = set(session.scalars(sa.select(DuesRun.period_start).where(
        DuesRun.coop_id == plan.coop_id, DuesRun.plan_id == plan.id)))
    upcoming = following_period(plan, max(charged)) if charged else first_period(plan)
    starts = periods_due(plan, max(today, upcoming) if upcoming is not None else today)
    choices = [PeriodChoice(start, period_label(plan, start), start in charged) for start in reversed(starts)]
    return PeriodChoices(choices, upcoming)


def check_period(plan: DuesPlan, start: dt.date) -> None:
    """Refuse a date that is not the start of one of the plan's periods."""
    if not isinstance(start, dt.date):
        raise DomainError(_l("Choose the period to charge."), field="period")
    if period_start(plan, start) != start:
        raise DomainError(_l("This date does not start a period of the plan."), field="period")
    if start < first_period(plan):
        raise DomainError(_l("The plan starts later: its first period is %(day)s.",
                             day=first_period(plan).isoformat()), field="period")
    if plan.end_date is not None and start > plan.end_date:
        raise DomainError(_l("The plan ended on %(day)s.", day=plan.end_date.isoformat()), field="period")


def due_date(plan: DuesPlan, start: dt.date) -> dt.date:
    return start + dt.timedelta(days=plan.due_days or 0)


# --- debtors and runs -------------------------------------------------------------------------

@dataclass(frozen=True)
class Debtor:
    """Who is charged for a period: the member, and for a household plan the household."""

    member: Member
    household: Household | None
    amount_minor: int


def owing_members(session: so.Session, coop: Coop, *, joined_by: dt.date,
                  per_household: bool) -> list[tuple[Member, Household | None]]:
    """Who owes a period ending on ``joined_by``: members in good standing who had joined by then,
    by member number, each with their household.

    ``per_household``: one per household, its lowest-numbered such member; a member not (yet)
    placed in any household counts as a household of their own, so nobody is forgotten. Dues and
    Minga's obligations both charge by this rule.
    """
    members = session.scalars(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(OWING_STATUSES),
                                Member.join_date <= joined_by)
        .options(so.joinedload(Member.household)).order_by(Member.number))
    if not per_household:
        return [(member, None) for member in members]
    seen: set[int] = set()
    owing = []
    for member in members:
        if member.household_id is not None:
            if member.household_id in seen:
                continue
            seen.add(member.household_id)
        owing.append((member, member.household))
    return owing


def debtors(session: so.Session, coop: Coop, plan: DuesPlan, start: dt.date) -> list[Debtor]:
    """Who owes the period (``owing_members``): each member, or each household's first member."""
    return [Debtor(member, household, plan.amount_minor) for member, household in owing_members(
        session, coop, joined_by=period_end(plan, start), per_household=plan.debtors == Debtors.HOUSEHOLDS)]


def run_of(session: so.Session, plan: DuesPlan, start: dt.date) -> DuesRun | None:
    return session.scalar(sa.select(DuesRun).where(DuesRun.coop_id == plan.coop_id, DuesRun.plan_id == plan.id,
                                                   DuesRun.period_start == start))


@dataclass
class Preview:
    """What a run of the period would charge, and why it cannot run (if it cannot)."""

    plan: DuesPlan
    period_start: dt.date
    period_end: dt.date
    label: str
    due_date: dt.date
    debtors: list[Debtor]
    total_minor: int
    already: DuesRun | None
    problems: list[str]


def _blocking(session: so.Session, coop: Coop, plan: DuesPlan, start: dt.date) -> list[str]:
    problems = []
    if not plan.is_active:
        problems.append(str(_l("The plan is inactive: take it up again before charging it.")))
    if is_closed_month(session, coop, start):
        problems.append(str(_l("The month of %(day)s is closed in the books.", day=start.isoformat())))
    if services.receivable_account(session, coop) is None:
        problems.append(str(_l("The chart of accounts has no open members' (receivable) account.")))
    if plan.income_account.is_closed:
        problems.append(str(_l("Account %(code)s is closed.", code=plan.income_account.code)))
    return problems


def preview_run(session: so.Session, coop: Coop, plan: DuesPlan, start: dt.date) -> Preview:
    """What charging the period would do, without writing anything."""
    _own(coop, plan)
    check_period(plan, start)
    owing = debtors(session, coop, plan, start)
    already = run_of(session, plan, start)
    problems = _blocking(session, coop, plan, start)
    if already is not None:
        problems.insert(0, str(_l("This period was already charged.")))
    elif not owing:
        problems.append(str(_l("Nobody owes this period: no member in good standing had joined by its end.")))
    return Preview(plan, start, period_end(plan, start), period_label(plan, start), due_date(plan, start),
                   owing, sum(d.amount_minor for d in owing), already, problems)


def run_dues(session: so.Session, actor: User | None, coop: Coop, plan: DuesPlan, start: dt.date) -> DuesRun:
    """Charge one period of a plan to everyone who owes it; refused whole if anything is wrong."""
    _own(coop, plan)
    check_period(plan, start)
    blocking = _blocking(session, coop, plan, start)
    if blocking:
        raise DomainError(blocking[0], field="period")
    with session.begin_nested():  # all or nothing, even for a caller that goes on (the job)
        try:
            with session.begin_nested():  # the unique (co-op, plan, period) refuses a second run
                run = DuesRun(coop_id=coop.id, plan_id=plan.id, period_start=start,
                              created_by_id=actor.id if actor is not None else None)
                session.add(run)
                session.flush()
        except sa.exc.IntegrityError:
            raise DomainError(_l("This period was already charged."), field="period") from None
        owing = debtors(session, coop, plan, start)
        if not owing:
            raise DomainError(_l("Nobody owes this period: no member in good standing had joined by its end."),
                              field="period")
        description = f"{plan.name} {period_label(plan, start)}"
        charges.post_charges(session, actor, coop, [
            charges.ChargeLine(d.member, d.amount_minor, description, d.household) for d in owing],
            income_account=plan.income_account, source=EntrySource.DUES, origin=Origin(DUES_RUN_ORIGIN, run.id),
            entry_date=start, due_date=due_date(plan, start), run_id=run.id, reference=plan.resolution_ref[:100])
        run.charges_count, run.total_minor = len(owing), sum(d.amount_minor for d in owing)
        session.flush()
        audit.record(session, coop=coop, actor=actor, action="ledger.dues_run", obj=run,
                     summary=f"{description}: {run.charges_count}")
    return run


def charges_of_run(session: so.Session, run: DuesRun, *, page: int = 1, per_page: int = 100) -> list[Charge]:
    """One page of a run's charges, by member number."""
    return list(session.scalars(one_page(
        sa.select(Charge).join(Member, Member.id == Charge.member_id)
        .where(Charge.coop_id == run.coop_id, Charge.run_id == run.id)
        .options(so.contains_eager(Charge.member), so.joinedload(Charge.entry)).order_by(Member.number),
        page, per_page)))


def charge_member(session: so.Session, actor: User | None, coop: Coop, *, member: Member, amount_minor: int,
                  description: str, due_date: dt.date, income_account: Account,
                  source: EntrySource = EntrySource.FINE, entry_date: dt.date | None = None) -> Charge:
    """Post one charge to a member: debit their account, credit ``income_account``.

    The entry is dated ``entry_date`` (default: today in the co-op); the member's unused credit
    pays it at once.
    """
    if member.coop_id != coop.id:
        raise NotFoundError(_l("There is no such member."), field="member")
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    if not isinstance(due_date, dt.date):
        raise DomainError(_l("Write the date it falls due."), field="due_date")
    income = _income_account(session, coop, income_account.id if income_account is not None else None,
                             "income_account")
    receivable = services.receivable_account(session, coop)
    if receivable is None:
        raise DomainError(_l("The chart of accounts has no open members' (receivable) account."))
    charge_id = reserve_id(session, Charge)  # the entry names its charge, which is written after it
    entry = post_entry(session, actor, coop, entry_date=entry_date or calendar.today_in(coop),
                       description=description, source=source, origin=Origin(CHARGE_ORIGIN, charge_id),
                       postings=[PostingLine(receivable, amount_minor, member), PostingLine(income, -amount_minor)])
    charge = Charge(id=charge_id, coop_id=coop.id, member_id=member.id, household_id=None, run_id=None,
                    source=EntrySource(source), description=entry.description, due_date=due_date,
                    amount_minor=amount_minor, entry_id=entry.id)
    session.add(charge)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.charge", obj=charge,
                 summary=f"{member.number}: {entry.description}")
    allocation.settle_member(session, coop.id, member.id)
    return charge


# --- the scheduled run ------------------------------------------------------------------------

def scheduled_period(plan: DuesPlan, today: dt.date) -> dt.date | None:
    """The period the job should charge today, if any.

    A plan runs on its ``run_day`` in the first month of each period; on a later day of that
    month too, so a day the scheduler missed is caught up (the unique key keeps it to one run).
    """
    if not plan.is_active or plan.run_day is None:
        return None
    start = period_start(plan, today)
    if start > today:  # a one-off plan whose day has not come
        return None
    run_on = max(start, start.replace(day=plan.run_day))
    if not (run_on <= today and calendar.month_start(today) == calendar.month_start(run_on)):
        return None
    try:
        check_period(plan, start)
    except DomainError:
        return None
    return start


def run_scheduled(session: so.Session, coop: Coop, today: dt.date) -> tuple[list[str], list[str]]:
    """Charge every plan of the co-op whose day has come and whose period is not yet charged.

    Returns (what was charged, what failed and why); a failing plan does not stop the others.
    """
    work = []
    for plan in plans(session, coop):
        start = scheduled_period(plan, today)
        if start is None or run_of(session, plan, start) is not None:
            continue
        work.append((f"{coop.slug}/{plan.name} {period_label(plan, start)}",
                     lambda plan=plan, start=start: run_dues(session, None, coop, plan, start).charges_count))
    return run_each(work, coop.locale)
