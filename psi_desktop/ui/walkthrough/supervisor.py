"""The supervisor's view: rated blind, then both perspectives side by side once revealed."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from psi_desktop.domain.model import Perspective
from psi_desktop.ui.compare_view import CompareView
from psi_desktop.ui.walkthrough.page import StepPage
from psi_desktop.ui.walkthrough.ratings import add_rating_rows, distress_choice

COMPARE_TITLE = "Compare: practitioner and supervisor"
COMPARE_INTRO = (
    "Both sets of ratings, side by side. Where they differ by 2 or more there is a question to talk about; "
    "neither view is the right one."
)


class SupervisorPage(StepPage):
    """Two parts, one shown at a time: blind entry, and the comparison once revealed."""

    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        perspective = self.step.perspective or Perspective.SUPERVISOR
        entry = QWidget(page)
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        add_rating_rows(self, entry, entry_layout, self.step.dimensions, perspective)
        entry_layout.addSpacing(8)
        entry_layout.addWidget(distress_choice(self, entry, perspective))
        self.reveal_button = QPushButton(entry)
        self.reveal_button.clicked.connect(self.host.reveal)
        reveal_row = QHBoxLayout()
        reveal_row.addStretch(1)
        reveal_row.addWidget(self.reveal_button)
        entry_layout.addSpacing(8)
        entry_layout.addLayout(reveal_row)

        compare = QWidget(page)
        compare_layout = QVBoxLayout(compare)
        compare_layout.setContentsMargins(0, 0, 0, 0)
        self.compare_view = CompareView(self.framework, compare)
        self.change_button = QPushButton("Change the supervisor's ratings", compare)
        self.change_button.clicked.connect(self._on_change_button_clicked)
        self.change_button.setVisible(not self.read_only)
        change_row = QHBoxLayout()
        change_row.addStretch(1)
        change_row.addWidget(self.change_button)
        compare_layout.addWidget(self.compare_view)
        compare_layout.addLayout(change_row)

        self.entry, self.compare = entry, compare
        layout.addWidget(entry)
        layout.addWidget(compare)
        self.first_focus = self.rating_rows[(perspective, self.step.dimensions[0])].buttons[0]
        self.comparing = False
        self.show_part(compare=self.session.revealed)

    def show_part(self, *, compare: bool) -> None:
        self.comparing = compare
        snapshot = self.snapshot()
        if compare:
            # Filled only now: before Reveal nothing on this step holds the practitioner's ratings.
            self.compare_view.show_reflection(snapshot.reflection, snapshot.points)
        self.entry.setVisible(not compare)
        self.compare.setVisible(compare)
        self.title.setText(COMPARE_TITLE if compare else self.step.title)
        self.intro.setText(COMPARE_INTRO if compare else self.step.intro)
        self.reveal_button.setText("Show the comparison" if snapshot.revealed else "Reveal the practitioner's ratings")
        self.reveal_button.setAccessibleName(self.reveal_button.text())

    def focus_widget(self) -> QWidget | None:
        return self.compare_view.points_label if self.comparing else self.first_focus

    def shown(self) -> None:
        self.show_part(compare=self.comparing)

    def _on_change_button_clicked(self) -> None:
        self.show_part(compare=False)
        self.rating_rows[(self.step.perspective or Perspective.SUPERVISOR, self.step.dimensions[0])].focus()
