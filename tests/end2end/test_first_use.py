"""User journeys through the real entry point: the app opens on a temp profile and is used as a person would."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import QApplication

from psi_desktop.cli import DEMO_PASSPHRASE, main
from psi_desktop.services.backups import backup_files
from psi_desktop.services.profile import ProfileState, profile_state
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.help_dialogs import AboutDialog, ShortcutsDialog
from psi_desktop.ui.main_window import MainWindow
from psi_desktop.ui.profile_dialogs import CreateProfileDialog

PASSPHRASE = "tea break on the night shift"


@pytest.fixture(autouse=True)
def _keep_excepthook(monkeypatch):
    # app.run installs its own excepthook; put pytest's back afterwards.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)


def when_shown(kind: type, act: Callable, *, modal: bool = False) -> None:
    """Run ``act(widget)`` once a widget of ``kind`` is showing (polls the event loop, never blocks it)."""

    def poll():
        found = QApplication.activeModalWidget() if modal else None
        if not modal:
            found = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)
        if isinstance(found, kind):
            act(found)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def run_app(argv: list[str], journey: Callable[[MainWindow], None], *, before: Callable[[], None] | None = None) -> int:
    """Start the app through the command line and run ``journey`` on its main window."""
    failures: list[BaseException] = []

    def guarded(window: MainWindow) -> None:
        try:
            journey(window)
        except BaseException as exc:  # reported after the event loop ends
            failures.append(exc)
            window.close()

    if before is not None:
        before()
    when_shown(MainWindow, guarded)
    code = main(argv)
    if failures:
        raise failures[0]
    return code


def set_up_profile(qtbot, seen: dict) -> Callable[[], None]:
    """Answer the create-profile dialog that a first start shows, as a person would."""

    def answer(dialog: CreateProfileDialog) -> None:
        qtbot.keyClicks(dialog.fields.passphrase_edit, PASSPHRASE)
        qtbot.keyClicks(dialog.fields.again_edit, PASSPHRASE)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10_000)
        seen["recovery_key"] = dialog.key_label.text().replace("\n", "-")
        seen["continue_enabled_before"] = dialog.continue_button.isEnabled()
        qtbot.mouseClick(dialog.stored_check, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)

    return lambda: when_shown(CreateProfileDialog, answer, modal=True)


def test_first_use_set_up_create_a_case_close_and_unlock_again(qtbot, tmp_path: Path, screenshot):
    """The one journey on the real key derivation, as the app uses it."""
    profile = tmp_path / "profile"
    seen: dict = {}

    def first_visit(window: MainWindow) -> None:
        assert not window.locked, "a new profile opens straight away"
        screenshot(window, "main-window-no-cases")
        assert window.right.currentWidget() is window.no_case

        def fill(dialog: CaseDialog) -> None:
            screenshot(dialog, "new-case-dialog")
            qtbot.keyClicks(dialog.code_edit, "Ward 5 - K")
            qtbot.keyClicks(dialog.setting_edit, "Older adults")
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

        when_shown(CaseDialog, fill, modal=True)
        window.menu_actions["new_case"].trigger()
        assert window.case_page.title.text() == "Ward 5 - K"
        screenshot(window, "main-window-new-case")
        window.resize(701, 503)
        seen["geometry"] = window.saveGeometry()
        window.close()

    assert run_app(["--data-dir", str(profile)], first_visit, before=set_up_profile(qtbot, seen)) == 0
    assert seen["continue_enabled_before"] is False
    assert len(seen["recovery_key"]) == 39
    assert profile_state(profile) is ProfileState.ENCRYPTED
    assert len(backup_files(profile)) == 1, "a backup is made on close"

    def second_visit(window: MainWindow) -> None:
        assert window.locked, "an existing profile opens on the lock screen"
        seen["size"] = (window.width(), window.height())
        screenshot(window, "lock-screen-on-start")
        qtbot.keyClicks(window.lock_screen.passphrase_edit, PASSPHRASE)
        qtbot.keyClick(window.lock_screen.passphrase_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
        proxy = window.case_list.proxy
        seen["codes"] = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
        window.close()

    assert run_app(["--data-dir", str(profile)], second_visit) == 0
    assert seen["codes"] == ["Ward 5 - K"]
    assert seen["size"] == (701, 503)
    assert isinstance(seen["geometry"], QByteArray)
    assert len(backup_files(profile)) == 2
    log = (profile / "logs" / "psi-desktop.log").read_text(encoding="utf-8")
    assert "starting" in log and "Unlocked" in log
    for secret in ("Ward 5", PASSPHRASE, seen["recovery_key"]):
        assert secret not in log


def test_cancelling_set_up_makes_no_profile(qtbot, tmp_path: Path):
    from psi_desktop.app import run

    profile = tmp_path / "profile"
    when_shown(CreateProfileDialog, lambda dialog: dialog.reject(), modal=True)
    assert run(profile) == 0
    assert profile_state(profile) is ProfileState.MISSING


def test_demo_opens_on_a_throwaway_profile_with_the_demo_case(qtbot, tmp_path: Path, screenshot):
    seen: dict = {}

    def look(window: MainWindow) -> None:
        seen["title"] = window.windowTitle()
        seen["unlocked"] = not window.locked
        seen["case"] = window.case_page.title.text()
        seen["reflections"] = window.case_page.model.rowCount()
        seen["profile"] = window.profile.directory
        screenshot(window, "main-window-demo")

        def about(dialog: AboutDialog) -> None:
            seen["about"] = dialog.text.text()
            screenshot(dialog, "about-dialog")
            dialog.close()

        when_shown(AboutDialog, about, modal=True)
        window.menu_actions["about"].trigger()

        def shortcuts(dialog: ShortcutsDialog) -> None:
            seen["shortcuts"] = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
            screenshot(dialog, "keyboard-shortcuts")
            dialog.close()

        when_shown(ShortcutsDialog, shortcuts, modal=True)
        window.menu_actions["shortcuts"].trigger()

        window.lock()
        seen["hint"] = window.lock_screen.hint.text() if window.lock_screen.hint.isVisible() else ""
        screenshot(window, "lock-screen-demo-window")
        window.close()

    assert run_app(["--data-dir", str(tmp_path / "mine"), "demo"], look) == 0
    assert seen["unlocked"], "the demo needs no passphrase typed"
    assert "demo" in seen["title"]
    assert seen["case"] == "Demo - Ward 3"
    assert seen["reflections"] == 6
    assert seen["hint"] == f"Demo profile: the passphrase is \u201c{DEMO_PASSPHRASE}\u201d"
    assert not seen["profile"].exists(), "the demo profile is thrown away"
    assert not (tmp_path / "mine").exists(), "the user's own profile is not touched"
    assert "10.1111/papt.12218" in seen["about"] and "Psychology and Psychotherapy" in seen["about"]
    assert "from the paper" in seen["about"] and "proposed" in seen["about"]
    assert "Ctrl+Shift+N" in seen["shortcuts"] and "Ctrl+L" in seen["shortcuts"]
