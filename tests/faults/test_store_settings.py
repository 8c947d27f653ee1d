"""Row 2: the settings every open store runs with, read back with PRAGMA from its own connection.

WAL with synchronous=FULL survives power loss; foreign keys on; temporary tables in memory (no
unencrypted temp files); a busy timeout; SQLCipher's logging off (else a wrong key prints to stderr).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from psi_desktop.services.backups import make_backup
from psi_desktop.services.profile import unlock_profile
from psi_desktop.storage.store import open_store
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import CHILD_TIMEOUT, STORE, child_env

EXPECTED = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "temp_store": 2,  # MEMORY
    "cipher_log_level": "NONE",
    "busy_timeout": 5000,
}


def _settings(store) -> dict[str, object]:
    return {name: store.db.execute(f"PRAGMA {name}").fetchone()[0] for name in EXPECTED}


def test_new_profile_store_runs_with_safe_settings(tmp_path: Path, make_profile) -> None:
    profile = make_profile(tmp_path / "profile")
    assert _settings(profile.store) == EXPECTED


def test_reopened_profile_store_runs_with_safe_settings(tmp_path: Path, make_profile) -> None:
    directory = tmp_path / "profile"
    make_profile(directory, demo=True).close()
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert _settings(profile.store) == EXPECTED
        # The settings hold on a connection that has been writing, not only on a fresh one.
        profile.cases.create("Ward 9 - Z")
        assert _settings(profile.store) == EXPECTED


def test_backup_worker_connection_runs_with_safe_settings(tmp_path: Path, make_profile, monkeypatch) -> None:
    """make_backup opens its own connection (it runs on a worker thread): same settings there."""
    import psi_desktop.services.backups as backups

    directory = tmp_path / "profile"
    profile = make_profile(directory, demo=True)
    seen = []

    def spying_open_store(*args, **kwargs):
        store = open_store(*args, **kwargs)
        seen.append(_settings(store))
        return store

    monkeypatch.setattr(backups, "open_store", spying_open_store)
    make_backup(directory, profile.key)
    assert seen == [EXPECTED]


_WRONG_KEY_CHILD = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
if sys.argv[2] == "raw":
    from sqlcipher3 import dbapi2 as sqlite3
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA key = \\"x'" + "00" * 32 + "'\\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        print("refused")
else:
    from psi_desktop.errors import StoreError
    from psi_desktop.storage.store import open_store
    try:
        open_store(path, bytes(32))
    except StoreError:
        print("refused")
"""


@pytest.mark.parametrize("how", ["raw", "app"])
def test_a_wrong_key_prints_nothing_from_sqlcipher(tmp_path: Path, make_profile, how: str) -> None:
    """With SQLCipher's logging on (``raw``), a wrong key prints to stderr; the app's open must not."""
    directory = tmp_path / "profile"
    make_profile(directory).close()
    done = subprocess.run(
        [sys.executable, "-c", _WRONG_KEY_CHILD, str(directory / STORE), how],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert done.stdout.strip() == "refused", done.stderr
    noisy = "ERROR CORE" in done.stderr or "hmac check failed" in done.stderr
    if how == "raw":
        assert noisy, "control: SQLCipher no longer logs a wrong key, so this test proves nothing"
    else:
        assert not noisy, done.stderr
