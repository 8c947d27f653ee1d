"""Add an amendment to a signed reflection: who, why and what changed; the original stays as signed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import Reflection
from psi_desktop.errors import UserFacingError
from psi_desktop.services.reflections import MAX_NAME_CHARS
from psi_desktop.ui.formatting import error_label, show_error
from psi_desktop.ui.identifier_warning import IdentifierWarning

AMEND_TEXT = (
    "The signed reflection stays exactly as it was signed. An amendment is added after it, with your "
    "name, today's date, why it was needed and what changed. Amendments cannot be edited or removed."
)


class AmendmentDialog(QDialog):
    """Asks for author, reason and what changed, and hands them to ``submit``; stays open on a problem."""

    def __init__(
        self,
        submit: Callable[[str, str, str], Reflection],
        parent: QWidget | None = None,
        *,
        author: str = "",
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.amended: Reflection | None = None
        self.setWindowTitle("Add an amendment")
        self.setModal(True)

        intro = QLabel(AMEND_TEXT, self)
        intro.setWordWrap(True)
        self.author_edit = QLineEdit(author, self)
        self.author_edit.setMaxLength(MAX_NAME_CHARS)
        self.author_edit.setAccessibleName("Your name")
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText("For example: the session date was wrong")
        self.reason_edit.setAccessibleName("Why is this amendment needed?")
        self.changes_edit = QPlainTextEdit(self)
        self.changes_edit.setTabChangesFocus(True)
        self.changes_edit.setPlaceholderText("For example: the session was on 3 November, not 2 November.")
        self.changes_edit.setAccessibleName("What changed?")
        self.changes_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.reason_warning = IdentifierWarning(self.reason_edit, self)
        self.changes_warning = IdentifierWarning(self.changes_edit, self)
        self.error_label = error_label(self)

        form = QFormLayout()
        form.addRow("Your &name", self.author_edit)
        form.addRow("&Why", self.reason_edit)
        form.addRow(self.reason_warning)
        form.addRow("What &changed", self.changes_edit)
        form.addRow(self.changes_warning)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add amendment")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        (self.reason_edit if author else self.author_edit).setFocus()

    def _on_buttons_accepted(self) -> None:
        try:
            self.amended = self._submit(
                self.author_edit.text(), self.reason_edit.text(), self.changes_edit.toPlainText()
            )
        except UserFacingError as exc:
            show_error(self.error_label, str(exc))
            return
        self.accept()
