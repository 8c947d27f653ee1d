"""Compare, after Reveal: each perspective's ratings side by side, and the differences to talk about."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection, is_estimate, perspective_name
from psi_desktop.domain.rules import DISCUSSION_GAP, GAP_PAIRS, discussion_points
from psi_desktop.domain.walkthrough import DiscussionPoint
from psi_desktop.ui.radar_view import RadarView
from psi_desktop.ui.rating_row import faint, sentence

NO_POINTS_TEXT = (
    "Your ratings are within a point of each other on every dimension. You might still talk about the "
    "one that matters most to you both."
)
RADAR_SIZE = QSize(420, 440)


def points_text(reflection: Reflection, points: Sequence[DiscussionPoint]) -> str:
    """The discussion points as a bulleted list of questions, or why there are none."""
    supervisor_rated = bool(reflection.ratings_of(Perspective.SUPERVISOR))
    if not reflection.ratings_of(Perspective.PRACTITIONER):
        return "You have not rated yet: your ratings are on the Power, Safety and Identity steps."
    if points:
        text = "\n\n".join(f"\u2022 {p.question}" for p in points)
        return text + ("" if supervisor_rated else "\n\nThe supervisor has not rated yet.")
    if not supervisor_rated:
        return "The supervisor has not rated yet, so there is nothing to compare."
    return NO_POINTS_TEXT


def pair_name(first: Perspective, second: Perspective, reflection: Reflection) -> str:
    """Two perspectives as the practitioner reads them: "you and the person", "the supervisor and your estimate"."""

    def name(perspective: Perspective) -> str:
        if perspective is Perspective.PRACTITIONER:
            return "you"
        if is_estimate(perspective, reflection.service_user_source):
            return "your estimate of the person's view"
        return "the person" if perspective is Perspective.SERVICE_USER else "the supervisor"

    return f"{name(first)} and {name(second)}"


class CompareView(QWidget):
    """Discussion points as questions beside the radar, then every rating in one table."""

    def __init__(self, framework: Framework, parent: QWidget | None = None, *, with_radar: bool = True) -> None:
        super().__init__(parent)
        self._framework = framework
        self.heading = QLabel("To talk about", self)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.points_label = QLabel(self)
        self.points_label.setWordWrap(True)
        self.points_label.setTextFormat(Qt.TextFormat.PlainText)
        larger = QFont(self.points_label.font())
        larger.setPointSizeF(larger.pointSizeF() * 1.1)
        self.points_label.setFont(larger)
        self.points_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.points_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable, so a screen reader reads it
        self.points_label.setAccessibleName("Discussion points")
        self.points_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.radar = RadarView(RADAR_SIZE, self) if with_radar else None

        self.table = QTableWidget(0, 0, self)
        self.table.setAccessibleName("Ratings by perspective")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.scale_note = QLabel(
            "  \u00b7  ".join(f"{p.value} {p.label}" for p in framework.scale) + "  \u00b7  \u2013 not rated", self
        )
        faint(self.scale_note)
        self.scale_note.setWordWrap(True)

        points = QVBoxLayout()
        points.addWidget(self.heading)
        points.addWidget(self.points_label, 1)
        top = QHBoxLayout()
        top.addLayout(points, 1)
        if self.radar is not None:
            top.addWidget(self.radar, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.scale_note)

    def show_reflection(self, reflection: Reflection, points: Sequence[DiscussionPoint]) -> None:
        text = points_text(reflection, points)
        self.points_label.setText(text)
        perspectives = [p for p in Perspective if p is not Perspective.SERVICE_USER or reflection.ratings_of(p)]
        # Each pair's dimensions 2 or more apart, worked out once for the whole table.
        apart = {
            (a, b): {g.dimension for g in discussion_points(reflection, a, b)}
            for a, b in GAP_PAIRS
            if a in perspectives and b in perspectives
        }
        headers = ["Dimension"] + [
            perspective_name(p, reflection.service_user_source, with_source=True) for p in perspectives
        ]
        headers.append(f"{DISCUSSION_GAP} or more apart")
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(self._framework.dimensions))
        for row, dimension in enumerate(self._framework.dimensions):
            cells = [dimension.label]
            for perspective in perspectives:
                score = reflection.ratings_of(perspective).get(dimension.id)
                cells.append("\u2013" if score is None else str(score))
            differ = [pair_name(a, b, reflection) for (a, b), dims in apart.items() if dimension.id in dims]
            cells.append(sentence("; ".join(differ)))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if differ:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if 0 < column < len(cells) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, len(headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + sum(
            self.table.rowHeight(r) for r in range(self.table.rowCount())
        )
        self.table.setFixedHeight(height + 2 * self.table.frameWidth())
        if self.radar is not None:
            self.radar.show_reflection(reflection, self._framework, perspectives)
