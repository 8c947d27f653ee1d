"""Issue 18 item 1, by keyboard alone on a real window: every listed shortcut fires from any focus, text
fields included; Return presses a focused button; no two mnemonics of one window share a letter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from psi_desktop.ui.actions import ACTIONS


@pytest.fixture
def profile(tmp_path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


class Fired(QObject):
    """Records the Shortcut events an action gets, and eats them, so its handler does not run."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Shortcut:
            self.names.append(watched.objectName().removeprefix("action_"))
            return True
        return False


def press(qtbot, widget: QWidget, sequence: QKeySequence) -> None:
    combo = sequence[0]
    qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())


LISTED = [spec for spec in ACTIONS if spec.shortcut is not None]


def text_fields(window) -> list[QWidget]:
    screen = window.reflection_screen
    answer = next(iter(screen.prompt_fields.values())).edit
    return [screen.practitioner_edit, answer]


@pytest.mark.parametrize("spec", LISTED, ids=[spec.name for spec in LISTED])
def test_every_listed_shortcut_fires_from_a_text_field(qtbot, profile, open_window, spec):
    window = open_window(profile)
    window.case_list.select(profile.cases.find("Demo - Ward 3").id)
    window.new_reflection()
    fired = Fired()
    action = window.menu_actions[spec.name]
    action.installEventFilter(fired)
    assert action.isEnabled(), spec.name
    for field in text_fields(window):
        window.reflection_screen.go_to("context", focus=False)
        field.setFocus()
        qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
        assert isinstance(field, QLineEdit | QPlainTextEdit)
        before = field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
        press(qtbot, field, action.shortcut())
        assert fired.names[-1:] == [spec.name], f"{spec.name} from a {type(field).__name__}"
        after = field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
        assert after == before, "the field did not take the keys as well"


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Each Alt+letter of ``window`` as shown now: menu titles, and the buttons, labels with a buddy, tabs
    and group boxes visible in it; letter -> the texts that use it."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QTabBar

    def letter(text: str) -> str | None:
        at = text.replace("&&", "").find("&")
        return text.replace("&&", "")[at + 1].lower() if 0 <= at < len(text.replace("&&", "")) - 1 else None

    texts: list[str] = []
    for bar in window.findChildren(QMenuBar):
        texts += [action.text() for action in bar.actions() if action.isVisible()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
    found: dict[str, list[str]] = {}
    for text in texts:
        key = letter(text)
        if key:
            found.setdefault(key, []).append(text)
    return found


def collisions(window: QWidget) -> dict[str, list[str]]:
    return {key: texts for key, texts in mnemonics(window).items() if len(texts) > 1}


def test_no_two_mnemonics_of_the_window_share_a_letter_on_any_screen(qtbot, profile, open_window):
    from tests.conftest import settle_layout

    window = open_window(profile)
    window.case_list.select(profile.cases.find("Demo - Ward 3").id)
    seen = {}
    seen["case page"] = collisions(window)
    window.case_page.tabs.setCurrentWidget(window.case_page.charts_tab)
    settle_layout(window)
    seen["charts"] = collisions(window)
    window.show_search()
    seen["search"] = collisions(window)
    window.new_reflection()
    for step in window.reflection_screen.steps:
        window.reflection_screen.go_to(step.id)
        seen[f"step {step.id}"] = collisions(window)
    assert {where: found for where, found in seen.items() if found} == {}


def test_f1_gives_help_for_the_screen_it_is_pressed_on_even_in_a_text_field(qtbot, profile, open_window, screenshot):
    from psi_desktop.ui.help_dialogs import ScreenHelpDialog, ShortcutsDialog
    from tests.ui.conftest import when_modal

    window = open_window(profile)

    def help_title(widget: QWidget, act=lambda dialog: dialog.reject()) -> str:
        seen = when_modal(ScreenHelpDialog, act)
        window.activateWindow()
        widget.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
        qtbot.keyClick(widget, Qt.Key.Key_F1)
        assert seen, f"F1 from {type(widget).__name__} opened no help"
        return seen[0].windowTitle()

    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    shoot = lambda dialog: (screenshot(dialog, "help-f1-case"), dialog.reject())  # noqa: E731
    assert help_title(window.case_list.filter_edit, shoot) == "Help: A case"
    window.case_page.tabs.setCurrentWidget(window.case_page.charts_tab)
    assert help_title(window.case_list.table) == "Help: Charts"
    window.show_search()
    assert help_title(window.search_screen.query_edit) == "Help: Searching your reflections"
    # Its Keyboard shortcuts button opens the whole list.
    listed = when_modal(ShortcutsDialog, lambda dialog: dialog.reject())
    help_title(window.search_screen.query_edit, lambda dialog: dialog.shortcuts_button.click())
    qtbot.waitUntil(lambda: bool(listed))
    window.lock()
    assert help_title(window.lock_screen.passphrase_edit) == "Help: Unlocking"


def test_f1_in_a_reflection_shows_why_the_focused_prompt_is_asked(qtbot, profile, open_window):
    window = open_window(profile)
    window.case_list.select(profile.cases.find("Demo - Ward 3").id)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("power")
    field = next(f for f in screen.prompt_fields.values() if f.isVisibleTo(screen))
    window.activateWindow()
    field.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field.edit)
    assert not field.why_label.isVisibleTo(screen)
    qtbot.keyClick(field.edit, Qt.Key.Key_F1)
    assert field.why_label.isVisibleTo(screen)


def test_return_presses_the_focused_button(qtbot, profile, open_window):
    window = open_window(profile)
    window.case_list.select(profile.cases.find("Demo - Ward 3").id)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("context")
    window.activateWindow()
    screen.next_step_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.next_step_button)
    qtbot.keyClick(screen.next_step_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.current_step_id == "power")
    # Not a rating: Return on a rating's button leaves the rating as it was.
    row = next(iter(screen.rating_rows.values()))
    screen.go_to("power")
    row.focus()
    before = row.value()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.wait(50)
    assert row.value() == before and screen.current_step_id == "power"


def test_the_window_opens_within_the_screen(qtbot, tmp_path, make_profile):
    """The offscreen screen is 800x600, smaller than the window's first size (1000x640), as a 1280x720
    laptop at 150% or a 1600x900 one at 200% would be."""
    from PySide6.QtCore import QByteArray

    from psi_desktop.app import settings_for
    from psi_desktop.ui.main_window import MainWindow

    directory = tmp_path / "profile"
    make_profile(directory).close()
    settings = settings_for(directory)
    for saved in (None, "too big"):
        if saved:  # a size saved on a bigger screen
            big = MainWindow(directory, settings)
            big.setGeometry(-200, -100, 2400, 1500)
            settings.setValue("window/geometry", QByteArray(big.saveGeometry()))
            big.shutdown()
        window = MainWindow(directory, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        room = window.screen().availableGeometry()
        qtbot.waitUntil(lambda w=window, r=room: r.contains(w.frameGeometry()))
        window.shutdown()
