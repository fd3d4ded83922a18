"""The kernel imports no domain package, and domain packages depend on each other one way
(DESIGN.md: coop <- members <- ledger <- minga, meetings), checked by import-linter."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_packages_depend_on_each_other_in_one_direction_only():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_kernel_module_importing_a_domain_package_breaks_the_contract(tmp_path):
    """The contract is not vacuous: a kernel module that imports ``ledger`` is reported."""
    for package in ("coop", "members", "ledger", "minga", "meetings"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "coop" / "sneaky.py").write_text("import ledger\n")
    config = (ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(config[config.index("[tool.importlinter]"):])
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "coop.sneaky -> ledger" in result.stdout
