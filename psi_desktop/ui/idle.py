"""Noticing when nobody is using PSI Desktop, so it can lock itself."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

# Input from a person; anything else (paints, timers, focus changes) does not count as use.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)
WAKE_CHECK_MS = 2000


class IdleWatcher(QObject):
    """Emits ``went_idle`` once no key or mouse input has reached the application for ``timeout`` seconds.

    Watches every event through an application-wide event filter, so typing in any window or dialog
    counts as use. The filter only notes the time; a precise single-shot timer checks at the deadline.

    Sleep: timers and ``time.monotonic`` stop while a laptop sleeps on Linux, so after waking the
    deadline could lie minutes away. The wall clock does not stop, so it is checked too: every
    couple of seconds, and before the first input after waking, which is swallowed rather than
    typed into a record.
    """

    went_idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout = 300.0
        self._active = False
        self._last_input = time.monotonic()
        self._last_input_wall = time.time()
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setTimerType(Qt.TimerType.PreciseTimer)
        self._deadline.timeout.connect(self._on_deadline_timeout)
        self._wake_check = QTimer(self)
        self._wake_check.setInterval(WAKE_CHECK_MS)
        self._wake_check.timeout.connect(self._on_wake_check_timeout)

    @property
    def active(self) -> bool:
        return self._active

    def start(self, timeout: float) -> None:
        """Watch from now on; ``timeout`` in seconds."""
        self.timeout = timeout
        self._note_input()
        if not self._active:
            QApplication.instance().installEventFilter(self)
            self._active = True
        self._deadline.start(round(timeout * 1000))
        self._wake_check.start()

    def stop(self) -> None:
        if self._active:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._active = False
        self._deadline.stop()
        self._wake_check.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._active and event.type() in INPUT_EVENTS:
            if self._slept_past_timeout():
                self._went_idle()
                return True  # the first key after waking must not reach a record
            self._note_input()
        return False

    def _note_input(self) -> None:
        self._last_input = time.monotonic()
        self._last_input_wall = time.time()

    def _slept_past_timeout(self) -> bool:
        return time.time() - self._last_input_wall >= self.timeout

    def _on_deadline_timeout(self) -> None:
        remaining = self.timeout - (time.monotonic() - self._last_input)
        if remaining <= 0.001 or self._slept_past_timeout():
            self._went_idle()
        else:
            self._deadline.start(max(1, round(remaining * 1000)))

    def _on_wake_check_timeout(self) -> None:
        if self._slept_past_timeout():
            self._went_idle()

    def _went_idle(self) -> None:
        self.stop()
        self.went_idle.emit()
