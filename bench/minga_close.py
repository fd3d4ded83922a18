"""A Minga period close at the reference co-op's scale: fines and work as capital for 1,300 households.

Builds the five years of Minga history of ``bench/minga_upcoming.py`` (1,300 households, 3,000
members, 5,000 sessions, 200,000 sign-ups and their attendance; fresh SQLite in a temporary
folder, or PostgreSQL when COOP_BENCH_DATABASE_URL names a server database, re-created as
``coop_bench_minga_close``), then closes the month before last with ``minga.closing.close_period``
as the treasurer's page does: each household's hours against eight owed, a fine per missing hour
charged through the books, and the construction commission's hours credited to share capital.
Times the preview (``preview_close``) and the close with its commit, and prints what it posted.

    .venv/bin/python bench/minga_close.py [--households 1300] [--members 3000] [--sessions 5000] \
        [--sign-ups 200000] [--smoke]
    COOP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/minga_close.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402
from minga_upcoming import SLUG, TREASURER_EMAIL, history_app, scale  # noqa: E402

from coop import tenancy  # noqa: E402
from coop.auth import services as auth  # noqa: E402
from coop.calendar import today_in  # noqa: E402


def main() -> None:
    args = scale(__doc__.splitlines()[0])
    from ledger import reports
    from minga import closing

    with tempfile.TemporaryDirectory() as folder:
        history, app = history_app(Path(folder), "coop_bench_minga_close", args)
        database = app.extensions["coop.db"]
        period = history.closable_month
        with app.app_context():
            with database.unit_of_work(write=False) as session:
                coop = tenancy.coop_by_slug(session, SLUG)
                begin = time.perf_counter()
                preview = closing.preview_close(session, coop, period, today=today_in(coop))
                preview_s = time.perf_counter() - begin
                assert not preview.problems, preview.problems
            print(f"preview of {period:%Y-%m}: {preview_s * 1000:.0f} ms for {len(preview.standings)} households")
            begin = time.perf_counter()
            with database.unit_of_work() as session:
                coop = tenancy.coop_by_slug(session, SLUG)
                treasurer = auth.user_by_email(session, TREASURER_EMAIL)
                close = closing.close_period(session, treasurer, coop, period, today=today_in(coop))
                fines, fined = close.fines_total_minor, close.fines_count
                credited, capital = close.capital_count, close.capital_total_minor
            seconds = time.perf_counter() - begin
            print(f"period close of {period:%Y-%m} for {args.households} households: {seconds:.2f} s "
                  f"({fined} fines, ${fines / 100:,.2f}; {credited} credited as capital, ${capital / 100:,.2f})")
            with database.unit_of_work(write=False) as session:
                coop = tenancy.coop_by_slug(session, SLUG)
                problems = reports.verify_ledger(session, coop)
                assert problems == [], problems[:5]
            assert fined > 0 and credited > 0
        print(f"machine: {machine()}")
        database.engine.dispose()


if __name__ == "__main__":
    main()
