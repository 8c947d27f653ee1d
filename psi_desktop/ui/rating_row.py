"""A 0-4 rating: five radio buttons under the scale's anchors, number keys, and a faint "last time"."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.framework import ScalePoint

LAST_TIME_TEXT = "Last time"
RADIO_PRESS_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Select)
NOT_RATED = "\u2013"


def sentence(text: str) -> str:
    """The first letter in capitals and nothing else touched ("proposed (Proctor's …)")."""
    return text[:1].upper() + text[1:]


def cell_width(widget: QWidget, scale: Sequence[ScalePoint]) -> int:
    """One column of the scale: wide enough for its longest anchor, so every row lines up."""
    metrics = widget.fontMetrics()
    return max(metrics.horizontalAdvance(p.label) for p in scale) + metrics.averageCharWidth() * 2


def faint(widget: QWidget) -> None:
    """Secondary text: the palette's placeholder colour, still readable (not disabled grey)."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
    widget.setPalette(palette)


class RatingScaleHeader(QWidget):
    """The anchors above a block of rating rows: "0 Not at all … 4 Fully", and "Last time"."""

    def __init__(
        self, question: str, scale: Sequence[ScalePoint], parent: QWidget | None = None, *, last_time: bool = True
    ) -> None:
        super().__init__(parent)
        width = cell_width(self, scale)
        self.question = QLabel(question, self)
        self.question.setWordWrap(True)
        bold = QFont(self.question.font())
        bold.setBold(True)
        self.question.setFont(bold)
        anchors = QHBoxLayout()
        anchors.setContentsMargins(0, 0, 0, 0)
        anchors.setSpacing(0)
        anchors.addStretch(1)
        for point in scale:
            anchor = QLabel(f"{point.value}\n{point.label}", self)
            anchor.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
            anchor.setFixedWidth(width)
            anchors.addWidget(anchor)
        self.last_time = QLabel(LAST_TIME_TEXT if last_time else "", self)
        self.last_time.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self.last_time.setFixedWidth(width)
        faint(self.last_time)
        anchors.addWidget(self.last_time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question)
        layout.addLayout(anchors)
        self.setAccessibleName(question)


class RatingRow(QWidget):
    """One dimension rated 0-4. Keys: 0-4 set the rating, Delete clears it, arrows move along; Space,
    which would check the focused radio button, does nothing.

    ``rating_changed`` carries the new score, or None once cleared. Setting the value from code
    (``set_value``) does not emit it.
    """

    rating_changed = Signal(object)  # int | None

    def __init__(
        self,
        label: str,
        meaning: str,
        scale: Sequence[ScalePoint],
        parent: QWidget | None = None,
        *,
        value: int | None = None,
        last_time: int | None = None,
        show_last_time: bool = True,
    ) -> None:
        super().__init__(parent)
        self._scale = tuple(scale)
        self._labels = {p.value: p.label for p in scale}
        self.label = label
        width = cell_width(self, scale)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(0)
        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 8, 0)
        text.setSpacing(0)
        self.name_label = QLabel(label, self)
        self.meaning_label = QLabel(meaning, self) if meaning else None
        text.addWidget(self.name_label)
        if self.meaning_label is not None:
            self.meaning_label.setWordWrap(True)
            faint(self.meaning_label)
            text.addWidget(self.meaning_label)
        holder = QWidget(self)
        holder.setLayout(text)
        holder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(holder, 1)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QRadioButton] = []
        for point in scale:
            button = QRadioButton(self)
            button.setAccessibleName(f"{label}: {point.value}, {point.label}")
            button.setToolTip(f"{point.value} \u2013 {point.label}")
            button.installEventFilter(self)
            cell = QHBoxLayout()
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.addWidget(button)
            box = QWidget(self)
            box.setLayout(cell)
            box.setFixedWidth(width)
            cell.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(box)
            self.group.addButton(button, point.value)
            self.buttons.append(button)
        self.last_time_label = QLabel(self)
        self.last_time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.last_time_label.setFixedWidth(width)
        faint(self.last_time_label)
        layout.addWidget(self.last_time_label)
        self.last_time_label.setVisible(show_last_time)
        self.group.idClicked.connect(self._on_group_id_clicked)
        self.group.idToggled.connect(self._on_group_id_toggled)

        self._value: int | None = None
        self.set_last_time(last_time)
        self.set_value(value)
        self.setAccessibleName(f"{label} rating")

    # -- state ------------------------------------------------------------------------------

    def value(self) -> int | None:
        return self._value

    def set_value(self, value: int | None) -> None:
        """Show ``value`` (None: not rated) without emitting ``rating_changed``."""
        self._value = value
        self.group.blockSignals(True)
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(self.group.id(button) == value)
        self.group.setExclusive(True)
        self.group.blockSignals(False)
        self._describe()

    def set_last_time(self, value: int | None) -> None:
        self._last_time = value
        self.last_time_label.setText(NOT_RATED if value is None else str(value))
        self.last_time_label.setAccessibleName(
            f"{self.label}, last time: " + ("not rated" if value is None else f"{value}, {self._labels.get(value, '')}")
        )
        self._describe()

    def set_read_only(self, read_only: bool) -> None:
        for button in self.buttons:
            button.setEnabled(not read_only)

    def focus(self) -> None:
        """Focus the chosen button, or the first one."""
        button = self.group.checkedButton() or self.buttons[0]
        button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _describe(self) -> None:
        now = "not rated yet" if self._value is None else f"rated {self._value}, {self._labels.get(self._value, '')}"
        last = "" if self._last_time is None else f"; last time {self._last_time}"
        for button in self.buttons:
            button.setAccessibleDescription(f"{self.label}: {now}{last}. Type 0 to 4 to rate, Delete to clear.")

    # -- input ------------------------------------------------------------------------------

    def _choose(self, value: int | None) -> None:
        if value == self._value:
            return
        self.set_value(value)
        if value is not None:
            self.buttons[[p.value for p in self._scale].index(value)].setFocus(Qt.FocusReason.OtherFocusReason)
        self.rating_changed.emit(value)

    def _on_group_id_clicked(self, value: int) -> None:
        self._choose(value)

    def _on_group_id_toggled(self, value: int, checked: bool) -> None:
        # Arrow keys move the check without a click; keep the value in step with what shows.
        if checked and value != self._value:
            self._choose(value)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QAbstractButton) or not watched.isEnabled():
            return False
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and event.key() in RADIO_PRESS_KEYS:
            return True  # a radio button would check itself: a stray space must never rate "0 Not at all"
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            digit = key - Qt.Key.Key_0
            if digit in self._labels:
                self._choose(digit)
                return True
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self._choose(None)
                watched.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        elif event.type() == QEvent.Type.FocusIn:
            reason = event.reason()
            checked = self.group.checkedButton()
            tabbing = reason in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
            if tabbing and checked is not None and checked is not watched:
                checked.setFocus(reason)  # Tab lands on the chosen rating, as in a native radio group
                return True
        return False
