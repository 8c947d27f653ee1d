"""The lock screen: what the main window shows while the profile is locked."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from psi_desktop.ui.formatting import error_label, heading_font, passphrase_edit, show_error

OPENING_TEXT = "Type your passphrase to open your records."
LOCKED_TEXT = (
    "Your records are hidden while PSI Desktop is locked. Type your passphrase to carry on where you left off."
)


class LockScreen(QWidget):
    """A passphrase field and an Unlock button; holds no data and makes no decisions."""

    unlock_requested = Signal(str)  # the passphrase typed
    forgot_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, passphrase_hint: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self._wait_left = 0
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self._on_wait_timer_timeout)

        self.title = QLabel("PSI Desktop is locked", self)
        self.title.setFont(heading_font(self, 1.6))
        self.intro = QLabel(OPENING_TEXT, self)
        self.intro.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.hide()
        self.passphrase_edit = passphrase_edit(self, "Passphrase")
        self.passphrase_edit.setPlaceholderText("Passphrase")
        self.passphrase_edit.setMinimumHeight(self.passphrase_edit.sizeHint().height() + 8)
        self.passphrase_edit.returnPressed.connect(self._on_unlock_button_clicked)
        self.unlock_button = QPushButton("Unlock", self)
        self.unlock_button.setDefault(True)
        self.unlock_button.setMinimumHeight(36)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.error_label = error_label(self)
        self.forgot_button = QPushButton("Forgot your passphrase?", self)
        self.forgot_button.setFlat(True)
        self.forgot_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot_button.setStyleSheet("text-decoration: underline; text-align: left; padding: 4px 0;")
        self.forgot_button.clicked.connect(self.forgot_requested)
        self.hint = QLabel(f"Demo profile: the passphrase is \u201c{passphrase_hint}\u201d", self)
        self.hint.setVisible(bool(passphrase_hint))

        column = QWidget(self)
        # A fixed width in characters, so wrapped text gets its full height, at any scaling.
        column.setFixedWidth(column.fontMetrics().averageCharWidth() * 64)
        inner = QVBoxLayout(column)
        inner.addWidget(self.title)
        inner.addWidget(self.note)
        inner.addWidget(self.intro)
        inner.addSpacing(12)
        inner.addWidget(self.passphrase_edit)
        inner.addWidget(self.unlock_button)
        inner.addWidget(self.error_label)
        inner.addSpacing(4)
        inner.addWidget(self.forgot_button, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addSpacing(12)
        inner.addWidget(self.hint)

        # Centred by stretches, not by an alignment flag: an aligned item gets its size hint's height,
        # and a note of three lines would be cut to two.
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(column)
        middle.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(middle)
        outer.addStretch(3)

    def set_locked_text(self, locked_after_use: bool) -> None:
        self.intro.setText(LOCKED_TEXT if locked_after_use else OPENING_TEXT)

    def show_note(self, text: str) -> None:
        """A calm line about what just happened (a restore, for example); cleared on unlock."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
        if text:
            self.intro.setText(OPENING_TEXT)

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setText("Unlocking\u2026" if busy else "Unlock")
        self.unlock_button.setEnabled(not busy and self._wait_left <= 0)
        self.passphrase_edit.setEnabled(not busy)
        self.forgot_button.setEnabled(not busy)
        if not busy:
            self.passphrase_edit.setFocus()

    def show_error(self, text: str) -> None:
        show_error(self.error_label, text)
        self.passphrase_edit.selectAll()

    def wait(self, seconds: int) -> None:
        """Too many wrong passphrases: Unlock is held off for ``seconds``, counting down."""
        self._wait_left = seconds
        self.unlock_button.setEnabled(False)
        self._show_wait()
        self._wait_timer.start()

    def clear(self) -> None:
        self.passphrase_edit.clear()
        self.error_label.hide()
        self.show_note("")

    def focus(self) -> None:
        self.passphrase_edit.setFocus()

    def _show_wait(self) -> None:
        unit = "second" if self._wait_left == 1 else "seconds"
        show_error(self.error_label, f"Too many wrong passphrases. Wait {self._wait_left} {unit}, then try again.")

    def _on_wait_timer_timeout(self) -> None:
        self._wait_left -= 1
        if self._wait_left > 0:
            self._show_wait()
            return
        self._wait_timer.stop()
        self.error_label.hide()
        self.unlock_button.setEnabled(True)

    def _on_unlock_button_clicked(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            self.show_error("Type your passphrase first.")
            return
        self.error_label.hide()
        self.unlock_requested.emit(passphrase)
