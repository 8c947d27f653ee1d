"""Opening the store: the one place that connects, unlocks, sets pragmas, checks and migrates.

The store is an SQLCipher database keyed with a raw 256-bit key (see keys.py). A store that fails to
open is never created anew, deleted or overwritten: it is reported and left as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from psi_desktop.errors import StoreDamagedError as StoreDamagedError
from psi_desktop.errors import StoreError, StoreTooNewError
from psi_desktop.paths import STORE_FILE as STORE_FILE
from psi_desktop.storage import health
from psi_desktop.storage.errors import is_busy_error, is_full_error, is_read_only_error
from psi_desktop.storage.files import PLAINTEXT_HEADER as PLAINTEXT_HEADER
from psi_desktop.storage.files import fsync_dir
from psi_desktop.storage.files import is_plaintext as is_plaintext
from psi_desktop.storage.migrations import migrations
from psi_desktop.storage.practitioners import PractitionerRepository
from psi_desktop.storage.removals import RemovalRepository
from psi_desktop.storage.repositories import (
    ActionRepository,
    CaseRepository,
    ConflictRepository,
    DraftRepository,
    FrameworkRepository,
    ReflectionRepository,
    StoreBusyError,
    StoreFullError,
    writing,
)
from psi_desktop.storage.search import SearchIndex
from psi_desktop.storage.sqlcipher import Database, sqlite3

if TYPE_CHECKING:
    from psi_desktop.storage.keys import Key

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class Store:
    """An open store and its repositories. Close it when done."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self.cases = CaseRepository(db)
        self.reflections = ReflectionRepository(db)
        self.actions = ActionRepository(db)
        self.conflicts = ConflictRepository(db)
        self.drafts = DraftRepository(db)
        self.frameworks = FrameworkRepository(db)
        self.search = SearchIndex(db)
        self.practitioners = PractitionerRepository(db)
        self.removals = RemovalRepository(db)

    def atomic(self) -> contextlib.AbstractContextManager[Database]:
        """A transaction (a savepoint when nested): every write inside lands, or none does."""
        return writing(self.db)

    def pragma(self, name: str) -> object:
        return self.db.execute(f"PRAGMA {name}").fetchone()[0]

    def schema_migrations(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    def counts(self) -> dict[str, int]:
        return {t: self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "reflections")}

    def full_check(self) -> bool:
        """SQLite's quick_check over every page, on this connection; the result is recorded for every
        connection to this store (storage.health), so that a damaged one is written to no more."""
        try:
            ok: bool = self.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            ok = False
        if not ok:
            log.error("quick_check failed on %s after unlock", self.path.name)
        health.record(self.path, ok=ok)
        return ok

    def backup_to(self, target: Path, key: Key) -> None:
        """A consistent encrypted copy of the whole store at ``target`` (SQLite's online backup)."""
        conn = _connect(target, key)
        try:
            self.db.conn.backup(conn)
        finally:
            conn.close()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _immutable(path: Path, key: Key) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection that changes nothing beside the file (no -wal, no -shm); None if it fails.

    Immutable, so only for files no connection is writing, or where the main file is all that matters
    (it ignores a -wal).
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        yield None
        return
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("PRAGMA temp_store = MEMORY")
        yield conn
    finally:
        conn.close()


def inspect_store(path: Path, key: Key) -> dict[str, int] | None:
    """Read a backup without changing it: None unless it opens and passes integrity_check.

    Never for the live store, whose recent pages may be in its WAL.
    """
    with _immutable(path, key) as conn:
        try:
            if conn is None or conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return None
            return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "reflections")}
        except sqlite3.DatabaseError:
            return None


def _key_pragma(key: Key) -> str:
    return f"PRAGMA key = \"x'{bytes(key).hex()}'\""


def _connect(path: Path, key: Key | None) -> sqlite3.Connection:
    # A connection belongs to the thread that made it (sqlite3 refuses it anywhere else): work on
    # another thread opens its own (reopen_store), so no transaction of one thread can take another's
    # acknowledged save with it when it rolls back.
    conn = sqlite3.connect(str(path))
    # Otherwise a wrong key prints SQLCipher's complaints to stderr.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(_key_pragma(key))
    return conn


def damaged_text(name: str) -> str:
    """What PSI Desktop says of a store that failed its check or a page that did not decrypt."""
    return f"The store {name} is damaged. It has been left as it is."


def open_store(path: Path, key: Key, *, create: bool = True, deferred_check: bool = False) -> Store:
    """Open (and if ``create``, make) the encrypted store at ``path``, migrated to this build's schema.

    Raises StoreError with a plain message when it cannot: a missing or damaged file, a folder that
    cannot be written, or a store from a newer build. Opened with ``deferred_check``, only the store's
    first page and schema are read (their pages are checked as they decrypt); the full check is the
    caller's to run next (``Store.full_check``), and writes wait for it (storage.health). A store that
    needs migrating is checked in full first, whatever is asked.
    """
    existed = path.exists()
    if not existed and not create:
        raise StoreError(f"There is no PSI Desktop profile in {path.parent}.")
    if existed and path.stat().st_size == 0:
        # SQLite would open an empty file as a new database; an empty store is damage, not a blank.
        raise StoreDamagedError(f"The store {path.name} is empty and looks damaged. It has been left as it is.")
    if existed and is_plaintext(path):
        raise StoreError(f"The store {path.name} is not encrypted yet; it needs a passphrase first.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"PSI Desktop cannot open its data folder {path.parent}: {_reason(exc)}") from exc
    check = _check_cheaply if deferred_check and existed else _check
    return _opened(path, key, _configure, check, lambda db, _path: _migrate(db))


def reopen_store(path: Path, key: Key) -> Store:
    """One more connection to a store that this run has already opened (checked and migrated), for the
    calling thread: WAL lets it read beside the others and take its turn to write."""
    return _opened(path, key, _configure)


def _opened(path: Path, key: Key, *steps: Callable[[Database, Path], None]) -> Store:
    """Connect, then run ``steps`` on the connection; closed again if any of them fails."""
    try:
        conn = _connect(path, key)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"PSI Desktop cannot open its data folder {path.parent}: {_reason(exc)}") from exc
    db = Database(conn)
    try:
        for step in steps:
            step(db, path)
    except BaseException:
        db.close()
        raise
    return Store(db, path)


def _configure(db: Database, path: Path) -> None:
    try:
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        _raise_if_full_or_read_only(exc, path)
        raise StoreDamagedError(
            f"The store {path.name} is damaged or is not a PSI Desktop store. It has been left as it is."
        ) from exc
    if mode != "wal":
        raise StoreError("PSI Desktop could not switch its store to safe (WAL) mode.")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA temp_store = MEMORY")  # no unencrypted temporary files
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _check(db: Database, path: Path) -> None:
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        _raise_if_full_or_read_only(exc, path)
        result = type(exc).__name__
    if result != "ok":
        log.error("quick_check failed on %s", path.name)
        raise StoreDamagedError(damaged_text(path.name))
    health.record(path, ok=True)


def _check_cheaply(db: Database, path: Path) -> None:
    """The first page and the schema, read and decrypted (a wrong key or a damaged header fails here);
    the rest waits for Store.full_check. A store that needs migrating gets the full check now."""
    try:
        db.execute("PRAGMA schema_version").fetchone()
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        applied = {m.name for m in migrations.applied(db)} if "_sqlite_migrations" in names else set()
    except sqlite3.DatabaseError as exc:
        _raise_if_full_or_read_only(exc, path)
        log.error("The first pages of %s did not read", path.name)
        raise StoreDamagedError(damaged_text(path.name)) from exc
    if {m.name for m in migrations._migrations} - applied:
        _check(db, path)
        return
    health.pending(path)


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
    if not migrations.pending(db):
        return
    try:
        migrations.apply(db)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"PSI Desktop could not update its store: {_reason(exc)}") from exc


def _raise_if_full_or_read_only(exc: BaseException, path: Path) -> None:
    """A full disk, a read-only folder or a busy store is not damage: say what it is."""
    if is_busy_error(exc):
        raise StoreBusyError() from exc
    if is_full_error(exc, path.parent):
        raise StoreFullError(
            f"Your data folder {path.parent} is full, so PSI Desktop cannot open your records. "
            "Free some space and try again; nothing has been changed."
        ) from exc
    if is_read_only_error(exc):
        raise _read_only(path) from exc


def _read_only(path: Path) -> StoreError:
    return StoreError(
        f"PSI Desktop cannot write to its data folder {path.parent}. "
        "Ask IT to give you write access to it; nothing has been changed."
    )


def _reason(exc: BaseException) -> str:
    """A short, content-free reason for an OS or SQLite error."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).split(":")[0].lower() or type(exc).__name__


# -- converting a store from before encryption ---------------------------------------------------


def encrypt_plaintext_store(path: Path, key: Key) -> Path:
    """Write an encrypted copy of the plaintext store at ``path`` beside it, check it, return its path.

    The plaintext store is not changed; ``install_store`` puts the copy in its place once the key
    that opens it is safely written down.
    """
    target = path.with_name(path.name + ".encrypting")
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    plain = _connect(path, None)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if plain.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreDamagedError(damaged_text(path.name))
        tables = [r[0] for r in plain.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        expected = {t: plain.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        escaped = str(target).replace("'", "''")
        plain.execute(f"ATTACH DATABASE '{escaped}' AS encrypted KEY \"x'{bytes(key).hex()}'\"")
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute("DETACH DATABASE encrypted")
    except sqlite3.DatabaseError as exc:
        raise StoreDamagedError(f"The store {path.name} could not be read to encrypt it: {_reason(exc)}") from exc
    finally:
        plain.close()
    check = _connect(target, key)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        got = {t: check.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in expected}
    finally:
        check.close()
    if not ok or got != expected:
        target.unlink()
        raise StoreError("PSI Desktop could not make a good encrypted copy of your store; nothing was changed.")
    with open(target, "rb+") as f:
        os.fsync(f.fileno())
    return target


def install_store(new: Path, path: Path) -> None:
    """Replace the store at ``path`` (and its -wal/-shm) by ``new`` in one rename."""
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
    os.replace(new, path)
    fsync_dir(path.parent)


def files_of(path: Path) -> Iterator[Path]:
    """The store file and whichever of its -wal and -shm exist."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            yield candidate


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def copy_with_wal(source: Path, target: Path, key: Key, *, rekey_to: Key | None = None) -> None:
    """Copy a store file and its -wal, if it has one, to ``target``, with the WAL folded in.

    The copy stands alone (nothing of it is left only in a -wal); ``rekey_to`` re-encrypts it with
    another key. ``source`` is only read. Raises sqlite3.DatabaseError if ``key`` does not open it.
    """
    for part in (target, wal_of(target), target.with_name(target.name + "-shm")):
        part.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    if wal_of(source).exists():
        shutil.copyfile(wal_of(source), wal_of(target))
    conn = _connect(target, key)
    try:
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] != "delete":
            raise sqlite3.DatabaseError("the copy could not leave WAL mode")
        if rekey_to is not None:
            conn.execute(f"PRAGMA rekey = \"x'{bytes(rekey_to).hex()}'\"")
    finally:
        conn.close()


def key_opens(path: Path, key: Key) -> bool:
    """Whether ``key`` is the key of the store file at ``path`` (read only; nothing is changed)."""
    with _immutable(path, key) as conn:
        try:
            return conn is not None and conn.execute("SELECT count(*) FROM sqlite_master").fetchone() is not None
        except sqlite3.DatabaseError:
            return False


def rekey_file(path: Path, old: Key, new: Key) -> None:
    """Re-encrypt the store file at ``path`` from key ``old`` to ``new``: the old file or the new, never half.

    Its -wal is first folded into the file itself, so removing the -wal after the rename loses nothing.
    No connection may have the file open.
    """
    conn = _connect(path, old)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    work = path.with_name(path.name + ".rekeying")
    try:
        copy_with_wal(path, work, old, rekey_to=new)
        if inspect_store(work, new) is None:
            raise StoreError(f"{path.name} could not be re-encrypted; it has been left as it was.")
        with open(work, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(work, path)
    except BaseException:
        with contextlib.suppress(OSError):
            work.unlink()
        raise
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
    fsync_dir(path.parent)
