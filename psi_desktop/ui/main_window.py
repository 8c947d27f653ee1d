"""The main window: cases on the left, the chosen case on the right."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter, QStackedWidget

from psi_desktop.errors import UserFacingError
from psi_desktop.services.profile import Profile
from psi_desktop.ui.actions import build_actions
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.case_list import CaseListScreen
from psi_desktop.ui.case_page import CasePageScreen
from psi_desktop.ui.help_dialogs import AboutDialog, ShortcutsDialog

NO_CASE_TEXT = (
    "Choose a case on the left, or create one with New case (Ctrl+Shift+N).\n\n"
    "Give each case a code, never a name \u2014 for example \u201cWard 3 - A\u201d."
)


class MainWindow(QMainWindow):
    def __init__(self, profile: Profile, settings: QSettings, *, title_note: str = "") -> None:
        super().__init__()
        self.profile = profile
        self.settings = settings
        self.setWindowTitle("PSI Desktop" + (f" ({title_note})" if title_note else ""))

        self.case_list = CaseListScreen(self)
        self.case_page = CasePageScreen(profile.cases, self)
        self.no_case = QLabel(NO_CASE_TEXT, self)
        self.no_case.setWordWrap(True)
        self.no_case.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.right = QStackedWidget(self)
        self.right.addWidget(self.no_case)
        self.right.addWidget(self.case_page)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.case_list)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 640])
        self.setCentralWidget(self.splitter)

        self.menu_actions = build_actions(
            self,
            {
                "new_case": self.new_case,
                "quit": self.close,
                "rename_case": self.rename_case,
                "archive_case": lambda: self._set_archived(True),
                "unarchive_case": lambda: self._set_archived(False),
                "find": self._on_find_triggered,
                "show_archived": self._on_show_archived_toggled,
                "shortcuts": lambda: ShortcutsDialog(self).exec(),
                "about": self.show_about,
            },
        )
        self.case_list.case_selected.connect(self._on_case_list_case_selected)
        self.case_list.new_case_requested.connect(self.new_case)
        self.case_page.rename_requested.connect(self.rename_case)
        self.case_page.archive_toggled.connect(self._on_case_page_archive_toggled)

        self.statusBar()
        self.resize(1000, 640)
        self._restore_state()
        self.refresh()

    # -- what the user can do -------------------------------------------------------------

    def refresh(self, select: uuid.UUID | None = None) -> None:
        self.case_list.set_summaries(self.profile.cases.summaries(), select)
        self._on_case_list_case_selected(self.case_list.current_case_id())

    def new_case(self) -> None:
        dialog = CaseDialog(self.profile.cases.create, self)
        if dialog.exec() and dialog.case is not None:
            self.refresh(select=dialog.case.id)
            self.statusBar().showMessage("Case created", 4000)

    def rename_case(self) -> None:
        case = self.case_page.case
        if case is None:
            return

        def submit(code: str, setting: str):
            self.profile.cases.rename(case.id, code)
            return self.profile.cases.change_setting(case.id, setting)

        dialog = CaseDialog(submit, self, case=case)
        if dialog.exec():
            self.refresh(select=case.id)

    def show_about(self) -> None:
        AboutDialog(self.profile.frameworks.latest("psi"), self).exec()

    def _set_archived(self, archived: bool) -> None:
        case = self.case_page.case
        if case is None or case.archived == archived:
            return
        try:
            if archived:
                self.profile.cases.archive(case.id)
            else:
                self.profile.cases.unarchive(case.id)
        except UserFacingError as exc:
            QMessageBox.warning(self, "PSI Desktop", str(exc))
            return
        self.refresh(select=case.id)
        message = "Case archived. Show it again with View \u2192 Show archived cases." if archived else "Case restored"
        self.statusBar().showMessage(message, 6000)

    # -- slots ------------------------------------------------------------------------------

    def _on_case_list_case_selected(self, case_id: uuid.UUID | None) -> None:
        has_case = case_id is not None
        for name in ("rename_case", "archive_case", "unarchive_case"):
            self.menu_actions[name].setEnabled(has_case)
        if not has_case:
            self.case_page.case = None
            self.right.setCurrentWidget(self.no_case)
            return
        case = self.profile.cases.get(case_id)
        self.case_page.show_case(case)
        self.menu_actions["archive_case"].setEnabled(not case.archived)
        self.menu_actions["unarchive_case"].setEnabled(case.archived)
        self.right.setCurrentWidget(self.case_page)

    def _on_case_page_archive_toggled(self) -> None:
        if self.case_page.case is not None:
            self._set_archived(not self.case_page.case.archived)

    def _on_find_triggered(self) -> None:
        self.case_list.filter_edit.setFocus()
        self.case_list.filter_edit.selectAll()

    def _on_show_archived_toggled(self, show: bool) -> None:
        self.case_list.set_show_archived(show)
        self.settings.setValue("view/show_archived", show)

    # -- window state -------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        show_archived = self.settings.value("view/show_archived", False, type=bool)
        self.menu_actions["show_archived"].setChecked(bool(show_archived))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)
