"""Opening the store: the one place that connects, sets pragmas, checks and migrates.

Encryption is added here, and only here.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from psi_desktop.errors import StoreError, StoreTooNewError
from psi_desktop.storage.migrations import migrations
from psi_desktop.storage.repositories import ActionRepository, CaseRepository, ReflectionRepository

log = logging.getLogger(__name__)

STORE_FILE = "psi-desktop.db"
BUSY_TIMEOUT_MS = 5000


class Store:
    """An open store and its repositories. Close it when done."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self.cases = CaseRepository(db)
        self.reflections = ReflectionRepository(db)
        self.actions = ActionRepository(db)

    def atomic(self):
        """A transaction (a savepoint when nested): every write inside lands, or none does."""
        return self.db.atomic()

    def pragma(self, name: str) -> object:
        return self.db.execute(f"PRAGMA {name}").fetchone()[0]

    def schema_migrations(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: Path, *, create: bool = True) -> Store:
    """Open (and if ``create``, make) the store at ``path``, migrated to this build's schema.

    Raises StoreError with a plain message when it cannot: a missing or damaged file, a folder that
    cannot be written, or a store from a newer build. A file that fails to open is never replaced.
    """
    existed = path.exists()
    if not existed and not create:
        raise StoreError(f"There is no PSI Desktop profile in {path.parent}.")
    if existed and path.stat().st_size == 0:
        # SQLite would open an empty file as a new database; an empty store is damage, not a blank.
        raise StoreError(f"The store {path.name} is empty and looks damaged. It has been left as it is.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path))
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"PSI Desktop cannot open its data folder {path.parent}: {_reason(exc)}") from exc
    db = Database(conn)
    try:
        _configure(db)
        _check(db, path)
        _migrate(db)
    except BaseException:
        db.close()
        raise
    return Store(db, path)


def _configure(db: Database) -> None:
    try:
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError("The store is damaged or is not a PSI Desktop store. It has been left as it is.") from exc
    if mode != "wal":
        raise StoreError("PSI Desktop could not switch its store to safe (WAL) mode.")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _check(db: Database, path: Path) -> None:
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result = type(exc).__name__
    if result != "ok":
        log.error("quick_check failed on %s", path.name)
        raise StoreError(f"The store {path.name} is damaged. It has been left as it is.")


def _migrate(db: Database) -> None:
    # sqlite-utils keeps the registered migrations private; pending + applied is not enough to
    # tell "unknown to this build" apart, so read the registration list directly.
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise StoreTooNewError(
            "This profile was saved by a newer version of PSI Desktop. "
            "Install the newer version to open it; nothing has been changed."
        )
    try:
        migrations.apply(db)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"PSI Desktop could not update its store: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    """A short, content-free reason for an OS or SQLite error."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).split(":")[0].lower() or type(exc).__name__
