"""Created means shown: a profile killed before its recovery key was shown gets a new key, shown at unlock.

create_profile leaves a ``recovery-pending`` marker (written before the store is in place); only
showing the key clears it (``psi-desktop init`` printing it, or the create dialog's recovery page
confirmed). Unlocked while the marker is there, the unseen key is replaced by a new one, shown
first; the old one no longer opens anything. The GUI side is in tests/ui/test_profile_dialogs.py.
"""

from __future__ import annotations

import re
import signal
import uuid
from pathlib import Path

import pytest

from psi_desktop.domain.model import Case
from psi_desktop.services.profile import (
    RECOVERY_PENDING_FILE,
    ProfileState,
    create_profile,
    profile_state,
    recovery_key_pending,
)
from psi_desktop.storage.keys import KeyFile, WrongRecoveryKeyError
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import Child, run_cli

KEY_PATTERN = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}\b")


def _killed_after_making(directory: Path) -> str:
    child = Child.start("_create_child", str(directory))
    try:
        reached = child.wait_for("made", timeout=30)
    finally:
        status = child.kill()
    assert reached, child.error_output
    assert status == -signal.SIGKILL
    return child.lines[0]


def test_killed_before_the_key_was_shown_the_cli_shows_a_new_one_and_the_old_one_stops_working(tmp_path: Path):
    directory = tmp_path / "profile"
    unseen = _killed_after_making(directory)
    assert profile_state(directory) is ProfileState.ENCRYPTED and recovery_key_pending(directory)
    KeyFile(directory).unlock_with_recovery_key(unseen).clear()  # it still worked before the unlock

    done = run_cli(directory, "cases")
    assert done.returncode == 0, done.stderr
    assert "Ward 8 - R" in done.stdout, "the records are all there"
    assert "recovery key was never shown" in done.stderr
    shown = KEY_PATTERN.findall(done.stderr)
    assert len(shown) == 1 and shown[0] != unseen
    assert unseen not in done.stdout + done.stderr
    assert not recovery_key_pending(directory)
    with pytest.raises(WrongRecoveryKeyError):
        KeyFile(directory).unlock_with_recovery_key(unseen)
    assert len(KeyFile(directory).unlock_with_recovery_key(shown[0])) == 32

    again = run_cli(directory, "cases")
    assert again.returncode == 0 and KEY_PATTERN.findall(again.stderr) == [], "shown once, then never again"


def test_init_prints_the_key_and_only_then_is_the_profile_set_up(tmp_path: Path):
    directory = tmp_path / "profile"
    done = run_cli(directory, "init")
    assert done.returncode == 0, done.stderr
    printed = KEY_PATTERN.findall(done.stdout)
    assert len(printed) == 1
    assert not (directory / RECOVERY_PENDING_FILE).exists()
    assert len(KeyFile(directory).unlock_with_recovery_key(printed[0])) == 32
    later = run_cli(directory, "cases")
    assert later.returncode == 0 and KEY_PATTERN.findall(later.stdout + later.stderr) == []


def test_the_marker_is_written_before_the_store_is_in_place_for_new_and_converted_stores(tmp_path: Path, monkeypatch):
    import psi_desktop.services.profile as profiles

    seen = []
    real_install = profiles.install_store

    def install(ready, target):
        seen.append(recovery_key_pending(target.parent))
        real_install(ready, target)

    monkeypatch.setattr(profiles, "install_store", install)
    directory = tmp_path / "new"
    create_profile(directory, PASSPHRASE).profile.close()

    from sqlite_utils import Database

    from psi_desktop.storage import STORE_FILE, Store
    from psi_desktop.storage.store import _configure, _connect, _migrate

    old = tmp_path / "old"
    old.mkdir()
    db = Database(_connect(old / STORE_FILE, None))
    _configure(db, old / STORE_FILE)
    _migrate(db)
    Store(db, old / STORE_FILE).cases.add(Case(id=uuid.uuid4(), code="Old ward - Z"))
    db.close()
    assert profile_state(old) is ProfileState.PLAINTEXT
    converted = create_profile(old, PASSPHRASE)
    converted.profile.close()
    assert seen == [True, True]
    assert recovery_key_pending(directory) and recovery_key_pending(old)

    done = run_cli(old, "cases")  # a conversion never shown goes the same way
    assert done.returncode == 0 and "Old ward - Z" in done.stdout
    assert "recovery key was never shown" in done.stderr
    with pytest.raises(WrongRecoveryKeyError):
        KeyFile(old).unlock_with_recovery_key(converted.recovery_key)
