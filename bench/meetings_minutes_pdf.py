"""The minutes (acta) of a long general assembly: 20 agenda items, printed as the secretary does.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL too when COOP_BENCH_DATABASE_URL
names a server database, on which ``coop_bench_minutes`` is dropped and re-created) holding one
co-op with 1,300 members, an ordinary assembly held with all of them on the roll and quorum at the
opening, and its record: 20 agenda items, each with three paragraphs of the secretary's notes and
a motion with two versions and its closed vote, an amendment on every fourth item, an election of
the board (12 candidates) and of the oversight council (8), and a resolution per carried motion.
The minutes are approved (the content frozen as JSON), then printed as the page does: queued with
``meetings.printing_minutes.request_minutes`` and rendered by ``coop.tasks.run_task``, the way the
background worker runs it. Prints the first rendering (fonts and templates loaded) and the median
of the next five, with the pages; also the time to read the draft from the record.

    .venv/bin/python bench/meetings_minutes_pdf.py [--items 20] [--members 1300] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/meetings_minutes_pdf.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import fresh_database, insert_members, machine  # noqa: E402

from coop import calendar, migrate, tasks, tenancy  # noqa: E402
from coop.app import create_app  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.auth.models import User  # noqa: E402
from coop.tasks import Task, TaskStatus  # noqa: E402
from meetings import minutes, printing_minutes  # noqa: E402
from meetings.models import (  # noqa: E402
    AgendaItem, Call, Candidate, Election, ElectionStatus, MajorityRule, Meeting, MeetingKind, MeetingStatus, Motion,
    MotionStatus, MotionVersion, Position, PositionBody, QuorumEvent, RollEntry, RoundStatus, VoteRound, VotingMode)
from meetings.resolutions import adopt_resolution  # noqa: E402

BENCH_DATABASE = "coop_bench_minutes"
SMOKE_ITEMS, SMOKE_MEMBERS = 3, 40
WARM_RUNS = 5
DAY = dt.date.today() - dt.timedelta(days=60)
NOTES = ("Toma la palabra el socio {n}, que presenta el informe del punto y responde las preguntas de la "
         "asamblea sobre los costos, los plazos y la minga que hará falta para terminar la obra. ")



def _assembly(session: so.Session, coop, member_ids: list[int]) -> Meeting:
    at = lambda hour, minute=0: calendar.local_to_utc(coop, dt.datetime.combine(DAY, dt.time(hour, minute)))  # noqa: E731
    meeting = Meeting(coop_id=coop.id, kind=MeetingKind.ORDINARY, title=f"Asamblea general ordinaria {DAY.year}",
                      place="Casa comunal", first_call_dt=at(9), second_call_dt=at(10), status=MeetingStatus.CLOSED,
                      call=Call.SECOND, opened_dt=at(10, 2), closed_dt=at(17, 45), notice_issued_dt=at(8),
                      chair_member_id=member_ids[0], secretary_member_id=member_ids[1], has_quorum=True,
                      opening_notes=NOTES.format(n=1) * 2)
    session.add(meeting)
    session.flush()
    session.execute(sa.insert(RollEntry), [
        {"coop_id": coop.id, "meeting_id": meeting.id, "member_id": member_id, "number": n + 1,
         "name": f"Socio {n + 1}", "is_present": n % 3 != 0, "role": "member", "may_vote": True, "block": "",
         "proxies_held": 0} for n, member_id in enumerate(member_ids)])
    present = sum(1 for n in range(len(member_ids)) if n % 3 != 0)
    session.add(QuorumEvent(coop_id=coop.id, meeting_id=meeting.id, is_reached=True, call=Call.SECOND,
                            present=present, represented=len(member_ids) // 20, required=len(member_ids) // 4,
                            at_dt=at(10)))
    return meeting


def _item(session: so.Session, coop, meeting: Meeting, position: int, member_ids: list[int]) -> None:
    item = AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=position,
                      title=f"Punto {position}: informe y resolución sobre la obra {position}",
                      minutes_notes="\n".join(NOTES.format(n=position * 10 + k) * 2 for k in range(3)))
    session.add(item)
    session.flush()
    motions = [("Moción", None)] + ([("Enmienda", True)] if position % 4 == 0 else [])
    parent = None
    for title, is_amendment in motions:
        motion = Motion(coop_id=coop.id, meeting_id=meeting.id, item_id=item.id, title=f"{title} del punto {position}",
                        proposer_id=member_ids[position], seconder_id=member_ids[position + 1],
                        status=MotionStatus.CARRIED, majority=MajorityRule.SIMPLE,
                        amends_id=parent.id if is_amendment else None)
        session.add(motion)
        session.flush()
        for number in (1, 2):
            session.add(MotionVersion(coop_id=coop.id, motion_id=motion.id, number=number,
                                      text=f"Versión {number}: la asamblea resuelve aprobar la obra {position} " * 3))
        session.flush()
        vote_round = VoteRound(coop_id=coop.id, meeting_id=meeting.id, motion_id=motion.id, mode=VotingMode.HANDS,
                               status=RoundStatus.CLOSED, majority=MajorityRule.SIMPLE, abstentions_count=False,
                               roll_voters=len(member_ids), present_voters=len(member_ids) * 2 // 3,
                               yes_count=300 - position, no_count=40 + position, abstain_count=12, is_carried=True,
                               required=200, outcome_text=f"Aprobada: {300 - position} a favor, {40 + position} en "
                               "contra, 12 abstenciones; se requerían 200 (mayoría simple de los votos emitidos)",
                               opened_dt=meeting.opened_dt, closed_dt=meeting.opened_dt)
        session.add(vote_round)
        session.flush()
        adopt_resolution(session, coop, meeting, title=f"{title} del punto {position}", text=motion.text,
                         decided_on=DAY, outcome_text=vote_round.outcome_text, motion_id=motion.id,
                         round_id=vote_round.id)
        parent = motion


def _election(session: so.Session, coop, meeting: Meeting, name: str, seats: int, candidates: list[int]) -> None:
    position = Position(coop_id=coop.id, name=name, body=PositionBody.BOARD, seats=seats, alternates=2)
    session.add(position)
    session.flush()
    election = Election(coop_id=coop.id, meeting_id=meeting.id, position_id=position.id, seats=seats, alternates=2,
                        max_choices=seats, status=ElectionStatus.DECIDED, term_starts_on=DAY,
                        term_ends_on=DAY + dt.timedelta(days=730))
    session.add(election)
    session.flush()
    for rank, member_id in enumerate(candidates, start=1):
        session.add(Candidate(coop_id=coop.id, election_id=election.id, member_id=member_id, votes=400 - rank * 17,
                              elected_rank=rank if rank <= seats + 2 else None, is_alternate=seats < rank <= seats + 2))


def build(url: str, items: int, members: int) -> None:
    app = create_app("testing", {"DATABASE_URL": url})
    migrate.upgrade(app.extensions["coop.db"].engine)
    with app.app_context(), app.extensions["coop.db"].unit_of_work() as session:
        coop = tenancy.create_coop(session, None, name="Cooperativa de Vivienda Alianza Solidaria", slug="referencia")
        user = auth.create_user(session, email="secretaria@example.org", name="Secretaria", password="una clave larga")
        tenancy.grant_role(session, None, coop, user, tenancy.Role.SECRETARY)
        member_ids = insert_members(session, coop.id, members)
        meeting = _assembly(session, coop, member_ids)
        for position in range(1, items + 1):
            _item(session, coop, meeting, position, member_ids)
        _election(session, coop, meeting, "Consejo de administración", 5, member_ids[2:14])
        _election(session, coop, meeting, "Consejo de vigilancia", 3, member_ids[14:22])
        session.flush()
        minutes.approve_minutes(session, user, coop, meeting, minutes.Approval(
            "María Quishpe", "José Tipán", on=DAY + dt.timedelta(days=30)), today=dt.date.today())
    app.extensions["coop.db"].engine.dispose()


def _print_once(app, read_draft: bool) -> tuple[float, float, int]:
    """Queue the minutes as the page does and run the task; (seconds, draft seconds, pages)."""
    with app.test_request_context(), app.extensions["coop.db"].unit_of_work() as session:
        coop = tenancy.coop_by_slug(session, "referencia")
        meeting = session.scalar(sa.select(Meeting).where(Meeting.coop_id == coop.id))
        draft_started = time.perf_counter()
        if read_draft:
            minutes.draft_content(session, coop, meeting)
        draft_seconds = time.perf_counter() - draft_started
        actor = session.scalar(sa.select(User).where(User.email == "secretaria@example.org"))
        task_id = printing_minutes.request_minutes(session, coop, actor, meeting,
                                                   minutes.latest_approved(session, meeting), locale="es_EC").id
    started = time.perf_counter()
    status = tasks.run_task(app, task_id)
    seconds = time.perf_counter() - started
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        task = session.get(Task, task_id)
        if status != TaskStatus.DONE:
            raise SystemExit(f"the minutes failed: {task.error}")
        pages = len(PdfReader(io.BytesIO(task.content)).pages)
    return seconds, draft_seconds, pages


def bench(url: str, items: int, members: int) -> None:
    backend = sa.make_url(url).get_backend_name()
    started = time.perf_counter()
    build(url, items, members)
    print(f"{backend}: built an assembly of {items} items with {members} members on the roll "
          f"in {time.perf_counter() - started:.1f} s")
    app = create_app("testing", {"DATABASE_URL": url})
    first, draft, pages = _print_once(app, read_draft=True)
    warm = [_print_once(app, read_draft=False)[0] for _ in range(WARM_RUNS)]
    app.extensions["coop.db"].engine.dispose()
    print(f"{backend}: draft read from the record: {draft * 1000:.0f} ms")
    print(f"{backend}: minutes PDF of {items} items, {pages} pages: first {first:.2f} s, "
          f"median of {WARM_RUNS} next {statistics.median(warm):.2f} s (max {max(warm):.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--members", type=int, default=1300)
    parser.add_argument("--smoke", action="store_true",
                        help=f"a tiny run ({SMOKE_ITEMS} items, {SMOKE_MEMBERS} members): does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.items, args.members = SMOKE_ITEMS, SMOKE_MEMBERS
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args.items, args.members)
    if os.environ.get("COOP_BENCH_DATABASE_URL"):
        url = fresh_database(Path(tempfile.gettempdir()), BENCH_DATABASE + ("_smoke" if args.smoke else ""))
        bench(url, args.items, args.members)


if __name__ == "__main__":
    main()
