"""The command line: exit codes, messages and output shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from psi_desktop import __version__
from psi_desktop.cli import main


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "psi_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"psi-desktop {__version__}"


def test_init_demo_then_cases_as_json_and_as_a_table(tmp_path: Path, capsys):
    profile = tmp_path / "profile"
    assert main(["--data-dir", str(profile), "init", "--demo"]) == 0
    assert "Demo - Ward 3" in capsys.readouterr().out
    assert main(["cases", "--json", "--data-dir", str(profile)]) == 0
    (case,) = json.loads(capsys.readouterr().out)
    assert set(case) == {"id", "code", "open_actions", "reflections"}
    assert case["code"] == "Demo - Ward 3"
    assert case["open_actions"] >= 1
    assert len(case["reflections"]) == 6
    assert set(case["reflections"][0]) == {"id", "session_date", "status"}
    assert [r["session_date"] for r in case["reflections"]] == sorted(r["session_date"] for r in case["reflections"])
    assert main(["--data-dir", str(profile), "cases"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["Case", "Reflections", "Last", "session", "Open", "actions"]
    assert table[1].startswith("Demo - Ward 3") and " 6 " in table[1]


def test_data_dir_comes_from_the_environment(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("PSI_DESKTOP_DATA_DIR", str(tmp_path / "from-env"))
    assert main(["init"]) == 0
    assert (tmp_path / "from-env" / "psi-desktop.db").exists()
    assert main(["init"]) == 2
    assert "already a profile" in capsys.readouterr().err


def test_user_errors_exit_2_with_one_line_and_no_traceback(tmp_path: Path):
    result = run_cli("--data-dir", str(tmp_path / "none"), "cases")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no PSI Desktop profile" in result.stderr and "psi-desktop init" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "none").exists()


def test_damaged_store_exits_2_and_is_left_alone(tmp_path: Path):
    profile = tmp_path / "profile"
    profile.mkdir()
    store = profile / "psi-desktop.db"
    store.write_bytes(b"\x00" * 4096)
    result = run_cli("--data-dir", str(profile), "cases")
    assert result.returncode == 2
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
    assert store.read_bytes() == b"\x00" * 4096
