"""The order of the day (orden del día): items in their places, and the documents members read
before the meeting (the budget, the report, a draft rule).

Items are added, changed, moved and removed while the meeting is prepared or convened; once it
sits, the order is the one debated. An item that already carries motions or an election is never
removed (they would go with it). Documents are checked by their first bytes, never by their name
or by what the browser says: PDF, the office formats members open on a phone (ODT, DOCX, XLSX,
ODS) and pictures; members read them once the meeting is convened.
"""
from __future__ import annotations

import io
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth.models import User
from coop.errors import DomainError, NotFoundError, Problems
from coop.tenancy import Coop
from meetings.meetings import own_meeting
from meetings.models import AgendaDocument, AgendaItem, Election, Meeting, MeetingStatus, Motion

MAX_ITEMS = 60
MAX_ITEM_TITLE = 300
MAX_DESCRIPTION = 8000
MAX_DOCUMENTS = 20
#: the largest document, unless MEETINGS_DOCUMENT_MAX_BYTES says otherwise (below MAX_CONTENT_LENGTH)
DEFAULT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
MEGABYTE = 1024 * 1024

audit.describe("meetings.item", _l("Agenda item changed"))
audit.describe("meetings.item_delete", _l("Agenda item removed"))
audit.describe("meetings.document", _l("Agenda document added"))
audit.describe("meetings.document_delete", _l("Agenda document removed"))
for _field, _label in (("title", _l("Title")), ("description", _l("Description")), ("position", _l("Place"))):
    audit.describe_field(_field, _label, on="agenda_item")

#: (first bytes, content type, extension) of the formats that need no looking inside
_PLAIN = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
          (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
#: office documents are zip files: told apart by the file each format must hold
_ODF = {"application/vnd.oasis.opendocument.text": ".odt",
        "application/vnd.oasis.opendocument.spreadsheet": ".ods"}
_OOXML = (("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
          ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"))


@dataclass(frozen=True)
class CheckedDocument:
    filename: str
    content_type: str
    content: bytes


# --- the order of the day ---------------------------------------------------------------------------

def _refuse_unless_open(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        return
    if meeting.status is MeetingStatus.IN_SESSION:
        raise DomainError(_l("The meeting is in session: its order of the day is the one being debated."))
    raise DomainError(_l("This meeting is over: its order of the day no longer changes."))


def own_item(coop: Coop, meeting: Meeting, item: AgendaItem | None) -> AgendaItem:
    if item is None or item.coop_id != coop.id or item.meeting_id != meeting.id:
        raise NotFoundError(_l("There is no such item on this meeting's agenda."))
    return item


def _check_item(title: str | None, description: str | None) -> tuple[str, str]:
    problems = Problems()
    title = " ".join((title or "").split())
    if not title:
        problems.add(_l("Write the item as the order of the day names it."), field="title")
    elif len(title) > MAX_ITEM_TITLE:
        problems.add(_l("A title has at most %(max)d characters.", max=MAX_ITEM_TITLE), field="title")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        problems.add(_l("A description has at most 8,000 characters."), field="description")
    problems.raise_any()
    return title, description


def add_item(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, title: str,
             description: str = "") -> AgendaItem:
    """Put an item at the end of the order of the day."""
    own_meeting(coop, meeting)
    _refuse_unless_open(meeting)
    title, description = _check_item(title, description)
    count, last = session.execute(sa.select(sa.func.count(AgendaItem.id), sa.func.max(AgendaItem.position))
                                  .where(AgendaItem.meeting_id == meeting.id)).one()
    if count >= MAX_ITEMS:
        raise DomainError(_l("An order of the day has at most %(max)d items.", max=MAX_ITEMS), field="title")
    item = AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=(last or 0) + 1, title=title,
                      description=description)
    session.add(item)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.item", obj=item, summary=f"{meeting.title}: {title}",
                 changes={"created": [None, title]})
    return item


def update_item(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, item: AgendaItem,
                title: str, description: str = "") -> dict:
    own_item(coop, meeting, item)
    _refuse_unless_open(meeting)
    title, description = _check_item(title, description)
    changes = audit.changes_between(item, {"title": title, "description": description})
    item.title, item.description = title, description
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="meetings.item", obj=item,
                     summary=f"{meeting.title}: {title}", changes=changes)
    return changes


def _items(session: so.Session, meeting: Meeting) -> list[AgendaItem]:
    return list(session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                                .order_by(AgendaItem.position, AgendaItem.id)))


def _renumber(items: list[AgendaItem]) -> None:
    for position, each in enumerate(items, start=1):
        each.position = position


def move_item(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, item: AgendaItem,
              direction: str) -> bool:
    """Move an item one place up or down; False when it is already first (or last)."""
    own_item(coop, meeting, item)
    _refuse_unless_open(meeting)
    if direction not in ("up", "down"):
        raise DomainError(_l("Move an item up or down."))
    items = _items(session, meeting)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    before = item.position
    _renumber(items)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.item", obj=item,
                 summary=f"{meeting.title}: {item.title}", changes={"position": [before, item.position]})
    return True


def delete_item(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, item: AgendaItem) -> None:
    """Take an item off the order of the day (with its documents); the others close up."""
    own_item(coop, meeting, item)
    _refuse_unless_open(meeting)
    if session.scalar(sa.select(Motion.id).where(Motion.item_id == item.id).limit(1)) is not None:
        raise DomainError(_l("This item carries motions: it stays on the order of the day."))
    if session.scalar(sa.select(Election.id).where(Election.item_id == item.id).limit(1)) is not None:
        raise DomainError(_l("This item carries an election: it stays on the order of the day."))
    title = item.title
    if meeting.current_item_id == item.id:
        meeting.current_item_id = None
    session.delete(item)
    session.flush()
    _renumber(_items(session, meeting))
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.item_delete", obj=meeting,
                 summary=f"{meeting.title}: {title}")


# --- documents ----------------------------------------------------------------------------------------

def document_limit() -> int:
    if has_app_context():
        return int(current_app.config.get("MEETINGS_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES))
    return DEFAULT_DOCUMENT_MAX_BYTES


def megabytes(size: int) -> str:
    """A size in MB with at most one decimal, rounded up (a file over the limit never reads as equal)."""
    return f"{math.ceil(size * 10 / MEGABYTE) / 10:.1f}".rstrip("0").rstrip(".")


def _zip_kind(content: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return (kind, _ODF[kind]) if kind in _ODF else None
            for member, content_type, extension in _OOXML:
                if member in names:
                    return content_type, extension
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    return None


def _kind_of(content: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in _PLAIN:
        if content.startswith(magic):
            return content_type, extension
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def _clean_filename(filename: str, extension: str) -> str:
    """The file's own name without folders or control characters, ending in its real extension."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    stem = re.sub(r"\s+", " ", os.path.splitext(name)[0]).strip(" .") or "documento"
    return stem[:200 - len(extension)] + extension


def check_document(filename: str, content: bytes, *, max_bytes: int | None = None) -> CheckedDocument:
    limit = document_limit() if max_bytes is None else max_bytes
    if not content:
        raise DomainError(_l("The file is empty."), field="file")
    if len(content) > limit:
        raise DomainError(_l("The file is %(size)s MB; the limit is %(limit)s MB.", size=megabytes(len(content)),
                             limit=megabytes(limit)), field="file")
    kind = _kind_of(content)
    if kind is None:
        raise DomainError(_l("Attach a PDF, an office document (ODT, DOCX, ODS, XLSX) or a picture (JPEG, PNG)."),
                          field="file")
    return CheckedDocument(_clean_filename(filename, kind[1]), kind[0], content)


def add_document(session: so.Session, actor: User | None, coop: Coop, meeting: Meeting, item: AgendaItem,
                 title: str, filename: str, content: bytes) -> AgendaDocument:
    """Attach a document to an item (also while the meeting sits: a paper handed out in the hall)."""
    own_item(coop, meeting, item)
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise DomainError(_l("This meeting is over: its documents no longer change."))
    problems = Problems()
    checked = problems.check(check_document, filename, content)
    title = " ".join((title or "").split())
    if len(title) > 200:
        problems.add(_l("A title has at most %(max)d characters.", max=200), field="title")
    count = session.scalar(sa.select(sa.func.count(AgendaDocument.id)).where(AgendaDocument.item_id == item.id))
    if count >= MAX_DOCUMENTS:
        problems.add(_l("An item has at most %(max)d documents.", max=MAX_DOCUMENTS), field="file")
    problems.raise_any()
    document = AgendaDocument(coop_id=coop.id, item_id=item.id, title=title or os.path.splitext(checked.filename)[0],
                              filename=checked.filename, content_type=checked.content_type, size=len(content),
                              content=checked.content, uploaded_by_id=actor.id if actor is not None else None)
    session.add(document)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.document", obj=document,
                 summary=f"{meeting.title}: {document.filename}", details={"size": document.size})
    return document


def delete_document(session: so.Session, actor: User | None, coop: Coop, document: AgendaDocument) -> Meeting:
    """Remove a document while the meeting is prepared or convened; the meeting it was of."""
    meeting = document.item.meeting
    own_meeting(coop, meeting)
    _refuse_unless_open(meeting)
    name = document.filename
    session.delete(document)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="meetings.document_delete", obj=meeting,
                 summary=f"{meeting.title}: {name}")
    return meeting


def documents_by_item(session: so.Session, meeting: Meeting) -> dict[int, list[AgendaDocument]]:
    """The meeting's documents (without their content) by item, in one query."""
    found: dict[int, list[AgendaDocument]] = {}
    for document in session.scalars(sa.select(AgendaDocument).join(AgendaItem)
                                    .where(AgendaItem.meeting_id == meeting.id).order_by(AgendaDocument.id)):
        found.setdefault(document.item_id, []).append(document)
    return found
