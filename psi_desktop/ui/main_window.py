"""The main window: cases on the left, the chosen case on the right, and the lock screen while locked."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QToolTip,
    QWidget,
)

from psi_desktop.errors import StoreDamagedError, UserFacingError
from psi_desktop.ui.actions import ACTIONS, build_actions, set_locked
from psi_desktop.ui.file_chooser import FileChooser
from psi_desktop.ui.formatting import error_text, moment, widen
from psi_desktop.ui.lock_screen import LockScreen
from psi_desktop.ui.session import Session

# The store's code and the screens behind the lock are imported where they are used, not here: the
# lock screen is painted before they load, and they load while the passphrase is typed (warm_up).
if TYPE_CHECKING:
    from psi_desktop.services.profile import DetachedProfile, Profile
    from psi_desktop.ui.case_list import CaseListScreen
    from psi_desktop.ui.case_page import CasePageScreen
    from psi_desktop.ui.handover import HandoverMode
    from psi_desktop.ui.search_screen import SearchScreen
    from psi_desktop.ui.walkthrough import ReflectionScreen

log = logging.getLogger(__name__)

WARM_UP = (
    "psi_desktop.services.profile",
    "psi_desktop.ui.case_list",
    "psi_desktop.ui.case_page",
    "psi_desktop.ui.walkthrough",
    "psi_desktop.ui.handover",
    "psi_desktop.ui.search_screen",
)
"""Loaded one by one after the window first paints, while the passphrase is typed: unlocking does not wait."""

NO_CASE_TEXT = (
    "Choose a case on the left, or create one with New case (Ctrl+Shift+N).\n\n"
    "Give each case a code, never a name \u2014 for example \u201cWard 3 - A\u201d."
)
AUTO_LOCK_KEY = "security/auto_lock_minutes"
# Where the walkthrough was, so a reflection reopens at the same step after a lock, a restart or a crash.
# Ids and step names only: settings never hold record content.
OPEN_REFLECTION_KEY = "walkthrough/open"
STEP_KEY = "walkthrough/step/{}"
REVEALED_KEY = "walkthrough/revealed/{}"
DEFAULT_AUTO_LOCK_MINUTES = 5.0


@dataclass(frozen=True, slots=True)
class DamagedStore:
    """The passphrase was right but the store would not open: restoring a backup needs only the key."""

    message: str
    key: bytes


def open_with_passphrase(directory: Path, passphrase: str) -> DetachedProfile | DamagedStore:
    """The unlock job, run on a worker: the key derivation takes about half a second.

    The store is checked and migrated here; the UI thread then opens its own connection to it.
    """
    from psi_desktop.services.profile import unlock_key, unlock_profile

    try:
        # The full integrity check runs after the case list shows (MainWindow.unlocked), not before.
        return unlock_profile(directory, passphrase, deferred_check=True).detach()
    except StoreDamagedError as exc:
        key = unlock_key(directory, passphrase)
        damaged = DamagedStore(exc.reason, bytes(key))
        key[:] = bytes(len(key))
        return damaged


class MainWindow(QMainWindow):
    """Owns the lock state: ``lock()`` drops the profile and every widget showing records,
    ``unlocked(profile)`` builds them again and goes back to the case that was chosen.
    """

    about_to_lock = Signal()  # screens with unsaved text save it now, before the store closes
    lock_changed = Signal(bool)  # True once locked, False once unlocked

    def __init__(
        self,
        directory: Path,
        settings: QSettings,
        *,
        profile: Profile | None = None,
        title_note: str = "",
        passphrase_hint: str = "",
    ) -> None:
        super().__init__()
        self.directory = directory
        self.settings = settings
        self.case_list: CaseListScreen | None = None
        self.case_page: CasePageScreen | None = None
        self.reflection_screen: ReflectionScreen | None = None
        self.handover: HandoverMode | None = None  # the person answering for themselves (ui/handover.py)
        self.search_screen: SearchScreen | None = None  # Ctrl+F, built when first asked for
        self.no_case: QLabel | None = None
        self.right: QStackedWidget | None = None
        self.splitter: QSplitter | None = None
        self._resume_case_id: uuid.UUID | None = None
        # The dialog that was open when it locked, to open again (with its draft) after unlocking.
        # Ids and choices only: the typed text is in the store.
        self._reopen: Callable[[], None] | None = None
        self._unlocking = False
        self._shut_down = False
        self._draft_problem = ""
        self._warm_up: list[str] | None = list(WARM_UP)  # None once it has started
        # Asks for files with the system's dialogs, and opens PDFs and folders with the system's apps;
        # tests put in their place ones that answer at once.
        self.file_chooser = FileChooser()
        self.open_url = QDesktopServices.openUrl
        self.setWindowTitle("PSI Desktop" + (f" ({title_note})" if title_note else ""))

        self.lock_screen = LockScreen(self, passphrase_hint=passphrase_hint)
        self.lock_screen.unlock_requested.connect(self._on_lock_screen_unlock_requested)
        self.lock_screen.forgot_requested.connect(self._on_lock_screen_forgot_requested)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)

        self.menu_actions = build_actions(
            self,
            {
                "new_case": self.new_case,
                "export_bundle": self.export_bundle,
                "import_bundle": self.import_bundle,
                "conflicts": self.show_conflicts,
                "portfolio": self.export_portfolio,
                "export_pdf": self.export_note_pdf,
                "person_form": self.export_person_form,
                "share_back": self.export_summary,
                "lock": self.lock,
                "change_passphrase": self.change_passphrase,
                "auto_lock": self.choose_auto_lock,
                "back_up_now": self.back_up_now,
                "restore": self.restore_from_backup,
                "quit": self.close,
                "rename_case": self.rename_case,
                "archive_case": lambda: self._set_archived(True),
                "unarchive_case": lambda: self._set_archived(False),
                "delete_case": self.delete_case,
                "delete_reflection": self.delete_reflection,
                "new_reflection": self.new_reflection,
                "next_step": lambda: self._with_reflection("next_step"),
                "previous_step": lambda: self._with_reflection("previous_step"),
                "why": lambda: self._with_reflection("show_why_for_focus"),
                "reveal": lambda: self._with_reflection("reveal"),
                "sign_off": lambda: self._with_reflection("sign_off"),
                "add_amendment": lambda: self._with_reflection("add_amendment"),
                "close_reflection": self.close_reflection,
                "search": self.show_search,
                "show_archived": self._on_show_archived_toggled,
                "all_actions": self.show_all_actions,
                "screen_help": self.show_screen_help,
                "shortcuts": self.show_shortcuts,
                "about": self.show_about,
                "your_details": self.edit_your_details,
                "supervisees": self.show_supervisees,
            },
        )
        self._add_lock_button()

        self.about_to_lock.connect(self._on_about_to_lock)

        # The open profile, the idle lock, the backups and every worker: locking waits for all its work.
        self.session = Session(self)
        self.session.idle.went_idle.connect(self.lock)
        self.session.backups.backup_made.connect(self._on_backups_backup_made)
        self.session.backups.backup_failed.connect(self._on_backups_backup_failed)
        QGuiApplication.instance().applicationStateChanged.connect(self._on_application_state_changed)

        self.statusBar()
        self.resize(1000, 640)
        self._restore_state()
        self._fitted = False
        self._fit_screen()
        if profile is not None:
            self.unlocked(profile)
        else:
            self._show_lock_screen(after_use=False)

    @property
    def profile(self) -> Profile | None:
        return self.session.profile

    @property
    def locked(self) -> bool:
        return self.profile is None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Return presses the focused push button, as Space does: outside a dialog, a button that is not
        a dialog's default leaves Return to its parents, and ends here."""
        focused = QApplication.focusWidget()
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and isinstance(focused, QPushButton | QToolButton)
            and focused.window() is self
            and focused.isEnabled()
        ):
            focused.animateClick()
            return
        super().keyPressEvent(event)

    # -- locking ----------------------------------------------------------------------------

    def lock(self) -> None:
        """Save what is pending, close every dialog, drop the key and every widget that shows records."""
        from psi_desktop.ui.handover import LOCKED_NOTE as HANDOVER_LOCKED_NOTE

        if self.profile is None:
            return
        self.about_to_lock.emit()
        self._close_dialogs()
        QToolTip.hideText()  # a chart's hover text names a case and a date
        self._resume_case_id = self.case_list.current_case_id() if self.case_list else None
        self._save_state()
        self._show_lock_screen(after_use=True)  # first, so nothing with records shows in between
        if self.handover is not None:  # their answers are saved; the lock screen stays full screen
            self.handover.end(locked=True)
            self.lock_screen.show_note(HANDOVER_LOCKED_NOTE)
        if self._draft_problem:
            self.lock_screen.show_note(self._draft_problem)
            self._draft_problem = ""
        self._drop_workspace()
        self.session.close()  # cancels or waits for every worker, then closes the store
        self.statusBar().clearMessage()
        log.info("Locked")
        self.lock_changed.emit(True)

    def unlocked(self, profile: Profile) -> None:
        """Show ``profile`` and go back to the case chosen before locking."""
        self.session.open(profile, auto_lock_seconds=self.auto_lock_seconds())
        if self.handover is not None:  # it locked during hand-over mode: the window as it was before
            self.handover.restore_window()
            self.handover = None
        self._build_workspace()
        self.pages.setCurrentWidget(self.splitter)
        self.lock_screen.clear()
        set_locked(self.menu_actions, False)
        self.lock_button.show()
        self.refresh(select=self._resume_case_id)
        if self.case_list.current_case_id() is None:
            self.case_list.select(None)  # that case is gone (a restore): the first one, as on a fresh start
        self.case_list.table.setFocus()
        self._reopen_reflection()
        if profile.permission_warning:  # files open to other users were made private at open
            self.statusBar().showMessage(profile.permission_warning, 30000)
        self.session.run(
            lambda opened: opened.check_store(), owner=self, done=self._on_store_checked, failed=self._on_check_failed
        )
        log.info("Unlocked")
        self.lock_changed.emit(False)
        reopen, self._reopen = self._reopen, None
        if reopen is not None:
            QTimer.singleShot(0, reopen)  # after this slot returns: a dialog's exec() must not nest in it

    def _on_store_checked(self, ok: object) -> None:
        """The full integrity check after unlock. On damage: nothing more is written (the store refuses
        it), the window locks, and the restore of a backup is offered, as when damage stops an unlock."""
        from psi_desktop.services.profile import STORE_DAMAGED

        if ok or self.profile is None:
            return
        damaged = DamagedStore(STORE_DAMAGED, bytes(self.profile.key))
        self.lock()
        self.lock_screen.show_note(STORE_DAMAGED)
        QTimer.singleShot(0, lambda: self._offer_restore(damaged))  # its exec() must not nest in this slot

    def _on_check_failed(self, exc: BaseException) -> None:
        """The worker could not check (its connection would not open): check here, so writes do not wait."""
        log.warning("The integrity check after unlock could not run on a worker: %s", type(exc).__name__)
        if self.profile is not None:
            self._on_store_checked(self.profile.check_store())

    def auto_lock_seconds(self) -> float:
        value = self.settings.value(AUTO_LOCK_KEY, DEFAULT_AUTO_LOCK_MINUTES)
        try:
            minutes = float(value)
        except (TypeError, ValueError):
            minutes = DEFAULT_AUTO_LOCK_MINUTES
        if not math.isfinite(minutes) or minutes <= 0:
            minutes = DEFAULT_AUTO_LOCK_MINUTES
        return minutes * 60

    def _show_lock_screen(self, *, after_use: bool) -> None:
        self.lock_screen.set_locked_text(after_use)
        self.lock_screen.set_busy(False)
        self.pages.setCurrentWidget(self.lock_screen)
        set_locked(self.menu_actions, True)
        self.lock_button.hide()
        self.lock_screen.focus()

    def _close_dialogs(self) -> None:
        """Typed text goes into the store as a draft, then every dialog goes (and is deleted)."""
        self._reopen = None
        dialogs = self.findChildren(QDialog)
        for dialog in dialogs:
            if dialog.isVisible() and self._reopen is None:
                self._reopen = self._keep_draft(dialog)
        # done() rather than reject(): a dialog busy with a worker refuses reject(), but must still go.
        for dialog in dialogs:
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()

    def _keep_draft(self, dialog: QDialog) -> Callable[[], None] | None:
        """Save what ``dialog`` holds typed; returns how to open it again after unlocking, if it has any."""
        from psi_desktop.ui.actions_view import ActionsView
        from psi_desktop.ui.amendment_dialog import AmendmentDialog
        from psi_desktop.ui.case_dialog import CaseDialog
        from psi_desktop.ui.export_dialogs import PortfolioDialog

        if not isinstance(dialog, CaseDialog | AmendmentDialog | PortfolioDialog | ActionsView):
            return None
        try:
            dialog.keep_draft()
        except UserFacingError as exc:
            # The lock goes ahead all the same: records must not stay on screen.
            log.warning("A dialog's draft could not be saved at lock: %s", type(exc).__name__)
            self._draft_problem = f"What you were typing could not be kept: {error_text(exc)}"
            return None
        if isinstance(dialog, CaseDialog):
            if dialog.editing is None:
                return self.new_case
            return partial(self._rename_case, dialog.editing.id)
        if isinstance(dialog, AmendmentDialog):
            return partial(self._with_reflection, "add_amendment")
        if isinstance(dialog, ActionsView):  # its note is saved: it opens again on the same action
            return partial(self.show_all_actions, case_id=dialog.chosen_case(), select=dialog.current_action_id())
        return partial(self._export_portfolio, dialog.choice())

    def _build_workspace(self) -> None:
        from psi_desktop.ui.case_list import CaseListScreen
        from psi_desktop.ui.case_page import CasePageScreen

        self.case_list = CaseListScreen(self)
        self.case_page = CasePageScreen(self.profile.cases, self, session=self.session)
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
        state = self.settings.value("window/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        self.pages.addWidget(self.splitter)

        self.case_list.set_show_archived(self.menu_actions["show_archived"].isChecked())
        self.case_list.case_selected.connect(self._on_case_list_case_selected)
        self.case_list.new_case_requested.connect(self.new_case)
        self.case_page.rename_requested.connect(self.rename_case)
        self.case_page.archive_toggled.connect(self._on_case_page_archive_toggled)
        self.case_page.new_reflection_requested.connect(self.new_reflection)
        self.case_page.reflection_opened.connect(self.open_reflection)
        self.case_page.export_pdf_requested.connect(self.export_case_pdf)
        self.case_page.delete_reflection_requested.connect(self._delete_reflection)
        self.case_page.delete_case_requested.connect(self.delete_case)
        self.case_page.export_pdf_button.show()

    def _drop_workspace(self) -> None:
        if self.splitter is None:
            return
        self.pages.removeWidget(self.splitter)
        self.splitter.hide()
        # deleteLater, not delete: lock() may run inside a slot of one of these widgets.
        self.splitter.deleteLater()
        self.case_list = self.case_page = self.no_case = self.right = self.splitter = None
        self.reflection_screen = self.search_screen = None

    def _add_lock_button(self) -> None:
        """A Lock button always in reach: at the right of the menu bar, or a toolbar where menus are native."""
        lock = self.menu_actions["lock"]
        lock.setIconText("Lock")
        if self.menuBar().isNativeMenuBar():
            toolbar = QToolBar("Lock", self)
            toolbar.setMovable(False)
            spacer = QWidget(toolbar)
            spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            toolbar.addWidget(spacer)
            toolbar.addAction(lock)
            self.addToolBar(toolbar)
            self.lock_button = toolbar.widgetForAction(lock)
            return
        self.lock_button = QToolButton(self.menuBar())
        self.lock_button.setDefaultAction(lock)
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.lock_button.setAccessibleName("Lock now")
        self.menuBar().setCornerWidget(self.lock_button, Qt.Corner.TopRightCorner)

    # -- unlocking --------------------------------------------------------------------------

    def _on_lock_screen_unlock_requested(self, passphrase: str) -> None:
        if self._unlocking or self.profile is not None:
            return
        self._unlocking = True
        self.lock_screen.set_busy(True)
        job = partial(open_with_passphrase, self.directory, passphrase)
        self.session.run_plain(job, owner=self, done=self._on_unlock_done, failed=self._on_unlock_failed)

    def _on_unlock_done(self, result: DetachedProfile | DamagedStore) -> None:
        from psi_desktop.services.profile import DetachedProfile

        self._unlocking = False
        if isinstance(result, DetachedProfile) and (self._shut_down or self.profile is not None):
            result.close()
            return
        if isinstance(result, DamagedStore):
            self.lock_screen.set_busy(False)
            self.lock_screen.clear()
            self._offer_restore(result)
            return
        try:
            profile = result.open()  # on this thread, whose connection it will be
        except UserFacingError as exc:
            result.close()
            self.lock_screen.set_busy(False)
            self.lock_screen.show_error(error_text(exc))
            return
        self._open_unlocked(profile)

    def _open_unlocked(self, profile: Profile) -> None:
        """Unlocked: a profile whose recovery key nobody saw gets a new one, shown before anything else."""
        from psi_desktop.services.profile import recovery_key_pending, recovery_key_shown, renew_recovery_key
        from psi_desktop.ui.profile_dialogs import NewRecoveryKeyDialog

        if recovery_key_pending(self.directory):
            try:
                renewed = renew_recovery_key(self.directory, profile.key)
            except UserFacingError as exc:
                profile.close()
                self.lock_screen.set_busy(False)
                self.lock_screen.show_error(str(exc))
                return
            dialog = NewRecoveryKeyDialog(renewed, self)
            del renewed
            dialog.exec()
            dialog.deleteLater()
            recovery_key_shown(self.directory)
            if self._shut_down or self.profile is not None:
                profile.close()
                return
        from psi_desktop.services.profile import is_damage_error

        try:
            self.unlocked(profile)
        except Exception as exc:
            if not is_damage_error(exc):
                raise
            # The first screen read a damaged page before the full check after unlock could say so:
            # the same as that check finding it (lock, write nothing more, offer a backup).
            log.error("The store could not be read after unlock: %s", type(exc).__name__)
            if self.profile is not None:
                self._on_store_checked(False)

    def _on_unlock_failed(self, exc: BaseException) -> None:
        from psi_desktop.services.profile import TooManyAttemptsError

        self._unlocking = False
        self.lock_screen.set_busy(False)
        if isinstance(exc, TooManyAttemptsError):
            self.lock_screen.wait(exc.wait_seconds)
        else:
            self.lock_screen.show_error(error_text(exc))

    def _on_lock_screen_forgot_requested(self) -> None:
        from psi_desktop.ui.profile_dialogs import RecoveryDialog

        dialog = RecoveryDialog(self.directory, self)
        recovered = dialog.exec() == QDialog.DialogCode.Accepted and dialog.profile is not None
        profile = dialog.profile
        dialog.deleteLater()
        if recovered and self.profile is None:
            self._open_unlocked(profile)
            self.statusBar().showMessage("Your new passphrase is set. Use it from now on.", 8000)

    # -- what the user can do -------------------------------------------------------------

    def refresh(self, select: uuid.UUID | None = None) -> None:
        if self.profile is None:
            return
        with QSignalBlocker(self.case_list):  # the case is shown once, below, not also as it is selected
            self.case_list.set_summaries(self.profile.cases.summaries(), select)
        self._on_case_list_case_selected(self.case_list.current_case_id())

    def new_case(self) -> None:
        from psi_desktop.ui.case_dialog import CaseDialog

        if self.profile is None:
            return
        dialog = CaseDialog(self.profile.cases.create, self, draft=self.profile.drafts.case(None))
        created = dialog.exec() == QDialog.DialogCode.Accepted and dialog.case is not None
        case = dialog.case
        dialog.deleteLater()
        if created and self.profile is not None:
            self.refresh(select=case.id)
            self.statusBar().showMessage("Case created", 4000)

    def rename_case(self) -> None:
        if self.profile is not None and self.case_page.case is not None:
            self._rename_case(self.case_page.case.id)

    def _rename_case(self, case_id: uuid.UUID) -> None:
        from psi_desktop.ui.case_dialog import CaseDialog

        if self.profile is None:
            return
        cases = self.profile.cases
        try:
            case = cases.get(case_id)
        except UserFacingError:
            return  # gone meanwhile (a backup put back)

        def submit(code: str, setting: str):
            cases.rename(case.id, code)
            return cases.change_setting(case.id, setting)

        dialog = CaseDialog(submit, self, case=case, draft=self.profile.drafts.case(case.id))
        renamed = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if renamed and self.profile is not None:
            self.refresh(select=case.id)

    # -- reflections ------------------------------------------------------------------------

    def new_reflection(self) -> None:
        """Start a reflection on the chosen case and open it at its first step (a draft of the case with
        nothing in it yet is opened instead)."""
        if self.profile is None:
            return
        case = self.reflection_screen.case if self.reflection_screen is not None else self.case_page.case
        if case is None:
            self.statusBar().showMessage("Choose a case first, or create one with New case (Ctrl+Shift+N).", 8000)
            return
        if self._open_blank_draft(case.id):
            return
        try:
            reflection = self.profile.reflections.start_next(case.id)
        except UserFacingError as exc:
            QMessageBox.warning(self, "PSI Desktop", str(exc))
            return
        self.open_reflection(reflection.id)

    def open_reflection(self, reflection_id: uuid.UUID, step: str | None = None) -> None:
        """Show a reflection in the walkthrough, at ``step`` or else at the step it was left on."""
        from psi_desktop.ui.walkthrough import ReflectionScreen

        if self.profile is None:
            return
        if self.reflection_screen is not None and self.reflection_screen.reflection.id == reflection_id:
            if step is not None:
                self.reflection_screen.go_to(step, focus=False)
            self.reflection_screen.focus_step()
            return
        self.close_reflection(forget=False)
        try:
            reflection = self.profile.reflections.get(reflection_id)
            case = self.profile.cases.get(reflection.case_id)
        except UserFacingError:
            self.settings.remove(OPEN_REFLECTION_KEY)
            return
        if self.case_list.current_case_id() != case.id:
            self.case_list.select(case.id)
        key = str(reflection.id)
        step = step or self.settings.value(STEP_KEY.format(key))
        revealed = self.settings.value(REVEALED_KEY.format(key), False, type=bool)
        screen = ReflectionScreen(
            self.profile.reflections,
            case,
            reflection,
            self.right,
            step_id=step if isinstance(step, str) else None,
            revealed=bool(revealed),
            drafts=self.profile.drafts,
        )
        screen.close_requested.connect(self.close_reflection)
        screen.step_changed.connect(self._on_reflection_screen_step_changed)
        screen.revealed_changed.connect(self._on_reflection_screen_revealed_changed)
        screen.state_changed.connect(self._on_reflection_screen_state_changed)
        screen.saved.connect(self.case_page.refresh_charts)
        screen.export_pdf_requested.connect(self.export_note_pdf)
        screen.handover_requested.connect(self.start_handover)
        self.right.addWidget(screen)
        self.right.setCurrentWidget(screen)
        # One thing per screen: the walkthrough takes the whole window; Back to the case brings the list back.
        self.case_list.hide()
        self.splitter.refresh()
        self.reflection_screen = screen
        self.settings.setValue(OPEN_REFLECTION_KEY, key)
        self._on_reflection_screen_step_changed(screen.current_step_id)
        self._update_reflection_actions()
        screen.focus_step()

    def close_reflection(self, *, forget: bool = True, refresh: bool = True) -> None:
        """Back to the case page; what was typed is saved first."""
        screen = self.reflection_screen
        if screen is None:
            return
        screen.flush()
        self.reflection_screen = None
        self.right.removeWidget(screen)
        screen.hide()
        screen.deleteLater()  # deleteLater: this may run inside one of the screen's own slots
        if self.case_list is not None:
            self.case_list.show()
            self.splitter.refresh()
        if forget:
            self.settings.remove(OPEN_REFLECTION_KEY)
            self.settings.sync()
        self._update_reflection_actions()
        if not refresh or self.profile is None:
            return
        if self.case_page.case is None:
            self.right.setCurrentWidget(self.no_case)
            return
        self.case_page.show_case(self.profile.cases.get(self.case_page.case.id))
        self.case_page.select_reflection(screen.reflection.id)
        self.right.setCurrentWidget(self.case_page)
        self.case_page.table.setFocus()
        self.case_list.set_summaries(self.profile.cases.summaries())

    def _reopen_reflection(self) -> None:
        value = self.settings.value(OPEN_REFLECTION_KEY)
        if not value:
            return
        try:
            reflection_id = uuid.UUID(str(value))
        except ValueError:
            self.settings.remove(OPEN_REFLECTION_KEY)
            return
        self.open_reflection(reflection_id)

    def start_handover(self) -> None:
        """Give the window over to the person, full screen, until staff type the passphrase."""
        from psi_desktop.ui.handover import HandoverMode

        if self.profile is None or self.reflection_screen is None or self.handover is not None:
            return
        self.handover = HandoverMode(self, self.reflection_screen)
        self.handover.finished.connect(self._on_handover_finished)
        self.handover.begin()

    def _on_handover_finished(self) -> None:
        handover, self.handover = self.handover, None
        if handover is None or self.profile is None:
            return
        handover.end()
        self.pages.setCurrentWidget(self.splitter)
        set_locked(self.menu_actions, False)
        self._update_reflection_actions()
        if self.reflection_screen is not None:
            self.reflection_screen.handover_ended()
        self.statusBar().showMessage("The person's answers are saved in this reflection.", 8000)

    def _with_reflection(self, method: str) -> None:
        """Call the open reflection screen's ``method`` (a menu action), if one is open."""
        if self.reflection_screen is not None:
            getattr(self.reflection_screen, method)()

    def _update_reflection_actions(self) -> None:
        screen = self.reflection_screen
        unlocked = self.profile is not None
        for spec in ACTIONS:
            if spec.needs_reflection:
                self.menu_actions[spec.name].setEnabled(unlocked and screen is not None)
        if screen is not None:
            self.menu_actions["reveal"].setEnabled(not screen.read_only)
            self.menu_actions["sign_off"].setEnabled(not screen.read_only)
            self.menu_actions["add_amendment"].setEnabled(screen.read_only)
            self.menu_actions["delete_reflection"].setEnabled(not screen.read_only)

    def _on_about_to_lock(self) -> None:
        if self.reflection_screen is not None:
            self.reflection_screen.flush()

    def _on_reflection_screen_step_changed(self, step_id: str) -> None:
        if self.reflection_screen is not None:
            self.settings.setValue(STEP_KEY.format(self.reflection_screen.reflection.id), step_id)
            self.settings.sync()

    def _on_reflection_screen_revealed_changed(self, revealed: bool) -> None:
        if self.reflection_screen is not None:
            self.settings.setValue(REVEALED_KEY.format(self.reflection_screen.reflection.id), revealed)
            self.settings.sync()

    def _on_reflection_screen_state_changed(self) -> None:
        self._update_reflection_actions()
        if self.profile is not None and self.case_list is not None:
            self.case_list.set_summaries(self.profile.cases.summaries())

    # -- bundles ------------------------------------------------------------------------------

    def export_bundle(self) -> None:
        from psi_desktop.ui.bundle_dialogs import ExportBundleDialog

        if self.profile is None:
            return
        if self.reflection_screen is not None:
            self.reflection_screen.flush()
        dialog = ExportBundleDialog(self.session, self, chooser=self.file_chooser)
        exported = dialog.exec() == QDialog.DialogCode.Accepted and dialog.written is not None
        written, count = dialog.written, dialog.case_count
        dialog.deleteLater()
        if exported and self.profile is not None:
            cases = f"{count} case{'' if count == 1 else 's'}"
            self.statusBar().showMessage(f"Bundle saved with {cases}: {written}", 10000)

    def import_bundle(self) -> None:
        from psi_desktop.ui.bundle_dialogs import ImportPreviewDialog

        if self.profile is None:
            return
        path = self.file_chooser.open(self, "Import a bundle", "PSI Desktop bundles (*.psibundle *.json)")
        if path is None or self.profile is None:
            return
        if self.reflection_screen is not None:
            self.reflection_screen.flush()
        dialog = ImportPreviewDialog(self.session, path, self)
        dialog.exec()
        imported, message = dialog.imported, dialog.result_message()
        dialog.deleteLater()
        if imported and self.profile is not None:
            self.close_reflection()
            self.refresh(select=self.case_list.current_case_id())
            self.statusBar().showMessage(message, 15000)

    # -- PDFs -----------------------------------------------------------------------------------

    def _export_pdf(self, kind: str, **what) -> None:
        from psi_desktop.ui.export_dialogs import PdfExportDialog  # the PDF code loads when first used

        dialog = PdfExportDialog(self.session, kind, self, chooser=self.file_chooser, opener=self.open_url, **what)
        dialog.exec()
        written, back = dialog.written, dialog.back_to_fix
        dialog.deleteLater()
        if self.profile is None:
            return
        if written is not None:
            self.statusBar().showMessage(f"PDF saved: {written}", 10000)
        elif back:
            self.statusBar().showMessage("Nothing was exported. Change the text, then export again.", 8000)

    def export_note_pdf(self) -> None:
        if self.profile is None or self.reflection_screen is None:
            return
        self.reflection_screen.flush()
        self._export_pdf("note", reflection_id=self.reflection_screen.reflection.id)

    def export_person_form(self) -> None:
        if self.profile is None:
            return
        self._export_pdf("person-form")

    def export_summary(self) -> None:
        if self.profile is None or self.reflection_screen is None:
            return
        self.reflection_screen.flush()
        self._export_pdf("summary", reflection_id=self.reflection_screen.reflection.id)

    def export_case_pdf(self) -> None:
        if self.profile is None or self.case_page is None or self.case_page.case is None:
            return
        self._export_pdf("case", case_id=self.case_page.case.id)

    def export_portfolio(self) -> None:
        self._export_portfolio(None)

    def _export_portfolio(self, choice) -> None:
        """The portfolio dialog; ``choice`` (a PortfolioChoice) opens it as it was when it locked."""

        if self.profile is None:
            return
        from psi_desktop.ui.export_dialogs import PortfolioDialog

        if self.reflection_screen is not None:
            self.reflection_screen.flush()
        dialog = PortfolioDialog(self.session, self, chooser=self.file_chooser, opener=self.open_url, choice=choice)
        dialog.exec()
        written = dialog.written
        dialog.deleteLater()
        if written is not None and self.profile is not None:
            self.statusBar().showMessage(f"Portfolio pack saved: {written}", 10000)

    def show_conflicts(self) -> None:
        from psi_desktop.services.bundles import open_conflicts
        from psi_desktop.ui.conflicts_dialog import ConflictsDialog

        if self.profile is None:
            return
        codes = {str(s.case.id): s.case.code for s in self.profile.cases.summaries()}
        dialog = ConflictsDialog(open_conflicts(self.profile), self, codes=codes)
        dialog.exec()
        dialog.deleteLater()

    def change_passphrase(self) -> None:
        from psi_desktop.ui.profile_dialogs import ChangePassphraseDialog

        if self.profile is None:
            return
        dialog = ChangePassphraseDialog(self.profile, self)
        changed = dialog.exec() == QDialog.DialogCode.Accepted
        retire, dialog.retire = dialog.retire, None
        dialog.deleteLater()
        if changed and retire:
            self._retire_passphrase(*retire)
        elif changed:
            self.statusBar().showMessage("Passphrase changed. Use the new one next time you unlock.", 8000)

    def _retire_passphrase(self, current: str, new: str) -> None:
        """A new key for every file: the store must be closed, so the window locks while it is done."""
        from psi_desktop.ui.profile_dialogs import RetirePassphraseDialog

        key = self.profile.key
        self.lock()
        dialog = RetirePassphraseDialog(self.directory, key, current, new, self)
        dialog.exec()
        profile = dialog.profile
        dialog.deleteLater()
        if profile is not None:
            self.unlocked(profile)
            self.statusBar().showMessage(
                "Passphrase and key changed. Your records and backups are re-encrypted; use the new passphrase.", 10000
            )

    def choose_auto_lock(self) -> None:
        current = max(1, round(self.auto_lock_seconds() / 60))
        minutes, ok = QInputDialog.getInt(
            self,
            "Lock automatically",
            "Lock PSI Desktop after this many minutes without use:",
            current,
            1,
            60,
        )
        if ok and self.profile is not None:
            self.settings.setValue(AUTO_LOCK_KEY, minutes)
            self.session.idle.start(self.auto_lock_seconds())
            self.statusBar().showMessage(f"PSI Desktop will lock after {minutes} minutes without use.", 6000)

    def back_up_now(self) -> None:
        if self.session.backups.back_up_now(asked=True):
            self.statusBar().showMessage("Making a backup\u2026")

    def restore_from_backup(self) -> None:
        if self.profile is not None:
            self._restore_with_key(self.profile.key)

    def show_about(self) -> None:
        from psi_desktop.frameworks import default_framework
        from psi_desktop.ui.help_dialogs import AboutDialog

        framework = self.profile.frameworks.latest("psi") if self.profile else default_framework()
        dialog = AboutDialog(framework, self)
        dialog.exec()
        dialog.deleteLater()

    def current_screen(self) -> str:
        """Which screen shows now, by the names of ``help_dialogs.SCREEN_HELP``."""
        if self.locked:
            return "lock"
        shown = self.right.currentWidget() if self.right is not None else None
        if shown is not None and shown is self.reflection_screen:
            return "reflection"
        if shown is not None and shown is self.search_screen:
            return "search"
        if shown is self.case_page and self.case_page.tabs.currentWidget() is self.case_page.charts_tab:
            return "charts"
        return "case" if shown is self.case_page else "cases"

    def show_screen_help(self) -> None:
        """F1: in a reflection, why the prompt being answered is asked; elsewhere, what the screen is for."""
        from psi_desktop.ui.help_dialogs import ScreenHelpDialog

        screen = self.current_screen()
        if screen == "reflection":
            self.reflection_screen.show_why_for_focus()
            return
        dialog = ScreenHelpDialog(screen, self)
        dialog.shortcuts_requested.connect(self.show_shortcuts)
        dialog.exec()
        dialog.deleteLater()

    def show_shortcuts(self) -> None:
        from psi_desktop.ui.help_dialogs import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.exec()
        dialog.deleteLater()

    def _set_archived(self, archived: bool) -> None:
        if self.profile is None or self.case_page.case is None:
            return
        case = self.case_page.case
        if case.archived == archived:
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

    # -- backups and restoring --------------------------------------------------------------

    def _on_backups_backup_made(self, path: Path, asked: bool) -> None:
        now = dt.datetime.now().astimezone()
        self.statusBar().showMessage(f"Backup made at {now:%H:%M}.", 8000 if asked else 4000)

    def _on_backups_backup_failed(self, exc: BaseException, asked: bool) -> None:
        if asked:
            self.statusBar().clearMessage()
            QMessageBox.warning(self, "The backup was not made", error_text(exc))
        else:
            self.statusBar().showMessage(f"The automatic backup was not made. {error_text(exc)}", 15000)

    def _offer_restore(self, damaged: DamagedStore) -> None:
        """The store would not open: say so, and offer to put a backup back."""
        from psi_desktop.services.backups import backup_files

        has_backups = bool(backup_files(self.directory))
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("PSI Desktop")
        box.setText("Your records could not be opened.")
        # The service's hint names the command-line restore; here a button does that job.
        reason = damaged.message
        if has_backups:
            box.setInformativeText(f"{reason}\n\nYou can put back a recent backup. Nothing else is changed or deleted.")
            choose = box.addButton("Choose a backup\u2026", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(choose)
        else:
            box.setInformativeText(f"{reason}\n\nAsk IT for help. Nothing has been changed or deleted.")
            choose = None
            box.addButton(QMessageBox.StandardButton.Close)
        widen(box)
        box.exec()
        chosen = choose is not None and box.clickedButton() is choose
        box.deleteLater()
        if chosen:
            self._restore_with_key(damaged.key)

    def _restore_with_key(self, key: bytes) -> None:
        from psi_desktop.services.backups import restore_backup
        from psi_desktop.ui.restore_dialog import RestoreDialog

        dialog = RestoreDialog(self.directory, key, self)
        dialog.exec()
        chosen = dialog.chosen
        dialog.deleteLater()
        if chosen is None:
            return
        self.lock()  # the store must be closed before another file takes its place
        try:
            restore_backup(self.directory, key, chosen.path)
        except UserFacingError as exc:
            QMessageBox.warning(self, "The backup was not restored", str(exc))
            return
        self.lock_screen.show_note(f"The backup from {moment(chosen.made_at)} is back in place.")
        self.lock_screen.focus()

    # -- slots ------------------------------------------------------------------------------

    def _on_application_state_changed(self, state: Qt.ApplicationState) -> None:
        # Qt reports ApplicationSuspended where the platform tells it (Android, iOS). On Windows,
        # Linux and macOS it cannot tell that the session was locked or the laptop went to sleep
        # (that needs WTSRegisterSessionNotification, logind over D-Bus or NSWorkspace); there the
        # idle watcher's wall-clock check locks on the first input, or within seconds, after waking.
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock()

    def _on_case_list_case_selected(self, case_id: uuid.UUID | None) -> None:
        if self.profile is None:
            return
        if self.reflection_screen is not None and self.reflection_screen.case.id != case_id:
            self.close_reflection(refresh=False)
        has_case = case_id is not None
        for name in ("rename_case", "archive_case", "unarchive_case", "delete_case"):
            self.menu_actions[name].setEnabled(has_case)
        if not has_case:
            self.case_page.case = None
            self.right.setCurrentWidget(self.no_case)
            return
        case = self.profile.cases.get(case_id)
        self.case_page.show_case(case)
        self.menu_actions["archive_case"].setEnabled(not case.archived)
        self.menu_actions["unarchive_case"].setEnabled(case.archived)
        if self.reflection_screen is None:
            self.right.setCurrentWidget(self.case_page)

    def _on_case_page_archive_toggled(self) -> None:
        if self.case_page is not None and self.case_page.case is not None:
            self._set_archived(not self.case_page.case.archived)

    def _on_show_archived_toggled(self, show: bool) -> None:
        if self.case_list is not None:
            self.case_list.set_show_archived(show)
        self.settings.setValue("view/show_archived", show)

    def show_all_actions(self, *, case_id: uuid.UUID | None = None, select: uuid.UUID | None = None) -> None:
        """Every action across cases, to mark and carry forward (ui/actions_view.py)."""
        from psi_desktop.ui.actions_view import ActionsView

        if self.profile is None:
            return
        view = ActionsView(self.profile, self, case_id=case_id, select=select)
        view.exec()
        changed = view.changed
        view.deleteLater()
        if not changed or self.profile is None:
            return
        screen = self.reflection_screen
        if screen is not None:  # its list of earlier actions is read again, at the same step
            reflection_id = screen.reflection.id
            self.close_reflection(forget=False, refresh=False)
            self.open_reflection(reflection_id)
        self.refresh()

    # -- window state and closing -------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        show_archived = self.settings.value("view/show_archived", False, type=bool)
        self.menu_actions["show_archived"].setChecked(bool(show_archived))

    def _fit_screen(self) -> None:
        """Open within the screen's free area: a small or scaled screen (1280x720 at 200% is 640x360) gets
        a window that fits it, never one that hangs off its edges."""
        room = self.screen().availableGeometry()
        frame = self.frameGeometry()  # the window manager's frame, once shown
        size = self.size().boundedTo(room.size() - (frame.size() - self.size()))
        if size != self.size():
            self.resize(size)
        frame = self.frameGeometry()
        if not room.contains(frame):
            left = min(max(frame.left(), room.left()), room.right() - frame.width() + 1)
            top = min(max(frame.top(), room.top()), room.bottom() - frame.height() + 1)
            self.move(left, top)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:  # again once the frame is known
            self._fitted = True
            QTimer.singleShot(0, self._fit_screen)

    def _save_state(self) -> None:
        # Never full screen from hand-over mode: the window as it was before it.
        geometry = self.handover.geometry if self.handover is not None else self.saveGeometry()
        self.settings.setValue("window/geometry", geometry)
        if self.splitter is not None and self.reflection_screen is None:  # not while the case list is hidden
            self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._warm_up is not None:  # the first paint: the rest of the app loads from now on
            QTimer.singleShot(0, partial(self._warm_up_next, self._warm_up))
            self._warm_up = None

    def _warm_up_next(self, modules: list[str]) -> None:
        """One module per turn of the event loop, so the window answers typing in between."""
        if modules:
            importlib.import_module(modules.pop(0))
            QTimer.singleShot(0, partial(self._warm_up_next, modules))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        self.hide()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Make the backup on close, then close the store. Safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.profile is not None:
            self.about_to_lock.emit()
        try:
            self.session.shutdown()  # the last backup; every worker waited for; the store closed
        except Exception as exc:  # a failed backup must not stop the store closing cleanly
            if isinstance(exc, UserFacingError):
                log.warning("The backup on close failed: %s", type(exc).__name__)
            else:
                log.exception("The backup on close failed")
            QMessageBox.warning(None, "The backup was not made", error_text(exc))

    # -- search across reflections (Ctrl+F) ---------------------------------------------------

    def show_search(self) -> None:
        """The search screen in place of the case page, with the words typed last; a reflection open is saved
        and closed first. The case list's filter stays where it was, for codes."""
        from psi_desktop.ui.search_screen import SearchScreen

        if self.profile is None or self.right is None:
            return
        self.close_reflection(refresh=False)
        if self.search_screen is None:
            self.search_screen = SearchScreen(self.session, self.right)
            self.search_screen.open_requested.connect(self._on_search_screen_open_requested)
            self.search_screen.close_requested.connect(self.close_search)
            self.right.addWidget(self.search_screen)
            self.right.currentChanged.connect(self._on_right_current_changed)
        else:
            self.search_screen.reload_choices()
        self.search_screen.run_search()  # what changed since it was last shown shows
        self.right.setCurrentWidget(self.search_screen)
        self.case_list.hide()  # one thing per screen, as the walkthrough
        self.splitter.refresh()
        self.search_screen.focus_query()

    def close_search(self) -> None:
        """Back to the chosen case (the search keeps its words for next time)."""
        if self.search_screen is None or self.right is None or self.right.currentWidget() is not self.search_screen:
            return
        self.case_list.show()
        self.splitter.refresh()
        self.right.setCurrentWidget(self.case_page if self.case_page.case is not None else self.no_case)
        self.case_list.table.setFocus()

    def _on_search_screen_open_requested(self, reflection_id: uuid.UUID, step_id: str, prompt_id: str) -> None:
        """Open the reflection at the hit's step; for an answer, the keyboard goes to it and it is scrolled to."""
        self.open_reflection(reflection_id, step=step_id)
        screen = self.reflection_screen
        field = screen.prompt_fields.get(prompt_id) if screen is not None and prompt_id else None
        if field is None or screen.current_step_id != step_id:
            return
        field.edit.setFocus()
        page = screen.pages[step_id]
        QTimer.singleShot(0, lambda: page.ensureWidgetVisible(field) if self.reflection_screen is screen else None)

    def _on_right_current_changed(self, _index: int) -> None:
        """Anything else shown in place of the search (a new case chosen, say) brings the case list back."""
        current = self.right.currentWidget() if self.right is not None else None
        if self.case_list is not None and current is not None and current in (self.case_page, self.no_case):
            self.case_list.show()
            self.splitter.refresh()

    def edit_your_details(self) -> None:
        from psi_desktop.ui.practitioner_dialogs import YourDetailsDialog

        if self.profile is None:
            return
        dialog = YourDetailsDialog(self.session, self)
        dialog.exec()
        dialog.deleteLater()

    def show_supervisees(self) -> None:
        from psi_desktop.ui.supervisees_screen import SuperviseesDialog  # matplotlib loads when first shown

        if self.profile is None:
            return
        if self.reflection_screen is not None:
            self.reflection_screen.flush()
        dialog = SuperviseesDialog(self.session, self)
        dialog.exec()
        dialog.deleteLater()

    # -- tidying up: deleting a draft or a case (issue 17) ------------------------------------------

    def _open_blank_draft(self, case_id: uuid.UUID) -> bool:
        """New reflection on a case that has a draft with nothing in it yet: that draft opens instead."""
        from psi_desktop.ui.removal_dialogs import draft_name

        if self.reflection_screen is not None:
            self.reflection_screen.flush()  # what was just typed counts
        try:
            blank = self.profile.removals.blank_draft(case_id)
            if blank is None or self.profile.cases.get(case_id).archived:
                return False
            contents = self.profile.removals.draft(blank.id)
        except UserFacingError:
            return False
        self.open_reflection(blank.id)
        self.statusBar().showMessage(
            f"This case already had an empty draft: {draft_name(contents)} is open, rather than a second one.", 8000
        )
        return True

    def delete_reflection(self) -> None:
        """Reflection \u2192 Delete this draft: the open reflection, if it is not signed; the walkthrough closes."""
        if self.profile is not None and self.reflection_screen is not None and not self.reflection_screen.read_only:
            self._delete_reflection(self.reflection_screen.reflection.id)

    def _delete_reflection(self, reflection_id: uuid.UUID) -> None:
        """Delete an unsigned reflection after a confirmation naming it; one with nothing in it goes at once."""
        from psi_desktop.ui.removal_dialogs import DeleteDraftDialog, draft_name

        if self.profile is None:
            return
        screen = self.reflection_screen
        shown = screen is not None and screen.reflection.id == reflection_id
        if shown:
            screen.flush()  # what was typed is in what the confirmation counts
        try:
            contents = self.profile.removals.draft(reflection_id)
        except UserFacingError as exc:
            QMessageBox.warning(self, "PSI Desktop", str(exc))
            return
        if not contents.blank:
            dialog = DeleteDraftDialog(contents, self)
            confirmed = dialog.exec() == QDialog.DialogCode.Accepted
            dialog.deleteLater()
            if not confirmed or self.profile is None:
                return
        if shown and self.reflection_screen is screen:
            self.close_reflection(refresh=False)  # the screen goes first: nothing of it saves after the delete
        try:
            self.profile.removals.delete_draft(reflection_id)
        except UserFacingError as exc:
            QMessageBox.warning(self, "PSI Desktop", str(exc))
            return
        self._forget_reflections([reflection_id])
        self.refresh(select=self.case_list.current_case_id())
        self.right.setCurrentWidget(self.case_page)
        self.case_page.table.setFocus()
        name = draft_name(contents)
        self.statusBar().showMessage(
            "The empty draft was discarded." if contents.blank else f"{name[:1].upper()}{name[1:]} was deleted.",
            8000,
        )

    def delete_case(self) -> None:
        """Delete the chosen case after a confirmation naming it and what goes; signed records need a tick."""
        from psi_desktop.ui.removal_dialogs import DeleteCaseDialog

        if self.profile is None or self.case_page is None or self.case_page.case is None:
            return
        case_id = self.case_page.case.id
        if self.reflection_screen is not None:
            self.reflection_screen.flush()
        try:
            contents = self.profile.removals.case(case_id)
            reflection_ids = [o.id for o in self.profile.cases.reflection_outlines(case_id)]
        except UserFacingError as exc:
            QMessageBox.warning(self, "PSI Desktop", str(exc))
            return
        dialog = DeleteCaseDialog(contents, self)
        confirmed = dialog.exec() == QDialog.DialogCode.Accepted
        signed_confirmed = dialog.signed_confirmed
        dialog.deleteLater()
        if not confirmed or self.profile is None:
            return
        self.close_reflection(refresh=False)
        try:
            removed = self.profile.removals.remove_case(case_id, signed_confirmed=signed_confirmed)
        except UserFacingError as exc:
            QMessageBox.warning(self, "PSI Desktop", str(exc))
            self.refresh(select=case_id)
            return
        self._forget_reflections(reflection_ids)
        self.refresh()
        if self.case_list.current_case_id() is None:
            self.case_list.select(None)  # the first case left, as on a fresh start
        reflections = f"{removed.reflections} reflection{'' if removed.reflections == 1 else 's'}"
        self.statusBar().showMessage(f"The case was deleted, with {reflections}.", 8000)

    def _forget_reflections(self, reflection_ids: list[uuid.UUID]) -> None:
        """Where the walkthrough was in reflections now deleted: ids only, gone from the settings too."""
        for reflection_id in reflection_ids:
            self.settings.remove(STEP_KEY.format(reflection_id))
            self.settings.remove(REVEALED_KEY.format(reflection_id))
            if self.settings.value(OPEN_REFLECTION_KEY) == str(reflection_id):
                self.settings.remove(OPEN_REFLECTION_KEY)
        self.settings.sync()
