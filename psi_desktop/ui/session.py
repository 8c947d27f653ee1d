"""The open profile and everything that runs on it: the idle lock, backups and background work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool

from psi_desktop.errors import StoreError
from psi_desktop.ui.backup_scheduler import BackupScheduler
from psi_desktop.ui.idle import IdleWatcher
from psi_desktop.ui.workers import Worker

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

log = logging.getLogger(__name__)

T = TypeVar("T")


class Session(QObject):
    """Owns the unlocked profile, the idle lock, the backups and every worker of one window.

    The profile's own connection belongs to the UI thread. Work run with ``run`` gets the profile on
    a connection of its own, opened and closed on the worker's thread, so no connection is ever used
    by two threads. ``close`` (locking) and ``shutdown`` cancel the work that can stop part-way (PDFs:
    see ``cancelled``), wait for the rest (an import's single transaction, a backup) and only then
    close the store; a job that ends after that reports to nobody.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profile: Profile | None = None
        self.idle = IdleWatcher(self)
        self.backups = BackupScheduler(self)
        self._pool = QThreadPool(self)
        self._cancel = threading.Event()
        self._generation = 0  # goes up at every close: results of work from before it are dropped

    @property
    def cancelled(self) -> Callable[[], bool]:
        """For long work to check between steps: True once the session is closing."""
        return self._cancel.is_set

    def open(self, profile: Profile, *, auto_lock_seconds: float) -> None:
        """Take the unlocked ``profile``: count idle time and time to the next backup from now."""
        if self.profile is not None:
            raise RuntimeError("A session holds one profile at a time; close it first.")
        self.profile = profile
        self._cancel.clear()
        self.idle.start(auto_lock_seconds)
        self.backups.resume(profile)

    def run(
        self,
        job: Callable[[Profile], T],
        *,
        owner: QObject,
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Run ``job(profile)`` on a worker thread, with the profile on that thread's own connection."""
        profile = self.profile
        if profile is None:
            raise StoreError("This profile is locked.")
        detached = profile.detached_copy()  # the key is copied here, on the UI thread

        def on_own_connection() -> T:
            try:
                with detached.open() as own:
                    return job(own)
            finally:
                detached.close()  # the copy of the key, also when the connection would not open

        self.run_plain(on_own_connection, owner=owner, done=done, failed=failed)

    def run_plain(
        self,
        job: Callable[[], Any],
        *,
        owner: QObject,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Run ``job()`` (work that needs no store connection: a key derivation, a chart) on a worker thread."""
        generation = self._generation

        def current(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: callback(value) if generation == self._generation else None

        Worker(job, owner=owner, done=current(done), failed=current(failed)).start(self._pool)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for every worker (backups included) to finish."""
        backups_done = self.backups.wait(msecs)
        return self._pool.waitForDone(msecs) and backups_done

    def close(self) -> None:
        """Lock: stop the idle lock and backups, cancel what can stop, wait for all work, close the store."""
        self.idle.stop()
        self.backups.pause()
        self._cancel.set()
        self._generation += 1
        self.wait()
        profile, self.profile = self.profile, None
        if profile is not None:
            profile.close()

    def shutdown(self) -> None:
        """On quit: the last backup, then close as when locking. Raises what the backup raised, store closed."""
        self.idle.stop()
        try:
            if self.profile is not None:
                self.backups.final_backup()
        finally:
            self.close()
