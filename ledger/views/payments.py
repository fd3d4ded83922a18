"""Pages of the books: members' payments, their receipts (and the printed receipt), voiding a
receipt, and share capital payments. The rules live in ``ledger.payments``; these pages read the
form and call one service, and ``coop.pages`` commits once or shows the refusal. A printed
receipt is for the books' readers and the member who paid (``READ_RECEIPT``); to anyone else it
does not exist.

A payment form is applied once (``coop.submissions``): a second click of the same form leads to
the receipt the first one recorded. The treasurer finds the member by number, or by name or lot
with the search above the form (a plain GET: no JavaScript needed).
"""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from coop.calendar import today_in
from coop.db import get_session
from coop import submissions
from coop.forms import MoneyField, OnceForm
from coop.pages import Load, coop_view, page_number, query_form, query_int, query_text, show_refusal
from coop.text import whole_number
from coop.web import reader_locale
from ledger import payments, services
from ledger.models import Account, Payment, PaymentMethod
from ledger.permissions import MANAGE_BOOKS, READ_RECEIPT, VIEW_BOOKS
from ledger.views import bp
from ledger.views.output import pdf_download
from members import reports as member_reports

METHOD_CHOICES = [(m.value, label) for m, label in payments.METHOD_LABELS.items()]
STATE_CHOICES = [("", _l("Valid and void")), ("valid", _l("Valid only")), ("void", _l("Void only"))]
#: a payment named by its id in the address
PAYMENT = Load.by(payments.payment_by_id, "payment_id")


# --- forms -----------------------------------------------------------------------------------

class ShareCapitalPaymentForm(OnceForm, FlaskForm):
    amount = MoneyField(_l("Amount"), validators=[InputRequired()])
    payment_date = DateField(_l("Date received"), validators=[InputRequired()])
    method = SelectField(_l("Paid by"), choices=METHOD_CHOICES, default=PaymentMethod.CASH.value)
    account = SelectField(_l("Into account"), coerce=int, validate_choice=False)
    bank_reference = StringField(_l("Bank reference"), validators=[Optional(), Length(max=100)],
                                 description=_l("The number of the transfer or deposit"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
    confirm_duplicate = BooleanField(_l("It is another payment: record it anyway"))


class PaymentForm(ShareCapitalPaymentForm):
    member = StringField(_l("Member no."), validators=[InputRequired(), Length(max=12)])


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Why is the receipt voided?"), validators=[InputRequired(), Length(max=2000)])
    on_date = DateField(_l("Date of the reversal"), validators=[InputRequired()])


class PaymentFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Receipt no. or bank reference"), validators=[Optional(), Length(max=100)])
    member = StringField(_l("Member no."), validators=[Optional(), Length(max=12)])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    method = SelectField(_l("Paid by"), choices=[("", _l("Any"))] + METHOD_CHOICES, validate_choice=False)
    state = SelectField(_l("Show"), choices=STATE_CHOICES, validate_choice=False)


# --- helpers ---------------------------------------------------------------------------------

def _account_choices(form: ShareCapitalPaymentForm) -> dict[int, Account]:
    accounts = {a.id: a for a in services.money_accounts(get_session(), g.coop)}
    form.account.choices = [(a.id, a.label) for a in accounts.values()]
    return accounts


def _typed_member(form: PaymentForm):
    number = whole_number(form.member.data)
    if number is None:
        return None
    return member_reports.member_by_number(get_session(), g.coop, number)


def _submit(form: ShareCapitalPaymentForm, record):
    """Validate the form, call ``record(amount, fields)`` and redirect to the receipt on success.

    (response or None, whether to offer "record it anyway": the refusal was only a bank reference
    seen before, which the treasurer may confirm is another payment).
    """
    if not form.validate_on_submit():
        return None, False
    db = get_session()
    with show_refusal(form) as refusal:
        sent = submissions.claim(db, g.coop, form.once_key.data)
        payment = record(form.amount.data, {
            "payment_date": form.payment_date.data, "method": form.method.data,
            "account": db.get(Account, form.account.data) if form.account.data else None,
            "bank_reference": form.bank_reference.data or "", "note": form.note.data or "",
            "confirm_duplicate": bool(form.confirm_duplicate.data)})
        sent.finish(url_for("ledger.payment", payment_id=payment.id))
        flash(_("Receipt no. %(number)d is recorded.", number=payment.receipt_number), "success")
        return redirect(url_for("ledger.payment", payment_id=payment.id)), False
    return submissions.answer_if_sent(refusal), payments.is_duplicate_warning(refusal.error)


# --- list ------------------------------------------------------------------------------------

def _filters(form: PaymentFilterForm) -> payments.PaymentFilter:
    form.validate()
    member = (form.member.data or "").strip()
    method = form.method.data if form.method.data in set(PaymentMethod) else None
    return payments.PaymentFilter(
        member_number=whole_number(member),
        date_from=form.start.data if not form.start.errors else None,
        date_to=form.end.data if not form.end.errors else None,
        method=PaymentMethod(method) if method else None,
        state=form.state.data if form.state.data in ("valid", "void") else "",
        text=form.q.data or "")


@bp.get("/payments/", endpoint="payments")
@coop_view(VIEW_BOOKS)
def payments_list():
    form = query_form(PaymentFilterForm)
    page = page_number()
    rows, total, amount = payments.payments_page(get_session(), g.coop, _filters(form), page=page)
    return render_template("ledger/payments.html", form=form, rows=rows, total=total, amount=amount,
                           page=page, per_page=payments.PAGE_SIZE, method_labels=payments.METHOD_LABELS)


# --- recording -------------------------------------------------------------------------------

#: members the search above the payment form lists at most
FOUND_AT_MOST = 20


def _found_members(text: str):
    """The members whose name or lot matches what the treasurer typed (never by identity document)."""
    if not text:
        return [], 0
    return member_reports.directory(get_session(), g.coop, member_reports.DirectoryQuery(text=text),
                                    per_page=FOUND_AT_MOST)


@bp.route("/payments/new", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def new_payment():
    db = get_session()
    form = PaymentForm()
    _account_choices(form)
    confirm = False
    find = ""
    if request.method == "GET":
        form.member.data = query_text("member", 12)
        form.payment_date.data = today_in(g.coop)
        find = " ".join(query_text("find").split())
    else:
        member = _typed_member(form)
        answer, confirm = _submit(form, lambda amount, fields: payments.record_payment(
            db, current_user, g.coop, member=member, amount_minor=amount, **fields))
        if answer is not None:
            return answer
    member = _typed_member(form)
    found, found_total = _found_members(find)
    return render_template("ledger/payment_form.html", form=form, member=member, confirm=confirm,
                           credit=payments.member_credit(db, g.coop, member.id) if member else 0,
                           find=find, found=found, found_total=found_total)


@bp.route("/payments/share-capital/new", methods=["GET", "POST"])
@coop_view(MANAGE_BOOKS)
def new_share_payment():
    db = get_session()
    subscription_id = query_int("subscription")
    subscription = payments.subscription_by_id(db, g.coop, subscription_id) if subscription_id else None
    if subscription is None:
        flash(_("Choose the share capital subscription from the member's page."), "error")
        return redirect(url_for("ledger.payments"))
    paid = payments.subscription_paid(db, subscription)
    remaining = subscription.amount_minor - paid
    form = ShareCapitalPaymentForm()
    _account_choices(form)
    confirm = False
    if request.method == "GET":
        form.payment_date.data = today_in(g.coop)
        if remaining > 0:
            form.amount.data = min(remaining, subscription.amount_minor // subscription.instalments or remaining)
    else:
        answer, confirm = _submit(form, lambda amount, fields: payments.record_share_payment(
            db, current_user, g.coop, subscription=subscription, amount_minor=amount, **fields))
        if answer is not None:
            return answer
    return render_template("ledger/payment_share_form.html", form=form, subscription=subscription,
                           member=subscription.member, paid=paid, remaining=remaining, confirm=confirm)


# --- one payment -----------------------------------------------------------------------------

def _render_payment(payment: Payment, void_form: VoidForm, status: int = 200):
    db = get_session()
    return render_template("ledger/payment.html", payment=payment, void_form=void_form,
                           allocations=payments.allocations_of(db, payment),
                           credit_left=payments.unallocated(db, payment),
                           method_labels=payments.METHOD_LABELS), status


@bp.get("/payments/<int:payment_id>")
@coop_view(VIEW_BOOKS, found=PAYMENT)
def payment(found: Payment):
    form = VoidForm(formdata=None)
    form.on_date.data = max(today_in(g.coop), found.payment_date)
    return _render_payment(found, form)


@bp.post("/payments/<int:payment_id>/void")
@coop_view(MANAGE_BOOKS, found=PAYMENT)
def void_payment(found: Payment):
    form = VoidForm()
    if form.validate_on_submit():
        with show_refusal(form):
            payments.void_payment(get_session(), current_user, g.coop, found, reason=form.reason.data,
                                  on_date=form.on_date.data)
            flash(_("Receipt no. %(number)d is void.", number=found.receipt_number), "success")
            return redirect(url_for("ledger.payment", payment_id=found.id))
    return _render_payment(found, form, 422)


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@coop_view(READ_RECEIPT, found=PAYMENT)  # the books' readers, or the member who paid; anyone else: 404
def receipt_pdf(found: Payment):
    """The printed receipt, as the member takes it home."""
    db = get_session()
    language = reader_locale().split("_")[0]
    return pdf_download("pdf/receipt.html", f"recibo-{g.coop.slug}-{found.receipt_number}.pdf",
                        coop=g.coop, payment=found, allocations=payments.allocations_of(db, found),
                        credit_left=payments.unallocated(db, found), method_labels=payments.METHOD_LABELS,
                        words=payments.amount_in_words(found.amount_minor, g.coop.currency, language))
