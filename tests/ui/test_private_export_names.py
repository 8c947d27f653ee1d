"""The file name offered for a PDF says "(private)" exactly when it holds the "For me" answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from psi_desktop.services import exports
from psi_desktop.ui.export_dialogs import PdfExportDialog
from tests.ui.test_bundle_dialogs import FakeChooser

DEMO = "Demo - Ward 3"


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


def offered(qtbot, dialog: PdfExportDialog, chooser: FakeChooser) -> str:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose_and_export()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)
    assert dialog.written is not None, dialog.error_label.text()
    return chooser.asked[-1][1]


@pytest.mark.parametrize("private", [False, True])
def test_the_note_s_name_says_private_when_the_answers_are_in(session_of, qtbot, profile, tmp_path, private):
    reflection = profile.cases.reflections(profile.cases.find(DEMO).id)[0]
    chooser = FakeChooser(tmp_path / "note.pdf")
    dialog = PdfExportDialog(
        session_of(profile), "note", reflection_id=reflection.id, chooser=chooser, opener=lambda url: True
    )
    dialog.private_check.setChecked(private)
    name = offered(qtbot, dialog, chooser)
    assert name == f"Demo - Ward 3 note 2026-08-18{' (private)' if private else ''}.pdf"


@pytest.mark.parametrize("private", [False, True])
def test_the_pack_s_name_says_private_when_the_answers_are_in(session_of, qtbot, profile, tmp_path, private):
    draft = exports.portfolio_draft(profile, [profile.cases.find(DEMO).id], include_private=private)
    chooser = FakeChooser(tmp_path / "pack.pdf")
    dialog = PdfExportDialog(session_of(profile), "portfolio", draft=draft, chooser=chooser, opener=lambda url: True)
    name = offered(qtbot, dialog, chooser)
    assert name.startswith("Portfolio pack ")
    assert name.endswith(" (private).pdf") is private
