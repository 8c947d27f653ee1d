"""The full integrity check after unlock in the app (issue 16 item 2): damage found locks the window,
writes nothing more and offers a backup, as damage found at unlock does."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from psi_desktop.services.backups import make_backup
from psi_desktop.services.demo import add_demo_case
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import STORE, make_reflection, new_canary, sha256
from tests.faults.test_deferred_check import damage_a_late_page
from tests.ui.conftest import unlock, when_modal

pytestmark = pytest.mark.expect_log_errors  # the damage found is logged, as it should be


def test_damage_found_after_unlock_locks_and_offers_a_backup(qtbot, tmp_path, make_profile, open_window, screenshot):
    profile = make_profile(tmp_path / "profile")
    case = profile.cases.create("Ward 7 - C", "")
    rnd = random.Random(5)
    # Enough answers (which the first screen does not read) that the middle page, the one damaged, is one
    # of theirs whatever the schema's small tables and indexes add at the end of the file.
    for _ in range(120):
        profile.store.reflections.save(make_reflection(case.id, rnd, new_canary()))
    add_demo_case(profile)  # shown first (its code sorts first): its pages are not the damaged ones
    profile.store.db.execute("VACUUM")
    make_backup(profile.directory, profile.key)
    window = open_window(profile)
    window.lock()
    damage_a_late_page(profile.directory)
    before = sha256(profile.directory / STORE)

    seen: dict = {}

    def note(box: QMessageBox) -> None:
        seen["text"] = (box.text(), box.informativeText())
        screenshot(box, "store-damaged-after-unlock")
        box.reject()

    when_modal(QMessageBox, note)
    unlock(qtbot, window)  # the cheap check at open: the case list shows at once
    qtbot.waitUntil(lambda: "text" in seen, timeout=20_000)
    text, info = seen["text"]
    assert text == "Your records could not be opened."
    assert "writes nothing more to it" in info and "put back a recent backup" in info
    assert window.locked
    assert sha256(profile.directory / STORE) == before, "nothing was written to the damaged store"


def test_damage_the_first_screen_reads_locks_and_offers_a_backup_too(qtbot, tmp_path, make_profile, open_window):
    """The damaged page is one the case list or the first case page reads, before the full check ends:
    the same answer as the check's (lock, nothing written, a backup offered), not a crash dialog."""
    profile = make_profile(tmp_path / "profile")
    case = profile.cases.create("Ward 7 - C", "")
    rnd = random.Random(5)
    for _ in range(30):  # few answers: the middle page damaged is one the first case page reads (checked)
        profile.store.reflections.save(make_reflection(case.id, rnd, new_canary()))
    add_demo_case(profile)
    profile.store.db.execute("VACUUM")
    make_backup(profile.directory, profile.key)
    window = open_window(profile)
    window.lock()
    damage_a_late_page(profile.directory)
    store = profile.directory / STORE
    before = sha256(store)
    seen: dict = {}

    def note(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.reject()

    when_modal(QMessageBox, note)
    screen = window.lock_screen
    qtbot.keyClicks(screen.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "text" in seen, timeout=20_000)
    assert seen["text"] == "Your records could not be opened."
    assert window.locked
    assert sha256(store) == before, "nothing was written to the damaged store"
