"""Row 25: two writers at once. One wins; the other exits 2 with a plain line; nothing is replaced.

- two real CLI imports of the same bundle, started at the same instant: one imports, the other is
  refused by the profile lock, and no case is there twice;
- while the app holds its lock (instance_lock, taken in this process), ``backup``, ``backup --out``,
  ``import`` and ``restore`` are refused and the store's bytes do not change; once it is released
  each of them works;
- a store kept locked by another connection past the busy timeout: a plain "busy" line, exit 2,
  decided by SQLite's error code.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from psi_desktop import cli
from psi_desktop.app import instance_lock
from psi_desktop.services.backups import backup_files, make_backup
from psi_desktop.services.bundles import export_bundle
from psi_desktop.storage import store as store_module
from psi_desktop.storage.sqlcipher import sqlite3
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import CHILD_TIMEOUT, ROOT, STORE, child_env, snapshot

BUNDLE_PASSPHRASE = "lantern orchard velvet quarry"
IN_USE = (
    "PSI Desktop is open with this profile (or another command is using it). Close it, or try again when it is done."
)
CASES = 600  # enough that the winner still holds the lock when a child slowed by a busy machine gets there

# The real CLI's main, entered by both children at one agreed instant (after Python has started).
AT_ONCE = """
import sys, time
from psi_desktop.cli import main
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def bundle(tmp_path: Path, make_profile) -> Path:
    """An encrypted bundle of many cases (reading it takes a real key derivation: the winner is slow)."""
    with make_profile(tmp_path / "source") as source:
        for n in range(CASES):
            source.cases.create(f"Case {n:03d}")
        path = tmp_path / "cases.psibundle"
        export_bundle(source, path, passphrase=BUNDLE_PASSPHRASE)
    return path


@pytest.fixture
def profile_dir(tmp_path: Path, make_profile) -> Path:
    directory = tmp_path / "profile"
    with make_profile(directory, demo=True):
        pass
    return directory


def _store_bytes(directory: Path) -> dict[str, str]:
    return {name: digest for name, digest in snapshot(directory).items() if name.startswith(STORE)}


def _case_codes(directory: Path) -> list[str]:
    from psi_desktop.services.profile import unlock_profile

    with unlock_profile(directory, PASSPHRASE) as profile:
        return [s.case.code for s in profile.cases.summaries()]


def _assert_refused_plainly(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.strip() == f"psi-desktop: {IN_USE}", done.stderr
    assert "Traceback" not in done.stderr


def test_two_imports_at_once_one_imports_and_the_other_exits_2(profile_dir: Path, bundle: Path) -> None:
    env = child_env({"PSI_DESKTOP_PASSPHRASE": PASSPHRASE, "PSI_DESKTOP_BUNDLE_PASSPHRASE": BUNDLE_PASSPHRASE})
    start = time.time() + 2.0  # both have started Python and imported the CLI by then
    command = [sys.executable, "-c", AT_ONCE, str(start), "--data-dir", str(profile_dir), "import", str(bundle)]
    children = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    results = []
    for child in children:
        out, err = child.communicate(timeout=CHILD_TIMEOUT)
        results.append((child.returncode, out, err))
    results.sort()
    (won_rc, won_out, _), (lost_rc, lost_out, lost_err) = results
    assert won_rc == 0 and "Imported." in won_out, results
    assert lost_rc == 2 and lost_out == "", results
    assert lost_err.strip() == f"psi-desktop: {IN_USE}", lost_err

    codes = _case_codes(profile_dir)
    assert len(codes) == len(set(codes)) == CASES + 1  # the demo case and each imported case, once


@pytest.mark.parametrize(
    "command",
    [("backup",), ("backup", "--out", "{tmp}/copy.db"), ("import", "{bundle}"), ("restore", "{backup}")],
    ids=["backup", "backup --out", "import", "restore"],
)
def test_while_the_app_has_the_profile_writers_are_refused_then_work(
    profile_dir: Path, bundle: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    from psi_desktop.services.profile import unlock_key

    backup = make_backup(profile_dir, bytes(unlock_key(profile_dir, PASSPHRASE)))
    args = [part.format(tmp=tmp_path, bundle=bundle, backup=backup) for part in command]
    env = {"PSI_DESKTOP_BUNDLE_PASSPHRASE": BUNDLE_PASSPHRASE}
    before, backups_before = _store_bytes(profile_dir), backup_files(profile_dir)
    with instance_lock(profile_dir):  # the app is open with this profile
        done = _run(profile_dir, args, env)
        _assert_refused_plainly(done)
        assert _store_bytes(profile_dir) == before, "a refused command changed the store"
        assert backup_files(profile_dir) == backups_before
        assert not (tmp_path / "copy.db").exists()
    done = _run(profile_dir, args, env)  # the app is closed: now it works
    assert done.returncode == 0, done.stderr
    if command[0] == "import":
        assert len(_case_codes(profile_dir)) == CASES + 1


def _run(directory: Path, args: list[str], extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "psi_desktop", "--data-dir", str(directory), *args],
        env=child_env({"PSI_DESKTOP_PASSPHRASE": PASSPHRASE, **extra}),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        check=False,
    )


def test_a_store_kept_busy_past_the_timeout_is_a_plain_exit_2(
    profile_dir: Path, bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection (not PSI Desktop's lock: a tool, a stuck process) holds the write lock."""
    from psi_desktop.services.profile import unlock_key

    key = bytes(unlock_key(profile_dir, PASSPHRASE))
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PSI_DESKTOP_BUNDLE_PASSPHRASE", BUNDLE_PASSPHRASE)
    other = sqlite3.connect(str(profile_dir / STORE), isolation_level=None)
    try:
        other.execute("PRAGMA cipher_log_level = NONE")
        other.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        other.execute("BEGIN IMMEDIATE")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main(["--data-dir", str(profile_dir), "import", str(bundle)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert rc == 2, err.getvalue()
    assert err.getvalue().strip() == "psi-desktop: PSI Desktop is busy with this profile; try again."
    assert len(_case_codes(profile_dir)) == 1, "nothing was imported"


def test_busy_is_told_by_the_error_code_not_the_words() -> None:
    from psi_desktop.storage.repositories import is_busy_error

    class Coded(Exception):
        def __init__(self, code: int) -> None:
            super().__init__("some words")
            self.sqlite_errorcode = code

    assert is_busy_error(Coded(5)) and is_busy_error(Coded(6)) and is_busy_error(Coded(5 | (2 << 8)))
    assert not is_busy_error(Coded(13))  # SQLITE_FULL
    assert not is_busy_error(Exception("database is locked"))  # words alone decide nothing


def test_with_the_app_open_cli_outputs_onto_its_store_are_refused_and_its_later_saves_are_kept(
    tmp_path: Path, make_profile
) -> None:
    """Issue #11 item 11: the app's store is never replaced under it, so nothing typed later is lost."""
    from psi_desktop.services.profile import unlock_profile

    profile = make_profile(tmp_path / "profile", demo=True)
    directory = profile.directory
    store = directory / STORE
    with instance_lock(directory):  # the app is open, its store too
        profile.cases.create("Ward 1 - before")
        for args in (
            ["export", "csv", "--out", str(store), "--force"],
            ["backup", "--out", str(store), "--force"],
            ["backup", "--out", str(directory / (STORE + "-wal")), "--force"],
            ["import", str(store)],
        ):
            done = _run(directory, args, {})
            assert done.returncode == 2 and done.stderr.count("\n") == 1, (args, done.stderr)
        for n in range(5):  # the session goes on after the refused commands
            profile.cases.create(f"Ward 2 - later {n}")
        profile.close()
    with unlock_profile(directory, PASSPHRASE) as reopened:
        codes = {s.case.code for s in reopened.cases.summaries()}
    assert {"Ward 1 - before", *(f"Ward 2 - later {n}" for n in range(5))} <= codes
