"""The case page: the chosen case and its reflections."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import ActionStatus, Case, Reflection, ReflectionStatus
from psi_desktop.services.cases import CaseService
from psi_desktop.ui.formatting import day, heading_font, moment

Index = QModelIndex | QPersistentModelIndex


class ReflectionListTableModel(QAbstractTableModel):
    """A case's reflections, newest first."""

    HEADERS = ("Session", "Status", "Details")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Reflection] = []

    def set_reflections(self, reflections: list[Reflection]) -> None:
        self.beginResetModel()
        self._rows = sorted(reflections, key=lambda r: (r.session_date, r.created_at), reverse=True)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        reflection = self._rows[index.row()]
        if index.column() == 0:
            return day(reflection.session_date)
        if index.column() == 1:
            return reflection.status.label
        return _details(reflection)


def _details(reflection: Reflection) -> str:
    if reflection.status is ReflectionStatus.SIGNED and reflection.signature:
        text = f"Signed by {reflection.signature.signed_by} on {day(reflection.signature.signed_at.date())}"
        if reflection.amendments:
            text += f" \u00b7 {len(reflection.amendments)} amendment(s)"
        return text
    if reflection.status is ReflectionStatus.DISCUSSED:
        return f"Discussed \u00b7 saved {moment(reflection.updated_at)}"
    return f"Saved {moment(reflection.updated_at)}"


class CasePageScreen(QWidget):
    """The chosen case: its code, setting and figures, Rename and Archive, and its reflections."""

    rename_requested = Signal()
    archive_toggled = Signal()

    def __init__(self, cases: CaseService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cases = cases
        self.case: Case | None = None

        self.title = QLabel(self)
        self.title.setFont(heading_font(self))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.rename_button = QPushButton("Rename\u2026", self)
        self.rename_button.clicked.connect(self.rename_requested)
        self.archive_button = QPushButton(self)
        self.archive_button.clicked.connect(self.archive_toggled)

        buttons = QHBoxLayout()
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.archive_button)
        buttons.addStretch(1)

        self.model = ReflectionListTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Reflections on this case")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        self.empty = QLabel(
            "No reflections on this case yet.\n\nA reflection walks through power, safety and identity "
            "in your relationship with the person, ready to talk over in supervision.",
            self,
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        reflections_heading = QLabel("Reflections", self)
        reflections_heading.setFont(heading_font(self, 1.15))

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(reflections_heading)
        layout.addWidget(self.stack, 1)

    def show_case(self, case: Case) -> None:
        self.case = case
        reflections = self._cases.reflections(case.id)
        open_actions = len(self._cases.actions(case.id, ActionStatus.OPEN))
        self.title.setText(case.code)
        facts = [case.setting or "No setting given"]
        if case.opened_on:
            facts.append(f"opened {day(case.opened_on)}")
        facts.append(_count(len(reflections), "reflection"))
        facts.append(_count(open_actions, "open action"))
        if case.archived:
            facts.append(f"archived {day(case.closed_on)}")
        self.subtitle.setText(" \u00b7 ".join(facts))
        self.archive_button.setText("Unarchive" if case.archived else "Archive")
        self.archive_button.setAccessibleName("Unarchive this case" if case.archived else "Archive this case")
        self.rename_button.setAccessibleName("Rename this case")
        self.model.set_reflections(reflections)
        self.stack.setCurrentWidget(self.table if reflections else self.empty)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
