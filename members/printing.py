"""The register's printed documents: a member's certificate (certificado de socio) and the
register itself (libro de socios) for the oversight council.

A certificate is one page, rendered during the request that asks for it; the member page and,
later, the member's own portal both print it with ``render_certificate``. It names the president
and the secretary in office on its day, as the register of offices says (``coop.officers``).

The register of a large co-op (5,000 members) is rendered in the background (``coop.tasks``): its
members are read in register order in batches, each batch is laid out by WeasyPrint as its own PDF
(one HTML table of 5,000 rows takes as long as the batches together but needs 760 MB; see
bench/README.md), and the parts are joined with pypdf. Each part ends on a full page, so the
joined register pages exactly as one whole would. Since no part knows how many pages the whole
has, the parts print no page numbers; a last, cheap pass draws "Page X of Y" on an overlay that is
stamped onto every page.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter

from coop import audit, officers, pdf, tasks
from coop.auth.models import User
from coop.db import utcnow
from coop.officers import Officer
from coop.pdf import render_pdf
from coop.tasks import Task
from coop.calendar import today_in
from coop.text import fold
from coop.tenancy import Coop
from members import reports
from members.permissions import EXPORT_REGISTER, VIEW_PERSONAL_DATA
from members.models import DocumentType, Household, Lot, Member, MemberStatus
from members.services import DOCUMENT_LABELS, LOT_STATUS_LABELS, STATUS_LABELS

REGISTER_KIND = "members.register"
#: members laid out in one WeasyPrint pass: 500 keeps a pass near 130 MB and 3-4 s (bench/README.md)
REGISTER_BATCH = 500
#: rows anchored at the end of a part, to find those on its last page: more than a page holds
ANCHORED_ROWS = 100

audit.describe("export.certificate", _l("Membership certificate printed"))
audit.describe("export.register", _l("Register of members requested"))

LABELS = {"status_labels": STATUS_LABELS, "document_labels": DOCUMENT_LABELS,
          "lot_status_labels": LOT_STATUS_LABELS}


# --- the membership certificate ------------------------------------------------------------

@dataclass(frozen=True)
class Certificate:
    """What a membership certificate states."""

    coop: Coop
    member: Member
    household: Household | None
    lots: list[Lot]
    #: the date it is issued, where the co-op is
    issued: dt.date
    #: who signs it: the members in office as president and secretary that day (none: titles alone)
    officers: dict[Officer, Member]


def certificate_of(session: so.Session, coop: Coop, member: Member, *, issued: dt.date | None = None) -> Certificate:
    household = session.get(Household, member.household_id) if member.household_id else None
    issued = issued or today_in(coop)
    return Certificate(coop=coop, member=member, household=household,
                       lots=reports.lots_of_household(session, member.household_id),
                       issued=issued, officers=officers.holders(session, coop, issued))


#: the article a Spanish name takes after "de", by its first word ("de la Cooperativa…", "del Comité…")
_FEMININE_FIRST_WORDS = {"cooperativa", "precooperativa", "pre-cooperativa", "asociacion", "fundacion", "organizacion",
                         "corporacion", "union", "federacion", "comuna", "caja", "red", "mutualista", "sociedad"}
_MASCULINE_FIRST_WORDS = {"comite", "centro", "consejo", "grupo", "movimiento", "frente", "conjunto", "barrio",
                          "colectivo", "programa", "proyecto"}


def of_coop(name: str) -> str:
    """"of <name>" in the current language, with the article Spanish needs ("de la Cooperativa…")."""
    if str(get_locale() or "es").split("_")[0] != "es":
        return gettext("of %(name)s", name=name)
    first = fold(name.split()[0]) if name.split() else ""
    if first in _FEMININE_FIRST_WORDS:
        return f"de la {name}"
    if first in _MASCULINE_FIRST_WORDS:
        return f"del {name}"
    return f"de {name}"


def render_certificate(session: so.Session, coop: Coop, member: Member, *, issued: dt.date | None = None) -> bytes:
    """The member's certificate as PDF bytes, in the current language (needs an app context)."""
    certificate = certificate_of(session, coop, member, issued=issued)
    return render_pdf("pdf/members/certificate.html", coop=coop, certificate=certificate, of_coop=of_coop, **LABELS)


def certificate_filename(coop: Coop, member: Member) -> str:
    return f"certificado-socio-{member.number}-{coop.slug}.pdf"


# --- the register of members ---------------------------------------------------------------

@dataclass(frozen=True)
class RegisterRow:
    """One line of the printed register."""

    number: int
    family_names: str
    given_names: str
    document_type: DocumentType
    document_number: str
    join_date: dt.date
    status: MemberStatus
    status_since: dt.date
    household: str
    lots: str


def register_filename(coop: Coop, day: dt.date) -> str:
    return f"libro-de-socios-{coop.slug}-{day.isoformat()}.pdf"


def request_register(session: so.Session, coop: Coop, actor: User, *, locale: str,
                     personal: bool) -> Task:
    """Queue the register for printing in ``locale`` and record the export (flushed, not committed).

    Identity documents are printed only for those who may see personal data (secretary and
    administrator); the oversight council's copy leaves that column out.
    """
    document = tasks.submit(session, coop, actor, REGISTER_KIND, {"locale": locale, "personal": personal},
                            filename=register_filename(coop, today_in(coop)))
    audit.record(session, coop=coop, actor=actor, action="export.register", obj=document,
                 summary=document.filename)
    return document


def register_batches(session: so.Session, coop: Coop, size: int = REGISTER_BATCH) -> Iterator[list[RegisterRow]]:
    """Every member in register order, in lists of ``size``, with their household and lots."""
    for members in reports.all_members(session, coop).partitions(size):
        household_ids = {m.household_id for m in members if m.household_id}
        names: dict[int, str] = {}
        lots: dict[int, list[str]] = {}
        if household_ids:
            names = dict(session.execute(sa.select(Household.id, Household.name)
                                         .where(Household.id.in_(household_ids))).all())
            for household_id, block, number in session.execute(
                    sa.select(Lot.household_id, Lot.block, Lot.number)
                    .where(Lot.household_id.in_(household_ids)).order_by(Lot.block, Lot.number)):
                lots.setdefault(household_id, []).append(f"{block}-{number}")
        yield [RegisterRow(m.number, m.family_names, m.given_names, m.document_type, m.document_number,
                           m.join_date, m.status, m.status_since, names.get(m.household_id, ""),
                           ", ".join(lots.get(m.household_id, []))) for m in members]


def member_count(session: so.Session, coop: Coop) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.coop_id == coop.id))


def _may_read_copy(viewer, task: Task) -> bool:
    """A copy with identity documents is for those who may see personal data."""
    return not (task.params or {}).get("personal") or viewer.may(VIEW_PERSONAL_DATA)


@tasks.document_kind(REGISTER_KIND, label=_l("Register of members"), permission=EXPORT_REGISTER,
                     rule=_may_read_copy)
def render_register(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    """The register of members as one PDF, laid out batch by batch (run by ``coop.tasks``).

    A part but the last ends where its last full page ends: the rows of its last page (which may
    not be full) are laid out again at the top of the next part, so the joined register pages
    exactly as if it had been laid out whole.
    """
    total = member_count(session, coop)
    progress(0, total)
    context = {"coop": coop, "total": total, "personal": params.get("personal", False), "counts": reports.counts_by_status(session, coop),
               "as_of": today_in(coop), "now": utcnow(), "statuses": list(MemberStatus), **LABELS}
    parts: list[bytes] = []
    carried: list[RegisterRow] = []
    done = 0
    batches = register_batches(session, coop, REGISTER_BATCH)
    batch = next(batches, [])
    while True:
        following = next(batches, None)  # one ahead, to know which part is the last
        rows, last = carried + batch, following is None
        anchored = 0 if last else ANCHORED_ROWS
        layout = pdf.layout_pdf("pdf/members/register.html", rows=rows, first=not parts, last=last,
                                anchored=anchored, **context)
        pages = layout.pages
        carried = _rows_on(pages[-1], rows, anchored) if anchored else []
        if len(pages) > (1 if carried else 0):
            parts.append(layout.copy(pages[:-1] if carried else pages).write_pdf())
        done += len(rows) - len(carried)
        progress(done, total)
        if last:
            return join_numbered(parts, coop, title=str(_l("Register of members")))
        batch = following


def _rows_on(page, rows: list[RegisterRow], anchored: int) -> list[RegisterRow]:
    """The last rows of a part that were laid out on its last page.

    Only the part's last rows carry an anchor ("m<number>"): an anchor on every row makes the
    layout some 10 % slower. Should the earliest anchored row be on that page too, the page might
    hold rows without one, so none is carried (the part then ends on a page not quite full).
    """
    tail = rows[-anchored:]
    on_page = [index for index, row in enumerate(tail) if f"m{row.number}" in page.anchors]
    if not on_page or (on_page[0] == 0 and len(tail) < len(rows)):
        return []
    return tail[on_page[0]:]


def join_numbered(parts: list[bytes], coop: Coop, *, title: str) -> bytes:
    """Join PDF parts into one and stamp "Page X of Y" on every page, in the current language."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    overlay = PdfReader(io.BytesIO(render_pdf("pdf/members/register_pages.html", coop=coop,
                                              pages=len(writer.pages))))
    for page, numbers in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(numbers)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
    writer.add_metadata({"/Title": f"{title} · {coop.name}", "/Producer": "Ayllu"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
