"""Bundles from the File menu: export some or all cases, and import a bundle after a preview of what it does."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.errors import OutputExistsError, ValidationError
from psi_desktop.services.bundle_format import BundleError, BundlePassphraseError, is_encrypted, read_file
from psi_desktop.services.bundle_passphrase import bundle_passphrase_hint, check_bundle_passphrase
from psi_desktop.services.bundles import (
    ENCRYPTED_SUFFIX,
    PLAIN_SUFFIX,
    ImportPlan,
    Outcome,
    PlanItem,
    apply_import,
    export_bundle,
    plan_import,
    read_bundle,
)
from psi_desktop.services.profile import Profile
from psi_desktop.ui.file_chooser import FileChooser, documents_folder
from psi_desktop.ui.formatting import day, error_label, error_text, heading_font, passphrase_edit, show_error
from psi_desktop.ui.profile_dialogs import NewPassphraseFields
from psi_desktop.ui.session import Session

PLAIN_WARNING = (
    "\u26a0 A plain JSON file is not encrypted. Anyone who gets hold of it can read every answer in it, "
    "including the private \u201cFor me\u201d answers. Use it only to move records to another tool, and "
    "delete it when you are done."
)
WRONG_PASSPHRASE = "That passphrase does not open this bundle. Check it with whoever made the bundle, and try again."
PASSPHRASE_WORDS = "The bundle passphrase is its own: it is not the one you use to unlock PSI Desktop."


def saving_error_text(exc: BaseException) -> str:
    """``error_text`` for a failed save, in the words of the save dialog rather than the command line."""
    if isinstance(exc, OutputExistsError):
        return (
            f"{exc.path.name} already exists, and nothing was written. Choose another name, or choose that "
            "file itself in the save dialog to replace it."
        )
    return error_text(exc)


def with_suffix(path: Path, suffix: str) -> Path:
    """``path`` ending in ``suffix`` (``.psibundle``, ``.psi.json``, ``.pdf``), whatever was typed."""
    if path.name.endswith(suffix):
        return path
    name = path.name
    for known in (ENCRYPTED_SUFFIX, PLAIN_SUFFIX, ".json", ".pdf"):
        if name.endswith(known):
            name = name[: -len(known)]
            break
    return path.with_name(name + suffix)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- export ------------------------------------------------------------------------------------------


class ExportBundleDialog(QDialog):
    """Which cases, encrypted or plain, the bundle passphrase; then where, and the export on a worker."""

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        chooser: FileChooser | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a bundle")
        self.setModal(True)
        self._session = session
        self._profile = session.profile  # read on this thread; the export runs on a connection of its own
        self._chooser = chooser or FileChooser()
        self.busy = False
        self.written: Path | None = None
        self.case_count = 0

        intro = QLabel(
            "A bundle carries cases with their reflections and actions to another copy of PSI Desktop: "
            "to your supervisor, or to a new computer.",
            self,
        )
        intro.setWordWrap(True)

        cases_heading = QLabel("Which cases?", self)
        cases_heading.setFont(heading_font(self, 1.1))
        self.all_radio = QRadioButton("&All cases", self)
        self.all_radio.setAccessibleName("Export all cases")
        self.some_radio = QRadioButton("&Only the cases I tick", self)
        self.some_radio.setAccessibleName("Export only the cases I tick")
        self.all_radio.setChecked(True)
        self._cases_group = QButtonGroup(self)
        self._cases_group.addButton(self.all_radio)
        self._cases_group.addButton(self.some_radio)
        self.case_list = QListWidget(self)
        self.case_list.setAccessibleName("Cases to export")
        for summary in sorted(self._profile.cases.summaries(), key=lambda s: s.case.code.casefold()):
            case = summary.case
            text = f"{case.code}  \u00b7  {_plural(summary.reflection_count, 'reflection')}"
            if case.archived:
                text += "  \u00b7  archived"
            item = QListWidgetItem(text, self.case_list)
            item.setData(Qt.ItemDataRole.UserRole, case.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        rows = max(2, min(6, self.case_list.count()))
        self.case_list.setMaximumHeight(self.case_list.sizeHintForRow(0) * rows + 2 * self.case_list.frameWidth() + 4)
        self.case_list.setEnabled(False)
        self.some_radio.toggled.connect(self._on_some_radio_toggled)
        self.case_list.itemChanged.connect(self._update_export_button)

        protect_heading = QLabel("How should it be protected?", self)
        protect_heading.setFont(heading_font(self, 1.1))
        self.encrypted_radio = QRadioButton("&Encrypted with a passphrase for this bundle (recommended)", self)
        self.encrypted_radio.setAccessibleName("Encrypted with a passphrase for this bundle")
        self.plain_radio = QRadioButton("&Plain JSON (not encrypted)", self)
        self.plain_radio.setAccessibleName("Plain JSON, not encrypted")
        self.encrypted_radio.setChecked(True)
        self._protect_group = QButtonGroup(self)
        self._protect_group.addButton(self.encrypted_radio)
        self._protect_group.addButton(self.plain_radio)
        self.passphrase_note = QLabel(
            PASSPHRASE_WORDS + " Tell it to the person who will open the bundle in person or by phone, "
            "never in the same email.",
            self,
        )
        self.passphrase_note.setWordWrap(True)
        self.fields = NewPassphraseFields(self, first_label="Bundle &passphrase")
        # After the fields' own hint (connected first): the bundle rule's words replace it.
        self.fields.passphrase_edit.textChanged.connect(self._on_bundle_passphrase_changed)
        self.plain_warning = QLabel(PLAIN_WARNING, self)
        self.plain_warning.setWordWrap(True)
        self.plain_warning.setObjectName("plain_warning")
        self.plain_warning.setAccessibleName("Warning: plain JSON is not encrypted")
        self.plain_warning.setStyleSheet(
            "QLabel#plain_warning { border-left: 4px solid #D55E00; padding: 6px 8px; "
            "background: palette(alternate-base); font-weight: bold; }"
        )
        self.plain_warning.hide()
        self.plain_radio.toggled.connect(self._on_plain_radio_toggled)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Exporting")
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.error_label = error_label(self)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.export_button = self.buttons.addButton("E&xport\u2026", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setAccessibleName("Choose where to save the bundle, then export")
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self._from_row())
        layout.addSpacing(6)
        layout.addWidget(cases_heading)
        layout.addWidget(self.all_radio)
        layout.addWidget(self.some_radio)
        layout.addWidget(self.case_list)
        layout.addSpacing(6)
        layout.addWidget(protect_heading)
        layout.addWidget(self.encrypted_radio)
        layout.addWidget(self.plain_radio)
        layout.addSpacing(4)
        layout.addWidget(self.passphrase_note)
        layout.addWidget(self.fields)
        layout.addWidget(self.plain_warning)
        layout.addWidget(self.progress)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    def chosen_case_ids(self) -> list[uuid.UUID] | None:
        """None for every case, else the ticked ones."""
        if self.all_radio.isChecked():
            return None
        ticked = []
        for row in range(self.case_list.count()):
            item = self.case_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ticked.append(item.data(Qt.ItemDataRole.UserRole))
        return ticked

    def set_case_ticked(self, case_id: uuid.UUID, ticked: bool = True) -> None:
        for row in range(self.case_list.count()):
            item = self.case_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == case_id:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _on_some_radio_toggled(self, some: bool) -> None:
        self.case_list.setEnabled(some)
        if some:
            self.case_list.setFocus()
        self._update_export_button()

    def _on_plain_radio_toggled(self, plain: bool) -> None:
        self.fields.setVisible(not plain)
        self.passphrase_note.setVisible(not plain)
        self.plain_warning.setVisible(plain)
        self.error_label.hide()

    def _on_bundle_passphrase_changed(self, text: str) -> None:
        if text:
            self.fields.strength_label.setText(bundle_passphrase_hint(text))

    def _update_export_button(self) -> None:
        ids = self.chosen_case_ids()
        self.export_button.setEnabled(ids is None or bool(ids))

    def export(self) -> None:
        if self.busy:
            return
        self.error_label.hide()
        ids = self.chosen_case_ids()
        if ids is not None and not ids:
            show_error(self.error_label, "Tick at least one case, or choose All cases.")
            return
        plain = self.plain_radio.isChecked()
        passphrase = None
        if not plain:
            try:
                check_bundle_passphrase(self.fields.passphrase(), self.fields.again())
            except ValidationError as exc:
                show_error(self.error_label, str(exc))
                self.fields.passphrase_edit.setFocus()
                return
            passphrase = self.fields.passphrase()
        suffix = PLAIN_SUFFIX if plain else ENCRYPTED_SUFFIX
        suggested = documents_folder() / f"PSI records {dt.date.today():%Y-%m-%d}{suffix}"
        name_filter = f"Plain bundle (*{PLAIN_SUFFIX})" if plain else f"Encrypted bundle (*{ENCRYPTED_SUFFIX})"
        chosen = self._chooser.save(self, "Save the bundle as", suggested, name_filter)
        if chosen is None:
            return
        path = with_suffix(chosen, suffix)
        self.case_count = len(ids) if ids is not None else len(self._profile.cases.summaries())
        job = partial(
            export_bundle,
            out=path,
            case_ids=ids,
            passphrase=passphrase,
            force=path == chosen,  # the save dialog asked before naming an existing file; a changed name it did not
        )
        self._set_busy(True)
        self._session.run(job, owner=self, done=partial(self._on_export_done, path), failed=self._on_export_failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        for widget in (self.all_radio, self.some_radio, self.encrypted_radio, self.plain_radio, self.fields):
            widget.setEnabled(not busy)
        self.case_list.setEnabled(not busy and self.some_radio.isChecked())
        self.buttons.setEnabled(not busy)
        self.export_button.setText("Exporting\u2026" if busy else "E&xport\u2026")

    def _on_export_done(self, path: Path, _doc: dict) -> None:
        self._set_busy(False)
        self.written = path
        self.fields.clear()
        self.accept()

    def _on_export_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_error(self.error_label, saving_error_text(exc))

    def reject(self) -> None:
        if not self.busy:
            self.fields.clear()
            super().reject()

    # -- whom the bundle is from (issue 17 item 4): shown, and changed here; never needed to export ---------

    def _from_row(self) -> QHBoxLayout:
        self.from_label = QLabel(self)
        self.from_label.setWordWrap(True)
        self.details_button = QPushButton("Your &details\u2026", self)
        self.details_button.setAccessibleName("Change your name, role and NMC Pin")
        self.details_button.clicked.connect(self._on_details_button_clicked)
        self._show_from()
        row = QHBoxLayout()
        row.addWidget(self.from_label, 1)
        row.addWidget(self.details_button)
        return row

    def _show_from(self) -> None:
        from psi_desktop.services.practitioners import owner

        me = owner(self._profile)
        self.from_label.setText(
            f"From {me.label}."
            if me.name
            else "From an unnamed practitioner: add your name so your supervisor sees whose cases these are."
        )

    def _on_details_button_clicked(self) -> None:
        from psi_desktop.ui.practitioner_dialogs import YourDetailsDialog

        dialog = YourDetailsDialog(self._session, self)
        dialog.exec()
        dialog.deleteLater()
        self._show_from()


# -- import ------------------------------------------------------------------------------------------

KINDS = {"case": "Case", "reflection": "Reflection", "action": "Action"}


def outcome_words(item: PlanItem) -> str:
    """What importing does with one record, in plain words."""
    if item.outcome is Outcome.RENAMED:
        return f"Added as \u201c{item.new_code}\u201d: you already use that code"
    return {
        Outcome.ADD: "Will be added",
        Outcome.SAME: "Already here",
        Outcome.SUPERSEDES: "Signed version replaces your draft (your draft is kept)",
        Outcome.AMENDMENTS: "New amendments will be added",
        Outcome.CONFLICT: "Kept beside yours as a conflict",
    }[item.outcome]


def _date_words(value: str) -> str:
    try:
        return day(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def item_labels(plan: ImportPlan) -> dict[tuple[str, str], str]:
    """A readable label for each record: a case's code, a reflection's date and case, an action's words."""
    doc = plan.document
    codes = {c["id"]: " ".join(str(c["code"]).split()) for c in doc.get("cases", [])}
    labels: dict[tuple[str, str], str] = {}
    for c in doc.get("cases", []):
        labels[("case", c["id"])] = codes[c["id"]]
    for r in doc.get("reflections", []):
        labels[("reflection", r["id"])] = (
            f"Session of {_date_words(r['session_date'])} \u00b7 {codes.get(r['case_id'], '')}"
        )
    for a in doc.get("actions", []):
        text = " ".join(str(a.get("text", "")).split())
        text = text if len(text) <= 60 else text[:59] + "\u2026"
        labels[("action", a["id"])] = f"{text} \u00b7 {codes.get(a['case_id'], '')}"
    return labels


def counts_line(plan: ImportPlan) -> str:
    """``3 to add · 2 already here · 1 conflict``: the three numbers the preview leads with."""
    added = sum(plan.count(o) for o in (Outcome.ADD, Outcome.RENAMED, Outcome.SUPERSEDES, Outcome.AMENDMENTS))
    same = plan.count(Outcome.SAME)
    conflicts = plan.count(Outcome.CONFLICT)
    return (
        f"{added} to add or update \u00b7 {same} already here \u00b7 "
        f"{conflicts} conflict{'' if conflicts == 1 else 's'}"
    )


def bundle_is_encrypted(path: Path) -> bool:
    try:
        return is_encrypted(read_file(path))  # a pipe or device chosen in the file dialog must not hang here
    except BundleError:
        return False  # read_bundle says what is wrong with it


def _read_and_plan(path: Path, passphrase: str | None, profile: Profile) -> ImportPlan:
    return plan_import(profile, read_bundle(path, passphrase))


class ImportPreviewDialog(QDialog):
    """Importing one bundle: its passphrase when encrypted, then what importing will do, then Import.

    Nothing is written until Import is clicked; a bundle with problems lists every one and imports nothing.
    """

    def __init__(self, session: Session, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {path.name}")
        self.setModal(True)
        self._session = session  # reading the bundle and importing it run on connections of their own
        self.path = path
        self.plan: ImportPlan | None = None
        self.problems: list[str] = []
        self.imported = False
        self.busy = False

        self.title = QLabel(self)
        self.title.setFont(heading_font(self, 1.2))
        self.title.setWordWrap(True)
        self.pages = QStackedWidget(self)

        # The passphrase page.
        self.passphrase_page = QWidget(self)
        text = QLabel(f"{path.name} is encrypted. Type the passphrase it was exported with.\n\n{PASSPHRASE_WORDS}")
        text.setWordWrap(True)
        self.passphrase_edit = passphrase_edit(self.passphrase_page, "Bundle passphrase")
        self.passphrase_error = error_label(self.passphrase_page)
        form = QFormLayout()
        form.addRow("Bundle &passphrase", self.passphrase_edit)
        page = QVBoxLayout(self.passphrase_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(text)
        page.addLayout(form)
        page.addWidget(self.passphrase_error)
        page.addStretch(1)
        self.pages.addWidget(self.passphrase_page)

        # Reading (the passphrase's key takes a moment).
        self.working_page = QWidget(self)
        self.working_label = QLabel("Reading the bundle\u2026", self.working_page)
        bar = QProgressBar(self.working_page)
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        bar.setAccessibleName("Reading the bundle")
        page = QVBoxLayout(self.working_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.working_label)
        page.addWidget(bar)
        page.addStretch(1)
        self.pages.addWidget(self.working_page)

        # The preview.
        self.preview_page = QWidget(self)
        self.counts_label = QLabel(self.preview_page)
        self.counts_label.setFont(heading_font(self, 1.05))
        self.counts_label.setAccessibleName("What importing will do, in numbers")
        self.summary_label = QLabel(self.preview_page)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("What importing will do")
        self.table = QTableWidget(0, 3, self.preview_page)
        self.table.setAccessibleName("Records in this bundle and what happens to each")
        self.table.setHorizontalHeaderLabels(("Record", "Which", "What happens"))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.conflict_note = QLabel(
            "A conflict keeps your version as it is; the version from the bundle is stored beside it, so "
            "nothing is lost. See them in File \u2192 Conflicts from imports.",
            self.preview_page,
        )
        self.conflict_note.setWordWrap(True)
        self.import_error = error_label(self.preview_page)
        # Whose records they are (bundle format 3), and "they are mine" for a move between laptops.
        self.whose_label = QLabel(self.preview_page)
        self.whose_label.setWordWrap(True)
        self.mine_check = QCheckBox("These are my own records, from another profile of mine (such as an old laptop)")
        self.mine_check.toggled.connect(self._on_mine_check_toggled)
        page = QVBoxLayout(self.preview_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.counts_label)
        page.addWidget(self.summary_label)
        page.addWidget(self.whose_label)
        page.addWidget(self.mine_check)
        page.addWidget(self.table, 1)
        page.addWidget(self.conflict_note)
        page.addWidget(self.import_error)
        self.pages.addWidget(self.preview_page)

        # A bundle that cannot be imported.
        self.problems_page = QWidget(self)
        self.problem_text = QLabel(self.problems_page)
        self.problem_text.setWordWrap(True)
        self.problem_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_list = QListWidget(self.problems_page)
        self.problem_list.setAccessibleName("Problems found in the bundle, each with where it is")
        self.problem_list.setWordWrap(True)
        self.problem_after = QLabel(
            "Nothing has been imported and nothing here has changed. Ask whoever made the bundle to export it "
            "again; if it keeps happening, show this list to IT.",
            self.problems_page,
        )
        self.problem_after.setWordWrap(True)
        page = QVBoxLayout(self.problems_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.problem_text)
        page.addWidget(self.problem_list, 1)
        page.addWidget(self.problem_after)
        self.pages.addWidget(self.problems_page)

        self.buttons = QDialogButtonBox(parent=self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = QPushButton("&Open the bundle", self)
        self.open_button.setAccessibleName("Open the bundle with this passphrase")
        self.import_button = QPushButton("&Import", self)
        self.import_button.setAccessibleName("Import these records")
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.import_button.clicked.connect(self.import_now)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        self.resize(680, 460)

        if bundle_is_encrypted(path):
            self._show_passphrase_page()
        else:
            self._read(None)

    # -- pages -------------------------------------------------------------------------------------

    def _show_page(self, page: QWidget, title: str, *, open_: bool = False, import_: bool = False) -> None:
        self.title.setText(title)
        self.pages.setCurrentWidget(page)
        self.open_button.setVisible(open_)
        self.open_button.setDefault(open_)
        self.import_button.setVisible(import_)
        self.import_button.setDefault(import_)

    def _show_passphrase_page(self) -> None:
        self._show_page(self.passphrase_page, "This bundle is encrypted", open_=True)
        self.passphrase_edit.setFocus()
        self.passphrase_edit.selectAll()

    def _on_open_button_clicked(self) -> None:
        if not self.passphrase_edit.text():
            show_error(self.passphrase_error, "Type the bundle's passphrase.")
            return
        self._read(self.passphrase_edit.text())

    def _read(self, passphrase: str | None) -> None:
        self.passphrase_error.hide()
        self._show_page(self.working_page, "Reading the bundle")
        self.busy = True
        self._session.run(
            partial(_read_and_plan, self.path, passphrase),
            owner=self,
            done=self.show_plan,
            failed=self._on_read_failed,
        )

    def _on_read_failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, BundlePassphraseError):
            self._show_passphrase_page()
            show_error(self.passphrase_error, WRONG_PASSPHRASE)
            return
        self.show_problems(exc)

    def show_plan(self, plan: ImportPlan) -> None:
        self.busy = False
        self.passphrase_edit.clear()
        self.plan = plan
        changes = plan.changes_anything
        self._show_page(
            self.preview_page,
            "Check what will be imported" if changes else "Everything in this bundle is already here",
            import_=changes,
        )
        self.cancel_button.setText("Cancel" if changes else "Close")
        self.counts_label.setText(counts_line(plan))
        self.summary_label.setText(plan.summary() + ".")
        self._show_whose(plan)
        labels = item_labels(plan)
        order = {"case": 0, "reflection": 1, "action": 2}
        items = sorted(plan.items, key=lambda i: (i.outcome is Outcome.SAME, order.get(i.kind, 3)))
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (KINDS.get(item.kind, item.kind), labels.get((item.kind, item.record_id), item.label))
            for column, value in enumerate((*cells, outcome_words(item))):
                cell = QTableWidgetItem(value)
                if column == 2 and item.outcome is Outcome.CONFLICT:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(row, column, cell)
        self.conflict_note.setVisible(plan.count(Outcome.CONFLICT) > 0)
        (self.import_button if changes else self.cancel_button).setFocus()

    def show_problems(self, exc: BaseException) -> None:
        self.busy = False
        self.passphrase_edit.clear()
        problems = list(getattr(exc, "problems", []) or [])
        self.problems = problems
        self.problem_list.clear()
        if problems:
            self._show_page(self.problems_page, "This bundle cannot be imported")
            total = getattr(exc.problems, "total", len(problems))  # a long list stops at MAX_PROBLEMS
            listed = "Each is listed" if total == len(problems) else f"The first {len(problems)} are listed, each"
            self.problem_text.setText(
                f"PSI Desktop checked the whole bundle and found {_plural(total, 'problem')}. {listed} "
                "with where it is in the file. A \u201csignature\u201d problem means a signed reflection "
                "was changed after it was signed."
            )
            self.problem_list.addItems(problems)
            self.problem_list.show()
        else:
            damaged = isinstance(exc, BundleError)
            self._show_page(
                self.problems_page, "This bundle is damaged" if damaged else "This bundle could not be read"
            )
            self.problem_text.setText(str(exc).splitlines()[0] if damaged else error_text(exc))
            self.problem_list.hide()
        self.cancel_button.setText("Close")
        self.cancel_button.setFocus()

    # -- importing ---------------------------------------------------------------------------------

    def import_now(self) -> None:
        if self.plan is None or self.busy:
            return
        self.busy = True
        self.import_error.hide()
        self.import_button.setText("Importing\u2026")
        self.buttons.setEnabled(False)
        plan, source = self.plan, self.path.name
        self._session.run(
            lambda profile: apply_import(profile, plan, source=source),
            owner=self,
            done=self._on_import_done,
            failed=self._on_import_failed,
        )

    def _on_import_done(self, _result: object) -> None:
        self.busy = False
        self.imported = True
        self.accept()

    def _on_import_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.import_button.setText("&Import")
        show_error(self.import_error, error_text(exc) + " Nothing was imported.")

    def reject(self) -> None:
        if not self.busy:
            self.passphrase_edit.clear()
            super().reject()

    def result_message(self) -> str:
        """The status-bar line after importing."""
        if self.plan is None:
            return ""
        parts = []
        for kind in ("case", "reflection", "action"):
            n = self.plan.count(Outcome.ADD, kind) + self.plan.count(Outcome.RENAMED, kind)
            if n:
                parts.append(_plural(n, kind))
        added = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else "nothing"
        conflicts = self.plan.count(Outcome.CONFLICT)
        text = f"Imported {self.path.name}: {added} added"
        updated = self.plan.count(Outcome.SUPERSEDES) + self.plan.count(Outcome.AMENDMENTS)
        if updated:
            text += f", {updated} updated"
        if conflicts:
            text += f", {_plural(conflicts, 'conflict')} kept beside yours (File \u2192 Conflicts from imports)"
        return text + "."

    # -- whose records they are (issue 17 item 4) ------------------------------------------------------

    def _show_whose(self, plan: ImportPlan) -> None:
        self.whose_label.setText(plan.whose() + "." if plan.whose() else "")
        self.whose_label.setVisible(bool(plan.whose()))
        # Offered for a bundle from someone else, or when it was ticked (so it can be unticked).
        self.mine_check.setVisible(plan.sender is not None and (not plan.sender_is_me or self.mine_check.isChecked()))

    def _on_mine_check_toggled(self, mine: bool) -> None:
        if self.plan is None or self.busy:
            return
        self.busy = True
        doc = self.plan.document
        self._session.run(
            lambda profile: plan_import(profile, doc, as_own=mine),
            owner=self,
            done=self.show_plan,
            failed=self.show_problems,
        )
