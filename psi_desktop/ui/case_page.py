"""The case page: the chosen case and its reflections."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import ActionStatus, Case, ReflectionOutline, ReflectionStatus
from psi_desktop.services.cases import CaseService
from psi_desktop.ui.formatting import day, heading_font, when
from psi_desktop.ui.session import Session
from psi_desktop.ui.table_models import RowsTableModel

Index = QModelIndex | QPersistentModelIndex


SIZED_ROWS = 50
"""How many rows the reflection list's columns are sized to (Qt's default is 1,000)."""


class ReflectionListTableModel(RowsTableModel):
    """A case's reflections, newest first, from their outlines (nothing of their content is read to list them)."""

    HEADERS = ("Session", "Status", "Details", "")
    OPEN_COLUMN = 3

    def set_reflections(self, reflections: list[ReflectionOutline]) -> None:
        self.set_rows(sorted(reflections, key=lambda r: (r.session_date, r.created_at), reverse=True))

    def reflection_at(self, row: int) -> ReflectionOutline | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, reflection_id: uuid.UUID) -> int | None:
        for row, reflection in enumerate(self._rows):
            if reflection.id == reflection_id:
                return row
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        reflection = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return day(reflection.session_date)
            if column == 1:
                return reflection.status.label
            if column == 2:
                return _details(reflection)
            return _open_text(reflection) + " \u25b8"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                f"{day(reflection.session_date)}, {reflection.status.label}, {_details(reflection)}. "
                f"Press Enter to {_open_text(reflection).lower()}."
            )
        if role == Qt.ItemDataRole.FontRole and column == self.OPEN_COLUMN:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == self.OPEN_COLUMN:
            return QPalette().color(QPalette.ColorRole.Link)
        return None


def _open_text(reflection: ReflectionOutline) -> str:
    return "View" if reflection.signed else "Continue"


def _details(reflection: ReflectionOutline) -> str:
    if reflection.signed and reflection.signed_at is not None:
        text = f"Signed by {reflection.signed_by} on {day(reflection.signed_at.date())}"
        if reflection.amendment_count:
            text += f" \u00b7 {reflection.amendment_count} amendment(s)"
        return text
    saved = when(reflection.updated_at)
    saved = saved[:1].lower() + saved[1:]  # "today at 14:02", "yesterday at …", "12 Nov 2026 at …"
    if reflection.status is ReflectionStatus.DISCUSSED:
        return f"Discussed with the supervisor \u00b7 saved {saved}"
    return f"Saved {saved}"


class CasePageScreen(QWidget):
    """The chosen case: its code, setting and figures, Rename and Archive, and tabs for its reflections
    and its charts. The Charts tab is built the first time it is shown, so matplotlib loads only then.
    """

    rename_requested = Signal()
    archive_toggled = Signal()
    new_reflection_requested = Signal()
    reflection_opened = Signal(object)  # uuid.UUID of the reflection to open
    export_pdf_requested = Signal()  # a case report of the shown case

    def __init__(self, cases: CaseService, parent: QWidget | None = None, *, session: Session | None = None) -> None:
        super().__init__(parent)
        self._cases = cases
        self._session = session  # for the charts, which need the whole profile
        self.case: Case | None = None
        self.charts = None  # a ChartsScreen, once the Charts tab has been shown
        self._charted: uuid.UUID | None = None

        self.title = QLabel(self)
        self.title.setFont(heading_font(self))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.rename_button = QPushButton("Rename\u2026", self)
        self.rename_button.clicked.connect(self.rename_requested)
        self.archive_button = QPushButton(self)
        self.archive_button.clicked.connect(self.archive_toggled)

        self.export_pdf_button = QPushButton("Export &PDF\u2026", self)
        self.export_pdf_button.setAccessibleName("Export a PDF report of this case")
        self.export_pdf_button.setToolTip("A PDF report of this case, to print or keep")
        self.export_pdf_button.clicked.connect(self.export_pdf_requested)
        self.export_pdf_button.hide()  # shown by the window when PDF export is available

        buttons = QHBoxLayout()
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.archive_button)
        buttons.addWidget(self.export_pdf_button)
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
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        # Sized to the first rows only: measuring every row of a case with hundreds of reflections took
        # longer than loading them (every row's cells look alike: a date, a status, "View").
        header.setResizeContentsPrecision(SIZED_ROWS)
        self.table.setTabKeyNavigation(False)
        # Enter, or a double click (a single click where the platform opens items that way), opens a reflection;
        # so does a click on the "Continue"/"View" column, which reads like a link.
        self.table.activated.connect(self._on_table_activated)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

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

        self.new_reflection_button = QPushButton("+ New reflection", self)
        self.new_reflection_button.setAccessibleName("New reflection on this case")
        self.new_reflection_button.setToolTip("Start a reflection on this case (Ctrl+N)")
        self.new_reflection_button.clicked.connect(self.new_reflection_requested)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        reflection_buttons = QHBoxLayout()
        reflection_buttons.addWidget(self.new_reflection_button)
        reflection_buttons.addWidget(self.open_button)
        reflection_buttons.addStretch(1)
        self._add_delete_controls(buttons, reflection_buttons)

        self.reflections_tab = QWidget(self)
        tab_layout = QVBoxLayout(self.reflections_tab)
        tab_layout.addWidget(self.stack, 1)
        tab_layout.addLayout(reflection_buttons)
        self.charts_tab = QWidget(self)
        self.charts_layout = QVBoxLayout(self.charts_tab)
        self.charts_layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("What to show for this case")
        self.tabs.addTab(self.reflections_tab, "Reflection&s")
        self.tabs.addTab(self.charts_tab, "Char&ts")
        self.tabs.setTabToolTip(1, "Radar, trends and patterns across this case's reflections")
        self.tabs.setTabVisible(1, session is not None)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(buttons)
        layout.addSpacing(4)
        layout.addWidget(self.tabs, 1)

    def show_case(self, case: Case) -> None:
        self.case = case
        reflections = self._cases.reflection_outlines(case.id)
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
        keep = self.current_reflection_id()
        self.model.set_reflections(reflections)
        self.stack.setCurrentWidget(self.table if reflections else self.empty)
        self.new_reflection_button.setEnabled(not case.archived)
        self.new_reflection_button.setToolTip(
            "Unarchive this case to add a reflection" if case.archived else "Start a reflection on this case (Ctrl+N)"
        )
        self.select_reflection(keep)
        self._update_charts(case.id)

    # -- charts --------------------------------------------------------------------------------

    def show_charts(self) -> None:
        self.tabs.setCurrentWidget(self.charts_tab)

    def refresh_charts(self) -> None:
        """A reflection was saved: the charts read the case again (they redraw when next shown)."""
        if self.charts is not None:
            self.charts.refresh()

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.charts_tab and self.charts is None and self.case is not None:
            self._build_charts()

    def _build_charts(self) -> None:
        from psi_desktop.ui.charts_screen import ChartsScreen  # not at start-up: it brings in the chart code

        self.charts = ChartsScreen(self._session, self.case.id, self.charts_tab)
        self.charts_layout.addWidget(self.charts)
        self._charted = self.case.id

    def _update_charts(self, case_id: uuid.UUID) -> None:
        if self.charts is None:
            return
        if self._charted != case_id:
            self._charted = case_id
            self.charts.set_case(case_id)
        else:
            self.charts.refresh()

    def select_reflection(self, reflection_id: uuid.UUID | None) -> None:
        """Choose a row: the given reflection, or else the newest."""
        row = None if reflection_id is None else self.model.row_of(reflection_id)
        if row is None and self.model.rowCount():
            row = 0
        if row is None:
            self.table.clearSelection()
        else:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._update_open_button()

    def current_reflection_id(self) -> uuid.UUID | None:
        reflection = self.model.reflection_at(self.table.currentIndex().row())
        return None if reflection is None else reflection.id

    def _update_open_button(self) -> None:
        reflection = self.model.reflection_at(self.table.currentIndex().row())
        self.open_button.setVisible(reflection is not None)
        if reflection is not None:
            verb = _open_text(reflection)
            self.open_button.setText(f"{verb} the reflection of {day(reflection.session_date)}")
            self.open_button.setAccessibleName(self.open_button.text())
        self._update_delete_button(reflection)

    def _on_table_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._update_open_button()

    def _on_table_activated(self, index: QModelIndex) -> None:
        reflection = self.model.reflection_at(index.row())
        if reflection is not None:
            self.reflection_opened.emit(reflection.id)

    def _on_table_clicked(self, index: QModelIndex) -> None:
        if index.column() == ReflectionListTableModel.OPEN_COLUMN:
            self._on_table_activated(index)

    def _on_open_button_clicked(self) -> None:
        reflection_id = self.current_reflection_id()
        if reflection_id is not None:
            self.reflection_opened.emit(reflection_id)

    # -- tidying up: deleting a draft or the case (issue 17) ------------------------------------

    delete_reflection_requested = Signal(object)  # uuid.UUID of an unsigned reflection to delete
    delete_case_requested = Signal()

    def _add_delete_controls(self, case_buttons: QHBoxLayout, reflection_buttons: QHBoxLayout) -> None:
        """Delete case at the right of the case's buttons; Delete draft at the right of the reflections',
        with the Delete key and the list's context menu doing the same."""
        self.delete_case_button = QPushButton("&Delete case\u2026", self)
        self.delete_case_button.setAccessibleName("Delete this case")
        self.delete_case_button.setToolTip("Delete this case and its reflections; you are asked first")
        self.delete_case_button.clicked.connect(self.delete_case_requested)
        case_buttons.addWidget(self.delete_case_button)
        self.delete_button = QPushButton(self)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.delete_button.hide()
        reflection_buttons.addWidget(self.delete_button)
        self.table.installEventFilter(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)

    def _update_delete_button(self, reflection: ReflectionOutline | None) -> None:
        """Shown for an unsigned reflection only: a signed one cannot be deleted on its own."""
        deletable = reflection is not None and not reflection.signed
        self.delete_button.setVisible(deletable)
        if reflection is not None and deletable:
            self.delete_button.setText(f"Delete the {_kind(reflection)}\u2026")
            self.delete_button.setAccessibleName(f"Delete the {_kind(reflection)} of {day(reflection.session_date)}")
            self.delete_button.setToolTip("Delete it with its answers, ratings and actions (Delete key)")

    def reflection_menu(self, reflection: ReflectionOutline) -> QMenu:
        """The list's context menu for one reflection: open it, or delete it when it is not signed."""
        menu = QMenu(self)
        menu.addAction(f"{_open_text(reflection)} the reflection", lambda: self.reflection_opened.emit(reflection.id))
        if reflection.signed:
            signed = menu.addAction("Signed: cannot be deleted (add an amendment to correct it)")
            signed.setEnabled(False)
        else:
            delete = menu.addAction(f"Delete the {_kind(reflection)}\u2026")
            delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            delete.triggered.connect(lambda: self.delete_reflection_requested.emit(reflection.id))
        return menu

    def _on_table_context_menu_requested(self, pos: QPoint) -> None:
        reflection = self.model.reflection_at(self.table.indexAt(pos).row())
        if reflection is None:
            return
        self.table.setCurrentIndex(self.model.index(self.model.row_of(reflection.id) or 0, 0))
        menu = self.reflection_menu(reflection)
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _on_delete_button_clicked(self) -> None:
        reflection = self.model.reflection_at(self.table.currentIndex().row())
        if reflection is not None and not reflection.signed:
            self.delete_reflection_requested.emit(reflection.id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete (or Backspace, as Mac keyboards have it) on the list deletes the chosen unsigned reflection."""
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self._on_delete_button_clicked()
            return True
        return super().eventFilter(watched, event)


def _kind(reflection: ReflectionOutline) -> str:
    return "draft" if reflection.status is ReflectionStatus.DRAFT else "discussed reflection"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
