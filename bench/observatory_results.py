"""A participatory budget's results page with 2,000 ballots on 60 proposals.

Builds a fresh database (SQLite in a temporary folder; PostgreSQL when COOP_BENCH_DATABASE_URL
names a server database, which is dropped and re-created as ``coop_bench_pb_results``): the
reference co-op's register as the directory search benchmark builds it (2,500 members, about
four in five active), its chart of accounts, a process of 100,000.00 in its block assemblies'
phase (knapsack rule) with 60 feasible proposals, a support ballot from each of 2,000 active
members (half by phone, half on paper, each choosing proposals within the amount; made in bulk,
the counters set as the ballots would have raised them) and the tallies of 10 block assemblies.
Logs in as the secretary through the real log-in form and times the results page (the count,
its explanation in words, the blocks' voice, the rendering) through the Flask test client.
Prints the median and the 95th percentile. ``--smoke`` runs it at a tiny scale.

    .venv/bin/python bench/observatory_results.py [--ballots 2000] [--proposals 60] [--requests 100] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/observatory_results.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, machine  # noqa: E402
from members_search import build  # noqa: E402

from coop.app import create_app  # noqa: E402
from coop.db import is_sqlite, make_engine  # noqa: E402
from coop.tenancy import Coop  # noqa: E402
from ledger import services as ledger_services  # noqa: E402
from ledger.models import Account  # noqa: E402
from meetings.observatory.models import (BallotChoice, BlockResult, ParticipatoryBudget, Proposal,  # noqa: E402
                                         SupportBallot)
from members.models import Member  # noqa: E402

BALLOTS, PROPOSALS, REQUESTS = 2000, 60, 100
AMOUNT = 10_000_000  # 100,000.00
BLOCKS = "ABCDEFGHIJ"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=BALLOTS)
    parser.add_argument("--proposals", type=int, default=PROPOSALS)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (40 ballots, 8 proposals, 5 requests)")
    args = parser.parse_args()
    if args.smoke:
        args.ballots, args.proposals, args.requests = 40, 8, 5
    return args


def build_process(url: str, ballots: int, proposals: int) -> int:
    """The process in its block assemblies' phase, its proposals, ballots and block tallies; its id."""
    engine = make_engine(url)
    rng = random.Random(13)
    today = dt.date.today()
    with engine.execution_options(coop_write=True).begin() as connection:
        session = so.Session(bind=connection)
        coop = session.scalar(sa.select(Coop))
        ledger_services.install_chart(session, None, coop)
        session.flush()
        account_id = session.scalar(sa.select(Account.id).where(Account.coop_id == coop.id, Account.code == "1.2.03"))
        process_id = connection.execute(sa.insert(ParticipatoryBudget).returning(ParticipatoryBudget.id), [{
            "coop_id": coop.id, "year": today.year, "title": f"Presupuesto participativo {today.year}",
            "description": "", "amount_minor": AMOUNT, "account_id": account_id, "rule": "knapsack",
            "proposals_opens_on": today - dt.timedelta(days=90), "proposals_closes_on": today - dt.timedelta(days=60),
            "review_closes_on": today - dt.timedelta(days=40), "support_opens_on": today - dt.timedelta(days=30),
            "support_closes_on": today - dt.timedelta(days=2), "blocks_close_on": today + dt.timedelta(days=10),
            "result_text": "", "tie_draw": "", "ballots_count": ballots}]).scalar_one()
        voters = connection.execute(sa.select(Member.id).where(Member.coop_id == coop.id, Member.status == "active")
                                    .order_by(Member.number).limit(ballots)).scalars().all()
        assert len(voters) == ballots, f"only {len(voters)} active members"
        costs = [rng.randrange(200, 4_000) * 1_000 for _ in range(proposals)]
        connection.execute(sa.insert(Proposal), [{
            "coop_id": coop.id, "process_id": process_id, "number": n + 1, "proposer_id": voters[n % len(voters)],
            "title": f"Propuesta {n + 1}: obra comunitaria del bloque {BLOCKS[n % len(BLOCKS)]}",
            "description": "Una obra que el bloque pidió en su asamblea.", "block": BLOCKS[n % len(BLOCKS)],
            "place": "", "estimated_cost_minor": costs[n], "status": "feasible", "review_reason": "", "supports": 0}
            for n in range(proposals)])
        proposal_ids = connection.execute(sa.select(Proposal.id).where(Proposal.process_id == process_id)
                                          .order_by(Proposal.number)).scalars().all()
        cost_of = dict(zip(proposal_ids, costs, strict=True))
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        connection.execute(sa.insert(SupportBallot), [{
            "coop_id": coop.id, "process_id": process_id, "member_id": member_id,
            "channel": "phone" if i % 2 else "paper", "total_cost_minor": 0, "created_dt": now}
            for i, member_id in enumerate(voters)])
        ballot_ids = connection.execute(sa.select(SupportBallot.id).where(SupportBallot.process_id == process_id)
                                        .order_by(SupportBallot.id)).scalars().all()
        popularity = [rng.random() ** 2 for _ in proposal_ids]
        choices, supports = [], Counter()
        for ballot_id in ballot_ids:
            left, picked = AMOUNT, set()
            for proposal_id in rng.choices(proposal_ids, weights=popularity, k=12):
                if proposal_id not in picked and cost_of[proposal_id] <= left:
                    picked.add(proposal_id)
                    left -= cost_of[proposal_id]
            choices += [{"coop_id": coop.id, "ballot_id": ballot_id, "proposal_id": pid} for pid in picked]
            supports.update(picked)
        connection.execute(sa.insert(BallotChoice), choices)
        for proposal_id in proposal_ids:  # as each ballot's UPDATE ... SET supports = supports + 1 left them
            connection.execute(sa.update(Proposal).where(Proposal.id == proposal_id)
                               .values(supports=supports[proposal_id]))
        connection.execute(sa.insert(BlockResult), [{
            "coop_id": coop.id, "process_id": process_id, "block": block, "proposal_id": proposal_id,
            "present": 40, "supports": rng.randint(0, 40)} for block in BLOCKS for proposal_id in proposal_ids])
        session.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE" if is_sqlite(engine) else "VACUUM ANALYZE")
    engine.dispose()
    return process_id


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(Path(folder), "coop_bench_pb_results" + ("_smoke" if args.smoke else ""))
        started = time.perf_counter()
        build(url, max(args.ballots * 5 // 4 + 50, 100), max(args.ballots // 2, 20))
        process_id = build_process(url, args.ballots, args.proposals)
        print(f"built {args.ballots} ballots on {args.proposals} proposals in {time.perf_counter() - started:.1f} s "
              f"on {sa.make_url(url).get_backend_name()}")
        app = create_app("testing", {"DATABASE_URL": url})
        client = app.test_client()
        assert client.post("/login", data={"email": "secretaria@example.org",
                                           "password": "una clave larga"}).status_code == 302
        page = f"/c/referencia/observatory/budgets/{process_id}/results"
        for _ in range(5):
            assert client.get(page).status_code == 200
        timings, cpu, size = [], [], 0
        for _ in range(args.requests):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            response = client.get(page)
            timings.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
            assert response.status_code == 200 and b"<table" in response.data
            size = len(response.data)
        timings.sort()
        print(f"results page of {args.ballots} ballots and {args.proposals} proposals, {len(timings)} requests: "
              f"median {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms, "
              f"max {timings[-1]:.1f} ms (CPU median {statistics.median(cpu):.1f} ms; page {size / 1024:.0f} KB)")
        print(f"machine: {machine()}")
        app.extensions["coop.db"].engine.dispose()


if __name__ == "__main__":
    main()
