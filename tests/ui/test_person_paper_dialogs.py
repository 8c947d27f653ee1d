"""The person form and the summary to share back, from the window: the topic checklist in plain words,
the label, the identifiable-information check before writing, and the PDFs they make (issue 15 items 3, 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from psi_desktop.domain import person_paper, person_view
from psi_desktop.ui.export_dialogs import TOPICS_TITLE, PdfExportDialog
from tests.ui.conftest import when_modal
from tests.ui.test_bundle_dialogs import FakeChooser
from tests.ui.test_export_dialogs import finish

DEMO = "Demo - Ward 3"
FEEDBACK_FORM_REFLECTION = "1635996e-d61f-4058-808f-ac708a6327e9"  # signed; the person's view from their form


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_summary_dialog_offers_every_topic_in_plain_words_none_ticked(
    session_of, qtbot, profile, tmp_path, screenshot
):
    import uuid

    reflection = profile.reflections.get(uuid.UUID(FEEDBACK_FORM_REFLECTION))
    framework = profile.reflections.framework_of(reflection)
    out = tmp_path / "summary.pdf"
    dialog = PdfExportDialog(
        session_of(profile), "summary", reflection_id=reflection.id, chooser=FakeChooser(out), opener=lambda u: True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.topics_box.isVisible() and dialog.topics_box.title() == TOPICS_TITLE
    assert [c.text() for c in dialog.topic_checks.values()] == [person_paper.topic(d) for d in framework.dimensions]
    assert not any(c.isChecked() for c in dialog.topic_checks.values()), "the practitioner chooses: none by default"
    assert not any(d.label in c.text() for d, c in zip(framework.dimensions, dialog.topic_checks.values(), strict=True))
    assert dialog.label_edit.isVisible() and not dialog.private_check.isVisible()
    dialog.topic_checks["power.choice"].setChecked(True)
    dialog.topic_checks["safety.trust"].setChecked(True)
    qtbot.keyClicks(dialog.label_edit, "J")
    screenshot(dialog, "summary-dialog")
    seen: dict = {}
    finish(qtbot, dialog, seen)
    assert seen["title"] == "The PDF is ready", seen
    text = text_of(out)
    assert person_paper.TOPICS["power.choice"] in text and person_paper.TOPICS["safety.trust"] in text
    assert person_paper.TOPICS["power.protective"] not in text, "only what was ticked"
    assert "For: J" in text and DEMO not in text
    assert len(PdfReader(out).pages) == 1


def test_the_summarys_label_is_checked_before_anything_is_written(session_of, qtbot, profile, tmp_path, screenshot):
    import uuid

    out = tmp_path / "summary.pdf"
    chooser = FakeChooser(out)
    dialog = PdfExportDialog(
        session_of(profile),
        "summary",
        reflection_id=uuid.UUID(FEEDBACK_FORM_REFLECTION),
        chooser=chooser,
        opener=lambda u: True,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.label_edit, "Mr Jones")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.warning_page
    findings = [dialog.finding_list.item(i).text() for i in range(dialog.finding_list.count())]
    screenshot(dialog, "summary-identifiable-warning")
    assert findings == ["the name or initials to print: looks like a title and a name"], findings
    assert "Jones" not in " ".join(findings), "where, never the text itself"
    qtbot.mouseClick(dialog.fix_button, Qt.MouseButton.LeftButton)
    assert not out.exists() and chooser.asked == []
    # The label is typed in this dialog, so "Go back and fix" goes back to it, not out of the dialog.
    assert dialog.isVisible() and dialog.pages.currentWidget() is dialog.options_page
    assert dialog.focusWidget() is dialog.label_edit and dialog.label_edit.selectedText() == "Mr Jones"
    qtbot.keyClicks(dialog.label_edit, "J")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=30000)
    assert chooser.asked and out.exists()


def test_go_back_and_fix_leaves_the_dialog_when_the_text_to_fix_is_elsewhere(session_of, qtbot, profile):
    import dataclasses
    import uuid

    reflection = profile.reflections.get(uuid.UUID(FEEDBACK_FORM_REFLECTION))
    (action,) = profile.reflections.actions_of(reflection)
    profile.store.actions.save(dataclasses.replace(action, text="Ask Dr Patel to explain the leave."))
    dialog = PdfExportDialog(session_of(profile), "summary", reflection_id=reflection.id, chooser=FakeChooser(Path()))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert [dialog.finding_list.item(i).text() for i in range(dialog.finding_list.count())] == [
        "action 1: looks like a title and a name"
    ]
    qtbot.mouseClick(dialog.fix_button, Qt.MouseButton.LeftButton)
    assert dialog.back_to_fix and not dialog.isVisible()


def test_the_person_form_is_printed_from_the_file_menu(qtbot, profile, open_window, tmp_path, screenshot):
    window = open_window(profile)
    out = tmp_path / "form"
    window.file_chooser = FakeChooser(out)
    window.open_url = lambda url: True
    seen: dict = {}

    def act(dialog: PdfExportDialog) -> None:
        seen["shown"] = (dialog.label_edit.isVisible(), dialog.topics_box.isVisible(), dialog.private_check.isVisible())
        qtbot.keyClicks(dialog.label_edit, "Sam")
        screenshot(dialog, "person-form-dialog")
        finish(qtbot, dialog, seen)

    when_modal(PdfExportDialog, act)
    window.menu_actions["person_form"].trigger()
    assert seen["shown"] == (True, False, False)
    assert seen["title"] == "The PDF is ready", seen
    assert window.file_chooser.asked[0][1].startswith("Person form "), "no case code in the name offered"
    text = text_of(tmp_path / "form.pdf")
    assert person_view.TITLE in text and "For: Sam" in text and DEMO not in text


def test_the_summary_is_reached_from_the_reflection_menu(qtbot, profile, open_window, tmp_path):
    import uuid

    window = open_window(profile)
    assert not window.menu_actions["share_back"].isEnabled(), "only while a reflection is open"
    window.open_reflection(uuid.UUID(FEEDBACK_FORM_REFLECTION))
    assert window.menu_actions["share_back"].isEnabled()
    seen: dict = {}

    def act(dialog: PdfExportDialog) -> None:
        seen["kind"], seen["reflection"] = dialog.kind, str(dialog.reflection_id)
        dialog.reject()

    when_modal(PdfExportDialog, act)
    window.menu_actions["share_back"].trigger()
    assert seen == {"kind": "summary", "reflection": FEEDBACK_FORM_REFLECTION}
