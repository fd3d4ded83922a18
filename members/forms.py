"""Forms of the member register. Rules live in ``members.services``; these only read input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from coop.decisions import DecisionField
from coop.forms import MoneyField, OnceForm
from members.models import DocumentType, FormOfAddress, LotStatus, MemberStatus
from members.services import DOCUMENT_LABELS, FORM_OF_ADDRESS_LABELS, LOT_STATUS_LABELS, STATUS_LABELS

DOCUMENT_CHOICES = [(t.value, label) for t, label in DOCUMENT_LABELS.items()]
STATUS_CHOICES = [(s.value, label) for s, label in STATUS_LABELS.items()]
LOT_STATUS_CHOICES = [(s.value, label) for s, label in LOT_STATUS_LABELS.items()]
LANGUAGE_CHOICES = [("es", "Español"), ("en", "English")]
FORM_OF_ADDRESS_CHOICES = [(f.value, label) for f, label in FORM_OF_ADDRESS_LABELS.items()]


class MemberForm(FlaskForm):
    given_names = StringField(_l("Given names"), validators=[InputRequired(), Length(max=120)])
    family_names = StringField(_l("Family names"), validators=[InputRequired(), Length(max=120)])
    document_type = SelectField(_l("Identity document"), choices=DOCUMENT_CHOICES, default="cedula")
    document_number = StringField(_l("Document number"), validators=[InputRequired(), Length(max=24)])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    join_date = DateField(_l("Date of joining"), validators=[InputRequired()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    phone_alt = StringField(_l("Another phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    preferred_language = SelectField(_l("Language for letters"), choices=LANGUAGE_CHOICES, default="es")
    form_of_address = SelectField(_l("Form of address"), choices=FORM_OF_ADDRESS_CHOICES, default="neutral",
                                  description=_l("How pages, letters and the certificate address the member: "
                                                 "“socia”, “socio”, or neutral wording (“persona socia”)."))

    def member_data(self):
        from members.services import MemberData
        return MemberData(
            given_names=self.given_names.data or "", family_names=self.family_names.data or "",
            document_type=DocumentType(self.document_type.data), document_number=self.document_number.data or "",
            join_date=self.join_date.data, birth_date=self.birth_date.data, phone=self.phone.data or "",
            phone_alt=self.phone_alt.data or "", email=self.email.data or None, address=self.address.data or "",
            preferred_language=self.preferred_language.data,
            form_of_address=FormOfAddress(self.form_of_address.data or FormOfAddress.NEUTRAL.value))


class NewMemberForm(OnceForm, MemberForm):
    status = SelectField(_l("Status"), choices=[(s, l) for s, l in STATUS_CHOICES if s in ("applicant", "active")],
                         default="active")
    resolution_ref = StringField(_l("Resolution that admitted the member"), validators=[Length(max=200)])
    resolution_id = DecisionField()


class StatusChangeForm(FlaskForm):
    status = SelectField(_l("New status"), choices=STATUS_CHOICES)
    effective_date = DateField(_l("Takes effect on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    resolution_ref = StringField(_l("Resolution that decided it"), validators=[Length(max=200)],
                                 description=_l("For example: General assembly of 14/03/2026, resolution 12"))
    resolution_id = DecisionField()

    def new_status(self) -> MemberStatus:
        return MemberStatus(self.status.data)


class HouseholdForm(FlaskForm):
    name = StringField(_l("Name of the household"), validators=[InputRequired(), Length(max=200)])
    dependants = IntegerField(_l("Dependants (not members)"), default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=50)])


class HouseholdSearchForm(FlaskForm):
    """Finding the household to choose, on the page that chooses it (a GET: it changes nothing)."""

    class Meta:
        csrf = False

    household_q = StringField(_l("Find the household"), validators=[Optional(), Length(max=100)],
                              description=_l("A family name, a member's name or number, or a lot (B-12)"))


class MoveToHouseholdForm(FlaskForm):
    #: a household's id from the list of matches, or ``services.NO_HOUSEHOLD``
    household_id = StringField(_l("Household"), validators=[InputRequired(_l("Choose the household from the list."))])


class LotForm(FlaskForm):
    block = StringField(_l("Block"), validators=[InputRequired(), Length(max=20)])
    number = StringField(_l("Lot"), validators=[InputRequired(), Length(max=20)])
    phase = StringField(_l("Construction phase"), validators=[Optional(), Length(max=60)])
    status = SelectField(_l("Status"), choices=LOT_STATUS_CHOICES)

    def lot_status(self) -> LotStatus:
        return LotStatus(self.status.data)


class LotAssignForm(FlaskForm):
    #: a household's id from the list of matches, or ``services.NO_HOUSEHOLD`` to free the lot
    household_id = StringField(_l("Household"), validators=[InputRequired(_l("Choose the household from the list."))])
    from_date = DateField(_l("From"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    resolution_ref = StringField(_l("Resolution"), validators=[Optional(), Length(max=200)])
    resolution_id = DecisionField()


class ShareSubscriptionForm(OnceForm, FlaskForm):
    amount = MoneyField(_l("Amount subscribed"), validators=[InputRequired()])
    instalments = IntegerField(_l("Monthly instalments"), default=1,
                               validators=[InputRequired(), NumberRange(min=1, max=600)])
    first_due_date = DateField(_l("First instalment due on"), validators=[InputRequired()])
    resolution_ref = StringField(_l("Resolution"), validators=[Optional(), Length(max=200)])
    resolution_id = DecisionField()


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                    description=_l("Name, member no., document or lot (B-12)"))
    status = SelectField(_l("Status"), choices=[("", _l("All"))] + STATUS_CHOICES, validate_choice=False)
    household_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    block = SelectField(_l("Block"), validate_choice=False)
    sort = SelectField(_l("Order"), choices=[("name", _l("Name")), ("number", _l("Member no.")),
                                             ("joined", _l("Date of joining")), ("status", _l("Status"))],
                       validate_choice=False)


class ContactForm(FlaskForm):
    """A member's own phones, e-mail and address, from the portal (``members.portal`` checks them)."""

    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)],
                        description=_l("For example: 099 123 4567"))
    phone_alt = StringField(_l("Another phone"), validators=[Optional(), Length(max=40)],
                            description=_l("A relative's or a neighbour's, if you wish"))
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)], render_kw={"rows": 3})

    def contact_data(self):
        from members.portal import ContactData
        return ContactData(phone=self.phone.data or "", phone_alt=self.phone_alt.data or "",
                           email=self.email.data or None, address=self.address.data or "")


# --- applications to join (``members.applications`` checks everything again when it runs) ----

import datetime as dt  # noqa: E402  (appended with the application forms; may join the imports above)

from wtforms import HiddenField, ValidationError  # noqa: E402

from coop.errors import DomainError  # noqa: E402
from members.applications import ApplicationData  # noqa: E402
from members.services import check_document, check_email, check_past_date  # noqa: E402


def _rule(check, *args) -> None:
    """Run a rule of the register as a field validator, so every mistake shows at once."""
    try:
        check(*args)
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


class ApplicationForm(OnceForm, FlaskForm):
    """An application to join, as the secretary types it in from a paper form."""

    given_names = StringField(_l("Given names"), validators=[InputRequired(), Length(max=120)])
    family_names = StringField(_l("Family names"), validators=[InputRequired(), Length(max=120)])
    document_type = SelectField(_l("Identity document"), choices=DOCUMENT_CHOICES, default="cedula")
    document_number = StringField(_l("Document number"), validators=[InputRequired(), Length(max=24)])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)],
                        description=_l("For example: 099 123 4567"))
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)],
                       description=_l("Once admitted, the member gets an invitation to the co-op's pages here."))
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    message = TextAreaField(_l("Message to the co-op"), validators=[Optional(), Length(max=2000)])

    #: today's date where the co-op is, for checking dates (the view sets it)
    today: dt.date | None = None

    def validate_document_number(self, field) -> None:
        if self.document_type.data in set(DocumentType):
            _rule(check_document, DocumentType(self.document_type.data), field.data)

    def validate_birth_date(self, field) -> None:
        if self.today is not None:
            _rule(check_past_date, field.data, "birth_date", self.today)

    def validate_email(self, field) -> None:
        _rule(check_email, field.data)

    def application_data(self) -> ApplicationData:
        return ApplicationData(
            given_names=self.given_names.data or "", family_names=self.family_names.data or "",
            document_type=DocumentType(self.document_type.data), document_number=self.document_number.data or "",
            birth_date=self.birth_date.data, phone=self.phone.data or "", email=self.email.data or None,
            address=self.address.data or "", message=self.message.data or "")


class PublicApplicationForm(ApplicationForm):
    """The co-op's public form: the same fields, plus a honeypot and the signed time it was opened."""

    #: hidden from people by CSS; robots that fill in every field give themselves away
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)])
    stamp = HiddenField()


class ApproveApplicationForm(FlaskForm):
    decision_date = DateField(_l("Date of the decision"), validators=[InputRequired()],
                              description=_l("The member joins on this date."))
    resolution_ref = StringField(_l("Resolution that decided it"), validators=[Optional(), Length(max=200)],
                                 description=_l("For example: General assembly of 14/03/2026, resolution 12"))
    resolution_id = DecisionField()
    reason = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class RejectApplicationForm(FlaskForm):
    decision_date = DateField(_l("Date of the decision"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           description=_l("Required: the applicant may ask why."))
    resolution_ref = StringField(_l("Resolution that decided it"), validators=[Optional(), Length(max=200)],
                                 description=_l("For example: General assembly of 14/03/2026, resolution 12"))
    resolution_id = DecisionField()


# --- importing the register (appended here; its import sits with the form it serves) -------
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize  # noqa: E402

IMPORT_MAX_MB = 5


class MemberImportForm(FlaskForm):
    file = FileField(_l("File (CSV or Excel .xlsx)"),
                     validators=[FileRequired(_l("Choose the file to import.")),
                                 FileAllowed(["csv", "txt", "xlsx"], _l("Send a CSV or an Excel (.xlsx) file.")),
                                 FileSize(IMPORT_MAX_MB * 1024 * 1024,
                                          message=_l("The file is larger than %(size)d MB.", size=IMPORT_MAX_MB))],
                     description=_l("One member per row; the first row names the columns."))
