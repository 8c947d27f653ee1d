"""Bundles from the File menu: export, the import preview, problems, passphrases and the conflicts view."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from psi_desktop.services.bundles import export_bundle
from psi_desktop.ui.bundle_dialogs import WRONG_PASSPHRASE, ExportBundleDialog, ImportPreviewDialog
from psi_desktop.ui.conflicts_dialog import ConflictsDialog
from tests.ui.conftest import when_modal

BUNDLE_PASSPHRASE = "a bundle passphrase"
DEMO = "Demo - Ward 3"
OTHER = "Ward 5 - K"


class FakeChooser:
    """Answers file questions at once, and remembers what was asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.asked: list[tuple[str, str]] = []

    def save(self, parent, title, suggested, name_filter):
        self.asked.append(("save", Path(suggested).name))
        return self.path

    def open(self, parent, title, name_filter):
        self.asked.append(("open", name_filter))
        return self.path


@pytest.fixture
def sender(tmp_path: Path, make_profile):
    made = make_profile(tmp_path / "sender", demo=True)
    made.cases.create(OTHER, "Community team")
    return made


@pytest.fixture
def receiver(tmp_path: Path, make_profile):
    made = make_profile(tmp_path / "receiver")
    made.cases.create(OTHER, "Crisis team")  # the same code, another case: the incoming one is renamed
    return made


def _type(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def export_through_the_dialog(qtbot, window, out: Path, screenshot=None) -> Path:
    window.file_chooser = FakeChooser(out)
    seen = []

    def act(dialog: ExportBundleDialog) -> None:
        seen.append(dialog.export_button.isEnabled())
        _type(qtbot, dialog.fields.passphrase_edit, BUNDLE_PASSPHRASE)
        _type(qtbot, dialog.fields.again_edit, BUNDLE_PASSPHRASE)
        if screenshot:
            screenshot(dialog, "export-bundle-dialog")
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    when_modal(ExportBundleDialog, act)
    window.menu_actions["export_bundle"].trigger()
    assert seen == [True]
    assert window.file_chooser.asked[0][1].endswith(".psibundle")
    return out


def test_export_then_import_into_a_second_profile_previews_then_imports(
    qtbot, sender, receiver, open_window, tmp_path, screenshot
):
    window = open_window(sender)
    (tmp_path / "out").mkdir()
    out = export_through_the_dialog(qtbot, window, tmp_path / "out" / "records", screenshot)
    written = tmp_path / "out" / "records.psibundle"
    assert written.exists() and not out.exists(), "the .psibundle ending is added"
    assert written.read_bytes().startswith(b"PSIBNDL1")
    assert "Bundle saved with 2 cases" in window.statusBar().currentMessage()

    other = open_window(receiver)
    other.file_chooser = FakeChooser(written)
    shown: dict = {}

    def act(dialog: ImportPreviewDialog) -> None:
        assert dialog.pages.currentWidget() is dialog.passphrase_page
        _type(qtbot, dialog.passphrase_edit, BUNDLE_PASSPHRASE)
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
        shown["counts"] = dialog.counts_label.text()
        shown["summary"] = dialog.summary_label.text()
        table = dialog.table
        shown["rows"] = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
        shown["import_visible"] = dialog.import_button.isVisible()
        screenshot(dialog, "import-preview")
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    when_modal(ImportPreviewDialog, act)
    other.menu_actions["import_bundle"].trigger()

    assert shown["counts"] == "15 to add or update \u00b7 0 already here \u00b7 0 conflicts"
    assert shown["summary"] == "2 cases to add; 6 reflections to add; 7 actions to add."
    assert shown["import_visible"]
    rows = shown["rows"]
    assert ("Case", DEMO, "Will be added") in rows
    assert ("Case", OTHER, f"Added as \u201c{OTHER} (2)\u201d: you already use that code") in rows
    assert sum(kind == "Reflection" and what == "Will be added" for kind, _, what in rows) == 6
    assert any(label.startswith("Session of 18 Aug 2026") for _, label, _ in rows)

    codes = [s.case.code for s in receiver.cases.summaries()]
    assert sorted(codes) == sorted([DEMO, OTHER, f"{OTHER} (2)"])
    visible = [
        other.case_list.table.model().index(r, 0).data() for r in range(other.case_list.table.model().rowCount())
    ]
    assert any(DEMO in str(v) for v in visible), "the case list is refreshed"
    assert (
        other.statusBar().currentMessage() == "Imported records.psibundle: 2 cases, 6 reflections and 7 actions added."
    )


def test_export_only_ticked_cases_as_plain_json_warns_first(qtbot, sender, open_window, tmp_path, screenshot):
    window = open_window(sender)
    out = tmp_path / "plain.psi.json"
    window.file_chooser = FakeChooser(out)
    seen = {}

    def act(dialog: ExportBundleDialog) -> None:
        dialog.some_radio.click()
        seen["nothing_ticked"] = dialog.export_button.isEnabled()
        dialog.set_case_ticked(sender.cases.find(OTHER).id)
        seen["ticked"] = dialog.export_button.isEnabled()
        dialog.plain_radio.click()
        seen["warning"] = dialog.plain_warning.isVisible() and not dialog.fields.isVisible()
        screenshot(dialog, "export-bundle-plain-warning")
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    when_modal(ExportBundleDialog, act)
    window.menu_actions["export_bundle"].trigger()
    assert seen == {"nothing_ticked": False, "ticked": True, "warning": True}
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [c["code"] for c in doc["cases"]] == [OTHER]


def test_export_refuses_a_short_or_mismatched_passphrase(session_of, qtbot, sender, tmp_path):
    chooser = FakeChooser(tmp_path / "x.psibundle")
    dialog = ExportBundleDialog(session_of(sender), chooser=chooser)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog.fields.passphrase_edit, "short")
    _type(qtbot, dialog.fields.again_edit, "short")
    dialog.export()
    assert "at least 8 characters" in dialog.error_label.text()
    _type(qtbot, dialog.fields.passphrase_edit, BUNDLE_PASSPHRASE)
    _type(qtbot, dialog.fields.again_edit, BUNDLE_PASSPHRASE + "x")
    dialog.export()
    assert "not the same" in dialog.error_label.text()
    assert chooser.asked == [], "no file is asked for until the passphrase is right"


def test_a_tampered_signed_reflection_lists_its_path_and_imports_nothing(
    session_of, qtbot, sender, receiver, tmp_path, screenshot
):
    plain = tmp_path / "tampered.psi.json"
    export_bundle(sender, plain)
    doc = json.loads(plain.read_text(encoding="utf-8"))
    assert doc["reflections"][0]["status"] == "signed"
    doc["reflections"][0]["answers"]["context"] += " Changed later."
    doc["cases"][0]["code"] = ""  # a second problem: every problem is listed, not just the first
    plain.write_text(json.dumps(doc), encoding="utf-8")
    before = [s.case.code for s in receiver.cases.summaries()]

    dialog = ImportPreviewDialog(session_of(receiver), plain)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.problems_page, timeout=20_000)
    problems = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert any(p.startswith("reflections[0].signature.content_sha256") for p in problems), problems
    assert any(p.startswith("cases[0].code") for p in problems), problems
    assert dialog.title.text() == "This bundle cannot be imported"
    assert "Nothing has been imported" in dialog.problem_after.text()
    assert not dialog.import_button.isVisible()
    assert dialog.cancel_button.text() == "Close"
    screenshot(dialog, "import-preview-invalid")
    assert [s.case.code for s in receiver.cases.summaries()] == before


def test_a_wrong_passphrase_asks_again_and_a_damaged_bundle_says_so(
    session_of, qtbot, sender, receiver, tmp_path, screenshot
):
    bundle = tmp_path / "records.psibundle"
    export_bundle(sender, bundle, passphrase=BUNDLE_PASSPHRASE)

    dialog = ImportPreviewDialog(session_of(receiver), bundle)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.pages.currentWidget() is dialog.passphrase_page
    _type(qtbot, dialog.passphrase_edit, "not the passphrase")
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.passphrase_error.isVisible(), timeout=20_000)
    assert dialog.passphrase_error.text() == f"\u26a0 {WRONG_PASSPHRASE}"
    assert dialog.pages.currentWidget() is dialog.passphrase_page
    screenshot(dialog, "import-wrong-passphrase")
    dialog.reject()

    damaged = tmp_path / "damaged.psibundle"
    data = bytearray(bundle.read_bytes())
    data[-5] ^= 0xFF
    damaged.write_bytes(bytes(data))
    dialog = ImportPreviewDialog(session_of(receiver), damaged)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog.passphrase_edit, BUNDLE_PASSPHRASE)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.problems_page, timeout=20_000)
    assert dialog.title.text() == "This bundle is damaged"
    assert "damaged" in dialog.problem_text.text()
    assert WRONG_PASSPHRASE not in dialog.problem_text.text()
    assert [s.case.code for s in receiver.cases.summaries()] == [OTHER]


def test_a_bundle_already_imported_says_everything_is_already_here(session_of, qtbot, sender, tmp_path):
    bundle = tmp_path / "mine.psi.json"
    export_bundle(sender, bundle)
    dialog = ImportPreviewDialog(session_of(sender), bundle)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.title.text() == "Everything in this bundle is already here"
    assert dialog.counts_label.text() == "0 to add or update \u00b7 15 already here \u00b7 0 conflicts"
    assert not dialog.import_button.isVisible()
    assert dialog.cancel_button.text() == "Close"


def test_a_changed_draft_is_kept_as_a_conflict_and_shown_in_the_conflicts_view(
    qtbot, sender, open_window, tmp_path, screenshot
):
    bundle = tmp_path / "mine.psi.json"
    export_bundle(sender, bundle)
    case = sender.cases.find(DEMO)
    draft = next(r for r in sender.cases.reflections(case.id) if not r.signed)
    sender.reflections.update(replace(draft, answers={**draft.answers, "context": "Written again since."}))

    window = open_window(sender)
    window.file_chooser = FakeChooser(bundle)
    shown = {}

    def act(dialog: ImportPreviewDialog) -> None:
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
        shown["counts"] = dialog.counts_label.text()
        shown["conflict_rows"] = [
            dialog.table.item(r, 0).text()
            for r in range(dialog.table.rowCount())
            if dialog.table.item(r, 2).text() == "Kept beside yours as a conflict"
        ]
        shown["note"] = dialog.conflict_note.isVisible()
        screenshot(dialog, "import-preview-conflict")
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    when_modal(ImportPreviewDialog, act)
    window.menu_actions["import_bundle"].trigger()
    assert shown == {
        "counts": "0 to add or update \u00b7 14 already here \u00b7 1 conflict",
        "conflict_rows": ["Reflection"],
        "note": True,
    }
    assert sender.reflections.get(draft.id).answers["context"] == "Written again since.", "yours is kept"
    assert "1 conflict kept beside yours" in window.statusBar().currentMessage()

    rows = {}

    def look(dialog: ConflictsDialog) -> None:
        table = dialog.table
        rows["rows"] = [tuple(table.item(r, c).text() for c in range(4)) for r in range(table.rowCount())]
        screenshot(dialog, "conflicts-view")
        dialog.reject()

    when_modal(ConflictsDialog, look)
    window.menu_actions["conflicts"].trigger()
    ((kind, which, _imported, source),) = rows["rows"]
    assert (kind, which, source) == ("Reflection", f"Session of 17 Nov 2026 \u00b7 {DEMO}", "From mine.psi.json")


def test_a_bundle_with_more_problems_than_listed_says_how_many_in_all(
    session_of, qtbot, sender, receiver, tmp_path, screenshot
):
    from psi_desktop.services.bundle_format import MAX_PROBLEMS

    plain = tmp_path / "many.psi.json"
    export_bundle(sender, plain)
    doc = json.loads(plain.read_text(encoding="utf-8"))
    doc["actions"] = [{**doc["actions"][0], "id": f"action {i}"} for i in range(MAX_PROBLEMS + 50)]
    plain.write_text(json.dumps(doc), encoding="utf-8")

    dialog = ImportPreviewDialog(session_of(receiver), plain)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.problems_page, timeout=20_000)
    assert dialog.problem_list.count() == MAX_PROBLEMS
    assert f"found {MAX_PROBLEMS + 50} problems. The first {MAX_PROBLEMS} are listed" in dialog.problem_text.text()
    screenshot(dialog, "import-preview-many-problems")
