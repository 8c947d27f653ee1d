"""The person's view: where it comes from (an estimate says so), their ratings and their distress."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from psi_desktop.domain.model import Perspective, ServiceUserSource
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.prompt_field import wrapped
from psi_desktop.ui.walkthrough.page import StepPage
from psi_desktop.ui.walkthrough.ratings import add_rating_rows, distress_choice

SOURCE_CHOICES = (
    (ServiceUserSource.TOLD_ME, "They told me"),
    (ServiceUserSource.FEEDBACK_FORM, "Feedback form"),
    (ServiceUserSource.ESTIMATE, "My estimate of their view"),
)
SOURCE_NOTES = {
    None: "Choose where this view comes from before rating it.",
    ServiceUserSource.TOLD_ME: "Rating the person's view as they told it to you.",
    ServiceUserSource.FEEDBACK_FORM: "Rating the person's view from their feedback form.",
    ServiceUserSource.ESTIMATE: "Rating your estimate of the person's view, not their own words. It is "
    "marked as your estimate wherever it shows, so nobody takes it for what they said.",
}


class PersonPage(StepPage):
    """The step's perspective is the person's: its source first, so every rating below says whose it is."""

    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        perspective = self.step.perspective or Perspective.SERVICE_USER
        self.source_choice = ChoiceRow(
            "Where does this view come from?",
            SOURCE_CHOICES,
            page,
            value=self.snapshot().reflection.service_user_source,
            bold=True,
        )
        self.source_choice.choice_changed.connect(self._on_source_choice_changed)
        self.source_choice.set_read_only(self.read_only)
        layout.addWidget(self.source_choice)
        self.first_focus = self.source_choice.buttons[0]
        layout.addSpacing(8)
        self.source_note = wrapped("", page)
        self.source_note.setObjectName("source_note")
        self.source_note.setStyleSheet(
            "QLabel#source_note { border: none; border-left: 4px solid #E69F00; padding: 4px 8px; }"
        )
        layout.addWidget(self.source_note)
        self._refresh_source_note()
        add_rating_rows(self, page, layout, self.step.dimensions, perspective)
        layout.addSpacing(8)
        layout.addWidget(distress_choice(self, page, perspective))

    def _on_source_choice_changed(self, source: ServiceUserSource | None) -> None:
        self.host.edited(self.session.set_service_user_source(source))
        self._refresh_source_note()

    def _refresh_source_note(self) -> None:
        source = self.snapshot().reflection.service_user_source
        self.source_note.setText(SOURCE_NOTES.get(source, SOURCE_NOTES[None]))
        self.source_note.setAccessibleName(self.source_note.text())
