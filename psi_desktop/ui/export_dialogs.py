"""PDF exports: a supervision note, a case report and a portfolio pack, after the identifiable check."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain import nmc
from psi_desktop.errors import UserFacingError
from psi_desktop.services import exports
from psi_desktop.services.exports import ExportCancelled, ExportFinding, PortfolioDraft
from psi_desktop.ui.bundle_dialogs import saving_error_text, with_suffix
from psi_desktop.ui.file_chooser import FileChooser, documents_folder
from psi_desktop.ui.formatting import day, error_label, error_text, heading_font, note_label, show_error
from psi_desktop.ui.identifier_warning import IdentifierWarning
from psi_desktop.ui.session import Session
from psi_desktop.ui.workers import Progress

PRIVATE_TICK = "Include the private \u201cFor me\u201d answers"
DRAFTS_TICK = "Include drafts (reflections not signed yet), marked as drafts"
FOR_THE_PERSON = ("person-form", "summary")
"""The papers for the person: no case code on them, only the name or initials the practitioner types."""
PRIVATE_NAME = " (private)"
"""Ends the file name offered for a PDF with the "For me" answers in it, so the file says so too."""
KIND_TITLES = {
    "note": "Export the supervision note",
    "case": "Export a case report",
    "portfolio": "Export the portfolio pack",
    "person-form": "Print a form for the person",
    "summary": "A summary to share back with the person",
}
LABEL_TITLE = "Name or initials to print (optional)"
LABEL_TIP = "The only name on the paper: a first name or initials you choose. Leave it empty for none."
TOPICS_TITLE = "What we talked about (tick what you choose to share)"


def open_url(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in " -_" else "-" for c in text).strip() or "PSI"


class PdfExportDialog(QDialog):
    """Options, then the identifiable-information check, then where to save, then the export with Cancel.

    ``back_to_fix`` is True when the user chose "Go back and fix" on the warning.
    """

    def __init__(
        self,
        session: Session,
        kind: str,
        parent: QWidget | None = None,
        *,
        reflection_id: uuid.UUID | None = None,
        case_id: uuid.UUID | None = None,
        draft: PortfolioDraft | None = None,
        chooser: FileChooser | None = None,
        opener: Callable[[QUrl], bool] = open_url,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(KIND_TITLES[kind])
        self.setModal(True)
        self._session = session
        self._profile = session.profile  # read on this thread; the PDF is made on a connection of its own
        self.kind = kind
        self.reflection_id = reflection_id
        self.case_id = case_id
        self.draft = draft
        self._chooser = chooser or FileChooser()
        self._opener = opener
        self._cancel = threading.Event()
        self._progress = Progress(self)
        self._progress.moved.connect(self._on_progress_moved)
        self.findings: list[ExportFinding] = []
        self.written: Path | None = None
        self.back_to_fix = False
        self.busy = False

        self.title = QLabel(KIND_TITLES[kind], self)
        self.title.setFont(heading_font(self, 1.2))
        self.pages = QStackedWidget(self)

        # Options.
        self.options_page = QWidget(self)
        self.what_label = QLabel(self._what(), self.options_page)
        self.what_label.setWordWrap(True)
        self.private_check = QCheckBox(PRIVATE_TICK, self.options_page)
        self.private_check.setAccessibleName(PRIVATE_TICK)
        self.private_check.setToolTip("Off unless you tick it: those answers are for you, not for the record")
        self.private_check.setVisible(kind == "note")
        self.drafts_check = QCheckBox(DRAFTS_TICK, self.options_page)
        self.drafts_check.setAccessibleName(DRAFTS_TICK)
        self.drafts_check.setToolTip("Off unless you tick it: a draft can still change; included, it is marked")
        self.drafts_check.setVisible(kind == "case")
        self.topic_checks: dict[str, QCheckBox] = {}
        self.topics_box = QGroupBox(TOPICS_TITLE, self.options_page)
        self.topics_box.setVisible(kind == "summary")
        topics = QVBoxLayout(self.topics_box)
        if kind == "summary":
            framework = self._profile.reflections.framework_of(self._reflection())
            for dim_id, topic in exports.summary_topics(self._profile, reflection_id):
                check = QCheckBox(topic, self.topics_box)
                check.setAccessibleName(f"We talked about: {topic}")
                check.setToolTip(f"The dimension {framework.dimension(dim_id).label}")
                topics.addWidget(check)
                self.topic_checks[dim_id] = check
        self.label_edit = QLineEdit(self.options_page)
        self.label_edit.setAccessibleName(LABEL_TITLE)
        self.label_edit.setToolTip(LABEL_TIP)
        self.label_edit.setPlaceholderText("e.g. Sam, or S.")
        self.label_edit.setMaxLength(60)
        self.page_size = QComboBox(self.options_page)
        self.page_size.addItems(exports.PAGE_SIZES)
        self.page_size.setAccessibleName("Page size")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        if kind in FOR_THE_PERSON:
            form.addRow("&Name or initials to print", self.label_edit)
            self.label_edit.setMinimumWidth(self.label_edit.fontMetrics().averageCharWidth() * 28)
        else:
            self.label_edit.hide()
        form.addRow("Page &size", self.page_size)
        page = QVBoxLayout(self.options_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.what_label)
        page.addWidget(self.private_check)
        page.addWidget(self.drafts_check)
        page.addWidget(self.topics_box)
        page.addLayout(form)
        page.addStretch(1)
        self.pages.addWidget(self.options_page)

        # The identifiable-information warning.
        self.warning_page = QWidget(self)
        self.warning_text = QLabel(self.warning_page)
        self.warning_text.setWordWrap(True)
        self.finding_list = QListWidget(self.warning_page)
        self.finding_list.setAccessibleName("What looks identifying, and where")
        self.finding_list.setWordWrap(True)
        page = QVBoxLayout(self.warning_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.warning_text)
        page.addWidget(self.finding_list, 1)
        self.pages.addWidget(self.warning_page)

        # Exporting.
        self.working_page = QWidget(self)
        self.working_label = QLabel("Making the PDF\u2026", self.working_page)
        self.working_label.setWordWrap(True)
        self.progress_bar = QProgressBar(self.working_page)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setAccessibleName("How far the export has got")
        page = QVBoxLayout(self.working_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.working_label)
        page.addWidget(self.progress_bar)
        page.addStretch(1)
        self.pages.addWidget(self.working_page)

        # Done.
        self.done_page = QWidget(self)
        self.done_label = QLabel(self.done_page)
        self.done_label.setWordWrap(True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        page = QVBoxLayout(self.done_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.done_label)
        page.addStretch(1)
        self.pages.addWidget(self.done_page)

        self.error_label = error_label(self)

        self.buttons = QDialogButtonBox(parent=self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self._button("&Export PDF\u2026", "Check, choose where to save, then export", self.start)
        self.fix_button = self._button("&Go back and fix", "Close this and change the text first", self.go_back)
        self.anyway_button = self._button(
            "Export &anyway\u2026", "Export with this text as it is", self.choose_and_export
        )
        self.open_button = self._button("&Open PDF", "Open the PDF", self.open_pdf)
        self.folder_button = self._button("Show in &folder", "Show the folder the PDF is in", self.show_folder)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(600, 560 if kind == "summary" else 360 if kind == "person-form" else 320)
        self._show(self.options_page, self.export_button)

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def _show(self, page: QWidget, *buttons: QPushButton) -> None:
        self.pages.setCurrentWidget(page)
        for button in (self.export_button, self.fix_button, self.anyway_button, self.open_button, self.folder_button):
            button.setVisible(button in buttons)
            button.setDefault(False)
        if buttons:
            buttons[0].setDefault(True)
            buttons[0].setFocus()

    def _reflection(self):
        return self._profile.reflections.get(self.reflection_id)

    def chosen_topics(self) -> list[str]:
        """The dimension ids ticked as what we talked about, in framework order."""
        return [dim_id for dim_id, check in self.topic_checks.items() if check.isChecked()]

    def _what(self) -> str:
        profile = self._profile
        if self.kind == "person-form":
            return (
                "A paper form in large print with the questions of hand-over mode, for a person who would rather "
                "write, or when the laptop cannot be handed over. No case code is printed, only the name or "
                "initials you type here, if any. Type the answers in later as the person's view, choosing "
                "\u201cFeedback form\u201d as where it comes from."
            )
        if self.kind == "summary":
            reflection = self._reflection()
            draft = (
                " This reflection is not signed yet, so the summary is marked as a draft."
                if not reflection.signed
                else ""
            )
            return (
                f"One page in plain words about the session of {day(reflection.session_date)}, to give or read to "
                "the person: what you talked about (you choose below), what staff will do differently, and their "
                "own view if they gave one (never an estimate). Never your ratings or your supervisor's, never your "
                f"answers to the reflection's questions, and no case code.{draft}"
            )
        if self.kind == "note":
            reflection = profile.reflections.get(self.reflection_id)
            case = profile.cases.get(reflection.case_id)
            return (
                f"The supervision note of the session of {day(reflection.session_date)} on {case.code}: its answers, "
                "ratings, discussion points, actions and signature."
            )
        if self.kind == "case":
            case = profile.cases.get(self.case_id)
            return f"A report of {case.code}: its charts, every signed reflection summarised and its actions."
        written = len(self.draft.written) if self.draft else 0
        notes = len(self.draft.reflection_ids) if self.draft else 0
        return (
            f"The portfolio pack: the {written} reflective account(s) you have written, the reflective discussion "
            f"form, and {notes} signed supervision note(s) to support them."
        )

    # -- checking ---------------------------------------------------------------------------------

    def check(self) -> list[ExportFinding]:
        include_private = self.private_check.isChecked()
        if self.kind == "person-form":
            return exports.check_label(self.label_edit.text())
        if self.kind == "summary":
            return exports.check_summary(
                self._profile, self.reflection_id, self.chosen_topics(), label=self.label_edit.text()
            )
        if self.kind == "note":
            return exports.check_identifiers(
                self._profile, "note", reflection_id=self.reflection_id, include_private=include_private
            )
        if self.kind == "case":
            return exports.check_identifiers(
                self._profile, "case", case_ids=[self.case_id], include_drafts=self.drafts_check.isChecked()
            )
        draft = self.draft
        found = exports.check_identifiers(
            self._profile,
            "portfolio",
            case_ids=list(draft.case_ids),
            date_from=draft.date_from,
            date_to=draft.date_to,
            include_private=draft.include_private,
        )
        return found + exports.check_portfolio_draft(draft)

    def start(self) -> None:
        self.error_label.hide()
        try:
            self.findings = self.check()
        except UserFacingError as exc:
            show_error(self.error_label, error_text(exc))
            return
        if not self.findings:
            self.choose_and_export()
            return
        n = len(self.findings)
        self.title.setText("Check before you export")
        self.warning_text.setText(
            f"{n} place{'' if n == 1 else 's'} in what this PDF would print "
            f"look{'s' if n == 1 else ''} as if {'it' if n == 1 else 'they'} could identify someone. A PDF is easy "
            "to pass on: change the text first unless you are sure it is fine."
        )
        self.finding_list.clear()
        self.finding_list.addItems([str(f) for f in self.findings])
        self._show(self.warning_page, self.fix_button, self.anyway_button)

    def go_back(self) -> None:
        if any(f.where == exports.LABEL_PLACE for f in self.findings):
            # The name or initials are typed here: fix them here.
            self.title.setText(KIND_TITLES[self.kind])
            self._show(self.options_page, self.export_button)
            self.label_edit.setFocus()
            self.label_edit.selectAll()
            return
        self.back_to_fix = True
        self.reject()

    # -- exporting --------------------------------------------------------------------------------

    def _suggested(self) -> Path:
        """The file name offered: what, of which case, when; "(private)" when it holds the "For me" answers."""
        today = f"{dt.date.today():%Y-%m-%d}"
        if self.kind == "person-form":
            return documents_folder() / f"Person form {today}.pdf"
        if self.kind == "summary":
            return documents_folder() / f"Summary to share back {self._reflection().session_date:%Y-%m-%d}.pdf"
        if self.kind == "note":
            reflection = self._profile.reflections.get(self.reflection_id)
            code = self._profile.cases.get(reflection.case_id).code
            name = f"{_safe_name(code)} note {reflection.session_date:%Y-%m-%d}"
            private = self.private_check.isChecked()
        elif self.kind == "case":
            name, private = f"{_safe_name(self._profile.cases.get(self.case_id).code)} report {today}", False
        else:
            name, private = f"Portfolio pack {today}", bool(self.draft and self.draft.include_private)
        return documents_folder() / f"{name}{PRIVATE_NAME if private else ''}.pdf"

    def choose_and_export(self) -> None:
        chosen = self._chooser.save(self, "Save the PDF as", self._suggested(), "PDF (*.pdf)")
        if chosen is None:
            return
        path = with_suffix(chosen, ".pdf")
        self._cancel.clear()
        moved = self._progress.moved.emit
        cancel, closing = self._cancel.is_set, self._session.cancelled  # Cancel clicked, or the window locking
        hooks = {"page_size": self.page_size.currentText(), "progress": moved}
        hooks["cancelled"] = lambda: cancel() or closing()
        # The save dialog asked before naming an existing file; a name changed since, it did not.
        hooks["force"] = path == chosen
        if self.kind == "person-form":
            job = partial(exports.export_person_form, out=path, label=self.label_edit.text(), **hooks)
        elif self.kind == "summary":
            job = partial(
                exports.export_summary,
                reflection_id=self.reflection_id,
                out=path,
                topics=self.chosen_topics(),
                label=self.label_edit.text(),
                **hooks,
            )
        elif self.kind == "note":
            job = partial(
                exports.export_note,
                reflection_id=self.reflection_id,
                out=path,
                include_private=self.private_check.isChecked(),
                **hooks,
            )
        elif self.kind == "case":
            job = partial(
                exports.export_case_report,
                case_id=self.case_id,
                out=path,
                include_drafts=self.drafts_check.isChecked(),
                **hooks,
            )
        else:
            job = partial(exports.export_portfolio, draft=self.draft, out=path, **hooks)
        self.busy = True
        self.title.setText("Making the PDF")
        self.progress_bar.setValue(0)
        self.working_label.setText("Making the PDF\u2026")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self._show(self.working_page)
        self._session.run(job, owner=self, done=self._on_export_done, failed=self._on_export_failed)

    def _on_progress_moved(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(round(max(0.0, min(1.0, fraction)) * 100))
        if message:
            self.working_label.setText(message)

    def _on_export_done(self, path: Path) -> None:
        self.busy = False
        self.written = Path(path)
        self.title.setText("The PDF is ready")
        self.done_label.setText(f"Saved as {self.written.name} in {self.written.parent}.")
        self.cancel_button.setText("Close")
        self._show(self.done_page, self.open_button, self.folder_button)

    def _on_export_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        if isinstance(exc, ExportCancelled):
            self.title.setText(KIND_TITLES[self.kind])
            self._show(self.options_page, self.export_button)
            show_error(self.error_label, str(exc))
            return
        self.title.setText(KIND_TITLES[self.kind])
        self._show(self.options_page, self.export_button)
        show_error(self.error_label, saving_error_text(exc))

    def open_pdf(self) -> None:
        if self.written is not None:
            self._opener(QUrl.fromLocalFile(str(self.written)))

    def show_folder(self) -> None:
        if self.written is not None:
            self._opener(QUrl.fromLocalFile(str(self.written.parent)))

    def reject(self) -> None:
        if self.busy:  # Cancel while exporting stops the export; the dialog stays to say so
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.working_label.setText("Stopping\u2026")
            return
        super().reject()

    def done(self, result: int) -> None:
        self._cancel.set()  # closed by a lock: the export stops and writes nothing
        super().done(result)


# -- the portfolio pack --------------------------------------------------------------------------------


NOT_WRITTEN_NOTE = "Not written yet, so not in the pack. Write your answers below; only they are printed."
WRITTEN_NOTE = "Your own words, printed in the pack. Kept in your profile as you type."
STARTING_TITLE = "Starting points from your signed reflection \u2014 to think with, not printed"
ANSWER_TITLE = "\u270e Your answer \u2014 printed in the pack"
LINK_TICK = "Print the case code and the exact session date on each account"
NO_DATE = "Not yet"


class StartingPoints(QFrame):
    """The prompts beside one question: grey, boxed and titled as not printed, so they never pass for the answer."""

    copy_requested = Signal(str)  # the practitioner's own words, to put into their answer

    def __init__(self, points, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("starting")
        self.setStyleSheet(
            "QFrame#starting { border: 1px dashed palette(mid); border-left: 4px solid palette(mid); "
            "border-radius: 3px; background: palette(window); }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        title = QLabel(STARTING_TITLE, self)
        title.setWordWrap(True)
        faint_italic(title)
        layout.addWidget(title)
        self.labels = []
        for point in points:
            text = escape(point.text).replace("\n", "<br/>")
            gap = "<br/>" if "\n" in point.text else " "  # a list starts on its own line
            label = QLabel(f"<b>{escape(point.label)}:</b>{gap}{text}", self)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
            self.labels.append(label)
        own = "\n\n".join(p.text for p in points if p.own_words)
        self.copy_button = None
        if own:
            self.copy_button = QPushButton("Copy your own words into your answer", self)
            self.copy_button.setAccessibleName(f"Copy your own words from the reflection into your answer: {name}")
            self.copy_button.setToolTip("They are your words from the reflection: edit them there as you like")
            self.copy_button.clicked.connect(partial(self.copy_requested.emit, own))
            row = QHBoxLayout()
            row.addWidget(self.copy_button)
            row.addStretch(1)
            layout.addLayout(row)


def faint_italic(label: QLabel) -> QLabel:
    font = QFont(label.font())
    font.setItalic(True)
    label.setFont(font)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class AccountForm(QGroupBox):
    """One NMC reflective account: each question with its starting points (not printed) and the
    practitioner's answer (printed). It is in the pack once anything is written in it."""

    changed = Signal()

    def __init__(self, number: int, account, themes, parent: QWidget | None = None, *, linked: bool = False) -> None:
        super().__init__(parent)
        self.account = account
        self.edits: list[QPlainTextEdit] = []
        self.starting: list[StartingPoints] = []
        layout = QVBoxLayout(self)
        self.heading = QLabel(f"Reflective account {number}", self)
        self.heading.setFont(heading_font(self, 1.15))
        printed = "printed on it, as you chose" if linked else "not printed on it"
        source = QLabel(
            f"From your signed reflection of {day(account.session_date)} on {account.case_code} "
            f"(the case and the date are {printed}).",
            self,
        )
        source.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(source)
        self.marker = note_label(self)
        self.marker.setAccessibleName(f"Account {number}: is it written")
        layout.addWidget(self.marker)
        short = {
            "nature": "What happened",
            "learned": "What you learned",
            "changed": "How your practice changed",
            "relevance": "How it relates to the Code",
        }
        labels = [t.label for t in themes]
        for name in nmc.ANSWERS:
            text = nmc.relevance_question(labels) if name == "relevance" else nmc.QUESTIONS[name]
            question = QLabel(text, self)
            question.setWordWrap(True)
            font = QFont(question.font())
            font.setBold(True)
            question.setFont(font)
            layout.addWidget(question)
            starting = StartingPoints(account.starting.get(name, ()), short[name], self)
            starting.setVisible(bool(account.starting.get(name)))
            layout.addWidget(starting)
            self.starting.append(starting)
            answer = QLabel(ANSWER_TITLE, self)
            answer.setObjectName("answer")
            answer.setStyleSheet(
                "QLabel#answer { font-weight: bold; border: none; border-left: 4px solid #005EB8; padding-left: 6px; }"
            )
            layout.addWidget(answer)
            if name == "relevance":
                layout.addLayout(self._themes(number, themes))
            edit = QPlainTextEdit(account.answer(name), self)
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText("Write in your own words\u2026")
            edit.setAccessibleName(f"Account {number}: {short[name]}, your answer")
            edit.setMinimumHeight(70)
            edit.setMaximumHeight(160)
            edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            edit.textChanged.connect(self._on_edited)
            starting.copy_requested.connect(partial(self._on_starting_copy_requested, edit))
            answer.setBuddy(edit)
            question.setBuddy(edit)
            layout.addWidget(edit)
            layout.addWidget(IdentifierWarning(edit, self))
            self.edits.append(edit)
        self._show_marker()

    def _themes(self, number: int, themes) -> QGridLayout:
        self.theme_checks = {}
        grid = QGridLayout()
        grid.addWidget(QLabel("Your themes:", self), 0, 0)
        for n, info in enumerate(themes):
            check = QCheckBox(info.label, self)
            check.setAccessibleName(f"Account {number}: Code theme {info.label}")
            check.setChecked(info.id in self.account.themes)
            check.toggled.connect(self._on_edited)
            grid.addWidget(check, n // 2, 1 + n % 2)
            self.theme_checks[info.id] = check
        grid.setColumnStretch(3, 1)
        return grid

    def is_written(self) -> bool:
        return any(edit.toPlainText().strip() for edit in self.edits)

    def _show_marker(self) -> None:
        written = self.is_written()
        self.marker.setText(WRITTEN_NOTE if written else NOT_WRITTEN_NOTE)
        # Blue when it is hers and in the pack, grey while nothing is written.
        edge = "#005EB8" if written else "palette(mid)"
        self.marker.setStyleSheet(
            f"QLabel#note {{ border: none; border-left: 4px solid {edge}; padding: 4px 8px; "
            "background: palette(alternate-base); }"
        )

    def _on_edited(self, *_args) -> None:
        self._show_marker()
        self.changed.emit()

    def _on_starting_copy_requested(self, edit: QPlainTextEdit, words: str) -> None:
        """The practitioner's own words from the reflection go in at the end of their answer, to edit."""
        current = edit.toPlainText().rstrip()
        edit.setPlainText(f"{current}\n\n{words}" if current else words)
        edit.setFocus()
        edit.moveCursor(QTextCursor.MoveOperation.End)

    def write_back(self) -> None:
        a = self.account
        a.nature, a.learned, a.changed, a.relevance = (e.toPlainText() for e in self.edits)
        a.themes = [t for t, check in self.theme_checks.items() if check.isChecked()]


@dataclass(frozen=True, slots=True)
class PortfolioChoice:
    """The period and cases chosen in the portfolio dialog, to open it again as it was (after a lock)."""

    date_from: dt.date
    date_to: dt.date
    case_ids: tuple[uuid.UUID, ...]
    include_private: bool
    at_forms: bool
    linked: bool = False


SAVE_DELAY_MS = 1000  # what is written is kept a second after typing stops, and at once on leaving the forms


class PortfolioDialog(QDialog):
    """Choose a period and cases, then write the NMC forms, then export them as one PDF.

    What the practitioner writes in the accounts and the discussion form is kept in the profile as they
    type: the same reflections chosen again (after a lock, or any day later) bring it back.
    """

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        chooser: FileChooser | None = None,
        opener: Callable[[QUrl], bool] = open_url,
        choice: PortfolioChoice | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Portfolio pack")
        self.setModal(True)
        self._session = session
        self._profile = session.profile
        self._chooser = chooser
        self._opener = opener
        self.draft: PortfolioDraft | None = None
        self._unsaved = False
        self.forms: list[AccountForm] = []
        self.written: Path | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_edits)

        self.title = QLabel("Portfolio pack for revalidation", self)
        self.title.setFont(heading_font(self, 1.2))
        self.pages = QStackedWidget(self)

        # Choosing.
        self.choose_page = QWidget(self)
        intro = QLabel(
            "Write NMC reflective accounts from your signed reflections, and the reflective discussion form. "
            "PSI Desktop shows starting points from each reflection beside the questions; you write the answers. "
            "Reflections not signed yet are left out.",
            self.choose_page,
        )
        intro.setWordWrap(True)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addYears(-nmc.YEARS), self.choose_page)
        self.date_to = QDateEdit(today, self.choose_page)
        for edit, name in ((self.date_from, "From"), (self.date_to, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"Reflections {name.lower()}")
        self.case_list = QListWidget(self.choose_page)
        self.case_list.setAccessibleName("Cases to include")
        for summary in sorted(self._profile.cases.summaries(), key=lambda s: s.case.code.casefold()):
            item = QListWidgetItem(summary.case.code, self.case_list)
            item.setData(Qt.ItemDataRole.UserRole, summary.case.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.private_check = QCheckBox(PRIVATE_TICK, self.choose_page)
        self.private_check.setAccessibleName(PRIVATE_TICK)
        self.link_check = QCheckBox(LINK_TICK, self.choose_page)
        self.link_check.setAccessibleName(LINK_TICK)
        self.link_check.setToolTip(
            "Off unless you tick it: the NMC asks that nothing in a reflective account identifies anyone"
        )
        form = QFormLayout()
        form.addRow("&From", self.date_from)
        form.addRow("&To", self.date_to)
        page = QVBoxLayout(self.choose_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(intro)
        page.addLayout(form)
        page.addWidget(QLabel("Cases to include:", self.choose_page))
        page.addWidget(self.case_list, 1)
        page.addWidget(self.private_check)
        page.addWidget(self.link_check)
        link_note = QLabel(
            "Leave it off for forms you hand on: the NMC asks that nothing in a reflective account identifies "
            "anyone. Each account then shows only the month.",
            self.choose_page,
        )
        link_note.setWordWrap(True)
        link_note.setContentsMargins(24, 0, 0, 0)
        page.addWidget(link_note)
        self.pages.addWidget(self.choose_page)

        # The forms.
        self.forms_page = QScrollArea(self)
        self.forms_page.setWidgetResizable(True)
        self.forms_page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages.addWidget(self.forms_page)

        self.error_label = error_label(self)
        self.buttons = QDialogButtonBox(parent=self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.back_button = QPushButton("\u25c2 &Back", self)
        self.back_button.setAccessibleName("Back to choosing the period and cases")
        self.next_button = QPushButton("&Next \u25b8", self)
        self.next_button.setAccessibleName("Next: write the reflective accounts")
        self.export_button = QPushButton("&Export PDF\u2026", self)
        self.export_button.setAccessibleName("Export the portfolio pack as a PDF")
        for button in (self.back_button, self.next_button, self.export_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(820, 680)
        self._on_page(self.choose_page)
        if choice is not None:
            self._choose(choice)

    def _choose(self, choice: PortfolioChoice) -> None:
        self.date_from.setDate(QDate(choice.date_from))
        self.date_to.setDate(QDate(choice.date_to))
        for row in range(self.case_list.count()):
            item = self.case_list.item(row)
            chosen = item.data(Qt.ItemDataRole.UserRole) in choice.case_ids
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
        self.private_check.setChecked(choice.include_private)
        self.link_check.setChecked(choice.linked)
        if choice.at_forms:
            self.next()

    def choice(self) -> PortfolioChoice:
        """What is chosen now, and whether the forms are showing (ids and dates only, never text)."""
        return PortfolioChoice(
            self.date_from.date().toPython(),
            self.date_to.date().toPython(),
            tuple(self.chosen_case_ids()),
            self.private_check.isChecked(),
            self.pages.currentWidget() is self.forms_page,
            self.link_check.isChecked(),
        )

    def _on_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        forms = page is self.forms_page
        self.back_button.setVisible(forms)
        self.next_button.setVisible(not forms)
        self.export_button.setVisible(forms)
        (self.export_button if forms else self.next_button).setDefault(True)

    def chosen_case_ids(self) -> list[uuid.UUID]:
        items = (self.case_list.item(r) for r in range(self.case_list.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]

    def back(self) -> None:
        self.error_label.hide()
        if not self.save_edits():
            return
        self._on_page(self.choose_page)

    def next(self) -> None:
        self.error_label.hide()
        ids = self.chosen_case_ids()
        if not ids:
            show_error(self.error_label, "Tick at least one case.")
            return
        date_from, date_to = self.date_from.date().toPython(), self.date_to.date().toPython()
        if date_from > date_to:
            show_error(self.error_label, "The From date is after the To date.")
            return
        try:
            self.draft = exports.portfolio_draft(
                self._profile,
                ids,
                date_from,
                date_to,
                include_private=self.private_check.isChecked(),
                linked=self.link_check.isChecked(),
            )
        except UserFacingError as exc:
            show_error(self.error_label, error_text(exc))
            return
        self._build_forms()
        self._on_page(self.forms_page)
        if self.forms:
            self.forms[0].edits[0].setFocus()

    def _count_text(self) -> str:
        written = sum(1 for form in self.forms if form.is_written())
        left_out = self.draft.unsigned if self.draft else 0
        drafts = ""
        if left_out:
            drafts = (
                f" {left_out} reflection{'s' if left_out > 1 else ''} of the period {'are' if left_out > 1 else 'is'}"
            )
            drafts += " not signed yet, so not here."
        return f"{nmc.ASKED} Written so far: {written} of the {len(self.forms)} here.{drafts}"

    def _build_forms(self) -> None:
        content = QWidget()
        layout = QVBoxLayout(content)
        note = note_label(
            content,
            "Write each account in your own words. The dashed boxes are starting points from your signed "
            "reflection, to think with: they are never printed. Only what you write under \u201cYour answer\u201d "
            "goes into the pack. Do not include anything that might identify a patient, service user, colleague "
            "or anyone else.",
        )
        layout.addWidget(note)
        self.count_label = QLabel(self._count_text(), content)
        self.count_label.setWordWrap(True)
        self.count_label.setAccessibleName("How many accounts are written")
        layout.addWidget(self.count_label)
        themes = self.draft.themes_offered
        self.forms = [
            AccountForm(n, a, themes, content, linked=self.draft.linked)
            for n, a in enumerate(self.draft.accounts, start=1)
        ]
        for form in self.forms:
            form.changed.connect(self._on_forms_changed)
            layout.addWidget(form)
        self.count_label.setText(self._count_text())
        layout.addWidget(self._discussion_box(content))
        layout.addStretch(1)
        self.forms_page.setWidget(content)

    def _discussion_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(parent)
        d = self.draft.discussion
        heading = QLabel("Reflective discussion form", box)
        heading.setFont(heading_font(box, 1.15))
        about = QLabel(
            "Fill it in with the NMC registrant you talk your accounts through with; you both sign the printed form, "
            f"each with the date. {nmc.DATA_PROTECTION}",
            box,
        )
        about.setWordWrap(True)
        self.registrant_edit = QLineEdit(d.registrant_name, box)
        self.registrant_pin_edit = QLineEdit(d.registrant_pin, box)
        self.partner_edit = QLineEdit(d.partner_name, box)
        self.pin_edit = QLineEdit(d.nmc_pin, box)
        self.email_edit = QLineEdit(d.email, box)
        self.address_edit = QLineEdit(d.professional_address, box)
        self.postcode_edit = QLineEdit(d.postcode, box)
        self.discussion_date = QDateEdit(box)
        self.discussion_date.setDisplayFormat("d MMM yyyy")
        self.discussion_date.setCalendarPopup(True)
        # Its lowest date reads "Not yet" and prints a line to write on: no date is printed that nobody chose.
        self.discussion_date.setMinimumDate(QDate(2000, 1, 1))
        self.discussion_date.setSpecialValueText(NO_DATE)
        self.discussion_date.setDate(QDate(d.date) if d.date else self.discussion_date.minimumDate())
        self.summary_edit = QPlainTextEdit(d.summary, box)
        self.summary_edit.setTabChangesFocus(True)
        outer = QVBoxLayout(box)
        outer.addWidget(heading)
        outer.addWidget(about)
        rows = QFormLayout()
        outer.addLayout(rows)
        for label, widget in (
            ("Your name", self.registrant_edit),
            ("Your NMC Pin", self.registrant_pin_edit),
            ("Who you discussed them with", self.partner_edit),
            ("Their NMC Pin", self.pin_edit),
            ("Their email", self.email_edit),
            ("Their professional address", self.address_edit),
            ("Postcode", self.postcode_edit),
            ("Date of the discussion", self.discussion_date),
            ("Brief summary of your discussion", self.summary_edit),
        ):
            widget.setAccessibleName(label)
            rows.addRow(label, widget)
            signal = getattr(widget, "textChanged", None) or widget.dateChanged
            signal.connect(self._on_forms_changed)
        return box

    def write_back(self) -> None:
        for form in self.forms:
            form.write_back()
        d = self.draft.discussion
        d.registrant_name = self.registrant_edit.text()
        d.registrant_pin = self.registrant_pin_edit.text()
        d.partner_name = self.partner_edit.text()
        d.nmc_pin = self.pin_edit.text()
        d.email = self.email_edit.text()
        d.professional_address = self.address_edit.text()
        d.postcode = self.postcode_edit.text()
        chosen = self.discussion_date.date()
        d.date = None if chosen == self.discussion_date.minimumDate() else chosen.toPython()
        d.summary = self.summary_edit.toPlainText()

    # -- keeping what is written ---------------------------------------------------------------------

    def _on_forms_changed(self, *_args) -> None:
        self._unsaved = True
        self.count_label.setText(self._count_text())
        self._save_timer.start()

    def save_edits(self) -> bool:
        """Keep what is written in the profile; False (and says why) if it cannot be."""
        self._save_timer.stop()
        if self.draft is None or not self._unsaved:
            return True
        self.write_back()
        try:
            self._profile.drafts.save_portfolio_edits(self.draft)
        except UserFacingError as exc:
            show_error(self.error_label, error_text(exc))
            return False
        self._unsaved = False
        return True

    def keep_draft(self) -> None:
        """PSI Desktop is locking: what is written goes into the store now (raises if it cannot)."""
        self._save_timer.stop()
        if self.draft is None or not self._unsaved:
            return
        self.write_back()
        self._profile.drafts.save_portfolio_edits(self.draft)
        self._unsaved = False

    def done(self, result: int) -> None:
        if not self._profile.closed:
            self.save_edits()
        super().done(result)

    def export(self) -> None:
        if self.draft is None:
            return
        self.write_back()
        self.save_edits()
        dialog = PdfExportDialog(
            self._session, "portfolio", self, draft=self.draft, chooser=self._chooser, opener=self._opener
        )
        dialog.exec()
        written = dialog.written
        dialog.deleteLater()
        if written is not None:
            self.written = written
            self.accept()
