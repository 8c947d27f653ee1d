"""Item 7 in the export dialog: a weak bundle passphrase is refused with advice, a strong one exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from psi_desktop.ui.bundle_dialogs import ExportBundleDialog


class Chooser:
    def __init__(self, path: Path) -> None:
        self.path, self.asked = path, 0

    def save(self, parent, title, suggested, name_filter):
        self.asked += 1
        return self.path


@pytest.fixture
def dialog(session_of, qtbot, tmp_path: Path, make_profile):
    profile = make_profile(tmp_path / "sender", demo=True)
    chooser = Chooser(tmp_path / "out.psibundle")
    made = ExportBundleDialog(session_of(profile), chooser=chooser)
    qtbot.addWidget(made)
    made.show()
    made.chooser_for_test = chooser
    return made


def _type_twice(qtbot, dialog, text: str) -> None:
    for edit in (dialog.fields.passphrase_edit, dialog.fields.again_edit):
        edit.clear()
        qtbot.keyClicks(edit, text)


def test_a_weak_bundle_passphrase_is_refused_with_advice(qtbot, dialog, screenshot) -> None:
    _type_twice(qtbot, dialog, "password")
    hint = dialog.fields.strength_label.text()
    assert hint.startswith("Too easy to guess for a bundle"), hint
    dialog.export()
    assert dialog.error_label.isVisible()
    assert "too easy to guess for a bundle" in dialog.error_label.text()
    assert "top-10 common password" in dialog.error_label.text()  # zxcvbn's reason, in plain words
    assert dialog.chooser_for_test.asked == 0, "no file is asked for until the passphrase is strong"
    screenshot(dialog, "export-bundle-weak-passphrase")


def test_a_strong_bundle_passphrase_exports(qtbot, dialog) -> None:
    _type_twice(qtbot, dialog, "lantern orchard velvet quarry")
    assert dialog.fields.strength_label.text() == "Strong enough for a bundle."
    dialog.export()
    qtbot.waitUntil(lambda: dialog.chooser_for_test.path.exists() and not dialog.busy, timeout=20_000)
    assert dialog.chooser_for_test.asked == 1
