"""The composition root: QApplication, logging, crash handling, profile and main window."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from psi_desktop import __version__
from psi_desktop.errors import UserFacingError
from psi_desktop.logs import configure_logging, log_path
from psi_desktop.paths import SETTINGS_FILE, resource
from psi_desktop.storage import locks
from psi_desktop.storage.locks import ProfileInUseError, profile_lock

log = logging.getLogger(__name__)

LOCK_FILE = locks.LOCK_FILE


@contextlib.contextmanager
def instance_lock(directory: Path) -> Iterator[None]:
    """One running PSI Desktop per profile, and no command writing to it meanwhile (the same lock).

    An OS file lock (storage/locks.py), so a lock left by a killed process is reclaimed at once.
    """
    try:
        with profile_lock(directory):
            yield
    except ProfileInUseError:
        raise UserFacingError(
            "PSI Desktop is already open with this profile, perhaps in another window or by another "
            "user on this laptop, or a command is using it. Use that one, or close it first."
        ) from None


def settings_for(directory: Path) -> QSettings:
    """Window state and preferences, kept in the profile folder beside the store (never content)."""
    return QSettings(str(directory / SETTINGS_FILE), QSettings.Format.IniFormat)


def check_display() -> None:
    """On Linux with no display at all, say so in one plain line (exit 2) rather than let Qt abort with
    advice about xcb libraries that is beside the point (issue 18). QT_QPA_PLATFORM set by the user, or
    a display named, and Qt decides as usual."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise UserFacingError(
        "There is no desktop to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
        "Start PSI Desktop from a desktop session; the commands (psi-desktop --help) work without one."
    )


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PSI Desktop")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("PSI Desktop")
    # No applicationDisplayName: Qt would append it to titles that already say "PSI Desktop".
    icon = resource("icons", "psi-desktop-256.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def install_excepthook(directory: Path) -> None:
    """Bugs are logged with their traceback and shown as a calm dialog with no record content."""

    def excepthook(kind, value, tb) -> None:
        log.error("Unexpected error", exc_info=(kind, value, tb))
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "Something went wrong",
                "Something went wrong inside PSI Desktop. What you had saved is safe.\n\n"
                f"Details for IT are in {log_path(directory)}",
            )

    sys.excepthook = excepthook


def run(
    directory: Path,
    *,
    title_note: str = "",
    passphrase_hint: str = "",
) -> int:
    """Start the GUI and return its exit code.

    1. Log to the profile's log file.
    2. Make the QApplication and route uncaught exceptions to the log and a calm dialog.
    3. Take the profile's instance lock: a second PSI Desktop on the same profile is refused (exit 2).
    4. No profile yet: the create-profile dialog (cancel exits 0). A profile from before encryption:
       the same dialog, worded to protect the existing records (the service converts the store).
    5. Show the main window: unlocked after creating a profile, or for the demo (``passphrase_hint``
       opens it without typing); otherwise locked, on the lock screen.
    6. Run the event loop; on close the window makes a backup and closes the store.

    A problem the user can act on is shown in a message box and exits with 2; with no display at all,
    it is one line on stderr (``check_display``).
    """
    check_display()
    old_umask = os.umask(0o077)  # what the app makes (settings, backups, exports) is the user's alone
    configure_logging(directory)
    app = application()
    install_excepthook(directory)
    log.info("PSI Desktop %s starting", __version__)
    try:
        with instance_lock(directory):
            return _session(app, directory, title_note=title_note, passphrase_hint=passphrase_hint)
    except UserFacingError as exc:
        log.warning("Could not open the profile: %s", type(exc).__name__)
        QMessageBox.warning(None, "PSI Desktop cannot open your profile", str(exc))
        return 2
    finally:
        log.info("PSI Desktop closed")
        os.umask(old_umask)


def _session(app: QApplication, directory: Path, *, title_note: str, passphrase_hint: str) -> int:
    # Only what the lock screen needs is imported before it paints; the rest loads after (MainWindow).
    from psi_desktop.errors import StoreDamagedError
    from psi_desktop.services.profile_state import ProfileState, profile_state
    from psi_desktop.ui.main_window import MainWindow

    try:
        state = profile_state(directory)
    except StoreDamagedError:
        state = ProfileState.ENCRYPTED  # the store is missing beside its backups: the lock screen offers them
    profile = None
    if state is not ProfileState.ENCRYPTED:
        from psi_desktop.ui.profile_dialogs import CreateProfileDialog

        dialog = CreateProfileDialog(directory, converting=state is ProfileState.PLAINTEXT)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.profile is None:
            return 0
        profile = dialog.profile
        dialog.deleteLater()
    elif passphrase_hint:
        from psi_desktop.services.profile import unlock_profile

        try:
            profile = unlock_profile(directory, passphrase_hint)
        except UserFacingError:
            log.warning("The passphrase hint did not unlock the profile")  # the lock screen takes over
    window = MainWindow(
        directory, settings_for(directory), profile=profile, title_note=title_note, passphrase_hint=passphrase_hint,
    )  # fmt: skip
    try:
        window.show()
        return app.exec()
    finally:
        window.shutdown()
        window.deleteLater()
