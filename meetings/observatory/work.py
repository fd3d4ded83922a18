"""Work packages: what an assembly decided to do with money, and what became of it.

The officers open a package for a resolution (most come from a funded proposal, opened by the
participatory budget's decision), keep its status and progress, link the Minga sessions that
worked on it and the expenses paid for it, and report progress with a photo. A session or an
expense counts for one package at most: the database's unique index says so, and a link refused
by it is answered with the package that already holds the session or expense. The figures the
pages and the printed report show are read in ``meetings.observatory.trace``.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import DomainError, Problems
from coop.tenancy import Coop
from ledger.models import Account, Expense, ExpenseStatus
from meetings.models import Resolution
from meetings.observatory.models import WorkExpenseLink, WorkPackage, WorkSessionLink, WorkStatus, WorkUpdate
from minga.models import Commission, WorkSession

MAX_TITLE = 200
MAX_DESCRIPTION = 8000
MAX_UPDATE = 4000
#: the largest photo of a progress report, unless OBSERVATORY_PHOTO_MAX_BYTES says otherwise
DEFAULT_PHOTO_MAX_BYTES = 5 * 1024 * 1024
MEGABYTE = 1024 * 1024
_PICTURES = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
#: expenses that may be linked: decided to be paid, or paid
LINKABLE_EXPENSES = (ExpenseStatus.APPROVED, ExpenseStatus.PAID)

STATUS_LABELS = {
    WorkStatus.PLANNED: _l("Planned"),
    WorkStatus.UNDER_WAY: _l("Under way"),
    WorkStatus.FINISHED: _l("Finished"),
    WorkStatus.CANCELLED: _l("Cancelled"),
}

audit.describe("observatory.work.create", _l("Work package opened"))
audit.describe("observatory.work.edit", _l("Work package changed"))
audit.describe("observatory.work.link_session", _l("Minga session linked to a work package"))
audit.describe("observatory.work.unlink_session", _l("Minga session unlinked from a work package"))
audit.describe("observatory.work.link_expense", _l("Expense linked to a work package"))
audit.describe("observatory.work.unlink_expense", _l("Expense unlinked from a work package"))
audit.describe("observatory.work.update", _l("Progress of a work package reported"))


@dataclass(frozen=True)
class PackageFacts:
    """What an officer writes about a package, as the form gives it."""

    title: str
    description: str
    account: Account | None
    voted_minor: int | None
    commission: Commission | None
    resolution: Resolution | None = None


@dataclass(frozen=True)
class Photo:
    name: str
    content_type: str
    content: bytes


def _own(coop: Coop, thing) -> None:
    if thing is None or thing.coop_id != coop.id:
        raise DomainError(_l("This does not belong to the co-op."))


def _check_facts(coop: Coop, facts: PackageFacts, problems: Problems, *, needs_resolution: bool) -> tuple[str, str]:
    title = " ".join((facts.title or "").split())
    description = (facts.description or "").strip()
    if not title:
        problems.add(_l("Write the work package's title."), field="title")
    elif len(title) > MAX_TITLE:
        problems.add(_l("A title has at most %(max)d characters.", max=MAX_TITLE), field="title")
    if len(description) > MAX_DESCRIPTION:
        problems.add(_l("A description has at most %(max)d characters.", max=MAX_DESCRIPTION), field="description")
    if needs_resolution and (facts.resolution is None or facts.resolution.coop_id != coop.id):
        problems.add(_l("Choose the resolution that decided the work."), field="resolution")
    account = facts.account
    if account is None or account.coop_id != coop.id:
        problems.add(_l("Choose the budget line the work spends against."), field="account")
    elif account.is_closed:
        problems.add(_l("Account %(code)s is closed.", code=account.code), field="account")
    if facts.voted_minor is None or facts.voted_minor < 0:
        problems.add(_l("Write the amount voted for the work (zero or more)."), field="voted")
    if facts.commission is not None and facts.commission.coop_id != coop.id:
        problems.add(_l("Choose one of the co-op's commissions."), field="commission")
    return title, description


def create_work_package(session: so.Session, actor: User | None, coop: Coop, facts: PackageFacts) -> WorkPackage:
    """Open a package for one of the co-op's resolutions (planned, no progress yet)."""
    problems = Problems()
    title, description = _check_facts(coop, facts, problems, needs_resolution=True)
    problems.raise_any()
    package = WorkPackage(coop_id=coop.id, title=title, description=description, resolution_id=facts.resolution.id,
                          account_id=facts.account.id, voted_minor=facts.voted_minor,
                          commission_id=facts.commission.id if facts.commission else None,
                          status=WorkStatus.PLANNED, progress_pct=0)
    session.add(package)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.work.create", obj=package, summary=title,
                 details={"resolution": facts.resolution.reference, "voted_minor": facts.voted_minor})
    return package


def edit_work_package(session: so.Session, actor: User | None, coop: Coop, package: WorkPackage, facts: PackageFacts,
                      *, status: WorkStatus | None, progress_pct: int | None,
                      finished_on: dt.date | None) -> dict[str, list]:
    """Change a package's facts, status and progress; a finished package says when it finished."""
    _own(coop, package)
    problems = Problems()
    title, description = _check_facts(coop, facts, problems, needs_resolution=False)
    if status not in set(WorkStatus):
        problems.add(_l("Choose the work's status."), field="status")
    if progress_pct is None or not 0 <= progress_pct <= 100:
        problems.add(_l("Progress is a percentage from 0 to 100."), field="progress")
    if status == WorkStatus.FINISHED and finished_on is None:
        problems.add(_l("Write the day the work finished."), field="finished_on")
    problems.raise_any()
    values = {"title": title, "description": description, "account_id": facts.account.id,
              "voted_minor": facts.voted_minor, "commission_id": facts.commission.id if facts.commission else None,
              "status": status, "progress_pct": progress_pct,
              "finished_on": finished_on if status == WorkStatus.FINISHED else None}
    changes = audit.changes_between(package, values)
    for name, value in values.items():
        setattr(package, name, value)
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="observatory.work.edit", obj=package,
                     summary=package.title, changes=changes)
    return changes


# --- links to Minga sessions and expenses ------------------------------------------------------------

def _holder(session: so.Session, link_model, column, value) -> WorkPackage | None:
    return session.scalar(sa.select(WorkPackage).join(link_model, link_model.package_id == WorkPackage.id)
                          .where(column == value))


def _insert_once(session: so.Session, link) -> bool:
    """Insert a link unless the unique index says the thing is in a package already."""
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def link_session(session: so.Session, actor: User | None, coop: Coop, package: WorkPackage,
                 work_session: WorkSession | None) -> WorkSessionLink:
    """Count a Minga session's hours for the package (a session counts for one package at most)."""
    _own(coop, package)
    if work_session is None or work_session.coop_id != coop.id:
        raise DomainError(_l("Choose one of the co-op's Minga sessions."), field="session")
    link = WorkSessionLink(coop_id=coop.id, package_id=package.id, session_id=work_session.id)
    if not _insert_once(session, link):
        holder = _holder(session, WorkSessionLink, WorkSessionLink.session_id, work_session.id)
        raise DomainError(_l("The session “%(session)s” already counts for the work package “%(package)s”.",
                             session=work_session.title, package=holder.title if holder else "?"), field="session")
    audit.record(session, coop=coop, actor=actor, action="observatory.work.link_session", obj=package,
                 summary=package.title, details={"session": work_session.title, "session_id": work_session.id})
    return link


def unlink_session(session: so.Session, actor: User | None, coop: Coop, package: WorkPackage,
                   work_session_id: int) -> None:
    _own(coop, package)
    link = session.scalar(sa.select(WorkSessionLink).where(WorkSessionLink.package_id == package.id,
                                                           WorkSessionLink.session_id == work_session_id))
    if link is None:
        raise DomainError(_l("That session is not linked to this work package."), field="session")
    session.delete(link)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.work.unlink_session", obj=package,
                 summary=package.title, details={"session_id": work_session_id})


def link_expense(session: so.Session, actor: User | None, coop: Coop, package: WorkPackage,
                 expense: Expense | None) -> WorkExpenseLink:
    """Count an approved or paid expense for the package (an expense counts for one package at most)."""
    _own(coop, package)
    if expense is None or expense.coop_id != coop.id:
        raise DomainError(_l("Choose one of the co-op's expenses."), field="expense")
    if expense.status not in LINKABLE_EXPENSES:
        raise DomainError(_l("Only an approved or paid expense is linked to a work package."), field="expense")
    link = WorkExpenseLink(coop_id=coop.id, package_id=package.id, expense_id=expense.id)
    if not _insert_once(session, link):
        holder = _holder(session, WorkExpenseLink, WorkExpenseLink.expense_id, expense.id)
        raise DomainError(_l("Expense no. %(number)d (%(supplier)s) already counts for the work package “%(package)s”.",
                             number=expense.id, supplier=expense.supplier, package=holder.title if holder else "?"),
                          field="expense")
    audit.record(session, coop=coop, actor=actor, action="observatory.work.link_expense", obj=package,
                 summary=package.title, details={"expense_id": expense.id, "amount_minor": expense.amount_minor})
    return link


def unlink_expense(session: so.Session, actor: User | None, coop: Coop, package: WorkPackage, expense_id: int) -> None:
    _own(coop, package)
    link = session.scalar(sa.select(WorkExpenseLink).where(WorkExpenseLink.package_id == package.id,
                                                           WorkExpenseLink.expense_id == expense_id))
    if link is None:
        raise DomainError(_l("That expense is not linked to this work package."), field="expense")
    session.delete(link)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.work.unlink_expense", obj=package,
                 summary=package.title, details={"expense_id": expense_id})


# --- progress reports ---------------------------------------------------------------------------------

def photo_limit() -> int:
    if has_app_context():
        return int(current_app.config.get("OBSERVATORY_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES))
    return DEFAULT_PHOTO_MAX_BYTES


def megabytes(size: int) -> str:
    """A size in MB with at most one decimal, rounded up (a file over the limit never reads as equal)."""
    return f"{math.ceil(size * 10 / MEGABYTE) / 10:.1f}".rstrip("0").rstrip(".")


def check_photo(filename: str, content: bytes, *, max_bytes: int | None = None) -> Photo:
    """A JPEG or PNG picture, told apart by its first bytes (never by its name), within the limit."""
    limit = photo_limit() if max_bytes is None else max_bytes
    if not content:
        raise DomainError(_l("The file is empty."), field="photo")
    if len(content) > limit:
        raise DomainError(_l("The photo is %(size)s MB; the limit is %(limit)s MB.", size=megabytes(len(content)),
                             limit=megabytes(limit)), field="photo")
    for magic, content_type, extension in _PICTURES:
        if content.startswith(magic):
            stem = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
            stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"\\;').strip(" .")[:150] or "foto"
            return Photo(stem + extension, content_type, content)
    raise DomainError(_l("Attach a photo in JPEG or PNG."), field="photo")


def report_progress(session: so.Session, actor: User | None, coop: Coop, package: WorkPackage, *, text: str,
                    progress_pct: int | None, photo: tuple[str, bytes] | None = None) -> WorkUpdate:
    """Report progress (with a photo if there is one); the package takes the reported progress,
    and planned work that shows progress is under way."""
    _own(coop, package)
    problems = Problems()
    text = (text or "").strip()
    if not text:
        problems.add(_l("Say what was done."), field="text")
    elif len(text) > MAX_UPDATE:
        problems.add(_l("A report has at most %(max)d characters.", max=MAX_UPDATE), field="text")
    if progress_pct is None or not 0 <= progress_pct <= 100:
        problems.add(_l("Progress is a percentage from 0 to 100."), field="progress")
    if package.status == WorkStatus.CANCELLED:
        problems.add(_l("This work was cancelled: no more progress is reported."), field="text")
    checked = problems.check(check_photo, *photo) if photo is not None else None
    problems.raise_any()
    update = WorkUpdate(coop_id=coop.id, package_id=package.id, text=text, progress_pct=progress_pct,
                        created_by_id=actor.id if actor is not None else None)
    if checked is not None:
        update.photo_name, update.photo_type, update.photo = checked.name, checked.content_type, checked.content
    session.add(update)
    previous = {"progress_pct": package.progress_pct, "status": str(package.status)}
    package.progress_pct = progress_pct
    if package.status == WorkStatus.PLANNED and progress_pct > 0:
        package.status = WorkStatus.UNDER_WAY
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="observatory.work.update", obj=package,
                 summary=package.title,
                 changes={"progress_pct": [previous["progress_pct"], progress_pct],
                          **({"status": [previous["status"], str(package.status)]}
                             if previous["status"] != str(package.status) else {})},
                 details={"photo": checked.name} if checked else None)
    return update


def photo_of(session: so.Session, coop: Coop, package_id: int, update_id: int) -> WorkUpdate | None:
    return session.scalar(sa.select(WorkUpdate).where(WorkUpdate.id == update_id, WorkUpdate.package_id == package_id,
                                                      WorkUpdate.coop_id == coop.id, WorkUpdate.photo_name != "")
                          .options(so.undefer(WorkUpdate.photo)))
