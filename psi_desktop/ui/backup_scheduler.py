"""When backups are made: every 30 minutes of use, on request, and on close."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from psi_desktop.paths import BACKUP_INTERVAL_MINUTES, BACKUPS_KEPT
from psi_desktop.ui.workers import Worker

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

log = logging.getLogger(__name__)


class BackupScheduler(QObject):
    """Makes backups on a worker thread while the profile is unlocked.

    The interval counts time in use: the timer pauses while the window is locked and carries on
    from where it was, so locking often does not put off the next backup for ever.
    """

    backup_made = Signal(object, bool)  # Path of the new backup; True when the user asked for it
    backup_failed = Signal(object, bool)  # the exception; True when the user asked for it

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        interval_ms: int = BACKUP_INTERVAL_MINUTES * 60_000,
        keep: int = BACKUPS_KEPT,
    ) -> None:
        super().__init__(parent)
        self.keep = keep
        self.interval_ms = interval_ms
        self._remaining_ms = interval_ms
        self._profile: Profile | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one backup at a time
        self._running = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def busy(self) -> bool:
        return self._running > 0

    def resume(self, profile: Profile) -> None:
        """The profile is unlocked: count time in use again."""
        self._profile = profile
        self._timer.start(max(0, self._remaining_ms))

    def pause(self) -> None:
        """The profile is about to lock: stop counting, remember how long was left."""
        if self._timer.isActive():
            self._remaining_ms = self._timer.remainingTime()
        self._timer.stop()
        self._profile = None

    def back_up_now(self, *, asked: bool = True) -> bool:
        """Start a backup on the worker thread; False when the profile is locked."""
        if self._profile is None or self._profile.closed:
            return False
        from psi_desktop.services.backups import make_backup  # the store's code, loaded after the lock screen shows

        self._running += 1
        Worker(
            partial(make_backup, self._profile.directory, self._profile.key, keep=self.keep),
            owner=self,
            done=lambda path: self._on_worker_done(path, asked),
            failed=lambda exc: self._on_worker_failed(exc, asked),
        ).start(self._pool)
        return True

    def wait(self, msecs: int = -1) -> bool:
        """Let a running backup finish (before restoring, or closing)."""
        return self._pool.waitForDone(msecs)

    def final_backup(self) -> Path | None:
        """On close, with the window already hidden: one last backup, here and now."""
        self._timer.stop()
        self.wait()
        profile, self._profile = self._profile, None
        if profile is None or profile.closed:
            return None
        from psi_desktop.services.backups import make_backup

        return make_backup(profile.directory, profile.key, keep=self.keep)

    def _on_timer_timeout(self) -> None:
        self.back_up_now(asked=False)
        self._remaining_ms = self.interval_ms
        self._timer.start(self.interval_ms)

    def _on_worker_done(self, path: Path, asked: bool) -> None:
        self._running -= 1
        self.backup_made.emit(path, asked)

    def _on_worker_failed(self, exc: BaseException, asked: bool) -> None:
        self._running -= 1
        log.warning("A backup failed: %s", type(exc).__name__)
        self.backup_failed.emit(exc, asked)
