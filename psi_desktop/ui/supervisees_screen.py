"""View → Supervisees: a supervisor's view of the practitioners whose bundles came in (issue 17 item 4).

For each supervisee: their cases, sessions per month, drafts waiting to be signed, open and overdue
actions, and the gap between their ratings and the supervisor's over time; across all of them, each
PSI dimension over time as small multiples. Loaded when first opened (matplotlib with it).
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.services.charts import supervisee_chart_data
from psi_desktop.services.practitioners import SuperviseeFigures, supervisee_figures
from psi_desktop.ui.formatting import day
from psi_desktop.ui.session import Session

ALL = "all"
NONE_YET = (
    "No supervisees yet. Import a bundle from a practitioner you supervise (File \u2192 Import\u2026): "
    "their cases appear here, and in the case list under their name."
)
GAP_TITLE = "Their ratings minus yours, by dimension, over time"
ALL_TITLE = "All supervisees: their own ratings, monthly mean, by dimension"


class SuperviseesDialog(QDialog):
    """Supervisees on the left ("All supervisees" last); the chosen one's figures and charts on the right."""

    def __init__(self, session: Session, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Supervisees")
        self.setObjectName("supervisees_dialog")
        self._session = session
        self._today = today or dt.date.today()
        assert session.profile is not None
        self.figures = supervisee_figures(session.profile, self._today)
        self.canvases: list = []  # the charts shown, for tests and screenshots

        self.list = QListWidget(self)
        self.list.setAccessibleName("Supervisees")
        for figures in self.figures:
            item = QListWidgetItem(f"{figures.practitioner.label}\n{_short(figures)}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, str(figures.practitioner.id))
            item.setToolTip(_waiting_text(figures))
        if self.figures:
            item = QListWidgetItem("All supervisees", self.list)
            item.setData(Qt.ItemDataRole.UserRole, ALL)
        self.list.setMaximumWidth(260)
        self.list.setSpacing(5)  # the two lines of one supervisee read as one item

        self.body = QWidget(self)
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(scroll, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        self.resize(1100, 760)

        self.list.currentRowChanged.connect(self._show_row)
        if self.figures:
            self.list.setCurrentRow(0)
        else:
            self.list.hide()
            self._add(_wrapped(NONE_YET))

    # -- what the right-hand side shows ----------------------------------------------------------------

    def shown(self) -> str:
        """The id of the supervisee shown, "all", or "" when there are none."""
        item = self.list.currentItem()
        return "" if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _clear(self) -> None:
        for canvas in self.canvases:
            canvas.figure.clear()
        self.canvases.clear()
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def _add(self, widget: QWidget) -> QWidget:
        self.body_layout.addWidget(widget)
        widget.show()
        return widget

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        self._clear()
        key = self.list.item(row).data(Qt.ItemDataRole.UserRole)
        if key == ALL:
            self._show_all()
        else:
            self._show_one(next(f for f in self.figures if str(f.practitioner.id) == key))
        self.body_layout.addStretch(1)
        self.body_layout.activate()
        self.body.adjustSize()  # to what it now holds, not what it held before

    def _show_one(self, figures: SuperviseeFigures) -> None:
        from psi_desktop.charts.supervisees import gap_months_figure, sessions_figure

        person = figures.practitioner
        self._add(_heading(person.label))
        if person.nmc_pin:
            self._add(QLabel(f"NMC Pin {person.nmc_pin}", self.body))
        grid = QWidget(self.body)
        numbers = QGridLayout(grid)
        numbers.setContentsMargins(0, 4, 0, 8)
        for column, (value, words) in enumerate(_numbers(figures)):
            numbers.addWidget(_number(str(value)), 0, column)
            numbers.addWidget(_caption(words), 1, column)
        grid.setAccessibleName(
            "; ".join(f"{words}: {value}" for value, words in _numbers(figures)) + f". {_waiting_text(figures)}"
        )
        self._add(grid)
        self._add(_wrapped(_waiting_text(figures)))
        self._add(_subheading("Sessions per month"))
        self._canvas(sessions_figure(figures.sessions_by_month), height=240, name="Sessions per month")
        self._add(_subheading("Their ratings and yours: the gap over time"))
        self._add(
            _wrapped(
                "Each panel is one dimension: their rating minus yours, the mean of each month's sessions across "
                "all their cases. Above 0 they rated higher; in the shaded bands you are 2 or more apart, "
                "worth talking about."
            )
        )
        assert self._session.profile is not None
        data = supervisee_chart_data(self._session.profile, person.id)
        self._canvas(gap_months_figure(data.reflections, data.framework), height=720, name=GAP_TITLE)

    def _show_all(self) -> None:
        from psi_desktop.charts.data import TrendBy
        from psi_desktop.charts.practice import practice_figure

        self._add(_heading("All supervisees"))
        table = QWidget(self.body)
        grid = QGridLayout(table)
        grid.setContentsMargins(0, 4, 0, 8)
        headers = (
            "Practitioner",
            "Cases",
            "Sessions",
            "Last session",
            "Waiting to be signed",
            "Open actions",
            "Overdue",
        )
        for column, text in enumerate(headers):
            grid.addWidget(_caption(text, bold=True), 0, column)
        for row, f in enumerate(self.figures, start=1):
            cells = (f.practitioner.label, f.cases, f.sessions, day(f.last_session) or "\u2013", f.waiting,
                     f.open_actions, f.overdue)  # fmt: skip
            for column, value in enumerate(cells):
                grid.addWidget(QLabel(str(value), table), row, column)
        self._add(table)
        self._add(_subheading("Each PSI dimension over time, across all supervisees"))
        self._add(
            _wrapped(
                "The mean of the ratings your supervisees gave themselves, month by month, pooled across all of "
                "them: one small chart per dimension."
            )
        )
        assert self._session.profile is not None
        data = supervisee_chart_data(self._session.profile)
        figure = practice_figure(
            data.months, data.framework, by=TrendBy.DIMENSION, size=(9, 7.2), whose="Your supervisees' own ratings"
        )
        self._canvas(figure, height=720, name=ALL_TITLE)

    def _canvas(self, figure, *, height: int, name: str) -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        canvas = FigureCanvasQTAgg(figure)
        canvas.setParent(self.body)
        canvas.setAccessibleName(name)
        canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        canvas.setMinimumHeight(height)
        self.canvases.append(canvas)
        self._add(canvas)

    def select(self, practitioner_id: uuid.UUID | str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == str(practitioner_id):
                self.list.setCurrentRow(row)


def _numbers(f: SuperviseeFigures) -> list[tuple[int, str]]:
    return [
        (f.cases, "cases"),
        (f.sessions, "sessions"),
        (f.waiting, "waiting for you to sign"),
        (f.open_actions, "open actions"),
        (f.overdue, "overdue"),
    ]


def _short(f: SuperviseeFigures) -> str:
    """Under the name in the list: what needs the supervisor."""
    parts = [f"{f.waiting} to sign" if f.waiting else "nothing to sign"]
    if f.overdue:
        parts.append(f"{f.overdue} overdue")
    return " \u00b7 ".join(parts)


def _waiting_text(f: SuperviseeFigures) -> str:
    drafts = (
        "Nothing waits for you to sign."
        if not f.waiting
        else f"{f.waiting} reflection{' waits' if f.waiting == 1 else 's wait'} for you to sign."
    )
    overdue = f" {f.overdue} of {f.open_actions} open actions are past their due date." if f.overdue else ""
    last = f" Last session {day(f.last_session)}." if f.last_session else ""
    return drafts + overdue + last


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def _subheading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(0, 10, 0, 0)
    return label


def _number(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    font.setBold(True)
    label.setFont(font)
    return label


def _caption(text: str, *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
    return label


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label
