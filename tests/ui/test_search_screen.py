"""The search screen (Ctrl+F) on real profiles: type, see the hits with the words marked, Enter opens the
reflection at the step that holds the hit; filters; "No matches" suggesting a filter to remove."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from psi_desktop.domain.search import HitKind
from psi_desktop.domain.walkthrough import with_answer
from psi_desktop.ui.search_screen import HTML_ROLE, SearchScreen

DEMO = "Demo - Ward 3"


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "p", demo=True)
    case = profile.cases.find(DEMO)
    reflections = profile.cases.reflections(case.id)
    draft = next(r for r in reflections if not r.signed)
    profile.reflections.update(with_answer(draft, "safety.trust", "We talked about the kingfisher poster."))
    profile.reflections.add_action(draft, "Bring J. the kingfisher leaflet", dimension="safety.trust")
    signed = [r for r in reflections if r.signed]
    profile.reflections.amend(signed[0], "A. Supervisor", "The kingfisher note was misplaced", "Relocated it.")
    return profile


def _search(qtbot, window, words: str) -> SearchScreen:
    """Ctrl+F, as a person would, then the words typed."""
    if not window.isActiveWindow():
        with qtbot.waitActive(window):
            window.activateWindow()
    focused = QApplication.focusWidget() or window
    qtbot.keyClick(focused, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    screen = window.search_screen
    assert screen is not None and screen.isVisible() and screen.query_edit.hasFocus()
    screen.query_edit.selectAll()
    qtbot.keyClicks(screen.query_edit, words)
    qtbot.waitUntil(
        lambda: screen.result is not None and screen.result.has_words == bool(screen.query_edit.text().strip()),
        timeout=5000,
    )
    return screen


def _rows(screen: SearchScreen) -> list[tuple[HitKind, str]]:
    return [(screen.hit_at(r).kind, screen.hit_at(r).step_id) for r in range(screen.model.rowCount())]


def test_ctrl_f_finds_answers_actions_and_amendments_and_enter_opens_each_at_its_step(
    qtbot, open_window, demo, screenshot
):
    window = open_window(demo)
    assert window.menu_actions["search"].text().replace("&", "") == "Search reflections\u2026"
    screen = _search(qtbot, window, "kingfisher")
    assert not window.case_list.isVisible()  # one thing per screen
    assert _rows(screen) == [(HitKind.ANSWER, "safety"), (HitKind.ACTION, "actions"), (HitKind.AMENDMENT, "review")]
    assert screen.summary.text().startswith("3 matches, newest first")
    first = screen.model.index(0, 0)
    assert "kingfisher</span>" in first.data(HTML_ROLE) and "font-weight:600" in first.data(HTML_ROLE)
    assert first.data(Qt.ItemDataRole.AccessibleTextRole).startswith(f"17 Nov 2026 \u00b7 {DEMO} \u00b7 Draft. Safety")
    assert screen.results.accessibleName() == "Search results"
    screenshot(window, "search-demo-results")

    # Enter in the words moves to the hits; Down and Enter open the second hit at the Actions step.
    qtbot.keyClick(screen.query_edit, Qt.Key.Key_Return)
    assert screen.results.hasFocus() and screen.results.currentIndex().row() == 0
    qtbot.keyClick(screen.results, Qt.Key.Key_Down)
    qtbot.keyClick(screen.results, Qt.Key.Key_Return)
    opened = window.reflection_screen
    assert opened is not None and opened.isVisible() and opened.current_step_id == "actions"
    assert opened.reflection.id == screen.hit_at(1).reflection_id

    # Ctrl+F again: the same words, the hits still there; the amendment opens at Review, the answer at Safety.
    screen = _search(qtbot, window, "")
    assert window.reflection_screen is None and screen.query_edit.text() == "kingfisher"
    screen.results.setCurrentIndex(screen.model.index(2, 0))
    qtbot.keyClick(screen.results, Qt.Key.Key_Enter)
    assert window.reflection_screen.current_step_id == "review" and window.reflection_screen.read_only
    screen = _search(qtbot, window, "")
    qtbot.waitUntil(lambda: screen.results.visualRect(screen.model.index(0, 0)).height() > 0)
    rect = screen.results.visualRect(screen.model.index(0, 0))
    qtbot.mouseClick(screen.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.reflection_screen is None  # one click chooses; a double click opens
    qtbot.mouseDClick(screen.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.reflection_screen.current_step_id == "safety"
    field = window.reflection_screen.prompt_fields["safety.trust"]
    assert "kingfisher" in field.text() and field.edit.hasFocus()  # the keyboard is in the answer found


def test_no_matches_says_so_and_suggests_removing_a_filter(qtbot, open_window, demo, screenshot):
    window = open_window(demo)
    screen = _search(qtbot, window, "kingfisher")
    screen.status_combo.setCurrentIndex(screen.status_combo.findText("Discussed"))
    assert screen.model.rowCount() == 0 and screen.empty.isVisible() and not screen.results.isVisible()
    assert screen.summary.text() == "No matches. Try removing a filter (status), or use fewer words."
    assert "No matches.</p><p>Try removing a filter (status)" in screen.empty.text()
    assert screen.clear_button.isEnabled()
    screenshot(window, "search-demo-no-match-filtered")
    screen.clear_button.click()
    assert screen.model.rowCount() == 3 and not screen.clear_button.isEnabled() and screen.results.isVisible()
    screen.query_edit.clear()
    qtbot.keyClicks(screen.query_edit, "nowhere at all")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0 and "No matches" in screen.summary.text(), timeout=5000)
    assert screen.summary.text() == "No matches. Check the spelling, or try fewer or other words."
    screenshot(window, "search-demo-no-match")
    screen.query_edit.clear()
    qtbot.keyClicks(screen.query_edit, '" * - NEAR( AND')  # never an FTS error on screen
    qtbot.waitUntil(lambda: not screen._typing.isActive(), timeout=5000)
    assert "fts" not in screen.summary.text().lower() and "syntax" not in screen.summary.text().lower()
    screen.query_edit.setText(screen.query_edit.text() + " \U0001f642")  # QTest types ASCII only
    screen.run_search()
    assert "fts" not in screen.summary.text().lower() and "syntax" not in screen.summary.text().lower()
    screen.query_edit.clear()
    screen.run_search()
    assert screen.summary.text().startswith("Type a word or two")


def test_each_filter_on_screen_narrows_the_hits(qtbot, open_window, demo):
    other = demo.cases.create("Ward 5 - K")
    elsewhere = demo.reflections.start(other.id, session_date=dt.date(2026, 11, 20))
    demo.reflections.update(with_answer(elsewhere, "context", "A kingfisher again."))
    window = open_window(demo)
    screen = _search(qtbot, window, "kingfisher")
    assert screen.model.rowCount() == 4
    screen.case_combo.setCurrentIndex(screen.case_combo.findText("Ward 5 - K"))
    assert _rows(screen) == [(HitKind.ANSWER, "context")]
    screen.case_combo.setCurrentIndex(0)
    screen.from_check.setChecked(True)
    screen.from_edit.setDate(QDate(2026, 11, 18))
    assert [screen.hit_at(r).case_code for r in range(screen.model.rowCount())] == ["Ward 5 - K"]
    screen.to_check.setChecked(True)
    screen.to_edit.setDate(QDate(2026, 11, 1))  # before "from": said plainly, not an error box
    assert screen.model.rowCount() == 0 and "after the \u201cto\u201d date" in screen.empty.text()
    screen.from_check.setChecked(False)
    screen.to_edit.setDate(QDate(2026, 9, 1))
    assert _rows(screen) == [(HitKind.AMENDMENT, "review")]
    screen.to_check.setChecked(False)
    screen.status_combo.setCurrentIndex(screen.status_combo.findText("Signed"))
    assert _rows(screen) == [(HitKind.AMENDMENT, "review")]
    screen.status_combo.setCurrentIndex(0)
    screen.dimension_combo.setCurrentIndex(screen.dimension_combo.findData("safety.trust"))
    assert _rows(screen) == [(HitKind.ANSWER, "safety"), (HitKind.ACTION, "actions")]
    screen.dimension_combo.setCurrentIndex(screen.dimension_combo.findData("power"))
    assert screen.model.rowCount() == 0 and "(dimension)" in screen.summary.text()


def test_escape_goes_back_to_the_cases_and_the_code_filter_still_works(qtbot, open_window, demo):
    window = open_window(demo)
    screen = _search(qtbot, window, "kingfisher")
    qtbot.keyClick(screen.query_edit, Qt.Key.Key_Escape)
    assert not screen.isVisible() and window.case_list.isVisible() and window.case_page.isVisible()
    window.case_list.filter_edit.setFocus()
    qtbot.keyClicks(window.case_list.filter_edit, "nothing")
    assert window.case_list.proxy.rowCount() == 0


def test_the_search_screen_on_hundreds_of_reflections(qtbot, open_window, make_profile, tmp_path, screenshot):
    from psi_desktop.services.bundles import import_bundle
    from tests.perf.synthetic import RARE_WORD, write_bundle

    profile = make_profile(tmp_path / "big")
    import_bundle(profile, write_bundle(tmp_path / "s.psi.json", 12, 30, seed=3), None)  # 360 reflections
    window = open_window(profile)
    window.resize(1000, 720)
    screen = _search(qtbot, window, "ward round")
    assert screen.model.rowCount() == 100 and screen.summary.text().startswith("Showing the newest 100 matches")
    dates = [screen.hit_at(r).session_date for r in range(screen.model.rowCount())]
    assert dates == sorted(dates, reverse=True)
    screenshot(window, "search-synthetic-results")
    screen.query_edit.clear()
    qtbot.keyClicks(screen.query_edit, RARE_WORD)
    qtbot.waitUntil(lambda: not screen._typing.isActive() and screen.model.rowCount() > 0, timeout=5000)
    screen.case_combo.setCurrentIndex(screen.case_combo.findText("Synthetic 001"))
    screenshot(window, "search-synthetic-case")
    screen.status_combo.setCurrentIndex(screen.status_combo.findText("Discussed"))
    assert screen.model.rowCount() == 0 and "(case or status)" in screen.summary.text()
    screenshot(window, "search-synthetic-no-match")


def test_an_answer_low_on_its_step_is_scrolled_to(qtbot, open_window, demo, screenshot):
    window = open_window(demo)
    window.resize(1000, 560)
    screen = _search(qtbot, window, "escorted")  # in the answer to the fourth Power prompt of 22 Sep
    row = next(r for r in range(screen.model.rowCount()) if screen.hit_at(r).record == "power.restrictions")
    screen.results.setCurrentIndex(screen.model.index(row, 0))
    qtbot.keyClick(screen.results, Qt.Key.Key_Return)
    opened = window.reflection_screen
    field = opened.prompt_fields["power.restrictions"]
    assert opened.current_step_id == "power" and field.edit.hasFocus()
    qtbot.waitUntil(lambda: not field.edit.visibleRegion().isEmpty(), timeout=3000)
    screenshot(window, "search-opened-at-its-answer")


def test_locking_drops_the_search_and_its_words(qtbot, open_window, demo, screenshot):
    from tests.ui.conftest import unlock, widgets_showing

    window = open_window(demo)
    screen = _search(qtbot, window, "kingfisher")
    assert widgets_showing("kingfisher")
    window.menu_actions["lock"].trigger()
    qtbot.wait(10)  # widgets are deleted on the next turn of the event loop
    assert window.search_screen is None and widgets_showing("kingfisher") == []
    assert not window.menu_actions["search"].isEnabled()
    unlock(qtbot, window)
    assert window.case_list.isVisible() and window.search_screen is None
    screen = _search(qtbot, window, "")
    assert screen.query_edit.text() == "" and screen.summary.text().startswith("Type a word or two")
    screenshot(window, "search-empty")
