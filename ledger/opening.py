"""Opening balances: the books a co-op kept before Ayllu, brought in as one entry.

The treasurer sends a CSV (read by ``coop.spreadsheets``: UTF-8 or Latin-1, comma, semicolon or
tab) with one balance per row: account code, member number (on member accounts only), debit,
credit and a note. The whole file
is read and checked first; every bad row is reported with its line number and reason, and the
totals must balance. Only a clean file is posted, as ONE entry of source ``OPENING`` through
``services.post_entry`` (so closed months, closed accounts and the chain are checked as for any
entry), in the caller's single transaction. While an earlier opening entry stands (not reversed)
a second one is refused: to redo the opening, reverse it first, so the books never hold the
opening twice.

Amounts are read as ``coop.money.parse_money`` reads what people type, in the reader's locale:
"$48.90", "48,90" and "1.234,50" all read; an amount that could be read two ways ("1,500" to a
Spanish reader) is refused on its row with the reading shown, and more decimals than the
currency has are refused, never rounded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from coop.auth.models import User
from coop.errors import DomainError
from coop.money import Money, MoneyError, parse_money
from coop.spreadsheets import cell_text, csv_chunks, read_table
from coop.tenancy import Coop, ceiling_message
from coop.text import key_of, whole_number
from ledger import services
from ledger.models import Account, EntrySource, JournalEntry
from ledger.services import PostingLine
from members.models import Member

MAX_ROWS = 20_000
MAX_BYTES = 4 * 1024 * 1024

#: column key -> the names a header may use for it (compared without case, accents or punctuation)
COLUMNS = {
    "account": ("account", "account_code", "code", "cuenta", "codigo", "codigo_cuenta", "codigo_de_cuenta"),
    "member": ("member", "member_number", "member_no", "socio", "numero_socio", "numero_de_socio", "no_socio"),
    "debit": ("debit", "debe", "debito"),
    "credit": ("credit", "haber", "credito"),
    "description": ("description", "descripcion", "detalle", "concepto", "note", "nota"),
}
REQUIRED = ("account", "debit", "credit")
#: the template's header, in the reader's language
TEMPLATE_HEADERS = {"es": ["cuenta", "socio", "debe", "haber", "descripcion"],
                    "en": ["account", "member", "debit", "credit", "description"]}


@dataclass(frozen=True)
class Problem:
    """Why one line (or the whole file, when ``row`` is None) cannot be posted."""

    row: int | None
    message: str


@dataclass(frozen=True)
class OpeningLine:
    """One balance read from the file: debit positive, credit negative."""

    row: int
    account: Account
    amount_minor: int
    member: Member | None
    description: str


@dataclass
class OpeningPlan:
    """The file as checked: its lines, its totals and every problem found."""

    currency: str
    #: the Babel locale its amounts are read in (the reader's)
    locale: str
    lines: list[OpeningLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    debit_total: int = 0
    credit_total: int = 0
    #: the co-op's ceiling of one amount (minor units), and what a row above it is told
    ceiling: int | None = None
    ceiling_text: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def difference(self) -> int:
        return self.debit_total - self.credit_total

    def problem(self, row: int | None, message) -> None:
        self.problems.append(Problem(row, str(message)))


# --- reading --------------------------------------------------------------------------------

_HEADER_WORDS = {key_of(name): key for key, names in COLUMNS.items() for name in names}
_HEADER_NAMES = {key: f"{es}/{en}" for key, es, en in zip(COLUMNS, TEMPLATE_HEADERS["es"], TEMPLATE_HEADERS["en"])}


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and every other non-blank row as text, each row with its line number in the file."""
    if len(content) > MAX_BYTES:
        raise DomainError(_l("The file is too large for opening balances."), field="file")
    table = read_table(content, max_rows=MAX_ROWS, field="file", xlsx=False)
    return ([cell_text(cell) for cell in table.headers],
            [(number, [cell_text(cell) for cell in cells]) for number, cells in table.rows])


def read_amount(text: str, plan: OpeningPlan) -> int | None:
    """Minor units of an amount as the reader writes it; None for an empty cell."""
    if not text.strip():
        return None
    return parse_money(text, plan.currency, plan.locale).minor


# --- checking -------------------------------------------------------------------------------

def _columns(plan: OpeningPlan, header: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _HEADER_WORDS.get(key_of(name))
        if key and key not in found:
            found[key] = index
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        plan.problem(None, _l("The first row must name the columns; missing: %(columns)s.",
                              columns=", ".join(_HEADER_NAMES[key] for key in missing)))
        return None
    return found


def _members_by_number(session: so.Session, coop: Coop, numbers: set[int]) -> dict[int, Member]:
    found: dict[int, Member] = {}
    wanted = sorted(numbers)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update((m.number, m) for m in session.scalars(
            sa.select(Member).where(Member.coop_id == coop.id, Member.number.in_(chunk))))
    return found


def _member_number(text: str) -> int | None:
    text = (text or "").strip().lstrip("#")
    if text.endswith(".0"):
        text = text[:-2]
    return whole_number(text)


def check_opening(session: so.Session, coop: Coop, content: bytes, *, locale: str | None = None) -> OpeningPlan:
    """Read and check the whole file; the plan lists every problem, row by row.

    Amounts are read in ``locale`` (the reader's), by default in the co-op's own.
    """
    plan = OpeningPlan(currency=coop.currency, locale=locale or coop.format_locale(coop.locale),
                       ceiling=coop.max_amount_minor, ceiling_text=str(ceiling_message(coop)))
    try:
        header, body = read_rows(content)
    except DomainError as error:
        plan.problem(None, error.text)
        return plan
    if not header:
        plan.problem(None, _l("The file is empty."))
        return plan
    columns = _columns(plan, header)
    if columns is None:
        return plan
    if not body:
        plan.problem(None, _l("The file has no balances: only a header row."))
        return plan
    accounts = {a.code: a for a in session.scalars(sa.select(Account).where(Account.coop_id == coop.id))}

    def cell(cells: list[str], key: str) -> str:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    numbers = {n for _row, cells in body if (n := _member_number(cell(cells, "member"))) is not None}
    members = _members_by_number(session, coop, numbers)
    for row, cells in body:
        _check_row(plan, row, {key: cell(cells, key) for key in COLUMNS}, accounts, members)
    if plan.ok and len(plan.lines) < 2:
        plan.problem(None, _l("An entry has at least two lines."))
    if plan.ok and plan.difference:
        plan.problem(None, _l("Debits total %(debit)s and credits total %(credit)s: they differ by %(difference)s.",
                              debit=_plain(plan.debit_total, coop.currency),
                              credit=_plain(plan.credit_total, coop.currency),
                              difference=_plain(abs(plan.difference), coop.currency)))
    elif not plan.ok and plan.difference:
        plan.problem(None, _l("The good rows' debits and credits differ by %(difference)s.",
                              difference=_plain(abs(plan.difference), coop.currency)))
    return plan


def _plain(minor: int, currency: str) -> str:
    return f"{currency} {Money(minor, currency).to_decimal()}"


def _check_row(plan: OpeningPlan, row: int, values: dict[str, str], accounts: dict[str, Account],
               members: dict[int, Member]) -> None:
    before = len(plan.problems)
    code = values["account"]
    account = accounts.get(code)
    if not code:
        plan.problem(row, _l("The account code is missing."))
    elif account is None:
        plan.problem(row, _l("There is no account %(code)s in the chart.", code=code))
    elif account.is_closed:
        plan.problem(row, _l("Account %(code)s is closed.", code=code))
    member = None
    number_text = values["member"]
    if number_text:
        number = _member_number(number_text)
        member = members.get(number) if number is not None else None
        if number is None:
            plan.problem(row, _l('"%(text)s" is not a member number.', text=number_text))
        elif member is None:
            plan.problem(row, _l("There is no member number %(number)d.", number=number))
    if account is not None and account.is_receivable and not number_text:
        plan.problem(row, _l("Account %(code)s belongs to members: write the member number.", code=code))
    elif account is not None and not account.is_receivable and number_text:
        plan.problem(row, _l("Account %(code)s is not a member account: leave the member number empty.",
                             code=code))
    amounts = {}
    for key in ("debit", "credit"):
        try:
            amounts[key] = read_amount(values[key], plan)
        except MoneyError as error:
            plan.problem(row, f"{_column_label(key)}: {error.text}")
            amounts[key] = False
    debit, credit = amounts["debit"], amounts["credit"]
    if debit is False or credit is False:
        pass
    elif debit is not None and credit is not None:
        plan.problem(row, _l("Write either a debit or a credit, not both."))
    elif debit is None and credit is None:
        plan.problem(row, _l("Write the balance as a debit or a credit."))
    elif (debit or credit) == 0:
        plan.problem(row, _l("A balance of zero needs no row: leave it out."))
    elif plan.ceiling is not None and (debit or credit) > plan.ceiling:
        plan.problem(row, plan.ceiling_text)
    if len(plan.problems) > before:
        return
    amount = debit if debit is not None else -credit
    if amount > 0:
        plan.debit_total += amount
    else:
        plan.credit_total -= amount
    plan.lines.append(OpeningLine(row, account, amount, member, values["description"][:500]))


def _column_label(key: str) -> str:
    return {"debit": str(_l("Debit")), "credit": str(_l("Credit"))}[key]


# --- posting --------------------------------------------------------------------------------

def standing_opening(session: so.Session, coop: Coop) -> JournalEntry | None:
    """The opening entry in force: posted and not reversed."""
    reversed_ids = sa.select(JournalEntry.reverses_id).where(
        JournalEntry.coop_id == coop.id, JournalEntry.reverses_id.is_not(None))
    return session.scalar(sa.select(JournalEntry).where(
        JournalEntry.coop_id == coop.id, JournalEntry.source == EntrySource.OPENING,
        JournalEntry.id.not_in(reversed_ids)).order_by(JournalEntry.number).limit(1))


def post_opening(session: so.Session, actor: User | None, coop: Coop, content: bytes, *, entry_date: dt.date,
                 description: str, reference: str = "", locale: str | None = None) -> JournalEntry:
    """Check the file again (amounts read in ``locale``) and post it as the one opening entry;
    refuses before writing."""
    standing = standing_opening(session, coop)
    if standing is not None:
        raise DomainError(_l("The opening balances are already posted (entry %(number)d). Reverse that "
                             "entry first to post them again.", number=standing.number), field="file")
    plan = check_opening(session, coop, content, locale=locale)
    if not plan.ok:
        raise DomainError(_l("The file has problems: nothing was posted."), field="file")
    postings = [PostingLine(line.account, line.amount_minor, line.member) for line in plan.lines]
    return services.post_entry(session, actor, coop, entry_date=entry_date, description=description,
                               postings=postings, source=EntrySource.OPENING, reference=reference)


def template_csv(language: str) -> str:
    """The header of an opening balances file, UTF-8 with BOM so Excel reads it."""
    return "".join(csv_chunks(TEMPLATE_HEADERS.get(language, TEMPLATE_HEADERS["es"]), []))
