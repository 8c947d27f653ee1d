"""Row 6: nothing readable at rest.

Canaries go into reflection answers, a case's setting and notes, an amendment and an action. Then
the raw bytes of every file in the profile folder (store, -wal and -shm while the store is open,
backups, logs, settings, key file, unlock attempts), of a backup written elsewhere, and of every
file in the temp dir touched during the test are searched for each canary (UTF-8, UTF-16 LE and
BE), for the store key (raw and hex), the passphrase and the recovery key: 0 hits. The store does
not start with the SQLite header and the stdlib ``sqlite3`` cannot read it.

A plaintext store from before encryption (made with the real schema and repositories, with data
still in its -wal as after a crash) is converted by create_profile: all the data is there, the
store is encrypted, the plaintext is gone from every file. A conversion killed just before the swap
is finished by running it again.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.model import Action, Amendment, ReflectionStatus, Signature, utc_now
from psi_desktop.services.backups import make_backup
from psi_desktop.services.profile import ProfileState, create_profile, profile_state, unlock_profile
from psi_desktop.storage.keys import KeyFile
from psi_desktop.storage.store import PLAINTEXT_HEADER, is_plaintext
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import (
    STORE,
    crash_copy,
    files_changed_since,
    files_under,
    integrity,
    make_reflection,
    new_canary,
    run_cli,
    run_module,
    scan_files,
)


def _secrets_of(key: bytes, recovery_key: str) -> list[str | bytes]:
    return [key, key.hex(), key.hex().upper(), PASSPHRASE, recovery_key, recovery_key.replace("-", "")]


def _assert_stdlib_cannot_read(path: Path) -> None:
    assert path.read_bytes()[: len(PLAINTEXT_HEADER)] != PLAINTEXT_HEADER
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def _fill_with_canaries(profile, canaries: dict[str, str], rnd: random.Random) -> None:
    case = profile.cases.create("Ward 4 - D", canaries["setting"])
    profile.store.cases.update(replace(case, notes=f"Notes: {canaries['notes']}"))
    reflection = make_reflection(case.id, rnd, canaries["answer"], answers=5)
    profile.store.reflections.save(reflection)
    now = utc_now()
    signed = replace(
        reflection,
        status=ReflectionStatus.SIGNED,
        signature=Signature("B. Supervisor", now, reflection_sha256(reflection)),
        updated_at=now,
    )
    profile.store.reflections.save(signed)
    amendment = Amendment(uuid.uuid4(), "B. Supervisor", now, "A typo", f"Changed: {canaries['amendment']}")
    profile.store.reflections.add_amendment(signed.id, amendment)
    action = Action(
        uuid.uuid4(), case.id, reflection.id, f"Next time: {canaries['action']}", due_on=dt.date(2026, 12, 1)
    )
    profile.store.actions.save(action)
    # The words really are in the store: full-text search finds them.
    assert profile.cases.search(canaries["answer"].split("-")[1])


def test_canaries_and_keys_are_in_no_file_at_rest(tmp_path: Path) -> None:
    started = time.time() - 2
    directory = tmp_path / "profile"
    canaries = {k: new_canary() for k in ("answer", "setting", "notes", "amendment", "action")}
    made = create_profile(directory, PASSPHRASE)
    profile = made.profile
    key = profile.key
    needles = [*canaries.values(), *_secrets_of(key, made.recovery_key)]
    try:
        _fill_with_canaries(profile, canaries, random.Random(5))
        # While the store is open its -wal holds the new pages and its -shm the index.
        wal, shm = directory / (STORE + "-wal"), directory / (STORE + "-shm")
        assert wal.stat().st_size > 0 and shm.exists()
        assert scan_files(files_under(directory), needles) == {}
        make_backup(directory, key)
        assert scan_files(files_under(directory), needles) == {}
    finally:
        profile.close()

    outside = tmp_path / "elsewhere" / "copy.db"
    outside.parent.mkdir()
    for args in (("cases",), ("cases", "--json"), ("backup",), ("backup", "--out", str(outside)), ("check",)):
        done = run_cli(directory, *args)
        assert done.returncode == 0, f"{args}: {done.stderr}"
    assert run_cli(directory, "cases", passphrase="not the passphrase").returncode == 2
    assert (directory / "logs" / "psi-desktop.log").stat().st_size > 0, "the CLI wrote no log"
    assert (directory / "unlock-attempts.json").exists()

    everything = [*files_under(directory), outside]
    names = {p.name for p in everything}
    assert {STORE, "psi-desktop.key", "psi-desktop.log", "unlock-attempts.json", "copy.db"} <= names
    backups = sorted((directory / "backups").iterdir())
    assert [p.suffix for p in backups] == [".db", ".key", ".db", ".key"], "each backup has its key file copy"
    assert scan_files(everything, needles) == {}
    temp_files = files_changed_since(Path(tempfile.gettempdir()), started)
    assert scan_files(temp_files, needles) == {}, "a temporary file holds plaintext"

    for path in [directory / STORE, outside, *(directory / "backups").glob("*.db")]:
        _assert_stdlib_cannot_read(path)
    with unlock_profile(directory, PASSPHRASE) as reopened:  # and it all reads back
        assert integrity(reopened) == ["ok"]
        assert reopened.cases.find("Ward 4 - D").setting == canaries["setting"]


def test_the_scan_finds_plaintext_when_it_is_there(tmp_path: Path) -> None:
    """Control: the same scan does find a canary written plainly, in UTF-8 and in UTF-16."""
    canary = new_canary()
    (tmp_path / "a.txt").write_text(f"x {canary} y", encoding="utf-8")
    (tmp_path / "b.txt").write_text(canary, encoding="utf-16-le")
    found = scan_files(files_under(tmp_path), [canary])
    assert set(found) == {str(tmp_path / "a.txt"), str(tmp_path / "b.txt")}


# -- converting a plaintext store ---------------------------------------------------------------


def _plaintext_profile(tmp_path: Path, directory: Path, canaries: dict[str, str]) -> tuple[list, list]:
    """A store as a build from before encryption left it: plain SQLite, real schema, data in its -wal."""
    from sqlite_utils import Database

    from psi_desktop.frameworks import load_frameworks
    from psi_desktop.services.cases import CaseService
    from psi_desktop.storage.migrations import migrations
    from psi_desktop.storage.store import Store, _connect

    old = tmp_path / "old-build"
    old.mkdir()
    db = Database(_connect(old / STORE, None))
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)
    db.execute("PRAGMA wal_autocheckpoint = 0")  # keep what follows in the -wal
    store = Store(db, old / STORE)
    try:

        class Plain:  # just enough of a Profile for _fill_with_canaries
            cases = CaseService(store, load_frameworks())

        Plain.store = store
        _fill_with_canaries(Plain, canaries, random.Random(6))
        for _ in range(10):
            store.reflections.save(make_reflection(store.cases.all()[0].id, random.Random(), canaries["answer"]))
        cases = store.cases.all()
        reflections = sorted((r for c in cases for r in store.reflections.for_case(c.id)), key=lambda r: str(r.id))
        assert (old / (STORE + "-wal")).stat().st_size > 0
        crash_copy(old, directory)  # as if the old build had been switched off here
    finally:
        store.close()
    assert is_plaintext(directory / STORE)
    return cases, reflections


def _assert_converted(profile, directory: Path, cases: list, reflections: list, canaries: dict[str, str]) -> None:
    assert integrity(profile) == ["ok"]
    assert profile.store.cases.all() == cases
    got = sorted((r for c in cases for r in profile.store.reflections.for_case(c.id)), key=lambda r: str(r.id))
    assert got == reflections
    assert profile.cases.search(canaries["answer"].split("-")[1]), "full-text search lost in the conversion"
    assert not is_plaintext(directory / STORE)
    assert not list(directory.glob("*.encrypting")), "the half-made encrypted copy was left behind"
    assert scan_files(files_under(directory), canaries.values()) == {}, "plaintext left in the profile folder"


def test_plaintext_store_is_encrypted_with_all_its_data(tmp_path: Path) -> None:
    directory = tmp_path / "profile"
    canaries = {k: new_canary() for k in ("answer", "setting", "notes", "amendment", "action")}
    cases, reflections = _plaintext_profile(tmp_path, directory, canaries)
    # Control: before conversion the canaries are plainly readable there.
    assert scan_files(files_under(directory), canaries.values())
    assert profile_state(directory) is ProfileState.PLAINTEXT

    made = create_profile(directory, PASSPHRASE)
    with made.profile as profile:
        _assert_converted(profile, directory, cases, reflections, canaries)  # -wal and -shm open too
    assert made.recovery_key
    _assert_stdlib_cannot_read(directory / STORE)
    assert scan_files(files_under(directory), canaries.values()) == {}
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert profile.store.cases.all() == cases


@pytest.fixture
def interrupted_conversion(tmp_path: Path):
    directory = tmp_path / "profile"
    canaries = {k: new_canary() for k in ("answer", "setting", "notes", "amendment", "action")}
    cases, reflections = _plaintext_profile(tmp_path, directory, canaries)
    done = run_module("_convert_child", str(directory))
    assert done.returncode == -9 and done.stdout == "swapping\n", done.stdout + done.stderr
    assert KeyFile(directory).exists() and is_plaintext(directory / STORE)
    return directory, cases, reflections, canaries


def test_conversion_killed_before_the_swap_finishes_on_the_next_run(interrupted_conversion) -> None:
    directory, cases, reflections, canaries = interrupted_conversion
    made = create_profile(directory, PASSPHRASE)
    with made.profile as profile:
        _assert_converted(profile, directory, cases, reflections, canaries)


def test_conversion_finished_after_a_kill_still_gives_a_working_recovery_key(interrupted_conversion) -> None:
    """The recovery key of the first, killed run was never shown; the run that finishes must give one."""
    directory = interrupted_conversion[0]
    made = create_profile(directory, PASSPHRASE)
    made.profile.close()
    assert made.recovery_key, "the profile was converted without a recovery key anyone has seen"
    key = KeyFile(directory).unlock_with_recovery_key(made.recovery_key)
    assert bytes(key) == bytes(KeyFile(directory).unlock(PASSPHRASE))
