"""Backups: encrypted copies that rotate, are checked, list what they hold, and restore."""

from __future__ import annotations

import sqlite3 as stdlib_sqlite3
from pathlib import Path

import pytest

from psi_desktop.errors import UserFacingError
from psi_desktop.services.backups import (
    backup_files,
    check_profile,
    list_backups,
    make_backup,
    restore_backup,
)
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE


def test_backups_rotate_keeping_the_newest(tmp_path: Path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = []
    for i in range(5):
        profile.cases.create(f"Case {i}")
        made.append(make_backup(profile.directory, profile.key, keep=3))
    kept = backup_files(profile.directory)
    assert kept == list(reversed(made[-3:]))
    infos = list_backups(profile.directory, profile.key)
    assert [(i.ok, i.cases) for i in infos] == [(True, 5), (True, 4), (True, 3)]
    assert infos[0].made_at > infos[1].made_at
    assert not list((profile.directory / "backups").glob("*.partial"))
    assert not list((profile.directory / "backups").glob("*-wal"))


def test_backups_are_encrypted_with_the_store_key(tmp_path: Path, make_profile):
    profile = make_profile(tmp_path / "p", demo=True)
    backup = make_backup(profile.directory, profile.key)
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(stdlib_sqlite3.DatabaseError):
        stdlib_sqlite3.connect(backup).execute("SELECT * FROM cases").fetchall()
    other = make_profile(tmp_path / "other")
    with pytest.raises(UserFacingError, match="not made with this profile's key"):
        restore_backup(other.directory, other.key, backup)


def test_a_damaged_backup_is_listed_as_damaged_and_check_says_so(tmp_path: Path, make_profile):
    profile = make_profile(tmp_path / "p", demo=True)
    good = make_backup(profile.directory, profile.key)
    bad = make_backup(profile.directory, profile.key)
    data = bytearray(bad.read_bytes())
    data[5000:5016] = bytes(16)
    bad.write_bytes(bytes(data))
    infos = {i.path: i for i in list_backups(profile.directory, profile.key)}
    assert (infos[good].ok, infos[good].reflections) == (True, 6)
    assert infos[bad].ok is False
    results = check_profile(profile.directory, profile.key)
    assert [r.ok for r in results] == [True, False, True]
    assert results[0].detail == "1 cases, 6 reflections"


def test_restore_brings_back_what_was_lost_and_keeps_the_replaced_store(tmp_path: Path, make_profile):
    directory = tmp_path / "p"
    profile = make_profile(directory)
    profile.cases.create("Ward 3 - A")
    backup = make_backup(directory, profile.key)
    profile.cases.archive(profile.cases.find("Ward 3 - A").id)
    profile.cases.create("Made after the backup")
    key = profile.key
    profile.close()
    kept = restore_backup(directory, key, backup)
    assert kept.name.startswith("psi-desktop.db.before-restore-")
    with unlock_profile(directory, PASSPHRASE) as restored:
        summaries = restored.cases.summaries()
        assert [(s.case.code, s.case.archived) for s in summaries] == [("Ward 3 - A", False)]
    assert kept.exists() and backup.exists()
    with pytest.raises(UserFacingError, match="no backup file"):
        restore_backup(directory, key, tmp_path / "missing.db")
