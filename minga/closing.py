"""Closing a Minga period: fines for missing hours and work credited as capital, through the books.

``preview_close`` says what a close would do and what stops it; ``close_period`` does it, all or
nothing inside one savepoint: it first inserts the ``PeriodClose`` row, whose unique key (co-op,
period) makes a second close impossible even from two processes at once; then it charges each
short household its fine exactly as dues are charged (``ledger.charges.post_charges``: a charge
on the account of the household's member who owes by the dues rule, against the fines income
account, paid oldest first, in arrears like any charge), posts one capital entry per household
whose capital work has a value (debit the capital account, credit share capital, naming the
member), and records a ``CloseLine`` per household with what it found and posted.

The entries name the close as their origin (``minga.fine``, ``minga.capital``): when the treasurer
reverses one with a reason on the journal's page, the fine's charge is voided (what paid it
becomes credit again) and the close line marked, and likewise a capital credit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from babel.dates import format_date
import sqlalchemy.orm as so
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import DomainError
from coop.paging import one_page
from coop.scheduler import run_each
from coop.tenancy import Coop
from ledger import allocation, charges, statements
from ledger.models import Account, EntrySource, JournalEntry
from ledger.origins import Origin, register_origin
from ledger.services import (SHARE_CAPITAL_CODE, NewEntry, PostingLine, account_by_code, is_closed_month,
                             post_entries)
from members.models import Member
from minga import obligations
from minga.models import CloseLine, MingaRules, PeriodClose
from minga.obligations import Standing
from minga.wording import hours_text

audit.describe("minga.close", _l("Minga period closed"))


def _fine_reversed(session: so.Session, coop: Coop, entry: JournalEntry, reversal: JournalEntry) -> None:
    """The treasurer reversed a fine: its charge is voided and the close line says so."""
    allocation.void_charges_of_entry(session, coop.id, entry.id)
    session.execute(sa.update(CloseLine).where(CloseLine.coop_id == coop.id, CloseLine.fine_entry_id == entry.id)
                    .values(is_fine_reversed=True))


def _capital_reversed(session: so.Session, coop: Coop, entry: JournalEntry, reversal: JournalEntry) -> None:
    session.execute(sa.update(CloseLine).where(CloseLine.coop_id == coop.id,
                                               CloseLine.capital_entry_id == entry.id)
                    .values(is_capital_reversed=True))


FINE_ORIGIN, CAPITAL_ORIGIN = "minga.fine", "minga.capital"
register_origin(FINE_ORIGIN, label=_l("Minga fine"), on_reversed=_fine_reversed)
register_origin(CAPITAL_ORIGIN, label=_l("Minga work credited as capital"), on_reversed=_capital_reversed)


def per_hour(minutes: int, rate_minor: int) -> int:
    """Minutes at an hourly rate, rounded to the nearest minor unit (half up)."""
    return (minutes * rate_minor + 30) // 60


@dataclass
class ClosePreview:
    """What closing the period would post, and why it cannot be closed (if it cannot)."""

    rules: MingaRules
    period_start: dt.date
    period_end: dt.date
    deadline: dt.date
    label: str
    standings: list[Standing]
    problems: list[str]
    already: PeriodClose | None

    def fine_of(self, standing: Standing) -> int:
        return per_hour(standing.hours.missing, self.rules.fine_per_hour_minor)

    def capital_of(self, standing: Standing) -> int:
        return per_hour(standing.capital_minutes, self.rules.capital_rate_minor)

    @property
    def fined(self) -> list[Standing]:
        return [s for s in self.standings if self.fine_of(s) > 0]

    @property
    def credited(self) -> list[Standing]:
        return [s for s in self.standings if self.capital_of(s) > 0]

    @property
    def fines_total(self) -> int:
        return sum(self.fine_of(s) for s in self.standings)

    @property
    def capital_total(self) -> int:
        return sum(self.capital_of(s) for s in self.standings)


def close_of(session: so.Session, coop: Coop, start: dt.date) -> PeriodClose | None:
    return session.scalar(sa.select(PeriodClose).where(PeriodClose.coop_id == coop.id,
                                                       PeriodClose.period_start == start))


def _accounts(session: so.Session, coop: Coop, rules: MingaRules) -> tuple[Account | None, Account | None,
                                                                              Account | None]:
    fine = session.get(Account, rules.fine_account_id) if rules.fine_account_id else None
    capital = session.get(Account, rules.capital_account_id) if rules.capital_account_id else None
    return fine, capital, account_by_code(session, coop, SHARE_CAPITAL_CODE)


def _blocking(session: so.Session, coop: Coop, rules: MingaRules, start: dt.date, today: dt.date) -> list[str]:
    problems = []
    last_day = obligations.deadline(rules, start)
    if today <= last_day:
        problems.append(_("%(period)s is still open: households may make up hours until %(day)s. It can be closed "
                          "from the next day.", period=obligations.period_label(rules, start, coop.locale),
                          day=format_date(last_day, "long", locale=coop.locale)))
    fine, capital, share = _accounts(session, coop, rules)
    if rules.fine_per_hour_minor and (fine is None or fine.is_closed):
        problems.append(_("Fines are charged but no open fines account is chosen in the rules."))
    if rules.capital_rate_minor and (capital is None or capital.is_closed):
        problems.append(_("Work is credited as capital but no open account is chosen for it in the rules."))
    if rules.capital_rate_minor and (share is None or share.is_closed):
        problems.append(_("The chart of accounts has no open share capital account (%(code)s).",
                          code=SHARE_CAPITAL_CODE))
    if is_closed_month(session, coop, today):
        problems.append(_("The month of %(day)s is closed in the books.", day=today.isoformat()))
    return problems


def preview_close(session: so.Session, coop: Coop, start: dt.date, *, today: dt.date) -> ClosePreview:
    """What closing the period would do, without writing anything (a bad date: ``DomainError``)."""
    rules = obligations.rules_of(session, coop)
    obligations.check_period(rules, start)
    already = close_of(session, coop, start)
    problems = _blocking(session, coop, rules, start, today)
    if already is not None:
        problems.insert(0, _("This period was already closed."))
    return ClosePreview(rules, start, obligations.period_end(rules, start), obligations.deadline(rules, start),
                        obligations.period_label(rules, start, coop.locale),
                        obligations.standings(session, coop, start, rules), problems, already)


def _insert_close(session: so.Session, actor: User | None, coop: Coop, preview: ClosePreview) -> PeriodClose:
    try:
        with session.begin_nested():  # the unique (co-op, period) refuses a second close
            close = PeriodClose(coop_id=coop.id, period_start=preview.period_start, period_end=preview.period_end,
                                created_by_id=actor.id if actor is not None else None)
            session.add(close)
            session.flush()
    except sa.exc.IntegrityError:
        raise DomainError(_l("This period was already closed."), field="period") from None
    return close


def _post_fines(session: so.Session, actor: User | None, coop: Coop, preview: ClosePreview, close: PeriodClose,
                today: dt.date) -> dict[str, JournalEntry]:
    fined = preview.fined
    if not fined:
        return {}
    fine_account = session.get(Account, preview.rules.fine_account_id)
    lines = [charges.ChargeLine(s.member, preview.fine_of(s), _("Minga fine %(period)s: %(hours)s missing",
                                                                    period=preview.label,
                                                                    hours=hours_text(s.hours.missing, coop.locale)),
                                s.household) for s in fined]
    entries = charges.post_charges(session, actor, coop, lines, income_account=fine_account, source=EntrySource.FINE,
                                   origin=Origin(FINE_ORIGIN, close.id), entry_date=today,
                                   due_date=today + dt.timedelta(days=charges.USUAL_DUE_DAYS))
    return {s.key: entry for s, entry in zip(fined, entries, strict=True)}


def _post_capital(session: so.Session, actor: User | None, coop: Coop, preview: ClosePreview, close: PeriodClose,
                  today: dt.date) -> dict[str, JournalEntry]:
    credited = preview.credited
    if not credited:
        return {}
    _fine, capital, share = _accounts(session, coop, preview.rules)
    entries = post_entries(session, actor, coop, [NewEntry(
        today, _("Minga work %(period)s credited as capital: %(hours)s, member no. %(number)d, %(name)s",
                 period=preview.label, hours=hours_text(s.capital_minutes, coop.locale), number=s.member.number,
                 name=s.member.full_name),
        [PostingLine(capital, preview.capital_of(s)), PostingLine(share, -preview.capital_of(s))],
        source=EntrySource.SHARE_CAPITAL, origin=Origin(CAPITAL_ORIGIN, close.id)) for s in credited])
    return {s.key: entry for s, entry in zip(credited, entries, strict=True)}


def _record_lines(session: so.Session, coop: Coop, preview: ClosePreview, close: PeriodClose,
                  fines: dict[str, JournalEntry], capital: dict[str, JournalEntry]) -> None:
    rows = [{"coop_id": coop.id, "close_id": close.id, "owner_key": s.key,
             "household_id": s.household.id if s.household is not None else None, "member_id": s.member.id,
             "owed_minutes": s.hours.due, "worked_minutes": s.hours.worked + s.hours.carried,
             "missing_minutes": s.hours.missing, "fine_minor": preview.fine_of(s) if s.key in fines else 0,
             "capital_minutes": s.capital_minutes if s.key in capital else 0,
             "capital_minor": preview.capital_of(s) if s.key in capital else 0,
             "fine_entry_id": fines[s.key].id if s.key in fines else None,
             "capital_entry_id": capital[s.key].id if s.key in capital else None,
             "is_fine_reversed": False, "is_capital_reversed": False}
            for s in preview.standings if s.hours.due or s.key in capital]
    if rows:
        session.execute(sa.insert(CloseLine), rows)
    close.fines_count, close.fines_total_minor = len(fines), sum(r["fine_minor"] for r in rows)
    close.capital_count, close.capital_total_minor = len(capital), sum(r["capital_minor"] for r in rows)
    session.flush()


def close_period(session: so.Session, actor: User | None, coop: Coop, start: dt.date, *,
                 today: dt.date) -> PeriodClose:
    """Close the period: each short household fined once, capital work credited; refused whole."""
    with force_locale(coop.locale):  # what the books say is written in the co-op's language
        preview = preview_close(session, coop, start, today=today)
        if preview.problems:
            raise DomainError(preview.problems[0], field="period")
        with session.begin_nested():  # all or nothing, even for a caller that goes on (the job)
            close = _insert_close(session, actor, coop, preview)
            fines = _post_fines(session, actor, coop, preview, close, today)
            capital = _post_capital(session, actor, coop, preview, close, today)
            _record_lines(session, coop, preview, close, fines, capital)
            audit.record(session, coop=coop, actor=actor, action="minga.close", obj=close,
                         summary=f"{preview.label}: {close.fines_count}, {close.capital_count}")
    return close


# --- reading closes ---------------------------------------------------------------------------

def closes(session: so.Session, coop: Coop) -> list[PeriodClose]:
    """The co-op's closes, latest period first."""
    return list(session.scalars(sa.select(PeriodClose).where(PeriodClose.coop_id == coop.id)
                                .order_by(PeriodClose.period_start.desc())))


def lines_of(session: so.Session, close: PeriodClose, *, page: int = 1, per_page: int = 100,
             only_posted: bool = False) -> list[CloseLine]:
    """One page of a close's lines, by member number."""
    query = (sa.select(CloseLine).join(Member, Member.id == CloseLine.member_id)
             .where(CloseLine.coop_id == close.coop_id, CloseLine.close_id == close.id)
             .options(so.contains_eager(CloseLine.member)).order_by(Member.number))
    if only_posted:
        query = query.where(sa.or_(CloseLine.fine_entry_id.is_not(None), CloseLine.capital_entry_id.is_not(None)))
    return list(session.scalars(one_page(query, page, per_page)))


def periods_to_close(session: so.Session, coop: Coop, today: dt.date, rules: MingaRules | None = None) -> list[dt.date]:
    """Periods from the first whose deadline has passed and that are not yet closed, oldest first."""
    rules = rules or obligations.rules_of(session, coop)
    if rules.id is None or rules.owed_minutes <= 0 and rules.capital_rate_minor <= 0:
        return []
    closed = set(session.scalars(sa.select(PeriodClose.period_start).where(PeriodClose.coop_id == coop.id)))
    periods, start = [], obligations.first_period(rules)
    while obligations.deadline(rules, start) < today:
        if start not in closed:
            periods.append(start)
        start = obligations.period_end(rules, start) + dt.timedelta(days=1)
    return periods


def run_scheduled(session: so.Session, coop: Coop, today: dt.date) -> tuple[list[str], list[str]]:
    """Close every period whose deadline passed, when the rules close automatically.

    Returns (what was closed, what failed and why); a failing period does not stop the others.
    """
    rules = obligations.rules_of(session, coop)
    if not rules.is_closed_automatically:
        return [], []
    return run_each([(f"{coop.slug}/{obligations.period_label(rules, start, coop.locale)}",
                      lambda start=start: close_period(session, None, coop, start, today=today).fines_count)
                     for start in periods_to_close(session, coop, today, rules)], coop.locale)


# --- the statement: work credited as capital --------------------------------------------------

@statements.statement_note
def capital_work_note(session: so.Session, coop: Coop, member: Member, start: dt.date,
                      end: dt.date) -> statements.StatementNote | None:
    """"Work credited as capital: 24 h = $96,00" on the member's statement, for the entries of the period."""
    minutes, amount = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(CloseLine.capital_minutes), 0),
                  sa.func.coalesce(sa.func.sum(CloseLine.capital_minor), 0))
        .join(JournalEntry, JournalEntry.id == CloseLine.capital_entry_id)
        .where(CloseLine.coop_id == coop.id, CloseLine.member_id == member.id,
               CloseLine.is_capital_reversed.is_(False),
               JournalEntry.entry_date >= start, JournalEntry.entry_date <= end)).one()
    if not amount:
        return None
    return statements.StatementNote(str(_l("Work credited as capital")), hours_text(int(minutes), coop.locale),
                                    int(amount))
