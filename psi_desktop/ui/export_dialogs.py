"""PDF exports: a supervision note, a case report and a portfolio pack, after the identifiable check."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
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

from psi_desktop.errors import UserFacingError
from psi_desktop.services import exports
from psi_desktop.services.drafts import copy_accounts
from psi_desktop.services.exports import ExportCancelled, ExportFinding, PortfolioDraft
from psi_desktop.services.profile import Profile
from psi_desktop.ui.bundle_dialogs import FileChooser, documents_folder, saving_error_text, with_suffix
from psi_desktop.ui.formatting import day, error_label, error_text, heading_font, note_label, show_error
from psi_desktop.ui.workers import Progress, Worker

PRIVATE_TICK = "Include the private \u201cFor me\u201d answers"
PRIVATE_NAME = " (private)"
"""Ends the file name offered for a PDF with the "For me" answers in it, so the file says so too."""
KIND_TITLES = {
    "note": "Export the supervision note",
    "case": "Export a case report",
    "portfolio": "Export the portfolio pack",
}


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
        profile: Profile,
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
        self._profile = profile
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
        self.page_size = QComboBox(self.options_page)
        self.page_size.addItems(exports.PAGE_SIZES)
        self.page_size.setAccessibleName("Page size")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Page &size", self.page_size)
        page = QVBoxLayout(self.options_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.what_label)
        page.addWidget(self.private_check)
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
        self.resize(560, 320)
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

    def _what(self) -> str:
        profile = self._profile
        if self.kind == "note":
            reflection = profile.reflections.get(self.reflection_id)
            case = profile.cases.get(reflection.case_id)
            return (
                f"The supervision note of the session of {day(reflection.session_date)} on {case.code}: its answers, "
                "ratings, discussion points, actions and signature."
            )
        if self.kind == "case":
            case = profile.cases.get(self.case_id)
            return f"A report of {case.code}: its charts, every reflection summarised and its actions."
        count = len(self.draft.reflection_ids) if self.draft else 0
        return f"The portfolio pack: {count} NMC reflective account(s) and the reflective discussion record."

    # -- checking ---------------------------------------------------------------------------------

    def check(self) -> list[ExportFinding]:
        include_private = self.private_check.isChecked()
        if self.kind == "note":
            return exports.check_identifiers(
                self._profile, "note", reflection_id=self.reflection_id, include_private=include_private
            )
        if self.kind == "case":
            return exports.check_identifiers(self._profile, "case", case_ids=[self.case_id])
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
        self.back_to_fix = True
        self.reject()

    # -- exporting --------------------------------------------------------------------------------

    def _suggested(self) -> Path:
        """The file name offered: what, of which case, when; "(private)" when it holds the "For me" answers."""
        today = f"{dt.date.today():%Y-%m-%d}"
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
        hooks = {"page_size": self.page_size.currentText(), "progress": moved, "cancelled": self._cancel.is_set}
        # The save dialog asked before naming an existing file; a name changed since, it did not.
        hooks["force"] = path == chosen
        if self.kind == "note":
            job = partial(
                exports.export_note,
                self._profile,
                self.reflection_id,
                path,
                include_private=self.private_check.isChecked(),
                **hooks,
            )
        elif self.kind == "case":
            job = partial(exports.export_case_report, self._profile, self.case_id, path, **hooks)
        else:
            job = partial(exports.export_portfolio, self._profile, self.draft, path, **hooks)
        self.busy = True
        self.title.setText("Making the PDF")
        self.progress_bar.setValue(0)
        self.working_label.setText("Making the PDF\u2026")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self._show(self.working_page)
        Worker(job, owner=self, done=self._on_export_done, failed=self._on_export_failed).start()

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


DRAFTED_NOTE = "Drafted by PSI Desktop from the reflection: a starting point. Put it in your own words."
EDITED_NOTE = "Your own words: your changes are kept in your profile."


class AccountForm(QGroupBox):
    """One NMC reflective account, editable, marked as PSI Desktop's draft until the person changes it."""

    changed = Signal()
    reset_requested = Signal()  # back to the drafted text

    def __init__(self, number: int, account, drafted, parent: QWidget | None = None) -> None:
        from psi_desktop.reporting.portfolio import CODE_THEME_LABELS, NMC_QUESTIONS

        super().__init__(f"Reflective account {number}: {account.case_code}, {day(account.session_date)}", parent)
        self.account = account
        self.drafted = drafted  # the starting point PSI Desktop wrote
        self.edits: list[QPlainTextEdit] = []
        layout = QVBoxLayout(self)
        self.marker = note_label(self)
        self.marker.setAccessibleName(f"Account {number}: who wrote it")
        self.reset_button = QPushButton("Go back to the drafted text", self)
        self.reset_button.setAccessibleName(f"Account {number}: go back to the text PSI Desktop drafted")
        self.reset_button.clicked.connect(self.reset_requested)
        marks = QHBoxLayout()
        marks.addWidget(self.marker, 1)
        marks.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(marks)
        short = ("What happened", "What you learned", "How your practice changed", "How it relates to the Code")
        for question, name, value in zip(
            NMC_QUESTIONS, short, (account.nature, account.learned, account.changed, account.relevance), strict=True
        ):
            label = QLabel(question, self)
            label.setWordWrap(True)
            edit = QPlainTextEdit(value, self)
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(f"Account {number}: {name}")
            edit.setMinimumHeight(70)
            edit.setMaximumHeight(150)
            edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            edit.textChanged.connect(self._on_edited)
            label.setBuddy(edit)
            layout.addWidget(label)
            layout.addWidget(edit)
            self.edits.append(edit)
        self.theme_checks = {}
        themes = QGridLayout()
        themes.addWidget(QLabel("Code themes:", self), 0, 0)
        for n, (theme, text) in enumerate(CODE_THEME_LABELS.items()):
            check = QCheckBox(text, self)
            check.setAccessibleName(f"Account {number}: Code theme {text}")
            check.setChecked(theme in account.themes)
            check.toggled.connect(self._on_edited)
            themes.addWidget(check, n // 2, 1 + n % 2)
            self.theme_checks[theme] = check
        themes.setColumnStretch(3, 1)
        layout.addLayout(themes)
        self._show_marker()

    def _texts(self) -> tuple[list[str], set]:
        return [e.toPlainText() for e in self.edits], {t for t, check in self.theme_checks.items() if check.isChecked()}

    def is_drafted(self) -> bool:
        """True while the account still says exactly what PSI Desktop drafted."""
        d = self.drafted
        return self._texts() == ([d.nature, d.learned, d.changed, d.relevance], set(d.themes))

    def _show_marker(self) -> None:
        drafted = self.is_drafted()
        self.marker.setText(DRAFTED_NOTE if drafted else EDITED_NOTE)
        self.reset_button.setVisible(not drafted)

    def _on_edited(self, *_args) -> None:
        self._show_marker()
        self.changed.emit()

    def reset(self) -> None:
        """Put the drafted text back in every field."""
        d = self.drafted
        for edit, value in zip(self.edits, (d.nature, d.learned, d.changed, d.relevance), strict=True):
            edit.blockSignals(True)
            edit.setPlainText(value)
            edit.blockSignals(False)
        for theme, check in self.theme_checks.items():
            check.blockSignals(True)
            check.setChecked(theme in d.themes)
            check.blockSignals(False)
        self._show_marker()

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


SAVE_DELAY_MS = 1000  # edits are kept a second after typing stops, and at once on leaving the forms


class PortfolioDialog(QDialog):
    """Choose a period and cases, then edit the NMC forms, then export them as one PDF.

    The edited accounts and the discussion record are kept in the profile as they are typed: the same
    reflections chosen again (after a lock, or any day later) bring them back.
    """

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        chooser: FileChooser | None = None,
        opener: Callable[[QUrl], bool] = open_url,
        choice: PortfolioChoice | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Portfolio pack")
        self.setModal(True)
        self._profile = profile
        self._chooser = chooser
        self._opener = opener
        self.draft: PortfolioDraft | None = None
        self._drafted: list = []  # the accounts as PSI Desktop drafted them
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
            "Turn reflections into NMC reflective accounts and a reflective discussion record. You can edit "
            "every account before it is exported.",
            self.choose_page,
        )
        intro.setWordWrap(True)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addYears(-3), self.choose_page)
        self.date_to = QDateEdit(today, self.choose_page)
        for edit, name in ((self.date_from, "From"), (self.date_to, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"Reflections {name.lower()}")
        self.case_list = QListWidget(self.choose_page)
        self.case_list.setAccessibleName("Cases to include")
        for summary in sorted(profile.cases.summaries(), key=lambda s: s.case.code.casefold()):
            item = QListWidgetItem(summary.case.code, self.case_list)
            item.setData(Qt.ItemDataRole.UserRole, summary.case.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.private_check = QCheckBox(PRIVATE_TICK, self.choose_page)
        self.private_check.setAccessibleName(PRIVATE_TICK)
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
        self.next_button.setAccessibleName("Next: edit the reflective accounts")
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
        self.resize(760, 620)
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
                self._profile, ids, date_from, date_to, include_private=self.private_check.isChecked()
            )
            self._drafted = copy_accounts(self.draft.accounts)
            self._profile.drafts.apply_portfolio_edits(self.draft)
        except UserFacingError as exc:
            show_error(self.error_label, error_text(exc))
            return
        self._build_forms()
        self._on_page(self.forms_page)
        if self.forms:
            self.forms[0].edits[0].setFocus()

    def _build_forms(self) -> None:
        content = QWidget()
        layout = QVBoxLayout(content)
        note = QLabel(
            "Each account is filled in from its reflection. Change anything you like: this is your account, "
            "and your changes are kept. Your supervisor's details go in the reflective discussion record at the end.",
            content,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.forms = [
            AccountForm(n, a, drafted, content)
            for n, (a, drafted) in enumerate(zip(self.draft.accounts, self._drafted, strict=True), start=1)
        ]
        for form in self.forms:
            form.changed.connect(self._on_forms_changed)
            form.reset_requested.connect(partial(self._on_form_reset_requested, form))
            layout.addWidget(form)
        discussion = QGroupBox("Reflective discussion record", content)
        d = self.draft.discussion
        self.partner_edit = QLineEdit(d.partner_name, discussion)
        self.pin_edit = QLineEdit(d.nmc_pin, discussion)
        self.email_edit = QLineEdit(d.email, discussion)
        self.address_edit = QLineEdit(d.professional_address, discussion)
        self.postcode_edit = QLineEdit(d.postcode, discussion)
        self.discussion_date = QDateEdit(QDate(d.date) if d.date else QDate.currentDate(), discussion)
        self.discussion_date.setDisplayFormat("d MMM yyyy")
        self.discussion_date.setCalendarPopup(True)
        self.summary_edit = QPlainTextEdit(d.summary, discussion)
        self.summary_edit.setTabChangesFocus(True)
        rows = QFormLayout(discussion)
        for label, widget in (
            ("Who you discussed them with", self.partner_edit),
            ("Their NMC PIN", self.pin_edit),
            ("Their email", self.email_edit),
            ("Their professional address", self.address_edit),
            ("Postcode", self.postcode_edit),
            ("Date of the discussion", self.discussion_date),
            ("Summary of the discussion", self.summary_edit),
        ):
            widget.setAccessibleName(label)
            rows.addRow(label, widget)
            signal = getattr(widget, "textChanged", None) or widget.dateChanged
            signal.connect(self._on_forms_changed)
        layout.addWidget(discussion)
        layout.addStretch(1)
        self.forms_page.setWidget(content)

    def write_back(self) -> None:
        for form in self.forms:
            form.write_back()
        d = self.draft.discussion
        d.partner_name = self.partner_edit.text()
        d.nmc_pin = self.pin_edit.text()
        d.email = self.email_edit.text()
        d.professional_address = self.address_edit.text()
        d.postcode = self.postcode_edit.text()
        d.date = self.discussion_date.date().toPython()
        d.summary = self.summary_edit.toPlainText()

    # -- keeping the edits ---------------------------------------------------------------------------

    def _on_forms_changed(self, *_args) -> None:
        self._unsaved = True
        self._save_timer.start()

    def _on_form_reset_requested(self, form: AccountForm) -> None:
        form.reset()
        self._unsaved = True
        self.save_edits()

    def save_edits(self) -> bool:
        """Keep the edited accounts and the discussion record in the profile; False (and says why) if not."""
        self._save_timer.stop()
        if self.draft is None or not self._unsaved:
            return True
        self.write_back()
        try:
            self._profile.drafts.save_portfolio_edits(self.draft, self._drafted)
        except UserFacingError as exc:
            show_error(self.error_label, error_text(exc))
            return False
        self._unsaved = False
        return True

    def keep_draft(self) -> None:
        """PSI Desktop is locking: the edits go into the store now (raises if they cannot)."""
        self._save_timer.stop()
        if self.draft is None or not self._unsaved:
            return
        self.write_back()
        self._profile.drafts.save_portfolio_edits(self.draft, self._drafted)
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
            self._profile, "portfolio", self, draft=self.draft, chooser=self._chooser, opener=self._opener
        )
        dialog.exec()
        written = dialog.written
        dialog.deleteLater()
        if written is not None:
            self.written = written
            self.accept()
