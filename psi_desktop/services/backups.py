"""Backups: encrypted, rotating copies of the store in the profile's backups folder; restore; check."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from psi_desktop.errors import StoreError, UserFacingError
from psi_desktop.paths import BACKUP_DIR as BACKUP_DIR
from psi_desktop.paths import BACKUP_INTERVAL_MINUTES as BACKUP_INTERVAL_MINUTES
from psi_desktop.paths import BACKUPS_KEPT
from psi_desktop.storage import STORE_FILE, open_store
from psi_desktop.storage.errors import is_full_error
from psi_desktop.storage.files import atomic_write, fsync_dir
from psi_desktop.storage.keys import KeyFile, KeyFileError
from psi_desktop.storage.sqlcipher import sqlite3
from psi_desktop.storage.store import copy_with_wal, files_of, inspect_store, install_store, wal_of

log = logging.getLogger(__name__)

KEEP = BACKUPS_KEPT
# psi-desktop-<order>-<UTC time>.db: the order in which backups were made comes first, so a clock
# set back (or forward) never makes a new backup sort as an old one. Backups from before the order
# was kept (no order in the name) count as older than any that has one.
_NAME = re.compile(r"^psi-desktop-(?:(\d{6,})-)?(\d{8}-\d{6}-\d{6})\.db$")
_SET_ASIDE = re.compile(rf"^{re.escape(STORE_FILE)}\.before-restore-(\d{{8}}-\d{{6}})(?:-\d+)?$")
KEY_COPY_SUFFIX = ".key"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    made_at: dt.datetime
    ok: bool
    cases: int = 0
    reflections: int = 0
    set_aside: bool = False  # the store as it was before a restore, kept in the profile folder


def backup_dir(directory: Path) -> Path:
    return directory / BACKUP_DIR


def key_copy(backup: Path) -> Path:
    """The copy of the key file made with a backup: it opens the backup if the profile's key file is lost."""
    return backup.with_suffix(KEY_COPY_SUFFIX)


def _order(path: Path) -> tuple[int, str]:
    match = _NAME.match(path.name)
    assert match is not None
    return int(match.group(1) or 0), match.group(2)


def backup_files(directory: Path) -> list[Path]:
    """The profile's backups, newest first: in the order they were made, whatever the clock said."""
    folder = backup_dir(directory)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=_order, reverse=True)


def set_aside_files(directory: Path) -> list[Path]:
    """Stores that a restore put aside (never deleted), newest first."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if _SET_ASIDE.match(p.name)), key=lambda p: p.name, reverse=True)


def _made_at(path: Path) -> dt.datetime:
    match = _NAME.match(path.name) or _SET_ASIDE.match(path.name)
    assert match is not None
    stamp = match.groups()[-1]
    pattern = "%Y%m%d-%H%M%S-%f" if stamp.count("-") == 2 else "%Y%m%d-%H%M%S"
    return dt.datetime.strptime(stamp, pattern).replace(tzinfo=dt.UTC)


def _next_name(folder: Path, now: dt.datetime) -> Path:
    existing = [_order(p)[0] for p in backup_files(folder.parent)]
    order = max(existing, default=0) + 1
    while True:
        target = folder / f"psi-desktop-{order:06d}-{now:%Y%m%d-%H%M%S-%f}.db"
        if not target.exists() and not key_copy(target).exists():
            return target
        order += 1


def make_backup(directory: Path, key: bytes, *, keep: int = KEEP, out: Path | None = None, force: bool = False) -> Path:
    """Copy the store into a new backup with a copy of the key file, check both, then drop the oldest.

    Opens its own connection, so it can run on a worker thread while the window stays responsive.
    The backup just made is never the one dropped: rotation follows the order backups were made.
    With ``out``, the copy goes there instead (see ``_backup_to_out``).
    """
    if out is not None:
        return _backup_to_out(directory, key, out, force=force)
    folder = backup_dir(directory)
    target = _next_name(folder, dt.datetime.now(dt.UTC))
    partial = target.with_name(target.name + ".partial")
    for stale in folder.glob("*.partial") if folder.is_dir() else ():
        _discard(stale)  # left by a backup that was cut off
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_store(directory / STORE_FILE, key, create=False) as store:
            store.backup_to(partial, key)
        _verify(partial, key)
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        _write_key_copy(directory, target)
        os.replace(partial, target)
        fsync_dir(target.parent)
    except (OSError, sqlite3.OperationalError) as exc:
        _discard(partial)
        _discard(key_copy(target))
        raise StoreError(f"The backup could not be written ({_why(exc, folder)}). Nothing was changed.") from exc
    except BaseException:
        _discard(partial)
        _discard(key_copy(target))
        raise
    for old in backup_files(directory)[keep:]:
        if old != target:
            _discard(old)
            _discard(key_copy(old))
    log.info("Backup made")
    return target


def _write_key_copy(directory: Path, target: Path) -> None:
    """Beside the backup, the key file as it is now: written, then read back and compared."""
    try:
        data = KeyFile(directory).raw()
    except KeyFileError:
        # The key file went missing while the profile was open (the key is in memory): the backup
        # still opens with any other backup's key copy, which holds the same key.
        log.warning("The key file could not be read; the backup is made without a copy of it")
        return
    copy = key_copy(target)
    atomic_write(copy, data)
    if copy.read_bytes() != data:
        raise OSError(errno.EIO, "the copy of the key file did not read back")


def _backup_to_out(directory: Path, key: bytes, out: Path, *, force: bool) -> Path:
    """A checked backup copy at ``out``: never a file of a profile folder, replaced only with ``force``."""
    from psi_desktop.storage.outputs import check_output, output_file

    target = check_output(out, directory, force=force)
    try:
        with output_file(target, directory, force=force) as temp:
            with open_store(directory / STORE_FILE, key, create=False) as store:
                store.backup_to(temp, key)
            _verify(temp, key)
    except (OSError, sqlite3.OperationalError) as exc:
        raise StoreError(
            f"The backup could not be written ({_why(exc, target.parent)}). Your records are unchanged."
        ) from exc
    log.info("Backup copy made")
    return target


def _why(exc: BaseException, folder: Path | None = None) -> str:
    if is_full_error(exc, folder):
        return "the disk is full"
    return (getattr(exc, "strerror", None) or "a disk error").lower()


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _verify(path: Path, key: bytes) -> tuple[int, int]:
    """Read a backup without changing it: a full integrity check, and what it holds."""
    counts = inspect_store(path, key)
    if counts is None:
        raise StoreError(f"The backup {path.name} is damaged or was not made with this profile's key.")
    return counts["cases"], counts["reflections"]


def _inspect_with_wal(path: Path, key: bytes) -> tuple[int, int]:
    """Like ``_verify``, but counting what the file's -wal holds too (a store set aside while open)."""
    if not wal_of(path).exists():
        return _verify(path, key)
    scratch = backup_dir(path.parent) / f".checking-{path.name}"
    try:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        copy_with_wal(path, scratch, key)
        return _verify(scratch, key)
    except OSError as exc:
        raise StoreError(f"{path.name} could not be checked ({_why(exc)}).") from exc
    finally:
        for part in (scratch, wal_of(scratch), scratch.with_name(scratch.name + "-shm")):
            _discard(part)


def list_backups(directory: Path, key: bytes) -> list[BackupInfo]:
    """Every backup, newest first, then the stores set aside by restores; a damaged one is not ok."""
    found = []
    for path in backup_files(directory):
        try:
            cases, reflections = _verify(path, key)
            found.append(BackupInfo(path, _made_at(path), True, cases, reflections))
        except UserFacingError:
            found.append(BackupInfo(path, _made_at(path), False))
    for path in set_aside_files(directory):
        try:
            cases, reflections = _inspect_with_wal(path, key)
            found.append(BackupInfo(path, _made_at(path), True, cases, reflections, set_aside=True))
        except UserFacingError:
            found.append(BackupInfo(path, _made_at(path), False, set_aside=True))
    return found


def restore_backup(directory: Path, key: bytes, backup: Path, *, source_key: bytes | None = None) -> Path:
    """Put ``backup`` in place of the store. The store it replaces is kept aside, never deleted.

    The backup is read with its -wal, if it has one, so nothing it holds is lost; ``source_key`` is
    the key it is encrypted with when that is not the profile's (the copy is re-encrypted with
    ``key``). Returns where the replaced store was kept (or the store path if there was none).
    """
    store = directory / STORE_FILE
    backup = backup.resolve()
    live = {(directory / name).resolve() for name in (STORE_FILE, STORE_FILE + "-wal", STORE_FILE + "-shm")}
    if backup in live:
        raise UserFacingError(
            "That is the store PSI Desktop is using, not a backup. Choose a backup from the backups folder."
        )
    if not backup.is_file():
        raise UserFacingError(f"There is no backup file at {backup}.")
    copy = store.with_name(store.name + ".restoring")
    try:
        copy_with_wal(backup, copy, source_key or key, rekey_to=key if source_key not in (None, key) else None)
        with open(copy, "rb+") as f:
            os.fsync(f.fileno())
        _verify(copy, key)
    except (OSError, sqlite3.DatabaseError) as exc:
        _discard(copy)
        if isinstance(exc, sqlite3.DatabaseError) and not is_full_error(exc, directory):
            raise StoreError(f"The backup {backup.name} is damaged or was not made with this profile's key.") from exc
        raise StoreError(f"The backup could not be restored ({_why(exc, directory)}). Nothing was changed.") from exc
    except BaseException:
        _discard(copy)
        raise
    kept = store
    if store.exists():
        kept = _set_aside_name(store)
        for part in list(files_of(store)):
            os.replace(part, kept.with_name(kept.name + part.name[len(store.name) :]))
    install_store(copy, store)
    log.info("Backup restored")
    return kept


def _set_aside_name(store: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    kept = store.with_name(f"{store.name}.before-restore-{stamp}")
    n = 2
    while kept.exists():  # two restores in one second: never replace what the first set aside
        kept = store.with_name(f"{store.name}.before-restore-{stamp}-{n}")
        n += 1
    return kept


@dataclass(frozen=True, slots=True)
class CheckResult:
    path: Path
    ok: bool
    detail: str


def check_profile(directory: Path, key: bytes) -> list[CheckResult]:
    """A full integrity check of the store and of every backup."""
    results = []
    store_file = directory / STORE_FILE
    try:
        # The live store may have recent pages in its WAL: open it properly rather than as a file.
        with open_store(store_file, key, create=False) as store:
            ok = store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts = store.counts()
        detail = f"{counts['cases']} cases, {counts['reflections']} reflections" if ok else "integrity check failed"
        results.append(CheckResult(store_file, ok, detail))
    except UserFacingError as exc:
        results.append(CheckResult(store_file, False, str(exc)))
    for info in list_backups(directory, key):
        detail = f"{info.cases} cases, {info.reflections} reflections" if info.ok else "damaged"
        if info.set_aside:
            detail += " (set aside by a restore; it can be restored like a backup)"
        results.append(CheckResult(info.path, info.ok, detail))
    return results
