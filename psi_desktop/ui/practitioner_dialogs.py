"""File → Your details…: the name, role and optional NMC Pin that the bundles you export are from."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from psi_desktop.errors import ValidationError
from psi_desktop.services.practitioners import details_to_offer, set_owner_details
from psi_desktop.ui.session import Session

EXPLAINED = (
    "Bundles you export say they are from you, so that your supervisor sees your cases under your name, "
    "and the records they sign come back as yours. Any of these can be left empty."
)


class YourDetailsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your details")
        self._session = session
        assert session.profile is not None
        name, role, pin = details_to_offer(session.profile)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setAccessibleName("Your name")
        self.role_edit = QLineEdit(role, self)
        self.role_edit.setAccessibleName("Your role")
        self.role_edit.setPlaceholderText("Such as Staff nurse")
        self.pin_edit = QLineEdit(pin, self)
        self.pin_edit.setAccessibleName("Your NMC Pin (optional)")
        self.pin_edit.setPlaceholderText("Such as 12A3456B")
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.hide()
        explained = QLabel(EXPLAINED, self)
        explained.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Your name", self.name_edit)
        form.addRow("Your role", self.role_edit)
        form.addRow("NMC Pin (optional)", self.pin_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explained)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def accept(self) -> None:
        assert self._session.profile is not None
        try:
            set_owner_details(self._session.profile, self.name_edit.text(), self.role_edit.text(), self.pin_edit.text())
        except ValidationError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        super().accept()
