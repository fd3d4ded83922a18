"""Every benchmark still runs: each ``bench/*.py`` script at a tiny scale (``--smoke``).

The benchmarks are scripts, not timed tests (DESIGN.md 7), and nothing else runs them between
measurements: a changed signature would only show the next time someone measures. Here each
one builds its co-op at a tiny scale and prints its figures, in its own process as ``make bench``
runs it; the figures themselves are not checked, only that they are printed. The scripts start
together and the tests wait for them, so that the two cores share the waiting.

They run on SQLite; with COOP_BENCH_DATABASE_URL set (a PostgreSQL server database) they use
that server as the real runs do, each in a ``..._smoke`` database of its own. ``ledger_books.py``
needs GNU time (``/usr/bin/time``), as it always has.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(path.name for path in (ROOT / "bench").glob("*.py") if path.name != "common.py")
#: what each script prints when it got to the end (besides the machine it ran on)
FIGURES = {
    "audit_trail.py": ["audit trail of 60 events"],
    "ledger_books.py": ["trial balance: median", "hledger export:", "member statement PDF: median",
                        "arrears aging, all members:", "dues run for"],
    "meetings_checkin.py": ["check-in search, 30 requests: median", "check-in tap (POST, recount, redirect), 10 requests"],
    "meetings_minutes_pdf.py": ["draft read from the record:", "minutes PDF of 3 items"],
    "members_import.py": ["validate (read and check the whole file)", "web: confirm and background job until done",
                          "validate + import:"],
    "members_register_pdf.py": ["register of 40 members in batches of 20"],
    "meetings_votes_http.py": ["named votes over HTTP"],
    "members_search.py": ["directory page, 30 searches: median"],
    "minga_close.py": ["preview of", "period close of"],
    "meetings_roll_pdf.py": ["issue the notice: roll of 40 frozen", "roll PDF of 40 people", "sign-in sheet PDF of 40 people"],
    "minga_signups_http.py": ["sign-ups over HTTP"],
    "minga_upcoming.py": ["upcoming sessions page, 20 requests: median"],
    "observatory_results.py": ["results page of 40 ballots and 8 proposals, 5 requests: median"],
    "observatory_accountability.py": ["figures read for the report", "accountability PDF of 6 works"],
    "observatory_budget.py": ["budget explorer, 5 requests: median", "budget line"],
}
TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def smoke_runs():
    """Every script started at once at its tiny scale; the processes, by script name."""
    # each in a session of its own, so that stopping one stops what it started too (gunicorn)
    processes = {name: subprocess.Popen([sys.executable, str(ROOT / "bench" / name), "--smoke"], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
                 for name in SCRIPTS}
    yield processes
    for process in processes.values():
        if process.poll() is None:
            stop_all(process)
            process.communicate()


def stop_all(process: subprocess.Popen) -> None:
    """Kill a script and everything it started (a script left running when a test stops early or is
    deselected would leave its gunicorn serving, holding its database)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_every_script_has_its_figures_listed():
    assert SCRIPTS == sorted(FIGURES), "a new bench script: list what it prints in FIGURES"


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_benchmark_runs_at_a_tiny_scale_and_prints_its_figures(smoke_runs, script):
    process = smoke_runs[script]
    try:
        output, errors = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        stop_all(process)
        output, errors = process.communicate()
        pytest.fail(f"{script} --smoke took over {TIMEOUT_SECONDS} s:\n{output}\n{errors[-3000:]}")
    assert process.returncode == 0, f"{script} --smoke failed:\n{output}\n{errors[-3000:]}"
    for figure in FIGURES[script] + ["machine:"]:
        assert figure in output, f"{script} --smoke did not print {figure!r}:\n{output}"
