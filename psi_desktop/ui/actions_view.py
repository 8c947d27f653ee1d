"""All actions, across cases: what is open, due this week or overdue at the top; what was kept, not kept or
dropped below; each can be marked with a note, and one not kept carried forward."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import ActionStatus
from psi_desktop.errors import UserFacingError
from psi_desktop.services.actions import ActionBoard, ActionItem, Due, action_board, carry_forward, review_action
from psi_desktop.ui.formatting import day, error_label, error_text, heading_font, show_error
from psi_desktop.ui.rating_row import faint
from psi_desktop.ui.table_models import Index, RowsTableModel

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
# A note typed is saved this long after its first key (later keys do not put it off), as the walkthrough's
# answers are; at once on choosing another action, on closing and before a lock.
NOTE_AUTOSAVE_MS = 800


def status_text(item: ActionItem) -> str:
    """``Overdue``, ``Due this week``, ``Open``, or how it was marked."""
    return item.due.label if item.due is not Due.DONE else item.action.status.label


def history_lines(item: ActionItem) -> list[str]:
    """Where the action came from and where it went, in plain words."""
    record, action = item.record, item.action
    lines = [f"Agreed in the reflection of {day(record.agreed_on)} on {record.case_code}."]
    if item.carried_from is not None:
        source = item.carried_from
        lines.append(
            f"Carried forward from \u201c{source.action.text}\u201d, agreed {day(source.agreed_on)}, "
            f"marked {source.action.status.label.lower()}"
            + (f" ({source.action.review_note})" if source.action.review_note else "")
            + "."
        )
    if action.status is not ActionStatus.OPEN:
        marked_on = f" on {day(action.reviewed_at.astimezone().date())}" if action.reviewed_at else ""
        where = f", in the reflection of {day(record.reviewed_on)}" if record.reviewed_on else ""
        lines.append(f"Marked {action.status.label.lower()}{marked_on}{where}.")
    for later in item.carried_to:
        lines.append(
            f"Carried forward into the reflection of {day(later.agreed_on)}; "
            f"that action is {later.action.status.label.lower()}."
        )
    return lines


def note_text(item: ActionItem) -> str:
    """The note as one line; for an action carried forward without a note yet, where it came from."""
    if item.action.review_note:
        return " ".join(item.action.review_note.split())
    if item.carried_from is not None:
        return f"Carried forward from {day(item.carried_from.agreed_on)}"
    return ""


class ActionsTableModel(RowsTableModel):
    HEADERS = ("Status", "Case", "What", "Dimension", "Due", "Note")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item: ActionItem = self._rows[index.row()]
        action, column = item.action, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                status_text(item),
                item.record.case_code,
                action.text,
                item.dimension_name,
                day(action.due_on) or "\u2013",
                note_text(item),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3 and item.dimension_provenance:
                return f"{item.dimension_name} ({item.dimension_provenance})"
            if column in (2, 5):
                return (action.text, action.review_note or None)[column == 5]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [status_text(item), item.record.case_code, action.text]
            if item.dimension_name:
                parts.append(item.dimension_name)
            if action.due_on:
                parts.append(f"due {day(action.due_on)}")
            if action.review_note:
                parts.append(f"note: {action.review_note}")
            elif item.carried_from is not None:
                parts.append(note_text(item).lower())
            return ", ".join(parts)
        if role == Qt.ItemDataRole.FontRole and column == 0 and item.overdue:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.FontRole and column == 5 and not action.review_note and item.carried_from:
            font = QFont()
            font.setItalic(True)
            return font
        if role == ITEM_ROLE:
            return item
        return None

    def item(self, row: int) -> ActionItem:
        return self._rows[row]

    def row_of(self, action_id: uuid.UUID) -> int | None:
        return next((r for r, i in enumerate(self._rows) if i.action.id == action_id), None)

    def replace_item(self, item: ActionItem) -> None:
        """Show ``item`` in place of the row of the same action, if listed."""
        row = self.row_of(item.action.id)
        if row is not None:
            self._rows[row] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))


def _table(parent: QWidget, name: str) -> tuple[QTableView, ActionsTableModel]:
    model = ActionsTableModel(parent)
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column, mode in enumerate(
        (
            QHeaderView.ResizeMode.ResizeToContents,
            QHeaderView.ResizeMode.ResizeToContents,
            QHeaderView.ResizeMode.Stretch,
            QHeaderView.ResizeMode.Interactive,
            QHeaderView.ResizeMode.ResizeToContents,
            QHeaderView.ResizeMode.Interactive,
        )
    ):
        header.setSectionResizeMode(column, mode)
    header.resizeSection(3, 200)
    header.resizeSection(5, 180)
    # Columns sized to what the first rows hold, not by measuring every row of a long list.
    header.setResizeContentsPrecision(50)
    return table, model


class ActionsView(QDialog):
    """Every action of every case; ``today`` says which day "overdue" and "due this week" count from."""

    def __init__(
        self,
        profile,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        case_id: uuid.UUID | None = None,
        select: uuid.UUID | None = None,
    ) -> None:
        """``case_id``: show only that case's actions; ``select``: the action to show chosen (as before a lock)."""
        super().__init__(parent)
        self.profile = profile
        self.today = today
        self.board: ActionBoard | None = None
        self._current: ActionItem | None = None
        self._last_table: QTableView | None = None
        self.changed = False  # something was marked or carried forward: the case list's counts move
        self.setWindowTitle("All actions")

        title = QLabel("All actions", self)
        title.setFont(heading_font(title, 1.3))
        self.summary = QLabel(self)
        self.summary.setAccessibleName("How many actions are open, overdue and due this week")
        self.case_combo = QComboBox(self)
        self.case_combo.setAccessibleName("Show the actions of")
        self.case_combo.currentIndexChanged.connect(self._on_case_combo_changed)
        case_label = QLabel("&Show:", self)
        case_label.setBuddy(self.case_combo)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(case_label)
        top.addWidget(self.case_combo)

        self.open_heading = QLabel(self)
        self.open_heading.setFont(heading_font(self.open_heading, 1.0))
        self.open_table, self.open_model = _table(self, "Open actions: overdue and due this week first")
        self.open_empty = QLabel("No open actions. Actions agreed in a reflection appear here.", self)
        faint(self.open_empty)
        self.done_heading = QLabel(self)
        self.done_heading.setFont(heading_font(self.done_heading, 1.0))
        self.done_table, self.done_model = _table(self, "Actions kept, not kept or dropped")
        self.done_empty = QLabel("None yet.", self)
        faint(self.done_empty)
        self.open_heading.setBuddy(self.open_table)
        self.done_heading.setBuddy(self.done_table)
        for table in (self.open_table, self.done_table):
            table.selectionModel().currentRowChanged.connect(
                lambda current, _previous, t=table: self._on_table_current_changed(t, current)
            )

        # The chosen action: its words, its history, and how to mark it.
        self.detail = QFrame(self)
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail_text = QLabel(self.detail)
        self.detail_text.setWordWrap(True)
        self.detail_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = self.detail_text.font()
        bold.setBold(True)
        self.detail_text.setFont(bold)
        self.history = QLabel(self.detail)
        self.history.setWordWrap(True)
        self.history.setAccessibleName("History of the chosen action")
        self.note_edit = QLineEdit(self.detail)
        self.note_edit.setPlaceholderText("How did it go? (optional)")
        self.note_edit.setAccessibleName("Note on how it went (optional)")
        self.note_edit.setMaxLength(2000)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_AUTOSAVE_MS)
        self._note_timer.timeout.connect(self.save_note)
        self.note_edit.textEdited.connect(self._on_note_edit_text_edited)
        note_label = QLabel("N&ote:", self.detail)
        note_label.setBuddy(self.note_edit)
        self.kept_button = QPushButton("&Kept", self.detail)
        self.not_kept_button = QPushButton("&Not kept", self.detail)
        self.dropped_button = QPushButton("&Dropped", self.detail)
        self.reopen_button = QPushButton("Open a&gain", self.detail)
        self.save_note_button = QPushButton("Save no&te", self.detail)
        self.carry_button = QPushButton("Carry &forward", self.detail)
        self.carry_button.setToolTip(
            "Take it up again: a new open action in the case's reflection in progress, linked to this one"
        )
        names = {
            self.kept_button: "Mark the chosen action kept",
            self.not_kept_button: "Mark the chosen action not kept",
            self.dropped_button: "Mark the chosen action dropped",
            self.reopen_button: "Mark the chosen action open again",
            self.save_note_button: "Save the note on the chosen action",
            self.carry_button: "Carry the chosen action forward",
        }
        for button, name in names.items():
            button.setAccessibleName(name)
            button.setAutoDefault(False)
        for button, status in (
            (self.kept_button, ActionStatus.KEPT),
            (self.not_kept_button, ActionStatus.NOT_KEPT),
            (self.dropped_button, ActionStatus.DROPPED),
            (self.reopen_button, ActionStatus.OPEN),
        ):
            button.clicked.connect(lambda _c=False, s=status: self.mark(s))
        self.save_note_button.clicked.connect(lambda: self.mark(None))
        self.note_edit.returnPressed.connect(lambda: self.mark(None))
        self.carry_button.clicked.connect(self.carry_forward)
        self.problem = error_label(self.detail)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.save_note_button)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Mark it:", self.detail))
        for button in (self.kept_button, self.not_kept_button, self.dropped_button, self.reopen_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.carry_button)
        detail = QVBoxLayout(self.detail)
        detail.addWidget(self.detail_text)
        detail.addWidget(self.history)
        detail.addLayout(note_row)
        detail.addLayout(buttons)
        detail.addWidget(self.problem)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.open_heading)
        layout.addWidget(self.open_empty)
        layout.addWidget(self.open_table, 3)
        layout.addWidget(self.done_heading)
        layout.addWidget(self.done_empty)
        layout.addWidget(self.done_table, 2)
        layout.addWidget(self.detail)
        layout.addWidget(close)
        order = (
            self.case_combo,
            self.open_table,
            self.done_table,
            self.note_edit,
            self.save_note_button,
            self.kept_button,
            self.not_kept_button,
            self.dropped_button,
            self.reopen_button,
            self.carry_button,
        )
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)
        self.resize(980, 680)
        self._fill_case_combo()
        if case_id is not None:
            self.case_combo.blockSignals(True)
            self.case_combo.setCurrentIndex(max(self.case_combo.findData(str(case_id)), 0))
            self.case_combo.blockSignals(False)
        self.refresh(select=select)
        # The list holding the chosen action: focus on a list with no current row would choose its first.
        (self._last_table or self.open_table).setFocus()

    # -- reading ----------------------------------------------------------------------------------

    def _fill_case_combo(self) -> None:
        self.case_combo.blockSignals(True)
        self.case_combo.addItem("All cases", None)
        for summary in self.profile.cases.summaries():
            self.case_combo.addItem(summary.case.code, str(summary.case.id))
        self.case_combo.blockSignals(False)

    def chosen_case(self) -> uuid.UUID | None:
        value = self.case_combo.currentData()
        return None if value is None else uuid.UUID(value)

    def refresh(self, select: uuid.UUID | None = None) -> None:
        """Read the actions again (for today's date as ``today`` says), keeping the chosen one chosen."""
        self.save_note()
        keep = select or self.current_action_id()
        self.board = action_board(self.profile, today=self.today(), case_id=self.chosen_case())
        board = self.board
        self.open_model.set_rows(list(board.open_items))
        self.done_model.set_rows(list(board.done_items))
        opened, done = len(board.open_items), len(board.done_items)
        self.open_heading.setText(f"&To do ({opened})")
        self.done_heading.setText(f"Kept, not kept or dropped ({done})")
        self.summary.setText(
            f"{opened} open \u00b7 {board.overdue_count} overdue \u00b7 {board.this_week_count} due this week"
            f" \u00b7 as of {day(board.today)}"
        )
        # Each list takes room as it has rows, so a long list of marked actions does not squeeze the open ones.
        layout = self.layout()
        layout.setStretchFactor(self.open_table, max(2, min(opened, 12)))
        layout.setStretchFactor(self.done_table, max(2, min(done, 12)))
        self.open_table.setVisible(bool(opened))
        self.open_empty.setVisible(not opened)
        self.done_table.setVisible(bool(done))
        self.done_empty.setVisible(not done)
        if not self.select(keep):
            first = self.open_table if opened else self.done_table
            if first.model().rowCount():
                first.setCurrentIndex(first.model().index(0, 0))
            else:
                self._show_detail(None)

    def select(self, action_id: uuid.UUID | None) -> bool:
        if action_id is None:
            return False
        for table, model in ((self.open_table, self.open_model), (self.done_table, self.done_model)):
            row = model.row_of(action_id)
            if row is not None:
                table.setCurrentIndex(model.index(row, 0))
                self._last_table = table
                self._show_detail(model.item(row))
                return True
        return False

    def current_item(self) -> ActionItem | None:
        """The action shown below the lists, to mark."""
        return self._current

    def current_action_id(self) -> uuid.UUID | None:
        item = self.current_item()
        return None if item is None else item.action.id

    def _show_detail(self, item: ActionItem | None) -> None:
        self._current = item
        self.problem.hide()
        has = item is not None
        for widget in (
            self.note_edit,
            self.kept_button,
            self.not_kept_button,
            self.dropped_button,
            self.save_note_button,
        ):
            widget.setEnabled(has)
        if item is None:
            self.detail_text.setText("Choose an action above to mark it or see its history.")
            self.history.clear()
            self.note_edit.clear()
            self.reopen_button.setEnabled(False)
            self.carry_button.setVisible(False)
            return
        action = item.action
        extra = [item.dimension_name] if item.dimension_name else []
        if action.due_on:
            extra.append(f"due {day(action.due_on)}")
        self.detail_text.setText("  \u00b7  ".join([action.text, " \u00b7 ".join(extra)]) if extra else action.text)
        self.history.setText("\n".join(history_lines(item)))
        # A wrapped label in a nested layout is not given the height its lines need unless asked.
        width = max(self.detail.contentsRect().width() - 20, 300)
        self.history.setMinimumHeight(self.history.heightForWidth(width))
        self.note_edit.setText(action.review_note)
        self.note_edit.setModified(False)
        status = action.status
        self.kept_button.setEnabled(status is not ActionStatus.KEPT)
        self.not_kept_button.setEnabled(status is not ActionStatus.NOT_KEPT)
        self.dropped_button.setEnabled(status is not ActionStatus.DROPPED)
        self.reopen_button.setEnabled(status is not ActionStatus.OPEN)
        self.carry_button.setVisible(item.can_carry_forward)
        carried = any(c.action.status is ActionStatus.OPEN for c in item.carried_to)
        self.carry_button.setEnabled(item.can_carry_forward and not carried)
        self.carry_button.setText("Carried forward \u2713" if carried else "Carry &forward")

    # -- marking ----------------------------------------------------------------------------------

    def mark(self, status: ActionStatus | None) -> None:
        """Mark the chosen action ``status`` with the note typed (None: keep its status, save the note)."""
        item = self.current_item()
        if item is None:
            return
        self._note_timer.stop()
        try:
            review_action(self.profile, item.action.id, status or item.action.status, self.note_edit.text())
        except UserFacingError as exc:
            show_error(self.problem, error_text(exc))
            return
        self.note_edit.setModified(False)
        self.changed = True
        self._after_change(item.action.id)

    def save_note(self) -> bool:
        """Write the note typed on the chosen action, if it changed; where and when it was marked stay as they
        were. False (and the problem shown) when it could not be written: it stays typed, to try again."""
        try:
            self.keep_draft()
        except UserFacingError as exc:
            show_error(self.problem, error_text(exc))
            return False
        return True

    def keep_draft(self) -> None:
        """What ``save_note`` does, raising UserFacingError; the main window calls it before a lock."""
        self._note_timer.stop()
        item = self._current
        if item is None or not self.note_edit.isModified():
            return
        saved = review_action(self.profile, item.action.id, item.action.status, self.note_edit.text())
        self.note_edit.setModified(False)
        self.changed = True
        self._current = replace(item, record=replace(item.record, action=saved))
        for model in (self.open_model, self.done_model):
            model.replace_item(self._current)

    def done(self, result: int) -> None:
        """Closing (Close, Escape, or a lock) saves the note typed first."""
        self.save_note()
        super().done(result)

    def carry_forward(self) -> None:
        item = self.current_item()
        if item is None:
            return
        try:
            carry_forward(self.profile, item.action.id)
        except UserFacingError as exc:
            show_error(self.problem, error_text(exc))
            return
        self.changed = True
        self.refresh(select=item.action.id)
        self.problem.hide()
        self.carry_button.setFocus()

    def _after_change(self, action_id: uuid.UUID) -> None:
        had_focus = self.open_table.hasFocus() or self.done_table.hasFocus()
        self.refresh(select=action_id)
        # The action may have moved to the other list: the keyboard follows it there when it was on a list.
        if had_focus and self._last_table is not None:
            self._last_table.setFocus()

    def _on_table_current_changed(self, table: QTableView, current: QModelIndex) -> None:
        if not current.isValid():
            return
        self._last_table = table
        other = self.done_table if table is self.open_table else self.open_table
        other.clearSelection()
        self.save_note()  # the note typed on the action chosen before
        self._show_detail(current.data(ITEM_ROLE))

    def _on_note_edit_text_edited(self, _text: str) -> None:
        if not self._note_timer.isActive():
            self._note_timer.start()

    def _on_case_combo_changed(self, _index: int) -> None:
        self.refresh()
