"""An election's and the offices' printed documents: the paper ballots (papeletas), the count record
(acta de escrutinio) and the register of offices.

All three are background documents (``coop.tasks``), as the roll and the minutes are: the page
queues one and sends the reader to the task's page, which offers the file.

Paper ballots are printed for a round on paper that is open, when its candidates can no longer
change (a runoff's ballot names only the tied). Every ballot is the same, with nothing that tells
one from another (no number, no page number), so one sheet of ballots is laid out once and copied
with pypdf as many times as needed: a thousand ballots cost what one sheet does. How many ballots
a sheet holds depends on how many candidates they list.

The count record is the decided election as the record holds it: each round's voters and count as
written at its close, the tie and the lot drawn, the places, the resolution, and the signature lines
of the president and the secretary (the record names no tellers). A round on paper records only
each candidate's votes, so its ballots cast, blank and void are left as lines to fill in by hand.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from pypdf import PdfReader, PdfWriter

from coop import audit, tasks
from coop.auth.models import User
from coop.db import get_session, utcnow
from coop.errors import DomainError
from coop.pdf import render_pdf
from coop.tenancy import Coop
from meetings import election_result, elections, offices
from meetings.models import (Candidate, Election, ElectionStatus, Meeting, OfficeTerm, Position, Resolution,
                             RoundStatus, VoteRound, VotingMode)
from meetings.permissions import MANAGE_MEETINGS, VIEW_MEETINGS
from members.models import Member

BALLOTS_KIND, COUNT_KIND = "meetings.election_ballots", "meetings.election_count"
OFFICES_KIND = "meetings.offices_register"
#: spare ballots beyond the round's voters on the roll (for spoiled ballots): at least this many...
SPARE_BALLOTS = 10
#: ...or this share of the voters on the roll, whichever is more
SPARE_SHARE = 10


def _ballots_text(details: dict) -> str:
    count = details.get("count", 0)
    return ngettext("%(num)d ballot", "%(num)d ballots", count)


audit.describe("meetings.print_ballots", _l("Printed paper ballots for an election"), details=_ballots_text)
audit.describe("meetings.print_count_record", _l("Printed an election's count record"))
audit.describe("meetings.print_offices", _l("Printed the register of offices"))


def _election_of(session: so.Session, coop: Coop, params: dict) -> Election:
    election = session.get(Election, params.get("election_id"))
    if election is None or election.coop_id != coop.id:
        raise tasks.TaskFailed(str(_l("The election no longer exists.")))
    return election


def _may_read_election(viewer, task: tasks.Task) -> bool:
    election = get_session().get(Election, (task.params or {}).get("election_id"))
    return election is not None and election.coop_id == task.coop_id


def _pdf(writer: PdfWriter, title: str) -> bytes:
    writer.add_metadata({"/Title": title, "/Producer": "Ayllu"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# --- paper ballots ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """How ballots sit on a sheet: in ``columns`` and ``rows``, each cut out along dashed lines."""

    columns: int
    rows: int

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


#: (most candidates a ballot lists, its layout): the longer the ballot, the fewer a sheet holds
LAYOUTS = ((4, Layout(2, 3)), (8, Layout(2, 2)), (16, Layout(1, 2)))
ONE_A_SHEET = Layout(1, 1)


def layouts_for(candidates: int) -> list[Layout]:
    """The layouts that may hold a ballot of so many candidates, the fullest first."""
    return [layout for most, layout in LAYOUTS if candidates <= most] + [ONE_A_SHEET]


def ballots_round(session: so.Session, election: Election) -> VoteRound | None:
    """The open round on paper whose ballots may be printed, if any: its candidates are fixed."""
    vote_round = elections.latest_round(session, election)
    if (election.status != ElectionStatus.VOTING or vote_round is None or vote_round.status != RoundStatus.OPEN
            or vote_round.mode != VotingMode.HANDS):
        return None
    return vote_round


def most_ballots(vote_round: VoteRound) -> int:
    """The most ballots printed at once: the voters on the roll and some spares."""
    return vote_round.roll_voters + max(SPARE_BALLOTS, vote_round.roll_voters * SPARE_SHARE // 100)


def default_ballots(vote_round: VoteRound) -> int:
    """As many ballots as voters present and represented when the round opened."""
    return max(vote_round.present_voters, 1)


def request_ballots(session: so.Session, coop: Coop, actor: User | None, election: Election, count: int | None, *,
                    locale: str) -> tasks.Task:
    """Queue ``count`` paper ballots for the open round on paper (flushed, not committed)."""
    elections.check_in_coop(coop, election)
    vote_round = ballots_round(session, election)
    if vote_round is None:
        raise DomainError(_l("Paper ballots are printed while a round on paper is open: its candidates are then "
                             "fixed."))
    limit = most_ballots(vote_round)
    if count is None or not 1 <= count <= limit:
        raise DomainError(_l("Print between 1 and %(max)d ballots: the voters on the roll and some spares.",
                             max=limit), field="count")
    task = tasks.submit(session, coop, actor, BALLOTS_KIND,
                        {"locale": locale, "election_id": election.id, "round_id": vote_round.id, "count": count},
                        filename=f"papeletas-{election.id}-votacion-{vote_round.number}.pdf")
    audit.record(session, coop=coop, actor=actor, action="meetings.print_ballots", obj=election,
                 summary=election.position.name, details={"count": count, "round": vote_round.number})
    return task


def _ballots_sheet(count: int, **context) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf("pdf/meetings_ballots.html", count=count, **context)))


def _full_sheet(**context) -> tuple[Layout, PdfReader]:
    """The fullest layout whose sheet fits one page (a long title or long names may need a roomier one)."""
    for layout in layouts_for(len(context["candidates"])):
        sheet = _ballots_sheet(layout.per_sheet, layout=layout, **context)
        if len(sheet.pages) == 1:
            break
    return layout, sheet


@tasks.document_kind(BALLOTS_KIND, label=_l("Election ballots"), permission=MANAGE_MEETINGS, rule=_may_read_election)
def render_ballots(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    election = _election_of(session, coop, params)
    vote_round = ballots_round(session, election)
    if vote_round is None or vote_round.id != params.get("round_id"):
        raise tasks.TaskFailed(str(_l("This round is no longer open: its ballots are not printed.")))
    candidates, count = elections.round_candidates(election, vote_round), int(params["count"])
    meeting = session.get(Meeting, election.meeting_id)
    context = {"coop": coop, "meeting": meeting, "election": election, "vote_round": vote_round,
               "candidates": candidates, "max_choices": elections.round_max_choices(election, vote_round),
               "day": elections.meeting_day(coop, meeting), "now": utcnow()}
    progress(0, count)
    layout, sheet = _full_sheet(**context)
    full, rest = divmod(count, layout.per_sheet)
    writer = PdfWriter()
    for copies in range(1, full + 1):
        writer.append(sheet)  # the copies share the sheet's content: the file stays small
        progress(copies * layout.per_sheet, count)
    if rest:
        writer.append(_ballots_sheet(rest, layout=layout, **context))
    progress(count, count)
    return _pdf(writer, f"{election.position.name} · {meeting.title}")


# --- the count record ----------------------------------------------------------------------------------

def request_count_record(session: so.Session, coop: Coop, actor: User | None, election: Election, *,
                         locale: str) -> tasks.Task:
    """Queue the count record of a decided election (flushed, not committed)."""
    elections.check_in_coop(coop, election)
    if election.status != ElectionStatus.DECIDED:
        raise DomainError(_l("The count record is printed once the election is decided."))
    task = tasks.submit(session, coop, actor, COUNT_KIND, {"locale": locale, "election_id": election.id},
                        filename=f"acta-de-escrutinio-{election.id}.pdf")
    audit.record(session, coop=coop, actor=actor, action="meetings.print_count_record", obj=election,
                 summary=election.position.name)
    return task


@dataclass(frozen=True)
class CountRecord:
    """A decided election as its record holds it, for the printed count."""

    meeting: Meeting
    election: Election
    rounds: list[VoteRound]
    #: every candidate: the seats and the alternates in their order, then the rest by votes
    ranked: list[Candidate]
    resolution: Resolution | None
    president: str
    secretary: str

    @property
    def seats(self) -> list[Candidate]:
        return [c for c in self.ranked if c.elected_rank is not None and not c.is_alternate]

    @property
    def alternates(self) -> list[Candidate]:
        return [c for c in self.ranked if c.elected_rank is not None and c.is_alternate]


def _name(session: so.Session, member_id: int | None) -> str:
    member = session.get(Member, member_id) if member_id else None
    return member.full_name if member is not None else ""


def count_record(session: so.Session, election: Election) -> CountRecord:
    meeting = session.get(Meeting, election.meeting_id)
    rounds = list(session.scalars(sa.select(VoteRound).where(VoteRound.election_id == election.id,
                                                              VoteRound.status == RoundStatus.CLOSED)
                                  .order_by(VoteRound.number)))
    placed = election_result.placed(election)
    rest = sorted((c for c in election.candidates if c.elected_rank is None),
                  key=lambda c: (-c.votes, c.member.family_names, c.member.given_names))
    return CountRecord(meeting, election, rounds, placed + rest, election_result.resolution_of(session, election),
                       _name(session, meeting.chair_member_id), _name(session, meeting.secretary_member_id))


@tasks.document_kind(COUNT_KIND, label=_l("Count record of an election"), permission=VIEW_MEETINGS,
                     rule=_may_read_election)
def render_count_record(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    election = _election_of(session, coop, params)
    if election.status != ElectionStatus.DECIDED:
        raise tasks.TaskFailed(str(_l("The count record is printed once the election is decided.")))
    progress(0, 1)
    record = count_record(session, election)
    return render_pdf("pdf/meetings_election_count.html", coop=coop, record=record,
                      day=elections.meeting_day(coop, record.meeting), mode_labels=elections.MODE_LABELS)


# --- the register of offices ----------------------------------------------------------------------------

def request_offices_register(session: so.Session, coop: Coop, actor: User | None, *, position_id: int | None,
                             on_day: dt.date | None, locale: str) -> tasks.Task:
    """Queue the register of offices as the page's filters show it (flushed, not committed)."""
    params = {"locale": locale, "position_id": position_id, "on": on_day.isoformat() if on_day else None}
    task = tasks.submit(session, coop, actor, OFFICES_KIND, params,
                        filename=f"registro-de-cargos{'-' + on_day.isoformat() if on_day else ''}.pdf")
    audit.record(session, coop=coop, actor=actor, action="meetings.print_offices", obj=task,
                 details={key: value for key, value in params.items() if key != "locale" and value})
    return task


def _references(session: so.Session, terms: list[OfficeTerm]) -> dict[int, str]:
    ids = {t.resolution_id for t in terms if t.resolution_id}
    if not ids:
        return {}
    return {r.id: r.reference for r in session.scalars(sa.select(Resolution).where(Resolution.id.in_(ids)))}


@tasks.document_kind(OFFICES_KIND, label=_l("Register of offices"), permission=VIEW_MEETINGS)
def render_offices_register(session: so.Session, coop: Coop, params: dict, progress: tasks.Progress) -> bytes:
    position = session.get(Position, params["position_id"]) if params.get("position_id") else None
    on_day = dt.date.fromisoformat(params["on"]) if params.get("on") else None
    progress(0, 1)
    terms = offices.register_by_office(session, coop, position_id=params.get("position_id"), on_day=on_day)
    return render_pdf("pdf/meetings_offices.html", coop=coop, terms=terms, references=_references(session, terms),
                      position=position if position is not None and position.coop_id == coop.id else None,
                      filtered=bool(params.get("position_id")), on_day=on_day)
