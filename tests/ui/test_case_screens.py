"""Case screens with real widgets: the dialog, the list and the case page, on a real profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from psi_desktop.app import settings_for
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.main_window import MainWindow


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile")


@pytest.fixture
def window(qtbot, profile):
    win = MainWindow(profile.directory, settings_for(profile.directory), profile=profile)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shutdown()


def visible_codes(win: MainWindow) -> list[str]:
    proxy = win.case_list.proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def fill_dialog_when_shown(qtbot, code: str, setting: str, *, then=None) -> list:
    """Types into the modal case dialog once it is open, and clicks its OK button."""
    seen: list = []

    def act():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, CaseDialog):
            QTimer.singleShot(20, act)
            return
        seen.append(dialog)
        dialog.code_edit.clear()
        qtbot.keyClicks(dialog.code_edit, code)
        dialog.setting_edit.clear()
        qtbot.keyClicks(dialog.setting_edit, setting)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        if then:
            then(dialog)

    QTimer.singleShot(0, act)
    return seen


def test_create_a_case_through_the_dialog(qtbot, window, profile, screenshot):
    fill_dialog_when_shown(qtbot, "Ward 5 - K", "Community mental health team")
    qtbot.mouseClick(window.case_list.new_button, Qt.MouseButton.LeftButton)
    assert visible_codes(window) == ["Ward 5 - K"]
    assert window.case_page.title.text() == "Ward 5 - K"
    assert "Community mental health team" in window.case_page.subtitle.text()
    assert "0 reflections" in window.case_page.subtitle.text()
    (stored,) = profile.cases.summaries()
    assert (stored.case.code, stored.case.setting) == ("Ward 5 - K", "Community mental health team")
    screenshot(window, "case-page-empty")


def test_a_duplicate_code_keeps_the_dialog_open_with_a_message(qtbot, profile):
    profile.cases.create("Ward 3 - A")
    dialog = CaseDialog(profile.cases.create)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code_edit, "ward 3 - a")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "already a case" in dialog.error_label.text()
    assert len(profile.cases.summaries()) == 1


def test_rename_archive_and_show_archived(qtbot, window, profile):
    profile.cases.create("Ward 3 - A", "Acute inpatient")
    profile.cases.create("Ward 4 - B")
    window.refresh()
    window.case_list.select(profile.cases.find("Ward 3 - A").id)

    fill_dialog_when_shown(qtbot, "Ward 3 - C", "Acute inpatient")
    window.menu_actions["rename_case"].trigger()
    assert visible_codes(window) == ["Ward 3 - C", "Ward 4 - B"]
    assert profile.cases.find("Ward 3 - C") is not None

    qtbot.mouseClick(window.case_page.archive_button, Qt.MouseButton.LeftButton)
    assert visible_codes(window) == ["Ward 4 - B"]
    assert profile.cases.find("Ward 3 - C").archived

    window.menu_actions["show_archived"].setChecked(True)
    assert visible_codes(window) == ["Ward 3 - C (archived)", "Ward 4 - B"]
    window.case_list.select(profile.cases.find("Ward 3 - C").id)
    assert window.case_page.archive_button.text() == "Unarchive"
    window.menu_actions["unarchive_case"].trigger()
    assert not profile.cases.find("Ward 3 - C").archived


def test_filter_box_finds_cases_when_clicked(qtbot, window, profile):
    """Ctrl+F opens the search across reflections (tests/ui/test_search_screen.py); the code filter is a click away."""
    for code in ("Ward 3 - A", "Ward 4 - B", "Community - K"):
        profile.cases.create(code)
    window.refresh()
    qtbot.mouseClick(window.case_list.filter_edit, Qt.MouseButton.LeftButton)
    assert window.case_list.filter_edit.hasFocus()
    qtbot.keyClicks(window.case_list.filter_edit, "ward")
    assert visible_codes(window) == ["Ward 3 - A", "Ward 4 - B"]


def test_menus_come_from_the_actions_table_with_shortcuts(window):
    from psi_desktop.ui.actions import ACTIONS

    menus = {top.text(): [a.text() for a in top.menu().actions()] for top in window.menuBar().actions()}
    assert list(menus) == ["&File", "&Case", "&Reflection", "&View", "&Help"]
    for spec in ACTIONS:
        assert spec.text in menus[spec.menu]
    assert window.menu_actions["new_case"].shortcut().toString() == "Ctrl+Shift+N"


def test_the_charts_tab_is_built_when_first_shown_and_follows_the_case(qtbot, window, profile, screenshot):
    from psi_desktop.services.demo import add_demo_case

    demo = add_demo_case(profile)
    other = profile.cases.create("Ward 4 - B")
    window.refresh(select=demo.id)
    page = window.case_page
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Reflection&s", "Char&ts"]
    assert page.charts is None, "nothing of the charts is built until the tab is shown"

    page.show_charts()
    assert page.charts is not None
    charts = page.charts
    qtbot.waitUntil(lambda: charts.canvas is not None and charts.stack.currentWidget() is charts.canvas, timeout=20000)
    window.resize(1200, 800)
    screenshot(window, "case-page-charts-tab")

    refreshed = []
    charts.refresh = lambda: refreshed.append("refresh")
    charts.set_case = lambda case_id: refreshed.append(case_id)
    window.case_list.select(other.id)
    assert refreshed == [other.id]
    window.case_list.select(demo.id)
    page.refresh_charts()
    assert refreshed == [other.id, demo.id, "refresh"]


NHS_NUMBER = "943 476 5919"  # valid check digit (the NHS's own example)


def test_a_valid_nhs_number_typed_then_enter_at_once_is_warned_about_before_it_is_created(qtbot, profile, screenshot):
    """The check while typing waits for a pause; pressing Enter straight away must not outrun it."""
    dialog = CaseDialog(profile.cases.create)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code_edit, f"Bed {NHS_NUMBER}")
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)  # at once: no time for the delayed check
    assert dialog.isVisible() and dialog.case is None, "not created before the warning was seen"
    assert dialog.code_warning.isVisible() and "NHS number" in dialog.code_warning.text()
    assert profile.cases.summaries() == []
    assert dialog.ok_button.text() == "Create anyway"
    qtbot.wait(20)
    screenshot(dialog, "case-dialog-warned-on-confirm")

    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)  # seen, and confirmed again: a warning, never a block
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.case is not None
    assert profile.cases.find(f"Bed {NHS_NUMBER}") is not None


def test_set_text_then_accept_warns_about_the_setting_too(qtbot, profile):
    dialog = CaseDialog(profile.cases.create)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.code_edit.setText("Ward 7 - B")
    dialog.setting_edit.setText(f"Home visit, NHS no {NHS_NUMBER.replace(' ', '')}")
    dialog.ok_button.click()
    assert dialog.case is None and dialog.setting_warning.isVisible()
    dialog.setting_edit.setText("Home visits")
    assert dialog.ok_button.text() == "Create case"  # changed: checked again, nothing found, created at once
    dialog.ok_button.click()
    assert dialog.case is not None and dialog.case.setting == "Home visits"


def test_a_plain_code_confirmed_at_once_is_created_at_once(qtbot, profile):
    dialog = CaseDialog(profile.cases.create)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code_edit, "Ward 2 - D")
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
    assert dialog.case is not None and not dialog.code_warning.isVisible()


def test_an_amendment_confirmed_at_once_is_checked_first_too(qtbot):
    from psi_desktop.ui.amendment_dialog import AmendmentDialog

    submitted = []
    dialog = AmendmentDialog(lambda *fields: submitted.append(fields) or object(), author="A. Nurse")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reason_edit.setText("Wrong date")
    dialog.changes_edit.setPlainText(f"It was the patient with NHS number {NHS_NUMBER}.")
    dialog.add_button.click()
    assert submitted == [] and dialog.changes_warning.isVisible(), "an amendment cannot be taken back: warn first"
    dialog.add_button.click()
    assert len(submitted) == 1 and dialog.result() == QDialog.DialogCode.Accepted


def test_refreshing_the_window_reads_the_chosen_case_once(window, profile, monkeypatch):
    """A case of hundreds of reflections costs its load once per refresh (issue 16), not once as it is
    selected again and once more after."""
    from psi_desktop.ui.case_page import SIZED_ROWS

    case = profile.cases.create("Ward 3 - A", "Acute inpatient")
    window.refresh(select=case.id)
    shown = []
    real = window.case_page.show_case
    monkeypatch.setattr(window.case_page, "show_case", lambda case: (shown.append(case.id), real(case)))
    window.refresh(select=case.id)
    assert shown == [case.id]
    assert window.case_page.table.horizontalHeader().resizeContentsPrecision() == SIZED_ROWS
