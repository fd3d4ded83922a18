"""A first run on a machine that lacks a Debian package says so in one line, with the command."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_server_without_pango_says_which_packages_to_install(tmp_path):
    # WeasyPrint as it behaves without Pango: a notice of its own on stdout, then OSError
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "print('WeasyPrint could not import some external libraries. Please carefully follow...')\n"
        "raise OSError(\"cannot load library 'libgobject-2.0-0': libgobject-2.0-0: cannot open shared object file\")\n")
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]), COOP_ENV="testing")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "coop", "serve"], check=False, cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [(
        "Ayllu prints its documents with WeasyPrint, which needs the Pango libraries. "
        "Install them with: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0")]


def test_make_checks_the_debian_packages_before_anything_else():
    for target, purpose in (("run", "run"), ("test", "test")):
        # as a contributor types it, not as a make inside `make test` (which names its directories)
        environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        planned = subprocess.run(["make", "--no-print-directory", "-n", target], cwd=ROOT, capture_output=True,
                                 text=True, check=True, env=environment)
        assert planned.stdout.splitlines()[0] == f".ci/system-packages {purpose}"


def test_a_contributor_without_root_is_told_the_one_command_to_run(tmp_path):
    # not root (a stand-in `id`), and no chromium where the browser tests look for it
    (tmp_path / "id").write_text("#!/bin/sh\necho 1000\n")
    (tmp_path / "id").chmod(0o755)
    environment = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}", COOP_CHROMIUM=str(tmp_path / "chromium"))
    done = subprocess.run([str(ROOT / ".ci" / "system-packages"), "test"], check=False, env=environment, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("`make test` needs these Debian packages: ")
    assert "chromium" in last
    assert last.endswith("chromium") and "Install them with: sudo apt-get install -y " in last
