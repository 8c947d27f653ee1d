"""RELIABILITY rows 18, 22 and 26, and issue #11 items 8 and 13: the key, the backups and restores keep everything.

- each backup carries a copy of the key file, so a lost key file costs nothing (the recovery key
  restores the latest backup);
- backups rotate in the order they were made, whatever the clock says;
- a retiring passphrase change re-encrypts every file under a new key, crash-safely;
- restores read a backup's -wal, refuse the live store and list what they set aside;
- a key file with any field out of range is "damaged", exit 2.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from psi_desktop.errors import UserFacingError
from psi_desktop.services import backups as backups_service
from psi_desktop.services.backups import backup_files, check_profile, key_copy, list_backups, make_backup
from psi_desktop.services.profile import (
    create_profile,
    recovery_key_shown,
    retire_passphrase,
    unlock_key,
    unlock_profile,
)
from psi_desktop.storage import STORE_FILE
from psi_desktop.storage.keys import KeyFile, KeyFileError, WrongPassphraseError, WrongRecoveryKeyError
from psi_desktop.storage.store import _connect, key_opens
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import child_env, cli_command, crash_copy, make_reflection, new_canary, run_cli, snapshot

NEW_PASSPHRASE = "a quite different passphrase"


def _create(directory: Path):
    """A new profile whose recovery key counts as shown (as after the set-up page)."""
    made = create_profile(directory, PASSPHRASE)
    recovery_key_shown(directory)
    return made


def _codes(directory: Path, passphrase: str = PASSPHRASE) -> list[str]:
    with unlock_profile(directory, passphrase) as profile:
        return sorted(s.case.code for s in profile.cases.summaries())


def _run(directory: Path, *args: str, **env: str):
    import subprocess

    return subprocess.run(
        [*cli_command(), "--data-dir", str(directory), *args],
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


# -- row 18: the key file deleted or damaged ------------------------------------------------------------


def test_key_file_deleted_then_the_latest_backup_restores_with_the_recovery_key(tmp_path: Path) -> None:
    directory = tmp_path / "profile"
    made = _create(directory)
    with made.profile as profile:
        for i in range(3):
            profile.cases.create(f"Ward {i} - A")
        make_backup(directory, profile.key)
        profile.cases.create("Ward 9 - after the backup")
    latest = backup_files(directory)[0]
    assert key_copy(latest).exists()
    (directory / "psi-desktop.key").unlink()
    (directory / STORE_FILE).write_bytes(b"\0" * 8192)  # and the store is lost too

    refused = run_cli(directory, "cases")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    done = _run(
        directory,
        "restore",
        str(latest),
        "--recovery-key",
        PSI_DESKTOP_RECOVERY_KEY=made.recovery_key.lower().replace("-", " "),
        PSI_DESKTOP_PASSPHRASE=NEW_PASSPHRASE,
    )
    assert done.returncode == 0, done.stderr
    assert _codes(directory, NEW_PASSPHRASE) == ["Ward 0 - A", "Ward 1 - A", "Ward 2 - A"]
    with pytest.raises(WrongPassphraseError):
        unlock_key(directory, PASSPHRASE)  # the recovery key set the new passphrase


def test_the_recovery_key_opens_a_profile_whose_key_file_is_gone_without_a_restore(tmp_path: Path) -> None:
    directory = tmp_path / "profile"
    made = _create(directory)
    with made.profile as profile:
        profile.cases.create("Ward 1 - B")
        make_backup(directory, profile.key)
        profile.cases.create("Ward 2 - after the backup")  # only in the store, not in the backup
    (directory / "psi-desktop.key").write_text("{}")
    with pytest.raises(WrongRecoveryKeyError):
        from psi_desktop.services.profile import recover_profile

        recover_profile(directory, "0000-0000-0000-0000-0000-0000-0000-0000", NEW_PASSPHRASE)
    from psi_desktop.services.profile import recover_profile

    with recover_profile(directory, made.recovery_key, NEW_PASSPHRASE) as profile:
        assert sorted(s.case.code for s in profile.cases.summaries()) == ["Ward 1 - B", "Ward 2 - after the backup"]
    assert [p.read_text() for p in directory.glob("psi-desktop.key.damaged-*")] == ["{}"]


# -- row 26: the clock set back between backups ----------------------------------------------------------


def test_with_the_clock_set_back_a_day_the_newest_backup_survives_rotation(tmp_path: Path, make_profile, monkeypatch):
    profile = make_profile(tmp_path / "p")
    for i in range(10):
        profile.cases.create(f"Case {i}")
        make_backup(profile.directory, profile.key, keep=10)

    real = dt.datetime

    class SetBack(real):
        @classmethod
        def now(cls, tz=None):
            return real.now(tz) - dt.timedelta(days=1)

    monkeypatch.setattr(backups_service, "dt", SimpleNamespace(datetime=SetBack, UTC=dt.UTC))
    profile.cases.create("Newest")
    newest = make_backup(profile.directory, profile.key, keep=10)

    kept = backup_files(profile.directory)
    assert kept[0] == newest and newest.exists() and key_copy(newest).exists()
    assert len(kept) == 10
    infos = list_backups(profile.directory, profile.key)
    assert infos[0].cases == 11, "the backup holding the newest records is listed first"
    assert [i.cases for i in infos] == list(range(11, 1, -1)), "the oldest made was dropped, not the newest"
    assert len(list((profile.directory / "backups").glob("*.key"))) == 10, "key copies rotate with their backups"


# -- item 8: retiring a passphrase ----------------------------------------------------------------------


def _profile_with_backups(directory: Path) -> tuple[bytes, str]:
    made = _create(directory)
    with made.profile as profile:
        profile.cases.create("Ward 3 - R")
        make_backup(directory, profile.key)
        profile.cases.create("Ward 4 - R")
        make_backup(directory, profile.key)
        key = profile.key
    return key, made.recovery_key


def test_a_retiring_change_rotates_the_key_so_an_old_key_file_copy_opens_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "profile"
    old_key, old_recovery = _profile_with_backups(directory)
    stolen = tmp_path / "stolen.key"
    shutil.copyfile(directory / "psi-desktop.key", stolen)
    files = [directory / STORE_FILE, *backup_files(directory)]
    steps = []

    retired = retire_passphrase(directory, old_key, PASSPHRASE, NEW_PASSPHRASE, progress=lambda f, m: steps.append(f))
    assert bytes(retired.key) != old_key and retired.recovery_key != old_recovery
    assert steps[-1] == 1.0 and len(steps) == len(files) + 1
    old = bytes(KeyFile.at(stolen).unlock(PASSPHRASE))
    assert old == old_key
    for path in files:
        assert not key_opens(path, old), f"{path.name} still opens with the old key"
        assert key_opens(path, bytes(retired.key))
    with pytest.raises(WrongPassphraseError):
        unlock_key(directory, PASSPHRASE)
    with pytest.raises(WrongRecoveryKeyError):
        KeyFile(directory).unlock_with_recovery_key(old_recovery)
    assert _codes(directory, NEW_PASSPHRASE) == ["Ward 3 - R", "Ward 4 - R"]
    infos = list_backups(directory, bytes(unlock_key(directory, NEW_PASSPHRASE)))
    assert [(i.ok, i.cases) for i in infos] == [(True, 2), (True, 1)]
    for backup in backup_files(directory):  # each copy opens with the new passphrase and recovery key
        assert bytes(KeyFile.at(key_copy(backup)).unlock(NEW_PASSPHRASE)) == bytes(retired.key)
        assert bytes(KeyFile.at(key_copy(backup)).unlock_with_recovery_key(retired.recovery_key)) == bytes(retired.key)
    assert "previous" not in json.loads((directory / "psi-desktop.key").read_text())
    checked = run_cli(directory, "check", passphrase=NEW_PASSPHRASE)
    assert checked.returncode == 0, checked.stderr


def test_a_retiring_change_cut_off_half_way_is_finished_by_the_next_unlock(tmp_path: Path, monkeypatch) -> None:
    from psi_desktop.services import profile as profile_service

    directory = tmp_path / "profile"
    old_key, _ = _profile_with_backups(directory)
    real = profile_service.rekey_file
    calls = []

    def cut_off(path, old, new):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, old, new)

    monkeypatch.setattr(profile_service, "rekey_file", cut_off)
    with pytest.raises(UserFacingError, match="unlock again to finish"):
        retire_passphrase(directory, old_key, PASSPHRASE, NEW_PASSPHRASE)
    monkeypatch.setattr(profile_service, "rekey_file", real)
    assert "previous" in json.loads((directory / "psi-desktop.key").read_text())
    with pytest.raises(WrongPassphraseError):
        unlock_key(directory, PASSPHRASE)  # the old passphrase is retired from the first step on

    assert _codes(directory, NEW_PASSPHRASE) == ["Ward 3 - R", "Ward 4 - R"]  # this unlock finishes it
    assert "previous" not in json.loads((directory / "psi-desktop.key").read_text())
    new_key = bytes(unlock_key(directory, NEW_PASSPHRASE))
    for path in [directory / STORE_FILE, *backup_files(directory)]:
        assert key_opens(path, new_key) and not key_opens(path, old_key)


# -- item 13: conversion and restore keep everything -----------------------------------------------------


def test_a_plaintext_store_dropped_into_an_encrypted_profile_leaves_the_key_file_and_backups_openable(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "profile"
    key, recovery = _profile_with_backups(directory)
    key_file_before = (directory / "psi-desktop.key").read_bytes()
    plain = tmp_path / "old" / STORE_FILE
    plain.parent.mkdir()
    from sqlite_utils import Database

    from psi_desktop.storage.migrations import migrations

    db = Database(_connect(plain, None))
    migrations.apply(db)
    db.close()
    for part in (STORE_FILE, STORE_FILE + "-wal", STORE_FILE + "-shm"):
        (directory / part).unlink(missing_ok=True)
    shutil.copyfile(plain, directory / STORE_FILE)

    with pytest.raises(WrongPassphraseError, match="already has a passphrase"):
        create_profile(directory, NEW_PASSPHRASE)
    made = create_profile(directory, PASSPHRASE)
    made.profile.close()
    assert made.recovery_key == "", "no new recovery key: the one already given still works"
    assert (directory / "psi-desktop.key").read_bytes() == key_file_before
    assert bytes(KeyFile(directory).unlock_with_recovery_key(recovery)) == key
    assert [(i.ok, i.cases) for i in list_backups(directory, key)] == [(True, 2), (True, 1)]
    assert _codes(directory) == []


def test_restore_refuses_the_live_store_after_a_kill_and_a_backup_with_a_wal_loses_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "profile"
    made = _create(directory)
    rnd = random.Random(3)
    profile = made.profile
    profile.store.db.execute("PRAGMA wal_autocheckpoint = 0")  # what follows stays in the -wal
    case = profile.cases.create("Ward 5 - W")
    for _ in range(5):
        profile.store.reflections.save(make_reflection(case.id, rnd, new_canary()))
    image = tmp_path / "power-cut"
    crash_copy(directory, image)  # the store and its -wal as a kill -9 leaves them
    assert (image / (STORE_FILE + "-wal")).stat().st_size > 0
    profile.close()
    for name in (STORE_FILE, STORE_FILE + "-wal"):
        shutil.copyfile(image / name, directory / name)
    (directory / (STORE_FILE + "-shm")).unlink(missing_ok=True)
    before = snapshot(directory, skip=("logs", "unlock-attempts.json", "unlock-attempts.lock", "psi-desktop.lock"))

    for target in (directory / STORE_FILE, directory / (STORE_FILE + "-wal")):
        refused = run_cli(directory, "restore", str(target))
        assert refused.returncode == 2, refused.stderr
        assert "store PSI Desktop is using" in refused.stderr and refused.stderr.count("\n") == 1
    assert (
        snapshot(directory, skip=("logs", "unlock-attempts.json", "unlock-attempts.lock", "psi-desktop.lock")) == before
    )

    # The same image kept elsewhere, with its -wal, is a good source: every record comes back.
    with unlock_profile(directory, PASSPHRASE) as reopened:
        reopened.cases.create("Ward 6 - made later")
    done = run_cli(directory, "restore", str(image / STORE_FILE))
    assert done.returncode == 0, done.stderr
    with unlock_profile(directory, PASSPHRASE) as restored:
        (summary,) = restored.cases.summaries()
        assert (summary.case.code, summary.reflection_count) == ("Ward 5 - W", 5)
    # What the restore set aside is listed, with what its -wal holds, and restorable.
    key = bytes(unlock_key(directory, PASSPHRASE))
    aside = [i for i in list_backups(directory, key) if i.set_aside]
    assert [(i.ok, i.cases) for i in aside] == [(True, 2)]
    checked = run_cli(directory, "check")
    assert checked.returncode == 0 and "set aside by a restore" in checked.stdout, checked.stdout
    assert any(r.path == aside[0].path for r in check_profile(directory, key))


# -- row 22: key-file fields out of range or missing -----------------------------------------------------


def _set(path: str, value):
    def edit(doc: dict) -> None:
        *parents, last = path.split(".")
        node = doc
        for part in parents:
            node = node[part]
        if value is _DROP:
            del node[last]
        else:
            node[last] = value

    return edit


_DROP = object()
KEY_FILE_EDITS = {
    "time_cost 0": _set("passphrase.kdf.time_cost", 0),
    "time_cost huge": _set("passphrase.kdf.time_cost", 10**6),
    "time_cost text": _set("passphrase.kdf.time_cost", "4"),
    "memory_cost 2^32-1": _set("passphrase.kdf.memory_cost", 2**32 - 1),
    "memory_cost negative": _set("passphrase.kdf.memory_cost", -1),
    "parallelism 0": _set("passphrase.kdf.parallelism", 0),
    "parallelism true": _set("passphrase.kdf.parallelism", True),
    "kdf name": _set("passphrase.kdf.name", "scrypt"),
    "salt short": _set("passphrase.kdf.salt", base64.b64encode(b"x").decode()),
    "salt missing": _set("passphrase.kdf.salt", _DROP),
    "nonce empty": _set("passphrase.nonce", ""),
    "wrapped_key missing": _set("passphrase.wrapped_key", _DROP),
    "kdf missing": _set("passphrase.kdf", _DROP),
    "passphrase entry missing": _set("passphrase", _DROP),
    "recovery missing": _set("recovery", _DROP),
    "store_id not a uuid": _set("store_id", "x"),
    "format_version 0": _set("format_version", 0),
    "previous not a list": _set("previous", {"a": 1}),
}


@pytest.mark.parametrize("edit", list(KEY_FILE_EDITS))
def test_every_key_file_field_out_of_range_reads_damaged_exit_2(tmp_path: Path, edit: str) -> None:
    directory = tmp_path / "profile"
    _create(directory).profile.close()
    path = directory / "psi-desktop.key"
    doc = json.loads(path.read_text())
    doc.pop("checksum")  # an edit by hand that also fixed the checksum: the fields themselves are checked
    KEY_FILE_EDITS[edit](doc)
    from psi_desktop.storage.keys import _checksum

    doc["checksum"] = _checksum(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyFileError, match="damaged"):
        KeyFile(directory).unlock(PASSPHRASE)
    done = run_cli(directory, "cases")
    assert done.returncode == 2, done.stderr
    assert "damaged" in done.stderr and "Traceback" not in done.stderr and "went wrong" not in done.stderr
    assert not (directory / "unlock-attempts.json").exists(), "a damaged key file was counted as a wrong passphrase"


def test_argon2_memory_is_bounded_before_use(tmp_path: Path, monkeypatch) -> None:
    """An edited key file asking for 4 TiB never reaches Argon2 (it would try to allocate it)."""
    from psi_desktop.storage import keys

    directory = tmp_path / "profile"
    _create(directory).profile.close()
    path = directory / "psi-desktop.key"
    doc = json.loads(path.read_text())
    doc.pop("checksum")
    doc["passphrase"]["kdf"]["memory_cost"] = 2**32 - 1
    path.write_text(json.dumps(doc))  # no checksum: as an older file
    asked = []
    monkeypatch.setattr(keys, "hash_secret_raw", lambda *a: asked.append(a) or os.urandom(32))
    with pytest.raises(KeyFileError, match="damaged"):
        KeyFile(directory).unlock(PASSPHRASE)
    assert asked == []
