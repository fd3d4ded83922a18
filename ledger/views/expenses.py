"""Pages of the books: expenses, their receipts, approval and payment.

The forms live here because only these pages use them. Required fields and the receipt are
checked by ``ledger.expenses`` (every problem at once, each beside its field); the forms only
read the input and protect it with CSRF. ``coop.pages`` commits once, or shows the refusal.

A new expense is recorded once per form (``coop.submissions``). A receipt chosen on a form that
is refused is kept for the retry (``ReceiptOnForm``), so the form shows it as kept instead of
asking for the file again.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from coop import submissions
from coop.calendar import today_in
from coop.db import database, get_session
from coop.errors import DomainError, DomainErrors, apply_to_form
from coop.forms import MoneyField, OnceForm
from coop.pages import Load, coop_view, file_response, page_number, query_text, show_refusal
from ledger import expenses, services
from ledger.models import Account, Expense, ExpenseStatus, JournalEntry
from ledger.permissions import APPROVE_EXPENSES, MANAGE_BOOKS, VIEW_BOOKS
from ledger.views import bp


# --- forms -----------------------------------------------------------------------------------

class ExpenseForm(OnceForm, FlaskForm):
    expense_date = DateField(_l("Date of the invoice or receipt"), validators=[Optional()])
    supplier = StringField(_l("Supplier"), description=_l("Who is paid: a hardware store, a mason, a utility."))
    description = TextAreaField(_l("What for"))
    invoice_ref = StringField(_l("Invoice or receipt number"))
    account = SelectField(_l("Account"), choices=[], validate_choice=False)
    amount = MoneyField(_l("Amount"), validators=[InputRequired(_l("Enter an amount."))])
    attachment = FileField(_l("Scanned invoice or receipt (PDF, JPEG or PNG)"))
    #: the token of a receipt kept from a refused try (``ledger.expenses.keep_receipt``)
    kept_receipt = HiddenField()


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why it is rejected"))


class PayForm(FlaskForm):
    paid_date = DateField(_l("Date paid"), validators=[Optional()])
    from_account = SelectField(_l("Paid from"), choices=[], validate_choice=False)


# --- helpers ---------------------------------------------------------------------------------

#: an expense named by its id in the address, with the people and accounts it names
EXPENSE = Load.by(expenses.expense_by_id, "expense_id")


def _account(account_id: str | None) -> Account | None:
    """The chosen account of this co-op, or None (the service says what is wrong)."""
    try:
        account = get_session().get(Account, int(account_id or ""))
    except ValueError:
        return None
    return account if account is not None and account.coop_id == g.coop.id else None


def _show(form, error: DomainError) -> None:
    """Put the service's refusals beside their fields, except where the form already objected."""
    kept = [e for e in (getattr(error, "errors", None) or [error])
            if not (e.field and getattr(form, e.field, None) is not None and getattr(form, e.field).errors)]
    if kept:
        apply_to_form(form, DomainErrors(kept))


def _submitted_ok(form) -> bool:
    """Whether the POST may go to the service: its CSRF token holds (field checks come after)."""
    form.validate()
    if form.errors.get("csrf_token"):
        form.form_errors.append(_("The form expired. Send it again."))
        return False
    return True


def _upload(form) -> tuple[str, bytes] | None:
    storage = form.attachment.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.filename, storage.read()


class ReceiptOnForm:
    """The receipt a submitted expense form carries: a file chosen now, or one kept from a try
    that was refused. After a refusal ``keep`` keeps a newly chosen (and acceptable) file for the
    next try; after success ``used`` forgets the kept one."""

    def __init__(self, form):
        self.form = form
        self.upload = _upload(form)
        self.kept = expenses.kept_receipt(get_session(), g.coop, current_user, form.kept_receipt.data)
        self.token = form.kept_receipt.data if self.kept is not None else ""
        # the ids, read now: after a refusal the request's objects are expired with its rollback
        self.coop_id, self.actor_id = g.coop.id, current_user.id

    @property
    def attachment(self) -> tuple[str, bytes] | None:
        if self.upload is not None:
            return self.upload
        return (self.kept.name, self.kept.content) if self.kept is not None else None

    def used(self) -> None:
        expenses.drop_kept_receipt(get_session(), g.coop, current_user, self.token)

    def keep(self) -> str | None:
        """Keep the chosen file for the retry (in a unit of work of its own: the request's was rolled
        back); the name of the receipt the form now carries, if any."""
        if self.upload is not None:
            try:
                checked = expenses.check_attachment(*self.upload)
            except DomainError:  # the file itself was refused (beside its field): nothing new to keep
                checked = None
            if checked is not None:
                with database().unit_of_work() as own:
                    self.token = expenses.keep_receipt(own, self.coop_id, self.actor_id, checked)
                self.form.kept_receipt.data = self.token
                return checked.name
        self.form.kept_receipt.data = self.token
        return self.kept.name if self.kept is not None else None


def _expense_fields(form, receipt: ReceiptOnForm) -> dict:
    return {"expense_date": form.expense_date.data, "supplier": form.supplier.data or "",
            "description": form.description.data or "", "invoice_ref": form.invoice_ref.data or "",
            "account": _account(form.account.data), "amount_minor": form.amount.data,
            "attachment": receipt.attachment}


def _account_choices(form) -> None:
    form.account.choices = [("", _("Choose…"))] + [
        (str(a.id), a.label) for a in expenses.expense_accounts(get_session(), g.coop)]


# --- list ------------------------------------------------------------------------------------

@bp.get("/expenses/", endpoint="expenses")
@coop_view(VIEW_BOOKS)
def expense_list():
    db = get_session()
    wanted = query_text("status", 20)
    status = ExpenseStatus(wanted) if wanted in set(ExpenseStatus) else None
    page = page_number()
    rows, total = expenses.expenses_page(db, g.coop, status, page=page)
    return render_template("ledger/expenses.html", rows=rows, total=total, page=page,
                           per_page=expenses.PAGE_SIZE, status=status,
                           counts=expenses.status_counts(db, g.coop), labels=expenses.STATUS_LABELS)


@bp.route("/expenses/new", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def new_expense():
    form = ExpenseForm()
    _account_choices(form)
    kept_name = None
    if request.method == "GET":
        form.expense_date.data = today_in(g.coop)
    elif _submitted_ok(form):
        receipt = ReceiptOnForm(form)
        with show_refusal(form, apply=_show) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            expense = expenses.record_expense(get_session(), current_user, g.coop, **_expense_fields(form, receipt))
            receipt.used()
            sent.finish(url_for("ledger.expense", expense_id=expense.id))
            flash(_("Expense no. %(number)d is recorded; someone else approves it.", number=expense.id), "success")
            return redirect(url_for("ledger.expense", expense_id=expense.id))
        answer = submissions.answer_if_sent(refusal)
        if answer is not None:
            return answer
        kept_name = receipt.keep()
    return render_template("ledger/expense_form.html", form=form, expense=None, kept_name=kept_name,
                           limit=expenses.megabytes(expenses.attachment_limit()))


# --- one expense -----------------------------------------------------------------------------

def _pay_form(formdata=None) -> PayForm:
    form = PayForm(formdata=formdata)
    form.from_account.choices = [(str(a.id), a.label) for a in services.money_accounts(get_session(), g.coop)]
    if formdata is None:
        form.paid_date.data = today_in(g.coop)
    return form


def _expense_page(expense, *, reject_form=None, pay_form=None, status_code=200):
    db = get_session()
    entry_url = None
    if expense.paid_entry_id:
        entry_url = url_for("ledger.entry", entry_id=expense.paid_entry_id)
    entry = db.get(JournalEntry, expense.paid_entry_id) if expense.paid_entry_id else None
    return render_template(
        "ledger/expense.html", expense=expense, labels=expenses.STATUS_LABELS,
        people=expenses.people_of(db, expense), entry=entry, entry_url=entry_url,
        reject_form=reject_form or RejectForm(formdata=None), pay_form=pay_form or _pay_form(),
        own=expense.requested_by_id == current_user.id), status_code


@bp.get("/expenses/<int:expense_id>")
@coop_view(VIEW_BOOKS, item=EXPENSE)
def expense(item: Expense):
    return _expense_page(item)


@bp.route("/expenses/<int:expense_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS, item=EXPENSE)
def edit_expense(item: Expense):
    if item.status is not ExpenseStatus.PENDING:
        flash(_("Only a pending expense can be changed."), "error")
        return redirect(url_for("ledger.expense", expense_id=item.id))
    form = ExpenseForm(obj=item) if request.method == "GET" else ExpenseForm()
    _account_choices(form)
    kept_name = None
    if request.method == "GET":
        form.account.data = str(item.account_id)
        form.amount.data = item.amount_minor
    elif _submitted_ok(form):
        receipt = ReceiptOnForm(form)
        with show_refusal(form, apply=_show):
            changes = expenses.edit_expense(get_session(), current_user, g.coop, item,
                                            **_expense_fields(form, receipt))
            receipt.used()
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("ledger.expense", expense_id=item.id))
        kept_name = receipt.keep()
    return render_template("ledger/expense_form.html", form=form, expense=item, kept_name=kept_name,
                           limit=expenses.megabytes(expenses.attachment_limit()))


@bp.get("/expenses/<int:expense_id>/attachment")
@coop_view(VIEW_BOOKS)
def expense_attachment(expense_id: int):
    """The kept receipt, always as a download with the type its first bytes proved."""
    attachment = expenses.attachment_of(get_session(), g.coop, expense_id)
    if attachment is None:
        abort(404)
    response = file_response(attachment.content, attachment.name, attachment.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.post("/expenses/<int:expense_id>/approve")
@coop_view(APPROVE_EXPENSES, item=EXPENSE)
def approve_expense(item: Expense):
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    with show_refusal():
        expenses.approve_expense(get_session(), current_user, g.coop, item)
        flash(_("The expense is now: %(status)s.", status=expenses.STATUS_LABELS[item.status]), "success")
    return redirect(url_for("ledger.expense", expense_id=item.id))


def _about(error: DomainError, fields: tuple[str, ...]) -> bool:
    """Whether the refusal names one of the form's fields (else it is about the expense itself)."""
    return any(each.field in fields for each in (getattr(error, "errors", None) or [error]))


def _beside_fields_or_flashed(fields: tuple[str, ...]):
    """Show a refusal beside the form's fields when it names one, else as a message on the page."""
    def apply(form, error: DomainError) -> None:
        if _about(error, fields):
            _show(form, error)
        else:
            flash(error.text, "error")
    return apply


@bp.post("/expenses/<int:expense_id>/reject")
@coop_view(APPROVE_EXPENSES, item=EXPENSE)
def reject_expense(item: Expense):
    form = RejectForm()
    if not _submitted_ok(form):
        return _expense_page(item, reject_form=form, status_code=400)
    with show_refusal(form, apply=_beside_fields_or_flashed(("reason",))) as refusal:
        expenses.reject_expense(get_session(), current_user, g.coop, item, reason=form.reason.data or "")
        flash(_("The expense is rejected."), "success")
    if refusal and _about(refusal.error, ("reason",)):
        return _expense_page(item, reject_form=form, status_code=422)
    return redirect(url_for("ledger.expense", expense_id=item.id))


@bp.post("/expenses/<int:expense_id>/pay")
@coop_view(MANAGE_BOOKS, item=EXPENSE)
def pay_expense(item: Expense):
    form = _pay_form(request.form)
    if not _submitted_ok(form):
        return _expense_page(item, pay_form=form, status_code=400)
    fields = ("paid_date", "from_account")
    with show_refusal(form, apply=_beside_fields_or_flashed(fields)) as refusal:
        entry = expenses.pay_expense(get_session(), current_user, g.coop, item, paid_date=form.paid_date.data,
                                     from_account=_account(form.from_account.data))
        flash(_("The expense is paid: journal entry %(number)d.", number=entry.number), "success")
    if refusal and _about(refusal.error, fields):
        return _expense_page(item, pay_form=form, status_code=422)
    return redirect(url_for("ledger.expense", expense_id=item.id))
