"""The vault: key file, recovery key, passphrase changes, conversion of old stores, slowing wrong guesses."""

from __future__ import annotations

import json
import sqlite3 as stdlib_sqlite3
import uuid
from pathlib import Path

import pytest

from psi_desktop.domain.model import Case
from psi_desktop.errors import ValidationError
from psi_desktop.services import profile as profile_service
from psi_desktop.services.profile import (
    ProfileState,
    TooManyAttemptsError,
    change_passphrase,
    create_profile,
    passphrase_strength,
    profile_state,
    recover_profile,
    unlock_profile,
)
from psi_desktop.storage.keys import (
    REAL_KDF,
    KdfParams,
    KeyFile,
    KeyFileError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
    new_recovery_key,
    set_kdf_cost,
)
from psi_desktop.storage.store import STORE_FILE, _connect
from tests.conftest import PASSPHRASE


def test_recovery_keys_are_grouped_for_reading_aloud_and_forgive_case_and_lookalikes(tmp_path: Path):
    key = new_recovery_key()
    groups = key.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert new_recovery_key() != key
    made = create_profile(tmp_path / "p", PASSPHRASE)
    made.profile.close()
    sloppy = made.recovery_key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert bytes(KeyFile(tmp_path / "p").unlock_with_recovery_key(sloppy)) == bytes(
        KeyFile(tmp_path / "p").unlock(PASSPHRASE)
    )
    with pytest.raises(WrongRecoveryKeyError, match="not a recovery key"):
        KeyFile(tmp_path / "p").unlock_with_recovery_key("ABCD-EFGH")
    with pytest.raises(WrongRecoveryKeyError, match="does not unlock"):
        KeyFile(tmp_path / "p").unlock_with_recovery_key(new_recovery_key())


def test_real_kdf_is_what_new_profiles_get_and_what_unlocking_runs(tmp_path: Path, monkeypatch, real_kdf):
    made = create_profile(tmp_path / "p", PASSPHRASE)
    made.profile.close()
    kdf = json.loads((tmp_path / "p" / "psi-desktop.key").read_text())["passphrase"]["kdf"]
    assert (kdf["name"], kdf["time_cost"], kdf["memory_cost"], kdf["parallelism"]) == (
        "argon2id",
        REAL_KDF.time_cost,
        REAL_KDF.memory_cost,
        REAL_KDF.parallelism,
    )
    assert REAL_KDF.memory_cost >= 64 * 1024
    # A KDF that costs nothing would be a security bug: unlocking must run Argon2id at these costs.
    # (What they cost in time on this machine: tests/perf/test_time_budgets.py, on demand.)
    from psi_desktop.storage import keys

    runs = []
    real = keys.hash_secret_raw
    monkeypatch.setattr(keys, "hash_secret_raw", lambda *args: runs.append(args[2:]) or real(*args))
    unlock_profile(tmp_path / "p", PASSPHRASE).close()
    time_cost, memory_cost, parallelism, _length, kind = runs[0]
    assert (time_cost, memory_cost, parallelism) == (REAL_KDF.time_cost, REAL_KDF.memory_cost, REAL_KDF.parallelism)
    assert kind is keys.Type.ID


def test_new_store_is_encrypted_and_unreadable_without_the_key(tmp_path: Path, make_profile):
    profile = make_profile(tmp_path / "p", demo=True)
    profile.close()
    store = tmp_path / "p" / STORE_FILE
    assert not store.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(stdlib_sqlite3.DatabaseError, match="not a database"):
        stdlib_sqlite3.connect(store).execute("SELECT * FROM sqlite_master").fetchall()
    assert profile.closed
    with pytest.raises(Exception, match="locked"):
        _ = profile.key


def test_wrong_passphrase_is_not_damage_and_a_damaged_key_file_is_not_a_wrong_passphrase(tmp_path: Path):
    directory = tmp_path / "p"
    create_profile(directory, PASSPHRASE).profile.close()
    before = (directory / STORE_FILE).read_bytes()
    with pytest.raises(WrongPassphraseError, match="not right"):
        unlock_profile(directory, "not the passphrase")
    assert (directory / STORE_FILE).read_bytes() == before
    key_file = directory / "psi-desktop.key"
    doc = json.loads(key_file.read_text())
    doc["passphrase"]["wrapped_key"] = "%%%"
    key_file.write_text(json.dumps(doc))
    with pytest.raises(KeyFileError, match="damaged"):
        unlock_profile(directory, PASSPHRASE)
    key_file.unlink()
    with pytest.raises(KeyFileError, match="missing"):
        unlock_profile(directory, PASSPHRASE)


def test_change_passphrase_keeps_the_store_and_backups_and_the_recovery_key(tmp_path: Path):
    from psi_desktop.services.backups import list_backups, make_backup

    directory = tmp_path / "p"
    made = create_profile(directory, PASSPHRASE)
    made.profile.cases.create("Ward 3 - A")
    make_backup(directory, made.profile.key)
    with pytest.raises(WrongPassphraseError):
        change_passphrase(made.profile.directory, made.profile.key, "not it at all", "a new long passphrase")
    with pytest.raises(ValidationError, match="at least"):
        change_passphrase(made.profile.directory, made.profile.key, PASSPHRASE, "short")
    change_passphrase(made.profile.directory, made.profile.key, PASSPHRASE, "a new long passphrase")
    made.profile.close()
    with pytest.raises(WrongPassphraseError):
        unlock_profile(directory, PASSPHRASE)
    with unlock_profile(directory, "a new long passphrase") as again:
        assert [s.case.code for s in again.cases.summaries()] == ["Ward 3 - A"]
        assert [(b.ok, b.cases) for b in list_backups(directory, again.key)] == [(True, 1)]
    assert not list(directory.glob("*.old")), "no copy keeps the old passphrase working"
    recovered = recover_profile(directory, made.recovery_key, "forgot it so reset it")
    recovered.close()
    unlock_profile(directory, "forgot it so reset it").close()


def test_repeated_wrong_passphrases_wait_longer_each_time_even_after_a_restart(tmp_path: Path, monkeypatch):
    directory = tmp_path / "p"
    create_profile(directory, PASSPHRASE).profile.close()
    now = [1_000_000.0]
    monkeypatch.setattr(profile_service._Attempts, "clock", staticmethod(lambda: now[0]))
    for _ in range(3):
        with pytest.raises(WrongPassphraseError):
            unlock_profile(directory, "guess guess")
    waits = []
    for _ in range(3):
        with pytest.raises(TooManyAttemptsError) as refused:
            unlock_profile(directory, PASSPHRASE)  # even the right one waits
        waits.append(refused.value.wait_seconds)
        now[0] += refused.value.wait_seconds
        with pytest.raises(WrongPassphraseError):
            unlock_profile(directory, "guess again")
    assert waits[0] >= 2 and waits[0] < waits[1] < waits[2]
    with pytest.raises(TooManyAttemptsError):
        unlock_profile(directory, PASSPHRASE)
    now[0] += 10_000
    unlock_profile(directory, PASSPHRASE).close()
    with pytest.raises(WrongPassphraseError):  # a success starts the count again
        unlock_profile(directory, "guess guess")
    unlock_profile(directory, PASSPHRASE).close()


def test_a_store_from_before_encryption_is_converted_and_the_plaintext_removed(tmp_path: Path):
    from sqlite_utils import Database

    from psi_desktop.storage import Store
    from psi_desktop.storage.store import _configure, _migrate

    directory = tmp_path / "p"
    directory.mkdir()
    db = Database(_connect(directory / STORE_FILE, None))
    _configure(db, directory / STORE_FILE)
    _migrate(db)
    Store(db, directory / STORE_FILE).cases.add(Case(id=uuid.uuid4(), code="Old ward - Z", setting="PLAINTEXT-MARKER"))
    db.close()
    assert profile_state(directory) is ProfileState.PLAINTEXT
    made = create_profile(directory, PASSPHRASE)
    assert [s.case.code for s in made.profile.cases.summaries()] == ["Old ward - Z"]
    made.profile.close()
    assert profile_state(directory) is ProfileState.ENCRYPTED
    for path in directory.rglob("*"):
        if path.is_file():
            assert b"PLAINTEXT-MARKER" not in path.read_bytes(), path.name
    assert not list(directory.glob("*.encrypting"))


def test_passphrase_rules_and_hints():
    with pytest.raises(ValidationError, match="at least 8"):
        profile_service.check_new_passphrase("short")
    with pytest.raises(ValidationError, match="not the same"):
        profile_service.check_new_passphrase("long enough one", "long enough two")
    assert passphrase_strength("abc").startswith("Too short")
    assert passphrase_strength("password").startswith("Weak")
    assert passphrase_strength("Password12").startswith("Weak")
    assert passphrase_strength("Rainy Tuesday 42").startswith("Strong")
    assert passphrase_strength("four plain words together here").startswith("Strong")


def test_kdf_parameters_are_read_from_the_key_file(tmp_path: Path):
    directory = tmp_path / "p"
    set_kdf_cost(KdfParams(time_cost=2, memory_cost=16, parallelism=1))  # the suite's cost is put back after
    create_profile(directory, PASSPHRASE).profile.close()
    kdf = json.loads((directory / "psi-desktop.key").read_text())["passphrase"]["kdf"]
    assert (kdf["time_cost"], kdf["memory_cost"]) == (2, 16)
    unlock_profile(directory, PASSPHRASE).close()
