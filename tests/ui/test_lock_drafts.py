"""Row 19: text typed in a dialog survives Lock now and auto-lock; what showed records is destroyed.

The typed text goes into the encrypted store as a draft before the lock (never kept in hidden
widgets), and the dialog opens again with it after unlocking. What the practitioner writes in the
portfolio's NMC forms is kept in the profile, locked or not, and comes back whenever it is opened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from psi_desktop.domain.model import Perspective, Reflection
from psi_desktop.ui.amendment_dialog import AmendmentDialog
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.export_dialogs import NOT_WRITTEN_NOTE, WRITTEN_NOTE, PortfolioDialog
from psi_desktop.ui.main_window import AUTO_LOCK_KEY, MainWindow
from tests.faults._faultlib import new_canary, scan_files
from tests.ui.conftest import unlock, when_modal

DEMO = "Demo - Ward 3"
TINY_MINUTES = 0.3 / 60


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


def settle() -> None:
    """Run what deleteLater queued: the widgets a lock let go are really gone after this."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


def texts_of(widget: QWidget) -> list[str]:
    """Every text a widget holds: its own, its names and tips, and its table's cells."""
    found = [widget.windowTitle(), widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
    if isinstance(widget, QLineEdit | QLabel | QAbstractButton):
        found.append(widget.text())
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        found.append(widget.toPlainText())
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        try:
            columns = model.columnCount()
        except TypeError:  # a list model keeps columnCount() private: one column
            columns = 1
        for row in range(model.rowCount()):
            for column in range(columns):
                found.append(str(model.index(row, column).data() or ""))
    return found


def holding(window: MainWindow, canary: str) -> list[QWidget]:
    widgets = set(window.findChildren(QWidget)) | set(QApplication.allWidgets())
    return [w for w in widgets if any(canary in t for t in texts_of(w))]


def store_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def signed_reflection(profile):
    case = profile.cases.find(DEMO)
    return next(r for r in profile.cases.reflections(case.id) if r.signed)


# -- the amendment ----------------------------------------------------------------------------------


def test_a_half_written_amendment_survives_lock_now_and_opens_again_after_unlock(
    qtbot, profile, open_window, screenshot
):
    canary = new_canary()
    signed = signed_reflection(profile)
    window = open_window(profile)
    window.open_reflection(signed.id)

    def type_then_lock(dialog: AmendmentDialog) -> None:
        qtbot.keyClicks(dialog.reason_edit, "Wrong date")
        qtbot.keyClicks(dialog.changes_edit, f"The session was a day later. {canary}")
        window.lock()

    seen = when_modal(AmendmentDialog, type_then_lock)
    window.menu_actions["add_amendment"].trigger()  # returns once the lock has closed the dialog
    assert seen and window.locked
    settle()
    assert holding(window, canary) == [], "the typed text is not kept in widgets while locked"
    assert not shiboken6.isValid(seen[0]), "the dialog is destroyed, not hidden"
    assert scan_files(store_files(profile.directory), [canary]) == {}, "the draft is encrypted at rest"

    back: dict = {}

    def check_and_add(dialog: AmendmentDialog) -> None:
        back["fields"] = (dialog.reason_edit.text(), dialog.changes_edit.toPlainText())
        back["note"] = dialog.restored_label.isVisible()
        screenshot(dialog, "amendment-dialog-restored")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)

    when_modal(AmendmentDialog, check_and_add)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: "fields" in back, timeout=10_000)
    assert back["fields"] == ("Wrong date", f"The session was a day later. {canary}")
    assert back["note"], "it says the text was kept from before the lock"
    qtbot.waitUntil(lambda: bool(window.profile.reflections.get(signed.id).amendments), timeout=10_000)
    amendment = window.profile.reflections.get(signed.id).amendments[-1]
    assert (amendment.reason, amendment.changes) == back["fields"]
    assert window.profile.drafts.amendment(signed.id).load() is None, "an added amendment leaves no draft"


def test_cancel_drops_the_amendment_draft(qtbot, profile, open_window):
    signed = signed_reflection(profile)
    profile.drafts.amendment(signed.id).save({"author": "A. Nurse", "reason": "Kept", "changes": "From before"})
    window = open_window(profile)
    window.open_reflection(signed.id)
    seen: dict = {}

    def look_then_cancel(dialog: AmendmentDialog) -> None:
        seen["reason"] = dialog.reason_edit.text()
        dialog.reject()

    when_modal(AmendmentDialog, look_then_cancel)
    window.menu_actions["add_amendment"].trigger()
    assert seen["reason"] == "Kept", "a draft left by a lock (even before a restart) is offered again"
    assert profile.drafts.amendment(signed.id).load() is None


# -- the new-case and rename dialogs --------------------------------------------------------------


def test_a_new_cases_fields_survive_auto_lock_and_the_dialog_opens_again(qtbot, profile, open_window, screenshot):
    canary = new_canary()
    window = open_window(profile, security__auto_lock_minutes=TINY_MINUTES)

    def type_then_wait(dialog: CaseDialog) -> None:
        qtbot.keyClicks(dialog.code_edit, "Ward 6 - C")
        dialog.setting_edit.setText(f"Crisis {canary}")
        window.session.idle.start(window.auto_lock_seconds())  # and now nobody touches it

    seen = when_modal(CaseDialog, type_then_wait)
    window.menu_actions["new_case"].trigger()
    assert seen and window.locked, "auto-lock closed the dialog"
    settle()
    assert holding(window, canary) == []

    back: dict = {}

    def check_and_create(dialog: CaseDialog) -> None:
        back["fields"] = (dialog.code_edit.text(), dialog.setting_edit.text(), dialog.restored_label.isVisible())
        screenshot(dialog, "case-dialog-restored")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    when_modal(CaseDialog, check_and_create)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.profile.cases.find("Ward 6 - C") is not None, timeout=10_000)
    assert back["fields"] == ("Ward 6 - C", f"Crisis {canary}", True)
    assert window.profile.cases.find("Ward 6 - C").setting == f"Crisis {canary}"
    assert window.profile.drafts.case(None).load() is None

    empty: dict = {}

    def look(dialog: CaseDialog) -> None:
        empty["code"] = dialog.code_edit.text()
        dialog.reject()

    when_modal(CaseDialog, look)
    window.menu_actions["new_case"].trigger()
    assert empty["code"] == "", "a created case leaves nothing to offer next time"


def test_a_rename_typed_before_a_lock_opens_again_on_the_same_case(qtbot, profile, open_window):
    case = profile.cases.find(DEMO)
    window = open_window(profile)
    window.case_list.select(case.id)

    def type_then_lock(dialog: CaseDialog) -> None:
        dialog.code_edit.setText("Demo - Ward 4")
        window.lock()

    when_modal(CaseDialog, type_then_lock)
    window.menu_actions["rename_case"].trigger()
    assert window.locked
    back: dict = {}

    def check_and_save(dialog: CaseDialog) -> None:
        back["code"] = dialog.code_edit.text()
        back["editing"] = dialog.editing.id
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    when_modal(CaseDialog, check_and_save)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: "code" in back, timeout=10_000)
    assert back == {"code": "Demo - Ward 4", "editing": case.id}
    assert window.profile.cases.get(case.id).code == "Demo - Ward 4"


# -- the portfolio pack -----------------------------------------------------------------------------


def open_portfolio(qtbot, window: MainWindow, act) -> list:
    seen = when_modal(PortfolioDialog, act)
    window.menu_actions["portfolio"].trigger()
    return seen


def test_what_is_written_in_the_portfolio_survives_auto_lock_and_comes_back_later(
    qtbot, profile, open_window, screenshot
):
    canary = new_canary()
    window = open_window(profile, security__auto_lock_minutes=TINY_MINUTES)
    window.resize(900, 760)
    before: dict = {}

    def write_then_wait(dialog: PortfolioDialog) -> None:
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        first = dialog.forms[0]
        before["learned"] = first.edits[1].toPlainText()
        before["marker"] = first.marker.text()
        first.edits[1].setPlainText(f"I learned to ask first. {canary}")
        dialog.summary_edit.setPlainText(f"We talked about asking first. {canary}")
        dialog.partner_edit.setText("B. Supervisor")
        dialog.registrant_pin_edit.setText("98B7654C")
        window.session.idle.start(window.auto_lock_seconds())

    seen = open_portfolio(qtbot, window, write_then_wait)
    assert seen and window.locked
    assert before == {"learned": "", "marker": NOT_WRITTEN_NOTE}, "PSI Desktop writes nothing in an account"
    settle()
    assert holding(window, canary) == [], "what was written is not kept in widgets while locked"
    assert scan_files(store_files(profile.directory), [canary]) == {}

    back: dict = {}

    def check_after_unlock(dialog: PortfolioDialog) -> None:
        back["page"] = dialog.pages.currentWidget() is dialog.forms_page
        first, second = dialog.forms[0], dialog.forms[1]
        back["learned"] = first.edits[1].toPlainText()
        back["markers"] = (first.marker.text(), second.marker.text())
        back["discussion"] = (dialog.partner_edit.text(), dialog.summary_edit.toPlainText())
        qtbot.wait(20)
        screenshot(dialog, "portfolio-forms-restored-after-unlock")
        screenshot(second, "portfolio-account-not-written-yet")
        dialog.reject()

    when_modal(PortfolioDialog, check_after_unlock)
    # Back to a lock a person would choose: a 0.3 s one could lock again before the dialog is looked at.
    window.settings.setValue(AUTO_LOCK_KEY, 15)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: "page" in back, timeout=15_000)
    assert back["page"], "it opens again at the forms"
    assert back["learned"] == f"I learned to ask first. {canary}"
    assert back["markers"] == (WRITTEN_NOTE, NOT_WRITTEN_NOTE)
    assert back["discussion"] == ("B. Supervisor", f"We talked about asking first. {canary}")

    # Later, with no lock: the same period and cases bring it all back, and the practitioner's own
    # NMC Pin comes back for any pack.
    later: dict = {}

    def reopen(dialog: PortfolioDialog) -> None:
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        later["learned"] = dialog.forms[0].edits[1].toPlainText()
        later["pin"] = dialog.registrant_pin_edit.text()
        dialog.reject()

    open_portfolio(qtbot, window, reopen)
    assert later == {"learned": f"I learned to ask first. {canary}", "pin": "98B7654C"}


def test_portfolio_edits_are_kept_a_moment_after_typing_even_without_closing(session_of, qtbot, profile):
    dialog = PortfolioDialog(session_of(profile))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.forms[2].edits[0], " Typed here.")
    reflection_id = dialog.forms[2].account.reflection_id

    def kept() -> str:
        body = profile.store.drafts.get("nmc_account", str(reflection_id))
        return body["nature"] if body else ""

    qtbot.waitUntil(lambda: " Typed here." in kept(), timeout=3000)
    assert dialog.forms[2].marker.text() == WRITTEN_NOTE


# -- nothing with records survives a lock -----------------------------------------------------------


def test_after_lock_no_widget_holds_a_case_code_or_an_answer(qtbot, profile, open_window):
    code_canary, answer_canary = f"C{uuid.uuid4().hex[:20]}", new_canary()  # a code is short
    case = profile.cases.create(f"Ward {code_canary}", "Acute inpatient")
    for n, day in enumerate((dt.date(2026, 3, 2), dt.date(2026, 4, 6))):
        profile.store.reflections.save(
            Reflection(
                id=uuid.uuid4(),
                case_id=case.id,
                framework_id="psi",
                framework_version=1,
                session_date=day,
                answers={"context": f"Visit {n}. {answer_canary}"},
                ratings={Perspective.PRACTITIONER: {"safety.trust": 2 + n, "power.choice": 3}},
            )
        )
    window = open_window(profile)
    window.resize(1100, 760)
    window.case_list.select(case.id)
    window.case_page.show_charts()
    qtbot.waitUntil(lambda: window.case_page.charts is not None, timeout=10_000)
    charts = window.case_page.charts
    reflection = profile.cases.reflections(case.id)[-1]
    window.open_reflection(reflection.id)
    walkthrough = window.reflection_screen
    assert holding(window, code_canary) and holding(window, answer_canary), "the canaries are on screen first"

    def lock_while_open(dialog: CaseDialog) -> None:
        dialog.code_edit.setText(f"Renamed {code_canary}")
        window.lock()

    when_modal(CaseDialog, lock_while_open)
    window.menu_actions["new_case"].trigger()
    assert window.locked
    settle()
    assert holding(window, code_canary) == []
    assert holding(window, answer_canary) == []
    for screen in (charts, walkthrough):
        assert not shiboken6.isValid(screen), f"{type(screen).__name__} is destroyed, not hidden"


def test_the_walkthrough_with_an_answer_open_is_destroyed_by_lock_now(qtbot, profile, open_window):
    canary = new_canary()
    case = profile.cases.find(DEMO)
    draft = next(r for r in profile.cases.reflections(case.id) if not r.signed)
    profile.reflections.update(replace(draft, answers={**draft.answers, "context": f"Late visit. {canary}"}))
    window = open_window(profile)
    window.open_reflection(draft.id)
    screen = window.reflection_screen
    assert holding(window, canary)
    window.menu_actions["lock"].trigger()  # Lock now
    assert window.locked
    settle()
    assert not shiboken6.isValid(screen)
    assert holding(window, canary) == []


def test_an_action_typed_but_not_added_survives_lock_now(qtbot, profile, open_window):
    """The walkthrough's new-action line is not a dialog, but its text must not be lost at a lock either."""
    canary = new_canary()
    case = profile.cases.find(DEMO)
    reflection = profile.reflections.start_next(case.id)
    window = open_window(profile)
    window.open_reflection(reflection.id)
    screen = window.reflection_screen
    screen.go_to("actions")
    editor = screen.actions_editor
    qtbot.keyClicks(editor.text_edit, f"Explain changes first {canary}")
    editor.dimension_combo.setCurrentIndex(2)
    dimension = editor.dimension_combo.currentData()
    window.lock()
    settle()
    assert holding(window, canary) == [], "the typed action is not kept in widgets while locked"
    assert scan_files(store_files(profile.directory), [canary]) == {}, "the draft is encrypted at rest"

    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.reflection_screen is not None, timeout=10_000)
    window.reflection_screen.go_to("actions")
    editor = window.reflection_screen.actions_editor
    assert editor.text_edit.text() == f"Explain changes first {canary}"
    assert editor.dimension_combo.currentData() == dimension
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.profile.reflections.actions_of(reflection)), timeout=10_000)
    (action,) = window.profile.reflections.actions_of(reflection)
    assert action.text == f"Explain changes first {canary}" and action.dimension == dimension
    assert window.profile.drafts.new_action(reflection.id).load() is None, "an added action leaves no draft"
