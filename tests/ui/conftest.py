"""Helpers for screens on real encrypted profiles: a window on a profile, unlocking it, acting on modal dialogs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QComboBox, QLabel, QLineEdit, QWidget

from psi_desktop.app import settings_for
from psi_desktop.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE, _fast_kdf

FAST = _fast_kdf()


@pytest.fixture
def open_window(qtbot):
    """``open_window(profile_or_directory, **settings)``: a shown main window, unlocked when given a profile."""
    made: list[MainWindow] = []

    def open_(profile_or_directory, **settings_values) -> MainWindow:
        directory = getattr(profile_or_directory, "directory", profile_or_directory)
        settings = settings_for(Path(directory))
        for key, value in settings_values.items():
            settings.setValue(key.replace("__", "/"), value)
        profile = None if isinstance(profile_or_directory, Path) else profile_or_directory
        window = MainWindow(Path(directory), settings, profile=profile)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield open_
    for window in made:
        window.shutdown()


@pytest.fixture
def session_of(qtbot):
    """``session_of(profile)``: a Session holding the open ``profile``, as a window's does, for a dialog on
    its own; closed (its workers waited for) at the end of the test."""
    from psi_desktop.ui.session import Session

    made: list[Session] = []

    def open_(profile) -> Session:
        session = Session()
        session.open(profile, auto_lock_seconds=3600)
        made.append(session)
        return session

    yield open_
    for session in made:
        session.close()


def unlock(qtbot, window: MainWindow, passphrase: str = PASSPHRASE) -> None:
    """Type the passphrase on the lock screen, click Unlock and wait for the records."""
    screen = window.lock_screen
    screen.passphrase_edit.clear()
    qtbot.keyClicks(screen.passphrase_edit, passphrase)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.locked, timeout=20_000)


def when_modal(kind: type, act: Callable[[QWidget], None]) -> list:
    """Run ``act(dialog)`` once a modal ``kind`` is open; returns a list that then holds the dialog."""
    seen: list = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            seen.append(dialog)
            act(dialog)
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def widgets_showing(text: str) -> list[QWidget]:
    """Every live widget whose own text, or whose table, shows ``text``."""
    found = []
    for widget in QApplication.allWidgets():
        try:
            own = widget.text() if hasattr(widget, "text") else ""
        except TypeError:  # a text() that needs arguments
            own = ""
        if isinstance(own, str) and text in own:
            found.append(widget)
            continue
        model = widget.model() if isinstance(widget, QAbstractItemView) else None
        if model is not None:
            try:
                columns = model.columnCount()
            except TypeError:  # a list model (QListWidget's) keeps columnCount() private: one column
                columns = 1
            for row in range(model.rowCount()):
                for column in range(columns):
                    if text in str(model.index(row, column).data() or ""):
                        found.append(widget)
    return found


def clipped(root: QWidget) -> list[str]:
    """The visible labels, buttons, fields and choices under ``root`` given less room than their text needs.

    A word-wrapped label needs its height for its width; any other label, and every button, field and
    choice box, needs its minimum size. Call ``settle_layout(root)`` first.
    """
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not isinstance(widget, QLabel | QAbstractButton | QLineEdit | QComboBox):
            continue
        size = widget.size()
        if isinstance(widget, QLabel) and widget.wordWrap():
            short = size.height() < widget.heightForWidth(size.width())
        else:
            need = widget.minimumSizeHint()
            short = size.width() < need.width() or size.height() < need.height()
        if short:
            shown = widget.text() if hasattr(widget, "text") else widget.currentText()
            found.append(f"{type(widget).__name__} {shown[:40]!r}: {size.width()}x{size.height()}")
    return found
