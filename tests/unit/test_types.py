"""mypy, strict on domain, services and storage (the [tool.mypy] settings in pyproject.toml), finds no error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["psi_desktop/domain", "psi_desktop/services", "psi_desktop/storage"]


def test_domain_services_and_storage_type_check_strictly():
    # The cache (.mypy_cache in the repo, git-ignored) makes a rerun take a fraction of a second; cold ~4 s.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
