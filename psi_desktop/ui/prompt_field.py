"""One prompt of the walkthrough: the question, where it comes from, why it is asked, and the answer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from psi_desktop.domain.framework import Prompt
from psi_desktop.ui.identifier_warning import IdentifierWarning
from psi_desktop.ui.rating_row import faint, sentence


def bold(label: QLabel, steps: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * steps)
    label.setFont(font)
    return label


def wrapped(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


class PromptField(QWidget):
    """One prompt: the question, its 'from the paper'/'proposed' marker, 'why this is asked' on demand,
    any structured answer it carries, and the free-text answer."""

    text_edited = Signal(str)  # prompt id

    MIN_LINES = 3
    MAX_LINES = 14

    def __init__(
        self,
        prompt: Prompt,
        text: str,
        parent: QWidget | None = None,
        *,
        read_only: bool = False,
        extra: QWidget | None = None,
        text_label: str = "",
    ) -> None:
        super().__init__(parent)
        self.prompt = prompt
        self.question = bold(wrapped(prompt.text, self))
        self.marker = QLabel(sentence(prompt.provenance_text), self)
        faint(self.marker)
        small = QFont(self.marker.font())
        small.setItalic(True)
        self.marker.setFont(small)
        self.marker.setAccessibleName(f"Source of this prompt: {prompt.provenance_text}")
        self.why_button = QToolButton(self)
        self.why_button.setText("Why is this asked?")
        self.why_button.setCheckable(True)
        self.why_button.setAccessibleName(f"Why is this asked? {prompt.text}")
        self.why_button.setToolTip("Show or hide why this is asked (F1)")
        self.why_label = wrapped(prompt.why, self)
        self.why_label.setObjectName("why")
        self.why_label.setStyleSheet(
            "QLabel#why { border: none; border-left: 3px solid palette(mid); padding-left: 8px; }"
        )
        self.why_label.hide()
        self.why_button.toggled.connect(self.why_label.setVisible)

        self.edit = QPlainTextEdit(self)
        self.edit.setPlainText(text)
        self.edit.setTabChangesFocus(True)
        self.edit.setReadOnly(read_only)
        self.edit.setAccessibleName(prompt.text)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.edit.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self.warning = IdentifierWarning(self.edit, self)
        self.question.setBuddy(self.edit)

        marks = QHBoxLayout()
        marks.setContentsMargins(0, 0, 0, 0)
        marks.addWidget(self.marker)
        marks.addWidget(self.why_button)
        marks.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(3)
        layout.addWidget(self.question)
        layout.addLayout(marks)
        layout.addWidget(self.why_label)
        if extra is not None:
            extra.setParent(self)
            layout.addWidget(extra)
        if text_label:
            layout.addWidget(QLabel(text_label, self))
        layout.addWidget(self.edit)
        layout.addWidget(self.warning)
        self._fit_height()
        if text:
            self.warning.check()

    def text(self) -> str:
        return self.edit.toPlainText()

    def toggle_why(self) -> None:
        self.why_button.toggle()

    def _fit_height(self, *_args) -> None:
        # Grows with the answer up to MAX_LINES, then scrolls: short answers do not sit in huge boxes.
        lines = max(self.MIN_LINES, min(self.MAX_LINES, round(self.edit.document().size().height()) + 1))
        margins = self.edit.contentsMargins()
        frame = 2 * self.edit.frameWidth() + margins.top() + margins.bottom()
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * lines + frame + 8)

    def _on_edit_text_changed(self) -> None:
        self.text_edited.emit(self.prompt.id)
