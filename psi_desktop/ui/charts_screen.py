"""The Charts view of a case: choose the chart, the reflections and the perspectives; hover; export.

matplotlib is imported when the screen is first shown, on a worker thread, while a busy label
shows; nothing here imports it at start-up.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.charts.data import (
    DEFAULT_PERSPECTIVES,
    ChartData,
    ChartKind,
    ChartRequest,
    TrendBy,
    day_label,
)
from psi_desktop.domain.model import Perspective, Reflection
from psi_desktop.errors import UserFacingError
from psi_desktop.services import charts as chart_service
from psi_desktop.ui.bundle_dialogs import saving_error_text
from psi_desktop.ui.formatting import error_text, heading_font, widen

if TYPE_CHECKING:
    from psi_desktop.ui.session import Session

log = logging.getLogger(__name__)

CHOICES: tuple[tuple[str, ChartKind, TrendBy], ...] = (
    ("Radar of one reflection", ChartKind.RADAR, TrendBy.DIMENSION),
    ("Radar over time", ChartKind.OVERLAY, TrendBy.DIMENSION),
    ("One radar per session", ChartKind.MULTIPLES, TrendBy.DIMENSION),
    ("Trends by dimension", ChartKind.TRENDS, TrendBy.DIMENSION),
    ("Trends by component", ChartKind.TRENDS, TrendBy.COMPONENT),
    ("Gaps between perspectives", ChartKind.GAPS, TrendBy.DIMENSION),
    ("My practice, all cases", ChartKind.PRACTICE, TrendBy.COMPONENT),
)
"""The chart menu: (label, kind, trends by)."""

HOVER_HINT = "Point at a marker to see its dimension, perspective, rating and date."
BUSY_TEXT = "Drawing the chart\u2026"
_ID_ROLE = Qt.ItemDataRole.UserRole


class ChartsScreen(QWidget):
    """Charts of one case. Call ``refresh()`` when a reflection is saved, ``set_case()`` for another case."""

    chart_exported = Signal(str)  # the path of the first file written

    def __init__(self, session: Session, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._profile = session.profile  # read here; drawing and writing files run on the session's workers
        self._case_id = case_id
        self._data: ChartData | None = None
        self._practice: ChartData | None = None
        self._signature: tuple | None = None
        self._known: set[uuid.UUID] = set()
        self._single: uuid.UUID | None = None  # the radar's reflection
        self._multi: set[uuid.UUID] = set()  # the reflections of every other chart
        self._perspectives: dict[ChartKind, set[Perspective]] = {k: set(v) for k, v in DEFAULT_PERSPECTIVES.items()}
        self._page = 0
        self._drawer = None  # a charts.drawer.ChartDrawer, once matplotlib is loaded
        self.canvas = None  # its FigureCanvasQTAgg
        self._loading = False
        self._exporting = False
        self._dirty = True
        self._syncing = False  # while the widgets are set from state, their signals change nothing

        self._build()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)  # coalesces several clicks in one event-loop turn
        self._redraw_timer.timeout.connect(self._redraw)
        self._load_case()
        self._sync_controls()

    # -- widgets ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Chart")
        for label, _, _ in CHOICES:
            self.kind_combo.addItem(label)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        kind_label = QLabel("Chart &kind", self)
        kind_label.setBuddy(self.kind_combo)

        self.perspective_boxes: dict[Perspective, QCheckBox] = {}
        perspectives_row = QHBoxLayout()
        perspectives_row.addWidget(QLabel("Perspectives:", self))
        for perspective in Perspective:
            box = QCheckBox(perspective.label, self)
            box.toggled.connect(self._on_perspective_toggled)
            self.perspective_boxes[perspective] = box
            perspectives_row.addWidget(box)
        perspectives_row.addStretch(1)

        self.export_button = QPushButton("Export\u2026", self)
        self.export_button.setAccessibleName("Export this chart as an image")
        self.export_button.setToolTip("Save the chart shown as a PNG image (300 dpi) or an SVG drawing")
        self.export_button.clicked.connect(self._on_export_button_clicked)

        top = QHBoxLayout()
        top.addWidget(kind_label)
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        top.addLayout(perspectives_row, 1)
        top.addWidget(self.export_button)

        self.list_heading = QLabel("Reflections", self)
        self.list_heading.setFont(heading_font(self, 1.1))
        self.reflection_list = QListWidget(self)
        self.reflection_list.setAccessibleName("Reflections to chart")
        self.reflection_list.setSpacing(2)  # bigger targets than a bare checkbox row
        self.reflection_list.itemChanged.connect(self._on_reflection_list_item_changed)
        self.reflection_list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.list_hint = QLabel(self)
        self.list_hint.setWordWrap(True)
        self.all_button = QPushButton("All", self)
        self.all_button.setAccessibleName("Chart all reflections")
        self.all_button.clicked.connect(self._on_all_button_clicked)
        self.none_button = QPushButton("None", self)
        self.none_button.setAccessibleName("Chart no reflections")
        self.none_button.clicked.connect(self._on_none_button_clicked)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.all_button)
        list_buttons.addWidget(self.none_button)
        list_buttons.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(self.list_heading)
        side.addWidget(self.reflection_list, 1)
        side.addLayout(list_buttons)
        side.addWidget(self.list_hint)
        side_widget = QWidget(self)
        side_widget.setLayout(side)
        side_widget.setMaximumWidth(260)

        self.busy_label = QLabel(BUSY_TEXT, self)
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # no known length: a moving bar
        self.busy_bar.setMaximumWidth(240)
        self.busy_bar.setAccessibleName(BUSY_TEXT)
        busy = QWidget(self)
        busy_layout = QVBoxLayout(busy)
        busy_layout.addStretch(1)
        busy_layout.addWidget(self.busy_label)
        busy_layout.addWidget(self.busy_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        busy_layout.addStretch(1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(busy)

        self.previous_button = QPushButton("\u25c2 Previous", self)
        self.previous_button.setAccessibleName("Previous page of radars")
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button = QPushButton("Next \u25b8", self)
        self.next_button.setAccessibleName("Next page of radars")
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.page_label = QLabel(self)
        pager = QHBoxLayout()
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        pager.addStretch(1)
        self.pager = QWidget(self)
        self.pager.setLayout(pager)

        # Hover shows a tooltip; the same words stay here, for keyboard and screen-reader users.
        self.point_label = QLabel(HOVER_HINT, self)
        self.point_label.setWordWrap(True)
        self.point_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        chart_side = QVBoxLayout()
        chart_side.addWidget(self.stack, 1)
        chart_side.addWidget(self.pager)
        chart_side.addWidget(self.point_label)

        body = QHBoxLayout()
        body.addWidget(side_widget)
        body.addLayout(chart_side, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    # -- public ----------------------------------------------------------------------------------

    @property
    def case_id(self) -> uuid.UUID:
        return self._case_id

    @property
    def drawer(self):
        """The ChartDrawer behind the canvas (None until the first chart is drawn)."""
        return self._drawer

    @property
    def figure(self):
        return self._drawer.figure if self._drawer is not None else None

    @Slot()
    def refresh(self) -> None:
        """Read the case again (a reflection was saved) and redraw if what is charted changed."""
        before = self._signature
        self._load_case()
        self._practice = None  # read again when next shown: any case may have changed
        if self._signature != before or self._current()[0] is ChartKind.PRACTICE:
            self._sync_controls()
            self._schedule()

    def set_case(self, case_id: uuid.UUID) -> None:
        """Chart another case, starting again from all its reflections."""
        self._case_id = case_id
        self._known.clear()
        self._multi.clear()
        self._single = None
        self._page = 0
        self._load_case()
        self._sync_controls()
        self._schedule()

    def choose(
        self,
        kind: ChartKind,
        *,
        by: TrendBy | None = None,
        reflections: list[uuid.UUID] | None = None,
        perspectives: list[Perspective] | None = None,
    ) -> None:
        """Set the chart as a person would with the controls (for scripts and tests)."""
        for index, (_, k, b) in enumerate(CHOICES):
            if k is kind and (by is None or b is by):
                self.kind_combo.setCurrentIndex(index)
                break
        if perspectives is not None:
            for perspective, box in self.perspective_boxes.items():
                box.setChecked(perspective in perspectives)
        if reflections is not None:
            if kind is ChartKind.RADAR:
                self._single = reflections[0] if reflections else None
            else:
                self._multi = set(reflections)
            self._sync_controls()
            self._schedule()

    def request(self) -> ChartRequest:
        """What the controls ask for."""
        kind, by = self._current()
        ids: tuple[uuid.UUID, ...] | None
        if kind is ChartKind.RADAR:
            ids = (self._single,) if self._single else ()
        elif kind is ChartKind.PRACTICE:
            ids = None
        else:
            ordered = [r.id for r in self._data.reflections] if self._data else []
            ids = tuple(i for i in ordered if i in self._multi)
        perspectives = tuple(p for p in Perspective if p in self._perspectives[kind])
        return ChartRequest(kind=kind, reflection_ids=ids, perspectives=perspectives, by=by, page=self._page)

    def export_to(self, path: str | Path, *, force: bool = False) -> None:
        """Write the chart shown to ``path`` (.png at 300 dpi, or .svg) on a worker thread.

        ``force`` replaces an existing file: only for a path the user confirmed in the save dialog.
        """
        request, data = self.request(), self._chart_data()
        if data is None:
            return
        request = replace(request, title=chart_service.chart_title(request, data))
        self._exporting = True
        self.export_button.setEnabled(False)
        self.point_label.setText("Exporting the chart\u2026")
        self._session.run_plain(
            lambda: chart_service.write_chart(request, data, path, profile_dir=self._profile.directory, force=force),
            owner=self,
            done=self._on_export_done,
            failed=self._on_export_failed,
        )

    # -- state -----------------------------------------------------------------------------------

    def _current(self) -> tuple[ChartKind, TrendBy]:
        _, kind, by = CHOICES[max(0, self.kind_combo.currentIndex())]
        return kind, by

    def _load_case(self) -> None:
        data = chart_service.case_chart_data(self._profile, self._case_id)
        self._data = data
        self._signature = tuple(
            (r.id, r.session_date, r.status, r.service_user_source, _frozen(r.ratings)) for r in data.reflections
        )
        ids = [r.id for r in data.reflections]
        new = [i for i in ids if i not in self._known]
        self._multi = {i for i in self._multi if i in ids} | set(new)  # a new reflection joins the charts
        self._known = set(ids)
        if self._single not in self._known or (new and self._single is None):
            self._single = _newest_rated(data.reflections)
        elif new:
            self._single = _newest_rated([r for r in data.reflections if r.id in new]) or self._single

    def _chart_data(self) -> ChartData | None:
        if self._current()[0] is ChartKind.PRACTICE:
            if self._practice is None:
                self._practice = chart_service.practice_chart_data(self._profile)
            return self._practice
        return self._data

    def _sync_controls(self) -> None:
        """Show the state in the widgets without their signals changing it back."""
        kind, _ = self._current()
        self._syncing = True
        try:
            chosen = self._perspectives[kind]
            for perspective, box in self.perspective_boxes.items():
                box.setChecked(perspective in chosen)
                box.setEnabled(kind is not ChartKind.PRACTICE)
            self.reflection_list.clear()
            reflections = list(reversed(self._data.reflections)) if self._data else []  # newest first
            for reflection in reflections:
                item = QListWidgetItem(_item_text(reflection))
                item.setData(_ID_ROLE, str(reflection.id))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                ticked = reflection.id == self._single if kind is ChartKind.RADAR else reflection.id in self._multi
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                self.reflection_list.addItem(item)
            self.reflection_list.setEnabled(kind is not ChartKind.PRACTICE)
            many = kind.needs_many
            self.all_button.setVisible(many)
            self.none_button.setVisible(many)
            self.list_hint.setText(_hint(kind, bool(reflections)))
        finally:
            self._syncing = False

    def _schedule(self) -> None:
        self._dirty = True
        if self.isVisible():
            self._redraw_timer.start()

    # -- drawing ---------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._redraw_timer.start()

    @Slot()
    def _redraw(self) -> None:
        if self._loading or self._exporting:
            return  # the chart is drawn again when that work ends
        data = self._chart_data()
        if data is None:
            return
        request = self.request()
        if self._drawer is None:
            self._start_first_chart(request, data)
            return
        self._drawer.draw(request, data)
        self._dirty = False
        self.canvas.draw_idle()
        self._after_draw(request, data)

    def _start_first_chart(self, request: ChartRequest, data: ChartData) -> None:
        """Import matplotlib and build the first Figure on a worker thread; the busy page shows meanwhile."""
        self._loading = True
        self._dirty = False  # a change while it loads sets this again, and is drawn when it is done
        self.stack.setCurrentIndex(0)
        size = self.stack.size()
        dpi = 100.0
        inches = (max(size.width(), 400) / dpi, max(size.height(), 300) / dpi)

        def job():
            from psi_desktop.charts.drawer import ChartDrawer

            drawer = ChartDrawer(size=inches, dpi=dpi)
            drawer.draw(request, data)
            return drawer

        self._session.run_plain(job, owner=self, done=self._on_first_chart_done, failed=self._on_first_chart_failed)

    def _on_first_chart_done(self, drawer) -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        self._loading = False
        self._drawer = drawer
        self.canvas = FigureCanvasQTAgg(drawer.figure)
        self.canvas.setParent(self)
        self.canvas.setAccessibleName("Chart")
        self.canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.canvas.mpl_connect("motion_notify_event", self._on_canvas_motion)
        self.canvas.mpl_connect("figure_leave_event", self._on_canvas_left)
        self.stack.addWidget(self.canvas)
        self.stack.setCurrentWidget(self.canvas)
        # Anything chosen while it loaded is drawn now; otherwise only the page controls update.
        if self._dirty:
            self._redraw()
        else:
            self._after_draw(self.request(), self._chart_data())

    def _on_first_chart_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.busy_bar.hide()
        self.busy_label.setText("The chart could not be drawn. " + error_text(exc))

    def _after_draw(self, request: ChartRequest, data: ChartData) -> None:
        from psi_desktop.charts.drawer import pages

        count = pages(request, data)
        if self._page >= count:
            self._page = count - 1
        self.pager.setVisible(count > 1)
        self.page_label.setText(f"Page {self._page + 1} of {count}")
        self.previous_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page < count - 1)
        self.export_button.setEnabled(not self._exporting)
        # With an empty-state sentence on the chart, a hint about hovering would only distract.
        self.point_label.setText("" if self._drawer.message else HOVER_HINT)

    # -- hover -----------------------------------------------------------------------------------

    def _on_canvas_motion(self, event) -> None:
        if self._drawer is None or self._exporting:
            return
        from psi_desktop.charts.hover import HOVER_RADIUS, point_at

        # matplotlib's pixels are physical ones: at 200% scaling a marker is twice as many.
        radius = HOVER_RADIUS * (self.canvas.device_pixel_ratio or 1)
        hit = point_at(self._drawer.figure, event.x, event.y, radius) if event.x is not None else None
        if hit is None:
            QToolTip.hideText()
            if not self._drawer.message:
                self.point_label.setText(HOVER_HINT)
            return
        gui = getattr(event, "guiEvent", None)
        where = gui.globalPosition().toPoint() if gui is not None else QCursor.pos()
        QToolTip.showText(where, hit.text, self.canvas)
        self.point_label.setText(hit.text.replace("\n", "  |  "))

    def _on_canvas_left(self, _event) -> None:
        QToolTip.hideText()

    # -- controls --------------------------------------------------------------------------------

    @Slot(int)
    def _on_kind_combo_changed(self, _index: int) -> None:
        self._page = 0
        self._sync_controls()
        self._schedule()

    @Slot(bool)
    def _on_perspective_toggled(self, _checked: bool) -> None:
        if self._syncing:
            return
        kind, _ = self._current()
        self._perspectives[kind] = {p for p, box in self.perspective_boxes.items() if box.isChecked()}
        self._schedule()

    @Slot(QListWidgetItem)
    def _on_reflection_list_item_changed(self, item: QListWidgetItem) -> None:
        if self._syncing:
            return
        reflection_id = uuid.UUID(item.data(_ID_ROLE))
        checked = item.checkState() == Qt.CheckState.Checked
        kind, _ = self._current()
        if kind is ChartKind.RADAR:
            # One reflection at a time: ticking one unticks the rest.
            if checked:
                self._single = reflection_id
            elif self._single == reflection_id:
                self._single = None
            self._sync_controls()
        elif checked:
            self._multi.add(reflection_id)
        else:
            self._multi.discard(reflection_id)
        self._page = 0
        self._schedule()

    @Slot()
    def _on_all_button_clicked(self) -> None:
        self._multi = set(self._known)
        self._sync_controls()
        self._schedule()

    @Slot()
    def _on_none_button_clicked(self) -> None:
        self._multi.clear()
        self._sync_controls()
        self._schedule()

    @Slot()
    def _on_previous_button_clicked(self) -> None:
        self._page = max(0, self._page - 1)
        self._schedule()

    @Slot()
    def _on_next_button_clicked(self) -> None:
        self._page += 1
        self._schedule()

    @Slot()
    def _on_export_button_clicked(self) -> None:
        kind, _ = self._current()
        suggested = Path.home() / f"{_file_stem(self._data, kind)}.png"
        path, chosen_filter = QFileDialog.getSaveFileName(
            self, "Export chart", str(suggested), "PNG image, 300 dpi (*.png);;SVG drawing (*.svg)"
        )
        if not path:
            return
        confirmed = path  # the save dialog asked before naming an existing file; a name changed since, it did not
        if Path(path).suffix.lower() not in (".png", ".svg"):
            path += ".svg" if "svg" in chosen_filter.lower() else ".png"
        self.export_to(path, force=path == confirmed)

    def _on_export_done(self, written: list[Path]) -> None:
        self._exporting = False
        self.export_button.setEnabled(True)
        names = ", ".join(p.name for p in written)
        self.point_label.setText(f"Saved {names}.")
        self.chart_exported.emit(str(written[0]))
        if self._dirty:
            self._redraw_timer.start()

    def _on_export_failed(self, exc: BaseException) -> None:
        self._exporting = False
        self.export_button.setEnabled(True)
        self.point_label.setText(HOVER_HINT)
        box = QMessageBox(QMessageBox.Icon.Warning, "Chart not exported", saving_error_text(exc), parent=self)
        widen(box)
        box.open()
        if not isinstance(exc, UserFacingError):
            log.error("Chart export failed: %s", type(exc).__name__)


def _frozen(ratings) -> tuple:
    return tuple(sorted((str(p), tuple(sorted(scores.items()))) for p, scores in ratings.items()))


def _newest_rated(reflections) -> uuid.UUID | None:
    rated = [r for r in reflections if any(r.ratings.values())]
    pool = rated or list(reflections)
    return pool[-1].id if pool else None


def _item_text(reflection: Reflection) -> str:
    return f"{day_label(reflection.session_date)} \u00b7 {reflection.status.label}"


def _hint(kind: ChartKind, any_reflections: bool) -> str:
    if not any_reflections:
        return "No reflections on this case yet."
    if kind is ChartKind.RADAR:
        return "Tick the reflection to show."
    if kind is ChartKind.PRACTICE:
        return "My practice uses your own ratings in every reflection of every case."
    if kind is ChartKind.GAPS:
        return "Tick the reflections to compare. Each gap is the first named perspective minus the second."
    return "Tick the reflections to show."


def _file_stem(data: ChartData | None, kind: ChartKind) -> str:
    code = data.case_code if data and kind is not ChartKind.PRACTICE else "my-practice"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in code).strip("-") or "chart"
    return f"{safe}-{kind.value}"
