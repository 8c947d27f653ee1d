"""Backups from the window: on close, on request and on a timer, off the UI thread; the restore dialog."""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from psi_desktop.domain.model import Case
from psi_desktop.errors import StoreError
from psi_desktop.services import backups
from psi_desktop.services.backups import backup_files, make_backup
from psi_desktop.storage import STORE_FILE
from psi_desktop.ui.backup_scheduler import BackupScheduler
from psi_desktop.ui.formatting import moment, when
from psi_desktop.ui.restore_dialog import RestoreDialog
from psi_desktop.ui.workers import Worker
from tests.ui.conftest import unlock, when_modal


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


def add_bulk(profile, n: int) -> None:
    """Enough cases that a backup takes a noticeable time (the copy is checked in full)."""
    with profile.store.atomic():
        for i in range(n):
            profile.store.cases.add(Case(id=uuid.uuid4(), code=f"Bulk {i:05d}", setting="x" * 4000))


def test_a_backup_is_made_on_close(qtbot, profile, open_window):
    window = open_window(profile)
    assert backup_files(profile.directory) == []
    window.close()
    (made,) = backup_files(profile.directory)
    assert profile.closed, "the store is closed after the backup"
    assert made.stat().st_size > 0


def back_up_now_with_a_ticker(qtbot, window) -> SimpleNamespace:
    """Back up now from the menu while a 20 ms UI timer ticks: how many ticks arrived while it ran, the
    seconds it took and the gaps between those ticks (their budget: tests/perf/test_time_budgets.py)."""
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    qtbot.wait(60)

    before = len(ticks)
    at_the_end: list[int] = []
    window.session.backups.backup_made.connect(lambda *_: at_the_end.append(len(ticks)))
    started = time.perf_counter()
    with qtbot.waitSignal(window.session.backups.backup_made, timeout=20_000) as made:
        window.menu_actions["back_up_now"].trigger()
        assert window.statusBar().currentMessage() == "Making a backup\u2026"
    took = time.perf_counter() - started
    qtbot.wait(60)
    ticker.stop()
    during = ticks[before : at_the_end[0]]
    return SimpleNamespace(
        args=made.args, ticks_during=len(during), took=took, gaps=[b - a for a, b in itertools.pairwise(during)]
    )


def test_back_up_now_runs_off_the_ui_thread(qtbot, profile, open_window):
    add_bulk(profile, 4_000)
    window = open_window(profile)
    backup = back_up_now_with_a_ticker(qtbot, window)
    path, asked = backup.args
    assert asked and path in backup_files(profile.directory)
    assert window.statusBar().currentMessage().startswith("Backup made at ")
    # On the UI thread the backup would hold the event loop: no timer tick could arrive until it ended.
    assert backup.ticks_during >= 3, f"the UI handled {backup.ticks_during} timer ticks while the backup ran"


def test_a_failed_backup_says_so_plainly(qtbot, profile, open_window, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    window = open_window(profile)

    def full_disk(*args, **kwargs):
        raise StoreError("The backup could not be written: no space left on device.")

    monkeypatch.setattr(backups, "make_backup", full_disk)  # the scheduler takes it from there when it runs
    with qtbot.waitSignal(window.session.backups.backup_failed, timeout=20_000):
        window.menu_actions["back_up_now"].trigger()
    assert shown == ["The backup could not be written: no space left on device."]


def test_backups_run_on_a_timer_while_unlocked_and_the_timer_pauses_while_locked(qtbot, profile):
    scheduler = BackupScheduler(interval_ms=150)
    scheduler.resume(profile)
    with qtbot.waitSignal(scheduler.backup_made, timeout=20_000) as made:
        pass
    assert made.args[1] is False, "a timed backup is not one the user asked for"
    assert len(backup_files(profile.directory)) == 1

    scheduler.pause()
    qtbot.wait(400)
    assert len(backup_files(profile.directory)) == 1, "no backups while locked"
    assert scheduler.back_up_now() is False
    scheduler.wait()


def test_rotation_keeps_the_newest(qtbot, profile):
    scheduler = BackupScheduler(keep=2)
    scheduler.resume(profile)
    for _ in range(3):
        with qtbot.waitSignal(scheduler.backup_made, timeout=20_000):
            scheduler.back_up_now()
    assert len(backup_files(profile.directory)) == 2


def test_backup_times_read_as_a_person_would_say_them():
    today = dt.date(2026, 11, 12)
    at = dt.datetime(2026, 11, 12, 14, 2).astimezone()
    assert when(at, today) == "Today at 14:02"
    assert when(at - dt.timedelta(days=1), today) == "Yesterday at 14:02"
    assert when(at - dt.timedelta(days=2), today) == "10 Nov 2026 at 14:02"


def test_worker_results_arrive_on_the_ui_thread(qtbot):
    owner = QTimer()  # any QObject
    pool = QThreadPool()
    seen: list = []
    done = Worker(
        lambda: QThread.currentThread(),
        owner=owner,
        done=lambda worker_thread: seen.append((worker_thread, QThread.currentThread())),
        failed=seen.append,
    ).start(pool)
    qtbot.waitUntil(lambda: bool(seen))
    pool.waitForDone()
    worker_thread, callback_thread = seen[0]
    assert worker_thread is not QApplication.instance().thread()
    assert callback_thread is QApplication.instance().thread()
    assert done is not None


def make_history(profile) -> tuple[Path, Path]:
    """Two backups: before and after "Ward 7 - R" was added; then that case is lost from the store."""
    older = make_backup(profile.directory, profile.key)
    time.sleep(0.002)  # backups are named to the microsecond
    profile.cases.create("Ward 7 - R", "Forensic")
    newer = make_backup(profile.directory, profile.key)
    with profile.store.atomic():
        profile.store.db.execute("DELETE FROM cases WHERE code = ?", ["Ward 7 - R"])
    assert profile.cases.find("Ward 7 - R") is None
    return older, newer


def test_the_restore_dialog_lists_backups_and_marks_a_damaged_one(qtbot, profile, screenshot):
    older, newer = make_history(profile)
    damaged = older.with_name("psi-desktop-20240101-093000-000000.db")
    damaged.write_bytes(b"\0" * 4096)
    dialog = RestoreDialog(profile.directory, profile.key)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=20_000)

    rows = [[dialog.table.item(r, c).text() for c in range(4)] for r in range(3)]
    assert [row[1:] for row in rows] == [
        ["2", "6", "Good"],
        ["1", "6", "Good"],
        ["\u2013", "\u2013", "Damaged: cannot be used"],
    ]
    made_at = dt.datetime.strptime(newer.name.split("-", 3)[3][:15], "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)
    assert rows[0][0] == when(made_at)
    assert rows[2][0] == moment(dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.UTC))
    assert "1 is damaged" in dialog.status_label.text()
    assert dialog.selected().path == newer
    dialog.table.selectRow(2)
    assert not dialog.restore_button.isEnabled(), "a damaged backup cannot be chosen"
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    screenshot(dialog, "restore-dialog")


def click_when_shown(button_text: str, shot=None) -> list:
    def click(box: QMessageBox) -> None:
        if shot:
            shot(box)
        (button,) = [b for b in box.buttons() if b.text() == button_text]
        button.click()

    return when_modal(QMessageBox, click)


def test_restoring_from_the_menu_brings_back_a_lost_case(qtbot, profile, open_window, screenshot):
    make_history(profile)
    window = open_window(profile)

    def choose_newest(dialog: RestoreDialog) -> None:
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=20_000)
        dialog.table.selectRow(0)
        confirm = click_when_shown("Restore", lambda box: screenshot(box, "restore-confirmation"))
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
        assert confirm, "a confirmation came first"
        assert "with 2 cases and 6 reflections" in confirm[0].text()

    when_modal(RestoreDialog, choose_newest)
    window.menu_actions["restore"].trigger()

    assert window.locked and profile.closed
    assert "is back in place" in window.lock_screen.note.text()
    screenshot(window, "lock-screen-after-restore")
    kept = list(profile.directory.glob(f"{STORE_FILE}.before-restore-*"))
    assert kept, "the store that was replaced is kept aside"
    unlock(qtbot, window)
    assert window.profile.cases.find("Ward 7 - R") is not None
    assert window.lock_screen.note.isHidden()


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_damaged_store_at_unlock_offers_a_backup(qtbot, profile, open_window, screenshot, damage):
    make_history(profile)
    directory = profile.directory
    profile.close()
    store = directory / STORE_FILE
    if damage == "truncated":
        with store.open("r+b") as f:
            f.truncate(store.stat().st_size // 3)
        damaged_bytes = store.read_bytes()
    else:
        for part in directory.glob(f"{STORE_FILE}*"):
            part.unlink()
    window = open_window(directory)

    offered: list = []

    def choose(box: QMessageBox) -> None:
        offered.append(box.text() + " " + box.informativeText())
        screenshot(box, f"damaged-store-message-{damage}")

        def pick(dialog: RestoreDialog) -> None:
            qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=20_000)
            dialog.table.selectRow(0)
            click_when_shown("Restore")
            qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

        when_modal(RestoreDialog, pick)
        (button,) = [b for b in box.buttons() if b.text() == "Choose a backup\u2026"]
        button.click()

    when_modal(QMessageBox, choose)
    screen = window.lock_screen
    qtbot.keyClicks(screen.passphrase_edit, "correct horse battery staple")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is back in place" in screen.note.text(), timeout=20_000)

    assert offered and ("damaged" in offered[0] or "missing" in offered[0])
    assert "psi-desktop restore" not in offered[0], "a button does that here"
    if damage == "truncated":
        (kept,) = directory.glob(f"{STORE_FILE}.before-restore-*")
        assert kept.read_bytes() == damaged_bytes, "the damaged file is kept as it was"
    unlock(qtbot, window)
    assert window.profile.cases.find("Ward 7 - R") is not None


def test_the_restore_dialog_lists_what_a_restore_set_aside(qtbot, profile, screenshot):
    older, _ = make_history(profile)
    directory, key = profile.directory, profile.key
    profile.close()
    from psi_desktop.services.backups import restore_backup

    restore_backup(directory, key, older)  # sets the store with "Ward 7 - R" deleted aside
    dialog = RestoreDialog(directory, key)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=20_000)
    rows = [[dialog.table.item(r, c).text() for c in range(4)] for r in range(3)]
    assert rows[2][1:] == ["1", "6", "Set aside by a restore"]
    assert "1 set of records put aside by earlier restores" in dialog.status_label.text()
    dialog.table.selectRow(2)
    assert dialog.restore_button.isEnabled(), "what a restore set aside can be put back"
    screenshot(dialog, "restore-dialog-with-set-aside")


@pytest.mark.parametrize("how", ["passphrase", "recovery key"])
def test_with_the_key_file_deleted_the_lock_screen_still_opens_the_records(
    qtbot, tmp_path, make_profile, open_window, how
):
    """RELIABILITY row 18 in the app: the backup's copy of the key file takes its place."""
    from psi_desktop.services.profile import create_profile, recovery_key_shown
    from psi_desktop.ui.profile_dialogs import RecoveryDialog

    directory = tmp_path / "lost-key"
    made = create_profile(directory, "correct horse battery staple")
    recovery_key_shown(directory)
    with made.profile as profile:
        profile.cases.create("Ward 8 - K")
        make_backup(directory, profile.key)
    (directory / "psi-desktop.key").unlink()
    window = open_window(directory)
    if how == "passphrase":
        unlock(qtbot, window)
    else:

        def recover(dialog: RecoveryDialog) -> None:
            dialog.key_edit.setText(made.recovery_key)
            dialog.fields.passphrase_edit.setText("a new passphrase for the ward")
            dialog.fields.again_edit.setText("a new passphrase for the ward")
            qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)

        when_modal(RecoveryDialog, recover)
        window.lock_screen.forgot_requested.emit()
        qtbot.waitUntil(lambda: not window.locked, timeout=20_000)
    assert window.profile.cases.find("Ward 8 - K") is not None
    assert (directory / "psi-desktop.key").exists()
