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
from psi_desktop.storage import STORE_FILE, open_store
from psi_desktop.storage.files import fsync_dir
from psi_desktop.storage.repositories import is_full_error
from psi_desktop.storage.sqlcipher import sqlite3
from psi_desktop.storage.store import files_of, inspect_store, install_store

log = logging.getLogger(__name__)

BACKUP_DIR = "backups"
KEEP = 10
BACKUP_INTERVAL_MINUTES = 30
_NAME = re.compile(r"^psi-desktop-(\d{8}-\d{6}-\d{6})\.db$")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    made_at: dt.datetime
    ok: bool
    cases: int = 0
    reflections: int = 0


def backup_dir(directory: Path) -> Path:
    return directory / BACKUP_DIR


def backup_files(directory: Path) -> list[Path]:
    """The profile's backups, newest first."""
    folder = backup_dir(directory)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=lambda p: p.name, reverse=True)


def _made_at(path: Path) -> dt.datetime:
    stamp = _NAME.match(path.name).group(1)  # type: ignore[union-attr]
    return dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f").replace(tzinfo=dt.UTC)


def make_backup(directory: Path, key: bytes, *, keep: int = KEEP, out: Path | None = None, force: bool = False) -> Path:
    """Copy the store into a new backup, check the copy opens and is intact, then drop the oldest.

    Opens its own connection, so it can run on a worker thread while the window stays responsive.
    With ``out``, the copy goes there instead (see ``_backup_to_out``).
    """
    if out is not None:
        return _backup_to_out(directory, key, out, force=force)
    folder = backup_dir(directory)
    now = dt.datetime.now(dt.UTC)
    target = out or folder / f"psi-desktop-{now:%Y%m%d-%H%M%S-%f}.db"
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
        os.replace(partial, target)
        fsync_dir(target.parent)
    except (OSError, sqlite3.OperationalError) as exc:
        _discard(partial)
        raise StoreError(f"The backup could not be written ({_why(exc)}). Your records are unchanged.") from exc
    except BaseException:
        _discard(partial)
        raise
    if out is None:
        for old in backup_files(directory)[keep:]:
            old.unlink(missing_ok=True)
    log.info("Backup made")
    return target


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
        raise StoreError(f"The backup could not be written ({_why(exc)}). Your records are unchanged.") from exc
    log.info("Backup copy made")
    return target


def _why(exc: BaseException) -> str:
    if is_full_error(exc) or getattr(exc, "errno", None) == errno.ENOSPC:
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


def list_backups(directory: Path, key: bytes) -> list[BackupInfo]:
    """Every backup, newest first, with what it holds; a damaged one is listed as not ok."""
    found = []
    for path in backup_files(directory):
        try:
            cases, reflections = _verify(path, key)
            found.append(BackupInfo(path, _made_at(path), True, cases, reflections))
        except UserFacingError:
            found.append(BackupInfo(path, _made_at(path), False))
    return found


def restore_backup(directory: Path, key: bytes, backup: Path) -> Path:
    """Put ``backup`` in place of the store. The store it replaces is kept aside, never deleted.

    Returns where the replaced store was kept (or the store path if there was none).
    """
    backup = backup.resolve()
    if not backup.is_file():
        raise UserFacingError(f"There is no backup file at {backup}.")
    _verify(backup, key)
    store = directory / STORE_FILE
    copy = store.with_name(store.name + ".restoring")
    try:
        copy.write_bytes(backup.read_bytes())
        with open(copy, "rb+") as f:
            os.fsync(f.fileno())
        _verify(copy, key)
    except OSError as exc:
        _discard(copy)
        raise StoreError(f"The backup could not be restored ({_why(exc)}). Nothing was changed.") from exc
    except BaseException:
        _discard(copy)
        raise
    kept = store
    if store.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        kept = store.with_name(f"{store.name}.before-restore-{stamp}")
        for part in list(files_of(store)):
            os.replace(part, kept.with_name(kept.name + part.name[len(store.name) :]))
    install_store(copy, store)
    log.info("Backup restored")
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
        results.append(CheckResult(info.path, info.ok, detail))
    return results
