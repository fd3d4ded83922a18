"""Forms of the member register. Rules live in ``members.services``; these only read input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from members.models import DocumentType, LotStatus, MemberStatus
from members.services import DOCUMENT_LABELS, LOT_STATUS_LABELS, STATUS_LABELS

DOCUMENT_CHOICES = [(t.value, label) for t, label in DOCUMENT_LABELS.items()]
STATUS_CHOICES = [(s.value, label) for s, label in STATUS_LABELS.items()]
LOT_STATUS_CHOICES = [(s.value, label) for s, label in LOT_STATUS_LABELS.items()]
LANGUAGE_CHOICES = [("es", "Español"), ("en", "English")]


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

    def member_data(self):
        from members.services import MemberData
        return MemberData(
            given_names=self.given_names.data or "", family_names=self.family_names.data or "",
            document_type=DocumentType(self.document_type.data), document_number=self.document_number.data or "",
            join_date=self.join_date.data, birth_date=self.birth_date.data, phone=self.phone.data or "",
            phone_alt=self.phone_alt.data or "", email=self.email.data or None, address=self.address.data or "",
            preferred_language=self.preferred_language.data)


class NewMemberForm(MemberForm):
    status = SelectField(_l("Status"), choices=[(s, l) for s, l in STATUS_CHOICES if s in ("applicant", "active")],
                         default="active")
    resolution_ref = StringField(_l("Resolution that admitted the member"), validators=[Length(max=200)])


class StatusChangeForm(FlaskForm):
    status = SelectField(_l("New status"), choices=STATUS_CHOICES)
    effective_date = DateField(_l("Takes effect on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    resolution_ref = StringField(_l("Resolution that decided it"), validators=[Length(max=200)],
                                 description=_l("For example: General assembly of 14/03/2026, resolution 12"))

    def new_status(self) -> MemberStatus:
        return MemberStatus(self.status.data)


class HouseholdForm(FlaskForm):
    name = StringField(_l("Name of the household"), validators=[InputRequired(), Length(max=200)])
    dependants = IntegerField(_l("Dependants (not members)"), default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=50)])


class MoveToHouseholdForm(FlaskForm):
    household_id = SelectField(_l("Household"), coerce=int, validate_choice=False)


class LotForm(FlaskForm):
    block = StringField(_l("Block"), validators=[InputRequired(), Length(max=20)])
    number = StringField(_l("Lot"), validators=[InputRequired(), Length(max=20)])
    phase = StringField(_l("Construction phase"), validators=[Optional(), Length(max=60)])
    status = SelectField(_l("Status"), choices=LOT_STATUS_CHOICES)

    def lot_status(self) -> LotStatus:
        return LotStatus(self.status.data)


class LotAssignForm(FlaskForm):
    household_id = SelectField(_l("Household"), coerce=int, validate_choice=False)
    from_date = DateField(_l("From"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    resolution_ref = StringField(_l("Resolution"), validators=[Optional(), Length(max=200)])


class ShareSubscriptionForm(FlaskForm):
    amount = StringField(_l("Amount subscribed"), validators=[InputRequired(), Length(max=30)])
    instalments = IntegerField(_l("Monthly instalments"), default=1,
                               validators=[InputRequired(), NumberRange(min=1, max=600)])
    first_due_date = DateField(_l("First instalment due on"), validators=[InputRequired()])
    resolution_ref = StringField(_l("Resolution"), validators=[Optional(), Length(max=200)])


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                    description=_l("Name, member no., document or lot (B-12)"))
    status = SelectField(_l("Status"), choices=[("", _l("All"))] + STATUS_CHOICES, validate_choice=False)
    household_id = SelectField(_l("Household"), coerce=lambda v: int(v) if v else 0, validate_choice=False)
    block = SelectField(_l("Block"), validate_choice=False)
    sort = SelectField(_l("Order"), choices=[("name", _l("Name")), ("number", _l("Member no.")),
                                             ("joined", _l("Date of joining")), ("status", _l("Status"))],
                       validate_choice=False)
