"""A calm, non-blocking note under a text field when what is typed there looks identifying."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPlainTextEdit, QWidget

from psi_desktop.domain.identifiers import describe, find_identifiers

CHECK_DELAY_MS = 250  # after the last key: long text is not scanned on every key press
QUOTE_CHARS = 40


class IdentifierWarning(QLabel):
    """Watches one QLineEdit or QPlainTextEdit; shows what looks identifying, and where, until it is gone.

    It never blocks typing or saving, and says nothing anywhere but here, beside the field.
    """

    def __init__(self, field: QLineEdit | QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setWordWrap(True)
        self.setObjectName("identifier_warning")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A calm amber edge rather than red: a prompt to check, not an error.
        self.setStyleSheet(
            "QLabel#identifier_warning { border: none; border-left: 4px solid #E69F00; padding: 4px 8px; "
            "background: palette(alternate-base); }"
        )
        self.setAccessibleName("Identifiable information warning")
        self.hide()
        self._shown_for: str | None = None  # the text the warning on screen is about
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        field.textChanged.connect(self._timer.start)

    def _text(self) -> str:
        return self.field.text() if isinstance(self.field, QLineEdit) else self.field.toPlainText()

    def check(self) -> None:
        """Look at the field now (it also looks by itself shortly after typing stops)."""
        self._timer.stop()
        text = self._text()
        findings = find_identifiers(text)
        self._shown_for = text if findings else None
        if not findings:
            if self.isVisible():
                self.hide()
                self._fit_dialog()
            self.clear()
            self.field.setAccessibleDescription("")
            return
        quotes = list(dict.fromkeys(_quote(text[f.start : f.end]) for f in findings))
        where = ", ".join(f"\u201c{q}\u201d" for q in quotes[:3]) + (" and more" if len(quotes) > 3 else "")
        message = f"\u26a0 {describe(findings)} Check {where}."
        self.setText(message)
        self.field.setAccessibleDescription(message)
        self.show()
        self._fit_dialog()

    def confirm(self) -> bool:
        """Check now, on confirm: typing then pressing Enter at once outruns the delayed check.

        False when a warning about this text appears only now: the dialog should stay open so it is
        read; confirming again goes ahead.
        """
        seen = self._shown_for is not None and self._shown_for == self._text()
        self.check()
        return seen or self._shown_for is None

    def _fit_dialog(self) -> None:
        # A dialog does not grow by itself for a wrapped label; without this the warning is cut off.
        window = self.window()
        if isinstance(window, QDialog):
            QTimer.singleShot(0, window.adjustSize)


def _quote(found: str) -> str:
    found = " ".join(found.split())
    return found if len(found) <= QUOTE_CHARS else found[: QUOTE_CHARS - 1] + "\u2026"
