"""Passphrase dialogs: setting up a profile, unlocking with the recovery key, changing the passphrase."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.errors import StoreDamagedError, UserFacingError, WrongPassphraseError
from psi_desktop.services.profile import (
    DetachedProfile,
    Profile,
    change_passphrase,
    check_current_passphrase,
    check_new_passphrase,
    create_profile,
    passphrase_strength,
    recover_profile,
    recovery_key_shown,
    retire_passphrase_and_open,
)
from psi_desktop.ui.formatting import error_label, error_text, heading_font, passphrase_edit, show_error
from psi_desktop.ui.workers import Progress, Worker, dialog_pool

STRENGTH_PROMPT = "Four or more ordinary words make a passphrase that is strong and easy to remember."


def recovery_key_font(widget: QWidget, steps: float = 1.0) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(widget.font().pointSizeF() * steps)
    return font


def grouped_recovery_key(recovery_key: str) -> str:
    """Two lines of four groups, easier to copy down and read aloud than one long line."""
    groups = recovery_key.split("-")
    half = (len(groups) + 1) // 2
    return "-".join(groups[:half]) + "\n" + "-".join(groups[half:])


class NewPassphraseFields(QWidget):
    """A new passphrase typed twice, with a live hint on how strong it is."""

    def __init__(self, parent: QWidget, *, first_label: str = "&Passphrase") -> None:
        super().__init__(parent)
        self.passphrase_edit = passphrase_edit(self, first_label.replace("&", ""))
        self.again_edit = passphrase_edit(self, "Type the passphrase again")
        self.strength_label = QLabel(STRENGTH_PROMPT, self)
        self.strength_label.setWordWrap(True)
        self.strength_label.setAccessibleName("Passphrase strength")
        self.show_check = QCheckBox("&Show what I type", self)
        self.passphrase_edit.textChanged.connect(self._on_passphrase_edit_text_changed)
        self.show_check.toggled.connect(self._on_show_check_toggled)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(first_label, self.passphrase_edit)
        form.addRow("", self.strength_label)
        form.addRow("Type it &again", self.again_edit)
        form.addRow("", self.show_check)

    def passphrase(self) -> str:
        return self.passphrase_edit.text()

    def again(self) -> str:
        return self.again_edit.text()

    def clear(self) -> None:
        self.passphrase_edit.clear()
        self.again_edit.clear()

    def _on_passphrase_edit_text_changed(self, text: str) -> None:
        self.strength_label.setText(passphrase_strength(text) if text else STRENGTH_PROMPT)

    def _on_show_check_toggled(self, show: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if show else QLineEdit.EchoMode.Password
        self.passphrase_edit.setEchoMode(mode)
        self.again_edit.setEchoMode(mode)


# Jobs that open the profile on a worker hand it over detached: the UI thread opens its own connection.


def _create(directory: Path, passphrase: str) -> tuple[DetachedProfile, str]:
    made = create_profile(directory, passphrase)
    return made.profile.detach(), made.recovery_key


def _recover(directory: Path, recovery_key: str, passphrase: str) -> DetachedProfile:
    return recover_profile(directory, recovery_key, passphrase).detach()


def _retire(directory: Path, key: bytes, current: str, new: str, *, progress) -> tuple[DetachedProfile, str]:
    profile, recovery_key = retire_passphrase_and_open(directory, key, current, new, progress=progress)
    return profile.detach(), recovery_key


class _WorkingDialog(QDialog):
    """A dialog that hands slow work (key derivation) to a worker and cannot be closed meanwhile."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setModal(True)
        self.busy = False
        self.error_label = error_label(self)
        self._pool = dialog_pool(self)

    def _run(self, job, done, busy_button: QPushButton, busy_text: str) -> None:
        self.error_label.hide()
        self.busy = True
        self._busy_button, self._idle_text = busy_button, busy_button.text()
        busy_button.setText(busy_text)
        self.setEnabled(False)
        Worker(job, owner=self, done=partial(self._on_worker_done, done), failed=self._on_worker_failed).start(
            self._pool
        )

    def _on_worker_done(self, done, result) -> None:
        self._not_busy()
        done(result)

    def _on_worker_failed(self, exc: BaseException) -> None:
        self._not_busy()
        self.show_problem(exc)

    def _not_busy(self) -> None:
        self.busy = False
        self._busy_button.setText(self._idle_text)
        self.setEnabled(True)

    def show_problem(self, exc: BaseException) -> None:
        show_error(self.error_label, error_text(exc))

    def _new_passphrase_layout(self, heading: str, text: str, field_label: str, field: QWidget, accept: str):
        """Heading, explanation, one field, the new passphrase typed twice, and an accept button.

        Sets ``self.fields`` and returns the accept button; the caller connects it.
        """
        title = QLabel(heading, self)
        title.setFont(heading_font(self, 1.3))
        explanation = QLabel(text, self)
        explanation.setWordWrap(True)
        form = QFormLayout()
        form.addRow(field_label, field)
        self.fields = NewPassphraseFields(self, first_label="&New passphrase")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        button = buttons.addButton(accept, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.fields)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        return button

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)


class CreateProfileDialog(_WorkingDialog):
    """First run: choose a passphrase, then see the recovery key once and say it is stored.

    With ``converting`` the same steps protect a profile made before PSI Desktop encrypted its store.
    """

    profile_created = Signal()

    def __init__(
        self,
        directory: Path,
        parent: QWidget | None = None,
        *,
        converting: bool = False,
    ) -> None:
        super().__init__(parent)
        self.directory = directory
        self.profile: Profile | None = None
        self.setWindowTitle("Set up PSI Desktop")
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._passphrase_page(converting))
        self.pages.addWidget(self._recovery_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumWidth(560)

    # -- page 1 --

    def _passphrase_page(self, converting: bool) -> QWidget:
        page = QWidget(self)
        if converting:
            heading = "Protect your existing records with a passphrase"
            intro = (
                "PSI Desktop now locks your records with a passphrase that only you know. Choose one to "
                "protect the records already on this laptop. Nothing is lost: they stay as they are, locked."
            )
        else:
            heading = "Choose a passphrase"
            intro = (
                "Your reflections stay on this laptop, locked with a passphrase that only you know. "
                "You will type it each time you open PSI Desktop."
            )
        self.heading = QLabel(heading, page)
        self.heading.setFont(heading_font(page, 1.3))
        self.heading.setWordWrap(True)
        text = QLabel(intro, page)
        text.setWordWrap(True)
        self.fields = NewPassphraseFields(page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=page)
        self.next_button = buttons.addButton("Next", QDialogButtonBox.ButtonRole.AcceptRole)
        self.next_button.setDefault(True)
        buttons.accepted.connect(self._on_next_button_clicked)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addWidget(self.fields)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        return page

    def _on_next_button_clicked(self) -> None:
        passphrase = self.fields.passphrase()
        try:
            check_new_passphrase(passphrase, self.fields.again())
        except UserFacingError as exc:
            self.show_problem(exc)
            self.fields.passphrase_edit.setFocus()
            return
        job = partial(_create, self.directory, passphrase)
        self._run(job, self._on_profile_created, self.next_button, "Setting up\u2026")

    def _on_profile_created(self, made: tuple[DetachedProfile, str]) -> None:
        detached, recovery_key = made
        self.profile = detached.open()  # on this thread, whose connection it will be
        self.fields.clear()
        self.profile_created.emit()
        if not recovery_key:  # finishing a conversion that was cut short: the key was shown then
            recovery_key_shown(self.directory)
            self.accept()
            return
        self.recovery_page.show_key(recovery_key)
        self.pages.setCurrentIndex(1)
        self.adjustSize()  # the key, in its large font, needs more room than the first page did
        self.stored_check.setFocus()

    # -- page 2 --

    def _recovery_page(self) -> QWidget:
        self.recovery_page = RecoveryKeyPage(self)
        self.recovery_page.confirmed.connect(self._on_recovery_page_confirmed)
        page = self.recovery_page
        self.key_label, self.copy_button, self.copied_label = page.key_label, page.copy_button, page.copied_label
        self.stored_check, self.continue_button = page.stored_check, page.continue_button
        return page

    def _on_recovery_page_confirmed(self) -> None:
        # Only now is the profile set up: killed before this, the next unlock shows a new key.
        recovery_key_shown(self.directory)
        self.accept()

    def reject(self) -> None:
        if self.profile is not None:
            return  # the profile exists: its recovery key must be seen and stored before going on
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.profile is not None and self.result() != QDialog.DialogCode.Accepted:
            event.ignore()
            return
        super().closeEvent(event)


RECOVERY_TEXT = (
    "If you ever forget your passphrase, this key is the only way back into your records. "
    "Write it down, and keep it somewhere safe away from this laptop. "
    "It is shown only this once."
)
RENEWED_TEXT = (
    "Setting up PSI Desktop was cut short before your recovery key was shown, so here is a new one; the "
    "old one no longer works. If you ever forget your passphrase, this key is the only way back into your "
    "records. Write it down, and keep it somewhere safe away from this laptop. It is shown only this once."
)


class RecoveryKeyPage(QWidget):
    """The recovery key in large type, a Copy button and "I have stored it"; ``confirmed`` once ticked."""

    confirmed = Signal()

    def __init__(self, parent: QWidget, *, text: str = RECOVERY_TEXT) -> None:
        super().__init__(parent)
        self._recovery_key = ""
        title = QLabel("Your recovery key", self)
        title.setFont(heading_font(self, 1.3))
        self.text_label = QLabel(text, self)
        self.text_label.setWordWrap(True)

        self.key_label = QLabel(self)
        self.key_label.setObjectName("recovery_key")
        self.key_label.setFont(recovery_key_font(self, 1.7))
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_label.setMargin(16)

        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setAccessibleName("Copy the recovery key")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copied_label = QLabel(self)
        self.copied_label.setWordWrap(True)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copied_label, 1)

        self.stored_check = QCheckBox("I have stored my recovery key somewhere &safe", self)
        buttons = QDialogButtonBox(parent=self)
        self.continue_button = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setEnabled(False)
        self.stored_check.toggled.connect(self.continue_button.setEnabled)
        buttons.accepted.connect(self._on_continue_button_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.text_label)
        layout.addSpacing(8)
        layout.addWidget(self.key_label)
        layout.addLayout(copy_row)
        layout.addSpacing(8)
        layout.addWidget(self.stored_check)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def show_key(self, recovery_key: str) -> None:
        self._recovery_key = recovery_key
        self.key_label.setText(grouped_recovery_key(recovery_key))
        self.key_label.setAccessibleDescription(" ".join(recovery_key.split("-")))

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._recovery_key)
        self.copied_label.setText("Copied. It is cleared from the clipboard when you continue.")

    def _on_continue_button_clicked(self) -> None:
        if not self.stored_check.isChecked():
            return
        clipboard = QGuiApplication.clipboard()
        if self._recovery_key and clipboard.text() == self._recovery_key:
            clipboard.clear()
        self._recovery_key = ""
        self.key_label.clear()
        self.key_label.setAccessibleDescription("")
        self.confirmed.emit()


RETIRED_TEXT = (
    "Your passphrase has changed, and so has the key your records and backups are locked with: the old "
    "passphrase, the old recovery key and any copy of the old key file open nothing any more. Here is your "
    "new recovery key. Write it down, and keep it somewhere safe away from this laptop; destroy the old one. "
    "It is shown only this once."
)


class NewRecoveryKeyDialog(QDialog):
    """The recovery page again, for a profile whose first recovery key was never shown (set-up cut short).

    It cannot be closed until the new key is stored: the window is not used before that.
    """

    def __init__(self, recovery_key: str, parent: QWidget | None = None, *, text: str = RENEWED_TEXT) -> None:
        super().__init__(parent)
        self.setModal(True)
        self.setWindowTitle("Your new recovery key")
        self.page = RecoveryKeyPage(self, text=text)
        self.page.show_key(recovery_key)
        self.page.confirmed.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        self.setMinimumWidth(560)
        self.page.stored_check.setFocus()

    def reject(self) -> None:
        pass  # Escape must not skip the key: Continue, once it is stored, is the only way on

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() != QDialog.DialogCode.Accepted:
            event.ignore()
            return
        super().closeEvent(event)


class RecoveryDialog(_WorkingDialog):
    """Forgot the passphrase: unlock with the recovery key and choose a new passphrase."""

    def __init__(self, directory: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self.profile: Profile | None = None
        self.setWindowTitle("Unlock with your recovery key")

        self.key_edit = QLineEdit(self)
        self.key_edit.setFont(recovery_key_font(self, 1.2))
        self.key_edit.setPlaceholderText("ABCD-1234-\u2026")
        self.key_edit.setAccessibleName("Recovery key")
        self.unlock_button = self._new_passphrase_layout(
            "Unlock with your recovery key",
            "Type the recovery key you wrote down when you set up PSI Desktop, "
            "then choose a new passphrase. Your records stay as they are.",
            "&Recovery key",
            self.key_edit,
            "Unlock",
        )
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)

    def _on_unlock_button_clicked(self) -> None:
        passphrase = self.fields.passphrase()
        try:
            check_new_passphrase(passphrase, self.fields.again())
        except UserFacingError as exc:
            self.show_problem(exc)
            return
        job = partial(_recover, self.directory, self.key_edit.text(), passphrase)
        self._run(job, self._on_recovered, self.unlock_button, "Unlocking\u2026")

    def show_problem(self, exc: BaseException) -> None:
        if isinstance(exc, StoreDamagedError):
            # recover_profile sets the new passphrase before it opens the store.
            show_error(
                self.error_label,
                "Your new passphrase is set, but your records could not be opened because the store is damaged. "
                "Cancel, then unlock with the new passphrase: PSI Desktop will offer to restore a backup.",
            )
            return
        super().show_problem(exc)

    def _on_recovered(self, detached: DetachedProfile) -> None:
        self.profile = detached.open()  # on this thread, whose connection it will be
        self.key_edit.clear()
        self.fields.clear()
        self.accept()


class ChangePassphraseDialog(_WorkingDialog):
    """Change the passphrase; ticked "someone may know it", also the key (see RetirePassphraseDialog).

    A plain change is done here. For the other, the current passphrase is checked here and
    ``retire`` holds (current, new) for the window, which must close the store first.
    """

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.retire: tuple[str, str] | None = None
        self.setWindowTitle("Change passphrase")

        self.current_edit = passphrase_edit(self, "Current passphrase")
        self.change_button = self._new_passphrase_layout(
            "Change your passphrase",
            "Your recovery key stays the same, and so do your backups: they open with the new passphrase.",
            "&Current passphrase",
            self.current_edit,
            "Change passphrase",
        )
        self.retire_check = QCheckBox("&Someone else may know my current passphrase", self)
        self.retire_note = QLabel(
            "Then PSI Desktop also changes the key your records are locked with, re-encrypts them and every "
            "backup, and gives you a new recovery key. It locks while it does this, for a minute or so.",
            self,
        )
        self.retire_note.setWordWrap(True)
        self.retire_note.setEnabled(False)
        self.retire_check.toggled.connect(self.retire_note.setEnabled)
        layout = self.layout()
        at = layout.indexOf(self.error_label)
        layout.insertWidget(at, self.retire_check)
        layout.insertWidget(at + 1, self.retire_note)
        self.change_button.clicked.connect(self._on_change_button_clicked)

    def _on_change_button_clicked(self) -> None:
        new = self.fields.passphrase()
        try:
            check_new_passphrase(new, self.fields.again())
        except UserFacingError as exc:
            self.show_problem(exc)
            return
        # The worker gets a copy of the key taken here (profile.key copies it), never the live profile:
        # a lock on the UI thread zeroes the profile's key while the worker runs.
        directory, key, current = self.profile.directory, self.profile.key, self.current_edit.text()
        if self.retire_check.isChecked():
            job = partial(check_current_passphrase, directory, key, current)
            self._run(job, partial(self._on_checked, current, new), self.change_button, "Checking\u2026")
            return
        job = partial(change_passphrase, directory, key, current, new)
        self._run(job, self._on_changed, self.change_button, "Changing\u2026")

    def show_problem(self, exc: BaseException) -> None:
        if isinstance(exc, WrongPassphraseError):
            show_error(self.error_label, "That is not your current passphrase. Check Caps Lock and try again.")
            self.current_edit.selectAll()
            self.current_edit.setFocus()
            return
        super().show_problem(exc)

    def _on_checked(self, current: str, new: str, _result: object) -> None:
        self.retire = (current, new)
        self._on_changed(None)

    def _on_changed(self, _result: object) -> None:
        self.current_edit.clear()
        self.fields.clear()
        self.accept()


class RetirePassphraseDialog(QDialog):
    """Re-encrypts the records under a new key with progress, then shows the new recovery key once.

    The store must be closed (the window is locked). ``profile`` is the profile opened with the new
    key, once the recovery key was stored; None if the change failed (unlocking again finishes it).
    """

    def __init__(
        self, directory: Path, key: bytes, current: str, new: str, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setModal(True)
        self.setWindowTitle("Changing your passphrase and key")
        self.directory = directory
        self.profile: Profile | None = None
        self._opened: Profile | None = None
        self.busy = True

        self.pages = QStackedWidget(self)
        working = QWidget(self.pages)
        title = QLabel("Re-encrypting your records", working)
        title.setFont(heading_font(working, 1.3))
        explanation = QLabel(
            "Your records and every backup get a new key. Keep PSI Desktop open until this is done; if the "
            "laptop is switched off meanwhile, nothing is lost, and unlocking with your new passphrase finishes it.",
            working,
        )
        explanation.setWordWrap(True)
        self.status_label = QLabel("Starting\u2026", working)
        self.progress_bar = QProgressBar(working)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setAccessibleName("How far the re-encryption has got")
        self.error_label = error_label(working)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=working)
        self.close_buttons.rejected.connect(self._on_close_clicked)
        self.close_buttons.hide()
        column = QVBoxLayout(working)
        column.setContentsMargins(0, 0, 0, 0)  # as the recovery page's
        column.addWidget(title)
        column.addWidget(explanation)
        column.addSpacing(8)
        column.addWidget(self.status_label)
        column.addWidget(self.progress_bar)
        column.addWidget(self.error_label)
        column.addStretch(1)
        column.addWidget(self.close_buttons)
        self.pages.addWidget(working)
        self.recovery_page = RecoveryKeyPage(self.pages, text=RETIRED_TEXT)
        self.recovery_page.confirmed.connect(self._on_recovery_page_confirmed)
        self.pages.addWidget(self.recovery_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumWidth(560)

        self._progress = Progress(self)
        self._progress.moved.connect(self._on_progress_moved)
        job = partial(_retire, directory, key, current, new, progress=self._progress.moved.emit)
        Worker(job, owner=self, done=self._on_done, failed=self._on_failed).start(dialog_pool(self))

    def _on_progress_moved(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(round(max(0.0, min(1.0, fraction)) * 100))
        self.status_label.setText(message)

    def _on_done(self, result: tuple[DetachedProfile, str]) -> None:
        self.busy = False
        self._opened, recovery_key = result
        self.recovery_page.show_key(recovery_key)
        self.pages.setCurrentWidget(self.recovery_page)
        self.adjustSize()  # the key, in its large font, needs more room than the progress did
        self.recovery_page.stored_check.setFocus()

    def _on_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.status_label.setText("The change did not finish.")
        show_error(self.error_label, error_text(exc))
        self.close_buttons.show()

    def _on_recovery_page_confirmed(self) -> None:
        recovery_key_shown(self.directory)
        opened, self._opened = self._opened, None
        self.profile = opened.open()  # on this thread, whose connection it will be
        self.accept()

    def _on_close_clicked(self) -> None:
        self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        pass  # not while re-encrypting, and not before the new recovery key is stored

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy or (self._opened is not None and self.result() != QDialog.DialogCode.Accepted):
            event.ignore()
            return
        super().closeEvent(event)
