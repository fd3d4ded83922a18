"""The forms of the meetings' preparation pages: a meeting, its cancellation, an agenda item, a
document, and the bylaws' settings. They read what was typed; the rules are the services'."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import InputRequired, Length, Optional

from coop.forms import OnceForm
from meetings import bylaws, meetings
from meetings.models import MeetingKind

KIND_CHOICES = [(kind.value, label) for kind, label in meetings.KIND_LABELS.items()]


class MeetingForm(FlaskForm):
    """What is missing is the service's to say, beside each field at once (so: no InputRequired)."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default=MeetingKind.ORDINARY.value)
    title = StringField(_l("Title"), validators=[Optional(), Length(max=meetings.MAX_TITLE)],
                        description=_l("As the notice names it, such as \"Asamblea general ordinaria 2027\"."))
    day = DateField(_l("Day"), validators=[Optional()])
    first_time = TimeField(_l("First call at"), validators=[Optional()])
    second_time = TimeField(_l("Second call at"), validators=[Optional()],
                            description=_l("The same day, usually an hour later, with the lower quorum of the "
                                           "bylaws. Leave empty for no second call."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=meetings.MAX_PLACE)])
    attendance_note = TextAreaField(
        _l("Who attends and who votes"), validators=[Optional(), Length(max=meetings.MAX_NOTE)],
        description=_l("In words for the notice, such as \"Socios activos al día en sus aportes\"."))
    commission_id = SelectField(_l("Commission"), coerce=int, choices=[], validate_choice=False,
                                description=_l("For a commission meeting: the commission that meets."))
    block = StringField(_l("Block or sector"), validators=[Optional(), Length(max=20)],
                        description=_l("For a block assembly: the block or sector as the lots name it."))

    def data_of(self) -> meetings.MeetingData:
        return meetings.MeetingData(
            kind=self.kind.data or "", title=self.title.data or "", day=self.day.data, first_time=self.first_time.data,
            second_time=self.second_time.data, place=self.place.data or "",
            attendance_note=self.attendance_note.data or "", commission_id=self.commission_id.data or None,
            block=self.block.data or "")


class NewMeetingForm(OnceForm, MeetingForm):
    pass


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why is the meeting cancelled?"),
                           validators=[InputRequired(), Length(max=meetings.MAX_REASON)],
                           description=_l("Kept with the meeting; once the notice is out, everyone on the roll "
                                          "with an e-mail address receives it."))


class ItemForm(FlaskForm):
    title = StringField(
        _l("Item"), validators=[Optional(), Length(max=300)],
        description=_l("As the order of the day names it, such as \"Aprobación del presupuesto 2027\"."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=8000)])


class NewItemForm(OnceForm, ItemForm):
    pass


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[InputRequired()])


class DocumentForm(FlaskForm):
    title = StringField(_l("Title of the document"), validators=[Optional(), Length(max=200)],
                        description=_l("Leave empty to use the file's name."))
    file = FileField(_l("File"), description=_l("PDF, ODT, DOCX, ODS, XLSX, JPEG or PNG."))


class RulesForm(FlaskForm):
    notice_days = IntegerField(_l("Days of notice"), validators=[InputRequired()],
                               description=_l("The notice goes out at least this many days before the first call."))
    first_call_quorum_pct = IntegerField(_l("Quorum at the first call (percent of the voters)"),
                                         validators=[InputRequired()])
    second_call_quorum_pct = IntegerField(_l("Quorum at the second call (percent of the voters)"),
                                          validators=[InputRequired()],
                                          description=_l("0: whoever is present."))
    quorum_is_more_than = BooleanField(_l("More than the percent (half plus one), not just the percent"))
    arrears_months_limit = IntegerField(_l("Members in arrears beyond this many months may not vote"),
                                        validators=[Optional()],
                                        description=_l("Leave empty if arrears do not bar a vote."))
    minga_shortfall_excludes = BooleanField(
        _l("Households short on Minga hours in the last closed period may not vote"))
    proxies_allowed = BooleanField(_l("Proxies allowed"))
    max_proxies_per_holder = IntegerField(_l("The most proxies one person may hold"),
                                          validators=[InputRequired()])
    chair_has_casting_vote = BooleanField(_l("The chair settles a tie with a casting vote"))
    abstentions_count = BooleanField(_l("Abstentions count as votes cast"))
    assembly_form = SelectField(_l("The general assembly"),
                                choices=[(form.value, label) for form, label in bylaws.FORM_LABELS.items()])
    election_tie_rule = SelectField(_l("A tie for the last seat of an election is settled by"),
                                    choices=[(rule.value, label) for rule, label in bylaws.TIE_LABELS.items()])

    def data_of(self) -> bylaws.RulesData:
        return bylaws.RulesData(**{name: getattr(self, name).data for name in bylaws.RulesData.__dataclass_fields__})
