"""The confirmations before deleting a draft or a case: each names what goes, and Cancel is the default."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import ReflectionStatus
from psi_desktop.paths import BACKUPS_KEPT
from psi_desktop.services.removals import CaseContents, DraftContents
from psi_desktop.ui.formatting import day, heading_font

NO_UNDO = "This cannot be undone."


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _listed(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def draft_name(contents: DraftContents) -> str:
    """``the draft of 12 Nov 2026`` (or ``the discussed reflection of …``)."""
    kind = "draft" if contents.status is ReflectionStatus.DRAFT else "discussed reflection"
    return f"the {kind} of {day(contents.session_date)}"


def _backups_text(kept: int) -> str:
    return (
        f"Backups made before now still hold it until newer backups replace them (PSI Desktop keeps the {kept} newest)."
    )


class _Confirmation(QDialog):
    """A heading, what goes, and Cancel (the default) beside the button that deletes."""

    def __init__(self, title: str, heading: str, body: str, delete_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.heading = QLabel(heading, self)
        self.heading.setFont(heading_font(self, 1.25))
        self.heading.setWordWrap(True)
        self.body = QLabel(body, self)
        self.body.setWordWrap(True)
        # A wrapped label given a width of its own: the dialog then finds its height for the text.
        self.body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 76)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = QPushButton(delete_text, self)
        self.delete_button.setAutoDefault(False)
        self.buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.delete_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.cancel_button.setDefault(True)  # Enter keeps everything; deleting takes a click or Tab then Space

        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.body)
        self.layout_.addSpacing(6)

    def _finish(self) -> None:
        self.layout_.addWidget(self.buttons)
        self.cancel_button.setFocus()
        self.adjustSize()


class DeleteDraftDialog(_Confirmation):
    """Names the unsigned reflection (case and session date) and what goes with it."""

    def __init__(self, contents: DraftContents, parent: QWidget | None = None) -> None:
        name = draft_name(contents)
        goes = [
            _count(n, noun)
            for n, noun in ((contents.answers, "answer"), (contents.ratings, "rating"), (contents.actions, "action"))
            if n
        ]
        body = f"It is on the case {contents.case_code}. "
        body += f"What goes with it: its {_listed(goes)}." if goes else "Nothing is typed or rated in it yet."
        if contents.reviewed:
            marked = _count(contents.reviewed, "action from an earlier session", "actions from earlier sessions")
            body += f" {marked} marked in it will be open again."
        body += f"\n\n{NO_UNDO} {_backups_text(BACKUPS_KEPT)}"
        super().__init__("Delete a draft", f"Delete {name}?", body, "Delete draft", parent)
        self.delete_button.setAccessibleName(f"Delete {name}")
        self._finish()


class DeleteCaseDialog(_Confirmation):
    """Names the case and what goes with it. With signed reflections, the delete button stays disabled
    until "I understand" is ticked, which names how many signed records go and that backups keep them
    until they rotate out."""

    def __init__(self, contents: CaseContents, parent: QWidget | None = None) -> None:
        self.contents = contents
        code = contents.case.code
        goes = []
        if contents.signed:
            goes.append(_count(contents.signed, "signed reflection"))
        if contents.unsigned:
            goes.append(_count(contents.unsigned, "draft"))
        if contents.actions:
            goes.append(_count(contents.actions, "action"))
        body = f"What goes with it: {_listed(goes)}." if goes else "It has no reflections or actions."
        if not contents.signed:
            body += f"\n\n{NO_UNDO} {_backups_text(BACKUPS_KEPT)}"
            delete_text = "Delete case"
        else:
            body += (
                "\n\nSigned reflections are the record of supervision: once deleted, they are gone from PSI "
                "Desktop. Backups made before now keep them until newer backups replace them (PSI Desktop keeps "
                f"the {BACKUPS_KEPT} newest).\n\nTo keep the records and put the case out of the way, "
                "archive it instead."
            )
            delete_text = f"Delete case and {_count(contents.signed, 'signed reflection')}"
        super().__init__("Delete a case", f"Delete the case {code}?", body, delete_text, parent)
        self.delete_button.setAccessibleName(delete_text)
        self.understood: QCheckBox | None = None
        if contents.signed:
            self.understood = QCheckBox(
                f"I understand that {_count(contents.signed, 'signed reflection')} will be deleted", self
            )
            self.understood.setAccessibleDescription("The Delete button works once this is ticked")
            self.understood.toggled.connect(self.delete_button.setEnabled)
            self.delete_button.setEnabled(False)
            self.layout_.addWidget(self.understood)
        self._finish()

    @property
    def signed_confirmed(self) -> int:
        """The number of signed reflections the person confirmed go with the case (0 when not ticked)."""
        if self.understood is None or not self.understood.isChecked():
            return 0
        return self.contents.signed
