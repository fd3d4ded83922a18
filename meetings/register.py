"""The register of resolutions: the list with its search, one resolution's page with what it was
applied to, and the provider that lets the member register and the books cite a resolution.

Search reads ``Resolution.search_text`` (lower-cased title and text, written at adoption) with
LIKE, narrowed first by the co-op and, when chosen, the year (``ix_resolution_coop_decided``).
"Applied to" asks each table that keeps a ``resolution_id`` (status changes, admissions, share
subscriptions, lot assignments, dues plans, budgets) for the rows pointing here: the link the
other way of the "Resolution in the register" field those pages offer through ``coop.decisions``,
where a resolution is typed by its reference ("2027-014", ``parse_reference``) or picked among
the recent ones.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for
from flask_babel import lazy_gettext as _l

from coop import decisions
from coop.paging import one_page
from coop.tenancy import Coop
from ledger.models import Budget, DuesPlan
from meetings.models import Meeting, Motion, Resolution
from members import services as member_services
from members.applications import STATUS_LABELS as application_labels
from members.models import Application, Household, Lot, LotAssignment, Member, MemberStatusChange, ShareSubscription

PAGE_SIZE = 25
#: the "Resolution in the register" field suggests the resolutions of the register's latest
#: ``RECENT_YEARS`` years, newest first, at most ``RECENT_LIMIT`` (older ones are typed)
RECENT_YEARS = 2
RECENT_LIMIT = 200
#: "2027-014", "2027-14", "2027/14"; and "14/2027", "14-2027" as people also write them
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,5})")
_NUMBER_FIRST = re.compile(r"(\d{1,5})[-/.](\d{4})")


@dataclass(frozen=True)
class RegisterQuery:
    text: str = ""
    year: int | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(coop: Coop, query: RegisterQuery):
    conditions = [Resolution.coop_id == coop.id]
    if query.year:
        conditions.append(Resolution.year == query.year)
    for word in query.text.lower().split()[:8]:
        conditions.append(Resolution.search_text.like(f"%{_escape_like(word)}%", escape="\\"))
    return conditions


def search(session: so.Session, coop: Coop, query: RegisterQuery, *, page: int = 1,
           per_page: int = PAGE_SIZE) -> tuple[list[tuple[Resolution, Meeting]], int]:
    """The resolutions whose title or text hold every word, newest first, one page; and how many."""
    conditions = _filtered(coop, query)
    total = session.scalar(sa.select(sa.func.count()).select_from(Resolution).where(*conditions))
    rows = session.execute(one_page(
        sa.select(Resolution, Meeting).join(Meeting, Meeting.id == Resolution.meeting_id).where(*conditions)
        .order_by(Resolution.year.desc(), Resolution.number.desc()), page, per_page)).all()
    return [(r, m) for r, m in rows], total


def years_of(session: so.Session, coop: Coop) -> list[int]:
    """The years with resolutions, newest first (the year filter's choices)."""
    return list(session.scalars(sa.select(Resolution.year).where(Resolution.coop_id == coop.id)
                                .distinct().order_by(Resolution.year.desc())))


def of_meeting(session: so.Session, meeting: Meeting) -> list[Resolution]:
    return list(session.scalars(sa.select(Resolution).where(Resolution.meeting_id == meeting.id)
                                .order_by(Resolution.year, Resolution.number)))


def motion_of(session: so.Session, resolution: Resolution) -> Motion | None:
    return session.get(Motion, resolution.motion_id) if resolution.motion_id else None


# --- what a resolution was applied to -----------------------------------------------------------

@dataclass(frozen=True)
class CitedBy:
    """A record that cites the resolution: its kind (``KIND_LABELS``), what it is, its page, its day."""

    kind: str
    text: str
    #: the record's page, for ``url_for`` (built by the template, within the request's co-op)
    endpoint: str
    args: dict
    day: dt.date | None


KIND_LABELS = {
    "status": _l("Member status change"),
    "admission": _l("Admission decision"),
    "shares": _l("Share subscription"),
    "lot": _l("Lot assignment"),
    "dues": _l("Dues plan"),
    "budget": _l("Budget"),
}


def _members_side(session: so.Session, resolution: Resolution) -> list[CitedBy]:
    found = [CitedBy("status", f"{m.number} {m.full_name}: {member_services.STATUS_LABELS[c.status]}",
                          "members.member", {"number": m.number}, c.effective_date)
             for c, m in session.execute(
                 sa.select(MemberStatusChange, Member).join(Member, Member.id == MemberStatusChange.member_id)
                 .where(MemberStatusChange.resolution_id == resolution.id).order_by(MemberStatusChange.id))]
    found += [CitedBy("admission", f"{a.given_names} {a.family_names}: {application_labels[a.status]}",
                           "members.application", {"application_id": a.id}, a.decision_date)
              for a in session.scalars(sa.select(Application).where(Application.resolution_id == resolution.id)
                                       .order_by(Application.id))]
    found += [CitedBy("shares", f"{m.number} {m.full_name}", "members.member", {"number": m.number},
                           s.first_due_date)
              for s, m in session.execute(
                  sa.select(ShareSubscription, Member).join(Member, Member.id == ShareSubscription.member_id)
                  .where(ShareSubscription.resolution_id == resolution.id).order_by(ShareSubscription.id))]
    found += [CitedBy("lot", f"{lot.block}-{lot.number}: {household}", "members.lot", {"lot_id": lot.id},
                           a.from_date)
              for a, lot, household in session.execute(
                  sa.select(LotAssignment, Lot, Household.name).join(Lot, Lot.id == LotAssignment.lot_id)
                  .join(Household, Household.id == LotAssignment.household_id)
                  .where(LotAssignment.resolution_id == resolution.id).order_by(LotAssignment.id))]
    return found


def applied_to(session: so.Session, resolution: Resolution, *, people: bool = True) -> list[CitedBy]:
    """Every record of the register and the books that cites this resolution (without ``people``,
    only the books': a member's status or admission is for those who read the whole record)."""
    found = _members_side(session, resolution) if people else []
    found += [CitedBy("dues", plan.name, "ledger.dues_plan", {"plan_id": plan.id}, None)
              for plan in session.scalars(sa.select(DuesPlan).where(DuesPlan.resolution_id == resolution.id)
                                          .order_by(DuesPlan.id))]
    found += [CitedBy("budget", str(budget.year), "ledger.budget", {"year": budget.year}, None)
              for budget in session.scalars(sa.select(Budget).where(Budget.resolution_id == resolution.id)
                                            .order_by(Budget.year))]
    return found


# --- the provider the member register and the books ask (coop.decisions) -------------------------

def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, number) of the reference that opens ``text`` ("2027-014 Aprobación…"); None if none."""
    words = (text or "").split()
    token = words[0].rstrip(".,;:") if words else ""
    if found := _YEAR_FIRST.fullmatch(token):
        year, number = int(found[1]), int(found[2])
    elif found := _NUMBER_FIRST.fullmatch(token):
        number, year = int(found[1]), int(found[2])
    else:
        return None
    return (year, number) if number > 0 else None


def _reference(year: int, number: int) -> str:
    return f"{year}-{number:03d}"


class _Register:
    """Resolutions as ``coop.decisions`` suggests, finds and links them."""

    def recent(self, session: so.Session, coop: Coop) -> list[tuple[int, str]]:
        latest = (sa.select(sa.func.max(Resolution.year)).where(Resolution.coop_id == coop.id)
                  .scalar_subquery())
        rows = session.execute(
            sa.select(Resolution.id, Resolution.year, Resolution.number, Resolution.title)
            .where(Resolution.coop_id == coop.id, Resolution.year > latest - RECENT_YEARS)
            .order_by(Resolution.year.desc(), Resolution.number.desc()).limit(RECENT_LIMIT))
        return [(rid, f"{_reference(year, number)} {title}") for rid, year, number, title in rows]

    def find(self, session: so.Session, coop: Coop, text: str) -> int | None:
        reference = parse_reference(text)
        if reference is None:
            return None
        year, number = reference
        return session.scalar(sa.select(Resolution.id).where(
            Resolution.coop_id == coop.id, Resolution.year == year, Resolution.number == number))

    def labels(self, session: so.Session, coop: Coop, ids: set[int]) -> dict[int, tuple[str, str]]:
        rows = session.execute(sa.select(Resolution.id, Resolution.year, Resolution.number, Resolution.title)
                               .where(Resolution.coop_id == coop.id, Resolution.id.in_(ids)))
        return {rid: (_reference(year, number), title) for rid, year, number, title in rows}

    def url(self, decision_id: int) -> str:
        return url_for("meetings.resolution", resolution_id=decision_id)


decisions.provide(_Register())
