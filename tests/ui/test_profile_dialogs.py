"""Passphrase dialogs on real profiles: setting up, converting an old profile, recovery, changing the passphrase."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from psi_desktop.domain.model import Case
from psi_desktop.services.profile import ProfileState, create_profile, profile_state, recover_profile, unlock_profile
from psi_desktop.storage.keys import WrongPassphraseError
from psi_desktop.ui.profile_dialogs import ChangePassphraseDialog, CreateProfileDialog, RecoveryDialog
from tests.conftest import PASSPHRASE
from tests.ui.conftest import unlock

NEW_PASSPHRASE = "a quiet ward at night"


def fill(qtbot, fields, passphrase: str, again: str | None = None) -> None:
    fields.passphrase_edit.clear()
    fields.again_edit.clear()
    qtbot.keyClicks(fields.passphrase_edit, passphrase)
    qtbot.keyClicks(fields.again_edit, passphrase if again is None else again)


def test_create_profile_shows_the_recovery_key_once_and_waits_until_it_is_stored(qtbot, tmp_path, screenshot):
    directory = tmp_path / "profile"
    dialog = CreateProfileDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.fields.strength_label.text().startswith("Four or more ordinary words")

    fill(qtbot, dialog.fields, "short", "short")
    assert dialog.fields.strength_label.text().startswith("Too short")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "at least 8" in dialog.error_label.text()
    fill(qtbot, dialog.fields, PASSPHRASE, PASSPHRASE + "!")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "not the same" in dialog.error_label.text()
    assert profile_state(directory) is ProfileState.MISSING

    fill(qtbot, dialog.fields, PASSPHRASE)
    assert dialog.fields.strength_label.text() == "Strong."
    dialog.error_label.hide()
    screenshot(dialog, "create-profile-1-passphrase")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=5000)

    key_text = dialog.key_label.text()
    recovery_key = key_text.replace("\n", "-")
    assert len(recovery_key.split("-")) == 8
    assert dialog.fields.passphrase() == "", "the passphrase is not kept in the dialog"
    assert not dialog.continue_button.isEnabled()
    dialog.reject()  # Escape or the close button must not skip the key
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == recovery_key
    screenshot(dialog, "create-profile-2-recovery-key")

    dialog.stored_check.setChecked(True)
    assert dialog.continue_button.isEnabled()
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert QGuiApplication.clipboard().text() == "", "the key is taken off the clipboard"
    assert dialog.key_label.text() == ""

    profile = dialog.profile
    assert profile is not None and not profile.closed
    profile.close()
    assert profile_state(directory) is ProfileState.ENCRYPTED
    unlock_profile(directory, PASSPHRASE).close()
    recover_profile(directory, recovery_key, NEW_PASSPHRASE).close()


def test_an_old_unencrypted_profile_is_protected_with_a_passphrase(qtbot, tmp_path, screenshot):
    from sqlite_utils import Database

    from psi_desktop.storage import STORE_FILE, Store
    from psi_desktop.storage.store import _configure, _connect, _migrate

    directory = tmp_path / "profile"
    directory.mkdir()
    db = Database(_connect(directory / STORE_FILE, None))
    _configure(db, directory / STORE_FILE)
    _migrate(db)
    Store(db, directory / STORE_FILE).cases.add(Case(id=uuid.uuid4(), code="Old ward - Z", setting="OLD-MARKER"))
    db.close()
    assert profile_state(directory) is ProfileState.PLAINTEXT

    dialog = CreateProfileDialog(directory, converting=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.heading.text() == "Protect your existing records with a passphrase"
    screenshot(dialog, "create-profile-converting")
    fill(qtbot, dialog.fields, PASSPHRASE)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=5000)
    dialog.stored_check.setChecked(True)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)

    with dialog.profile as profile:
        assert [s.case.code for s in profile.cases.summaries()] == ["Old ward - Z"]
    assert profile_state(directory) is ProfileState.ENCRYPTED
    for path in directory.rglob("*"):
        if path.is_file():
            assert b"OLD-MARKER" not in path.read_bytes(), path.name


def test_cancel_on_the_first_page_makes_nothing(qtbot, tmp_path):
    directory = tmp_path / "profile"
    dialog = CreateProfileDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert profile_state(directory) is ProfileState.MISSING


@pytest.fixture
def created(tmp_path: Path):
    made = create_profile(tmp_path / "profile", PASSPHRASE)
    made.profile.close()
    return made


def test_forgot_passphrase_unlocks_with_the_recovery_key_and_sets_a_new_one(qtbot, created, screenshot):
    directory = created.profile.directory
    dialog = RecoveryDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()

    qtbot.keyClicks(dialog.key_edit, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789")
    fill(qtbot, dialog.fields, NEW_PASSPHRASE)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible() and dialog.isEnabled(), timeout=5000)
    assert "does not unlock this profile" in dialog.error_label.text()

    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, created.recovery_key.lower().replace("-", " "))  # as read aloud
    dialog.error_label.hide()
    screenshot(dialog, "recovery-dialog")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    assert dialog.profile is not None and not dialog.profile.closed
    dialog.profile.close()
    unlock_profile(directory, NEW_PASSPHRASE).close()
    with pytest.raises(WrongPassphraseError):
        unlock_profile(directory, PASSPHRASE)


def test_change_passphrase(qtbot, created, screenshot):
    directory = created.profile.directory
    with unlock_profile(directory, PASSPHRASE) as profile:
        dialog = ChangePassphraseDialog(profile)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.current_edit, "not my passphrase")
        fill(qtbot, dialog.fields, NEW_PASSPHRASE)
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.error_label.isVisible() and dialog.isEnabled(), timeout=5000)
        assert "not your current passphrase" in dialog.error_label.text()

        dialog.current_edit.clear()
        qtbot.keyClicks(dialog.current_edit, PASSPHRASE)
        dialog.error_label.hide()
        screenshot(dialog, "change-passphrase-dialog")
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    unlock_profile(directory, NEW_PASSPHRASE).close()


def test_cut_short_before_the_recovery_page_the_next_unlock_shows_a_new_key_first(
    qtbot, tmp_path, open_window, screenshot
):
    """Created, then the dialog dropped with its recovery page unseen (as a kill would): the next
    unlock replaces that key and shows the new one before the records; the unseen one stops working."""
    from psi_desktop.services.profile import recovery_key_pending
    from psi_desktop.storage.keys import KeyFile, WrongRecoveryKeyError
    from psi_desktop.ui.profile_dialogs import NewRecoveryKeyDialog
    from tests.ui.conftest import when_modal

    directory = tmp_path / "profile"
    dialog = CreateProfileDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog.fields, PASSPHRASE)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=5000)
    unseen = dialog.key_label.text().replace("\n", "-")
    assert recovery_key_pending(directory), "made, but not yet set up: the key has not been confirmed"
    dialog.profile.close()
    dialog.hide()  # gone before anyone ticked "stored": the app was killed here

    window = open_window(directory)
    seen: dict = {}

    def on_new_key(new: NewRecoveryKeyDialog) -> None:
        seen["key"] = new.page.key_label.text().replace("\n", "-")
        seen["window_locked"] = window.locked and window.pages.currentWidget() is window.lock_screen
        new.reject()  # Escape does not skip it
        seen["still_open"] = new.isVisible()
        qtbot.wait(20)
        screenshot(new, "recovery-key-renewed-after-reopen")
        new.page.stored_check.setChecked(True)
        qtbot.mouseClick(new.page.continue_button, Qt.MouseButton.LeftButton)

    when_modal(NewRecoveryKeyDialog, on_new_key)
    unlock(qtbot, window)
    assert seen["window_locked"], "nothing is usable before the new key is seen"
    assert seen["still_open"]
    assert len(seen["key"].split("-")) == 8 and seen["key"] != unseen
    assert not recovery_key_pending(directory)
    with pytest.raises(WrongRecoveryKeyError):
        KeyFile(directory).unlock_with_recovery_key(unseen)
    assert len(KeyFile(directory).unlock_with_recovery_key(seen["key"])) == 32
    window.lock()
    unlock(qtbot, window)  # set up now: no key again
    assert not window.locked


def test_a_profile_whose_recovery_page_was_confirmed_is_set_up(qtbot, tmp_path):
    from psi_desktop.services.profile import recovery_key_pending

    directory = tmp_path / "profile"
    dialog = CreateProfileDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog.fields, PASSPHRASE)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=5000)
    assert recovery_key_pending(directory)
    dialog.stored_check.setChecked(True)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    assert not recovery_key_pending(directory)
    dialog.profile.close()


def test_someone_may_know_my_passphrase_re_encrypts_everything_from_the_window(
    qtbot, tmp_path, make_profile, open_window, screenshot
):
    """Issue #11 item 8 in the app: the window locks, re-encrypts with progress, shows the new recovery key."""
    import shutil

    from psi_desktop.services.backups import backup_files, list_backups, make_backup
    from psi_desktop.services.profile import recovery_key_pending
    from psi_desktop.storage.keys import KeyFile
    from psi_desktop.storage.store import key_opens
    from psi_desktop.ui.profile_dialogs import RetirePassphraseDialog
    from tests.ui.conftest import when_modal

    profile = make_profile(tmp_path / "profile", demo=True)
    directory = profile.directory
    make_backup(directory, profile.key)
    old_key = profile.key
    shutil.copyfile(directory / "psi-desktop.key", tmp_path / "copied.key")
    window = open_window(profile)
    seen: dict = {}

    def change(dialog: ChangePassphraseDialog) -> None:
        qtbot.keyClicks(dialog.current_edit, PASSPHRASE)
        fill(qtbot, dialog.fields, NEW_PASSPHRASE)
        dialog.retire_check.setChecked(True)
        screenshot(dialog, "change-passphrase-someone-may-know")

        def store_key(retiring: RetirePassphraseDialog) -> None:
            screenshot(retiring, "retire-passphrase-working")
            qtbot.waitUntil(lambda: retiring.pages.currentWidget() is retiring.recovery_page, timeout=20_000)
            assert window.locked, "the store is closed while its files are re-encrypted"
            seen["recovery"] = retiring.recovery_page.key_label.text().replace(" ", "").replace("\n", "-")
            screenshot(retiring, "retire-passphrase-new-recovery-key")
            retiring.recovery_page.stored_check.setChecked(True)
            qtbot.mouseClick(retiring.recovery_page.continue_button, Qt.MouseButton.LeftButton)

        when_modal(RetirePassphraseDialog, store_key)
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)

    when_modal(ChangePassphraseDialog, change)
    window.menu_actions["change_passphrase"].trigger()
    qtbot.waitUntil(lambda: not window.locked, timeout=20_000)

    assert "re-encrypted" in window.statusBar().currentMessage()
    assert window.profile.cases.summaries(), "the records are open again"
    assert not recovery_key_pending(directory)
    new_key = window.profile.key
    assert new_key != old_key
    assert bytes(KeyFile.at(tmp_path / "copied.key").unlock(PASSPHRASE)) == old_key
    for path in [directory / "psi-desktop.db", *backup_files(directory)]:
        assert key_opens(path, new_key) and not key_opens(path, old_key), path.name
    assert [i.ok for i in list_backups(directory, new_key)] == [True]
    with pytest.raises(WrongPassphraseError):
        KeyFile(directory).unlock(PASSPHRASE)
    assert bytes(KeyFile(directory).unlock(NEW_PASSPHRASE)) == new_key
