"""The actions view (View > All actions) and the walkthrough's review of earlier actions, with real widgets on
a real profile: flags that follow the date, marking with a note, carrying a "not kept" forward, the case
list's overdue counts, and screenshots on the demo data and on several hundred reflections."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from psi_desktop.domain.model import ActionStatus, Perspective
from psi_desktop.services.actions import action_board
from psi_desktop.ui.actions_view import ActionsView
from tests.conftest import settle_layout
from tests.ui.conftest import clipped, unlock, when_modal

TODAY = dt.date(2026, 3, 10)


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def fill(profile) -> dict:
    ward3 = profile.cases.create("Ward 3 - A", "Acute inpatient")
    first = profile.reflections.start(ward3.id, session_date=day(-20))
    late = profile.reflections.add_action(first, "Explain leave changes first", due_on=day(-1))
    soon = profile.reflections.add_action(first, "Knock and wait", due_on=day(3), dimension="power.transparency")
    dims = profile.frameworks.latest("psi").dimension_ids
    first = profile.reflections.update(replace(first, ratings={Perspective.PRACTITIONER: dict.fromkeys(dims, 2)}))
    profile.reflections.sign(first, "B. Supervisor")
    draft = profile.reflections.start(ward3.id, session_date=day(-1))
    ward5 = profile.cases.create("Ward 5 - K", "Community")
    other = profile.reflections.start(ward5.id, session_date=day(-30))
    later = profile.reflections.add_action(other, "Use the name they choose", due_on=day(12))
    return {"late": late, "soon": soon, "later": later, "draft": draft, "ward3": ward3}


def view_of(qtbot, profile, today=TODAY) -> ActionsView:
    view = ActionsView(profile, today=lambda: today)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitActive(view):
        view.activateWindow()
    return view


def texts(model) -> list[tuple[str, str, str]]:
    return [tuple(model.index(r, c).data() for c in (0, 1, 2)) for r in range(model.rowCount())]


def test_every_case_s_actions_with_flags_that_change_with_the_date(qtbot, tmp_path, make_profile, screenshot):
    profile = make_profile(tmp_path / "p")
    fill(profile)
    view = view_of(qtbot, profile)
    assert texts(view.open_model) == [
        ("Overdue", "Ward 3 - A", "Explain leave changes first"),
        ("Due this week", "Ward 3 - A", "Knock and wait"),
        ("Open", "Ward 5 - K", "Use the name they choose"),
    ]
    assert view.open_model.index(1, 3).data() == "Power: Transparency"
    assert view.open_model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole) == "Power: Transparency (proposed)"
    assert view.open_model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "1 overdue" in view.summary.text() and "1 due this week" in view.summary.text()
    assert view.done_empty.isVisibleTo(view)
    assert view.focusWidget() is view.open_table
    qtbot.wait(20)
    screenshot(view, "actions-view-flags")

    view.today = lambda: day(10)
    view.refresh()
    assert [r[0] for r in texts(view.open_model)] == ["Overdue", "Overdue", "Due this week"]
    assert "2 overdue" in view.summary.text()
    view.today = lambda: day(-40)
    view.refresh()
    assert [r[0] for r in texts(view.open_model)] == ["Open", "Open", "Open"]


def test_mark_with_a_note_from_the_view_then_carry_a_not_kept_forward(qtbot, tmp_path, make_profile, screenshot):
    profile = make_profile(tmp_path / "p")
    made = fill(profile)
    view = view_of(qtbot, profile)
    view.open_table.setFocus()
    view.open_table.setCurrentIndex(view.open_model.index(0, 0))  # Explain leave changes first
    assert view.detail_text.text().startswith("Explain leave changes first")
    qtbot.keyClicks(view.note_edit, "Leave was changed on a night shift.")
    qtbot.mouseClick(view.not_kept_button, Qt.MouseButton.LeftButton)
    stored = profile.store.actions.get(made["late"].id)
    assert (stored.status, stored.review_note) == (ActionStatus.NOT_KEPT, "Leave was changed on a night shift.")
    assert stored.reviewed_in == made["draft"].id
    # Not kept stays listed, below, as evidence, still chosen, with its note.
    assert ("Not kept", "Ward 3 - A", "Explain leave changes first") in texts(view.done_model)
    assert view.done_model.index(0, 5).data() == "Leave was changed on a night shift."
    assert view.current_item().action.id == made["late"].id
    assert view.carry_button.isVisible() and view.carry_button.isEnabled()
    assert view.changed

    qtbot.mouseClick(view.carry_button, Qt.MouseButton.LeftButton)
    carried = [a for a in profile.reflections.actions_of(made["draft"]) if a.carried_from == made["late"].id]
    assert len(carried) == 1 and carried[0].status is ActionStatus.OPEN
    assert ("Open", "Ward 3 - A", "Explain leave changes first") in texts(view.open_model)
    assert "Carried forward into the reflection of 9 Mar 2026; that action is open." in view.history.text()
    assert not view.carry_button.isEnabled() and view.carry_button.text().startswith("Carried forward")
    qtbot.wait(20)
    screenshot(view, "actions-view-carried-forward")

    # Kept and dropped, by keyboard, with a note; and back to open.
    view.open_table.setFocus()
    row = view.open_model.row_of(made["soon"].id)
    view.open_table.setCurrentIndex(view.open_model.index(row, 0))
    view.note_edit.setFocus()
    qtbot.keyClicks(view.note_edit, "Every time.")
    assert view.kept_button.text() == "&Kept"  # Alt+K
    qtbot.keyClick(view.note_edit, Qt.Key.Key_Tab)  # Save note, then Kept
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
    assert view.focusWidget() is view.kept_button
    qtbot.keyClick(view.kept_button, Qt.Key.Key_Space)
    soon = profile.store.actions.get(made["soon"].id)
    assert (soon.status, soon.review_note) == (ActionStatus.KEPT, "Every time.")
    assert view.current_item().action.id == soon.id and view.current_item().action.status is ActionStatus.KEPT
    qtbot.mouseClick(view.dropped_button, Qt.MouseButton.LeftButton)
    assert profile.store.actions.get(made["soon"].id).status is ActionStatus.DROPPED
    qtbot.mouseClick(view.reopen_button, Qt.MouseButton.LeftButton)
    assert profile.store.actions.get(made["soon"].id).status is ActionStatus.OPEN
    assert profile.store.actions.get(made["soon"].id).review_note == "Every time.", "a note is never lost"


def test_carrying_forward_without_a_reflection_in_progress_says_what_to_do(qtbot, tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = fill(profile)
    view = view_of(qtbot, profile)
    view.case_combo.setCurrentIndex(view.case_combo.findText("Ward 5 - K"))
    assert texts(view.open_model) == [("Open", "Ward 5 - K", "Use the name they choose")]
    view.open_table.setCurrentIndex(view.open_model.index(0, 0))
    qtbot.mouseClick(view.not_kept_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.carry_button, Qt.MouseButton.LeftButton)
    assert view.problem.isVisible() and "Start the case's next reflection" in view.problem.text()
    assert profile.store.actions.get(made["later"].id).status is ActionStatus.NOT_KEPT


def test_the_menu_opens_it_and_the_case_list_counts_overdue_actions(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile = make_profile(tmp_path / "p")
    today = dt.date.today()  # the window counts from the computer's date
    case = profile.cases.create("Ward 3 - A")
    first = profile.reflections.start(case.id, session_date=today - dt.timedelta(days=20))
    late = profile.reflections.add_action(first, "Explain leave changes first", due_on=today - dt.timedelta(days=1))
    profile.reflections.add_action(first, "Knock and wait", due_on=today + dt.timedelta(days=1))
    window = open_window(profile)
    model = window.case_list.model
    assert model.index(0, 2).data() == "2 \u00b7 1 overdue"
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole).endswith("2 open actions, 1 overdue")
    assert window.menu_actions["all_actions"].shortcut().toString() == "Ctrl+Shift+A"
    qtbot.wait(20)
    screenshot(window, "case-list-overdue-count")

    def mark_kept(view: ActionsView) -> None:
        view.open_table.setCurrentIndex(view.open_model.index(view.open_model.row_of(late.id), 0))
        view.kept_button.click()
        view.reject()

    seen = when_modal(ActionsView, mark_kept)
    window.menu_actions["all_actions"].trigger()
    assert seen, "View > All actions opened the actions view"
    assert model.index(0, 2).data() == "1", "the case list counts again once the view closes"


def test_mark_with_a_note_and_carry_forward_in_the_walkthrough(qtbot, tmp_path, make_profile, open_window, screenshot):
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    window.resize(1100, 760)
    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    (open_action,) = profile.cases.actions(case.id, ActionStatus.OPEN)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("safety")
    qtbot.wait(20)  # a row's widgets show once the event loop turns, as on screen
    review = screen.review_list
    assert not review.carry_buttons[0].isVisibleTo(review), "only a not kept carries forward"
    review.combos[0].setCurrentIndex(2)  # Not kept
    assert review.carry_buttons[0].isVisibleTo(review)
    review.notes[0].setFocus()
    qtbot.keyClicks(review.notes[0], "The ward round moved.")
    qtbot.keyClick(review.notes[0], Qt.Key.Key_Tab)
    stored = profile.store.actions.get(open_action.id)
    assert (stored.status, stored.review_note, stored.reviewed_in) == (
        ActionStatus.NOT_KEPT,
        "The ward round moved.",
        screen.reflection.id,
    )
    qtbot.mouseClick(review.carry_buttons[0], Qt.MouseButton.LeftButton)
    review = screen.review_list
    (carried,) = [a for a in profile.reflections.actions_of(screen.reflection) if a.carried_from == open_action.id]
    assert carried.text == open_action.text and carried.status is ActionStatus.OPEN
    assert review.notes[0].text() == "The ward round moved.", "not kept stays in the list, with its note"
    assert not review.carry_buttons[0].isEnabled() and "Carried forward" in review.carry_buttons[0].text()
    qtbot.wait(20)
    screenshot(window, "walkthrough-actions-review-carried")
    screen.go_to("actions")
    editor = screen.actions_editor
    assert "carried forward from an earlier action not kept" in editor.model.item(0).text()
    qtbot.wait(20)
    screenshot(window, "walkthrough-actions-carried-in")

    board = action_board(profile)
    assert {i.action.id for i in board.open_items} == {carried.id}
    old = next(i for i in board.done_items if i.action.id == open_action.id)
    assert [c.action.id for c in old.carried_to] == [carried.id]


def test_screens_on_the_demo_data_and_on_several_hundred_reflections(qtbot, tmp_path, make_profile, screenshot):
    demo = make_profile(tmp_path / "demo", demo=True)
    view = view_of(qtbot, demo, today=dt.date(2026, 12, 2))
    assert view.open_model.rowCount() == 1 and view.done_model.rowCount() == 6
    qtbot.wait(20)
    screenshot(view, "actions-view-demo")
    view.close()

    from tests.perf.test_scaling_benchmark import made_profile

    profile, _took = made_profile(tmp_path / "big", 30, 12)  # 360 reflections, one action each
    records = profile.store.actions.records()
    assert len(records) == 360
    marked = []
    for n, record in enumerate(records):
        action = replace(record.action, due_on=record.agreed_on + dt.timedelta(days=14))
        if n % 3 == 0:
            action = replace(action, status=list(ActionStatus)[1 + n % 9 // 3], review_note="Talked it over.")
        marked.append(action)
    profile.store.actions.save_many(marked)
    last = max(r.agreed_on for r in records)
    big = view_of(qtbot, profile, today=last + dt.timedelta(days=3))
    assert big.open_model.rowCount() + big.done_model.rowCount() == 360
    assert big.open_model.index(0, 0).data() == "Overdue"
    assert big.board.this_week_count > 0
    qtbot.wait(20)
    screenshot(big, "actions-view-360-reflections")
    profile.close()


def test_carried_forward_from_the_view_shows_in_the_reflection_open_behind_it(
    qtbot, tmp_path, make_profile, open_window
):
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    (open_action,) = profile.cases.actions(case.id, ActionStatus.OPEN)
    window.new_reflection()
    draft = window.reflection_screen.reflection
    window.reflection_screen.go_to("actions")

    def not_kept_then_carry(view: ActionsView) -> None:
        view.open_table.setCurrentIndex(view.open_model.index(view.open_model.row_of(open_action.id), 0))
        view.note_edit.setText("The ward round moved.")
        view.not_kept_button.click()
        view.carry_button.click()
        view.reject()

    seen = when_modal(ActionsView, not_kept_then_carry)
    window.menu_actions["all_actions"].trigger()
    assert seen
    screen = window.reflection_screen
    assert screen is not None and screen.reflection.id == draft.id and screen.current_step_id == "actions"
    (carried,) = screen.session.snapshot().actions
    assert carried.carried_from == open_action.id
    assert screen.actions_editor.model.rowCount() == 1
    (reviewed,) = screen.session.snapshot().to_review
    assert (reviewed.status, reviewed.review_note) == (ActionStatus.NOT_KEPT, "The ward round moved.")


def test_a_not_kept_from_an_earlier_session_stays_in_view_in_the_next_reflection_to_carry_forward(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    window.resize(1100, 760)
    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    (earlier,) = [a for a in profile.cases.actions(case.id) if a.status is ActionStatus.NOT_KEPT]
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("safety")
    qtbot.wait(20)
    review = screen.review_list
    assert len(review.combos) == 1, "the open action is asked about as before"
    assert review.not_kept_heading is not None and review.not_kept_heading.isVisibleTo(review)
    (button,) = review.earlier_buttons
    assert button.accessibleName() == f"Carry forward: {earlier.text}"
    qtbot.wait(50)
    screenshot(window, "walkthrough-not-kept-before")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    (carried,) = [a for a in profile.reflections.actions_of(screen.reflection) if a.carried_from == earlier.id]
    review = screen.review_list
    (button,) = review.earlier_buttons
    assert not button.isEnabled() and button.text().startswith("Carried forward")
    assert profile.store.actions.get(earlier.id).status is ActionStatus.NOT_KEPT, "the evidence stays as it was"

    # The reflection after this one no longer offers it: it was taken up again.
    window.close_reflection()
    later = profile.reflections.start(case.id, session_date=screen.reflection.session_date + dt.timedelta(days=7))
    assert profile.reflections.surroundings(later).not_kept == ()
    assert carried.id in {a.id for a in profile.reflections.actions_to_review(later)}


@pytest.mark.parametrize("size", [(1100, 760), (860, 600)])
def test_the_look_back_at_earlier_actions_is_laid_out_in_full(qtbot, tmp_path, make_profile, open_window, size):
    """Each action's text, dates, note, choice and Carry forward get the room they need, as does the
    "not kept before" section, and showing the step again does not build the box again."""
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    window.resize(*size)
    window.case_list.select(profile.cases.find("Demo - Ward 3").id)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("safety")
    settle_layout(window)  # a row's widgets show once the event loop turns, as on screen
    review = screen.review_list
    combo = review.combos[0]
    screen.go_to("power")
    screen.go_to("safety")
    assert review.combos[0] is combo, "nothing changed, so the same rows stay (and the keyboard with them)"

    combo.setCurrentIndex(2)  # Not kept
    assert review.carry_buttons[0].isVisibleTo(review) and review.earlier_buttons
    settle_layout(window)
    assert clipped(review) == []
    assert review.height() >= review.heightForWidth(review.width())


def test_locking_closes_the_actions_view(qtbot, tmp_path, make_profile, open_window):
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    seen = when_modal(ActionsView, lambda view: window.lock())
    window.menu_actions["all_actions"].trigger()
    assert seen and window.locked
    qtbot.waitUntil(lambda: not [w for w in window.findChildren(ActionsView) if w.isVisible()])
    assert not window.menu_actions["all_actions"].isEnabled()


# -- a note typed and not saved yet survives a lock (and a crash, a moment after typing) --------------------


def test_a_note_typed_in_the_walkthrough_s_look_back_survives_a_lock(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    window.resize(1100, 760)
    case = profile.cases.find("Demo - Ward 3")
    window.case_list.select(case.id)
    (open_action,) = profile.cases.actions(case.id, ActionStatus.OPEN)
    window.new_reflection()
    screen = window.reflection_screen
    screen.go_to("safety")
    review = screen.review_list
    review.combos[0].setCurrentIndex(1)  # Kept
    marked = profile.store.actions.get(open_action.id)
    assert marked.status is ActionStatus.KEPT and marked.review_note == ""

    # A crash a moment after typing loses nothing: the note is in the store without leaving the field.
    review.notes[0].setFocus()
    qtbot.keyClicks(review.notes[0], "Said so at the handover")
    qtbot.waitUntil(lambda: profile.store.actions.get(open_action.id).review_note == "Said so at the handover")

    # Typed, then the lock at once: the lock saves it (the field never left, the autosave not due yet).
    qtbot.keyClicks(review.notes[0], ", every time.")
    assert review.notes[0].isModified() and screen.session.has_unsaved_changes()
    window.lock()
    assert window.locked
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.reflection_screen is not None and window.reflection_screen.review_list is not None)
    stored = window.profile.store.actions.get(open_action.id)
    assert stored.review_note == "Said so at the handover, every time."
    assert (stored.status, stored.reviewed_in, stored.reviewed_at) == (
        marked.status,
        marked.reviewed_in,
        marked.reviewed_at,
    ), "changing only the note keeps where and when the action was marked"
    screen = window.reflection_screen
    assert screen.current_step_id == "safety"
    review = screen.review_list
    assert review.notes[0].text() == "Said so at the handover, every time."
    assert review.status_of(0) is ActionStatus.KEPT
    assert not screen.session.has_unsaved_changes()
    review.notes[0].ensurePolished()
    screen.pages["safety"].ensureWidgetVisible(review)
    qtbot.wait(50)
    screenshot(window, "walkthrough-review-note-after-unlock")


def test_a_note_typed_in_the_actions_view_survives_a_lock_and_the_view_opens_again_on_it(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    profile = make_profile(tmp_path / "p", demo=True)
    window = open_window(profile)
    case = profile.cases.find("Demo - Ward 3")
    marked = next(a for a in profile.cases.actions(case.id) if a.status is ActionStatus.KEPT)
    typed: dict = {}

    def type_then_lock(view: ActionsView) -> None:
        view.case_combo.setCurrentIndex(view.case_combo.findText("Demo - Ward 3"))
        view.done_table.setFocus()
        view.done_table.setCurrentIndex(view.done_model.index(view.done_model.row_of(marked.id), 0))
        view.note_edit.setFocus()
        view.note_edit.selectAll()
        qtbot.keyClicks(view.note_edit, "Asked first, then knocked.")
        typed["modified"] = view.note_edit.isModified()
        window.lock()  # before the autosave is due

    seen = when_modal(ActionsView, type_then_lock)
    window.menu_actions["all_actions"].trigger()  # returns once the lock has closed the view
    assert seen and window.locked and typed["modified"]
    back: dict = {}

    def look_then_close(view: ActionsView) -> None:
        back["case"] = view.case_combo.currentText()
        back["chosen"] = view.current_action_id()
        back["note"] = view.note_edit.text()
        back["cell"] = view.done_model.index(view.done_model.row_of(marked.id), 5).data()
        qtbot.wait(50)
        screenshot(view, "actions-view-note-after-unlock")
        view.reject()

    when_modal(ActionsView, look_then_close)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: "note" in back, timeout=10_000)
    assert back == {
        "case": "Demo - Ward 3",
        "chosen": marked.id,
        "note": "Asked first, then knocked.",
        "cell": "Asked first, then knocked.",
    }, "the view opens again on the same case and action, with the note"
    stored = window.profile.store.actions.get(marked.id)
    assert stored.review_note == "Asked first, then knocked."
    assert (stored.status, stored.reviewed_in, stored.reviewed_at) == (
        marked.status,
        marked.reviewed_in,
        marked.reviewed_at,
    ), "changing only the note keeps where and when the action was marked"


def test_the_actions_view_saves_a_note_a_moment_after_typing_and_on_choosing_another(qtbot, tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = fill(profile)
    view = view_of(qtbot, profile)
    view.open_table.setCurrentIndex(view.open_model.index(view.open_model.row_of(made["late"].id), 0))
    view.note_edit.setFocus()
    qtbot.keyClicks(view.note_edit, "Started on it")
    qtbot.waitUntil(lambda: profile.store.actions.get(made["late"].id).review_note == "Started on it")
    assert view.note_edit.text() == "Started on it" and view.note_edit.hasFocus(), "typing goes on undisturbed"
    assert view.open_model.index(0, 5).data() == "Started on it"
    assert profile.store.actions.get(made["late"].id).status is ActionStatus.OPEN

    qtbot.keyClicks(view.note_edit, ", then stopped.")
    view.open_table.setCurrentIndex(view.open_model.index(view.open_model.row_of(made["soon"].id), 0))
    assert profile.store.actions.get(made["late"].id).review_note == "Started on it, then stopped."
    assert view.note_edit.text() == ""
    view.open_table.setCurrentIndex(view.open_model.index(view.open_model.row_of(made["late"].id), 0))
    assert view.note_edit.text() == "Started on it, then stopped.", "the list shows the note saved"
    assert view.changed, "the case list's counts are read again"
