"""One PSI Desktop per profile, a stale lock reclaimed, and a data folder that cannot be written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from psi_desktop.app import LOCK_FILE, instance_lock, run


@pytest.fixture(autouse=True)
def _keep_excepthook(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)


@pytest.fixture
def warnings(monkeypatch) -> list[tuple[str, str]]:
    """What app.run would show in a warning box, instead of showing it."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


def test_a_second_instance_is_refused_with_a_clear_message(qtbot, tmp_path, make_profile, warnings):
    """RELIABILITY row 9; its "within 1 s" is checked on demand (tests/perf/test_time_budgets.py)."""
    directory = tmp_path / "profile"
    make_profile(directory).close()
    with instance_lock(directory):
        code = run(directory)
    assert code == 2
    ((title, text),) = warnings
    assert title == "PSI Desktop cannot open your profile"
    assert "already open with this profile" in text
    with instance_lock(directory):
        pass  # the refused start did not leave the lock held


CHILD = """
import os, sys
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
assert lock.tryLock(0)
print("locked", flush=True)
if sys.argv[2] == "exit":
    os._exit(0)  # no unlock: as if the power went
sys.stdin.read()
"""


def leave_a_stale_lock(tmp_path, how: str):
    """A profile folder whose instance lock was taken by a process that then died without unlocking."""
    directory = tmp_path / "profile"
    directory.mkdir()
    lock_file = directory / LOCK_FILE
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(lock_file), "exit" if how == "exit" else "wait"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert child.stdout.readline().strip() == b"locked"
    if how == "kill -9":
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert lock_file.exists(), "the dead process left its lock behind"
    return directory


@pytest.mark.parametrize("how", ["exit", "kill -9"])
def test_a_stale_lock_from_a_killed_process_is_reclaimed(tmp_path, how):
    directory = leave_a_stale_lock(tmp_path, how)
    with instance_lock(directory):  # taken over, not refused (how soon: tests/perf/test_time_budgets.py)
        pass


def test_a_data_folder_that_cannot_be_made_is_a_clear_message_not_a_crash(qtbot, tmp_path, warnings):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    assert run(blocker / "profile") == 2
    ((_, text),) = warnings
    assert "cannot make its data folder" in text


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr to make a folder read-only as root")
def test_a_read_only_data_folder_is_a_clear_message_not_a_crash(qtbot, tmp_path, make_profile, warnings):
    directory = tmp_path / "profile"
    make_profile(directory).close()
    before = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(directory)], capture_output=True).returncode != 0:
            pytest.skip("this file system cannot make a folder immutable")
    else:
        directory.chmod(0o555)
    try:
        assert run(directory) == 2
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
        else:
            directory.chmod(0o755)
    ((_, text),) = warnings
    assert "cannot write to its data folder" in text and "Ask IT" in text
    assert {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()} == before, "nothing changed"
