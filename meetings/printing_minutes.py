"""The minutes in words and on paper: the labels of the frozen content, and the minutes PDF.

Both the minutes page and the PDF show the same content (``meetings.minutes``): the draft read
from the record, or an approved version as it was frozen. The PDF is a background document
(``coop.tasks``): the page queues it and sends the reader to the task's page, which offers the
file. It ends with the signature lines of the president and the secretary. A member may print
approved minutes only; the draft is for those who read the whole record.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy.orm as so
from babel.dates import format_date, format_time
from flask_babel import lazy_gettext as _l

from coop import audit, tasks
from coop.auth.models import User
from coop.pdf import render_pdf
from coop.tenancy import Coop
from meetings import minutes
from meetings.models import Meeting, MinutesStatus, MinutesVersion
from meetings.permissions import VIEW_MEETING_RECORD, VIEW_MEETINGS

MINUTES_KIND = "meetings.minutes"

audit.describe("meetings.print_minutes", _l("Printed a meeting's minutes"))

KIND_LABELS = {
    "ordinary": _l("Ordinary general assembly"), "extraordinary": _l("Extraordinary general assembly"),
    "board": _l("Board meeting"), "oversight": _l("Oversight council meeting"),
    "commission": _l("Commission meeting"), "block": _l("Block assembly"),
}
CALL_LABELS = {"first": _l("first call"), "second": _l("second call")}
MOTION_STATUS_LABELS = {
    "draft": _l("Draft"), "proposed": _l("Proposed"), "seconded": _l("Seconded"), "in_debate": _l("In debate"),
    "voting": _l("Voting"), "carried": _l("Carried"), "defeated": _l("Defeated"), "withdrawn": _l("Withdrawn"),
    "tabled": _l("Tabled"), "referred": _l("Referred to a commission"),
}
MODE_LABELS = {"hands": _l("show of hands or paper"), "named": _l("named vote"), "secret": _l("secret ballot")}
MAJORITY_LABELS = {
    "simple": _l("simple majority of votes cast"), "absolute_present": _l("absolute majority of those present"),
    "two_thirds_cast": _l("two thirds of votes cast"), "two_thirds_members": _l("two thirds of members"),
    "unanimity": _l("unanimity"),
}


class Wording:
    """What the minutes' templates need to put the content in words, in the reader's language."""

    kinds = KIND_LABELS
    calls = CALL_LABELS
    motion_statuses = MOTION_STATUS_LABELS
    modes = MODE_LABELS
    majorities = MAJORITY_LABELS

    def __init__(self, language: str):
        self.language = language

    def when(self, iso: str | None) -> str:
        """A frozen wall-clock time ("2027-03-13T09:00") as the reader says it ("13 de marzo de 2027, 9:00")."""
        if not iso:
            return "—"
        moment = dt.datetime.fromisoformat(iso)
        return (f"{format_date(moment.date(), 'long', locale=self.language)}, "
                f"{format_time(moment.time(), 'short', locale=self.language)}")

    def day(self, value: dt.date | None) -> str:
        return format_date(value, "long", locale=self.language) if value else "—"


def language_of(locale: str | None, coop: Coop) -> str:
    return str(locale or coop.locale or "es").split("_")[0]


def filename(meeting: Meeting, version: MinutesVersion | None) -> str:
    which = f"v{version.number}" if version is not None else "borrador"
    return f"acta-{meeting.id}-{which}.pdf"


def request_minutes(session: so.Session, coop: Coop, actor: User, meeting: Meeting, version: MinutesVersion | None,
                    *, locale: str) -> tasks.Task:
    """Queue the minutes PDF: an approved version, or (None) the draft as it stands (flushed)."""
    task = tasks.submit(session, coop, actor, MINUTES_KIND,
                        {"locale": locale, "meeting_id": meeting.id,
                         "version_id": version.id if version is not None else None},
                        filename=filename(meeting, version))
    audit.record(session, coop=coop, actor=actor, action="meetings.print_minutes", obj=meeting,
                 summary=meeting.title, details={"version": version.number if version is not None else None})
    return task


def _may_read(viewer, task: tasks.Task) -> bool:
    """Approved minutes are every member's; a draft is for those who read the whole record."""
    if (task.params or {}).get("version_id") is not None:
        return True
    return viewer.may(VIEW_MEETING_RECORD)


def minutes_document(session: so.Session, coop: Coop, meeting: Meeting, version: MinutesVersion | None,
                     language: str) -> bytes:
    content = minutes.content_of(version) if version is not None else minutes.draft_content(session, coop, meeting)
    return render_pdf("pdf/meetings_minutes.html", coop=coop, meeting=meeting, version=version, content=content,
                      words=Wording(language))


@tasks.document_kind(MINUTES_KIND, label=_l("Minutes"), permission=VIEW_MEETINGS, rule=_may_read)
def render_minutes(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    meeting = session.get(Meeting, params["meeting_id"])
    if meeting is None or meeting.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The meeting no longer exists.")))
    version = None
    if params.get("version_id"):  # approved minutes, never a draft in their place
        version = session.get(MinutesVersion, params["version_id"])
        if version is None or version.meeting_id != meeting.id or version.status != MinutesStatus.APPROVED:
            raise tasks.TaskFailed(str(_l("These minutes are no longer available.")))
    progress(0, 2)
    pdf = minutes_document(session, coop, meeting, version, language_of(params.get("locale"), coop))
    progress(1, 2)
    return pdf
