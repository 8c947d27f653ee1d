"""Actions on a page: agreeing new ones (with a draft of one typed but not added), reviewing earlier ones."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QVBoxLayout, QWidget

from psi_desktop.domain.model import Action, ActionStatus
from psi_desktop.errors import UserFacingError
from psi_desktop.ui.action_widgets import ActionReviewList, ActionsEditor
from psi_desktop.ui.formatting import error_text
from psi_desktop.ui.walkthrough.page import StepPage


class NewActions:
    """The editor of this reflection's actions, under the prompt whose answer becomes them."""

    def __init__(self, page: StepPage, parent: QWidget, layout: QVBoxLayout) -> None:
        self._page = page
        self.editor = ActionsEditor(page.framework, parent)
        self.editor.add_requested.connect(self._on_editor_add_requested)
        self.editor.remove_requested.connect(self._on_editor_remove_requested)
        layout.addWidget(self.editor)
        self.refresh()
        fields = page.session.kept_new_action()
        if fields:
            self.editor.set_form_fields(fields)

    def refresh(self) -> None:
        self.editor.set_actions(self._page.snapshot().actions, read_only=self._page.read_only)

    def keep(self) -> None:
        """An action typed but not added yet is kept (in the store) across a lock or closing the reflection."""
        self._page.session.keep_new_action(self.editor.form_fields())

    def _on_editor_add_requested(self, text: str, dimension: str | None, due: dt.date | None) -> None:
        self._page.host.flush()
        try:
            self._page.session.add_action(text, dimension=dimension, due_on=due)
        except UserFacingError as exc:
            self.editor.show_error(error_text(exc))
            return
        self.editor.clear_form()
        self.refresh()
        self._page.host.refresh_progress()
        self.editor.text_edit.setFocus()

    def _on_editor_remove_requested(self, action: Action) -> None:
        try:
            self._page.session.remove_action(action)
        except UserFacingError as exc:
            self.editor.show_error(error_text(exc))
            return
        self.refresh()
        self._page.host.refresh_progress()


class EarlierActions:
    """The actions agreed last time, each asked about: kept, not kept or dropped, with a note; one not kept
    can be carried forward into this reflection."""

    def __init__(self, page: StepPage, parent: QWidget) -> None:
        self._page = page
        self.review_list = ActionReviewList(page.framework, parent)
        self.review_list.review_changed.connect(self._on_review_list_review_changed)
        self.review_list.note_typed.connect(self._on_review_list_note_typed)
        self.review_list.carry_requested.connect(self._on_review_list_carry_requested)
        self.refresh()

    def refresh(self) -> None:
        dates = self._page.session.session_dates
        snapshot = self._page.snapshot()
        self.review_list.set_actions(
            snapshot.to_review,
            lambda action: dates.get(action.reflection_id),
            read_only=self._page.read_only,
            carried={a.carried_from for a in snapshot.actions if a.carried_from is not None},
            not_kept=snapshot.not_kept,
            marked_on=lambda action: dates.get(action.reviewed_in) if action.reviewed_in else None,
        )

    def _on_review_list_review_changed(self, action: Action, status: ActionStatus, note: str) -> None:
        try:
            self._page.session.review_action(action, status, note)
        except UserFacingError as exc:
            self._page.host.show_problem(error_text(exc))
            self.refresh()
        self._page.host.refresh_progress()  # the list stays as it is, so the keyboard stays on the same choice

    def _on_review_list_note_typed(self, action: Action, status: ActionStatus, note: str) -> None:
        """Saved with the answers: soon after typing, on a step change, and before a lock."""
        self._page.host.edited(self._page.session.set_review_note(action, status, note), progress=False)

    def _on_review_list_carry_requested(self, action: Action) -> None:
        try:
            self._page.session.carry_forward(action)
        except UserFacingError as exc:
            self._page.host.show_problem(error_text(exc))
        self.refresh()
        self.review_list.focus_action(action.id)
        self._page.host.refresh_progress()
