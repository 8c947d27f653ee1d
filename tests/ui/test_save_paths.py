"""Row 17 in the window: a save path inside the profile, or a link, is refused with a message; nothing is written."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from psi_desktop.charts.data import ChartKind
from psi_desktop.ui.bundle_dialogs import ExportBundleDialog
from psi_desktop.ui.charts_screen import ChartsScreen
from psi_desktop.ui.export_dialogs import PdfExportDialog
from tests.faults._faultlib import KEY, STORE, snapshot
from tests.ui.test_bundle_dialogs import BUNDLE_PASSPHRASE, FakeChooser, _type

DEMO = "Demo - Ward 3"
# The window reads the open store, and SQLite's readers mark their place in the -shm index: that file
# changes by reading alone. Every other file must stay byte for byte; the -shm must not become an output.
SHM = STORE + "-shm"


def profile_bytes(directory: Path) -> dict[str, str]:
    shm = (directory / SHM).read_bytes()
    assert not shm.startswith((b"%PDF", b"PSIB", b"{", b"\x89PNG")), "an output was written over the -shm"
    return snapshot(directory, skip=[SHM])


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


def pdf_dialog(session_of, qtbot, profile, chosen: Path) -> PdfExportDialog:
    dialog = PdfExportDialog(
        session_of(profile), "case", case_id=profile.cases.find(DEMO).id, chooser=FakeChooser(chosen)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.page_size.setCurrentText("Letter")
    return dialog


def export_pdf(qtbot, dialog: PdfExportDialog) -> None:
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    if dialog.pages.currentWidget() is dialog.warning_page:
        dialog.anyway_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)


def planted_link(tmp_path: Path, target: Path, name: str) -> Path:
    folder = tmp_path / "documents"
    folder.mkdir(exist_ok=True)
    link = folder / name
    link.symlink_to(target)
    return link


@pytest.mark.parametrize("where", ["key file", "store", "link to the key file"])
def test_the_pdf_dialog_shows_why_a_profile_path_is_refused_and_keeps_the_choices(
    session_of, qtbot, profile, tmp_path, screenshot, where
):
    directory = profile.directory
    chosen = {
        "key file": directory / KEY,  # the dialog makes it psi-desktop.pdf, still in the profile's folder
        "store": directory / STORE,
        "link to the key file": planted_link(tmp_path, directory / KEY, "report.pdf"),
    }[where]
    before = profile_bytes(directory)
    dialog = pdf_dialog(session_of, qtbot, profile, chosen)
    export_pdf(qtbot, dialog)
    screenshot(dialog, f"pdf-refused-{where.replace(' ', '-')}")
    assert dialog.error_label.isVisible()
    words = "(a link)" if where.startswith("link") else "PSI Desktop's own data folder"
    assert words in dialog.error_label.text() and "nothing was written" in dialog.error_label.text()
    assert dialog.pages.currentWidget() is dialog.options_page and dialog.export_button.isVisible()
    assert dialog.page_size.currentText() == "Letter", "what the user chose is kept"
    assert dialog.written is None and dialog.isVisible()
    assert profile_bytes(directory) == before
    assert not (directory / "psi-desktop.pdf").exists()
    if where.startswith("link"):
        assert chosen.is_symlink()


def test_the_pdf_dialog_replaces_a_file_the_user_confirmed_but_not_one_it_renamed(
    session_of, qtbot, profile, tmp_path, screenshot
):
    mine = tmp_path / "report.pdf"
    mine.write_bytes(b"last week's report")
    dialog = pdf_dialog(session_of, qtbot, profile, mine)  # the save dialog asked "replace it?" and the user said yes
    export_pdf(qtbot, dialog)
    assert dialog.written == mine, dialog.error_label.text()
    assert mine.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600

    typed = tmp_path / "report"  # typed without .pdf: the save dialog never asked about report.pdf
    again = pdf_dialog(session_of, qtbot, profile, typed)
    written = mine.read_bytes()
    export_pdf(qtbot, again)
    screenshot(again, "pdf-refused-exists")
    assert "report.pdf already exists" in again.error_label.text()
    assert "--force" not in again.error_label.text(), "words for the window, not the command line"
    assert again.written is None and mine.read_bytes() == written


@pytest.mark.parametrize("where", ["key file", "link to the store"])
def test_the_bundle_dialog_shows_why_a_profile_path_is_refused_and_keeps_the_choices(
    session_of, qtbot, profile, tmp_path, screenshot, where
):
    directory = profile.directory
    chosen = {
        "key file": directory / KEY,
        "link to the store": planted_link(tmp_path, directory / STORE, "cases.psibundle"),
    }[where]
    before = profile_bytes(directory)
    dialog = ExportBundleDialog(session_of(profile), chooser=FakeChooser(chosen))
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog.fields.passphrase_edit, BUNDLE_PASSPHRASE)
    _type(qtbot, dialog.fields.again_edit, BUNDLE_PASSPHRASE)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.error_label.isVisible(), timeout=30_000)
    screenshot(dialog, f"bundle-refused-{where.replace(' ', '-')}")
    words = "(a link)" if where.startswith("link") else "PSI Desktop's own data folder"
    assert words in dialog.error_label.text() and "nothing was written" in dialog.error_label.text()
    assert dialog.isVisible() and dialog.written is None
    assert dialog.fields.passphrase() == BUNDLE_PASSPHRASE, "what the user typed is kept"
    assert dialog.export_button.isEnabled()
    assert profile_bytes(directory) == before
    assert not (directory / "psi-desktop.psibundle").exists()


def test_the_chart_export_says_why_a_profile_path_is_refused(
    session_of, qtbot, profile, tmp_path, monkeypatch, screenshot
):
    screen = ChartsScreen(session_of(profile), profile.cases.find(DEMO).id)
    qtbot.addWidget(screen)
    screen.resize(1100, 720)
    screen.show()
    qtbot.waitUntil(lambda: screen.canvas is not None and screen.stack.currentWidget() is screen.canvas, timeout=20_000)
    screen.choose(ChartKind.RADAR)
    before = profile_bytes(profile.directory)
    link = planted_link(tmp_path, profile.directory / KEY, "radar.png")
    for chosen in (profile.directory / KEY, link):
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, c=chosen, **k: (str(c), "PNG image"))
        screen.export_button.click()
        qtbot.waitUntil(lambda: screen.findChild(QMessageBox) is not None, timeout=20_000)
        box = screen.findChild(QMessageBox)
        screenshot(box, "chart-refused")
        assert "nothing was written" in box.text()
        assert ("(a link)" if chosen == link else "PSI Desktop's own data folder") in box.text()
        box.close()
        box.setParent(None)
        box.deleteLater()
        assert screen.export_button.isEnabled()
    assert profile_bytes(profile.directory) == before
    assert link.is_symlink()
