"""The frame of the walkthrough: steps on the left, one step's page on the right, and whether it is saved."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Case, Perspective, Reflection, ServiceUserSource
from psi_desktop.domain.walkthrough import Step, StepKind, StepState
from psi_desktop.services.drafts import DraftService
from psi_desktop.services.reflection_session import ReflectionSession, SaveState, Snapshot
from psi_desktop.services.reflections import ReflectionService
from psi_desktop.ui.amendment_dialog import AmendmentDialog
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.formatting import day, heading_font, moment, widen
from psi_desktop.ui.prompt_field import PromptField, wrapped
from psi_desktop.ui.rating_row import RatingRow, faint
from psi_desktop.ui.sign_dialog import SignDialog
from psi_desktop.ui.walkthrough.page import StepPage
from psi_desktop.ui.walkthrough.person import PersonPage
from psi_desktop.ui.walkthrough.prompts import ContextPage, PromptsPage
from psi_desktop.ui.walkthrough.review import ReviewPage
from psi_desktop.ui.walkthrough.supervisor import SupervisorPage

# The session holds what is pending and decides what is saved; the frame owns the timer. A change starts
# it and later changes do not restart it, so steady typing still saves every AUTOSAVE_MS; anything
# pending is also saved at once on a step change, before signing, on close and before a lock.
AUTOSAVE_MS = 800

PAGES: dict[StepKind, type[StepPage]] = {
    StepKind.CONTEXT: ContextPage,
    StepKind.PROMPTS: PromptsPage,
    StepKind.PERSON: PersonPage,
    StepKind.SUPERVISOR: SupervisorPage,
    StepKind.REVIEW: ReviewPage,
}
STATE_MARKS = {StepState.COMPLETE: "\u2713", StepState.STARTED: "\u25d0", StepState.EMPTY: "\u25cb"}
SAVE_LABELS = {SaveState.SAVED: "Saved", SaveState.PENDING: "Saving\u2026", SaveState.FAILED: "Not saved yet"}


def _on_page(name: str, kind: type[StepPage] = StepPage) -> property:
    """The widget ``name`` of the page that has one (tests and the window reach them from the screen)."""

    def get(screen: ReflectionScreen) -> object:
        for page in screen.pages.values():
            if isinstance(page, kind) and (found := getattr(page, name, None)) is not None:
                return found
        return None

    return property(get)


class StepListView(QListView):
    """The steps, one per row, with a mark for how far each has got; choosing one shows it."""

    current_row_changed = Signal(int)

    def __init__(self, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        for label in labels:
            item = QStandardItem(label)
            item.setEditable(False)
            self._model.appendRow(item)
        self.setModel(self._model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSpacing(2)
        self.selectionModel().currentRowChanged.connect(lambda current, _previous: self._emit_row(current))

    def _emit_row(self, current: QModelIndex) -> None:
        self.current_row_changed.emit(current.row())

    def item(self, row: int) -> QStandardItem:
        return self._model.item(row)

    def count(self) -> int:
        return self._model.rowCount()

    def currentRow(self) -> int:
        return self.currentIndex().row()

    def setCurrentRow(self, row: int) -> None:
        self.setCurrentIndex(self._model.index(row, 0))


class ReflectionScreen(QWidget):
    """One reflection, step by step: the frame around one page per step, built from each step's kind."""

    step_changed = Signal(str)  # step id
    revealed_changed = Signal(bool)
    state_changed = Signal()  # revealed, signed or amended: the window updates its menu
    close_requested = Signal()
    export_pdf_requested = Signal()  # the supervision note of this reflection
    handover_requested = Signal()  # the person answers for themselves: the window gives itself over to them
    saved = Signal()

    # What the pages hold, by name (None when no page has it).
    date_edit = _on_page("date_edit", ContextPage)
    practitioner_edit = _on_page("practitioner_edit", ContextPage)
    supervisor_edit = _on_page("supervisor_edit", ContextPage)
    trauma_choice = _on_page("trauma_choice", PromptsPage)
    wellbeing_row = _on_page("wellbeing_row", PromptsPage)
    actions_editor = _on_page("actions_editor", PromptsPage)
    review_list = _on_page("review_list", PromptsPage)
    source_choice = _on_page("source_choice", PersonPage)
    source_note = _on_page("source_note", PersonPage)
    ask_button = _on_page("ask_button", PersonPage)
    answers_label = _on_page("answers_label", PersonPage)
    words_label = _on_page("words_label", PersonPage)
    compare_view = _on_page("compare_view", SupervisorPage)
    reveal_button = _on_page("reveal_button", SupervisorPage)
    change_button = _on_page("change_button", SupervisorPage)
    comparing = _on_page("comparing", SupervisorPage)
    review_steps = _on_page("review_steps", ReviewPage)
    review_points = _on_page("review_points", ReviewPage)
    theme_boxes = _on_page("theme_boxes", ReviewPage)
    sign_note = _on_page("sign_note", ReviewPage)
    sign_button = _on_page("sign_button", ReviewPage)
    signature_label = _on_page("signature_label", ReviewPage)
    hash_edit = _on_page("hash_edit", ReviewPage)
    amendments_label = _on_page("amendments_label", ReviewPage)

    def __init__(
        self,
        service: ReflectionService,
        case: Case,
        reflection: Reflection,
        parent: QWidget | None = None,
        *,
        step_id: str | None = None,
        revealed: bool = False,
        drafts: DraftService | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = ReflectionSession(service, reflection, revealed=revealed, drafts=drafts)
        self.case = case
        self.steps: tuple[Step, ...] = self.session.steps
        self._steps_by_id = {s.id: s for s in self.steps}
        self.pages: dict[str, StepPage] = {}
        self.current_step_id = ""

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._on_autosave_timeout)

        self._build_frame()
        self._build_pages()
        self.go_to(step_id if step_id in self._steps_by_id else self.steps[0].id, focus=False)

    # -- what the session says ------------------------------------------------------------------

    @property
    def reflection(self) -> Reflection:
        """The reflection as it is on screen, saved or not."""
        return self.session.snapshot().reflection

    @property
    def framework(self) -> Framework:
        return self.session.framework

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    @property
    def revealed(self) -> bool:
        return self.session.revealed

    @property
    def current_step(self) -> Step:
        return self._steps_by_id[self.current_step_id]

    @property
    def intros(self) -> dict[str, QLabel]:
        return {step_id: page.intro for step_id, page in self.pages.items()}

    @property
    def titles(self) -> dict[str, QLabel]:
        return {step_id: page.title for step_id, page in self.pages.items()}

    def _step_of_kind(self, kind: StepKind) -> Step | None:
        return next((s for s in self.steps if s.kind is kind), None)

    # -- building -----------------------------------------------------------------------------

    def _build_frame(self) -> None:
        self.back_button = QPushButton("\u25c2 Back to the case", self)
        self.back_button.setAccessibleName("Back to the case page")
        self.back_button.clicked.connect(self.close_requested)
        self.export_pdf_button = QPushButton("Export PDF\u2026", self)
        self.export_pdf_button.setAccessibleName("Export this reflection's supervision note as a PDF")
        self.export_pdf_button.setToolTip("The supervision note of this reflection as a PDF (Ctrl+E)")
        self.export_pdf_button.clicked.connect(self.export_pdf_requested)
        self.title = QLabel(self)
        self.title.setFont(heading_font(self, 1.2))
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Reflection")
        self.status_label = QLabel(self)
        self.status_label.setAccessibleName("Save status")
        faint(self.status_label)

        self.problem_banner = wrapped("", self)
        self.problem_banner.setObjectName("save_problem")
        self.problem_banner.setStyleSheet(
            "QLabel#save_problem { border: none; border-left: 4px solid #D55E00; padding: 6px 10px; "
            "background: palette(alternate-base); }"
        )
        self.problem_banner.setAccessibleName("Saving problem")
        self.problem_banner.hide()
        self.signed_banner = wrapped("", self)
        self.signed_banner.setObjectName("signed_note")
        self.signed_banner.setStyleSheet(
            "QLabel#signed_note { border: none; border-left: 4px solid #005EB8; padding: 6px 10px; "
            "background: palette(alternate-base); }"
        )
        self.signed_banner.setAccessibleName("Signed")
        self.signed_banner.hide()

        self.step_list = StepListView([s.label for s in self.steps], self)
        self.step_list.setAccessibleName("Steps of this reflection")
        self.step_list.current_row_changed.connect(self._on_step_list_current_row_changed)
        self.step_list.activated.connect(self._on_step_list_activated)
        self.progress_label = QLabel(self)
        self.progress_label.setWordWrap(True)
        faint(self.progress_label)
        metrics = self.step_list.fontMetrics()
        self.step_list.setFixedWidth(
            max(metrics.horizontalAdvance(f"\u2713  {s.label} (optional)") for s in self.steps) + 4 * metrics.height()
        )

        self.stack = QStackedWidget(self)
        self.back_step_button = QPushButton(self)
        self.back_step_button.clicked.connect(self.previous_step)
        self.next_step_button = QPushButton(self)
        self.next_step_button.setDefault(False)
        self.next_step_button.clicked.connect(self.next_step)

        header = QHBoxLayout()
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addSpacing(8)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.status_label)
        header.addLayout(titles, 1)
        header.addWidget(self.export_pdf_button, 0, Qt.AlignmentFlag.AlignTop)

        # As tall as its steps, so the progress line sits right under them.
        rows = sum(self.step_list.sizeHintForRow(r) + 2 * self.step_list.spacing() for r in range(len(self.steps)))
        self.step_list.setFixedHeight(rows + 2 * self.step_list.frameWidth() + 4)
        left = QVBoxLayout()
        left.addWidget(self.step_list)
        left.addWidget(self.progress_label)
        left.addStretch(1)

        nav = QHBoxLayout()
        nav.addWidget(self.back_step_button)
        nav.addStretch(1)
        nav.addWidget(self.next_step_button)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addLayout(nav)

        body = QHBoxLayout()
        body.addLayout(left)
        body.addSpacing(6)
        body.addLayout(right, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.problem_banner)
        layout.addWidget(self.signed_banner)
        layout.addLayout(body, 1)
        self.setAccessibleName("Reflection walkthrough")

    def _build_pages(self) -> None:
        for old in self.pages.values():
            self.stack.removeWidget(old)
            old.deleteLater()
        self.pages = {}
        for step in self.steps:
            page = PAGES[step.kind](self, step, self.stack)
            self.pages[step.id] = page
            self.stack.addWidget(page)
        self.prompt_fields: dict[str, PromptField] = {}
        self.rating_rows: dict[tuple[Perspective, str], RatingRow] = {}
        self.distress_choices: dict[Perspective, ChoiceRow] = {}
        for page in self.pages.values():
            self.prompt_fields.update(page.prompt_fields)
            self.rating_rows.update(page.rating_rows)
            self.distress_choices.update(page.distress_choices)
        self._refresh(self.session.snapshot())

    # -- moving between steps -------------------------------------------------------------------

    def go_to(self, step_id: str, *, focus: bool = True) -> None:
        """Show a step; what is pending is saved first."""
        if step_id not in self._steps_by_id:
            return
        if self.current_step_id and step_id != self.current_step_id:
            self.flush()
        self.current_step_id = step_id
        index = [s.id for s in self.steps].index(step_id)
        self.stack.setCurrentWidget(self.pages[step_id])
        self.step_list.blockSignals(True)
        self.step_list.setCurrentRow(index)
        self.step_list.blockSignals(False)
        self.pages[step_id].shown()
        self._refresh_nav()
        self._chain_nav_after(self.pages[step_id].widget())
        if focus:
            self.focus_step()
        self.step_changed.emit(step_id)

    def next_step(self) -> None:
        index = [s.id for s in self.steps].index(self.current_step_id)
        if index + 1 < len(self.steps):
            self.go_to(self.steps[index + 1].id)

    def previous_step(self) -> None:
        index = [s.id for s in self.steps].index(self.current_step_id)
        if index > 0:
            self.go_to(self.steps[index - 1].id)

    def focus_step(self) -> None:
        """Put the keyboard on the step's first field, and show the top of the step."""
        page = self.pages[self.current_step_id]
        page.verticalScrollBar().setValue(0)
        widget = page.focus_widget()
        if widget is not None and widget.isVisibleTo(self):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.next_step_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_why_for_focus(self) -> None:
        """F1: show or hide why the focused prompt is asked."""
        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, PromptField):
            widget = widget.parentWidget()
        if widget is not None:
            widget.toggle_why()
        else:
            fields = [f for f in self.prompt_fields.values() if f.isVisibleTo(self)]
            if fields:
                fields[0].toggle_why()

    def _chain_nav_after(self, page: QWidget | None) -> None:
        """Tab goes through the step from top to bottom, then to Back and Next (not to the hidden steps)."""
        if page is None:
            return
        last, widget = None, page.nextInFocusChain()
        while widget is not None and widget is not page and page.isAncestorOf(widget):
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                last = widget
            widget = widget.nextInFocusChain()
        if last is not None:
            QWidget.setTabOrder(last, self.back_step_button)
            QWidget.setTabOrder(self.back_step_button, self.next_step_button)

    def _refresh_nav(self) -> None:
        index = [s.id for s in self.steps].index(self.current_step_id)
        before = self.steps[index - 1] if index > 0 else None
        after = self.steps[index + 1] if index + 1 < len(self.steps) else None
        self.back_step_button.setVisible(before is not None)
        self.next_step_button.setVisible(after is not None)
        if before is not None:
            self.back_step_button.setText(f"\u25c2 {before.label}")
            self.back_step_button.setAccessibleName(f"Previous step: {before.label}")
        if after is not None:
            self.next_step_button.setText(f"Next: {after.label} \u25b8")
            self.next_step_button.setAccessibleName(f"Next step: {after.label}")

    # -- saving -------------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self.session.has_unsaved_changes()

    def edited(self, changed: bool, *, progress: bool = True) -> None:
        """A page changed the session: autosave soon, and show that it is not saved yet."""
        if not changed:
            return
        if not self._autosave.isActive():
            self._autosave.start()
        snapshot = self.session.snapshot()
        self._refresh_header(snapshot)
        if progress:
            self._refresh_progress(snapshot)

    def flush(self) -> bool:
        """Save what is pending now. False when it could not be saved (it stays on screen and pending)."""
        self._autosave.stop()
        for page in self.pages.values():
            page.before_save()
        if self.read_only or not self.has_unsaved_changes():
            return True
        ok = self.session.save()
        snapshot = self.session.snapshot()
        self.show_problem(snapshot.problem)
        self._refresh_header(snapshot)
        if ok:
            self._refresh_progress(snapshot)
            self.saved.emit()
        return ok

    def show_problem(self, message: str) -> None:
        self.problem_banner.setText(f"\u26a0 {message}" if message else "")
        self.problem_banner.setVisible(bool(message))

    def _on_autosave_timeout(self) -> None:
        self.flush()

    def _on_step_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.steps):
            self.go_to(self.steps[row].id, focus=False)

    def _on_step_list_activated(self, _index: QModelIndex) -> None:
        self.focus_step()

    # -- reveal, sign, amend --------------------------------------------------------------------

    def reveal(self) -> None:
        """Show the practitioner's and the supervisor's ratings side by side, with what to talk about."""
        step = self._step_of_kind(StepKind.SUPERVISOR)
        if step is None:
            return
        self.flush()
        if self.current_step_id != step.id:
            self.go_to(step.id, focus=False)
        newly = self.session.reveal()
        page = self.pages[step.id]
        assert isinstance(page, SupervisorPage)
        page.show_part(compare=True)
        page.compare_view.points_label.setFocus(Qt.FocusReason.OtherFocusReason)
        if newly:
            self.revealed_changed.emit(True)
            self.state_changed.emit()

    def sign_off(self) -> None:
        """The supervisor types their name and confirms; the reflection becomes read-only."""
        if self.read_only:
            return
        if not self.flush():
            return
        review = self._step_of_kind(StepKind.REVIEW)
        if self.session.snapshot().sign_blockers and review is not None:
            # No pop-up to dismiss: the Review step says what is missing, and the keyboard goes there.
            self.go_to(review.id, focus=False)
            self.sign_note.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        dialog = SignDialog(self.session.sign, self, name=self.reflection.supervisor)
        dialog.exec()
        signed = dialog.signed
        dialog.deleteLater()
        if signed is None:
            return
        self._build_pages()
        if review is not None:
            self.go_to(review.id)
        self.state_changed.emit()

    def ask_the_person(self) -> None:
        """Hand-over mode: the person's own answers, given on this laptop, become their view.

        A view the practitioner entered for them is replaced, after saying so; answers the person
        gave before (a hand-over cut short) stay, for them to go on from.
        """
        step = self._step_of_kind(StepKind.PERSON)
        if self.read_only or step is None or not self.framework.has_easy_read or not self.flush():
            return
        reflection = self.reflection
        source = reflection.service_user_source
        entered = source is not ServiceUserSource.SELF_RATED and (
            bool(reflection.ratings_of(Perspective.SERVICE_USER))
            or Perspective.SERVICE_USER in reflection.distress_impact
        )
        if entered and not self._confirm_replacing_the_view(source):
            return
        self.edited(self.session.start_self_rating())
        if not self.flush():
            return
        if self.current_step_id != step.id:
            self.go_to(step.id, focus=False)
        self.pages[step.id].shown()
        self.handover_requested.emit()

    def _confirm_replacing_the_view(self, source: ServiceUserSource | None) -> bool:
        where = f" ({source.label})" if source is not None else ""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Ask the person")
        box.setText(f"Replace the view you entered for the person{where}?")
        box.setInformativeText(
            "Their own answers will take its place. The ratings and the answer about their distress "
            "entered on this step are removed."
        )
        replace_button = box.addButton("Replace it and ask them", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(replace_button)
        widen(box)
        box.exec()
        chosen = box.clickedButton() is replace_button
        box.deleteLater()
        return chosen

    def handover_ended(self) -> None:
        """Staff are back: the person's step shows what the person chose."""
        self.flush()
        step = self._step_of_kind(StepKind.PERSON)
        if step is None:
            return
        self.go_to(step.id, focus=False)
        self._refresh(self.session.snapshot())
        page = self.pages[step.id]
        page.shown()
        self.focus_step()

    def add_amendment(self) -> None:
        if not self.read_only:
            return
        reflection = self.reflection
        dialog = AmendmentDialog(
            self.session.amend, self, author=reflection.practitioner, draft=self.session.amendment_draft()
        )
        dialog.exec()
        amended = dialog.amended
        dialog.deleteLater()
        if amended is None:
            return
        snapshot = self.session.snapshot()
        self._refresh_header(snapshot)
        for page in self.pages.values():
            if isinstance(page, ReviewPage):
                page.refresh()
        self.state_changed.emit()

    # -- refreshing what shows --------------------------------------------------------------------

    def refresh_progress(self) -> None:
        self._refresh_progress(self.session.snapshot())

    def _refresh(self, snapshot: Snapshot) -> None:
        self._refresh_header(snapshot)
        self._refresh_progress(snapshot)

    def _refresh_header(self, snapshot: Snapshot) -> None:
        reflection = snapshot.reflection
        self.title.setText(f"{self.case.code} \u00b7 reflection of {day(reflection.session_date)}")
        parts = [reflection.status.label]
        if not snapshot.read_only:
            parts.append(SAVE_LABELS[snapshot.save_state])
        self.status_label.setText(" \u00b7 ".join(parts))
        signature = reflection.signature
        if signature is not None:
            text = (
                f"Signed by {signature.signed_by} on {moment(signature.signed_at)}. This reflection is locked; "
                "to correct it, add an amendment on the Review step."
            )
            if reflection.amendments:
                count = len(reflection.amendments)
                text += f" It has {count} amendment{'' if count == 1 else 's'}."
            self.signed_banner.setText(text)
        self.signed_banner.setVisible(signature is not None)

    def _refresh_progress(self, snapshot: Snapshot) -> None:
        for row, step in enumerate(self.steps):
            state = snapshot.progress[step.id]
            item = self.step_list.item(row)
            item.setText(f"{STATE_MARKS[state]}  {step.label}" + (" (optional)" if step.optional else ""))
            item.setData(
                f"{step.label}{', optional' if step.optional else ''}, {state.label}",
                Qt.ItemDataRole.AccessibleTextRole,
            )
        self.progress_label.setText(f"{snapshot.steps_done} of {snapshot.steps_required} steps complete")
