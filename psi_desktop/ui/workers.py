"""Work kept off the UI thread: key derivation when unlocking, listing and making backups, exports.

Every worker runs on a pool that its owner waits for: the session's (ui/session.py) for work on the
open profile, a dialog's own for work that needs none.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog

from psi_desktop.errors import UserFacingError

log = logging.getLogger(__name__)

# Workers waiting to report back; holding them here keeps Python from collecting one mid-run.
_running: set[Worker] = set()

COLLECT_EVERY_MS = 500


class _Dispatcher(QObject):
    """Lives on the UI thread for the whole run, so results queued from a pool thread arrive there.

    Python's cyclic garbage collection runs here too, on the UI thread only. Left to itself it runs
    on whichever thread crosses its threshold, a worker's as well; a dropped widget caught in a
    reference cycle would then be destroyed off the thread that owns it ("QObject::killTimer: Timers
    cannot be stopped from another thread", or worse). So once there are workers, the automatic
    collector is off and a timer here collects, generation by generation, as its thresholds say.
    """

    delivered = Signal(object, bool, object)  # the worker, whether it succeeded, its result or exception

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._collector = QTimer(self)
        self._collector.timeout.connect(self._collect)
        self._collector.start(COLLECT_EVERY_MS)

    @Slot()
    def _collect(self) -> None:
        young, middle, old = gc.get_count()
        first, second, third = self._thresholds
        if young > first:
            gc.collect(2 if middle >= second and old >= third else 1 if middle >= second else 0)

    @Slot(object, bool, object)
    def _on_delivered(self, worker: Worker, ok: bool, value: object) -> None:
        worker._deliver(ok, value)


_dispatcher: _Dispatcher | None = None


def _the_dispatcher() -> _Dispatcher:
    global _dispatcher
    if _dispatcher is None or not shiboken6.isValid(_dispatcher):
        _dispatcher = _Dispatcher()
    return _dispatcher


class Progress(QObject):
    """Carries a job's progress (fraction, message) from the worker's thread to the UI thread (a queued signal)."""

    moved = Signal(float, str)


class Worker(QRunnable):
    """Runs ``job`` on a pool thread, then calls ``done(result)`` or ``failed(exc)`` on the UI thread.

    The job gets plain values and returns plain values; it never touches a widget. When ``owner``
    has been deleted by the time the job ends, the callbacks are skipped, and a result that can be
    closed (an unlocked profile) is closed rather than left open.
    """

    def __init__(
        self,
        job: Callable[[], Any],
        *,
        owner: QObject,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._job = job
        self._owner = owner
        self._done = done
        self._failed = failed
        self._dispatcher = _the_dispatcher()  # made here, on the UI thread

    def start(self, pool: QThreadPool) -> Worker:
        """Run on ``pool``: one that its owner waits for before it goes (never Qt's global pool)."""
        _running.add(self)
        pool.start(self)
        return self

    def run(self) -> None:  # on the pool thread
        try:
            result = self._job()
        except Exception as exc:
            if not isinstance(exc, UserFacingError):
                log.exception("Background work failed")
            self._dispatcher.delivered.emit(self, False, exc)
        else:
            self._dispatcher.delivered.emit(self, True, result)

    def _deliver(self, ok: bool, value: object) -> None:  # on the UI thread
        _running.discard(self)
        if shiboken6.isValid(self._owner):
            (self._done if ok else self._failed)(value)
        elif ok and callable(getattr(value, "close", None)):
            value.close()  # type: ignore[union-attr]


def dialog_pool(dialog: QDialog) -> QThreadPool:
    """A pool for a dialog's own work (a key derivation, a list of backups), waited for when it closes."""
    pool = QThreadPool(dialog)
    dialog.finished.connect(lambda _result: pool.waitForDone())
    return pool
