"""The trace from decision to work to money: read-only queries for the work packages' pages and
the accountability report (page and PDF).

What a package spent is read from the books, not from the expenses' own amounts: the postings of
the paid entries of its linked expenses on the package's account, so the trace agrees with the
ledger to the cent (a payment posted in parts, or corrected, counts as the books say). The hours
are Minga's own: minutes of PRESENT attendance (``minga.reports`` counts the same), summed by the
session's commission. Every figure is an aggregate; no member's name or balance is read here.
Each kind of figure is one grouped query over all the packages asked for, so the report of a
co-op with sixty packages is a handful of queries.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import get_locale

from coop.tenancy import Coop
from ledger.models import Account, Expense, ExpenseStatus, JournalEntry, Posting
from meetings.models import Resolution
from meetings.observatory.explorer import ExpenseRow
from meetings.observatory.work import LINKABLE_EXPENSES
from meetings.observatory.models import (ParticipatoryBudget, Proposal, WorkExpenseLink, WorkPackage, WorkSessionLink,
                                         WorkStatus, WorkUpdate)
from minga.models import Attendance, AttendanceStatus, Commission, WorkSession
from minga.wording import hours_text

#: the attendance Minga counts as hours worked (as ``minga.reports.hours_by_commission`` does)
COUNTED_ATTENDANCE = (AttendanceStatus.PRESENT,)
GROUPINGS = ("status", "process")


@dataclass(frozen=True)
class CommissionHours:
    commission_id: int
    name: str
    minutes: int


@dataclass(frozen=True)
class ExpenseLine(ExpenseRow):
    """A linked expense: what the receipt says, and what the books posted to the package's account."""

    spent_minor: int
    entry_id: int | None
    entry_number: int | None


@dataclass
class PackageTrace:
    """One package and its figures: voted, spent (from the ledger), difference, hours by commission."""

    package: WorkPackage
    account: Account
    resolution: Resolution | None
    proposal: Proposal | None
    process: ParticipatoryBudget | None
    commission_name: str
    spent_minor: int = 0
    hours: list[CommissionHours] = field(default_factory=list)
    expenses: list[ExpenseLine] = field(default_factory=list)

    @property
    def voted_minor(self) -> int:
        return self.package.voted_minor

    @property
    def difference_minor(self) -> int:
        """What is left of the amount voted (negative: spent beyond it)."""
        return self.voted_minor - self.spent_minor

    @property
    def minutes(self) -> int:
        return sum(h.minutes for h in self.hours)

    @property
    def budget_year(self) -> int:
        """The year of the budget line it spends against: the process's, else the decision's."""
        if self.process is not None:
            return self.process.year
        if self.resolution is not None:
            return self.resolution.year
        return self.package.created_dt.year


@dataclass
class Totals:
    voted_minor: int = 0
    spent_minor: int = 0
    minutes: int = 0
    count: int = 0
    hours: dict[str, int] = field(default_factory=dict)

    def add(self, trace: PackageTrace) -> None:
        self.voted_minor += trace.voted_minor
        self.spent_minor += trace.spent_minor
        self.minutes += trace.minutes
        self.count += 1
        for h in trace.hours:
            self.hours[h.name] = self.hours.get(h.name, 0) + h.minutes

    @property
    def difference_minor(self) -> int:
        return self.voted_minor - self.spent_minor

    @property
    def hours_list(self) -> list[tuple[str, int]]:
        return sorted(self.hours.items(), key=lambda item: item[0].casefold())


@dataclass
class Group:
    """Packages under one heading (a status, or a process or resolution), with their totals."""

    key: str
    title: str
    rows: list[PackageTrace]
    totals: Totals
    process: ParticipatoryBudget | None = None
    resolution: Resolution | None = None


def _traces(session: so.Session, coop: Coop, where=None, *, with_expenses: bool = False) -> list[PackageTrace]:
    query = (sa.select(WorkPackage, Account, Resolution, Proposal, ParticipatoryBudget, Commission.name)
             .join(Account, Account.id == WorkPackage.account_id)
             .outerjoin(Resolution, Resolution.id == WorkPackage.resolution_id)
             .outerjoin(Proposal, Proposal.id == WorkPackage.proposal_id)
             .outerjoin(ParticipatoryBudget, ParticipatoryBudget.id == Proposal.process_id)
             .outerjoin(Commission, Commission.id == WorkPackage.commission_id)
             .where(WorkPackage.coop_id == coop.id)
             .order_by(ParticipatoryBudget.year.desc().nulls_last(), Proposal.number, WorkPackage.id))
    if where is not None:
        query = query.where(where)
    traces = [PackageTrace(package, account, resolution, proposal, process, commission_name or "")
              for package, account, resolution, proposal, process, commission_name in session.execute(query)]
    by_id = {t.package.id: t for t in traces}
    if not by_id:
        return traces
    ids = list(by_id)
    for package_id, spent in session.execute(_spent_query(coop, ids)):
        by_id[package_id].spent_minor = int(spent or 0)
    for package_id, commission_id, name, minutes in session.execute(_hours_query(coop, ids)):
        by_id[package_id].hours.append(CommissionHours(commission_id, name, int(minutes or 0)))
    if with_expenses:
        for package_id, line in expense_lines(session, coop, ids):
            by_id[package_id].expenses.append(line)
    return traces


def _spent_query(coop: Coop, ids: list[int]) -> sa.Select:
    """Per package: the postings on its account of the paid entries of its linked expenses."""
    return (sa.select(WorkExpenseLink.package_id, sa.func.sum(Posting.amount_minor))
            .join(WorkPackage, WorkPackage.id == WorkExpenseLink.package_id)
            .join(Expense, Expense.id == WorkExpenseLink.expense_id)
            .join(Posting, sa.and_(Posting.entry_id == Expense.paid_entry_id,
                                   Posting.account_id == WorkPackage.account_id))
            .where(WorkExpenseLink.coop_id == coop.id, WorkExpenseLink.package_id.in_(ids),
                   Expense.status == ExpenseStatus.PAID, Posting.coop_id == coop.id)
            .group_by(WorkExpenseLink.package_id))


def _hours_query(coop: Coop, ids: list[int]) -> sa.Select:
    return (sa.select(WorkSessionLink.package_id, WorkSession.commission_id, Commission.name,
                      sa.func.sum(Attendance.minutes))
            .join(WorkSession, WorkSession.id == WorkSessionLink.session_id)
            .join(Commission, Commission.id == WorkSession.commission_id)
            .join(Attendance, Attendance.session_id == WorkSession.id)
            .where(WorkSessionLink.coop_id == coop.id, WorkSessionLink.package_id.in_(ids),
                   Attendance.status.in_(COUNTED_ATTENDANCE))
            .group_by(WorkSessionLink.package_id, WorkSession.commission_id, Commission.name)
            .order_by(Commission.name))


def expense_lines(session: so.Session, coop: Coop, ids: list[int]) -> list[tuple[int, ExpenseLine]]:
    """The linked expenses of the packages ``ids``, by date, each with what the books posted."""
    spent = (sa.select(sa.func.coalesce(sa.func.sum(Posting.amount_minor), 0))
             .where(Posting.entry_id == Expense.paid_entry_id, Posting.account_id == WorkPackage.account_id)
             .correlate(Expense, WorkPackage).scalar_subquery())
    rows = session.execute(
        sa.select(WorkExpenseLink.package_id, Expense.id, Expense.expense_date, Expense.supplier, Expense.description,
                  Expense.amount_minor, Expense.status, Expense.paid_entry_id, JournalEntry.number, spent)
        .join(WorkPackage, WorkPackage.id == WorkExpenseLink.package_id)
        .join(Expense, Expense.id == WorkExpenseLink.expense_id)
        .outerjoin(JournalEntry, JournalEntry.id == Expense.paid_entry_id)
        .where(WorkExpenseLink.coop_id == coop.id, WorkExpenseLink.package_id.in_(ids))
        .order_by(Expense.expense_date, Expense.id))
    return [(package_id, ExpenseLine(expense_id, day, supplier, description, amount, status,
                                     int(posted or 0) if status == ExpenseStatus.PAID else 0, entry_id, entry_number))
            for package_id, expense_id, day, supplier, description, amount, status, entry_id, entry_number, posted
            in rows]


# --- the pages ---------------------------------------------------------------------------------------

def packages_for(session: so.Session, coop: Coop, *, resolution_id: int | None = None,
                 expense_id: int | None = None) -> list[WorkPackage]:
    """The work packages that carry out a resolution, or that an expense was paid for (the way
    back from the register and the books to the work)."""
    query = sa.select(WorkPackage).where(WorkPackage.coop_id == coop.id).order_by(WorkPackage.id)
    if resolution_id is not None:
        query = query.where(WorkPackage.resolution_id == resolution_id)
    if expense_id is not None:
        query = query.join(WorkExpenseLink, WorkExpenseLink.package_id == WorkPackage.id).where(
            WorkExpenseLink.expense_id == expense_id)
    if resolution_id is None and expense_id is None:
        return []
    return list(session.scalars(query))


def sessions_to_link(session: so.Session, coop: Coop, package: WorkPackage, *, limit: int) -> list[sa.Row]:
    """(id, title, starts_dt, commission name) of the co-op's sessions not linked to ``package``:
    the package's commission's first, newest first."""
    own_first = sa.case((WorkSession.commission_id == package.commission_id, 0), else_=1)
    return list(session.execute(
        sa.select(WorkSession.id, WorkSession.title, WorkSession.starts_dt, Commission.name)
        .join(Commission, Commission.id == WorkSession.commission_id)
        .outerjoin(WorkSessionLink, WorkSessionLink.session_id == WorkSession.id)
        .where(WorkSession.coop_id == coop.id,
               sa.or_(WorkSessionLink.package_id.is_(None), WorkSessionLink.package_id != package.id))
        .order_by(own_first, WorkSession.starts_dt.desc()).limit(limit)))


def expenses_to_link(session: so.Session, coop: Coop, package: WorkPackage, *, limit: int) -> list[sa.Row]:
    """(id, date, supplier, amount, status) of the co-op's approved and paid expenses not linked to
    ``package``: those of the package's account first, newest first."""
    own_first = sa.case((Expense.account_id == package.account_id, 0), else_=1)
    return list(session.execute(
        sa.select(Expense.id, Expense.expense_date, Expense.supplier, Expense.amount_minor, Expense.status)
        .outerjoin(WorkExpenseLink, WorkExpenseLink.expense_id == Expense.id)
        .where(Expense.coop_id == coop.id, Expense.status.in_(LINKABLE_EXPENSES),
               sa.or_(WorkExpenseLink.package_id.is_(None), WorkExpenseLink.package_id != package.id))
        .order_by(own_first, Expense.expense_date.desc(), Expense.id.desc()).limit(limit)))


def package_trace(session: so.Session, coop: Coop, package: WorkPackage) -> PackageTrace:
    """One package with its figures and its expenses."""
    return _traces(session, coop, WorkPackage.id == package.id, with_expenses=True)[0]


@dataclass(frozen=True)
class SessionLine:
    id: int
    title: str
    starts_dt: dt.datetime
    commission: str
    minutes: int
    people: int


def package_sessions(session: so.Session, coop: Coop, package: WorkPackage) -> list[SessionLine]:
    """The Minga sessions that worked on the package: when, which commission, minutes and people counted."""
    counted = Attendance.status.in_(COUNTED_ATTENDANCE)
    rows = session.execute(
        sa.select(WorkSession.id, WorkSession.title, WorkSession.starts_dt, Commission.name,
                  sa.func.coalesce(sa.func.sum(sa.case((counted, Attendance.minutes), else_=0)), 0),
                  sa.func.count(sa.case((counted, Attendance.id))))
        .join(WorkSessionLink, WorkSessionLink.session_id == WorkSession.id)
        .join(Commission, Commission.id == WorkSession.commission_id)
        .outerjoin(Attendance, Attendance.session_id == WorkSession.id)
        .where(WorkSessionLink.package_id == package.id, WorkSession.coop_id == coop.id)
        .group_by(WorkSession.id, WorkSession.title, WorkSession.starts_dt, Commission.name)
        .order_by(WorkSession.starts_dt))
    return [SessionLine(*row[:4], int(row[4]), int(row[5])) for row in rows]


def package_updates(session: so.Session, package: WorkPackage) -> list[WorkUpdate]:
    """The progress reports, newest first (photos stay unloaded: the page shows them by link)."""
    return list(session.scalars(sa.select(WorkUpdate).where(WorkUpdate.package_id == package.id)
                                .order_by(WorkUpdate.created_dt.desc(), WorkUpdate.id.desc())))


def overview(session: so.Session, coop: Coop, by: str = "status") -> tuple[list[Group], Totals]:
    """Every package, grouped by status or by process (else by resolution), with totals."""
    traces = _traces(session, coop)
    total = Totals()
    groups: dict[str, Group] = {}
    for trace in traces:
        total.add(trace)
        key, title, process, resolution = _group_of(trace, by)
        group = groups.setdefault(key, Group(key, title, [], Totals(), process, resolution))
        group.rows.append(trace)
        group.totals.add(trace)
    ordered = list(groups.values())
    if by == "status":
        order = {str(status): index for index, status in enumerate(
            (WorkStatus.UNDER_WAY, WorkStatus.PLANNED, WorkStatus.FINISHED, WorkStatus.CANCELLED))}
        ordered.sort(key=lambda g: order[g.key])
    return ordered, total


def _group_of(trace: PackageTrace, by: str):
    if by == "status":
        return str(trace.package.status), "", None, None
    if trace.process is not None:
        return f"p{trace.process.id}", trace.process.title, trace.process, trace.resolution
    if trace.resolution is not None:
        return f"r{trace.resolution.id}", trace.resolution.title, None, trace.resolution
    return "none", "", None, None


# --- the accountability report ------------------------------------------------------------------------

@dataclass
class Accountability:
    """For the assembly: each past participatory budget's decision and its packages, then every other
    package (by resolution), with totals per process and overall."""

    processes: list[Group]
    others: list[Group]
    totals: Totals

    @property
    def is_empty(self) -> bool:
        return not self.processes and not self.others


def accountability(session: so.Session, coop: Coop) -> Accountability:
    traces = _traces(session, coop, with_expenses=True)
    processes: dict[int, Group] = {}
    for process in session.scalars(sa.select(ParticipatoryBudget).where(
            ParticipatoryBudget.coop_id == coop.id, ParticipatoryBudget.resolution_id.is_not(None))
            .order_by(ParticipatoryBudget.year.desc())):
        processes[process.id] = Group(f"p{process.id}", process.title, [], Totals(), process,
                                      session.get(Resolution, process.resolution_id))
    others: dict[str, Group] = {}
    total = Totals()
    for trace in traces:
        total.add(trace)
        if trace.process is not None and trace.process.id in processes:
            group = processes[trace.process.id]
        else:
            key, title, _process, resolution = _group_of(trace, "process")
            group = others.setdefault(key, Group(key, title, [], Totals(), trace.process, resolution))
        group.rows.append(trace)
        group.totals.add(trace)
    return Accountability(list(processes.values()), list(others.values()), total)


def hours(minutes: int) -> str:
    """Minutes as hours in the reader's language ("4,5 h"), as Minga's pages write them."""
    return hours_text(minutes, str(get_locale() or "es").split("_")[0])
