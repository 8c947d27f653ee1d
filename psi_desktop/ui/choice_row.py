"""A short question answered by one of a few choices (yes / no / unsure, increased … unsure)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget


class ChoiceRow(QWidget):
    """A question with radio buttons; none chosen means "not said". Delete clears the choice.

    ``choice_changed`` carries the chosen enum member, or None once cleared; ``set_choice`` from
    code does not emit it.
    """

    choice_changed = Signal(object)  # Enum member | None

    def __init__(
        self,
        question: str,
        choices: Sequence[tuple[Enum, str]],
        parent: QWidget | None = None,
        *,
        value: Enum | None = None,
        bold: bool = False,
        inline: bool = False,
    ) -> None:
        super().__init__(parent)
        self._members = [member for member, _ in choices]
        self.question = QLabel(question, self)
        self.question.setWordWrap(True)
        if bold:
            font = self.question.font()
            font.setBold(True)
            self.question.setFont(font)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if inline:
            self.question.setWordWrap(False)
            row.addWidget(self.question)
            row.addSpacing(8)
        for index, (_, text) in enumerate(choices):
            button = QRadioButton(text, self)
            button.setAccessibleName(f"{question} {text}")
            button.installEventFilter(self)
            self.group.addButton(button, index)
            self.buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if not inline:
            layout.addWidget(self.question)
        layout.addLayout(row)
        self.setAccessibleName(question)
        self._value: Enum | None = None
        self.set_choice(value)
        self.group.idToggled.connect(self._on_group_id_toggled)

    def choice(self) -> Enum | None:
        return self._value

    def set_choice(self, value: Enum | None) -> None:
        self._value = value
        self.group.blockSignals(True)
        self.group.setExclusive(False)
        for index, button in enumerate(self.buttons):
            button.setChecked(value is not None and self._members[index] == value)
        self.group.setExclusive(True)
        self.group.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        for button in self.buttons:
            button.setEnabled(not read_only)

    def focus(self) -> None:
        (self.group.checkedButton() or self.buttons[0]).setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_group_id_toggled(self, index: int, checked: bool) -> None:
        if checked and self._members[index] != self._value:
            self._value = self._members[index]
            self.choice_changed.emit(self._value)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QAbstractButton) or not watched.isEnabled():
            return False
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if self._value is not None:
                self.set_choice(None)
                self.choice_changed.emit(None)
            return True
        if event.type() == QEvent.Type.FocusIn:
            checked = self.group.checkedButton()
            tabbing = event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
            if tabbing and checked is not None and checked is not watched:
                checked.setFocus(event.reason())
                return True
        return False
