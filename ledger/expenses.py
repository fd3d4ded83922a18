"""Expenses: a bill recorded with its receipt, approved by a second person, then paid from cash
or the bank.

An expense is pending when recorded (the receipt may follow: it is required before approval,
not before recording, because the paper often arrives after the purchase). Someone with the
right to approve who neither recorded nor changed it approves or rejects it; an approved expense
is paid by posting one entry (debit its account, credit cash or bank). Every change of status is
a conditional UPDATE on the expected status, so two treasurers clicking at once cannot both
decide the same expense: on PostgreSQL the second UPDATE waits for the first transaction's row
lock and then finds the status changed; on SQLite writers already run one at a time. Every step
goes to the audit trail. The read-only helpers for the pages (the list and its counts) are at the
end.

A receipt chosen on a form that was then refused (a missing supplier, an amount above the
ceiling) is kept for the retry, so nobody has to find the scan again: it waits as a draft task
(``keep_receipt``), named in the form by a token, and the ``tasks.purge`` job deletes drafts
nobody used within a day.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.audit import AuditEvent
from coop.auth.models import User
from coop.db import utcnow
from coop.errors import DomainError, NotFoundError, Problems
from coop.money import MAX_MINOR
from coop.paging import count_of, one_page
from coop.tasks import Task, TaskStatus
from coop.tenancy import Coop, check_amount
from coop.text import whole_number
from ledger import services
from ledger.models import Account, AccountType, EntrySource, Expense, ExpenseStatus, JournalEntry
from ledger.origins import Origin, register_origin
from ledger.services import PostingLine

DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
PAGE_SIZE = 50
MEGABYTE = 1024 * 1024

#: the first bytes of each kind of file we keep, with its content type and file extension
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)

STATUS_LABELS = {
    ExpenseStatus.PENDING: _l("Pending approval"),
    ExpenseStatus.APPROVED: _l("Approved, to pay"),
    ExpenseStatus.PAID: _l("Paid"),
    ExpenseStatus.REJECTED: _l("Rejected"),
}

audit.describe("ledger.expense.record", _l("Expense recorded"))
audit.describe("ledger.expense.edit", _l("Expense changed"))
audit.describe("ledger.expense.approve", _l("Expense approved"))
audit.describe("ledger.expense.reject", _l("Expense rejected"))

#: the entry that paid an expense; the origin's id is the expense's
EXPENSE_ORIGIN = "ledger.expense"
register_origin(EXPENSE_ORIGIN, label=_l("Expense paid"))
audit.describe("ledger.expense.pay", _l("Expense paid"))
for _field, _label, _values in (
        ("status", _l("Status"), STATUS_LABELS), ("expense_date", _l("Date of the invoice or receipt"), audit.day_text),
        ("supplier", _l("Supplier"), None), ("invoice_ref", _l("Invoice or receipt number"), None),
        ("account_id", _l("Account"), None), ("attachment", _l("Scanned invoice or receipt (PDF, JPEG or PNG)"), None)):
    audit.describe_field(_field, _label, values=_values, on="expense")


class ExpenseAlreadyDecided(DomainError):
    """Another person changed the expense's status first."""


@dataclass(frozen=True)
class Attachment:
    """A checked receipt or invoice, ready to keep."""

    name: str
    content_type: str
    content: bytes


# --- checks ----------------------------------------------------------------------------------

def attachment_limit() -> int:
    """LEDGER_ATTACHMENT_MAX_BYTES of the running app (the default outside one)."""
    if has_app_context():
        return int(current_app.config.get("LEDGER_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))
    return DEFAULT_ATTACHMENT_MAX_BYTES


def megabytes(size: int) -> str:
    """A size in MB with at most one decimal, rounded up so that a file over the limit never
    reads as equal to it."""
    value = math.ceil(size * 10 / MEGABYTE) / 10
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    if has_app_context():
        from flask_babel import format_decimal
        try:
            return format_decimal(value, format="#,##0.#")
        except Exception:  # outside a request Babel may have no locale: the plain figure will do
            return text
    return text


def _clean_filename(filename: str, extension: str) -> str:
    """The file's own name without folders or control characters, ending in its real extension."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    stem = re.sub(r"\s+", " ", os.path.splitext(name)[0]).strip(" .") or "attachment"
    return stem[:200 - len(extension)] + extension


def check_attachment(filename: str, content: bytes, *, max_bytes: int | None = None) -> Attachment:
    """Accept a PDF, JPEG or PNG, told apart by its first bytes (never by its name or by what the
    browser says), no larger than the limit."""
    limit = attachment_limit() if max_bytes is None else max_bytes
    if not content:
        raise DomainError(_l("The file is empty. Attach a PDF, JPEG or PNG."), field="attachment")
    if len(content) > limit:
        raise DomainError(_l("The file is %(size)s MB; the limit is %(limit)s MB.",
                             size=megabytes(len(content)), limit=megabytes(limit)), field="attachment")
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return Attachment(_clean_filename(filename, extension), content_type, content)
    raise DomainError(_l("Attach a PDF, JPEG or PNG: this file is none of them."), field="attachment")


# --- a receipt kept for the retry ------------------------------------------------------------

#: the kind of the draft task that keeps a receipt between a refused form and its retry (never run)
KEPT_RECEIPT = "ledger.kept_receipt"


def keep_receipt(session: so.Session, coop_id: int, actor_id: int | None, attachment: Attachment) -> str:
    """Keep a checked receipt for the form's next try; the token the form carries to find it.

    Takes ids, not objects: the caller writes it in a unit of work of its own, after the refused
    request's was rolled back.
    """
    key = uuid.uuid4().hex
    task = Task(coop_id=coop_id, kind=KEPT_RECEIPT, params={}, dedupe_key=key, status=TaskStatus.DRAFT,
                filename=attachment.name[:200], mimetype=attachment.content_type, input=attachment.content,
                requested_by_id=actor_id)
    session.add(task)
    session.flush()
    return f"{task.id}.{key}"


def _kept_task(session: so.Session, coop: Coop, actor: User | None, token: str | None) -> Task | None:
    task_id, _dot, key = (token or "").partition(".")
    if whole_number(task_id, 18) is None or len(key) != 32:
        return None
    return session.scalar(sa.select(Task).where(
        Task.id == int(task_id), Task.coop_id == coop.id, Task.kind == KEPT_RECEIPT, Task.dedupe_key == key,
        Task.status == TaskStatus.DRAFT, Task.requested_by_id == (actor.id if actor is not None else None)))


def kept_receipt(session: so.Session, coop: Coop, actor: User | None, token: str | None) -> Attachment | None:
    """The receipt kept under ``token`` for this person, or None (unknown, someone else's, purged)."""
    task = _kept_task(session, coop, actor, token)
    if task is None or task.input is None:
        return None
    return Attachment(task.filename, task.mimetype, bytes(task.input))


def drop_kept_receipt(session: so.Session, coop: Coop, actor: User | None, token: str | None) -> None:
    """Forget a kept receipt once the expense that used it is saved."""
    task = _kept_task(session, coop, actor, token)
    if task is not None:
        session.delete(task)
        session.flush()


def _has_open_children(session: so.Session, account: Account) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.parent_id == account.id, Account.is_closed.is_(False))) > 0


def is_expense_account(account: Account) -> bool:
    """An account an expense may be charged to: an expense account, or an asset bought with the
    money (construction in progress, materials) that is neither members' nor cash or bank."""
    if account.type == AccountType.EXPENSE:
        return True
    return account.type == AccountType.ASSET and not account.is_receivable and not services.is_cash_or_bank(account)


def expense_accounts(session: so.Session, coop: Coop) -> list[Account]:
    """The open, detailed accounts an expense may be charged to, by code."""
    accounts = list(session.scalars(sa.select(Account).where(
        Account.coop_id == coop.id, Account.is_closed.is_(False),
        Account.type.in_([AccountType.EXPENSE, AccountType.ASSET])).order_by(Account.code)))
    parents = {a.parent_id for a in accounts}
    return [a for a in accounts if is_expense_account(a) and a.id not in parents]


def _check_account(session: so.Session, coop: Coop, account: Account | None) -> Account:
    if account is None or account.coop_id != coop.id:
        raise DomainError(_l("Choose the account the expense is charged to."), field="account")
    if account.is_closed:
        raise DomainError(_l("Account %(code)s is closed.", code=account.code), field="account")
    if not is_expense_account(account):
        raise DomainError(_l("Charge an expense to an expense account, or to an asset such as construction "
                             "in progress or materials; account %(code)s is neither.", code=account.code),
                          field="account")
    if _has_open_children(session, account):
        raise DomainError(_l("Account %(code)s is a heading: choose one of the accounts under it.",
                             code=account.code), field="account")
    return account


def _text(problems: Problems, value: str, field: str, limit: int, missing, too_long) -> str:
    value = " ".join((value or "").split())
    if not value and missing is not None:
        problems.add(missing, field=field)
    elif len(value) > limit:
        problems.add(too_long, field=field)
    return value


@dataclass(frozen=True)
class ExpenseFacts:
    expense_date: dt.date
    supplier: str
    description: str
    invoice_ref: str
    account: Account
    amount_minor: int


def _check_invoice_once(session: so.Session, coop: Coop, supplier: str, invoice_ref: str,
                        expense: Expense | None) -> None:
    """The same invoice of the same supplier is recorded once (unless it was rejected)."""
    if not invoice_ref:
        return
    query = sa.select(Expense.id).where(
        Expense.coop_id == coop.id, sa.func.lower(Expense.supplier) == supplier.lower(),
        sa.func.lower(Expense.invoice_ref) == invoice_ref.lower(), Expense.status != ExpenseStatus.REJECTED)
    if expense is not None:
        query = query.where(Expense.id != expense.id)
    other = session.scalar(query.limit(1))
    if other is not None:
        raise DomainError(_l("Expense no. %(number)d already records this invoice of this supplier.",
                             number=other), field="invoice_ref")


def _check_facts(session: so.Session, coop: Coop, expense: Expense | None, *, expense_date, supplier,
                 description, invoice_ref, account, amount_minor, attachment) -> tuple[ExpenseFacts, Attachment | None]:
    """Every field at once: the cleaned facts and the checked attachment, or all the problems."""
    problems = Problems()
    if not isinstance(expense_date, dt.date):
        problems.add(_l("Write the date of the invoice or receipt."), field="expense_date")
    supplier = _text(problems, supplier, "supplier", 200, _l("Write who is paid (the supplier)."),
                     _l("A supplier's name has at most 200 characters."))
    description = _text(problems, description, "description", 500, _l("Say what was bought or done."),
                        _l("A description has at most 500 characters."))
    invoice_ref = _text(problems, invoice_ref, "invoice_ref", 100, None,
                        _l("An invoice number has at most 100 characters."))
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor <= 0:
        problems.add(_l("Enter an amount greater than zero."), field="amount")
    elif amount_minor >= MAX_MINOR:
        problems.add(_l("This amount is too large."), field="amount")
    else:
        problems.check(check_amount, coop, amount_minor)
    account = problems.check(_check_account, session, coop, account)
    if supplier and invoice_ref and len(supplier) <= 200 and len(invoice_ref) <= 100:
        problems.check(_check_invoice_once, session, coop, supplier, invoice_ref, expense)
    checked = None
    if attachment is not None:
        checked = problems.check(check_attachment, *attachment)
    problems.raise_any()
    return ExpenseFacts(expense_date, supplier, description, invoice_ref, account, amount_minor), checked


def _own(coop: Coop, expense: Expense) -> Expense:
    if expense is None or expense.coop_id != coop.id:
        raise NotFoundError(_l("There is no such expense."), field="expense")
    return expense


def _summary(expense: Expense) -> str:
    return f"{expense.id}: {expense.supplier} · {expense.amount_minor}"


# --- recording and changing ------------------------------------------------------------------

def record_expense(session: so.Session, actor: User | None, coop: Coop, *, expense_date: dt.date,
                   supplier: str, description: str, invoice_ref: str, account: Account | None,
                   amount_minor: int, attachment: tuple[str, bytes] | None = None) -> Expense:
    """Record a bill to pay, pending approval; ``attachment`` is (file name, content) or None."""
    facts, checked = _check_facts(session, coop, None, expense_date=expense_date, supplier=supplier,
                                  description=description, invoice_ref=invoice_ref, account=account,
                                  amount_minor=amount_minor, attachment=attachment)
    expense = Expense(coop_id=coop.id, expense_date=facts.expense_date, supplier=facts.supplier,
                      description=facts.description, invoice_ref=facts.invoice_ref,
                      account_id=facts.account.id, account=facts.account, amount_minor=facts.amount_minor,
                      status=ExpenseStatus.PENDING, requested_by_id=actor.id if actor is not None else None)
    if checked is not None:
        expense.attachment_name, expense.attachment_type = checked.name, checked.content_type
        expense.attachment = checked.content
    session.add(expense)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.expense.record", obj=expense,
                 summary=_summary(expense),
                 changes={"attachment": [None, checked.name]} if checked is not None else None)
    return expense


def edit_expense(session: so.Session, actor: User | None, coop: Coop, expense: Expense, *,
                 expense_date: dt.date, supplier: str, description: str, invoice_ref: str,
                 account: Account | None, amount_minor: int,
                 attachment: tuple[str, bytes] | None = None) -> dict[str, list]:
    """Correct a pending expense (a new attachment replaces the old one; None keeps it).

    The changes, as {field: [old, new]}; the UPDATE only applies while the expense is pending.
    """
    _own(coop, expense)
    if expense.status is not ExpenseStatus.PENDING:
        raise ExpenseAlreadyDecided(_l("Only a pending expense can be changed."), field="expense")
    facts, checked = _check_facts(session, coop, expense, expense_date=expense_date, supplier=supplier,
                                  description=description, invoice_ref=invoice_ref, account=account,
                                  amount_minor=amount_minor, attachment=attachment)
    values = {"expense_date": facts.expense_date, "supplier": facts.supplier, "description": facts.description,
              "invoice_ref": facts.invoice_ref, "account_id": facts.account.id,
              "amount_minor": facts.amount_minor}
    changes = audit.changes_between(expense, values)
    if checked is not None:
        values.update(attachment_name=checked.name, attachment_type=checked.content_type,
                      attachment=checked.content)
        changes["attachment"] = [expense.attachment_name or None, checked.name]
    if not changes:
        return {}
    result = session.execute(
        sa.update(Expense).where(Expense.id == expense.id, Expense.coop_id == coop.id,
                                 Expense.status == ExpenseStatus.PENDING)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ExpenseAlreadyDecided(_l("Someone decided this expense meanwhile: it can no longer be changed."),
                                    field="expense")
    session.refresh(expense)
    audit.record(session, coop=coop, actor=actor, action="ledger.expense.edit", obj=expense,
                 summary=_summary(expense), changes=changes)
    return changes


# --- deciding --------------------------------------------------------------------------------

def _move(session: so.Session, coop: Coop, expense: Expense, expected: ExpenseStatus, **values) -> None:
    """Change the status only if it is still ``expected``; else someone else got there first."""
    result = session.execute(
        sa.update(Expense).where(Expense.id == expense.id, Expense.coop_id == coop.id, Expense.status == expected)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(expense)
        raise ExpenseAlreadyDecided(
            _l("Someone else acted on this expense meanwhile: it is now “%(status)s”.",
               status=STATUS_LABELS[expense.status]), field="expense")
    session.refresh(expense)


def _changed_by(session: so.Session, coop: Coop, expense: Expense, actor: User) -> bool:
    return session.scalar(sa.select(AuditEvent.id).where(
        AuditEvent.coop_id == coop.id, AuditEvent.object_type == Expense.__tablename__,
        AuditEvent.object_id == expense.id, AuditEvent.action == "ledger.expense.edit",
        AuditEvent.actor_id == actor.id).limit(1)) is not None


def _check_decider(session: so.Session, coop: Coop, expense: Expense, actor: User | None) -> None:
    if actor is None:
        raise DomainError(_l("An expense is approved by a person, not by a job."), field="expense")
    if expense.requested_by_id == actor.id:
        raise DomainError(_l("Someone other than the person who recorded it approves it."), field="expense")
    if _changed_by(session, coop, expense, actor):
        raise DomainError(_l("Someone other than a person who changed it approves it."), field="expense")


def _check_pending(expense: Expense) -> None:
    if expense.status is not ExpenseStatus.PENDING:
        raise ExpenseAlreadyDecided(_l("This expense is no longer pending: it is “%(status)s”.",
                                       status=STATUS_LABELS[expense.status]), field="expense")


def approve_expense(session: so.Session, actor: User | None, coop: Coop, expense: Expense) -> Expense:
    """Approve a pending expense that has its receipt; never by who recorded or changed it."""
    _own(coop, expense)
    _check_pending(expense)
    _check_decider(session, coop, expense, actor)
    if not expense.attachment_name:
        raise DomainError(_l("Attach the receipt or invoice before the expense is approved."), field="expense")
    _move(session, coop, expense, ExpenseStatus.PENDING, status=ExpenseStatus.APPROVED,
          decided_by_id=actor.id, decided_dt=utcnow())
    audit.record(session, coop=coop, actor=actor, action="ledger.expense.approve", obj=expense,
                 summary=_summary(expense), changes={"status": ["pending", "approved"]})
    return expense


def reject_expense(session: so.Session, actor: User | None, coop: Coop, expense: Expense, *,
                   reason: str) -> Expense:
    """Turn down a pending expense, saying why (whoever recorded it may withdraw it this way)."""
    _own(coop, expense)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Say why the expense is rejected."), field="reason")
    if len(reason) > 2000:
        raise DomainError(_l("A reason has at most 2000 characters."), field="reason")
    _check_pending(expense)
    _move(session, coop, expense, ExpenseStatus.PENDING, status=ExpenseStatus.REJECTED, rejection_reason=reason,
          decided_by_id=actor.id if actor is not None else None, decided_dt=utcnow())
    audit.record(session, coop=coop, actor=actor, action="ledger.expense.reject", obj=expense,
                 summary=_summary(expense), changes={"status": ["pending", "rejected"], "reason": [None, reason]})
    return expense


# --- paying ----------------------------------------------------------------------------------

def _payment_lines(session: so.Session, coop: Coop, expense: Expense, paid_date: dt.date | None,
                   from_account: Account | None) -> list[PostingLine]:
    """The entry's two lines, or every reason the payment cannot be posted, by the pay form's fields."""
    problems = Problems()
    if not isinstance(paid_date, dt.date):
        problems.add(_l("Write the date of the payment."), field="paid_date")
    elif services.is_closed_month(session, coop, paid_date):
        problems.add(_l("The month of this date is closed: nothing more is posted into it."), field="paid_date")
    if from_account is None or from_account.coop_id != coop.id or not services.is_cash_or_bank(from_account) \
            or from_account.type != AccountType.ASSET:
        problems.add(_l("Choose the cash or bank account the money leaves."), field="from_account")
    elif from_account.is_closed:
        problems.add(_l("Account %(code)s is closed.", code=from_account.code), field="from_account")
    if expense.account.is_closed:
        problems.add(_l("The expense's account %(code)s is closed.", code=expense.account.code), field="expense")
    problems.raise_any()
    return [PostingLine(expense.account, expense.amount_minor), PostingLine(from_account, -expense.amount_minor)]


def _entry_description(expense: Expense) -> str:
    text = f"{expense.supplier}: {expense.description}"
    return text if len(text) <= 500 else text[:499] + "…"


def pay_expense(session: so.Session, actor: User | None, coop: Coop, expense: Expense, *,
                paid_date: dt.date, from_account: Account | None) -> JournalEntry:
    """Pay an approved expense: one entry debiting its account and crediting cash or bank."""
    _own(coop, expense)
    if expense.status is not ExpenseStatus.APPROVED:
        if expense.status is ExpenseStatus.PAID:
            raise ExpenseAlreadyDecided(_l("This expense is already paid."), field="expense")
        raise DomainError(_l("Only an approved expense is paid."), field="expense")
    lines = _payment_lines(session, coop, expense, paid_date, from_account)
    description = _entry_description(expense)
    # post_entry checks again, but only after the status moved: refuse before anything is written
    services.check_entry(session, coop, entry_date=paid_date, description=description, postings=lines,
                         reference=expense.invoice_ref)
    _move(session, coop, expense, ExpenseStatus.APPROVED, status=ExpenseStatus.PAID)
    entry = services.post_entry(session, actor, coop, entry_date=paid_date, description=description,
                                postings=lines, source=EntrySource.EXPENSE, reference=expense.invoice_ref,
                                origin=Origin(EXPENSE_ORIGIN, expense.id))
    expense.paid_entry_id = entry.id
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.expense.pay", obj=expense,
                 summary=f"{_summary(expense)} · {entry.number}", changes={"status": ["approved", "paid"]})
    return entry


# --- reading ---------------------------------------------------------------------------------

def expense_by_id(session: so.Session, coop: Coop, expense_id: int) -> Expense | None:
    return session.scalar(sa.select(Expense).where(Expense.id == expense_id, Expense.coop_id == coop.id)
                          .options(so.joinedload(Expense.account)))


def attachment_of(session: so.Session, coop: Coop, expense_id: int) -> Attachment | None:
    """The kept receipt of an expense (its bytes are only read here)."""
    row = session.execute(sa.select(Expense.attachment_name, Expense.attachment_type, Expense.attachment)
                          .where(Expense.id == expense_id, Expense.coop_id == coop.id)).first()
    if row is None or not row.attachment_name or row.attachment is None:
        return None
    return Attachment(row.attachment_name, row.attachment_type, bytes(row.attachment))


def status_counts(session: so.Session, coop: Coop) -> dict[ExpenseStatus, int]:
    rows = session.execute(sa.select(Expense.status, sa.func.count()).where(Expense.coop_id == coop.id)
                           .group_by(Expense.status))
    counts = {status: 0 for status in ExpenseStatus}
    counts.update({ExpenseStatus(status): count for status, count in rows})
    return counts


def expenses_page(session: so.Session, coop: Coop, status: ExpenseStatus | None, *, page: int = 1,
                  per_page: int = PAGE_SIZE) -> tuple[list[Expense], int]:
    """One page of expenses, newest first, and how many there are in all."""
    query = sa.select(Expense).where(Expense.coop_id == coop.id)
    if status is not None:
        query = query.where(Expense.status == status)
    total = count_of(session, query)
    rows = session.scalars(one_page(query.options(so.joinedload(Expense.account))
                                    .order_by(Expense.expense_date.desc(), Expense.id.desc()), page, per_page))
    return list(rows), total


def people_of(session: so.Session, expense: Expense) -> dict[str, str]:
    """The names of who recorded and who decided an expense, for its page."""
    ids = [i for i in (expense.requested_by_id, expense.decided_by_id) if i is not None]
    names = dict(session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return {"requested_by": names.get(expense.requested_by_id, ""), "decided_by": names.get(expense.decided_by_id, "")}
