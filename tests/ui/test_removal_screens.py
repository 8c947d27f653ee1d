"""Tidying up on screen (issue 17, item 3): the case page's Delete controls, the confirmations, the menus.

Real windows on real encrypted profiles; the confirmations are acted on as a person would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from psi_desktop.domain.model import Perspective
from psi_desktop.ui.main_window import MainWindow
from psi_desktop.ui.removal_dialogs import DeleteCaseDialog, DeleteDraftDialog
from tests.ui.conftest import when_modal

DEMO = "Demo - Ward 3"


def _demo_window(tmp_path, make_profile, open_window):
    profile = make_profile(tmp_path / "demo", demo=True)
    window = open_window(profile)
    case = profile.cases.find(DEMO)
    window.case_list.select(case.id)
    return profile, window, case


def _choose(window: MainWindow, reflection_id) -> None:
    page = window.case_page
    page.table.setCurrentIndex(page.model.index(page.model.row_of(reflection_id), 0))


def test_a_draft_is_deleted_from_the_case_page_after_a_confirmation_naming_it(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    draft = next(r for r in profile.cases.reflections(case.id) if not r.signed)
    page = window.case_page
    _choose(window, draft.id)
    assert page.delete_button.isVisible()
    assert page.delete_button.text() == "Delete the draft\u2026"
    screenshot(window, "tidy-case-page-delete-draft-button")

    seen = []

    def look_then_cancel(dialog):
        seen.append(dialog.heading.text() + " " + dialog.body.text())
        screenshot(dialog, "tidy-delete-draft-confirmation")
        assert dialog.cancel_button.isDefault() and not dialog.delete_button.isDefault()
        dialog.cancel_button.click()

    when_modal(DeleteDraftDialog, look_then_cancel)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)  # the Delete key on the list
    (text,) = seen
    assert "Delete the draft of 17 Nov 2026?" in text
    assert f"It is on the case {DEMO}." in text
    assert "What goes with it: its 7 answers and 9 ratings." in text
    assert profile.reflections.get(draft.id) == draft  # cancelled: nothing changed

    when_modal(DeleteDraftDialog, lambda d: d.delete_button.click())
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert draft.id not in {o.id for o in profile.cases.reflection_outlines(case.id)}
    assert page.model.row_of(draft.id) is None
    assert "5 reflections" in page.subtitle.text()
    assert "was deleted" in window.statusBar().currentMessage()


def test_a_signed_reflection_has_no_delete_on_the_case_page(qtbot, tmp_path, make_profile, open_window):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    signed = next(r for r in profile.cases.reflections(case.id) if r.signed)
    page = window.case_page
    _choose(window, signed.id)
    assert not page.delete_button.isVisible()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert QApplication.activeModalWidget() is None
    assert profile.reflections.get(signed.id) == signed
    outline = next(o for o in profile.cases.reflection_outlines(case.id) if o.id == signed.id)
    menu = page.reflection_menu(outline)
    texts = {a.text(): a.isEnabled() for a in menu.actions()}
    assert texts == {"View the reflection": True, "Signed: cannot be deleted (add an amendment to correct it)": False}


def test_the_context_menu_deletes_a_draft(qtbot, tmp_path, make_profile, open_window, screenshot):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    draft = next(o for o in profile.cases.reflection_outlines(case.id) if not o.signed)
    menu = window.case_page.reflection_menu(draft)
    menu.adjustSize()
    screenshot(menu, "tidy-case-page-context-menu")  # drawn without popping up: offscreen Qt cannot grab the keyboard
    (delete,) = [a for a in menu.actions() if a.text().startswith("Delete")]
    when_modal(DeleteDraftDialog, lambda d: d.delete_button.click())
    delete.trigger()
    assert draft.id not in {o.id for o in profile.cases.reflection_outlines(case.id)}


def test_an_empty_draft_is_discarded_without_a_question(qtbot, tmp_path, make_profile, open_window):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    empty = profile.reflections.start(case.id, session_date=dt.date(2026, 11, 24))
    window.refresh(select=case.id)
    _choose(window, empty.id)
    asked = when_modal(DeleteDraftDialog, lambda d: d.cancel_button.click())
    qtbot.keyClick(window.case_page.table, Qt.Key.Key_Delete)
    assert asked == []
    assert empty.id not in {o.id for o in profile.cases.reflection_outlines(case.id)}
    assert window.statusBar().currentMessage() == "The empty draft was discarded."


def test_a_second_new_reflection_opens_the_empty_draft(qtbot, tmp_path, make_profile, open_window):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    window.new_reflection()
    first = window.reflection_screen.reflection
    window.close_reflection()
    window.menu_actions["new_reflection"].trigger()  # Ctrl+N
    assert window.reflection_screen.reflection.id == first.id
    assert len(profile.cases.reflections(case.id)) == 7
    assert "already had an empty draft" in window.statusBar().currentMessage()
    # Typed in, it is no longer empty: the next New reflection is a new one.
    profile.reflections.update(replace(first, ratings={Perspective.PRACTITIONER: {"safety.trust": 2}}))
    window.close_reflection()
    window.new_reflection()
    assert window.reflection_screen.reflection.id != first.id
    assert len(profile.cases.reflections(case.id)) == 8


def test_the_reflection_menu_deletes_the_open_draft_and_closes_the_walkthrough(
    qtbot, tmp_path, make_profile, open_window
):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    draft = next(r for r in profile.cases.reflections(case.id) if not r.signed)
    window.open_reflection(draft.id)
    delete = window.menu_actions["delete_reflection"]
    assert delete.isEnabled()
    when_modal(DeleteDraftDialog, lambda d: d.delete_button.click())
    delete.trigger()
    assert window.reflection_screen is None
    assert window.right.currentWidget() is window.case_page
    assert draft.id not in {o.id for o in profile.cases.reflection_outlines(case.id)}
    signed = next(r for r in profile.cases.reflections(case.id) if r.signed)
    window.open_reflection(signed.id)
    assert not delete.isEnabled()


def test_a_case_without_signed_records_is_deleted_after_a_confirmation_naming_it(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile, window, _demo = _demo_window(tmp_path, make_profile, open_window)
    mistake = profile.cases.create("Wrad 3 - A")
    profile.reflections.start(mistake.id)
    window.refresh(select=mistake.id)
    screenshot(window, "tidy-case-page-delete-case-button")
    seen = []

    def look_then_delete(dialog):
        seen.append(dialog.heading.text() + " " + dialog.body.text())
        assert dialog.understood is None and dialog.delete_button.isEnabled()
        screenshot(dialog, "tidy-delete-case-confirmation")
        dialog.delete_button.click()

    when_modal(DeleteCaseDialog, look_then_delete)
    qtbot.mouseClick(window.case_page.delete_case_button, Qt.MouseButton.LeftButton)
    (text,) = seen
    assert "Delete the case Wrad 3 - A?" in text and "What goes with it: 1 draft." in text
    assert profile.cases.find("Wrad 3 - A") is None
    assert window.case_page.case.code == DEMO  # the case left is chosen
    assert window.statusBar().currentMessage() == "The case was deleted, with 1 reflection."


def test_a_case_with_signed_records_needs_the_tick_that_names_them(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    seen = []

    def try_without_then_cancel(dialog):
        seen.append(dialog.heading.text() + " " + dialog.body.text() + " " + dialog.understood.text())
        assert not dialog.delete_button.isEnabled()
        dialog.delete_button.click()  # disabled: nothing happens
        assert dialog.isVisible()
        screenshot(dialog, "tidy-delete-case-signed-confirmation")
        dialog.cancel_button.click()

    when_modal(DeleteCaseDialog, try_without_then_cancel)
    window.menu_actions["delete_case"].trigger()
    (text,) = seen
    assert f"Delete the case {DEMO}?" in text
    assert "5 signed reflections, 1 draft and 7 actions" in text
    assert "Backups made before now keep them until newer backups replace them" in text
    assert "PSI Desktop keeps the 10 newest" in text
    assert "I understand that 5 signed reflections will be deleted" in text
    assert len(profile.cases.reflections(case.id)) == 6

    def tick_then_delete(dialog):
        dialog.understood.click()
        assert dialog.delete_button.isEnabled()
        assert dialog.delete_button.text() == "Delete case and 5 signed reflections"
        screenshot(dialog, "tidy-delete-case-signed-confirmation-ticked")
        dialog.delete_button.click()

    when_modal(DeleteCaseDialog, tick_then_delete)
    qtbot.mouseClick(window.case_page.delete_case_button, Qt.MouseButton.LeftButton)
    assert profile.cases.summaries() == []
    assert window.right.currentWidget() is window.no_case


def test_locking_while_a_confirmation_is_open_deletes_nothing(qtbot, tmp_path, make_profile, open_window):
    from psi_desktop.services.profile import unlock_profile
    from tests.conftest import PASSPHRASE

    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    draft = next(r for r in profile.cases.reflections(case.id) if not r.signed)

    def tick_then_lock(dialog):
        if dialog.understood is not None:
            dialog.understood.click()
        window.lock()

    when_modal(DeleteCaseDialog, tick_then_lock)
    window.menu_actions["delete_case"].trigger()
    assert window.locked
    with unlock_profile(profile.directory, PASSPHRASE) as reopened:
        assert len(reopened.cases.reflections(case.id)) == 6
        assert reopened.reflections.get(draft.id) == draft


def test_deleting_the_case_of_the_open_reflection_closes_it(qtbot, tmp_path, make_profile, open_window):
    profile, window, case = _demo_window(tmp_path, make_profile, open_window)
    mistake = profile.cases.create("Wrad 3 - A")
    typed = profile.reflections.update(
        replace(profile.reflections.start(mistake.id), answers={"context": "typed by mistake"})
    )
    window.refresh(select=mistake.id)
    window.open_reflection(typed.id)
    assert window.case_page.case.id == mistake.id
    when_modal(DeleteCaseDialog, lambda d: d.delete_button.click())
    window.menu_actions["delete_case"].trigger()
    assert window.reflection_screen is None
    assert profile.cases.find("Wrad 3 - A") is None
    assert window.case_page.case.id == case.id
    assert window.settings.value("walkthrough/open") is None
