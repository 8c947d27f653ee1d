"""The dependency rules in pyproject.toml hold: only ui, app and cli import Qt; ui and cli reach storage and
reporting only through services; layers point one way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout
    assert "The UI and the command line reach storage and reporting only through services KEPT" in result.stdout


def test_starting_the_command_line_imports_no_qt_matplotlib_or_reportlab():
    code = (
        "import sys; import psi_desktop.cli, psi_desktop.services.profile; "
        "print(sorted(m for m in ('PySide6', 'matplotlib', 'reportlab') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
