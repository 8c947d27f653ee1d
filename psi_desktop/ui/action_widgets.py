"""Actions in the walkthrough: reviewing last time's at the consistency prompt, agreeing this time's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Sequence

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Action, ActionStatus
from psi_desktop.ui.formatting import day
from psi_desktop.ui.identifier_warning import IdentifierWarning
from psi_desktop.ui.rating_row import faint, sentence

REVIEW_CHOICES = (
    (ActionStatus.OPEN, "Not looked at yet"),
    (ActionStatus.KEPT, "Kept"),
    (ActionStatus.NOT_KEPT, "Not kept"),
    (ActionStatus.DROPPED, "Dropped"),
)


def dimension_text(framework: Framework, dimension: str | None) -> str:
    if dimension is None:
        return ""
    try:
        found = framework.dimension(dimension)
    except KeyError:
        return dimension
    return f"{framework.component(found.component).label}: {found.label}"


class ActionReviewList(QFrame):
    """Last time's open actions, each with "was it kept?" and a note: consistency as evidence, not memory.

    One not kept can be carried forward: taken up again as a new action of this reflection.
    """

    review_changed = Signal(object, object, str)  # Action, ActionStatus, note
    note_typed = Signal(object, object, str)  # Action, ActionStatus, note: at each key, to save soon
    carry_requested = Signal(object)  # Action

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._framework = framework
        self.combos: list[QComboBox] = []
        self.notes: list[QLineEdit] = []
        self.carry_buttons: list[QPushButton] = []
        self.heading = QLabel("Actions agreed before \u2014 were they kept?", self)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 1)
        self.none_label = QLabel("No actions are waiting from earlier reflections on this case.", self)
        faint(self.none_label)
        self.not_kept_heading: QLabel | None = None
        self.earlier_buttons: list[QPushButton] = []
        self._not_kept: list[Action] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.none_label)
        layout.addLayout(self.grid)
        self._actions: list[Action] = []
        self._carried: set = set()
        self._read_only = False
        self._shown: tuple | None = None

    def set_actions(
        self,
        actions: Sequence[Action],
        agreed_on: Callable[[Action], dt.date | None],
        *,
        read_only: bool,
        carried: Collection[uuid.UUID] = (),
        not_kept: Sequence[Action] = (),
        marked_on: Callable[[Action], dt.date | None] = lambda a: None,
    ) -> None:
        """``carried``: ids of the actions already carried forward into this reflection; ``not_kept``: those
        marked not kept at an earlier session and not carried forward since, shown to carry forward here.

        Given what it already shows, it keeps its rows (and the keyboard on them) rather than build them again.
        """
        shown = (
            tuple(actions),
            tuple(not_kept),
            frozenset(carried),
            read_only,
            tuple(agreed_on(a) for a in (*actions, *not_kept)),
            tuple(marked_on(a) for a in not_kept),
        )
        if shown == self._shown:
            return
        self._shown = shown
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.combos, self.notes, self.carry_buttons, self.earlier_buttons = [], [], [], []
        self._actions = list(actions)
        self._carried = set(carried)
        self._read_only = read_only
        self.none_label.setVisible(not actions)
        # With nothing to look back on, one quiet line rather than an empty box.
        self.heading.setVisible(bool(actions))
        self.setFrameShape(QFrame.Shape.StyledPanel if actions else QFrame.Shape.NoFrame)
        self.layout().setContentsMargins(*((9, 9, 9, 9) if actions else (0, 0, 0, 0)))
        for row, action in enumerate(actions):
            text = QLabel(action.text, self)
            text.setWordWrap(True)
            details = [f"agreed {day(agreed_on(action))}" if agreed_on(action) else ""]
            if action.due_on:
                details.append(f"due {day(action.due_on)}")
            if action.dimension:
                details.append(dimension_text(self._framework, action.dimension))
            if action.carried_from is not None:
                details.append("carried forward from an earlier action not kept")
            note = QLabel(sentence(" \u00b7 ".join(d for d in details if d)), self)
            faint(note)
            note_edit = QLineEdit(action.review_note, self)
            note_edit.setPlaceholderText("Note: how did it go? (optional)")
            note_edit.setAccessibleName(f"Note on how it went: {action.text}")
            note_edit.setReadOnly(read_only)
            note_edit.setVisible(not read_only or bool(action.review_note))
            note_edit.editingFinished.connect(lambda r=row: self._on_note_edit_finished(r))
            note_edit.textEdited.connect(lambda typed, r=row: self._on_note_edit_text_edited(r, typed))
            holder = QWidget(self)
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(text)
            box.addWidget(note)
            box.addWidget(note_edit)
            combo = QComboBox(self)
            for status, label in REVIEW_CHOICES:
                combo.addItem(label, status)
            combo.setCurrentIndex([s for s, _ in REVIEW_CHOICES].index(action.status))
            combo.setAccessibleName(f"Was this kept? {action.text}")
            combo.setEnabled(not read_only)
            combo.currentIndexChanged.connect(lambda _i, r=row: self._on_combo_changed(r))
            carry = QPushButton(self)
            carry.setToolTip("Take it up again: a new action of this reflection, linked to this one")
            carry.clicked.connect(lambda _c=False, r=row: self.carry_requested.emit(self._actions[r]))
            side = QWidget(self)
            column = QVBoxLayout(side)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(combo)
            column.addWidget(carry)
            column.addStretch(1)
            self.grid.addWidget(holder, row, 0)
            self.grid.addWidget(side, row, 1, Qt.AlignmentFlag.AlignTop)
            self.combos.append(combo)
            self.notes.append(note_edit)
            self.carry_buttons.append(carry)
            self._update_carry(row)
        self._add_not_kept(len(actions), not_kept, agreed_on, marked_on)

    def _add_not_kept(
        self,
        first_row: int,
        actions: Sequence[Action],
        agreed_on: Callable[[Action], dt.date | None],
        marked_on: Callable[[Action], dt.date | None],
    ) -> None:
        """Rows for actions not kept before: what was agreed, when it was marked, the note, Carry forward."""
        self._not_kept = list(actions)
        self.not_kept_heading = None
        if actions:
            self.setFrameShape(QFrame.Shape.StyledPanel)
            self.layout().setContentsMargins(9, 9, 9, 9)
            self.not_kept_heading = QLabel("Not kept before, and not taken up again since", self)
            self.not_kept_heading.setFont(self.heading.font())
            self.grid.addWidget(self.not_kept_heading, first_row, 0, 1, 2)
        for n, action in enumerate(actions):
            row = first_row + 1 + n
            details = [f"agreed {day(agreed_on(action))}" if agreed_on(action) else ""]
            details.append(f"marked not kept {day(marked_on(action))}" if marked_on(action) else "marked not kept")
            if action.review_note:
                details.append(f"note: {action.review_note}")
            text = QLabel(action.text, self)
            text.setWordWrap(True)
            text.setAccessibleName(f"Not kept before: {action.text}")
            note = QLabel(sentence(" \u00b7 ".join(d for d in details if d)), self)
            note.setWordWrap(True)
            faint(note)
            label = QWidget(self)
            box = QVBoxLayout(label)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(text)
            box.addWidget(note)
            done = action.id in self._carried
            button = QPushButton("Carried forward \u2713" if done else "Carry forward", self)
            button.setAccessibleName(f"{button.text()}: {action.text}")
            button.setToolTip("Take it up again: a new action of this reflection, linked to this one")
            button.setEnabled(not done and not self._read_only)
            button.clicked.connect(lambda _c=False, a=action: self.carry_requested.emit(a))
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
            self.earlier_buttons.append(button)

    def row_of(self, action_id: uuid.UUID) -> int | None:
        return next((i for i, a in enumerate(self._actions) if a.id == action_id), None)

    def focus_action(self, action_id: uuid.UUID) -> None:
        """Put the keyboard back on an action's row after the list was built again."""
        row = self.row_of(action_id)
        if row is not None:
            self.combos[row].setFocus()
            return
        found = next((i for i, a in enumerate(self._not_kept) if a.id == action_id), None)
        if found is not None:
            self.earlier_buttons[found].setFocus()

    def status_of(self, row: int) -> ActionStatus:
        return REVIEW_CHOICES[self.combos[row].currentIndex()][0]  # Qt hands item data back as plain str

    def _update_carry(self, row: int) -> None:
        button, action = self.carry_buttons[row], self._actions[row]
        done = action.id in self._carried
        button.setText("Carried forward \u2713" if done else "Carry forward")
        button.setAccessibleName(f"{button.text()}: {action.text}")
        button.setVisible(self.status_of(row) is ActionStatus.NOT_KEPT and not (self._read_only and not done))
        button.setEnabled(not done and not self._read_only)

    def _on_combo_changed(self, row: int) -> None:
        self._shown = None  # the rows now show what the caller has yet to hand back: build them again next time
        self._update_carry(row)
        self.review_changed.emit(self._actions[row], self.status_of(row), self.notes[row].text())

    def _on_note_edit_text_edited(self, row: int, typed: str) -> None:
        if not self._read_only:
            self._shown = None
            self.note_typed.emit(self._actions[row], self.status_of(row), typed)

    def _on_note_edit_finished(self, row: int) -> None:
        edit = self.notes[row]
        if self._read_only or not edit.isModified():
            return
        edit.setModified(False)
        self._shown = None
        self.review_changed.emit(self._actions[row], self.status_of(row), edit.text())


class ActionsEditor(QWidget):
    """This reflection's actions: a list with Remove, and a line to add one with an optional
    dimension and due date."""

    add_requested = Signal(str, object, object)  # text, dimension id | None, due date | None
    remove_requested = Signal(object)  # Action

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._framework = framework
        self._actions: list[Action] = []

        self.heading = QLabel("Actions agreed in this reflection", self)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        # A list rather than a table: each action wraps onto as many lines as it needs, with its
        # dimension and due date under it.
        self.model = QStandardItemModel(self)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setAccessibleName("Actions agreed in this reflection")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(3)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.list.installEventFilter(self)
        self.none_label = QLabel("No actions yet. Add one below.", self)
        faint(self.none_label)
        self.remove_button = QPushButton("Remove the chosen action", self)
        self.remove_button.setAccessibleName("Remove the chosen action")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.list.selectionModel().selectionChanged.connect(self._update_remove)

        self.form = QFrame(self)
        self.form.setFrameShape(QFrame.Shape.StyledPanel)
        self.text_edit = QLineEdit(self.form)
        self.text_edit.setPlaceholderText("For example: explain observation changes before they happen")
        self.text_edit.setAccessibleName("New action: what will you do?")
        self.text_edit.returnPressed.connect(self._on_add_button_clicked)
        self.warning = IdentifierWarning(self.text_edit, self.form)
        self.dimension_combo = QComboBox(self.form)
        self.dimension_combo.addItem("No particular dimension", None)
        for dimension in framework.dimensions:
            self.dimension_combo.addItem(dimension_text(framework, dimension.id), dimension.id)
        self.dimension_combo.setAccessibleName("Dimension this action is about (optional)")
        self.due_check = QCheckBox("Due by", self.form)
        self.due_check.setAccessibleName("Set a due date")
        self.due_edit = QDateEdit(self.form)
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("d MMM yyyy")
        self.due_edit.setDate(QDate.currentDate().addDays(14))
        self.due_edit.setEnabled(False)
        self.due_edit.setAccessibleName("Due date")
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self.add_button = QPushButton("Add action", self.form)
        self.add_button.setAccessibleName("Add this action")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.error_label = QLabel(self.form)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        due = QHBoxLayout()
        due.addWidget(self.due_check)
        due.addWidget(self.due_edit)
        due.addStretch(1)
        form = QFormLayout(self.form)
        form.addRow("&What will you do?", self.text_edit)
        form.addRow(self.warning)
        form.addRow("D&imension", self.dimension_combo)
        form.addRow("", due)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        form.addRow(buttons)
        form.addRow(self.error_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.none_label)
        layout.addWidget(self.list)
        remove = QHBoxLayout()
        remove.addStretch(1)
        remove.addWidget(self.remove_button)
        layout.addLayout(remove)
        layout.addSpacing(6)
        layout.addWidget(self.form)
        self._read_only = False
        self._update_remove()

    def set_actions(self, actions: Sequence[Action], *, read_only: bool) -> None:
        self._actions = list(actions)
        self._read_only = read_only
        self.model.clear()
        for action in actions:
            details = [dimension_text(self._framework, action.dimension)]
            if action.due_on:
                details.append(f"due {day(action.due_on)}")
            if action.carried_from is not None:
                details.append("carried forward from an earlier action not kept")
            note = sentence(" \u00b7 ".join(d for d in details if d))
            item = QStandardItem(action.text + (f"\n{note}" if note else ""))
            item.setData(f"{action.text}. {note}", Qt.ItemDataRole.AccessibleTextRole)
            item.setToolTip(action.text)
            self.model.appendRow(item)
        self.list.setVisible(bool(actions))
        self._fit_list()
        self.none_label.setVisible(not actions)
        self.none_label.setText("No actions yet. Add one below." if not read_only else "No actions were agreed.")
        self.form.setVisible(not read_only)
        self.remove_button.setVisible(not read_only and bool(actions))
        self._update_remove()

    def form_fields(self) -> dict[str, str]:
        """What is typed in the new-action form, to keep as a draft (empty text: nothing to keep)."""
        dimension = self.dimension_combo.currentData()
        due = self.due_edit.date().toString(Qt.DateFormat.ISODate) if self.due_check.isChecked() else ""
        return {"text": self.text_edit.text(), "dimension": dimension or "", "due": due}

    def set_form_fields(self, fields: dict[str, str]) -> None:
        self.text_edit.setText(fields.get("text", ""))
        index = self.dimension_combo.findData(fields.get("dimension") or None)
        self.dimension_combo.setCurrentIndex(max(index, 0))
        due = QDate.fromString(fields.get("due", ""), Qt.DateFormat.ISODate)
        self.due_check.setChecked(due.isValid())
        if due.isValid():
            self.due_edit.setDate(due)

    def clear_form(self) -> None:
        self.text_edit.clear()
        self.dimension_combo.setCurrentIndex(0)
        self.due_check.setChecked(False)
        self.error_label.hide()

    def show_error(self, message: str) -> None:
        self.error_label.setText(f"\u26a0 {message}")
        self.error_label.show()
        self.text_edit.setFocus()

    def _fit_list(self) -> None:
        rows = sum(self.list.sizeHintForRow(r) + 2 * self.list.spacing() for r in range(min(self.model.rowCount(), 6)))
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_list()  # wrapped lines change with the width

    def eventFilter(self, watched, event) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete:
            self._on_remove_button_clicked()
            return True
        return super().eventFilter(watched, event)

    def _update_remove(self, *_args) -> None:
        self.remove_button.setEnabled(not self._read_only and self.list.selectionModel().hasSelection())

    def _on_add_button_clicked(self) -> None:
        due = self.due_edit.date().toPython() if self.due_check.isChecked() else None
        self.add_requested.emit(self.text_edit.text(), self.dimension_combo.currentData(), due)

    def _on_remove_button_clicked(self) -> None:
        rows = {index.row() for index in self.list.selectionModel().selectedIndexes()}
        for row in sorted(rows):
            self.remove_requested.emit(self._actions[row])
