"""Locking: Lock now, idle auto-lock, sleep, wrong passphrases; nothing with records survives a lock."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog

from psi_desktop.storage.keys import REAL_KDF
from psi_desktop.ui import idle as idle_module
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.lock_screen import LockScreen
from psi_desktop.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE
from tests.ui.conftest import unlock, when_modal, widgets_showing

CODE = "Ward 9 - Q"
TINY = 0.3  # seconds of idle before locking, in these tests
TINY_MINUTES = TINY / 60


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    made = make_profile(tmp_path / "profile", demo=True)
    made.cases.create(CODE, "Crisis team")
    return made


def test_lock_now_hides_every_record_drops_the_key_and_unlock_returns_to_the_same_case(
    qtbot, profile, open_window, screenshot
):
    window = open_window(profile)
    window.case_list.select(profile.cases.find(CODE).id)
    assert window.case_page.title.text() == CODE
    assert widgets_showing(CODE)
    flushed = []
    window.about_to_lock.connect(lambda: flushed.append(window.profile is not None))

    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.case_list.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert window.locked and profile.closed, "the store is closed and its key forgotten"
    assert flushed == [True], "screens were told to save before the store closed"
    assert window.pages.currentWidget() is window.lock_screen
    qtbot.wait(10)  # widgets are deleted on the next turn of the event loop
    assert widgets_showing(CODE) == []
    assert widgets_showing("Demo - Ward 3") == []
    assert window.case_list is None and window.case_page is None
    for name in ("new_case", "rename_case", "back_up_now", "restore", "change_passphrase", "lock", "search"):
        assert not window.menu_actions[name].isEnabled(), name
    assert window.menu_actions["quit"].isEnabled()
    assert "carry on where you left off" in window.lock_screen.intro.text()
    screenshot(window, "lock-screen")

    unlock(qtbot, window)
    assert window.case_page.title.text() == CODE
    assert window.case_list.current_case_id() == window.profile.cases.find(CODE).id
    assert window.menu_actions["lock"].isEnabled()
    assert window.lock_screen.passphrase_edit.text() == ""
    screenshot(window, "main-window-unlocked")
    file_menu = window.menuBar().actions()[0].menu()
    file_menu.adjustSize()
    screenshot(file_menu, "file-menu")


def test_the_lock_button_is_in_reach_at_the_top_right(qtbot, profile, open_window):
    window = open_window(profile)
    assert window.menuBar().cornerWidget(Qt.Corner.TopRightCorner) is window.lock_button
    assert window.lock_button.text() == "Lock"
    qtbot.mouseClick(window.lock_button, Qt.MouseButton.LeftButton)
    assert window.locked


def test_locking_closes_an_open_dialog_first(qtbot, profile, open_window):
    window = open_window(profile)

    def type_then_lock(dialog: CaseDialog) -> None:
        qtbot.keyClicks(dialog.code_edit, "Ward 2 - half typed")
        window.lock()

    seen = when_modal(CaseDialog, type_then_lock)
    window.menu_actions["new_case"].trigger()  # returns once the lock has closed the dialog
    assert seen and window.locked
    qtbot.wait(10)
    assert widgets_showing("half typed") == []
    assert [w for w in QApplication.allWidgets() if isinstance(w, CaseDialog)] == []


def test_a_wrong_passphrase_is_not_right_and_repeated_ones_must_wait(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    directory = tmp_path / "profile"
    make_profile(directory).close()
    window = open_window(directory)
    screen = window.lock_screen
    assert window.locked and "open your records" in screen.intro.text()

    for _ in range(3):
        screen.passphrase_edit.setText("not the passphrase")
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: screen.error_label.isVisible() and screen.unlock_button.text() == "Unlock")
        assert "not right" in screen.error_label.text()
        screenshot(window, "lock-screen-wrong-passphrase")
        screen.error_label.hide()
    screen.passphrase_edit.setText("not the passphrase")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.error_label.isVisible() and "Wait" in screen.error_label.text())
    assert "Too many wrong passphrases" in screen.error_label.text()
    assert not screen.unlock_button.isEnabled(), "Unlock is held off while the wait counts down"
    assert window.locked
    screenshot(window, "lock-screen-wait")


def test_an_empty_passphrase_asks_for_one(qtbot, tmp_path, make_profile, open_window):
    directory = tmp_path / "profile"
    make_profile(directory).close()
    window = open_window(directory)
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
    assert "Type your passphrase" in window.lock_screen.error_label.text()


def idle_lock_delay(qtbot, window) -> float:
    """Start the idle watch and wait for the lock: the seconds it took (checked in tests/perf/test_time_budgets.py)."""
    locked_at: list[float] = []
    window.lock_changed.connect(lambda locked: locked and locked_at.append(time.perf_counter()))
    window.session.idle.start(window.auto_lock_seconds())
    started = time.perf_counter()
    assert not window.locked, "it locked at once, not after the idle time"
    qtbot.waitUntil(lambda: bool(locked_at), timeout=5000)
    return locked_at[0] - started


def test_idle_auto_lock_locks_after_the_timeout(qtbot, profile, open_window):
    window = open_window(profile, security__auto_lock_minutes=TINY_MINUTES)
    assert window.auto_lock_seconds() == pytest.approx(TINY)
    idle_lock_delay(qtbot, window)
    assert window.locked and profile.closed


def lock_delay_after_typing(qtbot, window) -> float:
    """Type a key every 100 ms for 1.4 s, well past the idle time, then stop: the seconds from the last key to the lock.

    Fails if it locked while keys were being typed.
    """
    edit = window.case_list.filter_edit
    edit.setFocus()
    keys = iter("wardwardwardwa")
    typed: list[str] = []

    def type_one() -> None:
        key = next(keys, None)
        if key is None or window.locked:
            ticker.stop()
            return
        qtbot.keyClick(edit, key)
        typed.append(key)

    ticker = QTimer()
    ticker.setInterval(100)
    ticker.timeout.connect(type_one)
    window.session.idle.start(window.auto_lock_seconds())
    ticker.start()
    qtbot.waitUntil(lambda: not ticker.isActive(), timeout=3000)
    assert not window.locked, "it locked while keys were being typed"
    assert len(typed) == 14

    stopped = time.perf_counter()
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    return time.perf_counter() - stopped


def test_typing_keeps_it_unlocked_and_it_locks_once_typing_stops(qtbot, profile, open_window):
    window = open_window(profile, security__auto_lock_minutes=TINY_MINUTES)
    lock_delay_after_typing(qtbot, window)
    assert window.locked


def test_after_sleep_the_first_key_locks_and_is_not_typed(qtbot, profile, open_window, monkeypatch):
    window = open_window(profile)
    edit = window.case_list.filter_edit
    edit.setFocus()
    woke = time.time() + 3600  # timers stop while a laptop sleeps; the wall clock does not
    monkeypatch.setattr(idle_module.time, "time", lambda: woke)
    qtbot.keyClick(edit, "x")
    assert window.locked
    qtbot.wait(10)
    assert widgets_showing(CODE) == []


def test_the_session_being_suspended_locks(qtbot, profile, open_window):
    window = open_window(profile)
    QGuiApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationSuspended)
    assert window.locked


def test_the_auto_lock_time_is_a_setting_with_a_sensible_default(qtbot, profile, open_window):
    window = open_window(profile)
    assert window.auto_lock_seconds() == 300
    window.settings.setValue("security/auto_lock_minutes", "nonsense")
    assert window.auto_lock_seconds() == 300
    window.settings.setValue("security/auto_lock_minutes", 0)
    assert window.auto_lock_seconds() == 300, "auto-lock cannot be switched off by a bad value"
    window.settings.setValue("security/auto_lock_minutes", 10)
    assert window.auto_lock_seconds() == 600


def test_the_auto_lock_time_can_be_chosen_from_the_file_menu(qtbot, profile, open_window):
    window = open_window(profile)

    def choose(dialog: QInputDialog) -> None:
        assert dialog.intValue() == 5
        dialog.setIntValue(12)
        dialog.accept()

    when_modal(QInputDialog, choose)
    window.menu_actions["auto_lock"].trigger()
    assert window.auto_lock_seconds() == 12 * 60
    assert window.session.idle.timeout == 12 * 60 and window.session.idle.active
    assert "12 minutes" in window.statusBar().currentMessage()


def test_the_demo_lock_screen_gives_the_passphrase(qtbot, screenshot):
    screen = LockScreen(passphrase_hint="demo passphrase")
    qtbot.addWidget(screen)
    screen.resize(900, 560)
    screen.show()
    assert screen.hint.isVisible()
    assert screen.hint.text() == "Demo profile: the passphrase is \u201cdemo passphrase\u201d"
    screenshot(screen, "lock-screen-demo")


def unlock_with_a_ticker(qtbot, tmp_path, open_window) -> list[float]:
    """Unlock a real-KDF profile while a 20 ms UI timer ticks: the ticks that arrived between the click
    and the unlocked window (their gaps are checked in tests/perf/test_time_budgets.py)."""
    from psi_desktop.services.profile import create_profile, recovery_key_shown
    from psi_desktop.storage.keys import set_kdf_cost

    set_kdf_cost(REAL_KDF)  # the suite's cheap cost is put back after the test
    directory = tmp_path / "profile"
    create_profile(directory, PASSPHRASE).profile.close()
    recovery_key_shown(directory)  # set up to the end, as the create dialog does
    window: MainWindow = open_window(directory)
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    qtbot.wait(60)
    before = len(ticks)
    unlocked_at: list[int] = []
    window.lock_changed.connect(lambda locked: locked or unlocked_at.append(len(ticks)))
    unlock(qtbot, window)
    ticker.stop()
    return ticks[before : unlocked_at[0]]


def test_unlocking_with_the_real_kdf_keeps_the_window_responsive(qtbot, tmp_path, open_window):
    """The key derivation (about half a second) runs on a worker, so the window still repaints."""
    ticks = unlock_with_a_ticker(qtbot, tmp_path, open_window)
    # On the UI thread the key derivation would hold the event loop: no tick could arrive until it ended.
    assert len(ticks) > 5, f"the UI handled {len(ticks)} timer ticks while unlocking"


@pytest.mark.parametrize("size", [(1000, 640), (640, 360), (480, 300)])
def test_a_wrong_passphrase_message_has_its_own_room_at_any_window_size(
    qtbot, tmp_path, make_profile, open_window, screenshot, size
):
    """640x360 is a 1280x720 screen at 200%: the message sits under Unlock, whole, scrolled to if need be."""
    from tests.conftest import settle_layout
    from tests.ui.conftest import clipped

    directory = tmp_path / "profile"
    make_profile(directory).close()
    window = open_window(directory)
    window.resize(*size)
    screen = window.lock_screen
    screen.passphrase_edit.setText("not the passphrase")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.error_label.isVisible() and screen.unlock_button.text() == "Unlock")
    screen.wait(30)  # the longest message there is
    settle_layout(window)
    screenshot(window, f"lock-screen-wrong-passphrase-{size[0]}x{size[1]}")
    assert clipped(screen) == []
    error, button = screen.error_label, screen.unlock_button
    top_of_error = error.mapTo(screen, error.rect().topLeft()).y()
    assert top_of_error >= button.mapTo(screen, button.rect().bottomLeft()).y(), "below Unlock, not over it"
