"""Create a case, or rename one: a pseudonymised code and a setting."""

from __future__ import annotations

import contextlib
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

from psi_desktop.domain.model import Case
from psi_desktop.errors import UserFacingError
from psi_desktop.services.cases import MAX_CODE_LENGTH, MAX_SETTING_LENGTH
from psi_desktop.services.drafts import DraftSlot
from psi_desktop.ui.formatting import error_label, note_label, show_error
from psi_desktop.ui.identifier_warning import IdentifierWarning

CODE_HELP = (
    "Use a code, never a name: no names, NHS numbers or dates of birth. "
    "For example \u201cWard 3 - A\u201d or \u201cCommunity team - K\u201d."
)
RESTORED_TEXT = "What you typed before PSI Desktop locked is back. Check it, then carry on."


class CaseDialog(QDialog):
    """Asks for a code and a setting and hands them to ``submit``; stays open on a problem.

    With a ``draft``, what was typed is kept there by ``keep_draft`` (at a lock) and comes back
    when the dialog opens again; creating, saving or cancelling drops it.
    """

    def __init__(
        self,
        submit: Callable[[str, str], Case],
        parent: QWidget | None = None,
        *,
        case: Case | None = None,
        draft: DraftSlot | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._draft = draft
        self.editing = case  # the case being renamed; None for a new case
        self.case: Case | None = None
        self.setWindowTitle("Rename case" if case else "New case")
        self.setModal(True)

        self.code_edit = QLineEdit(case.code if case else "", self)
        self.code_edit.setMaxLength(MAX_CODE_LENGTH)
        self.code_edit.setPlaceholderText("Ward 3 - A")
        self.code_edit.setAccessibleName("Case code")
        self.setting_edit = QLineEdit(case.setting if case else "", self)
        self.setting_edit.setMaxLength(MAX_SETTING_LENGTH)
        self.setting_edit.setPlaceholderText("Acute inpatient")
        self.setting_edit.setAccessibleName("Setting")

        self.code_warning = IdentifierWarning(self.code_edit, self)
        self.setting_warning = IdentifierWarning(self.setting_edit, self)

        hint = QLabel(CODE_HELP, self)
        hint.setWordWrap(True)
        self.restored_label = note_label(self, RESTORED_TEXT)
        self.restored_label.hide()
        self.error_label = error_label(self)

        form = QFormLayout()
        form.addRow("Case &code", self.code_edit)
        form.addRow("&Setting", self.setting_edit)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save" if case else "Create case")
        self._ok_text = self.ok_button.text()
        for edit in (self.code_edit, self.setting_edit):
            edit.textChanged.connect(lambda _text: self.ok_button.setText(self._ok_text))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.restored_label)
        layout.addLayout(form)
        layout.addWidget(self.code_warning)
        layout.addWidget(self.setting_warning)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        saved = draft.load() if draft is not None else None
        if saved:
            self.code_edit.setText(saved.get("code", ""))
            self.setting_edit.setText(saved.get("setting", ""))
            self.restored_label.show()

    def _fields(self) -> dict[str, str]:
        return {"code": self.code_edit.text(), "setting": self.setting_edit.text()}

    def keep_draft(self) -> None:
        """Keep what is typed in the store (PSI Desktop is locking); unchanged fields keep nothing."""
        if self._draft is None:
            return
        started = {"code": self.editing.code, "setting": self.editing.setting} if self.editing else {}
        if self._fields() == started:
            self._draft.discard()
        else:
            self._draft.save(self._fields())

    def _drop_draft(self) -> None:
        if self._draft is not None:
            with contextlib.suppress(UserFacingError):  # a stale draft is only offered again
                self._draft.discard()

    def _on_buttons_accepted(self) -> None:
        # Checked here too: typed then confirmed at once, the check while typing has not run yet.
        if not all([self.code_warning.confirm(), self.setting_warning.confirm()]):
            (self.code_edit if self.code_warning.isVisibleTo(self) else self.setting_edit).setFocus()
            self.ok_button.setText(f"{self._ok_text.split()[0]} anyway")  # the warning is read; again goes ahead
            return
        try:
            self.case = self._submit(self.code_edit.text(), self.setting_edit.text())
        except UserFacingError as exc:
            show_error(self.error_label, str(exc))
            self.code_edit.setFocus()
            return
        self._drop_draft()
        self.accept()

    def reject(self) -> None:
        self._drop_draft()
        super().reject()
