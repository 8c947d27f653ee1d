"""The person's view: where it comes from (an estimate says so), their ratings and their distress.

The person can also answer for themselves in hand-over mode (ui/handover.py): then this step shows
what they chose as they chose it, and nobody edits it here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from psi_desktop.domain import person_view
from psi_desktop.domain.model import Perspective, ServiceUserSource
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.formatting import widen
from psi_desktop.ui.prompt_field import wrapped
from psi_desktop.ui.rating_row import faint
from psi_desktop.ui.walkthrough.page import StepPage
from psi_desktop.ui.walkthrough.ratings import add_rating_rows, distress_choice

# The practitioner's sources; "rated it themselves" comes only from hand-over mode.
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
    ServiceUserSource.SELF_RATED: "They rated this themselves, on this laptop. Their answers are shown as "
    "they gave them and cannot be changed here; to change them, ask the person again.",
}
ASK = "Ask the person\u2026"
ASK_AGAIN = "Ask the person again\u2026"
ASK_NOTE = (
    "Or hand the laptop over: the person answers for themselves in easy words, on a screen that shows "
    "nothing else. Leaving it needs your passphrase."
)
NO_WORDS = "They did not write anything for staff."
NO_ANSWER = "no answer"


class PersonPage(StepPage):
    """The step's perspective is the person's: its source first, so every rating below says whose it is."""

    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        self.perspective = self.step.perspective or Perspective.SERVICE_USER
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

        can_ask = not self.read_only and self.framework.has_easy_read
        self.ask_button = QPushButton(ASK, page)
        self.ask_button.clicked.connect(self.host.ask_the_person)
        self.ask_note = wrapped(ASK_NOTE, page)
        faint(self.ask_note)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.ask_button, 0, Qt.AlignmentFlag.AlignTop)
        ask_row.addSpacing(8)
        ask_row.addWidget(self.ask_note, 1)
        self.ask_button.setVisible(can_ask)
        self.ask_note.setVisible(can_ask)
        layout.addSpacing(4)
        layout.addLayout(ask_row)

        layout.addSpacing(8)
        self.source_note = wrapped("", page)
        self.source_note.setObjectName("source_note")
        self.source_note.setStyleSheet(
            "QLabel#source_note { border: none; border-left: 4px solid #E69F00; padding: 4px 8px; }"
        )
        layout.addWidget(self.source_note)
        # The practitioner's entry; for the person's own answers, what they chose as text instead
        # (not greyed-out buttons, which are hard to read), in the words they were asked.
        self.entry = QWidget(page)
        entry = QVBoxLayout(self.entry)
        entry.setContentsMargins(0, 0, 0, 0)
        add_rating_rows(self, self.entry, entry, self.step.dimensions, self.perspective)
        entry.addSpacing(8)
        entry.addWidget(distress_choice(self, self.entry, self.perspective))
        layout.addWidget(self.entry)
        self.answers_label = self._plain(page, "What they chose")
        self.words_label = self._plain(page, "What they wrote for staff")
        layout.addWidget(self.answers_label)
        layout.addSpacing(8)
        layout.addWidget(self.words_label)
        self._refresh()

    @staticmethod
    def _plain(page: QWidget, name: str) -> QLabel:
        label = wrapped("", page)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the person's own words, never markup
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        label.setAccessibleName(name)
        return label

    @property
    def self_rated(self) -> bool:
        return self.snapshot().reflection.service_user_source is ServiceUserSource.SELF_RATED

    def shown(self) -> None:
        self._refresh(values=True)

    def _on_source_choice_changed(self, source: ServiceUserSource | None) -> None:
        reflection = self.snapshot().reflection
        if reflection.service_user_source is ServiceUserSource.SELF_RATED:
            answered = (
                bool(reflection.ratings_of(self.perspective))
                or self.perspective in reflection.distress_impact
                or bool(reflection.service_user_words)
            )
            if answered and not self._confirm_removing_their_answers():
                self.source_choice.set_choice(ServiceUserSource.SELF_RATED)  # shows none of the three chosen
                return
            # Their answers never pass for the practitioner's: the practitioner rates from nothing.
            for dimension in self.step.dimensions:
                self.session.set_rating(self.perspective, dimension, None)
            self.session.set_distress_impact(self.perspective, None)
            self.session.set_service_user_words("")
        self.host.edited(self.session.set_service_user_source(source))
        self._refresh(values=True)

    def _confirm_removing_their_answers(self) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("The person's own answers")
        box.setText("Remove the answers the person gave themselves?")
        box.setInformativeText(
            "Their ratings, their answer about how things have been and what they wrote for staff are "
            "removed, and you enter the view from where you chose."
        )
        remove = box.addButton("Remove their answers", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep their answers", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        widen(box)
        box.exec()
        chosen = box.clickedButton() is remove
        box.deleteLater()
        return chosen

    def _refresh(self, *, values: bool = False) -> None:
        """The note, who may change the ratings, and the person's words; ``values`` also the ratings shown."""
        reflection = self.snapshot().reflection
        source = reflection.service_user_source
        self_rated = source is ServiceUserSource.SELF_RATED
        self.source_note.setText(SOURCE_NOTES.get(source, SOURCE_NOTES[None]))
        self.source_note.setAccessibleName(self.source_note.text())
        self.ask_button.setText(ASK_AGAIN if self_rated else ASK)
        self.ask_button.setAccessibleName(self.ask_button.text().rstrip("\u2026"))
        scores = reflection.ratings_of(self.perspective)
        for (_perspective, dimension), row in self.rating_rows.items():
            if values:
                row.set_value(scores.get(dimension))
            row.set_read_only(self.read_only or self_rated)
        choice = self.distress_choices[self.perspective]
        if values:
            choice.set_choice(reflection.distress_impact.get(self.perspective))
            self.source_choice.set_choice(source)
        choice.set_read_only(self.read_only or self_rated)
        self.entry.setVisible(not self_rated)
        self.answers_label.setVisible(self_rated)
        self.words_label.setVisible(self_rated)
        if self_rated:
            self.answers_label.setText(self._their_answers())
            self.answers_label.setAccessibleDescription(self.answers_label.text())
            words = reflection.service_user_words.strip()
            self.words_label.setText(f"What they wrote for staff: \u201c{words}\u201d" if words else NO_WORDS)
            self.words_label.setAccessibleDescription(self.words_label.text())

    def _their_answers(self) -> str:
        """Each statement as the person saw it and what they chose; then how things have been."""
        reflection = self.snapshot().reflection
        scores = reflection.ratings_of(self.perspective)
        labels = {p.value: p.label for p in self.framework.scale}
        lines = ["What they chose:"]
        for dimension_id in self.step.dimensions:
            dimension = self.framework.dimension(dimension_id)
            score = scores.get(dimension_id)
            answer = NO_ANSWER if score is None else f"{labels.get(score, '')} ({score})"
            statement = dimension.easy_read.text if dimension.easy_read is not None else dimension.label
            lines.append(f"\u2022 {dimension.label}: {answer} \u2014 \u201c{statement}\u201d")
        impact = reflection.distress_impact.get(self.perspective)
        change = NO_ANSWER
        if impact is not None:
            change = f"{person_view.change_label(impact)} (their distress: {impact.label.lower()})"
        lines.append(f"\u2022 Since you last talked: {change}")
        return "\n".join(lines)
