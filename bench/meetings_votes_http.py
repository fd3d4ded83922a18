"""500 simultaneous named votes over HTTP, against gunicorn with 4 workers on PostgreSQL.

Builds a fresh PostgreSQL database (``coop_bench_votes_http`` on the server COOP_BENCH_DATABASE_URL
names, else on the local server) holding a co-op, 500 members each with an account, and an
assembly in session with the 500 on its roll, all checked in, and two motions put to a named vote.
Starts gunicorn with 4 workers on a free port (production settings), logs each member in through
the real log-in form in a session of their own, opens each one's ballot page for the vote (the
one-time key and CSRF token read from the page), times ten votes one after another on the other
motion (what one costs alone), then fires the 500 ballots at once from 500 threads. Counts the
answers (redirects back to the ballot, and failures), then reads the database: one vote per
member, and the tally at close equal to the rows. Prints the p50, p95 and maximum latency.

The servers, browsers and threads are those of ``minga_signups_http.py``, which this copies in
shape. ``--smoke`` runs it with 12 members and 2 workers; without a PostgreSQL server it says so
and skips the gunicorn run.

    .venv/bin/python bench/meetings_votes_http.py [--members 500] [--workers 4] [--smoke]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from minga_signups_http import (Browser, at_once, forms_of, in_pool, on_postgres, percentile,  # noqa: E402
                                start_gunicorn, stop)
from minga_upcoming import SLUG, add_people  # noqa: E402

from coop import migrate, tenancy  # noqa: E402
from coop.db import make_engine, utcnow  # noqa: E402
from meetings import motions, voting  # noqa: E402
from meetings.models import (AgendaItem, Call, Meeting, MeetingKind, MeetingStatus, RollEntry, Vote,  # noqa: E402
                             VoteRound, VotingMode)
from members.models import Member  # noqa: E402

SMOKE_MEMBERS, SMOKE_WORKERS = 12, 2


def build(url: str, members: int) -> tuple[list[tuple[str, int]], int, int, int]:
    """The co-op, its members with accounts, a sitting assembly and two named votes open;
    (accounts, meeting id, round id of the burst, round id of the votes timed alone)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = tenancy.create_coop(session, None, name="Cooperativa de referencia", slug=SLUG)
        session.flush()
        member_ids, accounts = add_people(connection, session, coop.id, max(members // 2, 1), members,
                                          random.Random(2026), users=members)
        now = utcnow()
        meeting = Meeting(coop_id=coop.id, kind=MeetingKind.ORDINARY, title="Asamblea general ordinaria",
                          place="Casa comunal", first_call_dt=now, status=MeetingStatus.IN_SESSION, call=Call.FIRST,
                          opened_dt=now, has_quorum=True)
        session.add(meeting)
        session.flush()
        numbers = dict(connection.execute(sa.select(Member.id, Member.number).where(Member.id.in_(member_ids))).all())
        connection.execute(sa.insert(RollEntry), [
            {"coop_id": coop.id, "meeting_id": meeting.id, "member_id": m, "number": numbers[m],
             "name": f"Persona {numbers[m]}", "is_present": True, "may_vote": True, "checked_in_dt": now}
            for m in member_ids])
        item = AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=1, title="Presupuesto y reglamento")
        session.add(item)
        session.flush()
        rounds = []
        for title in ("Aprobación del presupuesto 2027", "Reforma del reglamento interno"):
            motion = motions.propose_motion(session, None, coop, item, title=title, text=f"Se resuelve: {title}.",
                                            proposer_number=min(numbers.values()), now=now)
            rounds.append(voting.open_round(session, None, coop, motion, VotingMode.NAMED, now=now).id)
        meeting_id = meeting.id
        session.close()
    engine.dispose()
    return accounts, meeting_id, rounds[0], rounds[1]


def ballot_form(browser: Browser, meeting_id: int, round_id: int) -> tuple[str, dict[str, str]]:
    """The member's own ballot form (the first on the page; its first button is "Yes")."""
    status, _location, page = browser.request("GET", f"/c/{SLUG}/meetings/{meeting_id}/rounds/{round_id}/ballot")
    assert status == 200, status
    return next((a, f) for a, f in forms_of(page) if a.endswith(f"/rounds/{round_id}/ballot") and "once_key" in f)


def run(url: str, args: argparse.Namespace, folder: Path) -> None:
    started = time.perf_counter()
    accounts, meeting_id, round_id, other_id = build(url, args.members)
    print(f"built {args.members} members with accounts, all in the hall, and two named votes open in "
          f"{time.perf_counter() - started:.1f} s on PostgreSQL")
    process, port = start_gunicorn(url, args.workers, folder / "gunicorn.log")
    try:
        browsers = [Browser(port) for _ in accounts]
        begin = time.perf_counter()
        in_pool(list(zip(browsers, accounts, strict=True)), lambda pair: pair[0].log_in(pair[1][0]))
        forms = in_pool(browsers, lambda browser: ballot_form(browser, meeting_id, round_id))
        print(f"{len(browsers)} members logged in and read their ballot in {time.perf_counter() - begin:.1f} s "
              f"(gunicorn, {args.workers} workers, port {port})")

        def vote(n: int, form=None) -> tuple[int, float]:
            action, fields = form or forms[n]
            begin = time.perf_counter()
            status, _location, _page = browsers[n].request("POST", action, fields)
            return status, (time.perf_counter() - begin) * 1000
        alone = [vote(n, ballot_form(browsers[n], meeting_id, other_id)) for n in range(min(10, len(browsers)))]
        assert all(status in (302, 303) for status, _ms in alone), alone
        print(f"one vote alone: median {statistics.median(ms for _status, ms in alone):.0f} ms "
              f"({len(alone)} one after another)")
        begin = time.perf_counter()
        results = at_once(len(browsers), vote)
        burst = time.perf_counter() - begin
    finally:
        stop(process)
    report(url, accounts, round_id, results, folder / "gunicorn.log")
    print(f"all {len(results)} answered in {burst:.1f} s ({len(results) / burst:.0f} votes a second)")


def report(url, accounts, round_id, results, log: Path) -> None:
    answered = [result for result in results if isinstance(result, tuple)]
    redirected = sum(1 for status, _ms in answered if status in (302, 303))
    failed = len(results) - redirected
    timings = [ms for _status, ms in answered]
    engine = make_engine(url)
    with engine.connect() as connection:
        voters = connection.execute(sa.select(RollEntry.member_id).join(Vote, Vote.voter_id == RollEntry.id)
                                    .where(Vote.round_id == round_id)).scalars().all()
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        vote_round = session.get(VoteRound, round_id)
        voting.close_round(session, None, session.get(tenancy.Coop, vote_round.coop_id), vote_round, now=utcnow())
        tally = (vote_round.yes_count, vote_round.no_count, vote_round.abstain_count)
        session.close()
    engine.dispose()
    print(f"{len(results)} simultaneous named votes over HTTP: {len(voters)} votes recorded, {failed} failed "
          f"({redirected} answered with a redirect); tally at close {tally[0]} yes, {tally[1]} no, {tally[2]} abstain")
    print(f"vote latency: p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
          f"max {max(timings):.0f} ms")
    statuses = sorted({str(r) if not isinstance(r, tuple) else str(r[0]) for r in results})
    assert failed == 0, f"failed answers: {statuses}\n{log.read_text()[-3000:]}"
    assert sorted(voters) == sorted(member_id for _email, member_id in accounts)  # one vote per member
    assert tally == (len(voters), 0, 0) and sum(tally) == len(results), tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_MEMBERS} votes: does it still work?")
    args = parser.parse_args()
    if args.smoke:
        args.members, args.workers = SMOKE_MEMBERS, SMOKE_WORKERS
    on_postgres("named votes over HTTP", "coop_bench_votes_http", run, args)


if __name__ == "__main__":
    main()
