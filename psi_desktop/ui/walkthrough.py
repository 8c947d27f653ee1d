"""The walkthrough of one reflection: steps on the left, one step on the right, saved as it is typed.

Every decision (steps, progress, blind entry, discussion points, signing) is the service's; this
screen renders the reflection it holds and forwards each change. Autosave: a change starts a short
timer (it is not restarted by later changes, so steady typing still saves every AUTOSAVE_MS), and
anything pending is also saved at once on a step change, before signing, on close and before a lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain.framework import CodeTheme, Prompt, PromptMarker
from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    Case,
    DistressImpact,
    Perspective,
    Reflection,
    ServiceUserSource,
    TraumaEcho,
)
from psi_desktop.domain.walkthrough import (
    ACTIONS,
    CONTEXT,
    REVIEW,
    SERVICE_USER,
    SUPERVISOR,
    Step,
    StepState,
    with_answers,
    with_distress_impact,
    with_rating,
)
from psi_desktop.errors import UserFacingError
from psi_desktop.services.drafts import DraftService
from psi_desktop.services.reflections import MAX_NAME_CHARS, ReflectionService
from psi_desktop.ui.action_widgets import ActionReviewList, ActionsEditor
from psi_desktop.ui.amendment_dialog import AmendmentDialog
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.compare_view import CompareView, points_text
from psi_desktop.ui.formatting import day, error_text, heading_font, moment
from psi_desktop.ui.prompt_field import PromptField, bold, wrapped
from psi_desktop.ui.rating_row import RatingRow, RatingScaleHeader, faint
from psi_desktop.ui.sign_dialog import SignDialog

AUTOSAVE_MS = 800

DISTRESS_CHOICES = (
    (DistressImpact.INCREASED, "Increased"),
    (DistressImpact.MAINTAINED, "Maintained"),
    (DistressImpact.ALLEVIATED, "Alleviated"),
    (DistressImpact.UNSURE, "Unsure"),
)
TRAUMA_CHOICES = ((TraumaEcho.YES, "Yes"), (TraumaEcho.NO, "No"), (TraumaEcho.UNSURE, "Unsure"))
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
STATE_MARKS = {StepState.COMPLETE: "\u2713", StepState.STARTED: "\u25d0", StepState.EMPTY: "\u25cb"}
SAVED, SAVING, NOT_SAVED = "Saved", "Saving\u2026", "Not saved yet"
DISTRESS_QUESTIONS = {
    Perspective.PRACTITIONER: "From your view:",
    Perspective.SUPERVISOR: "From the supervisor's view, did this relationship maintain, increase or alleviate "
    "the person's distress?",
    Perspective.SERVICE_USER: "From their view, did this relationship maintain, increase or alleviate their distress?",
}
COMPARE_TITLE = "Compare: practitioner and supervisor"
COMPARE_INTRO = (
    "Both sets of ratings, side by side. Where they differ by 2 or more there is a question to talk about; "
    "neither view is the right one."
)
WELLBEING_QUESTION = "How far do you feel all right after this?"

log = logging.getLogger(__name__)


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
    """One reflection, step by step. Holds the reflection as last saved plus what is pending."""

    step_changed = Signal(str)  # step id
    revealed_changed = Signal(bool)
    state_changed = Signal()  # revealed, signed or amended: the window updates its menu
    close_requested = Signal()
    export_pdf_requested = Signal()  # the supervision note of this reflection
    saved = Signal()

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
        self._service = service
        self._drafts = drafts  # where a half-written amendment is kept across a lock
        self.case = case
        self.reflection = reflection
        self.framework = service.framework_of(reflection)
        self.steps: tuple[Step, ...] = service.steps(reflection)
        self._steps_by_id = {s.id: s for s in self.steps}
        self.read_only = reflection.signed
        self.revealed = revealed or reflection.signed
        self._previous = service.previous(reflection)
        self._pending: set[str] = set()  # text fields typed in but not saved: prompt ids, "practitioner", …
        self._dirty = False  # other changes not saved
        self._save_state = SAVED
        self._save_problem = ""
        self.current_step_id = ""

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._on_autosave_timeout)

        self._build_frame()
        self._build_pages()
        self.go_to(step_id if step_id in self._steps_by_id else self.steps[0].id, focus=False)

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
        while self.stack.count():
            page = self.stack.widget(0)
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages: dict[str, QScrollArea] = {}
        self.intros: dict[str, QLabel] = {}
        self.titles: dict[str, QLabel] = {}
        self.first_focus: dict[str, QWidget] = {}
        self.prompt_fields: dict[str, PromptField] = {}
        self.rating_rows: dict[tuple[Perspective, str], RatingRow] = {}
        self.distress_choices: dict[Perspective, ChoiceRow] = {}
        self.trauma_choice: ChoiceRow | None = None
        self.source_choice: ChoiceRow | None = None
        self.wellbeing_row: RatingRow | None = None
        self.review_list: ActionReviewList | None = None
        self.actions_editor: ActionsEditor | None = None
        builders = {
            CONTEXT: self._build_context,
            SERVICE_USER: self._build_service_user,
            SUPERVISOR: self._build_supervisor,
            REVIEW: self._build_review,
        }
        for step in self.steps:
            page, layout = self._page(step)
            builders.get(step.id, self._build_prompts_step)(step, page.widget(), layout)
            layout.addStretch(1)
            self.pages[step.id] = page
            self.stack.addWidget(page)
        self._refresh_header()
        self._refresh_progress()

    def _page(self, step: Step) -> tuple[QScrollArea, QVBoxLayout]:
        scroll = QScrollArea(self.stack)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Text wraps to the width there is; a sideways scroll bar would only hide the ends of lines.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(scroll)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 0, 12, 8)
        title = bold(QLabel(step.title, inner), 1.3)
        title.setWordWrap(True)
        layout.addWidget(title)
        self.titles[step.id] = title
        intro = wrapped(step.intro, inner)
        intro.setVisible(bool(step.intro))
        layout.addWidget(intro)
        self.intros[step.id] = intro
        scroll.setWidget(inner)
        scroll.setAccessibleName(step.title)
        return scroll, layout

    def _build_context(self, step: Step, page: QWidget, layout: QVBoxLayout) -> None:
        self.date_edit = QDateEdit(page)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMM yyyy")
        self.date_edit.setDate(QDate(self.reflection.session_date))
        self.date_edit.setMaximumDate(QDate.currentDate().addDays(1))
        self.date_edit.setAccessibleName("Date of the session")
        self.date_edit.setMaximumWidth(self.date_edit.fontMetrics().averageCharWidth() * 40)
        self.date_edit.setReadOnly(self.read_only)
        self.date_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.practitioner_edit = self._name_edit(page, self.reflection.practitioner, "Your name", "practitioner")
        self.supervisor_edit = self._name_edit(page, self.reflection.supervisor, "Supervisor's name", "supervisor")
        form = QFormLayout()
        form.addRow("&Date of the session", self.date_edit)
        form.addRow("&Your name", self.practitioner_edit)
        form.addRow("&Supervisor (optional)", self.supervisor_edit)
        layout.addLayout(form)
        self._build_prompts_step(step, page, layout)
        self.first_focus[step.id] = self.prompt_fields[step.prompts[0]].edit if step.prompts else self.date_edit

    def _name_edit(self, page: QWidget, text: str, name: str, key: str) -> QLineEdit:
        edit = QLineEdit(text, page)
        edit.setMaxLength(MAX_NAME_CHARS)
        edit.setAccessibleName(name)
        edit.setReadOnly(self.read_only)
        edit.setMaximumWidth(edit.fontMetrics().averageCharWidth() * 40)
        edit.textEdited.connect(lambda _text: self._on_text_edited(key))
        return edit

    def _build_prompts_step(self, step: Step, page: QWidget, layout: QVBoxLayout) -> None:
        for prompt_id in step.prompts:
            field = self._prompt_field(self.framework.prompt(prompt_id), page)
            layout.addWidget(field)
            self.first_focus.setdefault(step.id, field.edit)
            if field.prompt.marker is PromptMarker.ACTIONS:
                self._build_actions_editor(page, layout)
            elif field.prompt.marker is PromptMarker.WELLBEING:
                self._build_wellbeing(page, layout)
        if step.dimensions and step.perspective is not None:
            layout.addSpacing(8)
            self._rating_block(page, layout, step.dimensions, step.perspective)

    def _prompt_field(self, prompt: Prompt, page: QWidget) -> PromptField:
        extra: QWidget | None = None
        text_label = ""
        if prompt.marker is PromptMarker.TRAUMA_ECHO:
            self.trauma_choice = ChoiceRow(
                "Your answer:", TRAUMA_CHOICES, page, value=self.reflection.trauma_echo, inline=True
            )
            self.trauma_choice.choice_changed.connect(self._on_trauma_choice_changed)
            self.trauma_choice.set_read_only(self.read_only)
            extra, text_label = self.trauma_choice, "What makes you think so? (optional)"
        elif prompt.marker is PromptMarker.DISTRESS_IMPACT:
            extra = self._distress_choice(page, Perspective.PRACTITIONER)
            text_label = "Say more (optional)"
        elif prompt.marker is PromptMarker.OPEN_ACTIONS:
            self.review_list = ActionReviewList(self.framework, page)
            self.review_list.review_changed.connect(self._on_review_list_review_changed)
            self._refresh_review_list()
            extra = self.review_list
        field = PromptField(
            prompt,
            self.reflection.answers.get(prompt.id, ""),
            page,
            read_only=self.read_only,
            extra=extra,
            text_label=text_label,
        )
        field.text_edited.connect(self._on_text_edited)
        self.prompt_fields[prompt.id] = field
        return field

    def _distress_choice(self, page: QWidget, perspective: Perspective) -> ChoiceRow:
        choice = ChoiceRow(
            DISTRESS_QUESTIONS[perspective],
            DISTRESS_CHOICES,
            page,
            value=self.reflection.distress_impact.get(perspective),
            bold=perspective is not Perspective.PRACTITIONER,
            inline=perspective is Perspective.PRACTITIONER,
        )
        choice.choice_changed.connect(partial(self._on_distress_choice_changed, perspective))
        choice.set_read_only(self.read_only)
        self.distress_choices[perspective] = choice
        return choice

    def _rating_block(
        self,
        page: QWidget,
        layout: QVBoxLayout,
        dimensions: tuple[str, ...],
        perspective: Perspective,
        question: str = "",
    ) -> None:
        has_previous = self._previous is not None
        last = self._service.last_ratings(self.reflection, perspective) if has_previous else {}
        header = RatingScaleHeader(question or self.framework.question, self.framework.scale, page)
        header.last_time.setVisible(has_previous)
        layout.addWidget(header)
        several = len({self.framework.dimension(d).component for d in dimensions}) > 1
        component = None
        scores = self.reflection.ratings_of(perspective)
        for dimension_id in dimensions:
            dimension = self.framework.dimension(dimension_id)
            if several and dimension.component != component:
                component = dimension.component
                found = self.framework.component(component)
                band = QLabel(found.label, page)
                band.setObjectName("component_band")
                band.setStyleSheet(
                    f"QLabel#component_band {{ border: none; border-left: 4px solid {found.colour}; padding-left: 6px; "
                    "font-weight: bold; margin-top: 6px; }"
                )
                layout.addWidget(band)
            row = RatingRow(
                dimension.label,
                dimension.meaning,
                self.framework.scale,
                page,
                value=scores.get(dimension_id),
                last_time=last.get(dimension_id),
                show_last_time=has_previous,
            )
            row.set_read_only(self.read_only)
            row.rating_changed.connect(partial(self._on_rating_row_changed, perspective, dimension_id))
            self.rating_rows[(perspective, dimension_id)] = row
            layout.addWidget(row)

    def _build_service_user(self, step: Step, page: QWidget, layout: QVBoxLayout) -> None:
        self.source_choice = ChoiceRow(
            "Where does this view come from?",
            SOURCE_CHOICES,
            page,
            value=self.reflection.service_user_source,
            bold=True,
        )
        self.source_choice.choice_changed.connect(self._on_source_choice_changed)
        self.source_choice.set_read_only(self.read_only)
        layout.addWidget(self.source_choice)
        self.first_focus[step.id] = self.source_choice.buttons[0]
        layout.addSpacing(8)
        self.source_note = wrapped("", page)
        self.source_note.setObjectName("source_note")
        self.source_note.setStyleSheet(
            "QLabel#source_note { border: none; border-left: 4px solid #E69F00; padding: 4px 8px; }"
        )
        layout.addWidget(self.source_note)
        self._refresh_source_note()
        self._rating_block(page, layout, step.dimensions, Perspective.SERVICE_USER)
        layout.addSpacing(8)
        layout.addWidget(self._distress_choice(page, Perspective.SERVICE_USER))

    def _build_supervisor(self, step: Step, page: QWidget, layout: QVBoxLayout) -> None:
        # Two parts, one shown at a time: blind entry, and the comparison once revealed.
        entry = QWidget(page)
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        self._rating_block(entry, entry_layout, step.dimensions, Perspective.SUPERVISOR)
        entry_layout.addSpacing(8)
        entry_layout.addWidget(self._distress_choice(entry, Perspective.SUPERVISOR))
        self.reveal_button = QPushButton(entry)
        self.reveal_button.clicked.connect(self.reveal)
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

        self.supervisor_entry, self.supervisor_compare = entry, compare
        layout.addWidget(entry)
        layout.addWidget(compare)
        self.first_focus[step.id] = self.rating_rows[(Perspective.SUPERVISOR, step.dimensions[0])].buttons[0]
        self.comparing = False
        self._show_supervisor_page(compare=self.revealed)

    def _build_actions_editor(self, page: QWidget, layout: QVBoxLayout) -> None:
        self.actions_editor = ActionsEditor(self.framework, page)
        self.actions_editor.add_requested.connect(self._on_actions_editor_add_requested)
        self.actions_editor.remove_requested.connect(self._on_actions_editor_remove_requested)
        layout.addWidget(self.actions_editor)
        self._refresh_actions()
        kept = self._new_action_draft()
        if kept is not None and not self.read_only:
            fields = kept.load()
            if fields:
                self.actions_editor.set_form_fields(fields)

    def _new_action_draft(self):
        return self._drafts.new_action(self.reflection.id) if self._drafts is not None else None

    def _keep_new_action(self) -> None:
        """An action typed but not added yet is kept (in the store) across a lock or closing the reflection."""
        kept = self._new_action_draft()
        if kept is None or self.actions_editor is None or self.read_only:
            return
        try:
            kept.save(self.actions_editor.form_fields())
        except UserFacingError:
            log.warning("The action being typed could not be kept as a draft")

    def _build_wellbeing(self, page: QWidget, layout: QVBoxLayout) -> None:
        header = RatingScaleHeader(WELLBEING_QUESTION, self.framework.scale, page)
        has_previous = self._previous is not None
        header.last_time.setVisible(has_previous)
        self.wellbeing_row = RatingRow(
            "Feeling all right",
            "",
            self.framework.scale,
            page,
            value=self.reflection.wellbeing,
            last_time=self._previous.wellbeing if has_previous else None,
            show_last_time=has_previous,
        )
        self.wellbeing_row.set_read_only(self.read_only)
        self.wellbeing_row.rating_changed.connect(self._on_wellbeing_row_changed)
        layout.addSpacing(8)
        layout.addWidget(header)
        layout.addWidget(self.wellbeing_row)

    def _build_review(self, step: Step, page: QWidget, layout: QVBoxLayout) -> None:
        self.review_steps = wrapped("", page)
        self.review_steps.setTextFormat(Qt.TextFormat.PlainText)
        self.review_steps.setAccessibleName("Progress of each step")
        self.review_steps.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.review_points = wrapped("", page)
        self.review_points.setTextFormat(Qt.TextFormat.PlainText)
        self.review_points.setAccessibleName("Discussion points")
        self.review_points.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if not self.read_only:  # once signed, what was left unanswered is no longer a to-do list
            layout.addWidget(bold(QLabel("Where you are", page)))
            layout.addWidget(self.review_steps)
            layout.addSpacing(8)
        else:
            self.review_steps.hide()
        layout.addWidget(bold(QLabel("To talk about", page)))
        layout.addWidget(self.review_points)
        layout.addSpacing(8)

        layout.addWidget(bold(QLabel("NMC Code themes", page)))
        themes_note = wrapped(
            "For your revalidation reflective account. The ticks start from your ratings; change them as you see fit.",
            page,
        )
        faint(themes_note)
        themes_note.setVisible(not self.read_only)
        layout.addWidget(themes_note)
        # Signed: the chosen themes as plain text (greyed-out boxes would be hard to read).
        self.themes_label = wrapped("", page)
        self.themes_label.setVisible(self.read_only)
        self.themes_label.setAccessibleName("NMC Code themes")
        layout.addWidget(self.themes_label)
        self.theme_boxes: dict[CodeTheme, QCheckBox] = {}
        for info in self.framework.code_themes:
            box = QCheckBox(info.label, page)
            box.setAccessibleName(f"NMC Code theme: {info.label}")
            box.setVisible(not self.read_only)
            box.toggled.connect(self._on_theme_box_toggled)
            self.theme_boxes[info.id] = box
            layout.addWidget(box)
        self.suggest_button = QPushButton("Use the suggested themes", page)
        self.suggest_button.setVisible(not self.read_only)
        self.suggest_button.clicked.connect(self._on_suggest_button_clicked)
        suggest_row = QHBoxLayout()
        suggest_row.addWidget(self.suggest_button)
        suggest_row.addStretch(1)
        layout.addLayout(suggest_row)
        layout.addSpacing(8)

        layout.addWidget(bold(QLabel("Sign-off", page)))
        self.sign_note = wrapped("", page)
        self.sign_note.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.sign_note.setAccessibleName("Before signing")
        self.sign_button = QPushButton("Sign off\u2026", page)
        self.sign_button.setAccessibleName("Sign off this reflection")
        self.sign_button.clicked.connect(self.sign_off)
        self.signature_label = wrapped("", page)
        self.signature_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hash_edit = QLineEdit(page)
        self.hash_edit.setReadOnly(True)
        self.hash_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.hash_edit.setAccessibleName("Content hash, SHA-256")
        self.hash_label = QLabel("Content hash (SHA-256), printed on every PDF of this reflection:", page)
        self.hash_label.setWordWrap(True)
        self.hash_label.setBuddy(self.hash_edit)
        self.amendments_heading = bold(QLabel("Amendments", page))
        self.amendments_label = wrapped("", page)
        self.amendments_label.setTextFormat(Qt.TextFormat.PlainText)
        self.amendments_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.amendments_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.amendments_label.setAccessibleName("Amendments")
        self.amend_button = QPushButton("Add amendment\u2026", page)
        self.amend_button.setAccessibleName("Add an amendment")
        self.amend_button.clicked.connect(self.add_amendment)
        sign_row = QHBoxLayout()
        sign_row.addWidget(self.sign_button)
        sign_row.addWidget(self.amend_button)
        sign_row.addStretch(1)
        layout.addWidget(self.sign_note)
        layout.addWidget(self.signature_label)
        layout.addWidget(self.hash_label)
        layout.addWidget(self.hash_edit)
        layout.addLayout(sign_row)
        layout.addSpacing(8)
        layout.addWidget(self.amendments_heading)
        layout.addWidget(self.amendments_label)
        self.first_focus[step.id] = self.hash_edit if self.read_only else self.review_steps

    # -- moving between steps -------------------------------------------------------------------

    @property
    def current_step(self) -> Step:
        return self._steps_by_id[self.current_step_id]

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
        self._on_step_shown(step_id)
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
        self.pages[self.current_step_id].verticalScrollBar().setValue(0)
        widget = self.first_focus.get(self.current_step_id)
        if self.current_step_id == SUPERVISOR and self.comparing:
            widget = self.compare_view.points_label
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

    def _chain_nav_after(self, page: QWidget) -> None:
        """Tab goes through the step from top to bottom, then to Back and Next (not to the hidden steps)."""
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

    def _on_step_shown(self, step_id: str) -> None:
        if step_id == SUPERVISOR:
            self._show_supervisor_page(compare=self.comparing)
        elif step_id == REVIEW:
            if not self.read_only and not self.reflection.code_themes:
                self._set_code_themes(self._service.code_themes_for_review(self._current()))
            self._refresh_review()
        elif step_id == ACTIONS:
            self._refresh_actions()

    # -- saving -------------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self._dirty or bool(self._pending)

    def flush(self) -> bool:
        """Save what is pending now. False when it could not be saved (it stays on screen and pending)."""
        self._autosave.stop()
        self._keep_new_action()
        if self.read_only or not self.has_unsaved_changes():
            return True
        candidate = self._current()
        try:
            saved = self._service.update(candidate)
        except UserFacingError as exc:
            self._show_problem(error_text(exc))
            self._set_save_state(NOT_SAVED)
            return False
        self.reflection = saved
        self._pending.clear()
        self._dirty = False
        self._show_problem("")
        self._set_save_state(SAVED)
        self._refresh_progress()
        self.saved.emit()
        return True

    def _current(self) -> Reflection:
        """The saved reflection with everything on screen that is not saved yet."""
        reflection = with_answers(
            self.reflection, {p: self.prompt_fields[p].text() for p in self._pending if p in self.prompt_fields}
        )
        if "practitioner" in self._pending:
            reflection = replace(reflection, practitioner=self.practitioner_edit.text())
        if "supervisor" in self._pending:
            reflection = replace(reflection, supervisor=self.supervisor_edit.text())
        return reflection

    def _changed(self, *, progress: bool = True) -> None:
        if self.read_only:
            return
        self._set_save_state(SAVING)
        if not self._autosave.isActive():
            self._autosave.start()
        if progress:
            self._refresh_progress()

    def _set_save_state(self, state: str) -> None:
        self._save_state = state
        self._refresh_header()

    def _show_problem(self, message: str) -> None:
        self._save_problem = message
        self.problem_banner.setText(f"\u26a0 {message}" if message else "")
        self.problem_banner.setVisible(bool(message))

    def _on_autosave_timeout(self) -> None:
        self.flush()

    # -- what the user changes ------------------------------------------------------------------

    def _on_text_edited(self, key: str) -> None:
        if self.read_only:
            return
        self._pending.add(key)
        self._changed(progress=False)

    def _on_rating_row_changed(self, perspective: Perspective, dimension_id: str, score: int | None) -> None:
        self.reflection = with_rating(self.reflection, perspective, dimension_id, score)
        self._dirty = True
        self._changed()

    def _on_distress_choice_changed(self, perspective: Perspective, impact: DistressImpact | None) -> None:
        self.reflection = with_distress_impact(self.reflection, perspective, impact)
        self._dirty = True
        self._changed()

    def _on_trauma_choice_changed(self, echo: TraumaEcho | None) -> None:
        self.reflection = replace(self.reflection, trauma_echo=echo)
        self._dirty = True
        self._changed()

    def _on_source_choice_changed(self, source: ServiceUserSource | None) -> None:
        self.reflection = replace(self.reflection, service_user_source=source)
        self._dirty = True
        self._changed()
        self._refresh_source_note()

    def _refresh_source_note(self) -> None:
        source = self.reflection.service_user_source
        self.source_note.setText(SOURCE_NOTES.get(source, SOURCE_NOTES[None]))
        self.source_note.setAccessibleName(self.source_note.text())

    def _on_wellbeing_row_changed(self, score: int | None) -> None:
        self.reflection = replace(self.reflection, wellbeing=score)
        self._dirty = True
        self._changed()

    def _on_date_edit_date_changed(self, date: QDate) -> None:
        if self.read_only:
            return
        self.reflection = replace(self.reflection, session_date=date.toPython())
        self._dirty = True
        self._changed()

    def _on_theme_box_toggled(self, _checked: bool) -> None:
        if self.read_only:
            return
        chosen = tuple(t for t in CodeTheme if t in self.theme_boxes and self.theme_boxes[t].isChecked())
        self.reflection = replace(self.reflection, code_themes=chosen)
        self._dirty = True
        self._changed(progress=False)

    def _on_suggest_button_clicked(self) -> None:
        self._set_code_themes(self._service.suggested_code_themes(self._current()))

    def _set_code_themes(self, themes: tuple[CodeTheme, ...]) -> None:
        if tuple(themes) == tuple(self.reflection.code_themes):
            return
        for theme, box in self.theme_boxes.items():
            box.blockSignals(True)
            box.setChecked(theme in themes)
            box.blockSignals(False)
        self._on_theme_box_toggled(True)

    def _on_review_list_review_changed(self, action: Action, status: ActionStatus) -> None:
        try:
            self._service.review_action(self.reflection, action, status)
        except UserFacingError as exc:
            self._show_problem(error_text(exc))
            self._refresh_review_list()
        self._refresh_progress()  # the list stays as it is, so the keyboard stays on the same choice

    def _on_actions_editor_add_requested(self, text: str, dimension: str | None, due: dt.date | None) -> None:
        self.flush()
        try:
            self._service.add_action(self.reflection, text, dimension=dimension, due_on=due)
        except UserFacingError as exc:
            self.actions_editor.show_error(error_text(exc))
            return
        self.actions_editor.clear_form()
        if (kept := self._new_action_draft()) is not None:
            kept.discard()
        self._refresh_actions()
        self._refresh_progress()
        self.actions_editor.text_edit.setFocus()

    def _on_actions_editor_remove_requested(self, action: Action) -> None:
        try:
            self._service.remove_action(self.reflection, action)
        except UserFacingError as exc:
            self.actions_editor.show_error(error_text(exc))
            return
        self._refresh_actions()
        self._refresh_progress()

    def _on_step_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.steps):
            self.go_to(self.steps[row].id, focus=False)

    def _on_step_list_activated(self, _index: QModelIndex) -> None:
        self.focus_step()

    def _on_change_button_clicked(self) -> None:
        self._show_supervisor_page(compare=False)
        self.rating_rows[(Perspective.SUPERVISOR, self.current_step.dimensions[0])].focus()

    # -- reveal, sign, amend --------------------------------------------------------------------

    def reveal(self) -> None:
        """Show the practitioner's and the supervisor's ratings side by side, with what to talk about."""
        self.flush()
        if self.current_step_id != SUPERVISOR:
            self.go_to(SUPERVISOR, focus=False)
        was = self.revealed
        self.revealed = True
        self._show_supervisor_page(compare=True)
        self.compare_view.points_label.setFocus(Qt.FocusReason.OtherFocusReason)
        if not was:
            self.revealed_changed.emit(True)
            self.state_changed.emit()

    def _show_supervisor_page(self, *, compare: bool) -> None:
        self.comparing = compare
        if compare:
            # Filled only now: before Reveal nothing on the supervisor's step holds the practitioner's ratings.
            current = self._current()
            self.compare_view.show_reflection(current, self._service.discussion_points(current))
        self.supervisor_entry.setVisible(not compare)
        self.supervisor_compare.setVisible(compare)
        step = self._steps_by_id[SUPERVISOR]
        self.titles[SUPERVISOR].setText(COMPARE_TITLE if compare else step.title)
        self.intros[SUPERVISOR].setText(COMPARE_INTRO if compare else step.intro)
        self.reveal_button.setText("Show the comparison" if self.revealed else "Reveal the practitioner's ratings")
        self.reveal_button.setAccessibleName(self.reveal_button.text())

    def sign_off(self) -> None:
        """The supervisor types their name and confirms; the reflection becomes read-only."""
        if self.read_only:
            return
        if not self.flush():
            return
        if self._service.sign_blockers(self.reflection):
            # No pop-up to dismiss: the Review step says what is missing, and the keyboard goes there.
            self.go_to(REVIEW, focus=False)
            self.sign_note.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        service, reflection = self._service, self.reflection
        dialog = SignDialog(lambda name: service.sign(reflection, name), self, name=reflection.supervisor)
        dialog.exec()
        signed = dialog.signed
        dialog.deleteLater()
        if signed is None:
            return
        self.reflection = signed
        self.read_only = True
        self.revealed = True
        self._build_pages()
        self.go_to(REVIEW)
        self.state_changed.emit()

    def add_amendment(self) -> None:
        if not self.read_only:
            return
        service, reflection = self._service, self.reflection
        dialog = AmendmentDialog(
            lambda author, reason, changes: service.amend(reflection, author, reason, changes),
            self,
            author=reflection.practitioner,
            draft=self._drafts.amendment(reflection.id) if self._drafts is not None else None,
        )
        dialog.exec()
        amended = dialog.amended
        dialog.deleteLater()
        if amended is None:
            return
        self.reflection = amended
        self._refresh_header()
        self._refresh_review()
        self.state_changed.emit()

    # -- refreshing what shows --------------------------------------------------------------------

    def _refresh_header(self) -> None:
        reflection = self.reflection
        self.title.setText(f"{self.case.code} \u00b7 reflection of {day(reflection.session_date)}")
        parts = [reflection.status.label]
        if not self.read_only:
            parts.append(self._save_state)
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

    def _refresh_progress(self) -> None:
        progress = self._service.progress(self._current())
        required = [s for s in self.steps if not s.optional]
        done = sum(progress[s.id] is StepState.COMPLETE for s in required)
        for row, step in enumerate(self.steps):
            state = progress[step.id]
            item = self.step_list.item(row)
            item.setText(f"{STATE_MARKS[state]}  {step.label}" + (" (optional)" if step.optional else ""))
            item.setData(
                f"{step.label}{', optional' if step.optional else ''}, {state.label}",
                Qt.ItemDataRole.AccessibleTextRole,
            )
        self.progress_label.setText(f"{done} of {len(required)} steps complete")
        self._progress = progress

    def _refresh_review_list(self) -> None:
        if self.review_list is None:
            return
        dates = self._service.session_dates(self.reflection.case_id)
        self.review_list.set_actions(
            self._service.actions_to_review(self.reflection),
            lambda action: dates.get(action.reflection_id),
            read_only=self.read_only,
        )

    def _refresh_actions(self) -> None:
        if self.actions_editor is not None:
            self.actions_editor.set_actions(self._service.actions_of(self.reflection), read_only=self.read_only)

    def _refresh_review(self) -> None:
        progress = self._service.progress(self._current())
        groups: dict[str, list[str]] = {"Done": [], "Still to do": [], "Optional, not done yet": []}
        for step in self.steps:
            if step.id == REVIEW:
                continue
            if progress[step.id] is StepState.COMPLETE:
                groups["Done"].append(step.label)
            elif step.optional:
                groups["Optional, not done yet"].append(step.label)
            else:
                groups["Still to do"].append(step.label)
        self.review_steps.setText(
            "\n".join(f"{name}: {', '.join(labels)}." for name, labels in groups.items() if labels)
        )
        if self.revealed:
            current = self._current()
            self.review_points.setText(points_text(current, self._service.discussion_points(current)))
        else:
            self.review_points.setText(
                "Once the supervisor has rated, press Reveal on the \u201cSupervisor's view\u201d step to see where "
                "your views differ."
            )
        chosen = self.reflection.code_themes
        self.themes_label.setText(
            ", ".join(self.framework.code_theme_label(t) for t in chosen) + "." if chosen else "None chosen."
        )
        suggested = set(self._service.suggested_code_themes(self._current()))
        for theme, box in self.theme_boxes.items():
            box.blockSignals(True)
            box.setChecked(theme in chosen)
            box.blockSignals(False)
            label = self.framework.code_theme_label(theme)
            box.setText(label + ("  (suggested)" if theme in suggested and not self.read_only else ""))
        signature = self.reflection.signature
        if signature is None:
            blockers = self._service.sign_blockers(self._current())
            self.sign_note.setText(
                " ".join(blockers)
                if blockers
                else "When you have talked it through, the supervisor signs it off. Signing locks the reflection."
            )
            self.sign_button.setEnabled(not blockers)
        else:
            self.sign_note.setText("")
            self.signature_label.setText(f"Signed by {signature.signed_by} on {moment(signature.signed_at)}.")
            self.hash_edit.setText(signature.content_sha256)
        self.sign_note.setVisible(signature is None)
        self.sign_button.setVisible(signature is None)
        for widget in (self.signature_label, self.hash_label, self.hash_edit, self.amend_button):
            widget.setVisible(signature is not None)
        amendments = self.reflection.amendments
        self.amendments_heading.setVisible(signature is not None)
        self.amendments_label.setVisible(signature is not None)
        self.amendments_label.setText(
            "\n\n".join(
                f"{moment(a.made_at)} \u00b7 {a.author}\nWhy: {a.reason}\nWhat changed: {a.changes}" for a in amendments
            )
            or "None. The signed record above is as it was signed."
        )
