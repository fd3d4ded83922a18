"""The forms of the offices' and elections' pages (no rules here: the services hold them)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coop.forms import OnceForm
from meetings import elections, offices
from coop.officers import Officer
from meetings.models import PositionBody

_SEATS = NumberRange(min=0, max=offices.MAX_SEATS)


class PositionForm(FlaskForm):
    name = StringField(_l("Office"), validators=[InputRequired(), Length(max=120)],
                       description=_l("As the bylaws name it: “Board member”, “Representative of block B”."))
    body = SelectField(_l("Body"), choices=[(b.value, label) for b, label in offices.BODY_LABELS.items()],
                       default=PositionBody.BOARD.value)
    block = StringField(_l("Block or sector"), validators=[Optional(), Length(max=20)],
                        description=_l("For a representative: the block or sector they answer for."))
    seats = IntegerField(_l("Seats"), default=1, validators=[InputRequired(), _SEATS])
    alternates = IntegerField(_l("Alternates"), default=0, validators=[InputRequired(), _SEATS])
    term_months = IntegerField(_l("Term in months"), default=24,
                               validators=[InputRequired(), NumberRange(min=1, max=offices.MAX_TERM_MONTHS)])
    is_active = BooleanField(_l("Still elected"), default=True)
    signs_as = SelectField(_l("Signs the co-op's certificates as"), default="",
                           choices=[("", _l("It does not sign"))] + [
                               (o.value, label) for o, label in offices.SIGNS_AS_LABELS.items()],
                           description=_l("A membership certificate prints the name of whoever holds this office "
                                          "on the day it is issued, under this title."))

    def data_for(self) -> offices.PositionData:
        return offices.PositionData(name=self.name.data or "", body=PositionBody(self.body.data),
                                    block=self.block.data or "", seats=self.seats.data, alternates=self.alternates.data,
                                    term_months=self.term_months.data, is_active=self.is_active.data,
                                    signs_as=Officer(self.signs_as.data) if self.signs_as.data else None)


class TermForm(OnceForm, FlaskForm):
    position = SelectField(_l("Office"), validate_choice=False)
    member = StringField(_l("Member no."), validators=[InputRequired(), Length(max=12)])
    is_alternate = BooleanField(_l("As an alternate"))
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("Until"), validators=[InputRequired()], description=_l("The term's planned last day."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("Where it is recorded: “Acta de la asamblea del 12/03/2019”."))


class EndTermForm(FlaskForm):
    left_on = DateField(_l("Left on"), validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[InputRequired(), Length(max=500)])


class ElectionForm(OnceForm, FlaskForm):
    position = SelectField(_l("Office"), validate_choice=False)
    item = SelectField(_l("Agenda item"), validate_choice=False, default="")
    seats = IntegerField(_l("Seats"), validators=[Optional(), _SEATS], description=_l("Empty: as the office has."))
    alternates = IntegerField(_l("Alternates"), validators=[Optional(), _SEATS],
                              description=_l("Empty: as the office has."))
    max_choices = IntegerField(_l("Each ballot chooses up to"), validators=[Optional(), _SEATS],
                               description=_l("Empty: as many as the seats."))
    term_starts_on = DateField(_l("Term from"), validators=[Optional()], description=_l("Empty: the meeting's day."))
    term_ends_on = DateField(_l("Term until"), validators=[Optional()],
                             description=_l("Empty: the office's term in months."))


class CandidateForm(FlaskForm):
    member = StringField(_l("Member no."), validators=[InputRequired(), Length(max=12)])


class RowForm(FlaskForm):
    candidate = HiddenField()


class OpenForm(FlaskForm):
    mode = SelectField(_l("How the votes are cast"),
                       choices=[(m.value, label) for m, label in elections.MODE_LABELS.items()],
                       default="hands")


class BallotForm(OnceForm, FlaskForm):
    voter = HiddenField()
    candidates = SelectMultipleField(_l("Candidates"), coerce=int, validate_choice=False,
                                     option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


def totals_form(candidates, *, empty: bool = False):
    """A form with one whole-number field per candidate on the ballot (named ``c<id>``); ``empty``:
    not read from the request (the page shown again beside another form)."""
    fields = {f"c{c.id}": IntegerField(c.member.full_name, validators=[Optional(), NumberRange(min=0, max=10**7)])
              for c in candidates}
    form_class = type("TotalsForm", (FlaskForm,), fields)
    return form_class(formdata=None) if empty else form_class()


class BallotsForm(FlaskForm):
    count = IntegerField(_l("Ballots to print"), validators=[InputRequired(), NumberRange(min=1)],
                         description=_l("As many as the voters present or represented when the round opened; "
                                        "add spares if you wish."))
