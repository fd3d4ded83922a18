"""Forms of the kernel's pages (co-op settings, people and roles, audit filters, new co-ops), and
the fields every package's forms share: amounts (``MoneyField``) and the one-time key of a form
that creates money or numbers (``OnceForm``)."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from coop import submissions
from coop.errors import DomainError
from coop.money import MoneyError, parse_money, typed_amount
from coop.tenancy import ROLE_LABELS, Basis, ceiling_message, check_country, check_currency, check_timezone
from coop.web import reader_locale

LANGUAGE_CHOICES = [("es", "Español"), ("en", "English")]
PAPER_CHOICES = [("A4", "A4"), ("Letter", _l("Letter"))]
BASIS_CHOICES = [(Basis.MEMBER.value, _l("Per member")), (Basis.HOUSEHOLD.value, _l("Per household"))]
MONTH_CHOICES = [(n, str(n)) for n in range(1, 13)]


class RuleCheck:
    """A field validator that asks the domain rule, so every field's error shows at once.

    The service checks again when it runs: the form only lets the person see all their
    mistakes in one go instead of one per submission.
    """

    def __init__(self, check, transform=str.upper):
        self.check = check
        self.transform = transform

    def __call__(self, _form, field):
        if field.data:
            try:
                self.check(self.transform(field.data.strip()))
            except DomainError as error:
                raise ValidationError(str(error.message)) from None


class MoneyField(StringField):
    """An amount of the co-op's money, typed as people type it ("48.90", "$1.234,56").

    ``data`` is the amount in minor units (cents), or None when the field was left empty; a
    reading that fails (words, too many decimals, an ambiguous "1,500") is the field's error,
    in the reader's language. Given minor units (an edit form), it shows them as the reader
    types them back ("1234,50"). ``allow_negative`` admits a minus sign. An amount above the
    co-op's ceiling (``Coop.max_amount_minor``) is refused beside the field, unless ``ceiling``
    is False (the setting of the ceiling itself).
    """

    def __init__(self, label=None, validators=None, *, allow_negative: bool = False, ceiling: bool = True,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.allow_negative = allow_negative
        self.ceiling = ceiling

    @staticmethod
    def _currency() -> str:
        return g.coop.currency

    def process_formdata(self, valuelist):
        if not valuelist:
            return  # not sent: the value given (an edit form's amount) stays
        text = valuelist[0] or ""
        if not text.strip():
            self.data = None
            self.raw_data = [""]  # blank, as InputRequired understands it
            return
        try:
            self.data = parse_money(text, self._currency(), reader_locale(), allow_negative=self.allow_negative).minor
        except MoneyError as error:
            self.data = None
            raise ValueError(error.text) from None
        if self.ceiling and abs(self.data) > g.coop.max_amount_minor:
            self.data = None
            raise ValueError(str(ceiling_message(g.coop)))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return typed_amount(self.data, self._currency(), reader_locale()) if self.data is not None else ""


class OnceKeyField(HiddenField):
    """A form's one-time key (``coop.submissions``): a fresh one when the form is first shown, the
    sent one when it comes back (so a corrected form is still the same submission), and a fresh
    one again when the sent one is missing or malformed."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=submissions.new_key, **kwargs)

    def process_formdata(self, valuelist):
        # what was sent, even nothing: a missing key must not pass as the default's fresh one
        self.data = valuelist[0] if valuelist else ""

    def _value(self) -> str:
        if not submissions.is_key(self.data):
            self.data = submissions.new_key()
        return self.data


class OnceForm:
    """Mixin for a form that creates money or numbers: it carries a one-time key, rendered by
    ``form.hidden_tag()``, which the view claims with ``coop.submissions.claim``."""

    once_key = OnceKeyField()


CURRENCY_CHECK = RuleCheck(check_currency)
COUNTRY_CHECK = RuleCheck(check_country)
TIMEZONE_CHECK = RuleCheck(check_timezone, transform=str)


def role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class NewCoopForm(FlaskForm):
    name = StringField(_l("Name of the co-op"), validators=[InputRequired(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[InputRequired(), Length(max=50)],
                       description=_l("Lower-case letters, digits and hyphens, such as alianza-solidaria."))
    currency = StringField(_l("Currency"), default="USD", validators=[InputRequired(), CURRENCY_CHECK])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="es")
    country = StringField(_l("Country code"), default="EC", validators=[InputRequired(), COUNTRY_CHECK])
    timezone = StringField(_l("Time zone"), default="America/Guayaquil",
                           validators=[InputRequired(), TIMEZONE_CHECK])
    admin_email = EmailField(_l("E-mail of its first administrator"),
                             validators=[InputRequired(), Email(check_deliverability=False)])
    admin_name = StringField(_l("Name of its first administrator"), validators=[InputRequired(),
                                                                              Length(max=200)])


class CoopSettingsForm(FlaskForm):
    name = StringField(_l("Name of the co-op"), validators=[InputRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)],
                       description=_l("Printed before the date on certificates and letters, e.g. Quito."))
    currency = StringField(_l("Currency"), validators=[InputRequired(), CURRENCY_CHECK])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    country = StringField(_l("Country code"), validators=[InputRequired(), COUNTRY_CHECK])
    timezone = StringField(_l("Time zone"), validators=[InputRequired(), Length(max=64), TIMEZONE_CHECK])
    paper_size = SelectField(_l("Paper size"), choices=PAPER_CHOICES)
    voting_basis = SelectField(_l("Votes are cast"), choices=BASIS_CHOICES)
    obligation_basis = SelectField(_l("Dues and Minga hours are owed"), choices=BASIS_CHOICES)
    quorum_percent = IntegerField(_l("Quorum at first call (%)"),
                                  validators=[InputRequired(), NumberRange(min=1, max=100)])
    second_call_minutes = IntegerField(_l("Second call after (minutes)"),
                                       validators=[InputRequired(), NumberRange(min=0, max=24 * 60)])
    notice_days = IntegerField(_l("Days of notice for a general assembly"),
                               validators=[InputRequired(), NumberRange(min=0, max=365)])
    fiscal_year_start_month = SelectField(_l("Fiscal year starts in month"), choices=MONTH_CHOICES,
                                          coerce=int)
    members_see_directory = BooleanField(_l("Members see a directory of names and lots"))
    members_see_finances = BooleanField(_l("Members see the co-op's financial summaries"))
    # no InputRequired: left blank, the service says what to write; not sent, the ceiling stays
    max_amount_minor = MoneyField(_l("Largest amount accepted in one go"), ceiling=False,
                                  description=_l("A payment, expense or entry line above it is refused: it "
                                                 "catches a slip of the finger, such as three zeros too many."))


class GrantRoleForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)],
                       description=_l("Needed only for someone without an account yet."))
    role = SelectField(_l("Role"), choices=role_choices)
    scope = SelectField(_l("Where the role applies"), choices=[], default="",
                        description=_l("A coordinator may hold the role for one commission only."))


class RevokeRoleForm(FlaskForm):
    user_id = IntegerField(validators=[InputRequired()])
    role = SelectField(choices=role_choices)
    #: "kind:id" of the scope the role is held for; empty for the whole co-op
    scope = StringField(validators=[Optional(), Length(max=60)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(_l("Who"), validators=[Optional(), Length(max=200)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
