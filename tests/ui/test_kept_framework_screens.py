"""Records made with a framework a bundle brought: imported in the window, viewed read-only, charted, archived."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from psi_desktop.domain.model import Perspective
from psi_desktop.ui.bundle_dialogs import ImportPreviewDialog
from tests.ui.conftest import when_modal
from tests.ui.test_bundle_dialogs import FakeChooser
from tests.unit.test_kept_frameworks import DEMO, VOICE, VOICE_PROMPT, foreign_bundle


def test_an_imported_reflection_of_a_kept_framework_opens_read_only_charts_and_archives(
    qtbot, tmp_path: Path, make_profile, open_window, screenshot
):
    bundle, _ = foreign_bundle(tmp_path, make_profile)
    profile = make_profile(tmp_path / "receiver")
    window = open_window(profile)
    window.resize(1200, 800)
    window.file_chooser = FakeChooser(bundle)
    summary: list[str] = []

    def act(dialog: ImportPreviewDialog) -> None:
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
        summary.append(dialog.summary_label.text())
        screenshot(dialog, "import-preview-new-framework")
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    when_modal(ImportPreviewDialog, act)
    window.menu_actions["import_bundle"].trigger()
    assert summary and summary[0].startswith("1 framework new to this profile, kept with the records")
    case = profile.cases.find(DEMO)
    assert case is not None

    window.case_list.select(case.id)
    page = window.case_page
    signed = next(r for r in range(page.model.rowCount()) if page.model.index(r, 1).data() == "Signed")
    reflection_id = page.model.reflection_at(signed).id
    window.open_reflection(reflection_id)
    screen = window.reflection_screen
    assert screen is not None and screen.read_only
    assert screen.framework.key == ("psi", 2)
    screen.go_to("power")
    row = screen.rating_rows[(Perspective.PRACTITIONER, VOICE["id"])]
    assert [b.isChecked() for b in row.buttons].index(True) == 1
    field = screen.prompt_fields[VOICE_PROMPT["id"]]
    assert "ward trial" in field.marker.text() and "roposed" in field.marker.text()
    screen.pages["power"].ensureWidgetVisible(row)
    qtbot.wait(20)
    screenshot(window, "kept-framework-walkthrough-power")
    window.close_reflection()

    page.show_charts()
    charts = page.charts
    qtbot.waitUntil(lambda: charts.canvas is not None and charts.stack.currentWidget() is charts.canvas, timeout=20_000)
    qtbot.wait(20)
    screenshot(window, "kept-framework-charts")

    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert profile.cases.find(DEMO).archived
