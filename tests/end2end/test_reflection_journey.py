"""The whole reflection journey through real widgets, by keyboard where a person would use it:
new case, the practitioner's answers and ratings, the supervisor's blind ratings, Reveal, an action,
sign-off, a restart, and the next reflection asking whether that action was kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from psi_desktop.app import settings_for
from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.model import ActionStatus, Perspective, ReflectionStatus
from psi_desktop.ui.case_dialog import CaseDialog
from psi_desktop.ui.main_window import MainWindow
from psi_desktop.ui.sign_dialog import SignDialog
from psi_desktop.ui.walkthrough import ReflectionScreen
from tests.conftest import PASSPHRASE

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
CODE = "Ward 7 - B"
PRACTITIONER = {
    "power.protective": 3,
    "power.choice": 2,
    "power.transparency": 1,
    "safety.consistency": 3,
    "safety.felt_safe": 3,
    "safety.trust": 3,
    "identity.personhood": 4,
    "identity.equality": 3,
    "identity.positive_self": 2,
}
SUPERVISOR = {**PRACTITIONER, "safety.trust": 1, "power.transparency": 3, "identity.equality": 2}


def shot(qtbot, screenshot, widget: QWidget, name: str) -> None:
    """A screenshot once pending layout has settled, as it would have on screen."""
    qtbot.wait(20)
    screenshot(widget, name)


def focused() -> QWidget:
    return QApplication.focusWidget()


def when_modal(kind: type, act) -> list:
    """Run ``act(dialog)`` once a modal ``kind`` shows; a dialog ``act`` leaves open is closed and noted."""
    left_open: list = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            act(dialog)
            if dialog.isVisible():
                left_open.append(dialog)
                dialog.reject()
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return left_open


def activate(qtbot, window: MainWindow) -> None:
    """The offscreen platform leaves a closed dialog "active"; a desktop gives the window back."""
    qtbot.wait(10)  # the closed dialog is deleted on the next turn of the event loop
    with qtbot.waitActive(window, timeout=20000):
        window.activateWindow()


def new_window(qtbot, directory: Path, profile=None) -> MainWindow:
    window = MainWindow(directory, settings_for(directory), profile=profile)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    activate(qtbot, window)
    return window


def type_answer(qtbot, screen: ReflectionScreen, prompt_id: str, text: str) -> None:
    edit = screen.prompt_fields[prompt_id].edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def rate_by_keys(qtbot, screen: ReflectionScreen, perspective: Perspective, scores: dict[str, int]) -> None:
    """Tab to each rating and type its number."""
    for dimension, score in scores.items():
        row = screen.rating_rows[(perspective, dimension)]
        for _ in range(60):
            if focused() in row.buttons:
                break
            qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        assert focused() in row.buttons, f"Tab never reached {dimension}"
        qtbot.keyClick(focused(), Qt.Key(Qt.Key.Key_0 + score))


@pytest.fixture
def directory(tmp_path: Path, make_profile) -> Path:
    folder = tmp_path / "profile"
    make_profile(folder).close()
    return folder


def test_a_whole_reflection_from_new_case_to_signed_and_on_to_the_next_one(qtbot, directory, screenshot):
    # -- unlock and create a case ------------------------------------------------------------
    window = new_window(qtbot, directory)
    qtbot.keyClicks(window.lock_screen.passphrase_edit, PASSPHRASE)
    qtbot.keyClick(window.lock_screen.passphrase_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=20000)  # generous: CI machines are loaded

    def create(dialog: CaseDialog) -> None:
        qtbot.keyClicks(dialog.code_edit, CODE)
        qtbot.keyClicks(dialog.setting_edit, "Acute inpatient")
        qtbot.keyClick(dialog.setting_edit, Qt.Key.Key_Return)

    left_open = when_modal(CaseDialog, create)
    qtbot.keyClick(window.case_list.table, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert not left_open and window.case_page.title.text() == CODE
    activate(qtbot, window)

    # -- the practitioner's part -------------------------------------------------------------
    qtbot.keyClick(window.case_list.table, Qt.Key.Key_N, CTRL)
    screen = window.reflection_screen
    assert screen.current_step_id == "context" and focused() is screen.prompt_fields["context"].edit
    qtbot.keyClicks(focused(), "A tense evening about leave being cancelled.")
    screen.practitioner_edit.setFocus()
    qtbot.keyClicks(focused(), "A. Nurse")
    shot(qtbot, screenshot, window, "journey-01-context")

    qtbot.keyClick(focused(), Qt.Key.Key_Right, ALT)
    assert screen.current_step_id == "power"
    qtbot.keyClicks(focused(), "The team decided; the person was told afterwards.")
    rate_by_keys(
        qtbot, screen, Perspective.PRACTITIONER, {d: s for d, s in PRACTITIONER.items() if d.startswith("power")}
    )
    shot(qtbot, screenshot, window, "journey-02-power")

    qtbot.keyClick(focused(), Qt.Key.Key_Right, ALT)
    assert screen.current_step_id == "safety"
    assert screen.review_list.none_label.isVisibleTo(screen), "a first reflection has nothing to look back on"
    type_answer(qtbot, screen, "safety.trust", "Some trust; I kept my word about the phone call.")
    rate_by_keys(
        qtbot, screen, Perspective.PRACTITIONER, {d: s for d, s in PRACTITIONER.items() if d.startswith("safety")}
    )
    screen.trauma_choice.focus()
    qtbot.keyClick(focused(), Qt.Key.Key_Space)

    qtbot.keyClick(focused(), Qt.Key.Key_Right, ALT)
    assert screen.current_step_id == "identity"
    qtbot.keyClicks(focused(), "As a person, mostly.")
    rate_by_keys(
        qtbot, screen, Perspective.PRACTITIONER, {d: s for d, s in PRACTITIONER.items() if d.startswith("identity")}
    )

    qtbot.keyClick(focused(), Qt.Key.Key_Right, ALT)
    assert screen.current_step_id == "synthesis"
    screen.distress_choices[Perspective.PRACTITIONER].focus()
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # Increased
    qtbot.keyClick(focused(), Qt.Key.Key_Right)  # -> Maintained
    qtbot.keyClick(focused(), Qt.Key.Key_Right)  # -> Alleviated
    assert screen.reflection.distress_impact[Perspective.PRACTITIONER].value == "alleviated"
    for step in ("context", "power", "safety", "identity", "synthesis"):
        assert screen.step_list.item([s.id for s in screen.steps].index(step)).text().startswith("\u2713"), step
    assert screen.step_list.item(1).data(Qt.ItemDataRole.AccessibleTextRole) == "Power, complete"
    assert (
        screen.step_list.item(5).data(Qt.ItemDataRole.AccessibleTextRole) == "The person's view, optional, not started"
    )

    # -- the supervisor rates blind, then Reveal -----------------------------------------------
    screen.go_to("supervisor")
    assert not screen.comparing and screen.compare_view.table.rowCount() == 0
    screen.rating_rows[(Perspective.SUPERVISOR, "power.protective")].focus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    rate_by_keys(qtbot, screen, Perspective.SUPERVISOR, SUPERVISOR)
    for dimension, score in SUPERVISOR.items():
        assert screen.rating_rows[(Perspective.SUPERVISOR, dimension)].value() == score
    shot(qtbot, screenshot, window, "journey-03-supervisor-blind")
    window.menu_actions["reveal"].trigger()
    assert screen.comparing
    assert screen.compare_view.points_label.text().split("\n\n") == [
        "\u2022 You rated Transparency 1, your supervisor 3 \u2014 what do you each see?",
        "\u2022 You rated Trust 3, your supervisor 1 \u2014 what do you each see?",
    ]
    shot(qtbot, screenshot, window, "journey-04-compare")

    # -- an action, then sign-off ---------------------------------------------------------------
    qtbot.keyClick(focused(), Qt.Key.Key_Right, ALT)
    assert screen.current_step_id == "actions"
    qtbot.keyClicks(focused(), "Talk through leave decisions with the person before they are made.")
    editor = screen.actions_editor
    editor.text_edit.setFocus()
    qtbot.keyClicks(focused(), "Explain leave decisions before the ward round")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    (action,) = window.profile.reflections.actions_of(screen.reflection)
    shot(qtbot, screenshot, window, "journey-05-actions")

    screen.go_to("review")
    assert screen.sign_button.isEnabled()

    def sign(dialog: SignDialog) -> None:
        qtbot.keyClicks(dialog.name_edit, "B. Supervisor")
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)

    left_open = when_modal(SignDialog, sign)
    screen.sign_button.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert not left_open
    activate(qtbot, window)
    signed = window.profile.reflections.get(screen.reflection.id)
    assert signed.status is ReflectionStatus.SIGNED
    assert signed.signature.content_sha256 == reflection_sha256(signed), "the hash bundle-format.md defines"
    assert screen.read_only and screen.hash_edit.text() == signed.signature.content_sha256
    assert all(f.edit.isReadOnly() for f in screen.prompt_fields.values())
    assert not any(b.isEnabled() for row in screen.rating_rows.values() for b in row.buttons)
    shot(qtbot, screenshot, window, "journey-06-signed")
    first_id, first_hash = signed.id, signed.signature.content_sha256

    # -- restart: still signed, same hash ------------------------------------------------------
    window.close()
    window = new_window(qtbot, directory)
    qtbot.keyClicks(window.lock_screen.passphrase_edit, PASSPHRASE)
    qtbot.keyClick(window.lock_screen.passphrase_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=20000)  # generous: CI machines are loaded
    screen = window.reflection_screen
    assert screen is not None and screen.reflection.id == first_id, "it opens where it was left"
    assert screen.read_only and screen.current_step_id == "review"
    reloaded = window.profile.reflections.get(first_id)
    assert reloaded.signed and reloaded.signature.content_sha256 == first_hash == reflection_sha256(reloaded)
    assert screen.hash_edit.text() == first_hash
    assert reloaded.answers["context"] == "A tense evening about leave being cancelled."
    assert reloaded.ratings_of(Perspective.SUPERVISOR) == SUPERVISOR

    # -- the next reflection asks whether the action was kept -----------------------------------
    qtbot.keyClick(focused(), Qt.Key.Key_N, CTRL)
    screen = window.reflection_screen
    assert screen.reflection.id != first_id and screen.current_step_id == "context"
    assert screen.practitioner_edit.text() == "A. Nurse", "names carry over"
    screen.go_to("safety")
    review = screen.review_list
    assert len(review.combos) == 1 and review.combos[0].accessibleName() == f"Was this kept? {action.text}"
    last_time = screen.rating_rows[(Perspective.PRACTITIONER, "safety.trust")].last_time_label.text()
    assert last_time == "3", "last time's rating shows faintly beside this time's"
    shot(qtbot, screenshot, window, "journey-07-next-reflection-asks")
    review.combos[0].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    (kept,) = window.profile.cases.actions(window.profile.cases.find(CODE).id)
    assert (kept.status, kept.reviewed_in) == (ActionStatus.KEPT, screen.reflection.id)
    assert focused() is review.combos[0], "the keyboard stays where it was"
    window.close()
