"""Pages of the books: the chart of accounts, the journal and its entries, manual entries,
reversals, closed months and the opening balances import.

Each view reads its form and calls one service of ``ledger.services`` (or ``ledger.opening``);
``coop.pages`` commits once, or shows the refusal beside the field it names. The manual entry form
has a fixed number of lines (no JavaScript); the service numbers only the lines used, so the
view keeps which form line each used line came from to put every error beside its own line.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import calendar, submissions
from coop.db import get_session
from coop.errors import DomainError, apply_to_form
from coop.pages import Load, coop_view, file_response, page_number, query_form, query_int, query_text, show_refusal
from coop.text import whole_number
from coop.web import reader_locale
from ledger import journal as books
from ledger import opening, services
from ledger.forms import (ACCOUNT_TYPE_LABELS, SOURCE_LABELS, AccountForm, CloseAccountForm, CloseMonthForm,
                          EntryForm, JournalFilterForm, OpeningConfirmForm, OpeningUploadForm, RenameAccountForm,
                          ReverseForm, filled)
from ledger.models import Account, AccountType, EntrySource, JournalEntry
from ledger.permissions import MANAGE_BOOKS, VIEW_BOOKS
from ledger.services import PostingLine
from ledger.views import bp
from members.reports import member_by_number

#: months offered for closing, counted back from the current one, when the journal is younger
CLOSE_MONTHS_BACK = 12
#: an entry named by its id in the address, with its postings, accounts and members
ENTRY = Load.by(books.entry_by_id, "entry_id")


def today() -> dt.date:
    return calendar.today_in(g.coop)


# --- chart of accounts ---------------------------------------------------------------------

@bp.get("/accounts")
@coop_view(VIEW_BOOKS)
def accounts():
    return render_template("ledger/accounts.html", rows=books.chart(get_session(), g.coop),
                           type_labels=ACCOUNT_TYPE_LABELS)


@bp.post("/accounts/install")
@coop_view(MANAGE_BOOKS)
def install_chart():
    with show_refusal():
        services.install_chart(get_session(), current_user, g.coop)
        flash(_("The housing co-op's chart of accounts is installed."), "success")
    return redirect(url_for("ledger.accounts"))


@bp.route("/accounts/new", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def new_account():
    form = AccountForm()
    parent = query_text("parent", 28)
    if request.method == "GET" and parent:
        form.code.data = parent + "."
    if form.validate_on_submit():
        with show_refusal(form):
            account = services.add_account(get_session(), current_user, g.coop, code=form.code.data,
                                           name=form.name.data, type=AccountType(form.type.data),
                                           is_receivable=bool(form.is_receivable.data))
            flash(_("Account %(label)s is open.", label=account.label), "success")
            return redirect(url_for("ledger.accounts"))
    return render_template("ledger/account_form.html", form=form)


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS, account=Account)
def edit_account(account: Account):
    form = RenameAccountForm(obj=account)
    if form.validate_on_submit():
        with show_refusal(form):
            services.rename_account(get_session(), current_user, g.coop, account, form.name.data)
            flash(_("Saved."), "success")
            return redirect(url_for("ledger.accounts"))
    return _render_edit(account, form, CloseAccountForm(formdata=None))


def _render_edit(account: Account, form: RenameAccountForm, close_form: CloseAccountForm):
    return render_template("ledger/account_edit.html", account=account, form=form, close_form=close_form,
                           type_labels=ACCOUNT_TYPE_LABELS)


def _beside_confirm(form: CloseAccountForm, error: DomainError) -> None:
    """Why the account cannot close goes beside the box that asked to close it."""
    form.confirm.errors = [error.text]


@bp.post("/accounts/<int:account_id>/close")
@coop_view(MANAGE_BOOKS, account=Account)
def close_account(account: Account):
    close_form = CloseAccountForm()
    if close_form.validate_on_submit():
        with show_refusal(close_form, apply=_beside_confirm):
            services.close_account(get_session(), current_user, g.coop, account)
            flash(_("Account %(label)s is closed.", label=account.label), "success")
            return redirect(url_for("ledger.accounts"))
    return _render_edit(account, RenameAccountForm(formdata=None, obj=account), close_form)


# --- journal -------------------------------------------------------------------------------

def _account_choices(accounts: list[Account]) -> list[tuple[str, str]]:
    return [(str(a.id), ("\u00a0\u00a0" * a.code.count(".")) + a.label) for a in accounts]


@bp.get("/journal")
@coop_view(VIEW_BOOKS)
def journal():
    db = get_session()
    form = query_form(JournalFilterForm)
    form.account.choices = [("", _("All"))] + _account_choices(books.accounts_of(db, g.coop))
    form.validate()
    account_id = query_int("account")
    query = books.JournalQuery(
        start=None if form.start.errors else form.start.data, end=None if form.end.errors else form.end.data,
        source=EntrySource(form.source.data) if form.source.data in set(EntrySource) else None,
        account_id=int(account_id) if account_id else None, text=form.q.data or "",
        number=None if form.number.errors else form.number.data)
    page = page_number()
    entries, total = books.journal(db, g.coop, query, page=page)
    return render_template("ledger/journal.html", form=form, entries=entries, total=total, page=page,
                           per_page=books.PAGE_SIZE, source_labels=SOURCE_LABELS)


def _render_entry(entry, reverse_form: ReverseForm):
    db = get_session()
    return render_template(
        "ledger/entry.html", entry=entry, reverse_form=reverse_form, source_labels=SOURCE_LABELS,
        reversal=books.reversal_of(db, g.coop, entry),
        reversed_entry=books.entry_by_id(db, g.coop, entry.reverses_id) if entry.reverses_id else None,
        posted_by=books.user_name(db, entry.created_by_id))


@bp.get("/journal/<int:entry_id>")
@coop_view(VIEW_BOOKS, found=ENTRY)
def entry(found: JournalEntry):
    form = ReverseForm(formdata=None)
    form.entry_date.data = today()
    return _render_entry(found, form)


@bp.post("/journal/<int:entry_id>/reverse")
@coop_view(MANAGE_BOOKS, found=ENTRY)
def reverse_entry(found: JournalEntry):
    form = ReverseForm()
    if form.validate_on_submit():
        with show_refusal(form):
            reversal = services.reverse_entry(get_session(), current_user, g.coop, found,
                                              entry_date=form.entry_date.data, reason=form.reason.data)
            flash(_("Entry %(number)d is reversed by entry %(reversal)d.", number=found.number,
                    reversal=reversal.number), "success")
            return redirect(url_for("ledger.entry", entry_id=reversal.id))
    return _render_entry(found, form)


# --- manual entries ------------------------------------------------------------------------

@dataclass
class ReadLines:
    """The form's used lines as the service sees them, and where each came from."""

    lines: list[PostingLine] = field(default_factory=list)
    #: for each used line: (form line index, the field holding its amount)
    origin: list[tuple[int, str]] = field(default_factory=list)
    debit: int = 0
    credit: int = 0
    #: some line could not even be read (no account, bad amount, unknown member)
    bad: bool = False


def _error(field_, message) -> None:
    field_.errors = list(field_.errors) + [str(message)]


def _signed_amount(line) -> tuple[int | None, str]:
    """The line's signed amount and the field it is written in; a refusal goes beside that field.

    An amount that could not be read is None: its own field already says why.
    """
    written = [name for name in ("debit", "credit") if filled(getattr(line, name))]
    if len(written) == 2:
        _error(line.credit, _("Write either a debit or a credit, not both."))
        return None, "credit"
    if not written:
        _error(line.debit, _("Write the amount as a debit or a credit."))
        return None, "debit"
    name = written[0]
    minor = getattr(line, name).data
    if minor is None:
        return None, name
    return (minor if name == "debit" else -minor), name


def _read_line(line, accounts: dict[str, Account]):
    """The line's (account, member, amount, amount field), or None with errors beside its fields."""
    ok = True
    account_id = (line.account.data or "").strip()
    account = accounts.get(account_id)
    if account is None:
        _error(line.account, _("Choose the account.") if not account_id else _("There is no such account."))
        ok = False
    member = None
    number = (line.member.data or "").strip().lstrip("#")
    if number:
        if whole_number(number) is not None:
            member = member_by_number(get_session(), g.coop, whole_number(number))
        if member is None:
            _error(line.member, _("There is no member with this number."))
            ok = False
    amount, where = _signed_amount(line)
    return (account, member, amount, where) if ok and amount is not None else None


def read_lines(form: EntryForm, accounts: dict[str, Account]) -> ReadLines:
    read = ReadLines()
    for index, entry_line in enumerate(form.postings):
        line = entry_line.form
        if line.is_blank():
            continue
        found = _read_line(line, accounts)
        if found is None:
            read.bad = True
            continue
        account, member, amount, where = found
        read.lines.append(PostingLine(account, amount, member))
        read.origin.append((index, where))
        if amount > 0:
            read.debit += amount
        else:
            read.credit -= amount
    return read


def _apply_entry_errors(form: EntryForm, error: DomainError, read: ReadLines) -> None:
    """Each of the service's refusals beside the form line (or field) it is about."""
    for each in getattr(error, "errors", None) or [error]:
        name = each.field or ""
        if name.startswith("postings-"):
            _, position, part = name.split("-", 2)
            index, where = read.origin[int(position)]
            line = form.postings[index].form
            _error({"account": line.account, "member": line.member}.get(part) or getattr(line, where), each.text)
        elif name == "postings":
            if not read.bad:  # with unreadable lines, the count and balance are not yet meaningful
                form.entry_errors.append(each.text)
        elif getattr(form, name, None) is not None and getattr(form, name).errors:
            continue  # the form's own message is already there
        else:
            apply_to_form(form, each)


@bp.route("/journal/new", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def new_entry():
    db = get_session()
    form = EntryForm()
    form.entry_errors = []
    open_accounts = books.accounts_of(db, g.coop, open_only=True)
    for line in form.postings:
        line.form.account.choices = [("", "—")] + _account_choices(open_accounts)
    read = None
    if request.method == "GET":
        form.entry_date.data = today()
    elif form.is_submitted():
        valid = form.validate()
        read = read_lines(form, {str(a.id): a for a in books.accounts_of(db, g.coop)})
        with show_refusal(form, apply=lambda form, error: _apply_entry_errors(form, error, read)) as refusal:
            if valid and not read.bad:
                sent = submissions.claim(db, g.coop, form.once_key.data)
                posted = services.post_entry(db, current_user, g.coop, entry_date=form.entry_date.data,
                                             description=form.description.data, reference=form.reference.data or "",
                                             postings=read.lines)
                sent.finish(url_for("ledger.entry", entry_id=posted.id))
                flash(_("Entry %(number)d is posted.", number=posted.number), "success")
                return redirect(url_for("ledger.entry", entry_id=posted.id))
            # the form is refused anyway: let the service say what else is wrong, all at once
            services.check_entry(db, g.coop, entry_date=form.entry_date.data,
                                 description=form.description.data or "", postings=read.lines)
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
    return render_template("ledger/entry_form.html", form=form, read=read,
                           receivable_codes=[a.code for a in open_accounts if a.is_receivable])


# --- closed months -------------------------------------------------------------------------

def _months_to_close(db) -> list[tuple[str, dt.date]]:
    """The ended months not yet closed, newest first, back to the journal's first month."""
    current = calendar.month_start(today())
    first = books.first_entry_date(db, g.coop)
    earliest = calendar.add_months(current, -CLOSE_MONTHS_BACK)
    if first is not None:
        earliest = min(earliest, calendar.month_start(first))
    closed = {row.month for row in books.closed_months(db, g.coop)}
    ended = calendar.months_between(earliest, calendar.add_months(current, -1))
    return [(m.isoformat(), m) for m in reversed(ended) if m not in closed]


def _render_periods(form: CloseMonthForm):
    db = get_session()
    form.month.choices = _months_to_close(db)
    return render_template("ledger/periods.html", form=form, closed=books.closed_months(db, g.coop))


@bp.get("/periods")
@coop_view(VIEW_BOOKS)
def periods():
    return _render_periods(CloseMonthForm(formdata=None))


@bp.post("/periods/close")
@coop_view(MANAGE_BOOKS)
def close_month():
    form = CloseMonthForm()
    if form.validate_on_submit():
        try:
            month = dt.date.fromisoformat(form.month.data or "")
        except ValueError:
            _error(form.month, _("Choose the month."))
        else:
            with show_refusal(form):
                services.close_month(get_session(), current_user, g.coop, month, today=today())
                flash(_("The month is closed: nothing more is posted into it."), "success")
                return redirect(url_for("ledger.periods"))
    return _render_periods(form)


# --- opening balances ----------------------------------------------------------------------

def _opening_page(form: OpeningUploadForm, plan=None, confirm: OpeningConfirmForm | None = None):
    db = get_session()
    return render_template("ledger/opening.html", form=form, plan=plan, confirm=confirm,
                           standing=opening.standing_opening(db, g.coop),
                           receivable=[a for a in books.accounts_of(db, g.coop, open_only=True) if a.is_receivable])


@bp.route("/opening", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def opening_import():
    form = OpeningUploadForm()
    if request.method == "GET":
        form.description.data = _("Opening balances")
    if not form.validate_on_submit():
        return _opening_page(form)
    content = form.file.data.read()
    plan = opening.check_opening(get_session(), g.coop, content, locale=reader_locale())
    confirm = None
    if plan.ok:
        confirm = OpeningConfirmForm(formdata=None, content=base64.b64encode(content).decode("ascii"),
                                     entry_date=form.entry_date.data.isoformat(),
                                     description=form.description.data)
    return _opening_page(form, plan, confirm)


@bp.post("/opening/post")
@coop_view(MANAGE_BOOKS)
def opening_post():
    confirm = OpeningConfirmForm()
    form = OpeningUploadForm(formdata=None)
    try:
        content = base64.b64decode(confirm.content.data or "", validate=True)
        entry_date = dt.date.fromisoformat(confirm.entry_date.data or "")
    except (binascii.Error, ValueError):
        form.form_errors.append(_("Send the file again: the checked file did not come back whole."))
        return _opening_page(form)
    form.entry_date.data, form.description.data = entry_date, confirm.description.data
    with show_refusal(form):
        posted = opening.post_opening(get_session(), current_user, g.coop, content, entry_date=entry_date,
                                      description=confirm.description.data or "", locale=reader_locale())
        flash(_("The opening balances are posted as entry %(number)d.", number=posted.number), "success")
        return redirect(url_for("ledger.entry", entry_id=posted.id))
    return _opening_page(form)


@bp.get("/opening/template.csv")
@coop_view(MANAGE_BOOKS)
def opening_template():
    return file_response(opening.template_csv(reader_locale().split("_")[0]).encode("utf-8"),
                         _("opening-balances") + ".csv", "text/csv; charset=utf-8")
