"""What every step's page has: a scrolling column with the step's title and intro, and its widgets by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from psi_desktop.domain.model import Perspective
from psi_desktop.domain.walkthrough import Step
from psi_desktop.services.reflection_session import Snapshot
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.prompt_field import PromptField, bold, wrapped
from psi_desktop.ui.rating_row import RatingRow

if TYPE_CHECKING:
    from psi_desktop.ui.walkthrough.frame import ReflectionScreen


class StepPage(QScrollArea):
    """One step. Changes go to the screen's session; the screen saves them and says so."""

    def __init__(self, screen: ReflectionScreen, step: Step, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = screen
        self.session = screen.session
        self.framework = screen.session.framework
        self.step = step
        self.read_only = screen.session.read_only
        self.prompt_fields: dict[str, PromptField] = {}
        self.rating_rows: dict[tuple[Perspective, str], RatingRow] = {}
        self.distress_choices: dict[Perspective, ChoiceRow] = {}
        self.first_focus: QWidget | None = None

        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Text wraps to the width there is; a sideways scroll bar would only hide the ends of lines.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 0, 12, 8)
        self.title = bold(QLabel(step.title, inner), 1.3)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.intro = wrapped(step.intro, inner)
        self.intro.setVisible(bool(step.intro))
        layout.addWidget(self.intro)
        self.build(inner, layout)
        layout.addStretch(1)
        self.setWidget(inner)
        self.setAccessibleName(step.title)

    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        """Add the step's widgets under its title."""

    def snapshot(self) -> Snapshot:
        return self.session.snapshot()

    def focus_widget(self) -> QWidget | None:
        """Where the keyboard goes when the step is shown."""
        return self.first_focus

    def shown(self) -> None:
        """The step has just been shown: bring what it shows of the rest of the reflection up to date."""

    def before_save(self) -> None:
        """Just before the screen saves: keep anything the page holds that is not part of the reflection."""
