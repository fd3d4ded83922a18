"""A meeting's printed documents: the notice for the notice board, the roll, and the sign-in sheet.

All three are rendered in the background (``coop.tasks``): the page queues the document and
sends the reader to the task's page, which offers the file. The roll and the sign-in sheet of a
5,000-member assembly run to hundreds of pages, so they are laid out a fixed number of lines a
page: each line has a fixed height (a name too long is cut, a reason takes at most two lines),
each page is its own short table under its own heading row, and the page numbers are known
before anything is laid out. The pages are then laid out in parts of ``PAGES_PER_PART`` pages
by WeasyPrint and joined with pypdf, which keeps the memory of one pass small (one table of
5,000 rows takes some 760 MB; see bench/README.md). A line is a paragraph with floats rather than
a table row, and the member number is padded with figure spaces rather than set in a box of its
own: WeasyPrint then lays out 5,000 lines in well under half the time of a table.
"""
from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter

from coop import audit, calendar, tasks
from coop.auth.models import User
from coop.db import get_session, utcnow
from coop.pdf import render_pdf
from coop.tenancy import Coop
from meetings import offices
from meetings import notice as notices
from meetings import roll as rolls
from meetings.models import Meeting, MeetingStatus, Proxy, RollEntry, RollRole
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETING_RECORD, VIEW_MEETINGS
from meetings.rules import rules_of

NOTICE_KIND, ROLL_KIND, SIGN_IN_KIND = "meetings.notice", "meetings.roll", "meetings.sign_in_sheet"
#: lines on the first page (under the title) and on each later page: fit A4 and Letter alike
ROLL_LINES = (22, 28)
SIGN_IN_LINES = (15, 20)
#: blank lines at the end of the sign-in sheet, for people the roll missed (written by hand)
BLANK_LINES = 10
#: pages laid out in one WeasyPrint pass
PAGES_PER_PART = 20
#: characters of a name that surely fit its column on the roll and on the sign-in sheet (8.5 pt)
ROLL_NAME_CHARS, SIGN_IN_NAME_CHARS = 40, 34

audit.describe("meetings.print_roll", _l("Roll of a meeting printed"))
audit.describe("meetings.print_sign_in_sheet", _l("Sign-in sheet of a meeting printed"))


@dataclass(frozen=True)
class Line:
    number: int | None = None
    name: str = ""
    role: str = ""
    may_vote: bool = True
    reason: str = ""
    proxies: str = ""


@dataclass(frozen=True)
class Sheet:
    """One printed page: its lines and its place."""

    number: int
    lines: list[Line]


def clip(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, an ellipsis marking the cut (the roll page shows it whole)."""
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def paginate(lines: list[Line], per_page: tuple[int, int]) -> list[Sheet]:
    """Cut lines into pages: ``per_page[0]`` on the first, ``per_page[1]`` on the others (at least one page)."""
    first, others = per_page
    pages = [Sheet(1, lines[:first])]
    for start in range(first, len(lines), others):
        pages.append(Sheet(len(pages) + 1, lines[start:start + others]))
    return pages


def page_count(lines: int, per_page: tuple[int, int]) -> int:
    first, others = per_page
    return 1 + max(math.ceil((lines - first) / others), 0)


def _filename(coop: Coop, meeting: Meeting, what: str) -> str:
    day = calendar.utc_to_local(coop, meeting.first_call_dt).date()
    return f"{what}-{meeting.id}-{day.isoformat()}.pdf"


def _meeting_of(session: so.Session, coop: Coop, params: dict) -> Meeting:
    meeting = session.get(Meeting, params.get("meeting_id"))
    if meeting is None or meeting.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The meeting no longer exists.")))
    return meeting


def _context(session: so.Session, coop: Coop, meeting: Meeting, language: str) -> dict:
    return {"coop": coop, "meeting": meeting, "kind_label": notices.KIND_LABELS[meeting.kind],
            "first_call": notices.call_words(coop, meeting.first_call_dt, language),
            "second_call": notices.call_words(coop, meeting.second_call_dt, language) if meeting.second_call_dt else "",
            "now": utcnow()}


FIGURE_SPACE = "\u2007"  # as wide as a digit: numbers padded with it line up without a box of their own
#: the heading "No." is about three digits wide: numbers take at least that much room below it
NUMBER_MIN_DIGITS = 3


@dataclass(frozen=True)
class NumberPad:
    """Writes a member number right-aligned to the widest number of the document, then a figure
    space before the name: the name starts ``width + 1`` digits in, where the heading row puts
    "Name" (its "No." is set in a box ``width`` digits wide, ``ch`` in CSS)."""

    width: int

    def __call__(self, number: int | None) -> str:
        return (str(number) if number else "").rjust(self.width, FIGURE_SPACE) + FIGURE_SPACE


def number_padder(pages: list[Sheet]) -> NumberPad:
    widest = max((len(str(line.number)) for page in pages for line in page.lines if line.number), default=1)
    return NumberPad(max(widest, NUMBER_MIN_DIGITS))


def _render_pages(template: str, pages: list[Sheet], progress: tasks.Progress, **context) -> bytes:
    """Lay out the pages a part at a time and join the parts."""
    context.setdefault("pad", number_padder(pages))
    writer = PdfWriter()
    progress(0, len(pages))
    for start in range(0, len(pages), PAGES_PER_PART):
        part = render_pdf(template, pages=pages[start:start + PAGES_PER_PART], total_pages=len(pages), **context)
        writer.append(PdfReader(io.BytesIO(part)))
        progress(min(start + PAGES_PER_PART, len(pages)), len(pages))
    meeting, coop = context["meeting"], context["coop"]
    writer.add_metadata({"/Title": f"{meeting.title} · {coop.name}", "/Producer": "Ayllu"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _language(params: dict, coop: Coop) -> str:
    return notices.language_of(coop, params.get("locale"))


# --- the notice -------------------------------------------------------------------------------------

def request_notice(session: so.Session, coop: Coop, actor: User, meeting: Meeting, *, locale: str) -> tasks.Task:
    """Queue the notice for the notice board (flushed, not committed)."""
    return tasks.submit(session, coop, actor, NOTICE_KIND, {"locale": locale, "meeting_id": meeting.id},
                        filename=_filename(coop, meeting, "convocatoria"))


def _may_read_notice(viewer, task: tasks.Task) -> bool:
    """A draft's notice is for those who prepare the meeting; once issued, everyone's."""
    meeting = get_session().get(Meeting, (task.params or {}).get("meeting_id"))
    return (meeting is not None and meeting.coop_id == task.coop_id
            and (meeting.status != MeetingStatus.DRAFT or viewer.may(MANAGE_MEETINGS)))


@tasks.document_kind(NOTICE_KIND, label=_l("Notice of meeting"), permission=VIEW_MEETINGS, rule=_may_read_notice)
def render_notice(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    meeting = _meeting_of(session, coop, params)
    progress(0, 1)
    counts = rolls.roll_counts(session, meeting)
    rules = rules_of(session, coop)
    issued = calendar.utc_to_local(coop, meeting.notice_issued_dt).date() if meeting.notice_issued_dt else None
    return render_pdf("pdf/meetings_notice.html", items=list(meeting.items), counts=counts,
                      quorum=notices.quorum_words(rules, counts.voters or None), rules=rules, issued=issued,
                      secretary=offices.signers_on(session, coop, issued or calendar.today_in(coop))[1],
                      **_context(session, coop, meeting, _language(params, coop)))


# --- the roll and the sign-in sheet ---------------------------------------------------------------------

def request_roll(session: so.Session, coop: Coop, actor: User, meeting: Meeting, *, locale: str,
                 sign_in: bool = False) -> tasks.Task:
    """Queue the roll, or the sign-in sheet (flushed, not committed)."""
    kind = SIGN_IN_KIND if sign_in else ROLL_KIND
    task = tasks.submit(session, coop, actor, kind, {"locale": locale, "meeting_id": meeting.id},
                        filename=_filename(coop, meeting, "hoja-de-firmas" if sign_in else "padron"))
    audit.record(session, coop=coop, actor=actor, obj=meeting, summary=meeting.title,
                 action="meetings.print_sign_in_sheet" if sign_in else "meetings.print_roll")
    return task


def _may_read_roll(viewer, task: tasks.Task) -> bool:
    meeting = get_session().get(Meeting, (task.params or {}).get("meeting_id"))
    return meeting is not None and meeting.coop_id == task.coop_id


def roll_sheet_lines(session: so.Session, meeting: Meeting) -> list[Line]:
    return [Line(entry.number, clip(entry.name, ROLL_NAME_CHARS), str(rolls.ROLE_LABELS.get(entry.role, entry.role)), entry.may_vote,
                 entry.ineligible_reason) for entry in rolls.roll_entries(session, meeting)]


def _proxies_held(session: so.Session, meeting: Meeting) -> dict[int, list[int]]:
    """Holder's roll line -> the member numbers of those whose proxy they hold (recorded so far)."""
    grantor = so.aliased(RollEntry)
    held: dict[int, list[int]] = defaultdict(list)
    for holder_id, number in session.execute(
            sa.select(Proxy.holder_id, grantor.number).join(grantor, grantor.id == Proxy.grantor_id)
            .where(Proxy.meeting_id == meeting.id).order_by(grantor.number)):
        held[holder_id].append(number)
    return held


def sign_in_lines(session: so.Session, meeting: Meeting) -> list[Line]:
    """Everyone on the roll by name, with the proxies they hold; then blank lines."""
    held = _proxies_held(session, meeting)
    lines = [Line(entry.number, clip(entry.name, SIGN_IN_NAME_CHARS), str(rolls.ROLE_LABELS.get(entry.role, entry.role)), entry.may_vote,
                  entry.ineligible_reason, ", ".join(str(n) for n in held.get(entry.id, [])))
             for entry in rolls.roll_entries(session, meeting, by_name=True)]
    return lines + [Line() for _ in range(BLANK_LINES)]


@tasks.document_kind(ROLL_KIND, label=_l("Roll of a meeting"), permission=VIEW_MEETING_RECORD, rule=_may_read_roll)
def render_roll(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    meeting = _meeting_of(session, coop, params)
    lines = roll_sheet_lines(session, meeting)
    member_label = str(rolls.ROLE_LABELS[RollRole.MEMBER])
    # a members' assembly's roll is all members: no column saying so 5,000 times
    return _render_pages("pdf/meetings_roll.html", paginate(lines, ROLL_LINES), progress,
                         counts=rolls.roll_counts(session, meeting), sign_in=False,
                         show_role=any(line.role != member_label for line in lines),
                         **_context(session, coop, meeting, _language(params, coop)))


@tasks.document_kind(SIGN_IN_KIND, label=_l("Sign-in sheet of a meeting"), permission=VIEW_MEETING_RECORD,
                     rule=_may_read_roll)
def render_sign_in_sheet(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    meeting = _meeting_of(session, coop, params)
    lines = sign_in_lines(session, meeting)
    return _render_pages("pdf/meetings_roll.html", paginate(lines, SIGN_IN_LINES), progress,
                         counts=rolls.roll_counts(session, meeting), sign_in=True, show_role=False,
                         **_context(session, coop, meeting, _language(params, coop)))
