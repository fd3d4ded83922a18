"""Pages of the books: expenses, their receipts, approval and payment.

The forms live here because only these pages use them. Required fields and the receipt are
checked by ``ledger.expenses`` (every problem at once, each beside its field); the forms only
read the input and protect it with CSRF.
"""
from __future__ import annotations

from babel.numbers import get_decimal_symbol
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from coop.access import Permission, coop_view
from coop.db import get_session, or_404
from coop.errors import DomainError, DomainErrors, apply_to_form
from coop.money import Money, MoneyError, parse_money
from coop.tenancy import today_in
from coop.views import page_number
from ledger import expenses, services
from ledger.models import Account, ExpenseStatus, JournalEntry
from ledger.views import bp


# --- forms -----------------------------------------------------------------------------------

class ExpenseForm(FlaskForm):
    expense_date = DateField(_l("Date of the invoice or receipt"), validators=[Optional()])
    supplier = StringField(_l("Supplier"), description=_l("Who is paid: a hardware store, a mason, a utility."))
    description = TextAreaField(_l("What for"))
    invoice_ref = StringField(_l("Invoice or receipt number"))
    account = SelectField(_l("Account"), choices=[], validate_choice=False)
    amount = StringField(_l("Amount"))
    attachment = FileField(_l("Scanned invoice or receipt (PDF, JPEG or PNG)"))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why it is rejected"))


class PayForm(FlaskForm):
    paid_date = DateField(_l("Date paid"), validators=[Optional()])
    from_account = SelectField(_l("Paid from"), choices=[], validate_choice=False)


# --- helpers ---------------------------------------------------------------------------------

def expense_or_404(expense_id: int):
    return or_404(expenses.expense_by_id(get_session(), g.coop, expense_id))


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


def _amount(form) -> int | None:
    try:
        return parse_money(form.amount.data or "", g.coop.currency, str(get_locale())).minor
    except MoneyError as error:
        form.amount.errors = list(form.amount.errors) + [error.text]
        return None


def _amount_text(minor: int) -> str:
    """The amount as the form shows it for editing: no grouping, the reader's decimal sign."""
    return str(Money(minor, g.coop.currency).to_decimal()).replace(".", get_decimal_symbol(str(get_locale())))


def _expense_fields(form) -> dict:
    return {"expense_date": form.expense_date.data, "supplier": form.supplier.data or "",
            "description": form.description.data or "", "invoice_ref": form.invoice_ref.data or "",
            "account": _account(form.account.data), "amount_minor": _amount(form),
            "attachment": _upload(form)}


def _account_choices(form) -> None:
    form.account.choices = [("", _("Choose…"))] + [
        (str(a.id), a.label) for a in expenses.expense_accounts(get_session(), g.coop)]


# --- list ------------------------------------------------------------------------------------

@bp.get("/expenses/", endpoint="expenses")
@coop_view(Permission.VIEW_BOOKS)
def expense_list():
    db = get_session()
    wanted = request.args.get("status", "")
    status = ExpenseStatus(wanted) if wanted in set(ExpenseStatus) else None
    page = page_number()
    rows, total = expenses.expenses_page(db, g.coop, status, page=page)
    return render_template("ledger/expenses.html", rows=rows, total=total, page=page,
                           per_page=expenses.PAGE_SIZE, status=status,
                           counts=expenses.status_counts(db, g.coop), labels=expenses.STATUS_LABELS)


@bp.route("/expenses/new", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_BOOKS)
def new_expense():
    form = ExpenseForm()
    _account_choices(form)
    if request.method == "GET":
        form.expense_date.data = today_in(g.coop)
    elif _submitted_ok(form):
        db = get_session()
        try:
            expense = expenses.record_expense(db, current_user, g.coop, **_expense_fields(form))
        except DomainError as error:
            db.rollback()
            _show(form, error)
        else:
            db.commit()
            flash(_("Expense no. %(number)d is recorded; someone else approves it.", number=expense.id), "success")
            return redirect(url_for("ledger.expense", expense_id=expense.id))
    return render_template("ledger/expense_form.html", form=form, expense=None,
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
@coop_view(Permission.VIEW_BOOKS)
def expense(expense_id: int):
    return _expense_page(expense_or_404(expense_id))


@bp.route("/expenses/<int:expense_id>/edit", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_BOOKS)
def edit_expense(expense_id: int):
    item = expense_or_404(expense_id)
    if item.status is not ExpenseStatus.PENDING:
        flash(_("Only a pending expense can be changed."), "error")
        return redirect(url_for("ledger.expense", expense_id=item.id))
    form = ExpenseForm(obj=item) if request.method == "GET" else ExpenseForm()
    _account_choices(form)
    if request.method == "GET":
        form.account.data = str(item.account_id)
        form.amount.data = _amount_text(item.amount_minor)
    elif _submitted_ok(form):
        db = get_session()
        try:
            changes = expenses.edit_expense(db, current_user, g.coop, item, **_expense_fields(form))
        except DomainError as error:
            db.rollback()
            _show(form, error)
        else:
            db.commit()
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("ledger.expense", expense_id=item.id))
    return render_template("ledger/expense_form.html", form=form, expense=item,
                           limit=expenses.megabytes(expenses.attachment_limit()))


@bp.get("/expenses/<int:expense_id>/attachment")
@coop_view(Permission.VIEW_BOOKS)
def expense_attachment(expense_id: int):
    """The kept receipt, always as a download with the type its first bytes proved."""
    attachment = expenses.attachment_of(get_session(), g.coop, expense_id)
    if attachment is None:
        abort(404)
    response = Response(attachment.content, mimetype=attachment.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=attachment.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _decided(item, action) -> Response | tuple:
    db = get_session()
    try:
        action(db)
    except DomainError as error:
        db.rollback()
        flash(error.text, "error")
    else:
        db.commit()
        flash(_("The expense is now: %(status)s.", status=expenses.STATUS_LABELS[item.status]), "success")
    return redirect(url_for("ledger.expense", expense_id=item.id))


@bp.post("/expenses/<int:expense_id>/approve")
@coop_view(Permission.APPROVE_EXPENSES)
def approve_expense(expense_id: int):
    item = expense_or_404(expense_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    return _decided(item, lambda db: expenses.approve_expense(db, current_user, g.coop, item))


@bp.post("/expenses/<int:expense_id>/reject")
@coop_view(Permission.APPROVE_EXPENSES)
def reject_expense(expense_id: int):
    item = expense_or_404(expense_id)
    form = RejectForm()
    if not _submitted_ok(form):
        return _expense_page(item, reject_form=form, status_code=400)
    db = get_session()
    try:
        expenses.reject_expense(db, current_user, g.coop, item, reason=form.reason.data or "")
    except DomainError as error:
        db.rollback()
        if error.field == "reason":
            apply_to_form(form, error)
            return _expense_page(expenses.expense_by_id(db, g.coop, expense_id), reject_form=form, status_code=422)
        flash(error.text, "error")
    else:
        db.commit()
        flash(_("The expense is rejected."), "success")
    return redirect(url_for("ledger.expense", expense_id=expense_id))


@bp.post("/expenses/<int:expense_id>/pay")
@coop_view(Permission.MANAGE_BOOKS)
def pay_expense(expense_id: int):
    item = expense_or_404(expense_id)
    form = _pay_form(request.form)
    if not _submitted_ok(form):
        return _expense_page(item, pay_form=form, status_code=400)
    db = get_session()
    try:
        entry = expenses.pay_expense(db, current_user, g.coop, item, paid_date=form.paid_date.data,
                                     from_account=_account(form.from_account.data))
    except DomainError as error:
        db.rollback()
        if any(e.field in ("paid_date", "from_account") for e in (getattr(error, "errors", None) or [error])):
            _show(form, error)
            return _expense_page(expenses.expense_by_id(db, g.coop, expense_id), pay_form=form, status_code=422)
        flash(error.text, "error")
    else:
        db.commit()
        flash(_("The expense is paid: journal entry %(number)d.", number=entry.number), "success")
    return redirect(url_for("ledger.expense", expense_id=expense_id))
