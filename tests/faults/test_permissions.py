"""Row 21: a profile's folders are 0700 and its files 0600, whatever the umask, and are put back so at open.

- the real CLI, in a child whose umask is 000 or 002, makes a profile (``init``), lists its cases and
  makes a backup: every folder is 0700 and every file 0600;
- the services alone (no CLI to set the umask) make them so as well;
- a profile whose files were made 0666 and folders 0777 is fixed when it is opened, with one warning
  line from the CLI, a log line naming only file names, and the same words in the main window's
  status bar.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from psi_desktop.logs import log_path
from psi_desktop.services.profile import create_profile, unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import CHILD_TIMEOUT, ROOT, child_env, cli_command, run_cli

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


def _modes(directory: Path) -> dict[str, int]:
    paths = [directory, *directory.rglob("*")]
    return {str(p.relative_to(directory)): stat.S_IMODE(p.lstat().st_mode) for p in paths}


def _not_private(directory: Path) -> dict[str, str]:
    wrong = {}
    for name, mode in _modes(directory).items():
        want = 0o700 if (directory / name).is_dir() else 0o600
        if mode != want:
            wrong[name] = oct(mode)
    return wrong


def _cli(directory: Path, *args: str, umask: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cli_command(), "--data-dir", str(directory), *args],
        env=child_env({"PSI_DESKTOP_PASSPHRASE": PASSPHRASE}),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        umask=umask,
        check=False,
    )


@pytest.mark.parametrize("umask", [0o000, 0o002], ids=["umask 000", "umask 002"])
def test_a_profile_made_and_used_under_a_loose_umask_is_private(tmp_path: Path, umask: int) -> None:
    directory = tmp_path / "profile"
    for args in (("init", "--demo"), ("cases",), ("backup",)):
        done = _cli(directory, *args, umask=umask)
        assert done.returncode == 0, (args, done.stderr)
        assert "warning" not in done.stderr, done.stderr  # made private, not fixed afterwards
    names = set(_modes(directory))
    assert {"psi-desktop.db", "psi-desktop.key", "backups", "logs", "logs/psi-desktop.log"} <= names, names
    assert any(n.startswith("backups/psi-desktop-") for n in names), names
    assert _not_private(directory) == {}


def test_the_services_make_a_profile_private_without_the_cli(tmp_path: Path) -> None:
    from psi_desktop.logs import configure_logging
    from psi_desktop.services.backups import make_backup

    directory = tmp_path / "profile"
    old = os.umask(0o000)
    try:
        configure_logging(directory)
        with create_profile(directory, PASSPHRASE).profile as profile:
            assert profile.permission_warning is None
            profile.cases.create("Ward 1 - A")
            assert (directory / "psi-desktop.db-wal").exists()  # as SQLite made it, while open
            assert _not_private(directory) == {}
    finally:
        os.umask(old)
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert profile.permission_warning is None
        make_backup(directory, profile.key)
    # make_backup's own folder follows the umask of this test process (022); the next open fixes it.


def _open_to_everyone(directory: Path) -> None:
    for path in [directory, *directory.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)


def test_a_profile_open_to_others_is_fixed_at_open_with_a_warning(tmp_path: Path, make_profile) -> None:
    directory = tmp_path / "profile"
    make_profile(directory, demo=True).close()
    done = run_cli(directory, "backup")
    assert done.returncode == 0, done.stderr
    _open_to_everyone(directory)

    done = run_cli(directory, "cases")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("psi-desktop: warning: Some files of this profile could be read or changed")
    assert "(the profile folder, " in lines[0] and "psi-desktop.db" in lines[0] and "now private to you" in lines[0]
    assert str(tmp_path) not in lines[0], "names only, never a full path"
    assert _not_private(directory) == {}
    logged = log_path(directory).read_text(encoding="utf-8")
    assert "could be read or changed by other users" in logged and str(tmp_path) not in logged

    done = run_cli(directory, "cases")  # fixed: no warning the next time
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_a_link_in_the_profile_is_not_followed(tmp_path: Path, make_profile) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not the profile's")
    outside.chmod(0o644)
    directory = tmp_path / "profile"
    make_profile(directory).close()
    (directory / "link").symlink_to(outside)
    (directory / "psi-desktop.key").chmod(0o644)
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert profile.permission_warning
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


@pytest.mark.gui
def test_the_main_window_shows_the_warning_in_its_status_bar(qtbot, tmp_path: Path, make_profile, screenshot) -> None:
    from psi_desktop.app import settings_for
    from psi_desktop.ui.main_window import MainWindow
    from tests.ui.conftest import unlock

    directory = tmp_path / "profile"
    make_profile(directory, demo=True).close()
    _open_to_everyone(directory)
    window = MainWindow(directory, settings_for(directory))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        unlock(qtbot, window)
        message = window.statusBar().currentMessage()
        assert message == "Other users of this computer could open your profile's files. They are now private to you."
        screenshot(window, "permissions-fixed-status-bar")
    finally:
        window.shutdown()
