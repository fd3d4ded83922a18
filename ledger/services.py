"""The rules of the books: the chart of accounts, posting and reversing entries, closing months.

Every function takes the session and the acting user (None for the command line and jobs),
flushes but never commits, and raises ``DomainError`` naming the form field before anything is
written. ``post_entries`` is the one door into the journal, for one entry (``post_entry``) or a
dues run's thousands: it checks every entry, allocates their gapless numbers from
``coop.numbering`` (the counter's row lock also queues concurrent posts in the same co-op), and
only then reads the previous entry's hash, so the chain stays unbroken under concurrency. The
journal knows nothing of payments or dues: what an entry belongs to is an origin its package
registered (``ledger.origins``), which says whether a person may reverse it by hand and what
follows a reversal.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit, duplicates, numbering
from coop.auth.models import User
from coop.calendar import month_start
from coop.errors import DomainError, DomainErrors, NotFoundError, Problems
from coop.tenancy import Coop
from ledger import origins
from ledger.chain import GENESIS_HASH, EntryFacts, PostingFacts, entry_hash
from ledger.models import Account, AccountType, ClosedPeriod, EntrySource, JournalEntry, Posting
from ledger.origins import Origin
from members.models import Member

JOURNAL_SERIES = "journal"
#: the accounts of the housing chart that the ledger's own processes post to, by code
CASH_CODE, BANK_CODE = "1.1.01", "1.1.02"
SHARE_CAPITAL_CODE = "3.1"
CONSTRUCTION_FUND_CODE = "3.2"
OPENING_EQUITY_CODE = "3.3"
CODE_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){0,5}$")

#: a duplicate that two requests at once get past the checks with (``coop.duplicates``)
duplicates.unique_rule("uq_account_coop_id_code", _l("Another account already has this code."), field="code")
duplicates.unique_rule("uq_closed_period_coop_id_month", _l("This month is already closed."), field="month")

audit.describe("ledger.post", _l("Journal entry posted"))
audit.describe("ledger.reverse", _l("Journal entry reversed"))
audit.describe("ledger.post_batch", _l("Journal entries posted together"))
audit.describe_field("opened", _l("Account opened"), on="account")
audit.describe_field("is_closed", _l("Closed"), on="account")
audit.describe("ledger.close_month", _l("Month closed in the books"))
audit.describe("ledger.account", _l("Chart of accounts changed"))

A, L, E, I, X = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY, AccountType.INCOME,
                 AccountType.EXPENSE)
#: a housing co-op's chart (plan de cuentas): code, name, type, receivable
HOUSING_CHART: tuple[tuple[str, str, AccountType, bool], ...] = (
    ("1", "Activos", A, False),
    ("1.1", "Activo corriente", A, False),
    ("1.1.01", "Caja", A, False),
    ("1.1.02", "Bancos", A, False),
    ("1.1.03", "Cuentas por cobrar a socios", A, True),
    ("1.1.04", "Materiales de construcción en bodega", A, False),
    ("1.2", "Activo no corriente", A, False),
    ("1.2.01", "Terrenos", A, False),
    ("1.2.02", "Construcciones en curso", A, False),
    ("1.2.03", "Obras de infraestructura comunitaria", A, False),
    ("2", "Pasivos", L, False),
    ("2.1", "Cuentas por pagar a proveedores", L, False),
    ("2.2", "Anticipos de socios", L, False),
    ("2.3", "Préstamos por pagar", L, False),
    ("3", "Patrimonio", E, False),
    ("3.1", "Certificados de aportación (capital social)", E, False),
    ("3.2", "Fondo de vivienda y construcción", E, False),
    ("3.3", "Patrimonio de apertura", E, False),
    ("3.4", "Excedentes acumulados", E, False),
    ("4", "Ingresos", I, False),
    ("4.1", "Aportes ordinarios", I, False),
    ("4.2", "Aportes extraordinarios", I, False),
    ("4.3", "Multas de Minga", I, False),
    ("4.4", "Otros ingresos", I, False),
    ("5", "Gastos", X, False),
    ("5.1", "Construcción", X, False),
    ("5.2", "Materiales", X, False),
    ("5.3", "Mantenimiento", X, False),
    ("5.4", "Administración", X, False),
    ("5.5", "Gastos bancarios", X, False),
)


@dataclass(frozen=True)
class PostingLine:
    """One line of an entry to post: debit positive, credit negative, in minor units."""

    account: Account
    amount_minor: int
    member: Member | None = None


# --- chart of accounts -----------------------------------------------------------------------

def account_by_code(session: so.Session, coop: Coop, code: str) -> Account | None:
    return session.scalar(sa.select(Account).where(Account.coop_id == coop.id, Account.code == code))


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Write the account's name."), field="name")
    if len(name) > 200:
        raise DomainError(_l("An account's name has at most 200 characters."), field="name")
    return name


def _parent_for(session: so.Session, coop: Coop, code: str, account_type: AccountType) -> Account | None:
    if "." not in code:
        return None
    parent = account_by_code(session, coop, code.rsplit(".", 1)[0])
    if parent is None:
        raise DomainError(_l("Create the account one level up (%(code)s) first.",
                             code=code.rsplit(".", 1)[0]), field="code")
    if parent.type != account_type:
        raise DomainError(_l("An account has the same type as the account above it."), field="type")
    if parent.is_closed:
        raise DomainError(_l("The account above it is closed."), field="code")
    return parent


def add_account(session: so.Session, actor: User | None, coop: Coop, *, code: str, name: str,
                type: AccountType, is_receivable: bool = False) -> Account:
    """Open an account; its parent is the account whose code is the code without its last part."""
    code = (code or "").strip()
    problems = Problems()
    if not CODE_RE.match(code):
        problems.add(_l('A code is numbers separated by dots, such as "1.1.02".'), field="code")
    elif account_by_code(session, coop, code) is not None:
        problems.add(_l("Another account already has this code."), field="code")
    name = problems.check(_check_name, name)
    parent = problems.check(_parent_for, session, coop, code, type) if CODE_RE.match(code) else None
    problems.raise_any()
    account = Account(coop_id=coop.id, code=code, name=name, type=type, parent=parent,
                      is_receivable=is_receivable)
    session.add(account)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.account", obj=account,
                 summary=f"{code} {name}", changes={"opened": [None, code]})
    return account


def install_chart(session: so.Session, actor: User | None, coop: Coop) -> list[Account]:
    """Give a co-op with no accounts yet the ready chart of a housing co-op."""
    if session.scalar(sa.select(sa.func.count()).select_from(Account).where(Account.coop_id == coop.id)):
        raise DomainError(_l("This co-op already has a chart of accounts."))
    return [add_account(session, actor, coop, code=code, name=name, type=kind, is_receivable=receivable)
            for code, name, kind, receivable in HOUSING_CHART]


def _own(coop: Coop, account: Account, field: str = "account") -> Account:
    if account.coop_id != coop.id:
        raise NotFoundError(_l("There is no such account."), field=field)
    return account


def rename_account(session: so.Session, actor: User | None, coop: Coop, account: Account, name: str) -> Account:
    """Rename an account; its code, and so every past entry's hash, stays the same."""
    _own(coop, account)
    name = _check_name(name)
    if name != account.name:
        changes = {"name": [account.name, name]}
        account.name = name
        session.flush()
        audit.record(session, coop=coop, actor=actor, action="ledger.account", obj=account,
                     summary=f"{account.code} {name}", changes=changes)
    return account


def close_account(session: so.Session, actor: User | None, coop: Coop, account: Account) -> Account:
    """Close an account to new postings; accounts are never deleted, their history stays."""
    _own(coop, account)
    if account.is_closed:
        raise DomainError(_l("This account is already closed."), field="account")
    open_children = session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.parent_id == account.id, Account.is_closed.is_(False)))
    if open_children:
        raise DomainError(_l("Close the accounts under it first."), field="account")
    account.is_closed = True
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.account", obj=account,
                 summary=f"{account.code} {account.name}", changes={"is_closed": [False, True]})
    return account


# --- the accounts the ledger's own processes use ---------------------------------------------

def receivable_account(session: so.Session, coop: Coop) -> Account | None:
    """The members' account (cuentas por cobrar): the first open receivable account by code."""
    return session.scalar(sa.select(Account).where(Account.coop_id == coop.id, Account.is_receivable.is_(True),
                                                   Account.is_closed.is_(False))
                          .order_by(Account.code).limit(1))


def is_cash_or_bank(account: Account) -> bool:
    """Cash (1.1.01), bank (1.1.02), or an account under either."""
    return any(account.code == code or account.code.startswith(code + ".") for code in (CASH_CODE, BANK_CODE))


def money_accounts(session: so.Session, coop: Coop) -> list[Account]:
    """The open cash and bank accounts (the most detailed ones) money comes into or goes out of."""
    accounts = list(session.scalars(sa.select(Account).where(
        Account.coop_id == coop.id, Account.is_closed.is_(False), Account.is_receivable.is_(False),
        Account.type == AccountType.ASSET).order_by(Account.code)))
    parents = {a.parent_id for a in accounts}
    return [a for a in accounts if is_cash_or_bank(a) and a.id not in parents]


# --- journal ---------------------------------------------------------------------------------

def is_closed_month(session: so.Session, coop: Coop, day: dt.date) -> bool:
    return session.scalar(sa.select(ClosedPeriod.id).where(
        ClosedPeriod.coop_id == coop.id, ClosedPeriod.month == month_start(day))) is not None


def closed_month_starts(session: so.Session, coop: Coop) -> frozenset[dt.date]:
    """The first days of the co-op's closed months (a handful a year: read once for a batch).

    For the closed months as the books' page lists them, with who closed each, see
    ``ledger.journal.closed_months``."""
    return frozenset(session.scalars(sa.select(ClosedPeriod.month).where(ClosedPeriod.coop_id == coop.id)))


def _check_line(problems: Problems, coop: Coop, index: int, line: PostingLine) -> None:
    prefix = f"postings-{index}-"
    amount = line.amount_minor
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        problems.add(_l("Each line moves an amount other than zero."), field=prefix + "amount")
    account = line.account
    if account is None or account.coop_id != coop.id:
        problems.add(_l("There is no such account."), field=prefix + "account")
        return
    if account.is_closed:
        problems.add(_l("Account %(code)s is closed.", code=account.code), field=prefix + "account")
    if account.is_receivable and line.member is None:
        problems.add(_l("Account %(code)s belongs to members: choose the member.", code=account.code),
                     field=prefix + "member")
    elif not account.is_receivable and line.member is not None:
        problems.add(_l("Account %(code)s is not a member account: leave the member out.",
                        code=account.code), field=prefix + "member")
    elif line.member is not None and line.member.coop_id != coop.id:
        problems.add(_l("There is no such member."), field=prefix + "member")


def check_entry(session: so.Session, coop: Coop, *, entry_date: dt.date, description: str,
                postings: list[PostingLine], closed: frozenset[dt.date] | None = None,
                reference: str = "") -> str:
    """Refuse an entry that cannot be posted, with every reason at once; the cleaned description.

    ``closed`` is ``closed_month_starts`` read beforehand, for a batch; by default it is asked for.
    """
    problems = Problems()
    description = " ".join((description or "").split())
    if not description:
        problems.add(_l("Describe what happened."), field="description")
    elif len(description) > 500:
        problems.add(_l("A description has at most 500 characters."), field="description")
    if len((reference or "").strip()) > 100:
        problems.add(_l("A reference has at most 100 characters."), field="reference")
    if not isinstance(entry_date, dt.date):
        problems.add(_l("Write the date."), field="entry_date")
    elif (month_start(entry_date) in closed if closed is not None
          else is_closed_month(session, coop, entry_date)):
        problems.add(_l("The month of this date is closed: nothing more is posted into it."),
                     field="entry_date")
    if len(postings) < 2:
        problems.add(_l("An entry has at least two lines."), field="postings")
    for index, line in enumerate(postings):
        _check_line(problems, coop, index, line)
    amounts = [line.amount_minor for line in postings if isinstance(line.amount_minor, int)]
    if len(amounts) == len(postings) and sum(amounts) != 0:
        problems.add(_l("Debits and credits differ: the lines must add up to zero."), field="postings")
    problems.raise_any()
    return description


@dataclass(frozen=True)
class NewEntry:
    """One entry to post: what ``post_entry`` takes, and each item of ``post_entries``."""

    entry_date: dt.date
    description: str
    postings: list[PostingLine]
    source: EntrySource = EntrySource.MANUAL
    reference: str = ""
    #: what the entry belongs to, as its package registered it (``ledger.origins``)
    origin: Origin | None = None
    #: for a reversal, the entry it cancels, and why
    reverses: JournalEntry | None = None
    reason: str = ""


@dataclass(frozen=True)
class _Checked:
    """An entry that passed every check, with its text cleaned."""

    new: NewEntry
    description: str
    reference: str


def _check_all(session: so.Session, coop: Coop, entries: list[NewEntry]) -> list[_Checked]:
    """Check every entry before anything is written; in a batch, a refusal says which entry."""
    closed = closed_month_starts(session, coop)
    checked = []
    for index, new in enumerate(entries):
        if new.origin is not None:
            origins.origin_kind(new.origin.kind)  # a kind nobody registered is a programming error
        try:
            description = check_entry(session, coop, entry_date=new.entry_date, description=new.description,
                                      postings=new.postings, closed=closed, reference=new.reference)
        except DomainError as error:
            if len(entries) == 1:
                raise
            raise DomainErrors([DomainError(_l("Entry %(index)d of %(count)d: %(problem)s", index=index + 1,
                                               count=len(entries), problem=each.text), field=each.field)
                                for each in getattr(error, "errors", None) or [error]]) from None
        checked.append(_Checked(new, description, (new.reference or "").strip()))
    return checked


def _previous_hash(session: so.Session, coop: Coop, number: int) -> str:
    if number == 1:
        return GENESIS_HASH
    return session.scalar(sa.select(JournalEntry.hash).where(
        JournalEntry.coop_id == coop.id, JournalEntry.number == number - 1))


def _row(coop: Coop, actor: User | None, number: int, prev_hash: str, checked: _Checked) -> dict:
    """The journal_entry row of a checked entry, its hash computed after ``prev_hash``."""
    new, source = checked.new, EntrySource(checked.new.source)
    reverses_id = new.reverses.id if new.reverses is not None else None
    facts = EntryFacts(number=number, entry_date=new.entry_date, description=checked.description,
                       reference=checked.reference, source=str(source), reverses_id=reverses_id, reason=new.reason,
                       postings=tuple(PostingFacts(line.account.code,
                                                   line.member.id if line.member is not None else None,
                                                   line.amount_minor) for line in new.postings))
    return {"coop_id": coop.id, "number": number, "entry_date": new.entry_date, "description": checked.description,
            "reference": checked.reference, "source": source, "reverses_id": reverses_id, "reason": new.reason,
            "origin_kind": new.origin.kind if new.origin is not None else "",
            "origin_id": new.origin.id if new.origin is not None else None,
            "prev_hash": prev_hash, "hash": entry_hash(prev_hash, facts),
            "created_by_id": actor.id if actor is not None else None}


def _insert(session: so.Session, actor: User | None, coop: Coop, checked: list[_Checked]) -> list[JournalEntry]:
    """Number, chain and insert checked entries: one counter update, one read of the previous
    hash (holding the counter's lock, so the entry before is certainly committed and visible), and
    two bulk inserts, whether there is one entry or thousands."""
    numbers = numbering.next_numbers(session, coop.id, JOURNAL_SERIES, len(checked))
    prev_hash = _previous_hash(session, coop, numbers[0])
    rows = []
    for number, each in zip(numbers, checked, strict=True):
        rows.append(_row(coop, actor, number, prev_hash, each))
        prev_hash = rows[-1]["hash"]
    posted = list(session.scalars(sa.insert(JournalEntry).returning(JournalEntry, sort_by_parameter_order=True),
                                  rows))
    session.execute(sa.insert(Posting), [
        {"entry_id": entry.id, "coop_id": coop.id, "account_id": line.account.id,
         "member_id": line.member.id if line.member is not None else None, "amount_minor": line.amount_minor}
        for entry, each in zip(posted, checked, strict=True) for line in each.new.postings])
    session.flush()
    return posted


def post_entries(session: so.Session, actor: User | None, coop: Coop,
                 entries: list[NewEntry]) -> list[JournalEntry]:
    """Post entries to the journal, numbered and chained; refuses before writing.

    The one door into the journal, for one entry (``post_entry``) or a dues run's thousands:
    every entry is checked first, then all are written together. One entry is audited with its
    own record ("ledger.post", or "ledger.reverse" for a reversal); a batch with one record.
    """
    if not entries:
        return []
    checked = _check_all(session, coop, entries)
    posted = _insert(session, actor, coop, checked)
    if len(posted) == 1:
        entry = posted[0]
        audit.record(session, coop=coop, actor=actor, obj=entry, summary=f"{entry.number}: {entry.description}",
                     action="ledger.reverse" if entry.reverses_id is not None else "ledger.post")
    else:
        audit.record(session, coop=coop, actor=actor, action="ledger.post_batch",
                     summary=f"{posted[0].number}-{posted[-1].number}: {len(posted)} × {checked[0].description}")
    return posted


def post_entry(session: so.Session, actor: User | None, coop: Coop, *, entry_date: dt.date,
               description: str, postings: list[PostingLine], source: EntrySource = EntrySource.MANUAL,
               reference: str = "", reverses: JournalEntry | None = None, reason: str = "",
               origin: Origin | None = None) -> JournalEntry:
    """Post one balanced entry (``post_entries`` with one entry); ``origin``: what it belongs to."""
    return post_entries(session, actor, coop, [NewEntry(
        entry_date, description, postings, source=source, reference=reference, origin=origin,
        reverses=reverses, reason=reason)])[0]


def post_reversal(session: so.Session, actor: User | None, coop: Coop, entry: JournalEntry, *,
                  entry_date: dt.date, reason: str, origin: Origin | None = None) -> JournalEntry:
    """Cancel a posted entry with a new entry of the opposite amounts; the original stays.

    The door of the package that owns the entry's origin (voiding a receipt posts the receipt's
    reversal, with the payment as ``origin``); people reverse through ``reverse_entry``. What the
    origin's registration says must follow a reversal (``on_reversed``) runs after it.
    """
    if entry.coop_id != coop.id:
        raise NotFoundError(_l("There is no such entry."), field="entry")
    registered = origins.origin_of(entry)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Say why the entry is reversed."), field="reason")
    if entry.source == EntrySource.REVERSAL:
        raise DomainError(_l("A reversal cannot itself be reversed: post a new entry instead."), field="entry")
    already = session.scalar(sa.select(JournalEntry.number).where(JournalEntry.reverses_id == entry.id))
    if already is not None:
        raise DomainError(_l("This entry was already reversed by entry %(number)d.", number=already),
                          field="entry")
    lines = [PostingLine(p.account, -p.amount_minor, p.member) for p in entry.postings]
    try:
        with session.begin_nested():  # the unique reverses_id settles a race with another reversal
            reversal = post_entry(session, actor, coop, entry_date=entry_date, postings=lines,
                                  description=str(_l("Reversal of entry %(number)d", number=entry.number)),
                                  source=EntrySource.REVERSAL, reference=entry.reference, reverses=entry,
                                  reason=reason, origin=origin)
    except sa.exc.IntegrityError:
        raise DomainError(_l("This entry was already reversed."), field="entry") from None
    if registered is not None and registered.on_reversed is not None:
        registered.on_reversed(session, coop, entry, reversal)
    return reversal


def reverse_entry(session: so.Session, actor: User | None, coop: Coop, entry: JournalEntry, *,
                  entry_date: dt.date, reason: str) -> JournalEntry:
    """A person cancels a posted entry (``post_reversal``), unless what it belongs to forbids it.

    An origin registered with ``manual_reversal`` (a payment: void the receipt instead) is
    reversed only by its own package, so that what it records follows.
    """
    if entry.coop_id != coop.id:
        raise NotFoundError(_l("There is no such entry."), field="entry")
    registered = origins.origin_of(entry)
    if registered is not None and registered.manual_reversal is not None:
        raise DomainError(registered.manual_reversal, field="entry")
    return post_reversal(session, actor, coop, entry, entry_date=entry_date, reason=reason)


def close_month(session: so.Session, actor: User | None, coop: Coop, month: dt.date, *,
                today: dt.date | None = None) -> ClosedPeriod:
    """Close a month of the books: no entry dated in it can be posted any more.

    With ``today`` (the co-op's date), only a month that has ended may be closed."""
    month = month_start(month)
    if today is not None and month >= month_start(today):
        raise DomainError(_l("Only a month that has ended can be closed."), field="month")
    if is_closed_month(session, coop, month):
        raise DomainError(_l("This month is already closed."), field="month")
    period = ClosedPeriod(coop_id=coop.id, month=month, closed_by_id=actor.id if actor is not None else None)
    session.add(period)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="ledger.close_month", obj=period,
                 summary=month.strftime("%Y-%m"))
    return period
