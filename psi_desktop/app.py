"""The composition root: QApplication, logging, crash handling, profile and main window."""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QLockFile, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from psi_desktop import __version__
from psi_desktop.errors import UserFacingError
from psi_desktop.logs import configure_logging, log_path

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.ini"
LOCK_FILE = "psi-desktop.lock"


@contextlib.contextmanager
def instance_lock(directory: Path) -> Iterator[None]:
    """One running PSI Desktop per profile. A lock left by a killed process is reclaimed."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"PSI Desktop cannot make its data folder {directory}: {exc.strerror}") from exc
    lock = QLockFile(str(directory / LOCK_FILE))
    lock.setStaleLockTime(0)  # never stale by age: only when its process is gone
    if not lock.tryLock(0):
        if lock.error() == QLockFile.LockError.LockFailedError:
            raise UserFacingError(
                "PSI Desktop is already open with this profile, perhaps in another window or by another "
                "user on this laptop. Use that one, or close it first."
            )
        raise UserFacingError(f"PSI Desktop cannot write to its data folder {directory}. Ask IT for write access.")
    try:
        yield
    finally:
        lock.unlock()


def settings_for(directory: Path) -> QSettings:
    """Window state and preferences, kept in the profile folder beside the store (never content)."""
    return QSettings(str(directory / SETTINGS_FILE), QSettings.Format.IniFormat)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PSI Desktop")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("PSI Desktop")
    app.setApplicationDisplayName("PSI Desktop")
    return app


def install_excepthook(directory: Path) -> None:
    """Bugs are logged with their traceback and shown as a calm dialog with no record content."""

    def excepthook(kind, value, tb) -> None:
        log.error("Unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "Something went wrong",
                "Something went wrong inside PSI Desktop. What you had saved is safe.\n\n"
                f"Details for IT are in {log_path(directory)}",
            )

    sys.excepthook = excepthook


def run(directory: Path, *, title_note: str = "") -> int:
    """Start the GUI and return its exit code.

    1. Log to the profile's log file.
    2. Make the QApplication and route uncaught exceptions to the log and a calm dialog.
    3. Open (or create) the profile; a problem the user can act on is shown and exits with 2.
    4. Show the main window with its saved geometry, run the event loop, then close the store.
    """
    from psi_desktop.services.profile import open_profile
    from psi_desktop.ui.main_window import MainWindow

    configure_logging(directory)
    app = application()
    install_excepthook(directory)
    log.info("PSI Desktop %s starting", __version__)
    try:
        profile = open_profile(directory)
    except UserFacingError as exc:
        QMessageBox.warning(None, "PSI Desktop cannot open your profile", str(exc))
        return 2
    try:
        window = MainWindow(profile, settings_for(directory), title_note=title_note)
        window.show()
        return app.exec()
    finally:
        profile.close()
        log.info("PSI Desktop closed")
