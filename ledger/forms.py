"""Forms of the book-keeping pages. Rules live in ``ledger.services``; these only read input.

Amounts are ``coop.forms.MoneyField``s: read as the reader types them, in minor units, with a
wrong or ambiguous amount refused beside its own field in the reader's language.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop.forms import MoneyField, OnceForm
from ledger.models import AccountType, EntrySource

#: lines of the manual entry form (no JavaScript adds more)
ENTRY_LINES = 6

ACCOUNT_TYPE_LABELS = {
    AccountType.ASSET: _l("Asset"), AccountType.LIABILITY: _l("Liability"), AccountType.EQUITY: _l("Equity"),
    AccountType.INCOME: _l("Income"), AccountType.EXPENSE: _l("Expense"),
}
SOURCE_LABELS = {
    EntrySource.MANUAL: _l("Manual entry"), EntrySource.DUES: _l("Dues"), EntrySource.PAYMENT: _l("Payment"),
    EntrySource.FINE: _l("Fine"), EntrySource.SHARE_CAPITAL: _l("Share capital"),
    EntrySource.EXPENSE: _l("Expense"), EntrySource.REVERSAL: _l("Reversal"),
    EntrySource.OPENING: _l("Opening balances"), EntrySource.CLOSING: _l("Closing"),
}


class AccountForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=32)],
                       description=_l('Numbers separated by dots; "1.1.05" goes under "1.1".'))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    type = SelectField(_l("Type"), choices=[(t.value, label) for t, label in ACCOUNT_TYPE_LABELS.items()])
    is_receivable = BooleanField(_l("Member account (each line names a member)"))


class RenameAccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])


class CloseAccountForm(FlaskForm):
    confirm = BooleanField(_l("Yes, close this account to new postings"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class JournalFilterForm(FlaskForm):
    """The journal's search, read from the address (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    source = SelectField(_l("Source"), default="",
                         choices=[("", _l("All"))] + [(s.value, label) for s, label in SOURCE_LABELS.items()])
    account = SelectField(_l("Account"), choices=[("", _l("All"))], default="", validate_choice=False)
    q = StringField(_l("Text"), validators=[Optional(), Length(max=100)],
                    description=_l("In the description or the reference"))
    number = IntegerField(_l("Entry no."), validators=[Optional(), NumberRange(min=1)])


def filled(field) -> bool:
    """Whether something was typed in the field (an amount that could not be read counts too)."""
    return bool(field.raw_data and (field.raw_data[0] or "").strip())


class PostingLineForm(Form):
    """One line of a manual entry; a line left blank is ignored."""

    account = SelectField(_l("Account"), choices=[("", "—")], default="", validate_choice=False)
    member = StringField(_l("Member no."), validators=[Optional(), Length(max=12)])
    debit = MoneyField(_l("Debit"))
    credit = MoneyField(_l("Credit"))

    def is_blank(self) -> bool:
        return not ((self.account.data or "").strip() or any(filled(f) for f in (self.member, self.debit, self.credit)))


class EntryForm(OnceForm, FlaskForm):
    entry_date = DateField(_l("Date"), validators=[InputRequired()])
    description = StringField(_l("Description"), validators=[InputRequired(), Length(max=500)])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=100)],
                            description=_l("Bank transfer, invoice or resolution number"))
    postings = FieldList(FormField(PostingLineForm), min_entries=ENTRY_LINES, max_entries=ENTRY_LINES)


class ReverseForm(FlaskForm):
    entry_date = DateField(_l("Date of the reversal"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(_l("Say why the entry is reversed.")),
                                                     Length(max=2000)])


class CloseMonthForm(FlaskForm):
    month = SelectField(_l("Month"), validate_choice=False)
    confirm = BooleanField(_l("Yes, close this month: nothing more will be posted into it"),
                           validators=[InputRequired(_l("Tick the box to confirm."))])


class OpeningUploadForm(FlaskForm):
    file = FileField(_l("File (CSV)"), validators=[
        FileRequired(_l("Choose the file to check.")),
        FileSize(4 * 1024 * 1024, message=_l("The file is larger than %(size)d MB.", size=4))],
        description=_l("One balance per row; the first row names the columns."))
    entry_date = DateField(_l("Date of the opening balances"), validators=[InputRequired()])
    description = StringField(_l("Description"), validators=[InputRequired(), Length(max=500)])


class OpeningConfirmForm(FlaskForm):
    """The checked file travels back in the page (base64), so confirming needs no second upload."""

    content = HiddenField()
    entry_date = HiddenField()
    description = HiddenField()
