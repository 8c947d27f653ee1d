"""Row 10: a data folder PSI Desktop may not write to: a clear message, no crash, no data loss.

Root ignores file modes, so the checks run in a child that drops to uid/gid 65534 (nobody); see
tests/faults/_readonly_child.py. The profile lives in its own folder under the temp dir (pytest's
tmp_path is private to root), owned by root and readable by everyone.

- folder 0o555, files 0o444: ``psi-desktop cases`` exits 2 with one plain line, and creating a case
  through the services raises a UserFacingError, both saying the folder cannot be written;
- the same with a -wal left by a crash (committed data not yet in the store): the same message, and
  the data is still there when the folder is writable again;
- folder writable, store files 0o444: reading works, creating a case raises a UserFacingError.

In every case no file's bytes change.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from psi_desktop.paths import resource
from psi_desktop.services.demo import add_demo_case
from psi_desktop.services.profile import create_profile, recovery_key_shown, unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import KEY, STORE, crash_copy, integrity, run_module, snapshot

NOBODY = 65534
WAL_CASE = "Ward 8 - H (in the -wal)"


@pytest.fixture
def shared_dir():
    """A folder under the temp dir that nobody can reach; removed (modes restored) afterwards."""
    base = Path(tempfile.mkdtemp(prefix="psi-read-only-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def _make(directory: Path) -> None:
    with create_profile(directory, PASSPHRASE).profile as profile:
        add_demo_case(profile)
        profile.cases.create("Ward 6 - E", "Community")
    recovery_key_shown(directory)  # set up to the end, as `psi-desktop init` and the create dialog do


def _readable_by_all(directory: Path, *, dir_mode: int, file_mode: int = 0o444) -> None:
    for path in directory.rglob("*"):
        path.chmod(0o555 if path.is_dir() else file_mode)
    directory.chmod(dir_mode)


def _install(base: Path, *, readable: bool = True) -> Path:
    """A copy of the app's resources, laid out as an installed bundle, that nobody can read or not."""
    install = base / ("install" if readable else "private-install")
    shutil.copytree(resource("frameworks"), install / "psi_desktop" / "resources" / "frameworks")
    for path in [install, *install.rglob("*")]:
        path.chmod((0o755 if path.is_dir() else 0o644) if readable else 0o700)
    return install


def _run_as_nobody(base: Path, directory: Path, install: Path | None = None) -> dict:
    warm = base / "warm"
    _make(warm)
    install = install or _install(base)
    done = run_module("_readonly_child", str(warm), str(directory), str(install))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "skip" in result:
        pytest.skip(result["skip"])
    assert result["uid"] == NOBODY
    assert result["store_readable"], "the child cannot even read the store: the test proves nothing"
    return result


def _assert_cli_refuses_plainly(cli: dict) -> None:
    assert cli["rc"] == 2, cli
    assert cli["stdout"] == ""
    lines = cli["stderr"].strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in cli["stderr"], cli["stderr"]
    assert lines[0].startswith("psi-desktop: ") and "cannot write" in lines[0], lines[0]


def _assert_service_refuses_plainly(service: dict) -> None:
    assert "bug" not in service, service.get("traceback")
    assert not service.get("created"), "a case was created in a read-only profile"
    assert "UserFacingError" in service["error"], service
    assert "cannot write" in service["message"] and "Traceback" not in service["stderr"], service


def test_read_only_folder_gives_a_clear_message_and_changes_nothing(shared_dir: Path) -> None:
    directory = shared_dir / "profile"
    _make(directory)
    _readable_by_all(directory, dir_mode=0o555)
    before = snapshot(directory)
    result = _run_as_nobody(shared_dir, directory)
    assert not result["dir_writable"] and not result["store_writable"]
    _assert_cli_refuses_plainly(result["cli"])
    _assert_service_refuses_plainly(result["service"])
    assert snapshot(directory) == before
    assert sorted(p.name for p in directory.iterdir()) == sorted(before)


def test_read_only_folder_with_a_crash_wal_keeps_that_data(shared_dir: Path, make_profile) -> None:
    """The last saves are only in the -wal (the laptop was switched off); the folder is read-only."""
    source = shared_dir / "source"
    profile = make_profile(source, demo=True)
    profile.store.db.execute("PRAGMA wal_autocheckpoint = 0")
    profile.cases.create(WAL_CASE)
    directory = shared_dir / "profile"
    crash_copy(source, directory)
    profile.close()
    assert (directory / (STORE + "-wal")).stat().st_size > 0
    _readable_by_all(directory, dir_mode=0o555)
    before = snapshot(directory)

    result = _run_as_nobody(shared_dir, directory)
    _assert_cli_refuses_plainly(result["cli"])
    _assert_service_refuses_plainly(result["service"])
    assert snapshot(directory) == before

    directory.chmod(0o755)  # IT fixes the folder: nothing was lost
    with unlock_profile(directory, PASSPHRASE) as reopened:
        assert integrity(reopened) == ["ok"]
        assert reopened.cases.find(WAL_CASE) is not None


def test_read_only_store_files_can_be_read_but_not_written(shared_dir: Path) -> None:
    directory = shared_dir / "profile"
    _make(directory)
    _readable_by_all(directory, dir_mode=0o755)
    os.chown(directory, NOBODY, NOBODY)  # the folder is the user's; the store files are not
    before = {name: digest for name, digest in snapshot(directory).items() if name in (STORE, KEY)}
    result = _run_as_nobody(shared_dir, directory)
    assert result["dir_writable"] and not result["store_writable"]
    cli = result["cli"]
    assert cli["rc"] == 0 and "Ward 6 - E" in cli["stdout"] and "Traceback" not in cli["stderr"], cli
    _assert_service_refuses_plainly(result["service"])
    after = snapshot(directory)
    assert {name: after[name] for name in (STORE, KEY)} == before
    assert stat.S_IMODE((directory / STORE).stat().st_mode) == 0o444


def test_an_install_this_user_cannot_read_is_a_plain_message_not_a_bug(shared_dir: Path) -> None:
    """What a fresh Debian showed: the app under /root, run as another user. Exit 2 and one line, not 1."""
    directory = shared_dir / "profile"
    _make(directory)
    _readable_by_all(directory, dir_mode=0o755)
    os.chown(directory, NOBODY, NOBODY)
    result = _run_as_nobody(shared_dir, directory, _install(shared_dir, readable=False))
    cli = result["cli"]
    assert cli["rc"] == 2, cli
    lines = cli["stderr"].strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in cli["stderr"], cli["stderr"]
    assert "resources folder is missing or cannot be read" in lines[0] and "reinstall" in lines[0], lines[0]
    assert "bug" not in result["service"], result["service"].get("traceback")
