"""PDF exports from the window: a case report, a note with the identifiable check, and the portfolio pack."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from psi_desktop.ui.export_dialogs import (
    DRAFTS_TICK,
    NOT_WRITTEN_NOTE,
    PRIVATE_TICK,
    STARTING_TITLE,
    WRITTEN_NOTE,
    PdfExportDialog,
    PortfolioDialog,
)
from tests.ui.conftest import when_modal
from tests.ui.test_bundle_dialogs import FakeChooser

DEMO = "Demo - Ward 3"


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


def finish(qtbot, dialog: PdfExportDialog, seen: dict, screenshot=None, name: str = "") -> None:
    """Export (anyway, when warned), wait for the PDF, press Open PDF and Show in folder, close."""
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    if dialog.pages.currentWidget() is dialog.warning_page:
        seen["warned"] = [dialog.finding_list.item(i).text() for i in range(dialog.finding_list.count())]
        dialog.anyway_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is not dialog.working_page, timeout=30000)
    seen["title"] = dialog.title.text()
    seen["error"] = dialog.error_label.text() if dialog.error_label.isVisible() else ""
    if screenshot:
        screenshot(dialog, name)
    if dialog.written is not None:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    dialog.reject()


def test_the_case_report_is_exported_from_the_case_page_and_opened(qtbot, profile, open_window, tmp_path, screenshot):
    window = open_window(profile)
    window.case_list.select(profile.cases.find(DEMO).id)
    out = tmp_path / "report"
    window.file_chooser = FakeChooser(out)
    opened = []
    window.open_url = lambda url: opened.append(url.toLocalFile()) or True
    seen: dict = {}

    def act(dialog: PdfExportDialog) -> None:
        seen["private_shown"] = dialog.private_check.isVisible()
        screenshot(dialog, "pdf-export-dialog-case")
        finish(qtbot, dialog, seen, screenshot, "pdf-export-done")

    when_modal(PdfExportDialog, act)
    qtbot.mouseClick(window.case_page.export_pdf_button, Qt.MouseButton.LeftButton)
    assert seen["title"] == "The PDF is ready", seen
    written = tmp_path / "report.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert opened == [str(written), str(tmp_path)]
    assert seen["private_shown"] is False, "a case report never prints the private answers"
    assert "PDF saved" in window.statusBar().currentMessage()


def test_the_case_report_includes_drafts_only_when_ticked(session_of, qtbot, profile, tmp_path, screenshot):
    from pypdf import PdfReader

    case = profile.cases.find(DEMO)
    session = session_of(profile)
    texts = {}
    for ticked in (False, True):
        out = tmp_path / f"report-{ticked}"
        dialog = PdfExportDialog(session, "case", case_id=case.id, chooser=FakeChooser(out), opener=lambda url: True)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.drafts_check.isVisible() and dialog.drafts_check.text() == DRAFTS_TICK
        assert not dialog.drafts_check.isChecked()  # off unless ticked
        dialog.drafts_check.setChecked(ticked)
        if ticked:
            screenshot(dialog, "pdf-export-dialog-case-drafts")
        finish(qtbot, dialog, {})
        pdf = out.with_suffix(".pdf")
        texts[ticked] = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Drafts left out." in texts[False] and "17 November 2026 (draft)" not in texts[False]
    assert "Includes drafts." in texts[True] and "17 November 2026 (draft)" in texts[True]
    note = PdfExportDialog(session, "note", reflection_id=profile.cases.reflections(case.id)[0].id)
    qtbot.addWidget(note)
    note.show()
    assert not note.drafts_check.isVisible()  # a note is of one reflection, marked DRAFT when it is one


def test_something_identifying_is_shown_with_where_and_go_back_writes_nothing(
    qtbot, profile, open_window, tmp_path, screenshot
):
    case = profile.cases.find(DEMO)
    draft = next(r for r in profile.cases.reflections(case.id) if not r.signed)
    profile.reflections.update(replace(draft, answers={**draft.answers, "context": "NHS number 943 476 5919 noted."}))
    window = open_window(profile)
    window.open_reflection(draft.id)
    out = tmp_path / "note.pdf"
    window.file_chooser = FakeChooser(out)
    seen: dict = {}

    def act(dialog: PdfExportDialog) -> None:
        seen["private"] = (dialog.private_check.isVisible(), dialog.private_check.isChecked())
        screenshot(dialog, "pdf-export-dialog-note")
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        seen["page"] = dialog.pages.currentWidget() is dialog.warning_page
        seen["findings"] = [dialog.finding_list.item(i).text() for i in range(dialog.finding_list.count())]
        seen["buttons"] = [b.text() for b in (dialog.fix_button, dialog.anyway_button) if b.isVisible()]
        screenshot(dialog, "pdf-identifiable-warning")
        if seen["page"]:
            qtbot.mouseClick(dialog.fix_button, Qt.MouseButton.LeftButton)
        else:
            qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
            dialog.reject()

    when_modal(PdfExportDialog, act)
    qtbot.mouseClick(window.reflection_screen.export_pdf_button, Qt.MouseButton.LeftButton)
    assert seen["private"] == (True, False), f"{PRIVATE_TICK} is offered, and off"
    assert seen["page"]
    assert seen["buttons"] == ["&Go back and fix", "Export &anyway\u2026"]
    assert any("17 Nov 2026" in f and "looks like" in f for f in seen["findings"]), seen["findings"]
    assert not any("943 476" in f for f in seen["findings"]), "where, never the text itself"
    assert not out.exists() and window.file_chooser.asked == []
    assert "Nothing was exported" in window.statusBar().currentMessage()

    # Export anyway writes it; Ctrl+E reaches the same dialog.
    def act_anyway(dialog: PdfExportDialog) -> None:
        finish(qtbot, dialog, seen)

    window.open_url = lambda url: True
    when_modal(PdfExportDialog, act_anyway)
    window.menu_actions["export_pdf"].trigger()
    assert seen["title"] == "The PDF is ready", seen
    assert out.read_bytes().startswith(b"%PDF")


def test_the_portfolio_pack_forms_are_written_by_the_practitioner_then_exported(
    session_of, qtbot, profile, tmp_path, screenshot
):
    out = tmp_path / "pack.pdf"
    dialog = PortfolioDialog(session_of(profile), chooser=FakeChooser(out), opener=lambda url: True)
    qtbot.addWidget(dialog)
    dialog.resize(820, 760)
    dialog.show()
    screenshot(dialog, "portfolio-choose")
    assert not dialog.link_check.isChecked(), "accounts name no case or date unless asked"
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.forms_page, dialog.error_label.text()
    assert len(dialog.forms) == 5, "one account per signed reflection; the draft is left out"
    assert "1 reflection of the period is not signed yet" in dialog.count_label.text()
    first = dialog.forms[0]
    assert [edit.toPlainText() for edit in first.edits] == ["", "", "", ""], "PSI Desktop writes no answer"
    assert first.marker.text() == NOT_WRITTEN_NOTE
    nature = first.starting[0]
    assert nature.isVisibleTo(first) and STARTING_TITLE in [label.text() for label in nature.findChildren(QLabel)]

    # The practitioner's own words from the reflection go in only when asked, and stay theirs to edit.
    qtbot.mouseClick(nature.copy_button, Qt.MouseButton.LeftButton)
    context = profile.cases.reflections(profile.cases.find(DEMO).id)[0].answers["context"]
    assert first.edits[0].toPlainText() == context.strip()
    first.edits[1].setPlainText("I learned to ask first.")
    assert first.marker.text() == WRITTEN_NOTE
    assert "Written so far: 1 of the 5 here" in dialog.count_label.text()
    dialog.partner_edit.setText("B. Supervisor")
    screenshot(dialog, "portfolio-forms")
    screenshot(first, "portfolio-account-written")
    screenshot(dialog.forms[1], "portfolio-account-not-written")
    seen: dict = {}

    when_modal(PdfExportDialog, lambda d: finish(qtbot, d, seen))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert seen["title"] == "The PDF is ready", seen
    assert dialog.draft.accounts[0].learned == "I learned to ask first."
    assert dialog.draft.discussion.partner_name == "B. Supervisor"
    assert dialog.draft.discussion.date is None, "a discussion date nobody chose is not filled in"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert "I learned to ask first." in text and "Reflective account 2" not in text
    assert dialog.written == out


def test_cancel_while_exporting_stops_it_and_writes_nothing(session_of, qtbot, profile, tmp_path):
    out = tmp_path / "cancelled.pdf"
    case = profile.cases.find(DEMO)
    dialog = PdfExportDialog(
        session_of(profile), "case", case_id=case.id, chooser=FakeChooser(out), opener=lambda url: True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._cancel.set()
    dialog.choose_and_export()
    dialog._cancel.set()  # as if Cancel were pressed straight away
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    assert "cancelled" in dialog.error_label.text()
    assert not out.exists()
