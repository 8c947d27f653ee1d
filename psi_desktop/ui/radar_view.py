"""A radar chart of one reflection as a crisp picture, drawn with matplotlib when first needed."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection, perspective_name

SCREEN_DPI = 96


class RadarView(QLabel):
    """Shows ``radar_figure`` at a fixed logical size, at the screen's pixel density.

    A picture rather than a live canvas: it never reflows while the window is resized, and a
    screen reader gets a plain description of the same figures.
    """

    def __init__(self, size: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self.setFixedSize(size)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Radar chart")

    def show_reflection(
        self, reflection: Reflection, framework: Framework, perspectives: Iterable[Perspective] | None = None
    ) -> None:
        from psi_desktop.charts.radar import radar_figure  # matplotlib: only once a chart is shown

        shown = list(Perspective) if perspectives is None else list(perspectives)
        ratio = self.devicePixelRatioF() or 1.0
        dpi = round(SCREEN_DPI * ratio)
        inches = (self._size.width() / SCREEN_DPI, self._size.height() / SCREEN_DPI)
        figure = radar_figure(reflection, framework, shown, size=inches, dpi=dpi)
        figure.canvas.draw()
        width, height = (int(v) for v in figure.canvas.get_width_height(physical=True))
        data = bytes(figure.canvas.buffer_rgba())
        image = QImage(data, width, height, QImage.Format.Format_RGBA8888).copy()
        image.setDevicePixelRatio(ratio)
        self.setPixmap(QPixmap.fromImage(image))
        self.setAccessibleDescription(_describe(reflection, framework, shown))


def _describe(reflection: Reflection, framework: Framework, perspectives: list[Perspective]) -> str:
    parts = []
    for perspective in perspectives:
        scores = reflection.ratings_of(perspective)
        if not scores:
            continue
        rated = ", ".join(f"{d.label} {scores[d.id]}" for d in framework.dimensions if d.id in scores)
        parts.append(f"{perspective_name(perspective, reflection.service_user_source, with_source=True)}: {rated}")
    return "; ".join(parts) or "No ratings yet"
