"""Sign-off: the supervisor types their name and confirms; the reflection is then locked."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import Reflection
from psi_desktop.errors import UserFacingError
from psi_desktop.services.reflections import MAX_NAME_CHARS
from psi_desktop.ui.formatting import error_label, show_error

SIGN_TEXT = (
    "Signing confirms that you, the supervisor, have talked this reflection through with the "
    "practitioner.\n\nOnce signed it is locked: nobody can change it. Corrections are added "
    "afterwards as amendments, and the signed original stays as it is."
)


class SignDialog(QDialog):
    """Asks for the supervisor's name and hands it to ``submit``; stays open on a problem."""

    def __init__(self, submit: Callable[[str], Reflection], parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self._submit = submit
        self.signed: Reflection | None = None
        self.setWindowTitle("Sign off this reflection")
        self.setModal(True)

        intro = QLabel(SIGN_TEXT, self)
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setMaxLength(MAX_NAME_CHARS)
        self.name_edit.setPlaceholderText("For example: B. Supervisor")
        self.name_edit.setAccessibleName("Supervisor's name")
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        self.error_label = error_label(self)

        form = QFormLayout()
        form.addRow("Supervisor's &name", self.name_edit)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.sign_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText("Sign and lock")
        self.sign_button.setAccessibleName("Sign and lock this reflection")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self._on_name_edit_text_changed(name)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _on_name_edit_text_changed(self, text: str) -> None:
        self.sign_button.setEnabled(bool(text.strip()))

    def _on_buttons_accepted(self) -> None:
        try:
            self.signed = self._submit(self.name_edit.text())
        except UserFacingError as exc:
            show_error(self.error_label, str(exc))
            self.name_edit.setFocus()
            return
        self.accept()
