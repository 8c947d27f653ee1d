"""The reflection walkthrough with real widgets on a real profile: steps, ratings, autosave, blind entry,
actions, sign-off, amendments, warnings, keyboard and screen-reader names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from psi_desktop.domain.framework import PromptMarker
from psi_desktop.domain.identifiers import nhs_number_is_valid
from psi_desktop.domain.model import ActionStatus, Perspective, ReflectionStatus
from psi_desktop.frameworks import default_framework
from psi_desktop.storage.repositories import StoreFullError
from psi_desktop.ui.amendment_dialog import AmendmentDialog
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.main_window import MainWindow
from psi_desktop.ui.sign_dialog import SignDialog
from psi_desktop.ui.walkthrough import AUTOSAVE_MS, ReflectionScreen
from psi_desktop.ui.walkthrough.frame import PAGES
from tests.ui.conftest import unlock, when_modal

CODE = "Ward 3 - A"
DIMENSIONS = default_framework().dimension_ids
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    made = make_profile(tmp_path / "profile")
    made.cases.create(CODE, "Acute inpatient")
    return made


@pytest.fixture
def window(qtbot, profile, open_window) -> MainWindow:
    win = open_window(profile)
    win.resize(1100, 760)
    with qtbot.waitActive(win):
        win.activateWindow()
    win.case_list.select(profile.cases.find(CODE).id)
    return win


def shot(qtbot, screenshot, widget: QWidget, name: str) -> None:
    """A screenshot once pending layout has settled, as it would have on screen."""
    qtbot.wait(20)
    screenshot(widget, name)


def on_modal(kind: type, act) -> list:
    """``when_modal``, but a dialog that ``act`` leaves open is closed (and noted), so a test fails, not hangs."""
    left_open: list = []

    def act_then_check(dialog) -> None:
        act(dialog)
        if dialog.isVisible():
            left_open.append(dialog)
            dialog.reject()

    when_modal(kind, act_then_check)
    return left_open


def start(qtbot, window: MainWindow) -> ReflectionScreen:
    """Ctrl+N, as a person would, on the chosen case."""
    qtbot.keyClick(window.case_list.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.reflection_screen is not None
    return window.reflection_screen


def stored(window: MainWindow):
    return window.profile.reflections.get(window.reflection_screen.reflection.id)


def rate(qtbot, screen: ReflectionScreen, perspective: Perspective, scores: dict[str, int]) -> None:
    """Focus each rating row and type its number, as a keyboard user does."""
    for dimension, score in scores.items():
        row = screen.rating_rows[(perspective, dimension)]
        row.focus()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key(Qt.Key.Key_0 + score))


def test_ctrl_n_opens_a_draft_whose_steps_alt_arrows_walk_through(qtbot, window, profile, screenshot):
    screen = start(qtbot, window)
    (draft,) = profile.cases.reflections(profile.cases.find(CODE).id)
    assert draft.status is ReflectionStatus.DRAFT and screen.reflection.id == draft.id
    assert screen.current_step_id == "context"
    assert QApplication.focusWidget() is screen.prompt_fields["context"].edit
    assert screen.title.text().startswith(f"{CODE} \u00b7 reflection of ")
    assert screen.status_label.text() == "Draft \u00b7 Saved"
    assert not window.case_list.isVisible(), "the walkthrough has the window to itself"
    assert window.menu_actions["next_step"].isEnabled() and not window.menu_actions["add_amendment"].isEnabled()

    seen = []
    for index, step in enumerate(screen.steps):
        assert screen.current_step_id == step.id
        assert screen.stack.currentWidget() is screen.pages[step.id]
        assert screen.step_list.currentRow() == index
        seen.append(step.id)
        shot(qtbot, screenshot, window, f"walkthrough-{index + 1:02d}-{step.id}")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right, ALT)
    assert seen[-1] == "review" and screen.current_step_id == "review", "Alt+Right stops at the last step"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left, ALT)
    assert screen.current_step_id == "restorative"

    screen.step_list.setFocus()
    screen.step_list.setCurrentRow(1)  # any order: straight to Power from the list
    assert screen.current_step_id == "power"
    assert window.settings.value(f"walkthrough/step/{draft.id}") == "power"


def test_each_page_is_built_from_its_steps_kind_and_its_prompts_markers(qtbot, window):
    screen = start(qtbot, window)
    assert [type(screen.pages[s.id]) for s in screen.steps] == [PAGES[s.kind] for s in screen.steps]
    framework = screen.framework

    def page_asking(marker: PromptMarker):
        prompt = framework.prompt_with_marker(marker)
        (step,) = [s for s in screen.steps if prompt.id in s.prompts]
        return screen.pages[step.id]

    assert page_asking(PromptMarker.ACTIONS).isAncestorOf(screen.actions_editor)
    assert page_asking(PromptMarker.WELLBEING).isAncestorOf(screen.wellbeing_row)
    assert page_asking(PromptMarker.TRAUMA_ECHO).isAncestorOf(screen.trauma_choice)
    assert page_asking(PromptMarker.OPEN_ACTIONS).isAncestorOf(screen.review_list)
    assert page_asking(PromptMarker.DISTRESS_IMPACT).isAncestorOf(screen.distress_choices[Perspective.PRACTITIONER])


def test_number_keys_rate_the_focused_row_delete_clears_and_tab_lands_on_the_choice(qtbot, window):
    screen = start(qtbot, window)
    screen.go_to("power")
    row = screen.rating_rows[(Perspective.PRACTITIONER, "power.choice")]
    row.focus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3)
    assert row.value() == 3 and row.buttons[3].isChecked() and QApplication.focusWidget() is row.buttons[3]
    assert screen.reflection.ratings_of(Perspective.PRACTITIONER) == {"power.choice": 3}
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert row.value() == 4, "arrow keys move along the scale"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_7)
    assert row.value() == 4, "only 0-4 are on the scale"

    before = screen.rating_rows[(Perspective.PRACTITIONER, "power.protective")]
    before.focus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is row.buttons[4], "Tab goes to the chosen rating, not the first circle"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    assert row.value() is None and not any(b.isChecked() for b in row.buttons)
    assert "rated" not in screen.reflection.ratings_of(Perspective.PRACTITIONER)
    assert "not rated yet" in row.buttons[0].accessibleDescription()


def test_a_rating_click_costs_at_most_three_sql_statements_and_is_saved_by_autosave(
    qtbot, tmp_path, make_profile, open_window
):
    """On a case with earlier reflections and actions, where reading the case again would cost dozens."""
    profile = make_profile(tmp_path / "demo", demo=True)
    window = open_window(profile)
    case = profile.cases.find("Demo - Ward 3")
    assert len(profile.cases.reflections(case.id)) >= 3
    window.case_list.select(case.id)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("power")
    row = screen.rating_rows[(Perspective.PRACTITIONER, "power.choice")]
    statements: list[str] = []
    connection = window.profile.store.db.conn
    connection.set_trace_callback(statements.append)
    try:
        qtbot.mouseClick(row.buttons[3], Qt.MouseButton.LeftButton)
    finally:
        connection.set_trace_callback(None)
    assert row.value() == 3 and screen.reflection.ratings_of(Perspective.PRACTITIONER) == {"power.choice": 3}
    assert screen.step_list.item(1).text().startswith("\u25d0"), "the step list shows the step as started"
    assert len(statements) <= 3, [s[:60] for s in statements]
    qtbot.waitUntil(lambda: stored(window).ratings_of(Perspective.PRACTITIONER) == {"power.choice": 3}, timeout=20_000)


def test_typing_is_saved_to_the_store_with_no_save_button(qtbot, window):
    """How soon (within two seconds) is a clock check: tests/perf/test_time_budgets.py, on demand."""
    screen = start(qtbot, window)
    assert not [b for b in screen.findChildren(QPushButton) if b.text().lower().startswith("save")]
    edit = screen.prompt_fields["context"].edit
    qtbot.keyClicks(edit, "We talked about leave.")
    assert screen.status_label.text() == "Draft \u00b7 Saving\u2026"
    qtbot.waitUntil(lambda: stored(window).answers.get("context") == "We talked about leave.", timeout=10_000)
    assert screen.status_label.text() == "Draft \u00b7 Saved"


def test_steady_typing_still_saves_every_autosave_interval(qtbot, window):
    """The timer is not restarted by each key, or a fast typist would never be saved."""
    screen = start(qtbot, window)
    edit = screen.prompt_fields["context"].edit
    saves: list[str] = []
    screen.saved.connect(lambda: saves.append(stored(window).answers.get("context", "")))
    # A word every 40 ms, far more often than AUTOSAVE_MS: a timer restarted by each key never fires.
    # Typing stops once a save of more than one word has happened and more has been typed since.
    for _ in range(10 * AUTOSAVE_MS // 40):
        qtbot.keyClicks(edit, "word ")
        if saves and len(saves[-1].split()) > 1 and edit.toPlainText() != saves[-1]:
            break
        qtbot.wait(40)
    on_screen, saved = edit.toPlainText(), stored(window).answers.get("context", "")
    assert saves, "nothing was saved while typing"
    assert saved == saves[-1] and saved.startswith("word word "), "more than the first word was saved"
    assert on_screen.startswith(saved) and len(saved) < len(on_screen), "typed on since: a proper prefix"
    assert screen.has_unsaved_changes() and screen.status_label.text() == "Draft \u00b7 Saving\u2026"


def test_a_step_change_saves_at_once(qtbot, window):
    screen = start(qtbot, window)
    qtbot.keyClicks(screen.prompt_fields["context"].edit, "Before the ward round.")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right, ALT)
    assert stored(window).answers["context"] == "Before the ward round."
    assert screen.current_step_id == "power"
    assert QApplication.focusWidget() is screen.prompt_fields["power.where"].edit


def test_locking_saves_first_drops_the_screen_and_unlocking_reopens_the_same_step(qtbot, window, screenshot):
    screen = start(qtbot, window)
    screen.go_to("safety")
    qtbot.keyClicks(screen.prompt_fields["safety.trust"].edit, "Trust was thin tonight")
    reflection_id = screen.reflection.id
    window.lock()
    assert window.reflection_screen is None
    qtbot.wait(10)
    assert [w for w in QApplication.allWidgets() if isinstance(w, ReflectionScreen)] == []
    unlock(qtbot, window)
    screen = window.reflection_screen
    assert screen is not None and screen.reflection.id == reflection_id
    assert screen.current_step_id == "safety"
    assert screen.prompt_fields["safety.trust"].text() == "Trust was thin tonight"


def test_closing_saves_and_a_restart_reopens_the_draft_where_it_was(qtbot, profile, window, open_window):
    screen = start(qtbot, window)
    screen.go_to("identity")
    qtbot.keyClicks(screen.prompt_fields["identity.mirror"].edit, "That they could cope")
    window.close()  # closeEvent: flushes, backs up, closes the store
    assert profile.closed

    again = open_window(profile.directory)
    unlock(qtbot, again)
    screen = again.reflection_screen
    assert screen is not None and screen.current_step_id == "identity"
    assert screen.prompt_fields["identity.mirror"].text() == "That they could cope"
    qtbot.mouseClick(screen.back_button, Qt.MouseButton.LeftButton)
    assert again.reflection_screen is None and again.case_list.isVisible()
    assert again.settings.value("walkthrough/open") is None, "closed on purpose: not reopened next time"


def test_the_supervisor_rates_blind_and_reveal_shows_the_discussion_points(qtbot, window, screenshot):
    screen = start(qtbot, window)
    screen.go_to("safety")
    rate(qtbot, screen, Perspective.PRACTITIONER, {"safety.trust": 3, "safety.felt_safe": 2})
    screen.go_to("supervisor")
    assert screen.comparing is False
    for dimension in DIMENSIONS:
        assert screen.rating_rows[(Perspective.SUPERVISOR, dimension)].value() is None
    assert screen.compare_view.table.rowCount() == 0, "nothing of the practitioner's is on this step yet"
    assert screen.compare_view.points_label.text() == ""
    assert window.menu_actions["reveal"].isEnabled()
    rate(qtbot, screen, Perspective.SUPERVISOR, {"safety.trust": 1, "safety.felt_safe": 2})
    shot(qtbot, screenshot, window, "walkthrough-supervisor-blind")

    qtbot.mouseClick(screen.reveal_button, Qt.MouseButton.LeftButton)
    assert screen.comparing and screen.revealed
    assert screen.compare_view.points_label.text() == (
        "\u2022 You rated Trust 3, your supervisor 1 \u2014 what do you each see?"
    )
    table = screen.compare_view.table
    trust = DIMENSIONS.index("safety.trust")
    assert [table.item(trust, c).text() for c in range(table.columnCount())] == [
        "Trust",
        "3",
        "1",
        "You and the supervisor",
    ]
    assert stored(window).status is ReflectionStatus.DISCUSSED
    assert window.settings.value(f"walkthrough/revealed/{screen.reflection.id}", type=bool)
    qtbot.waitUntil(
        lambda: screen.compare_view.radar.pixmap() is not None and not screen.compare_view.radar.pixmap().isNull()
    )
    shot(qtbot, screenshot, window, "walkthrough-compare")
    qtbot.mouseClick(screen.change_button, Qt.MouseButton.LeftButton)
    assert not screen.comparing and screen.reveal_button.text() == "Show the comparison"


def test_the_persons_view_records_its_source_and_an_estimate_says_so(qtbot, window, screenshot):
    screen = start(qtbot, window)
    screen.go_to("service_user")
    assert "Choose where this view comes from" in screen.source_note.text()
    screen.source_choice.buttons[2].click()
    assert screen.source_note.text().startswith("Rating your estimate of the person's view")
    rate(qtbot, screen, Perspective.SERVICE_USER, {"identity.equality": 1})
    rate(qtbot, screen, Perspective.PRACTITIONER, {"identity.equality": 4})
    screen.flush()
    assert stored(window).service_user_source.value == "estimate"
    screen.reveal()
    assert "Service user (your estimate)" in [
        screen.compare_view.table.horizontalHeaderItem(c).text() for c in range(screen.compare_view.table.columnCount())
    ]
    assert "your estimate of their view is 1" in screen.compare_view.points_label.text()
    shot(qtbot, screenshot, window, "walkthrough-compare-estimate")


def test_distress_impact_per_perspective_trauma_echo_and_wellbeing_are_saved(qtbot, window):
    screen = start(qtbot, window)
    screen.go_to("synthesis")
    screen.distress_choices[Perspective.PRACTITIONER].buttons[2].click()
    screen.go_to("supervisor")
    screen.distress_choices[Perspective.SUPERVISOR].buttons[1].click()
    screen.go_to("safety")
    screen.trauma_choice.buttons[2].click()
    screen.go_to("restorative")
    screen.wellbeing_row.focus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)
    screen.flush()
    saved = stored(window)
    assert {p.value: i.value for p, i in saved.distress_impact.items()} == {
        "practitioner": "alleviated",
        "supervisor": "maintained",
    }
    assert (saved.trauma_echo.value, saved.wellbeing) == ("unsure", 2)
    assert "Private to you and your supervisor" in screen.intros["restorative"].text()


def test_an_identifying_answer_gets_a_calm_warning_beside_it_and_is_still_saved(qtbot, window, screenshot):
    screen = start(qtbot, window)
    field = screen.prompt_fields["context"]
    assert nhs_number_is_valid("9434765919")
    qtbot.keyClicks(field.edit, "Mr Smith, NHS 943 476 5919, was upset.")
    qtbot.waitUntil(field.warning.isVisible, timeout=1000)
    text = field.warning.text()
    assert "a title and a name and an NHS number" in text
    assert "Check \u201cMr Smith\u201d, \u201c943 476 5919\u201d." in text
    assert field.edit.accessibleDescription() == text, "a screen reader hears it from the field too"
    qtbot.waitUntil(lambda: "Mr Smith" in stored(window).answers.get("context", ""), timeout=2000)
    shot(qtbot, screenshot, window, "walkthrough-identifier-warning")
    field.edit.clear()
    qtbot.keyClicks(field.edit, "The person was upset.")
    qtbot.waitUntil(lambda: not field.warning.isVisible(), timeout=1000)


def test_a_case_code_that_looks_identifying_is_warned_about_but_not_refused(qtbot, profile, screenshot):
    dialog = CaseDialog(profile.cases.create)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code_edit, "Bed 4 DOB 01/02/1980")
    qtbot.waitUntil(dialog.code_warning.isVisible, timeout=1000)
    assert "a date of birth" in dialog.code_warning.text()
    shot(qtbot, screenshot, dialog, "case-dialog-identifier-warning")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.case is not None, "a warning, never a block"


def test_a_full_disk_shows_a_calm_banner_keeps_the_text_and_saves_on_the_next_change(
    qtbot, window, monkeypatch, screenshot
):
    screen = start(qtbot, window)
    service = window.profile.reflections
    real_update = service.update

    def full(reflection):
        raise StoreFullError(
            "Your data folder is full, so this could not be saved. Free some space; "
            "what you typed is kept and will save when there is room."
        )

    monkeypatch.setattr(service, "update", full)
    edit = screen.prompt_fields["context"].edit
    qtbot.keyClicks(edit, "Words that must not be lost")
    qtbot.waitUntil(screen.problem_banner.isVisible, timeout=2000)
    assert "what you typed is kept" in screen.problem_banner.text()
    assert screen.status_label.text() == "Draft \u00b7 Not saved yet"
    assert edit.toPlainText() == "Words that must not be lost"
    shot(qtbot, screenshot, window, "walkthrough-disk-full")

    monkeypatch.setattr(service, "update", real_update)
    qtbot.keyClicks(edit, ".")
    qtbot.waitUntil(lambda: stored(window).answers.get("context") == "Words that must not be lost.", timeout=2000)
    assert not screen.problem_banner.isVisible() and screen.status_label.text() == "Draft \u00b7 Saved"


def test_actions_are_added_with_a_dimension_and_due_date_and_removed(qtbot, window, screenshot):
    screen = start(qtbot, window)
    screen.go_to("actions")
    editor = screen.actions_editor
    qtbot.keyClicks(screen.prompt_fields["synthesis.next_time"].edit, "Explain leave decisions first.")
    qtbot.keyClick(editor.add_button, Qt.Key.Key_Space)
    assert "Write what you will do differently" in editor.error_label.text()
    qtbot.keyClicks(editor.text_edit, "Explain leave decisions before the ward round")
    editor.dimension_combo.setCurrentIndex(editor.dimension_combo.findData("power.transparency"))
    editor.due_check.setChecked(True)
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return)
    (action,) = window.profile.reflections.actions_of(screen.reflection)
    assert (action.text, action.dimension, action.status) == (
        "Explain leave decisions before the ward round",
        "power.transparency",
        ActionStatus.OPEN,
    )
    assert action.due_on is not None
    assert editor.model.item(0).text().split("\n")[1].startswith("Power: Transparency \u00b7 due ")
    assert editor.text_edit.text() == ""
    assert stored(window).answers["synthesis.next_time"] == "Explain leave decisions first."
    assert screen.step_list.item(7).text().startswith("\u2713")
    shot(qtbot, screenshot, window, "walkthrough-actions-added")
    editor.list.setFocus()
    editor.list.setCurrentIndex(editor.model.index(0, 0))
    qtbot.keyClick(editor.list, Qt.Key.Key_Delete)
    assert window.profile.reflections.actions_of(screen.reflection) == []


def test_open_actions_from_earlier_are_asked_about_at_the_consistency_prompt(
    qtbot, tmp_path, make_profile, open_window
):
    profile = make_profile(tmp_path / "demo", demo=True)
    window = open_window(profile)
    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    (open_action,) = profile.cases.actions(case.id, ActionStatus.OPEN)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("safety")
    review = screen.review_list
    assert review.isVisibleTo(screen) and len(review.combos) == 1
    assert review.combos[0].accessibleName() == f"Was this kept? {open_action.text}"
    review.combos[0].setCurrentIndex(1)
    (kept,) = [a for a in profile.cases.actions(case.id) if a.id == open_action.id]
    assert (kept.status, kept.reviewed_in) == (ActionStatus.KEPT, screen.reflection.id)
    assert profile.cases.actions(case.id, ActionStatus.OPEN) == []


def fill_practitioner_ratings(qtbot, screen: ReflectionScreen, score: int = 3) -> None:
    for step in ("power", "safety", "identity"):
        screen.go_to(step)
        rate(qtbot, screen, Perspective.PRACTITIONER, dict.fromkeys(screen.current_step.dimensions, score))


def test_signing_locks_the_reflection_shows_its_hash_and_amendments_follow_the_original(qtbot, window, screenshot):
    screen = start(qtbot, window)
    qtbot.keyClicks(screen.prompt_fields["context"].edit, "A night shift.")
    window.menu_actions["sign_off"].trigger()  # not ready: no pop-up, the Review step says why
    assert screen.current_step_id == "review" and QApplication.focusWidget() is screen.sign_note
    assert not screen.sign_button.isEnabled() and "Rate every dimension" in screen.sign_note.text()
    fill_practitioner_ratings(qtbot, screen)
    screen.go_to("review")
    assert screen.sign_button.isEnabled()
    assert [t for t, box in screen.theme_boxes.items() if box.isChecked()], "themes start from the suggestions"
    shot(qtbot, screenshot, window, "walkthrough-review-ready")

    def sign(dialog: SignDialog) -> None:
        assert dialog.name_edit.text() == ""
        assert not dialog.sign_button.isEnabled()
        qtbot.keyClicks(dialog.name_edit, "B. Supervisor")
        shot(qtbot, screenshot, dialog, "sign-dialog")
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)

    left_open = on_modal(SignDialog, sign)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert not left_open
    saved = stored(window)
    assert saved.status is ReflectionStatus.SIGNED and saved.signature.signed_by == "B. Supervisor"
    assert screen.read_only and screen.current_step_id == "review"
    assert screen.hash_edit.text() == saved.signature.content_sha256 and len(screen.hash_edit.text()) == 64
    assert "Signed by B. Supervisor" in screen.signature_label.text()
    assert screen.signed_banner.isVisible()
    assert screen.status_label.text() == "Signed"
    assert screen.prompt_fields["context"].edit.isReadOnly()
    assert not any(b.isEnabled() for row in screen.rating_rows.values() for b in row.buttons)
    assert not screen.actions_editor.form.isVisibleTo(screen)
    assert window.menu_actions["add_amendment"].isEnabled() and not window.menu_actions["sign_off"].isEnabled()
    shot(qtbot, screenshot, window, "walkthrough-signed")
    qtbot.keyClicks(screen.prompt_fields["context"].edit, "changed?")
    assert screen.prompt_fields["context"].text() == "A night shift."

    def amend(dialog: AmendmentDialog) -> None:
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert "needs who made it" in dialog.error_label.text()
        qtbot.keyClicks(dialog.author_edit, "A. Nurse")
        qtbot.keyClicks(dialog.reason_edit, "Wrong shift")
        qtbot.keyClicks(dialog.changes_edit, "It was a late shift, not a night shift.")
        shot(qtbot, screenshot, dialog, "amendment-dialog")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)

    left_open = on_modal(AmendmentDialog, amend)
    window.menu_actions["add_amendment"].trigger()
    assert not left_open
    amended = stored(window)
    assert amended.signature == saved.signature and amended.answers == saved.answers
    assert [(a.author, a.reason, a.changes) for a in amended.amendments] == [
        ("A. Nurse", "Wrong shift", "It was a late shift, not a night shift.")
    ]
    assert "Why: Wrong shift" in screen.amendments_label.text()
    assert "1 amendment" in screen.signed_banner.text()
    shot(qtbot, screenshot, window, "walkthrough-signed-amended")


def test_f1_shows_why_the_focused_prompt_is_asked(qtbot, window):
    screen = start(qtbot, window)
    screen.go_to("identity")
    field = screen.prompt_fields["identity.equal"]
    field.edit.setFocus()
    assert not field.why_label.isVisible()
    qtbot.keyClick(field.edit, Qt.Key.Key_F1)
    assert field.why_label.isVisible() and "like a human being" in field.why_label.text()
    assert field.marker.text() == "From the paper (title)"


CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QListWidget, QTableView)


def test_every_control_has_a_name_a_screen_reader_can_speak(qtbot, tmp_path, make_profile, open_window):
    profile = make_profile(tmp_path / "demo", demo=True)
    window = open_window(profile)
    window.case_list.select(profile.cases.find("Demo - Ward 3").id)
    window.new_reflection()
    screen = window.reflection_screen
    screen.reveal()
    nameless = [
        f"{type(w).__name__} in {type(w.parentWidget()).__name__}"
        for w in screen.findChildren(QWidget)
        if isinstance(w, CONTROLS)
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not (w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()))
        and not isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)
    ]
    assert nameless == []
    names = [b.accessibleName() for b in screen.rating_rows[(Perspective.PRACTITIONER, "safety.trust")].buttons]
    assert names == [
        "Trust: 0, Not at all",
        "Trust: 1, A little",
        "Trust: 2, Partly",
        "Trust: 3, Mostly",
        "Trust: 4, Fully",
    ]


def test_tab_moves_through_a_step_in_reading_order(qtbot, window):
    screen = start(qtbot, window)
    screen.go_to("power")
    page = screen.pages["power"].widget()
    focused: list[QWidget] = [QApplication.focusWidget()]
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        if not page.isAncestorOf(widget):
            break
        focused.append(widget)
    tops = [w.mapTo(page, w.rect().topLeft()).y() for w in focused]
    assert tops == sorted(tops), "focus never jumps back up the page"
    kinds = [type(w).__name__ for w in focused]
    assert kinds.count("QPlainTextEdit") == 4 and kinds.count("QRadioButton") == 3, kinds
    assert widget is screen.back_step_button or widget is screen.next_step_button


def test_the_case_page_lists_drafts_to_continue_and_signed_ones_to_view(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile = make_profile(tmp_path / "demo", demo=True)
    window = open_window(profile)
    window.resize(1100, 700)
    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    draft = profile.reflections.start(case.id)
    window.refresh(select=case.id)
    page = window.case_page
    model = page.model
    assert model.index(0, 1).data() == "Draft" and model.index(0, 3).data() == "Continue \u25b8"
    signed_rows = [r for r in range(model.rowCount()) if model.index(r, 1).data() == "Signed"]
    assert signed_rows and all(model.index(r, 3).data() == "View \u25b8" for r in signed_rows)
    assert page.open_button.text().startswith("Continue the reflection of")
    assert page.new_reflection_button.isVisible()
    shot(qtbot, screenshot, window, "case-page-with-draft")

    page.table.setFocus()
    page.table.setCurrentIndex(model.index(signed_rows[0], 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    screen = window.reflection_screen
    assert screen is not None and screen.read_only and screen.revealed
    assert screen.reflection.id == model.reflection_at(signed_rows[0]).id
    shot(
        qtbot,
        screenshot,
        window,
        "walkthrough-signed-demo-review" if screen.current_step_id == "review" else "walkthrough-signed-demo",
    )
    window.close_reflection()
    page.table.setCurrentIndex(model.index(0, 0))
    qtbot.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(model.index(0, 0)).center()
    )
    qtbot.mouseDClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(model.index(0, 0)).center()
    )
    assert window.reflection_screen is not None and window.reflection_screen.reflection.id == draft.id
