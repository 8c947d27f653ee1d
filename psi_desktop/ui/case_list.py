"""The case list on the left of the main window."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import CaseSummary
from psi_desktop.ui.formatting import day
from psi_desktop.ui.table_models import RowsTableModel

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ARCHIVED_ROLE = Qt.ItemDataRole.UserRole + 2
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3  # whose cases a row belongs to (a heading row: its own group)

Index = QModelIndex | QPersistentModelIndex


def open_actions_text(summary: CaseSummary) -> str:
    """``3``, or ``3 \u00b7 1 overdue`` when some are past their due date; empty when none are open."""
    if not summary.open_actions:
        return ""
    late = f" \u00b7 {summary.overdue_actions} overdue" if summary.overdue_actions else ""
    return f"{summary.open_actions}{late}"


class CaseListTableModel(RowsTableModel):
    """Cases with their last session and open actions."""

    HEADERS = ("Case", "Last session", "Open actions")

    def set_summaries(self, summaries: list[CaseSummary]) -> None:
        self.set_rows(grouped(summaries))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if isinstance(summary, CaseGroup):
            return summary.data(column, role)
        if role == GROUP_ROLE:
            return "" if summary.practitioner is None else str(summary.practitioner.id)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return summary.case.code + (" (archived)" if summary.case.archived else "")
            if column == 1:
                return day(summary.last_session) or "\u2013"
            return open_actions_text(summary)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return summary.case.setting or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                f"{summary.case.code}{', archived' if summary.case.archived else ''}, "
                f"{summary.reflection_count} reflections, {summary.open_actions} open actions"
                + (f", {summary.overdue_actions} overdue" if summary.overdue_actions else "")
            )
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and summary.overdue_actions:
            return f"{summary.overdue_actions} of its open actions are past their due date (View \u2192 All actions)"
        if role == Qt.ItemDataRole.FontRole and summary.case.archived:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == CASE_ID_ROLE:
            return str(summary.case.id)
        if role == ARCHIVED_ROLE:
            return summary.case.archived
        return None

    def row_of(self, case_id: uuid.UUID) -> int | None:
        for row, summary in enumerate(self._rows):
            if isinstance(summary, CaseSummary) and summary.case.id == case_id:
                return row
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if index.isValid() and isinstance(self._rows[index.row()], CaseGroup):
            return Qt.ItemFlag.NoItemFlags  # a heading: never current, so the arrow keys pass over it
        return super().flags(index)


class CaseFilterProxyModel(QSortFilterProxyModel):
    """Filters by the typed text, and hides archived cases unless asked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_archived = False
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)

    def set_show_archived(self, show: bool) -> None:
        self.beginFilterChange()
        self.show_archived = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        if index.data(HEADING_ROLE):  # a practitioner's heading shows while any of their cases does
            model, row = self.sourceModel(), source_row + 1
            while row < model.rowCount() and not model.index(row, 0).data(HEADING_ROLE):
                if self.filterAcceptsRow(row, source_parent):
                    return True
                row += 1
            return False
        if not self.show_archived and index.data(ARCHIVED_ROLE):
            return False
        return super().filterAcceptsRow(source_row, source_parent)


class CaseListScreen(QWidget):
    """A filter box, the list of cases and a New case button."""

    case_selected = Signal(object)  # uuid.UUID of the chosen case, or None
    new_case_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CaseListTableModel(self)
        self.proxy = CaseFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Find a case\u2026")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Find a case by its code")
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Cases")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        for signal in (
            self.proxy.modelReset,
            self.proxy.layoutChanged,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
        ):
            signal.connect(self._span_headings)

        self.new_button = QPushButton("+ New case", self)
        self.new_button.setAccessibleName("New case")
        self.new_button.clicked.connect(self.new_case_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.new_button)

    def set_summaries(self, summaries: list[CaseSummary], select: uuid.UUID | None = None) -> None:
        """Show ``summaries``, keeping (or moving to) the chosen case where it is still shown."""
        keep = select or self.current_case_id()
        self.model.set_summaries(summaries)
        self.select(keep)

    def set_show_archived(self, show: bool) -> None:
        keep = self.current_case_id()
        self.proxy.set_show_archived(show)
        self.select(keep)

    def select(self, case_id: uuid.UUID | None) -> None:
        row = None if case_id is None else self.model.row_of(case_id)
        index = QModelIndex() if row is None else self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid() and self.proxy.rowCount() and case_id is None:
            index = self.proxy.index(0, 0)
            if index.data(HEADING_ROLE):  # the first case, under its heading
                index = self.proxy.index(1, 0)
        self.table.setCurrentIndex(index)
        if not index.isValid():
            self.table.clearSelection()
            self.case_selected.emit(None)

    def current_case_id(self) -> uuid.UUID | None:
        value = self.table.currentIndex().data(CASE_ID_ROLE)
        return None if value is None else uuid.UUID(value)

    def _on_table_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        value = current.data(CASE_ID_ROLE)
        self.case_selected.emit(None if value is None else uuid.UUID(value))

    def _span_headings(self, *_: object) -> None:
        """A practitioner's heading spans the row (spans are the view's, so they follow the filter)."""
        self.table.clearSpans()
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(HEADING_ROLE):
                self.table.setSpan(row, 0, 1, self.proxy.columnCount())


# -- cases grouped by practitioner (a supervisor's profile) ----------------------------------------------

HEADING_ROLE = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True, slots=True)
class CaseGroup:
    """A heading row: "My cases", or a practitioner whose bundles came in, with how many cases."""

    key: str  # "" for the owner's own, else the practitioner's id
    label: str
    count: int

    def data(self, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return self.label
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.label}: {self.count} case{'' if self.count == 1 else 's'}"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:  # as text, though the row cannot be chosen
            return QApplication.palette().text()
        if role == Qt.ItemDataRole.BackgroundRole:
            return QApplication.palette().window()
        if role in (HEADING_ROLE,):
            return True
        if role == GROUP_ROLE:
            return self.key
        return None


def grouped(summaries: list[CaseSummary]) -> list[CaseSummary | CaseGroup]:
    """The cases as they come (in code order) when they are all the owner's own; else under a heading
    per practitioner, "My cases" first, then each practitioner by name."""
    if all(s.practitioner is None for s in summaries):
        return list(summaries)
    groups: dict[str, list[CaseSummary]] = {}
    labels: dict[str, str] = {"": "My cases"}
    for summary in summaries:
        key = "" if summary.practitioner is None else str(summary.practitioner.id)
        groups.setdefault(key, []).append(summary)
        if summary.practitioner is not None:
            labels[key] = summary.practitioner.label
    order = sorted(groups, key=lambda k: (k != "", labels[k].casefold(), k))
    rows: list[CaseSummary | CaseGroup] = []
    for key in order:
        rows.append(CaseGroup(key, labels[key], len(groups[key])))
        rows.extend(groups[key])
    return rows
