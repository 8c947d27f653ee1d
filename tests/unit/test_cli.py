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
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch):
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)


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
    out = capsys.readouterr().out
    assert "Demo - Ward 3" in out
    assert "recovery key" in out
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


def test_damaged_store_exits_2_and_is_left_alone(tmp_path: Path, make_profile):
    profile = tmp_path / "profile"
    make_profile(profile).close()
    store = profile / "psi-desktop.db"
    store.write_bytes(b"\x00" * 4096)
    result = run_cli("--data-dir", str(profile), "cases")
    assert result.returncode == 2
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
    assert store.read_bytes() == b"\x00" * 4096


def test_wrong_passphrase_exits_2_saying_so(tmp_path: Path, make_profile):
    profile = tmp_path / "profile"
    make_profile(profile).close()
    before = (profile / "psi-desktop.db").read_bytes()
    result = run_cli("--data-dir", str(profile), "cases", env={"PSI_DESKTOP_PASSPHRASE": "wrong"})
    assert result.returncode == 2
    assert "passphrase is not right" in result.stderr and "damaged" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert (profile / "psi-desktop.db").read_bytes() == before


def test_without_a_terminal_or_the_variable_it_asks_for_the_passphrase(tmp_path: Path, make_profile, monkeypatch):
    profile = tmp_path / "profile"
    make_profile(profile).close()
    monkeypatch.delenv("PSI_DESKTOP_PASSPHRASE")
    result = subprocess.run(
        [sys.executable, "-m", "psi_desktop", "--data-dir", str(profile), "cases"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "PSI_DESKTOP_PASSPHRASE" in result.stderr


def test_backup_check_and_restore_from_the_command_line(tmp_path: Path, make_profile, capsys):
    directory = tmp_path / "profile"
    profile = make_profile(directory, demo=True)
    profile.close()
    assert main(["--data-dir", str(directory), "backup"]) == 0
    backup = Path(capsys.readouterr().out.split("Backup written to ", 1)[1].strip())
    assert backup.parent == directory / "backups"
    assert main(["--data-dir", str(directory), "check"]) == 0
    checked = capsys.readouterr().out.splitlines()
    assert len(checked) == 2 and all(line.startswith("ok") for line in checked)
    assert "1 cases, 6 reflections" in checked[1]

    with unlock_profile(directory, PASSPHRASE) as p:
        p.cases.create("Added after the backup")
    assert main(["--data-dir", str(directory), "restore", str(backup)]) == 0
    assert "kept as psi-desktop.db.before-restore-" in capsys.readouterr().out
    assert main(["--data-dir", str(directory), "cases", "--json"]) == 0
    assert [c["code"] for c in json.loads(capsys.readouterr().out)] == ["Demo - Ward 3"]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--data-dir", "", "cases"], None),
        (["cases", "--data-dir", " "], None),
        (["init"], ""),
        (["cases"], "  "),
    ],
)
def test_an_empty_data_dir_is_an_error_never_the_real_profile(args, env, monkeypatch, capsys):
    """Issue #12 item 5: an empty --data-dir or $PSI_DESKTOP_DATA_DIR never falls back to the user's profile."""
    from psi_desktop import cli, paths

    if env is not None:
        monkeypatch.setenv(paths.DATA_DIR_ENV, env)
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", "correct horse battery staple")
    real = paths.default_data_dir()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "empty" in err, err
    assert not real.exists(), "the user's own profile folder was touched"
