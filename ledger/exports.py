"""The journal exported for other tools: hledger, beancount and a CSV of postings.

Each export is a generator of text chunks, so a journal of any length streams in constant memory:
entries are read in batches of ``EXPORT_BATCH`` by number, each batch with its postings, and the
chart and the member numbers come from small dicts loaded once. The export stops at the last
entry numbered when it started: numbers commit in order (``coop.numbering`` holds a lock until
commit), so the file is a consistent prefix of the journal even while others keep posting, and
every account and member it names was already known when its ``open``/``account`` lines were
written. Amounts are exact decimals of the co-op's currency, never floats.

Account names follow the chart's hierarchy, made safe for each tool: hledger keeps the names as
people read them ("Activos:Activo corriente:Cuentas por cobrar a socios:Socio 0042"); beancount
wants capitalised ASCII components under its five roots
("Assets:Activos:ActivoCorriente:CuentasPorCobrarASocios:S0042"). Siblings whose names would clash
get their code appended, so every account stays distinct.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.money import Money
from coop.tenancy import Coop
from ledger.models import Account, AccountType, JournalEntry, Posting
from coop.spreadsheets import csv_chunks
from members.models import Member

#: entries read per round trip, so memory stays flat on a long journal
EXPORT_BATCH = 1000
FORMATS = ("hledger", "beancount", "csv")
#: file extension and media type of each format
FILE_TYPES = {"hledger": ("journal", "text/plain; charset=utf-8"),
              "beancount": ("beancount", "text/plain; charset=utf-8"),
              "csv": ("csv", "text/csv; charset=utf-8")}

audit.describe("export.ledger", _l("Journal exported"))

HLEDGER_TYPES = {AccountType.ASSET: "A", AccountType.LIABILITY: "L", AccountType.EQUITY: "E",
                 AccountType.INCOME: "R", AccountType.EXPENSE: "X"}
BEANCOUNT_ROOTS = {AccountType.ASSET: "Assets", AccountType.LIABILITY: "Liabilities",
                   AccountType.EQUITY: "Equity", AccountType.INCOME: "Income",
                   AccountType.EXPENSE: "Expenses"}

CSV_HEADER = (_l("Entry"), _l("Date"), _l("Description"), _l("Reference"), _l("Source"),
              _l("Account code"), _l("Account name"), _l("Member number"), _l("Member name"),
              _l("Debit"), _l("Credit"))


@dataclass(frozen=True)
class ExportAccount:
    id: int
    code: str
    name: str
    type: AccountType
    parent_id: int | None


@dataclass(frozen=True)
class ExportPosting:
    account_id: int
    member_id: int | None
    amount_minor: int


@dataclass(frozen=True)
class ExportEntry:
    """One entry as plain values, with the number of the entry it reverses, if any."""

    number: int
    entry_date: dt.date
    description: str
    reference: str
    source: str
    reverses_number: int | None
    reason: str
    hash: str
    postings: tuple[ExportPosting, ...]


# --- reading ---------------------------------------------------------------------------------

def last_number(session: so.Session, coop: Coop) -> int:
    """The number of the newest entry (0 for an empty journal): where an export stops."""
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(JournalEntry.number), 0))
                          .where(JournalEntry.coop_id == coop.id))


def load_accounts(session: so.Session, coop: Coop) -> dict[int, ExportAccount]:
    rows = session.execute(sa.select(Account.id, Account.code, Account.name, Account.type, Account.parent_id)
                           .where(Account.coop_id == coop.id).order_by(Account.code))
    return {row.id: ExportAccount(row.id, row.code, row.name, AccountType(row.type), row.parent_id)
            for row in rows}


def load_members(session: so.Session, coop: Coop) -> dict[int, tuple[int, str]]:
    """member id -> (member number, full name) for the whole register (a few thousand at most)."""
    rows = session.execute(sa.select(Member.id, Member.number, Member.given_names, Member.family_names)
                           .where(Member.coop_id == coop.id))
    return {row.id: (row.number, f"{row.given_names} {row.family_names}") for row in rows}


def journal_entries(session: so.Session, coop: Coop, *, up_to: int,
                    batch: int | None = None) -> Iterator[list[ExportEntry]]:
    """The entries numbered up to ``up_to``, in number order, a batch at a time."""
    batch = batch or EXPORT_BATCH
    reversed_entry = so.aliased(JournalEntry)
    last = 0
    while last < up_to:
        rows = session.execute(
            sa.select(JournalEntry.id, JournalEntry.number, JournalEntry.entry_date, JournalEntry.description,
                      JournalEntry.reference, JournalEntry.source, JournalEntry.reason, JournalEntry.hash,
                      reversed_entry.number.label("reverses_number"))
            .outerjoin(reversed_entry, reversed_entry.id == JournalEntry.reverses_id)
            .where(JournalEntry.coop_id == coop.id, JournalEntry.number > last, JournalEntry.number <= up_to)
            .order_by(JournalEntry.number).limit(batch)).all()
        if not rows:
            return
        postings: dict[int, list[ExportPosting]] = {row.id: [] for row in rows}
        for entry_id, account_id, member_id, amount in session.execute(
                sa.select(Posting.entry_id, Posting.account_id, Posting.member_id, Posting.amount_minor)
                .where(Posting.entry_id.in_(list(postings))).order_by(Posting.entry_id, Posting.id)):
            postings[entry_id].append(ExportPosting(account_id, member_id, int(amount)))
        yield [ExportEntry(row.number, row.entry_date, row.description, row.reference, str(row.source),
                           row.reverses_number, row.reason, row.hash, tuple(postings[row.id]))
               for row in rows]
        last = rows[-1].number


def first_dates(session: so.Session, coop: Coop) -> tuple[dict[int, dt.date], dict[tuple[int, int], dt.date]]:
    """The date of the first posting on each account, and on each (account, member)."""
    first = sa.func.min(JournalEntry.entry_date)
    joined = sa.select().select_from(Posting).join(JournalEntry, JournalEntry.id == Posting.entry_id)
    accounts = dict(session.execute(joined.add_columns(Posting.account_id, first)
                                    .where(Posting.coop_id == coop.id).group_by(Posting.account_id)).all())
    members = {(account_id, member_id): day for account_id, member_id, day in session.execute(
        joined.add_columns(Posting.account_id, Posting.member_id, first)
        .where(Posting.coop_id == coop.id, Posting.member_id.is_not(None))
        .group_by(Posting.account_id, Posting.member_id))}
    return accounts, members


# --- names -----------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _hledger_part(name: str, code: str) -> str:
    # ":" separates levels, two spaces end an account name, ";" starts a comment, and a leading
    # bracket would make the posting virtual
    part = _one_line(name.replace(":", "-").replace(";", ",")).lstrip("([ ")
    return part or code


def _beancount_part(name: str, code: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", plain)
    return "".join(word[0].upper() + word[1:] for word in words) or "A" + code.replace(".", "-")


def _tree_names(accounts: dict[int, ExportAccount], part, join: str, reserved: re.Pattern,
                roots: dict[AccountType, str] | None = None) -> dict[int, str]:
    """Full names by the chart's hierarchy; clashing siblings get their code appended."""
    parts: dict[int, str] = {}
    siblings: dict[tuple, list[ExportAccount]] = {}
    for account in accounts.values():
        # roots are siblings in hledger; in beancount each type has its own root
        key = (account.parent_id, account.type if roots and account.parent_id is None else None)
        siblings.setdefault(key, []).append(account)
    for group in siblings.values():
        seen: dict[str, int] = {}
        for account in group:
            name = part(account.name, account.code)
            seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
            parts[account.id] = name
        for account in group:
            name = parts[account.id]
            if seen[name.casefold()] > 1 or reserved.match(name):
                parts[account.id] = f"{name}{join}{account.code.replace('.', '-')}"
    names: dict[int, str] = {}

    def full(account: ExportAccount) -> str:
        if account.id not in names:
            if account.parent_id is not None and account.parent_id in accounts:
                names[account.id] = f"{full(accounts[account.parent_id])}:{parts[account.id]}"
            else:
                prefix = f"{roots[account.type]}:" if roots else ""
                names[account.id] = prefix + parts[account.id]
        return names[account.id]

    for account in accounts.values():
        full(account)
    return names


def hledger_names(accounts: dict[int, ExportAccount]) -> dict[int, str]:
    return _tree_names(accounts, _hledger_part, " ", re.compile(r"^Socio \d+$"))


def beancount_names(accounts: dict[int, ExportAccount]) -> dict[int, str]:
    return _tree_names(accounts, _beancount_part, "-", re.compile(r"^S\d+$"), BEANCOUNT_ROOTS)


def hledger_member_account(account_name: str, member_number: int) -> str:
    return f"{account_name}:Socio {member_number:04d}"


def beancount_member_account(account_name: str, member_number: int) -> str:
    return f"{account_name}:S{member_number:04d}"


def _chart_with_members(accounts: dict[int, ExportAccount], members: dict[int, tuple[int, str]],
                        member_dates: dict[tuple[int, int], dt.date]
                        ) -> Iterator[tuple[ExportAccount, list[tuple[int, dt.date]]]]:
    """Each account by code, with the (member number, first date) of its members' sub-accounts."""
    by_account: dict[int, list[tuple[int, dt.date]]] = {}
    for (account_id, member_id), day in member_dates.items():
        by_account.setdefault(account_id, []).append((members[member_id][0], day))
    for account in sorted(accounts.values(), key=lambda a: [part.zfill(8) for part in a.code.split(".")]):
        yield account, sorted(by_account.get(account.id, []))


# --- hledger ---------------------------------------------------------------------------------

def _decimal(minor: int, currency: str) -> str:
    return str(Money(minor, currency).to_decimal())


def _hledger_sample(coop: Coop) -> str:
    digits = coop.currency_digits
    return f"1,000.{'0' * digits} {coop.currency}" if digits else f"1,000. {coop.currency}"


def _hledger_tag(value: str) -> str:
    return _one_line(value).replace(",", ";")  # a comma would end the tag's value


def hledger_journal(session: so.Session, coop: Coop, up_to: int | None = None) -> Iterator[str]:
    """The journal as an hledger file: declarations first, then one transaction per entry."""
    up_to = last_number(session, coop) if up_to is None else up_to
    accounts, members = load_accounts(session, coop), load_members(session, coop)
    names = hledger_names(accounts)
    _account_dates, member_dates = first_dates(session, coop)
    head = [f"; {_one_line(coop.name)}: journal exported by Ayllu, entries 1 to {up_to}",
            "decimal-mark .", f"commodity {_hledger_sample(coop)}", ""]
    for account, numbers in _chart_with_members(accounts, members, member_dates):
        head.append(f"account {names[account.id]}  ; type: {HLEDGER_TYPES[account.type]}, code: {account.code}")
        head += [f"account {hledger_member_account(names[account.id], number)}  ; socio: {number}"
                 for number, _day in numbers]
    yield "\n".join(head) + "\n"
    for batch in journal_entries(session, coop, up_to=up_to):
        yield "".join(_hledger_entry(entry, names, members, coop.currency) for entry in batch)


def _hledger_entry(entry: ExportEntry, names: dict[int, str], members: dict[int, tuple[int, str]],
                   currency: str) -> str:
    description = _one_line(entry.description).replace(";", ",")
    lines = ["", f"{entry.entry_date.isoformat()} * ({entry.number}) {description}",
             f"    ; source: {entry.source}"]
    if entry.reference:
        lines.append(f"    ; ref: {_hledger_tag(entry.reference)}")
    if entry.reverses_number is not None:
        lines.append(f"    ; reverses: {entry.reverses_number}")
    if entry.reason:
        lines.append(f"    ; reason: {_hledger_tag(entry.reason)}")
    lines.append(f"    ; hash: {entry.hash}")
    for posting in entry.postings:
        account = names[posting.account_id]
        amount = f"{_decimal(posting.amount_minor, currency)} {currency}"
        if posting.member_id is None:
            lines.append(f"    {account}  {amount}")
        else:
            number = members[posting.member_id][0]
            lines.append(f"    {hledger_member_account(account, number)}  {amount}  ; socio: {number}")
    return "\n".join(lines) + "\n"


# --- beancount -------------------------------------------------------------------------------

def _quoted(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def beancount_journal(session: so.Session, coop: Coop, up_to: int | None = None) -> Iterator[str]:
    """The journal as a beancount file that bean-check accepts: options, opens, transactions."""
    up_to = last_number(session, coop) if up_to is None else up_to
    accounts, members = load_accounts(session, coop), load_members(session, coop)
    names = beancount_names(accounts)
    account_dates, member_dates = first_dates(session, coop)
    earliest = min(account_dates.values(), default=None)
    members_by_number = dict(members.values())
    head = [f"; {_one_line(coop.name)}: journal exported by Ayllu, entries 1 to {up_to}",
            f"option \"title\" {_quoted(coop.name)}", f"option \"operating_currency\" \"{coop.currency}\"", ""]
    for account, numbers in _chart_with_members(accounts, members, member_dates):
        opened = account_dates.get(account.id) or earliest or dt.date(2000, 1, 1)
        head += [f"{opened.isoformat()} open {names[account.id]} {coop.currency}",
                 f"  code: {_quoted(account.code)}", f"  name: {_quoted(account.name)}"]
        for number, day in numbers:
            member_account = beancount_member_account(names[account.id], number)
            head += [f"{day.isoformat()} open {member_account} {coop.currency}", f"  member: {number}",
                     f"  name: {_quoted(members_by_number[number])}"]
    yield "\n".join(head) + "\n"
    for batch in journal_entries(session, coop, up_to=up_to):
        yield "".join(_beancount_entry(entry, names, members, coop.currency) for entry in batch)


def _beancount_entry(entry: ExportEntry, names: dict[int, str], members: dict[int, tuple[int, str]],
                     currency: str) -> str:
    lines = ["", f"{entry.entry_date.isoformat()} * {_quoted(entry.description)}",
             f"  entry: {entry.number}", f"  source: {_quoted(entry.source)}"]
    if entry.reference:
        lines.append(f"  reference: {_quoted(entry.reference)}")
    if entry.reverses_number is not None:
        lines.append(f"  reverses: {entry.reverses_number}")
    if entry.reason:
        lines.append(f"  reason: {_quoted(entry.reason)}")
    lines.append(f"  hash: \"{entry.hash}\"")
    for posting in entry.postings:
        account = names[posting.account_id]
        amount = f"{_decimal(posting.amount_minor, currency)} {currency}"
        if posting.member_id is None:
            lines.append(f"  {account}  {amount}")
        else:
            number = members[posting.member_id][0]
            lines += [f"  {beancount_member_account(account, number)}  {amount}", f"    member: {number}"]
    return "\n".join(lines) + "\n"


# --- CSV -------------------------------------------------------------------------------------

def journal_rows(session: so.Session, coop: Coop, up_to: int | None = None) -> Iterator[list[object]]:
    """One row per posting, in entry order, with the columns of ``CSV_HEADER``."""
    up_to = last_number(session, coop) if up_to is None else up_to
    accounts, members = load_accounts(session, coop), load_members(session, coop)
    for batch in journal_entries(session, coop, up_to=up_to):
        for entry in batch:
            for posting in entry.postings:
                account = accounts[posting.account_id]
                number, name = members.get(posting.member_id, ("", "")) if posting.member_id else ("", "")
                amount = posting.amount_minor
                yield [entry.number, entry.entry_date, entry.description, entry.reference, entry.source,
                       account.code, account.name, number, name,
                       _decimal(amount, coop.currency) if amount > 0 else "",
                       _decimal(-amount, coop.currency) if amount < 0 else ""]


def journal_csv(session: so.Session, coop: Coop, header: list[str] | None = None,
                up_to: int | None = None) -> Iterator[str]:
    """The postings as CSV text (UTF-8 with BOM, formulas defused), in chunks.

    ``header`` defaults to ``CSV_HEADER`` in the current locale; pass it already translated when
    the rows are read outside the request that asked for them.
    """
    return csv_chunks(header or [str(label) for label in CSV_HEADER], journal_rows(session, coop, up_to))


def export_chunks(session: so.Session, coop: Coop, fmt: str, *, csv_header: list[str] | None = None,
                  up_to: int | None = None) -> Iterator[str]:
    """The chunks of one export by format name ("hledger", "beancount" or "csv").

    ``up_to``: the last entry number to include (default: the newest when reading starts).
    """
    if fmt == "hledger":
        return hledger_journal(session, coop, up_to)
    if fmt == "beancount":
        return beancount_journal(session, coop, up_to)
    if fmt == "csv":
        return journal_csv(session, coop, csv_header, up_to)
    raise ValueError(f"unknown export format {fmt!r}")


def export_filename(coop: Coop, fmt: str, day: dt.date) -> str:
    return f"journal-{coop.slug}-{day.isoformat()}.{FILE_TYPES[fmt][0]}"
