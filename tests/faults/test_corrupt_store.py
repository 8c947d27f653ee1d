"""Row 4: a corrupt store is never opened as a new one, never changed, and a backup brings it back.

Damage: a 0-byte file, truncation at a page boundary and mid-page, a zeroed page (a torn write),
bytes flipped in random pages (several seeds), and random bytes of the same size. For each:

- services.profile.unlock_profile raises StoreDamagedError whose message says "damaged" and names
  the latest backup (or says there is none); create_profile refuses to make a new store over it;
- ``psi-desktop cases`` exits 2 with one line on stderr, no traceback;
- the damaged file's bytes are unchanged, and no -wal/-shm is left beside it;
- ``psi-desktop restore BACKUP`` brings the data back (``cases --json`` equal to before) and keeps
  the damaged file, byte for byte, beside the store.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from psi_desktop.errors import UserFacingError
from psi_desktop.services.backups import backup_files, make_backup
from psi_desktop.services.demo import add_demo_case
from psi_desktop.services.profile import create_profile, unlock_profile
from psi_desktop.storage.store import StoreDamagedError
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import KEY, STORE, make_reflection, new_canary, run_cli, sha256, snapshot

PAGE = 4096
NOT_COMPARED = ("logs", "unlock-attempts.json", "unlock-attempts.lock", "psi-desktop.lock")  # locks: empty files

# Fault tests: the app logs the faults they cause, as it should.
pytestmark = pytest.mark.expect_log_errors


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """A profile with the demo case, canary-bearing reflections and one backup; and its cases JSON."""
    directory = tmp_path_factory.mktemp("corrupt") / "profile"
    rnd = random.Random(11)
    made = create_profile(directory, PASSPHRASE)
    with made.profile as profile:
        add_demo_case(profile)
        case = profile.cases.create("Ward 7 - C", new_canary())
        for _ in range(30):
            profile.store.reflections.save(make_reflection(case.id, rnd, new_canary()))
        # Damage in a free page would go unnoticed, and harmlessly so: make sure there are none.
        profile.store.db.execute("VACUUM")
        assert profile.store.pragma("freelist_count") == 0
        assert int(profile.store.pragma("page_size")) == PAGE
        key = profile.key
    make_backup(directory, key)
    assert not (directory / (STORE + "-wal")).exists()
    listed = run_cli(directory, "cases", "--json")
    assert listed.returncode == 0, listed.stderr
    return directory, json.loads(listed.stdout)


def _flip(seed: int) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        rnd = random.Random(seed)
        out = bytearray(data)
        for page in rnd.sample(range(len(data) // PAGE), 3):
            for _ in range(rnd.randrange(1, 9)):
                out[page * PAGE + rnd.randrange(PAGE)] ^= rnd.randrange(1, 256)
        return bytes(out)

    return damage


def _zero_page(data: bytes) -> bytes:
    page = len(data) // PAGE // 2
    return data[: page * PAGE] + bytes(PAGE) + data[(page + 1) * PAGE :]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "truncated-at-page": lambda data: data[: len(data) // PAGE // 2 * PAGE],
    "truncated-mid-page": lambda data: data[: len(data) // PAGE // 2 * PAGE + 1234],
    "zeroed-page": _zero_page,
    **{f"flipped-seed-{seed}": _flip(seed) for seed in (1, 2, 3, 4)},
    "random-bytes": lambda data: random.Random(99).randbytes(len(data)),
}


def _damaged_copy(template: Path, target: Path, kind: str, *, with_backup: bool) -> tuple[Path, bytes]:
    shutil.copytree(template, target)
    if not with_backup:
        shutil.rmtree(target / "backups")
    store = target / STORE
    damaged = DAMAGE[kind](store.read_bytes())
    assert damaged != store.read_bytes()
    store.write_bytes(damaged)
    return store, damaged


def _assert_left_alone(directory: Path, before: dict[str, str]) -> None:
    assert snapshot(directory, skip=NOT_COMPARED) == before
    leftovers = [p.name for p in directory.iterdir() if p.name.startswith(STORE + "-")]
    assert leftovers == [], f"left beside the damaged store: {leftovers}"


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_store_is_refused_left_alone_and_restored_from_backup(tmp_path: Path, template, kind: str) -> None:
    source, cases_before = template
    directory = tmp_path / "profile"
    _, damaged = _damaged_copy(source, directory, kind, with_backup=True)
    (backup,) = backup_files(directory)
    before = snapshot(directory, skip=NOT_COMPARED)

    with pytest.raises(StoreDamagedError) as refused:
        unlock_profile(directory, PASSPHRASE)
    message = str(refused.value)
    assert "damaged" in message.lower() and "passphrase" not in message.lower(), message
    assert str(backup) in message and "psi-desktop restore" in message, message
    _assert_left_alone(directory, before)

    with pytest.raises(UserFacingError):
        create_profile(directory, PASSPHRASE)  # never a new store over it
    _assert_left_alone(directory, before)

    listed = run_cli(directory, "cases")
    assert listed.returncode == 2, listed.stderr
    assert listed.stdout == ""
    lines = listed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in listed.stderr, listed.stderr
    assert "damaged" in lines[0] and str(backup) in lines[0], lines[0]
    _assert_left_alone(directory, before)

    restored = run_cli(directory, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    kept = sorted(directory.glob(STORE + ".before-restore-*"))
    assert [p.name for p in kept if not p.name.endswith(("-wal", "-shm"))], "the damaged store was not kept"
    assert sha256(kept[0]) == hashlib.sha256(damaged).hexdigest(), "the damaged store was changed, not kept"
    assert sha256(backup) == before[f"backups/{backup.name}"], "restoring changed the backup"

    listed = run_cli(directory, "cases", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == cases_before


@pytest.mark.parametrize("kind", ["empty", "truncated-mid-page", "flipped-seed-1", "random-bytes"])
def test_damaged_store_without_backup_says_so_and_is_left_alone(tmp_path: Path, template, kind: str) -> None:
    directory = tmp_path / "profile"
    _damaged_copy(template[0], directory, kind, with_backup=False)
    before = snapshot(directory, skip=NOT_COMPARED)
    with pytest.raises(StoreDamagedError) as refused:
        unlock_profile(directory, PASSPHRASE)
    message = str(refused.value).lower()
    assert "damaged" in message and "no backup" in message, message
    _assert_left_alone(directory, before)
    listed = run_cli(directory, "cases")
    assert listed.returncode == 2 and "damaged" in listed.stderr and "Traceback" not in listed.stderr
    _assert_left_alone(directory, before)


def test_missing_store_with_backups_is_not_replaced_by_a_new_one(tmp_path: Path, template) -> None:
    """The store is gone but the key file and backups are there: never make a new profile over them."""
    source, cases_before = template
    directory = tmp_path / "profile"
    shutil.copytree(source, directory)
    (directory / STORE).unlink()
    (backup,) = backup_files(directory)
    before = snapshot(directory, skip=NOT_COMPARED)

    with pytest.raises(StoreDamagedError) as refused:
        unlock_profile(directory, PASSPHRASE)
    assert "missing" in str(refused.value) and str(backup) in str(refused.value)
    with pytest.raises(UserFacingError):
        create_profile(directory, PASSPHRASE)
    for args in (("cases",), ("init",)):
        done = run_cli(directory, *args)
        assert done.returncode == 2 and str(backup) in done.stderr, done.stderr
    assert snapshot(directory, skip=NOT_COMPARED) == before  # the key file that opens the backups is intact
    assert not (directory / STORE).exists()

    restored = run_cli(directory, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    listed = run_cli(directory, "cases", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == cases_before
    assert sha256(directory / KEY) == before[KEY]


# -- a damaged key file -------------------------------------------------------------------------


def _flip_in_entry(field: str) -> Callable[[bytes], bytes]:
    """One bit flipped inside a base64 field of the passphrase entry (still valid JSON and base64)."""

    def damage(data: bytes) -> bytes:
        import base64

        doc = json.loads(data)
        entry = doc["passphrase"] if field != "salt" else doc["passphrase"]["kdf"]
        name = "wrapped_key" if field == "wrapped_key" else field
        raw = bytearray(base64.b64decode(entry[name]))
        raw[len(raw) // 2] ^= 0x04
        entry[name] = base64.b64encode(bytes(raw)).decode("ascii")
        return json.dumps(doc, indent=2).encode("utf-8") + b"\n"

    return damage


KEY_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "random-bytes": lambda data: random.Random(5).randbytes(len(data)),
    "flipped-wrapped-key": _flip_in_entry("wrapped_key"),
    "flipped-salt": _flip_in_entry("salt"),
    "flipped-nonce": _flip_in_entry("nonce"),
}


@pytest.mark.parametrize("kind", list(KEY_DAMAGE))
def test_damaged_key_file_says_damaged_not_wrong_passphrase(tmp_path: Path, template, kind: str) -> None:
    """With the right passphrase, a damaged key file must not be reported as a wrong passphrase.

    Otherwise the user doubts a passphrase that is right, and each try counts towards the lock-out.
    Here there is no backup (so no copy of the key file) to put it back from.
    """
    directory = tmp_path / "profile"
    shutil.copytree(template[0], directory)
    shutil.rmtree(directory / "backups")
    key_file = directory / KEY
    key_file.write_bytes(KEY_DAMAGE[kind](key_file.read_bytes()))
    before = snapshot(directory, skip=NOT_COMPARED)
    with pytest.raises(UserFacingError) as refused:
        unlock_profile(directory, PASSPHRASE)
    message = str(refused.value).lower()
    assert "damaged" in message and "not right" not in message, message
    assert not (directory / "unlock-attempts.json").exists(), "the right passphrase was counted as a wrong one"
    assert snapshot(directory, skip=NOT_COMPARED) == before


@pytest.mark.parametrize("kind", [*KEY_DAMAGE, "deleted"])
def test_a_damaged_or_deleted_key_file_is_put_back_from_the_backups_copy(tmp_path: Path, template, kind: str) -> None:
    """RELIABILITY row 18: the passphrase opens the backup's copy of the key file; the bad one is kept aside."""
    directory = tmp_path / "profile"
    shutil.copytree(template[0], directory)
    key_file = directory / KEY
    if kind == "deleted":
        key_file.unlink()
    else:
        key_file.write_bytes(KEY_DAMAGE[kind](key_file.read_bytes()))
    damaged = key_file.read_bytes() if key_file.exists() else None
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert len(profile.cases.summaries()) == len(template[1])
    (copy,) = (directory / "backups").glob("*.key")
    assert key_file.read_bytes() == copy.read_bytes()
    kept = list(directory.glob(f"{KEY}.damaged-*"))
    if damaged is None:
        assert kept == []
    else:
        assert [p.read_bytes() for p in kept] == [damaged], "the damaged key file was not kept as it was"
    listed = run_cli(directory, "cases", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == template[1]
