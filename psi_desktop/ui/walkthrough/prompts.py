"""Pages of prompts, each with what its marker adds (a choice, actions, wellbeing), then the step's ratings."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from psi_desktop.domain.framework import Prompt, PromptMarker
from psi_desktop.domain.model import Perspective, TraumaEcho
from psi_desktop.services.reflections import MAX_NAME_CHARS
from psi_desktop.ui.action_widgets import ActionReviewList, ActionsEditor
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.prompt_field import PromptField
from psi_desktop.ui.rating_row import RatingRow
from psi_desktop.ui.walkthrough.actions import EarlierActions, NewActions
from psi_desktop.ui.walkthrough.page import StepPage
from psi_desktop.ui.walkthrough.ratings import add_rating_rows, add_wellbeing_row, distress_choice

TRAUMA_CHOICES = ((TraumaEcho.YES, "Yes"), (TraumaEcho.NO, "No"), (TraumaEcho.UNSURE, "Unsure"))


class PromptsPage(StepPage):
    """The step's prompts in order, then its ratings if it rates anything."""

    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        self.trauma_choice: ChoiceRow | None = None
        self.wellbeing_row: RatingRow | None = None
        self._new_actions: NewActions | None = None
        self._earlier_actions: EarlierActions | None = None
        self.add_prompts(page, layout)

    @property
    def actions_editor(self) -> ActionsEditor | None:
        return self._new_actions.editor if self._new_actions is not None else None

    @property
    def review_list(self) -> ActionReviewList | None:
        return self._earlier_actions.review_list if self._earlier_actions is not None else None

    def add_prompts(self, page: QWidget, layout: QVBoxLayout) -> None:
        step = self.step
        for prompt_id in step.prompts:
            field = self._prompt_field(self.framework.prompt(prompt_id), page)
            layout.addWidget(field)
            if self.first_focus is None:
                self.first_focus = field.edit
            if field.prompt.marker is PromptMarker.ACTIONS:
                self._new_actions = NewActions(self, page, layout)
            elif field.prompt.marker is PromptMarker.WELLBEING:
                self.wellbeing_row = add_wellbeing_row(self, page, layout)
        if step.dimensions and step.perspective is not None:
            layout.addSpacing(8)
            add_rating_rows(self, page, layout, step.dimensions, step.perspective)

    def _prompt_field(self, prompt: Prompt, page: QWidget) -> PromptField:
        extra: QWidget | None = None
        text_label = ""
        reflection = self.snapshot().reflection
        if prompt.marker is PromptMarker.TRAUMA_ECHO:
            self.trauma_choice = ChoiceRow(
                "Your answer:", TRAUMA_CHOICES, page, value=reflection.trauma_echo, inline=True
            )
            self.trauma_choice.choice_changed.connect(self._on_trauma_choice_changed)
            self.trauma_choice.set_read_only(self.read_only)
            extra, text_label = self.trauma_choice, "What makes you think so? (optional)"
        elif prompt.marker is PromptMarker.DISTRESS_IMPACT:
            extra = distress_choice(self, page, Perspective.PRACTITIONER)
            text_label = "Say more (optional)"
        elif prompt.marker is PromptMarker.OPEN_ACTIONS:
            self._earlier_actions = EarlierActions(self, page)
            extra = self._earlier_actions.review_list
        field = PromptField(
            prompt,
            reflection.answers.get(prompt.id, ""),
            page,
            read_only=self.read_only,
            extra=extra,
            text_label=text_label,
        )
        field.text_edited.connect(self._on_field_text_edited)
        self.prompt_fields[prompt.id] = field
        return field

    def _on_field_text_edited(self, prompt_id: str) -> None:
        if self.read_only:
            return
        self.host.edited(self.session.set_answer(prompt_id, self.prompt_fields[prompt_id].text()), progress=False)

    def _on_trauma_choice_changed(self, echo: TraumaEcho | None) -> None:
        self.host.edited(self.session.set_trauma_echo(echo))

    def shown(self) -> None:
        if self._new_actions is not None:
            self._new_actions.refresh()
        if self._earlier_actions is not None:  # one carried forward may have been removed since
            self._earlier_actions.refresh()

    def before_save(self) -> None:
        if self._new_actions is not None:
            self._new_actions.keep()


class ContextPage(PromptsPage):
    """The session's date and the two names, then the context prompts."""

    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        reflection = self.snapshot().reflection
        self.date_edit = QDateEdit(page)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMM yyyy")
        self.date_edit.setDate(QDate(reflection.session_date))
        self.date_edit.setMaximumDate(QDate.currentDate().addDays(1))
        self.date_edit.setAccessibleName("Date of the session")
        self.date_edit.setMaximumWidth(self.date_edit.fontMetrics().averageCharWidth() * 40)
        self.date_edit.setReadOnly(self.read_only)
        self.date_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.practitioner_edit = self._name_edit(page, reflection.practitioner, "Your name", Perspective.PRACTITIONER)
        self.supervisor_edit = self._name_edit(page, reflection.supervisor, "Supervisor's name", Perspective.SUPERVISOR)
        form = QFormLayout()
        form.addRow("&Date of the session", self.date_edit)
        form.addRow("&Your name", self.practitioner_edit)
        form.addRow("&Supervisor (optional)", self.supervisor_edit)
        layout.addLayout(form)
        super().build(page, layout)
        if self.first_focus is None:
            self.first_focus = self.date_edit

    def _name_edit(self, page: QWidget, text: str, name: str, whose: Perspective) -> QLineEdit:
        edit = QLineEdit(text, page)
        edit.setMaxLength(MAX_NAME_CHARS)
        edit.setAccessibleName(name)
        edit.setReadOnly(self.read_only)
        edit.setMaximumWidth(edit.fontMetrics().averageCharWidth() * 40)
        edit.textEdited.connect(lambda typed: self.host.edited(self.session.set_name(whose, typed), progress=False))
        return edit

    def _on_date_edit_date_changed(self, date: QDate) -> None:
        if self.read_only:
            return
        self.host.edited(self.session.set_session_date(dt.date(date.year(), date.month(), date.day())))
