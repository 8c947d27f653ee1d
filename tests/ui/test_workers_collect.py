"""Python's cyclic garbage collector runs on the UI thread only, once there are workers (ui/workers.py).

A widget dropped in a reference cycle and collected on a worker's thread is destroyed off the thread
that owns it: Qt's "Timers cannot be stopped from another thread", seen once on a fresh Debian run.
"""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject, QThreadPool, QTimer

from psi_desktop.ui.workers import Worker


class _Held(QObject):
    """A QObject with a running timer, kept alive only by a reference cycle."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.start(60_000)
        self.me = self


def test_a_dropped_widget_in_a_cycle_is_collected_on_the_ui_thread(qtbot):
    owner = QObject()
    pool = QThreadPool(owner)
    done = []
    Worker(lambda: None, owner=owner, done=done.append, failed=done.append).start(pool)
    qtbot.waitUntil(lambda: bool(done))
    assert not gc.isenabled()  # the automatic collector, which runs on any thread, is off

    collected_on = []
    held = _Held()
    weakref.finalize(held, lambda: collected_on.append(threading.current_thread()))
    del held

    def allocate() -> int:  # far past the collector's thresholds, on the worker's thread
        junk = []
        for _ in range(50_000):
            pair = [None]
            pair[0] = pair
            junk.append((pair,))
        return len(junk)

    Worker(allocate, owner=owner, done=done.append, failed=done.append).start(pool)
    qtbot.waitUntil(lambda: len(done) == 2 and bool(collected_on), timeout=5000)
    assert done[1] == 50_000
    assert collected_on == [threading.main_thread()]
    pool.waitForDone()
