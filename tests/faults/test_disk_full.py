"""Row 3: a full disk.

Two ways to fill it: RLIMIT_FSIZE in a child process (works anywhere; the write fails with EFBIG,
SQLite says "disk I/O error"), and a real 2 MB tmpfs where ``mount`` is permitted (ENOSPC,
"database or disk is full"). Either way a save must fail with StoreFullError and a plain message,
the store must pass integrity_check afterwards, the failed record must be entirely absent (no
reflection row without its answers, no answers without their reflection), every earlier save must
be intact, and the same record must save once there is room again. That the failure comes within
1 s is a clock check, run on demand: tests/perf/test_time_budgets.py runs these same scenarios.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from psi_desktop.domain.documents import reflection_document
from psi_desktop.errors import UserFacingError
from psi_desktop.services.profile import unlock_profile
from psi_desktop.storage.repositories import StoreFullError
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import STORE, foreign_key_problems, integrity, make_reflection, new_canary, run_module

CHILD_TABLES = ("answers", "ratings", "distress_impacts", "amendments")
FULL_MESSAGE_MUST_NOT_SAY = ("sqlite", "operationalerror", "traceback", "disk i/o", "errno", "efbig")

# Fault tests: the app logs the faults they cause, as it should.
pytestmark = pytest.mark.expect_log_errors


def _assert_plain_full_message(message: str, canary: str) -> None:
    lowered = message.lower()
    assert "full" in lowered and "space" in lowered, message
    assert not [w for w in FULL_MESSAGE_MUST_NOT_SAY if w in lowered], message
    assert canary not in message


def _assert_no_partial_records(profile, failed_id: str | None) -> None:
    """Every reflection has all its children (the test's all have 4 answers, 6 ratings, 1 impact)."""
    db = profile.store.db
    if failed_id is not None:
        assert db.execute("SELECT count(*) FROM reflections WHERE id = ?", [failed_id]).fetchone()[0] == 0
        for table in CHILD_TABLES:
            rows = db.execute(f"SELECT count(*) FROM {table} WHERE reflection_id = ?", [failed_id]).fetchone()[0]
            assert rows == 0, f"{rows} {table} rows of the failed save were left behind"
    shapes = db.execute(
        """
        SELECT r.id,
               (SELECT count(*) FROM answers a WHERE a.reflection_id = r.id),
               (SELECT count(*) FROM ratings t WHERE t.reflection_id = r.id),
               (SELECT count(*) FROM distress_impacts d WHERE d.reflection_id = r.id)
        FROM reflections r
        """
    ).fetchall()
    assert shapes, "no reflections at all"
    assert {s[1:] for s in shapes} == {(4, 6, 1)}, "a reflection is missing some of its answers or ratings"
    for table in CHILD_TABLES:
        orphans = db.execute(
            f"SELECT count(*) FROM {table} WHERE reflection_id NOT IN (SELECT id FROM reflections)"
        ).fetchone()[0]
        assert orphans == 0, f"{orphans} orphan rows in {table}"


# -- RLIMIT_FSIZE in a child process ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["close", "retry"])
def test_file_size_limit_fails_the_save_cleanly(tmp_path: Path, make_profile, mode: str) -> None:
    directory = tmp_path / "profile"
    make_profile(directory).close()
    canary = new_canary()
    done = run_module("_fill", str(directory), canary, str(8 * 1024), mode)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert "failed_id" in result, "no save failed at the file-size limit"
    assert "psi_desktop.errors.StoreFullError" in result["error"], result["error"]
    assert "psi_desktop.errors.UserFacingError" in result["error"]
    _assert_plain_full_message(result["message"], canary)
    assert result["acked"], "not one save fitted under the limit: the test proves little"
    assert result["read_after_failure"] == len(result["acked"])
    assert result["closed"] == "ok"
    if mode == "retry":
        assert result["retried"] == result["retried_expected"]

    with unlock_profile(directory, PASSPHRASE) as profile:
        assert integrity(profile) == ["ok"]
        assert foreign_key_problems(profile) == []
        store = profile.store
        for rid, doc in result["acked"].items():
            assert reflection_document(store.reflections.get(uuid.UUID(rid))) == doc
        if mode == "retry":
            got = reflection_document(store.reflections.get(uuid.UUID(result["failed_id"])))
            assert got == result["retried_expected"]
            _assert_no_partial_records(profile, None)
        else:
            _assert_no_partial_records(profile, result["failed_id"])
            assert store.db.execute("SELECT count(*) FROM reflections").fetchone()[0] == len(result["acked"])


# -- a real, small tmpfs ------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs mounted in tmp_path (skips where mount is not permitted)."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mountpoint)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot run mount: {exc}")
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True, timeout=30, check=False).returncode:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=30, check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` leaving about ``leave`` bytes free. Returns the filler file (delete it for room)."""
    filler = disk / "filler"
    st = os.statvfs(disk)
    wanted = max(0, st.f_bavail * st.f_frsize - leave)
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as out:
        written = 0
        while leave == 0 or written < wanted:
            try:
                n = out.write(chunk if leave == 0 else chunk[: min(len(chunk), wanted - written)])
            except OSError:
                break
            if not n:
                break
            written += n
    return filler


def save_until_full(small_disk: Path, profile, canary: str) -> tuple[object, dict, object, str, float]:
    """Save reflections on a nearly full tmpfs until one fails: (case, acked, failed, its message, seconds)."""
    rnd = random.Random(3)
    case = profile.cases.create("Ward 5 - F")
    _fill(small_disk, 160 * 1024)
    acked = {}
    for _ in range(2000):
        reflection = make_reflection(case.id, rnd, canary, answers=4)
        started = time.monotonic()
        try:
            profile.store.reflections.save(reflection)
        except StoreFullError as exc:
            return case, acked, reflection, str(exc), time.monotonic() - started
        acked[reflection.id] = reflection
    raise AssertionError("the disk never filled up")


def test_full_tmpfs_fails_the_save_cleanly_and_it_saves_once_there_is_room(small_disk: Path, make_profile) -> None:
    directory = small_disk / "profile"
    canary = new_canary()
    profile = make_profile(directory)
    case, acked, failed, message, _seconds = save_until_full(small_disk, profile, canary)
    filler = small_disk / "filler"
    assert isinstance(StoreFullError(""), UserFacingError)
    _assert_plain_full_message(message, canary)
    assert acked, "not one save fitted: the test proves little"

    # Still full: trying again fails the same way; reading goes on working.
    with pytest.raises(StoreFullError):
        profile.store.reflections.save(failed)
    assert len(profile.cases.reflections(case.id)) == len(acked)
    _assert_no_partial_records(profile, str(failed.id))

    filler.unlink()  # room again: the same text saves
    profile.store.reflections.save(failed)
    profile.close()

    with unlock_profile(directory, PASSPHRASE) as reopened:
        assert integrity(reopened) == ["ok"]
        for reflection in [*acked.values(), failed]:
            assert reopened.store.reflections.get(reflection.id) == reflection
        _assert_no_partial_records(reopened, None)


def test_closing_on_a_full_tmpfs_loses_nothing(small_disk: Path, make_profile) -> None:
    directory = small_disk / "profile"
    rnd = random.Random(4)
    profile = make_profile(directory)
    case = profile.cases.create("Ward 5 - F")
    saved = [make_reflection(case.id, rnd, new_canary(), answers=4) for _ in range(5)]
    for reflection in saved:
        profile.store.reflections.save(reflection)
    filler = _fill(small_disk, 0)
    profile.close()  # the checkpoint on close cannot grow the store now; nothing may be lost
    filler.unlink()
    with unlock_profile(directory, PASSPHRASE) as reopened:
        assert integrity(reopened) == ["ok"]
        assert {r.id: r for r in reopened.cases.reflections(case.id)} == {r.id: r for r in saved}


def test_opening_on_a_full_disk_says_full_not_damaged(small_disk: Path, make_profile) -> None:
    """A full disk is not a damaged store: the user must be told to free space, not to restore a backup.

    Opening needs a few bytes (the -shm wal-index), so on a completely full disk the open fails.
    """
    directory = small_disk / "profile"
    with make_profile(directory, demo=True) as profile:
        profile.cases.create("Ward 5 - F")
    before = (directory / STORE).read_bytes()
    filler = _fill(small_disk, 0)

    with pytest.raises(UserFacingError) as refused:
        unlock_profile(directory, PASSPHRASE).close()
    message = str(refused.value)
    assert (directory / STORE).read_bytes() == before
    filler.unlink()
    with unlock_profile(directory, PASSPHRASE) as reopened:  # the store was fine all along
        assert integrity(reopened) == ["ok"]
    assert "damaged" not in message.lower() and "restore" not in message.lower(), message
    assert "full" in message.lower() or "space" in message.lower(), message


# -- the other writers: backups, restore, a new profile -----------------------------------------

OPERATIONS = ("backup-while-open", "backup", "restore", "create-profile")


def full_disk_operation(small_disk: Path, make_profile, operation: str) -> SimpleNamespace:
    """A profile on a tmpfs filled to the brim, and ``action``: one of OPERATIONS, to be run on it."""
    from psi_desktop.services.backups import backup_files, make_backup, restore_backup
    from psi_desktop.services.profile import create_profile

    directory = small_disk / "profile"
    profile = make_profile(directory, demo=True)
    key = profile.key
    if operation != "backup-while-open":
        make_backup(directory, key)
        profile.close()
    before = (directory / STORE).read_bytes() if profile.closed else None
    backups_before = backup_files(directory)
    filler = _fill(small_disk, 0)
    actions = {
        "backup-while-open": lambda: make_backup(directory, key),
        "backup": lambda: make_backup(directory, key),
        "restore": lambda: restore_backup(directory, key, backups_before[0]),
        "create-profile": lambda: create_profile(small_disk / "new", PASSPHRASE),
    }
    return SimpleNamespace(
        action=actions[operation],
        directory=directory,
        profile=profile,
        before=before,
        backups_before=backups_before,
        filler=filler,
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_other_writes_on_a_full_disk_give_a_plain_message_and_leave_nothing_half_made(
    small_disk: Path, make_profile, operation: str
) -> None:
    """Backups run on a timer and on close, so a full disk must not turn them into a crash."""
    from psi_desktop.services.backups import backup_files

    full = full_disk_operation(small_disk, make_profile, operation)
    directory, profile, before, backups_before = full.directory, full.profile, full.before, full.backups_before
    try:
        with pytest.raises(UserFacingError) as refused:
            full.action()
        message = str(refused.value).lower()
        assert ("full" in message or "space" in message) and "damaged" not in message, message
    finally:
        half_made = [p.name for p in small_disk.rglob("*") if p.suffix in (".partial", ".restoring", ".tmp")]
        full.filler.unlink()
        if not profile.closed:
            profile.close()
    assert half_made == [], f"left behind on the full disk: {half_made}"
    assert backup_files(directory) == backups_before
    assert not (small_disk / "new" / "psi-desktop.key").exists()
    if before is not None:
        assert (directory / STORE).read_bytes() == before
    with unlock_profile(directory, PASSPHRASE) as reopened:
        assert integrity(reopened) == ["ok"]


def test_an_import_on_a_full_disk_says_nothing_was_imported(small_disk: Path, tmp_path: Path, make_profile) -> None:
    """The message is about this import, not about typed text that will save later (issue #11, item 12)."""
    from psi_desktop.services.bundles import apply_import, build_document, plan_import

    other = make_profile(tmp_path / "other")
    case = other.cases.create("Ward 8 - I")
    rnd = random.Random(8)
    for _ in range(20):
        other.store.reflections.save(make_reflection(case.id, rnd, "x" * 4000))
    doc = json.loads(json.dumps(build_document(other)))
    profile = make_profile(small_disk / "profile", demo=True)
    before = profile.store.counts()
    plan = plan_import(profile, doc)
    filler = _fill(small_disk, 0)
    try:
        with pytest.raises(StoreFullError) as refused:
            apply_import(profile, plan, source="test")
    finally:
        filler.unlink()
    message = str(refused.value)
    assert "nothing was imported" in message and "will save" not in message, message
    assert profile.store.counts() == before
    assert integrity(profile) == ["ok"]
