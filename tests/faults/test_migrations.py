"""Row 11: migrations.

- Every fixture store under tests/fixtures/store-v*/ (made by tests/fixtures/make_fixture_store.py
  with an earlier build's schema) migrates to this build's schema when unlocked, and its records
  read back intact: the demo case's six reflections, the signed ones with valid content hashes.
- There is a fixture for the current schema, so the next schema change is tested from it.
- kill -9 in the middle of a migration leaves the old schema or the new one, never half: for an
  extra migration on an existing store, and for the very first migration of a new profile.
- A store from a newer build (a migration this build does not know) is refused, byte for byte
  unchanged.
"""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest

from psi_desktop.domain.documents import reflection_from_document, reflection_sha256
from psi_desktop.errors import StoreTooNewError, UserFacingError
from psi_desktop.services.demo import demo_document
from psi_desktop.services.profile import create_profile, unlock_profile
from psi_desktop.storage.keys import KeyFile
from psi_desktop.storage.migrations import migrations
from psi_desktop.storage.sqlcipher import sqlite3
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import STORE, Child, integrity, run_cli, snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STORES = sorted(p for p in FIXTURES.glob("store-v*") if p.is_dir())
LATEST = [m.name for m in migrations._migrations]


def _raw(directory: Path, *, read_only: bool = True) -> sqlite3.Connection:
    """A connection to the store that bypasses the app (no pragmas, no checks, no migrations)."""
    key = bytes(KeyFile(directory).unlock(PASSPHRASE))
    uri = (directory / STORE).resolve().as_uri() + ("?mode=ro&immutable=1" if read_only else "")
    conn = sqlite3.connect(uri, uri=True)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def _applied(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'psi_desktop' ORDER BY rowid")
    return [r[0] for r in rows]


def _table_names(profile) -> set[str]:
    return {r[0] for r in profile.store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _copy(fixture: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "profile"
    shutil.copytree(fixture, directory)
    return directory


def _assert_demo_case_intact(profile) -> None:
    doc = demo_document()
    case = profile.cases.find(doc["cases"][0]["code"])
    assert case is not None, "the demo case is gone"
    reflections = profile.cases.reflections(case.id)
    assert len(reflections) == 6
    expected = {r["id"]: reflection_from_document(r) for r in doc["reflections"]}
    for reflection in reflections:
        assert reflection == expected[str(reflection.id)]
        if reflection.signed:
            assert reflection_sha256(reflection) == reflection.signature.content_sha256
    assert any(r.signed for r in reflections)


def test_there_are_fixture_stores() -> None:
    assert STORES, f"no store-v* fixtures in {FIXTURES}"


def test_the_newest_fixture_has_the_current_schema() -> None:
    """When a migration lands, add the fixture for its schema: make_fixture_store.py store-vN."""
    newest = max(STORES, key=lambda p: int(p.name.removeprefix("store-v")))
    manifest = json.loads((newest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_migrations"] == LATEST, (
        f"{newest.name} has {manifest['schema_migrations']}, this build {LATEST}: "
        f"run tests/fixtures/make_fixture_store.py store-v{len(STORES) + 1} and commit it"
    )


@pytest.mark.parametrize("fixture", STORES, ids=lambda p: p.name)
def test_fixture_store_migrates_to_the_latest_schema(tmp_path: Path, fixture: Path) -> None:
    manifest = json.loads((fixture / "manifest.json").read_text(encoding="utf-8"))
    committed = snapshot(fixture)
    assert not [n for n in committed if n.endswith(("-wal", "-shm"))], "a fixture must be checkpointed and closed"
    directory = _copy(fixture, tmp_path)
    conn = _raw(directory)
    try:
        assert _applied(conn) == manifest["schema_migrations"]
    finally:
        conn.close()

    with unlock_profile(directory, PASSPHRASE) as profile:
        assert profile.store.schema_migrations() == LATEST
        assert integrity(profile) == ["ok"]
        _assert_demo_case_intact(profile)
        for expected in manifest["cases"]:
            case = profile.cases.find(expected["code"])
            reflections = profile.cases.reflections(case.id)
            assert len(reflections) == expected["reflections"]
            assert sum(r.signed for r in reflections) == expected["signed"]
            assert len(profile.cases.actions(case.id)) == expected["actions"]
        profile.cases.create("Added after migrating")  # and it takes new records
    with unlock_profile(directory, PASSPHRASE) as profile:  # migrated once; opens again as it is
        assert profile.store.schema_migrations() == LATEST
    assert snapshot(fixture) == committed, "a test changed the committed fixture"


def _kill_inside(directory: Path, mode: str) -> None:
    child = Child.start("_migrate_child", str(directory), mode)
    try:
        reached = child.wait_for("inside", timeout=30)
    finally:
        status = child.kill()
    assert reached, f"the child never got inside the migration\n{child.error_output}"
    assert status == -signal.SIGKILL


def test_kill_during_an_extra_migration_leaves_the_old_schema(tmp_path: Path) -> None:
    directory = _copy(STORES[-1], tmp_path)
    _kill_inside(directory, "extra")
    with unlock_profile(directory, PASSPHRASE) as profile:  # this build, without m999
        assert profile.store.schema_migrations() == LATEST
        assert "half" not in _table_names(profile), "half a migration was left in the store"
        assert integrity(profile) == ["ok"]
        _assert_demo_case_intact(profile)


@pytest.mark.parametrize("where", ["inside-m001", "before-write"])
def test_kill_while_a_new_profile_is_made_leaves_a_usable_profile(tmp_path: Path, where: str) -> None:
    """Switched off while the profile was being made: the next start must give a working profile.

    ``inside-m001``: m001 is the biggest migration (every table, trigger and the full-text index);
    killed after its tables were made and before the index was, the store must hold all of m001 or
    none of it, and unlocking finishes it. ``before-write``: killed after the store file was created
    and before anything was written to it; nothing was ever saved, so either unlocking or making
    the profile again must work (not "damaged" with no way forward).
    """
    directory = tmp_path / "profile"
    _kill_inside(directory, where)
    try:
        profile = unlock_profile(directory, PASSPHRASE)
    except UserFacingError as unlock_error:
        try:
            profile = create_profile(directory, PASSPHRASE).profile
        except UserFacingError as create_error:
            pytest.fail(f"stuck after the kill: unlock says {unlock_error!s}; create says {create_error!s}")
    with profile:
        assert profile.store.schema_migrations() == LATEST
        assert integrity(profile) == ["ok"]
        assert {"cases", "reflections", "answers", "answers_fts"} <= _table_names(profile)
        profile.cases.create("Ward 1 - A")


def test_store_from_a_newer_build_is_refused_and_left_alone(tmp_path: Path) -> None:
    directory = _copy(STORES[-1], tmp_path)
    conn = _raw(directory, read_only=False)
    try:
        with conn:
            conn.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                ["psi_desktop", "m999_from_the_future", "2031-01-01 00:00:00+00:00"],
            )
    finally:
        conn.close()
    before = snapshot(directory)
    assert not [n for n in before if n.endswith(("-wal", "-shm"))]

    with pytest.raises(StoreTooNewError, match="newer version"):
        unlock_profile(directory, PASSPHRASE)
    assert snapshot(directory, skip=("unlock-attempts.lock",)) == before  # the attempts counter's lock: empty

    done = run_cli(directory, "cases")
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "newer version" in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert snapshot(directory, skip=("logs", "unlock-attempts.lock")) == before
