"""Search across reflections (Ctrl+F): words, filters, and the hits newest first with the words marked.

Enter or a double click on a hit opens its reflection at the step that shows it. The search itself is
services.search, the same one ``psi-desktop search`` uses.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.model import ReflectionStatus
from psi_desktop.domain.search import HitKind, plain, snippet_parts
from psi_desktop.errors import UserFacingError
from psi_desktop.services.search import Hit, SearchResult, dimension_choices, search_reflections
from psi_desktop.ui.formatting import day, error_text, heading_font
from psi_desktop.ui.session import Session

Index = QModelIndex | QPersistentModelIndex

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
TYPING_PAUSE_MS = 250
"""The search runs this long after the last key typed (at once for a filter, or Enter)."""

# The matched words: bold on a soft yellow, dark text, readable in a light or dark scheme and when selected.
MARK = '<span style="background-color:#FFE28A; color:#1d1d1d; font-weight:600;">{}</span>'
EMPTY_TEXT = "Type a word or two to search your answers, actions and amendments."
HOW_TO_SEARCH = (
    "Every word must appear, in any order. Put words in double quotes to find them together, such as "
    "\u201cward round\u201d; end a word with * to find every word it begins: explain* finds explained and "
    "explaining. Capitals, accents and punctuation do not matter."
)


def snippet_html(snippet: str) -> str:
    """The snippet as rich text, each matched word marked."""
    return "".join(MARK.format(html.escape(t)) if matched else html.escape(t) for t, matched in snippet_parts(snippet))


def hit_heading(hit: Hit) -> str:
    return f"{day(hit.session_date)} \u00b7 {hit.case_code} \u00b7 {hit.status.label}"


def hit_where(hit: Hit) -> str:
    return f"{hit.step_label} step \u00b7 {hit.what}"


class HitDelegate(QStyledItemDelegate):
    """Draws a hit as three lines of rich text (when, where, the snippet with its words marked)."""

    MARGIN = 6

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(self.MARGIN)
        document.setHtml(index.data(HTML_ROLE) or "")
        document.setTextWidth(max(option.rect.width(), 200))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget is not None else QApplication.style()
        text_less = QStyleOptionViewItem(option)
        text_less.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_less, painter, option.widget)
        document = self._document(option, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(option.rect.translated(-option.rect.topLeft()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        self.initStyleOption(option, index)
        width = option.widget.viewport().width() if option.widget is not None else 600
        option.rect.setWidth(width)
        document = self._document(option, index)
        return QSize(width, int(document.size().height()) + 2)


class SearchScreen(QWidget):
    """Words, filters (case, dates, status, dimension) and the hits; Escape or Back leaves it."""

    open_requested = Signal(object, str, str)  # reflection id, step id, prompt id of an answer ("" for the rest)
    close_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.result: SearchResult | None = None

        self.title = QLabel("Search your reflections", self)
        self.title.setFont(heading_font(self))
        self.back_button = QPushButton("\u25c2 Back", self)
        self.back_button.setAccessibleName("Back to the cases")
        self.back_button.setToolTip("Leave the search (Esc)")
        self.back_button.clicked.connect(self.close_requested)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back_button)

        self.query_edit = QLineEdit(self)
        self.query_edit.setPlaceholderText("Words to find, e.g. observation, \u201cward round\u201d, explain*")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setAccessibleName("Words to search for")
        self.query_edit.setToolTip(HOW_TO_SEARCH)
        self.query_edit.textEdited.connect(self._on_query_edited)
        self.query_edit.returnPressed.connect(self._on_query_return)
        self.query_edit.installEventFilter(self)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.run_search)

        self.case_combo = QComboBox(self)
        self.case_combo.setAccessibleName("Only this case")
        self.status_combo = QComboBox(self)
        self.status_combo.setAccessibleName("Only reflections in this state")
        self.status_combo.addItem("Any status", None)
        for status in ReflectionStatus:
            self.status_combo.addItem(status.label, status.value)
        self.dimension_combo = QComboBox(self)
        self.dimension_combo.setAccessibleName("Only this dimension or component")
        self.dimension_combo.setToolTip(
            "A dimension keeps the answers of its component's step and the actions tagged with it; "
            "amendments belong to no dimension, so they are left out"
        )
        today = QDate.currentDate()
        self.from_check = QCheckBox("Fro&m", self)
        self.from_check.setAccessibleName("Only sessions from a date")
        self.from_edit = QDateEdit(today.addMonths(-3), self)
        self.to_check = QCheckBox("T&o", self)
        self.to_check.setAccessibleName("Only sessions up to a date")
        self.to_edit = QDateEdit(today, self)
        for edit, name in ((self.from_edit, "From"), (self.to_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"Sessions {name.lower()}")
            edit.setEnabled(False)
            edit.dateChanged.connect(self._on_filter_changed)
        self.from_check.toggled.connect(self.from_edit.setEnabled)
        self.to_check.toggled.connect(self.to_edit.setEnabled)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._on_filter_changed)
        for combo in (self.case_combo, self.status_combo, self.dimension_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_button = QPushButton("Clear filters", self)
        self.clear_button.setAccessibleName("Clear every filter")
        self.clear_button.clicked.connect(self.clear_filters)

        case_label = QLabel("C&ase", self)
        case_label.setBuddy(self.case_combo)
        status_label = QLabel("&Status", self)
        status_label.setBuddy(self.status_combo)
        dimension_label = QLabel("&Dimension", self)
        dimension_label.setBuddy(self.dimension_combo)
        first = QHBoxLayout()
        for label, widget in ((case_label, self.case_combo), (status_label, self.status_combo)):
            first.addWidget(label)
            first.addWidget(widget)
            first.addSpacing(12)
        first.addWidget(dimension_label)
        first.addWidget(self.dimension_combo)
        first.addStretch(1)
        second = QHBoxLayout()
        for check, edit in ((self.from_check, self.from_edit), (self.to_check, self.to_edit)):
            second.addWidget(check)
            second.addWidget(edit)
            second.addSpacing(12)
        second.addStretch(1)
        second.addWidget(self.clear_button)

        self.summary = QLabel(EMPTY_TEXT, self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Search results summary")

        self.model = QStandardItemModel(self)
        self.results = QListView(self)
        self.results.setModel(self.model)
        self.results.setAccessibleName("Search results")
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setUniformItemSizes(False)
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.doubleClicked.connect(self._on_results_activated)
        self.results.installEventFilter(self)
        self.empty = QLabel(self)  # in place of the list when nothing is found, so it cannot be missed
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setContentsMargins(8, 16, 8, 8)
        self.empty.setAccessibleName("No matches")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.results)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.query_edit)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 1)
        self.reload_choices()

    # -- what it offers --------------------------------------------------------------------------

    def reload_choices(self) -> None:
        """The cases and dimensions to filter by, as the profile has them now (the choices made are kept)."""
        profile = self._session.profile
        if profile is None:
            return
        case_id, dimension = self.case_combo.currentData(), self.dimension_combo.currentData()
        with QSignalBlocker(self.case_combo), QSignalBlocker(self.dimension_combo):
            self.case_combo.clear()
            self.case_combo.addItem("Every case", None)
            for summary in sorted(profile.cases.summaries(), key=lambda s: s.case.code.casefold()):
                archived = " (archived)" if summary.case.archived else ""
                self.case_combo.addItem(summary.case.code + archived, summary.case.id)
            self.case_combo.setCurrentIndex(max(self.case_combo.findData(case_id), 0))
            self.dimension_combo.clear()
            self.dimension_combo.addItem("Any dimension", None)
            for choice in dimension_choices(profile):
                self.dimension_combo.addItem(choice.label if choice.component else "    " + choice.label, choice.id)
            self.dimension_combo.setCurrentIndex(max(self.dimension_combo.findData(dimension), 0))

    def focus_query(self) -> None:
        self.query_edit.setFocus()
        self.query_edit.selectAll()

    def set_case(self, case_id: uuid.UUID | None) -> None:
        self.case_combo.setCurrentIndex(max(self.case_combo.findData(case_id), 0))

    def active_filters(self) -> list[str]:
        """The filters that are on, by name: "case", "dates", "status", "dimension"."""
        on = [
            ("case", self.case_combo.currentData() is not None),
            ("dates", self.from_check.isChecked() or self.to_check.isChecked()),
            ("status", self.status_combo.currentData() is not None),
            ("dimension", self.dimension_combo.currentData() is not None),
        ]
        return [name for name, is_on in on if is_on]

    def clear_filters(self) -> None:
        with QSignalBlocker(self.case_combo), QSignalBlocker(self.status_combo), QSignalBlocker(self.dimension_combo):
            for combo in (self.case_combo, self.status_combo, self.dimension_combo):
                combo.setCurrentIndex(0)
        with QSignalBlocker(self.from_check), QSignalBlocker(self.to_check):
            self.from_check.setChecked(False)
            self.to_check.setChecked(False)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        self.run_search()

    # -- searching -----------------------------------------------------------------------------

    def run_search(self) -> None:
        self._typing.stop()
        profile = self._session.profile
        if profile is None:
            return
        date_from = self.from_edit.date().toPython() if self.from_check.isChecked() else None
        date_to = self.to_edit.date().toPython() if self.to_check.isChecked() else None
        try:
            result = search_reflections(
                profile,
                self.query_edit.text(),
                case_id=self.case_combo.currentData(),
                date_from=date_from if isinstance(date_from, dt.date) else None,
                date_to=date_to if isinstance(date_to, dt.date) else None,
                status=ReflectionStatus(status) if (status := self.status_combo.currentData()) else None,
                dimension=self.dimension_combo.currentData(),
            )
        except UserFacingError as exc:
            self._show(None, error_text(exc))
            return
        self._show(result, self._summary_text(result))

    def _summary_text(self, result: SearchResult) -> str:
        if not result.has_words:
            return EMPTY_TEXT
        filters = self.active_filters()
        if not result.hits:
            if not filters:
                return "No matches. Check the spelling, or try fewer or other words."
            named = " or ".join(filters)
            return f"No matches. Try removing a filter ({named}), or use fewer words."
        count = len(result.hits)
        if result.more:
            return f"Showing the newest {count} matches. Add a word or a filter to narrow them down."
        return f"{count} match{'' if count == 1 else 'es'}, newest first. Press Enter to open one at its step."

    def _show(self, result: SearchResult | None, summary: str) -> None:
        self.result = result
        self.summary.setText(summary)
        self.clear_button.setEnabled(bool(self.active_filters()))
        self.model.clear()
        for hit in result.hits if result is not None else ():
            item = QStandardItem()
            item.setEditable(False)
            item.setData(hit, HIT_ROLE)
            item.setData(
                f"<b>{html.escape(hit_heading(hit))}</b><br>"
                f"<span>{html.escape(hit_where(hit))}</span><br>{snippet_html(hit.snippet)}",
                HTML_ROLE,
            )
            item.setData(f"{hit_heading(hit)}. {hit_where(hit)}. {plain(hit.snippet)}", Qt.ItemDataRole.DisplayRole)
            item.setData(
                f"{hit_heading(hit)}. {hit_where(hit)}. {plain(hit.snippet)}. Press Enter to open it.",
                Qt.ItemDataRole.AccessibleTextRole,
            )
            item.setToolTip(f"Open the reflection of {day(hit.session_date)} at its {hit.step_label} step")
            self.model.appendRow(item)
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0, 0))
        nothing = result is None or not result.hits
        if result is not None and not result.has_words:  # nothing typed yet: how to search
            self.empty.setText(f"<p>{html.escape(summary)}</p><p>{html.escape(HOW_TO_SEARCH)}</p>")
        elif nothing:  # "No matches." large, the suggestion under it (or what went wrong)
            first, _, rest = summary.partition(". ")
            self.empty.setText(
                f'<p style="font-size:large; font-weight:bold;">{html.escape(first.rstrip("."))}.</p>'
                f"<p>{html.escape(rest)}</p>"
            )
        self.stack.setCurrentWidget(self.empty if nothing else self.results)
        self.summary.setVisible(not nothing)

    def hit_at(self, row: int) -> Hit | None:
        index = self.model.index(row, 0)
        hit = index.data(HIT_ROLE) if index.isValid() else None
        return hit if isinstance(hit, Hit) else None

    def open_current(self) -> None:
        hit = self.hit_at(self.results.currentIndex().row())
        if hit is not None:
            prompt = hit.record if hit.kind is HitKind.ANSWER else ""
            self.open_requested.emit(hit.reflection_id, hit.step_id, prompt)

    # -- slots -------------------------------------------------------------------------------

    def _on_query_edited(self, _text: str) -> None:
        self._typing.start()

    def _on_query_return(self) -> None:
        if self._typing.isActive():
            self.run_search()
        if self.model.rowCount():
            self.results.setFocus()

    def _on_filter_changed(self, *_args: object) -> None:
        self.run_search()

    def _on_results_activated(self, index: QModelIndex) -> None:
        self.results.setCurrentIndex(index)
        self.open_current()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.close_requested.emit()
                return True
            if watched is self.results and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
            if watched is self.query_edit and key == Qt.Key.Key_Down and self.model.rowCount():
                self.results.setFocus()
                return True
        return super().eventFilter(watched, event)
