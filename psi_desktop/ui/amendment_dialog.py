"""Add an amendment to a signed reflection: who, why and what changed; the original stays as signed."""

from __future__ import annotations

import contextlib
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
from psi_desktop.services.drafts import DraftSlot
from psi_desktop.services.reflections import MAX_NAME_CHARS
from psi_desktop.ui.formatting import error_label, note_label, show_error
from psi_desktop.ui.identifier_warning import IdentifierWarning

AMEND_TEXT = (
    "The signed reflection stays exactly as it was signed. An amendment is added after it, with your "
    "name, today's date, why it was needed and what changed. Amendments cannot be edited or removed."
)
RESTORED_TEXT = "The amendment you were writing before PSI Desktop locked is back. Check it, then add it."


class AmendmentDialog(QDialog):
    """Asks for author, reason and what changed, and hands them to ``submit``; stays open on a problem.

    With a ``draft``, what was typed is kept there by ``keep_draft`` (at a lock) and comes back when
    the dialog opens again on the same reflection; adding the amendment or cancelling drops it.
    """

    def __init__(
        self,
        submit: Callable[[str, str, str], Reflection],
        parent: QWidget | None = None,
        *,
        author: str = "",
        draft: DraftSlot | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._draft = draft
        self.amended: Reflection | None = None
        self.setWindowTitle("Add an amendment")
        self.setModal(True)

        intro = QLabel(AMEND_TEXT, self)
        intro.setWordWrap(True)
        self.restored_label = note_label(self, RESTORED_TEXT)
        self.restored_label.hide()
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
        self.reason_edit.textChanged.connect(lambda _text: self.add_button.setText("Add amendment"))
        self.changes_edit.textChanged.connect(lambda: self.add_button.setText("Add amendment"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.restored_label)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        (self.reason_edit if author else self.author_edit).setFocus()
        saved = draft.load() if draft is not None else None
        if saved:
            self.author_edit.setText(saved.get("author", author))
            self.reason_edit.setText(saved.get("reason", ""))
            self.changes_edit.setPlainText(saved.get("changes", ""))
            self.restored_label.show()
            self.changes_edit.setFocus()

    def keep_draft(self) -> None:
        """Keep what is typed in the store (PSI Desktop is locking); a name alone keeps nothing."""
        if self._draft is None:
            return
        reason, changes = self.reason_edit.text(), self.changes_edit.toPlainText()
        if reason.strip() or changes.strip():
            self._draft.save({"author": self.author_edit.text(), "reason": reason, "changes": changes})
        else:
            self._draft.discard()

    def _drop_draft(self) -> None:
        if self._draft is not None:
            with contextlib.suppress(UserFacingError):  # a stale draft is only offered again
                self._draft.discard()

    def _on_buttons_accepted(self) -> None:
        # Checked here too: an amendment cannot be removed, and a quick confirm outruns the check while typing.
        if not all([self.reason_warning.confirm(), self.changes_warning.confirm()]):
            (self.reason_edit if self.reason_warning.isVisibleTo(self) else self.changes_edit).setFocus()
            self.add_button.setText("Add it anyway")  # the warning is read; again goes ahead
            return
        try:
            self.amended = self._submit(
                self.author_edit.text(), self.reason_edit.text(), self.changes_edit.toPlainText()
            )
        except UserFacingError as exc:
            show_error(self.error_label, str(exc))
            return
        self._drop_draft()
        self.accept()

    def reject(self) -> None:
        self._drop_draft()
        super().reject()
