"""A supervisor's view of supervisees on screen (issue 17 item 4): the case list grouped by practitioner,
View → Supervisees with each one's figures and charts, and File → Your details.

Real profiles, real bundles through the real import, real widgets offscreen.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from psi_desktop.services import practitioners
from psi_desktop.services.bundles import export_bundle, import_bundle
from psi_desktop.ui.bundle_dialogs import ExportBundleDialog, ImportPreviewDialog
from psi_desktop.ui.case_list import HEADING_ROLE
from psi_desktop.ui.practitioner_dialogs import YourDetailsDialog
from psi_desktop.ui.supervisees_screen import ALL, SuperviseesDialog
from tests.unit.test_supervisees import practitioner

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def supervisor(tmp_path, make_profile):
    """A supervisor's profile: the demo case of their own, and bundles from Anna and Ben.

    Anna: one case, a signed reflection and a draft (waiting). Ben: one case, a signed reflection and a
    draft, with three open actions, one of them due before TODAY (overdue), one due on TODAY (not yet).
    """
    anna, _, _ = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", "12A3456B", "W3 - A")
    ben, _, ben_draft = practitioner(tmp_path, make_profile, "Ben Okafor", "Charge nurse", None, "W5 - K")
    ben.reflections.add_action(ben_draft, "Explain leave changes first", due_on=dt.date(2026, 11, 1))
    ben.reflections.add_action(ben_draft, "Ask about the night staff", due_on=dt.date(2026, 12, 1))
    ben.reflections.add_action(ben_draft, "Knock before going in", due_on=TODAY)  # due today: not overdue yet
    profile = make_profile(tmp_path / "supervisor", demo=True)
    practitioners.set_owner_details(profile, "B. Supervisor", "Clinical nurse specialist")
    for name, source in (("anna", anna), ("ben", ben)):
        export_bundle(source, tmp_path / f"{name}.psi.json")
        import_bundle(profile, tmp_path / f"{name}.psi.json", None)
    return profile


def shown_rows(window) -> list[str]:
    """The case list as it reads: headings in [brackets]."""
    proxy = window.case_list.proxy
    rows = []
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        text = index.data()
        rows.append(f"[{text}]" if index.data(HEADING_ROLE) else text)
    return rows


def test_the_case_list_groups_each_practitioners_cases_under_their_name(qtbot, open_window, supervisor, screenshot):
    window = open_window(supervisor)
    assert shown_rows(window) == [
        "[My cases]",
        "Demo - Ward 3",
        "[Anna Jones (Staff nurse)]",
        "W3 - A",
        "[Ben Okafor (Charge nurse)]",
        "W5 - K",
    ]
    table = window.case_list.table
    assert table.columnSpan(2, 0) == 3, "a heading spans the row"
    assert window.case_list.current_case_id() == supervisor.cases.find("Demo - Ward 3").id, "a case, not a heading"
    screenshot(window, "supervisees-case-list-grouped")

    # The arrow keys pass over a heading; a heading is never chosen.
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert window.case_list.current_case_id() == supervisor.cases.find("W3 - A").id
    assert not (window.case_list.proxy.flags(window.case_list.proxy.index(2, 0)) & Qt.ItemFlag.ItemIsSelectable)

    # The filter keeps the heading of each case it shows, and only those.
    qtbot.keyClicks(window.case_list.filter_edit, "W5")
    assert shown_rows(window) == ["[Ben Okafor (Charge nurse)]", "W5 - K"]
    assert table.columnSpan(0, 0) == 3 and table.columnSpan(1, 0) == 1, "the spans follow the filter"
    window.case_list.filter_edit.clear()

    # Archiving Anna's only case hides her heading; showing archived cases brings both back.
    window.case_list.select(supervisor.cases.find("W3 - A").id)
    window.menu_actions["archive_case"].trigger()
    assert "[Anna Jones (Staff nurse)]" not in shown_rows(window)
    window.menu_actions["show_archived"].setChecked(True)
    assert shown_rows(window)[2:4] == ["[Anna Jones (Staff nurse)]", "W3 - A (archived)"]


def test_a_profile_of_the_owners_own_cases_has_no_headings(open_window, make_profile, tmp_path):
    window = open_window(make_profile(tmp_path / "p", demo=True))
    assert shown_rows(window) == ["Demo - Ward 3"]


def labels_of(dialog) -> str:
    return "\n".join(label.text() for label in dialog.body.findChildren(QLabel) if not label.isHidden())


def test_the_supervisees_screen_shows_each_ones_figures_and_charts(qtbot, session_of, supervisor, screenshot):
    dialog = SuperviseesDialog(session_of(supervisor), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.list.item(r).text() for r in range(dialog.list.count())] == [
        "Anna Jones (Staff nurse)\n1 to sign",
        "Ben Okafor (Charge nurse)\n1 to sign \u00b7 1 overdue",
        "All supervisees",
    ]
    anna, ben = dialog.figures
    assert (anna.cases, anna.sessions, anna.waiting, anna.open_actions, anna.overdue) == (1, 2, 1, 0, 0)
    assert (ben.cases, ben.sessions, ben.waiting, ben.open_actions, ben.overdue) == (1, 2, 1, 3, 1)
    assert anna.sessions_by_month == ((dt.date(2026, 9, 1), 1, 0), (dt.date(2026, 10, 1), 0, 1))

    dialog.select(ben.practitioner.id)
    qtbot.waitUntil(lambda: len(dialog.canvases) == 2)
    text = labels_of(dialog)
    assert "Ben Okafor (Charge nurse)" in text
    assert "1 reflection waits for you to sign. 1 of 3 open actions are past their due date." in text
    sessions, gaps = dialog.canvases
    signed = [p.get_height() for p in _patches(sessions.figure, "sessions-signed")]
    waiting = [p.get_height() for p in _patches(sessions.figure, "sessions-not-signed")]
    assert (signed, waiting) == ([1, 0], [0, 1])
    legend = " ".join(t.get_text() for leg in sessions.figure.legends for t in leg.get_texts())
    assert "Draft, not signed yet" in legend
    # The gap chart: a line per dimension of practitioner minus supervisor, monthly (3 - 1 = +2 in
    # September and in October), the month with a draft marked as the case charts mark drafts.
    gids = [line.get_gid() or "" for ax in gaps.figure.axes for line in ax.get_lines()]
    lines = [line for ax in gaps.figure.axes for line in ax.get_lines() if (line.get_gid() or "").count(":") == 1]
    assert len({line.get_gid() for line in lines}) == 9 and all(
        line.get_gid().startswith("dimension:") for line in lines
    )
    assert all(list(line.get_ydata()) == [2.0, 2.0] for line in lines)
    assert sum("mark:discussion" in gid for gid in gids) == 9, "2 apart: worth talking about, in every dimension"
    marked = [ax for ax in gaps.figure.axes if any(c.get_gid() == "draft-months" for c in ax.collections)]
    assert len(marked) == 9
    legend = " ".join(t.get_text() for leg in gaps.figure.legends for t in leg.get_texts())
    assert "Their ratings minus yours, monthly mean of 2 sessions" in legend
    assert "a month with drafts, not signed (1 of 2 sessions)" in legend
    qtbot.wait(50)
    screenshot(dialog, "supervisees-one")
    screenshot(dialog.body, "supervisees-one-whole")

    dialog.select(ALL)
    qtbot.waitUntil(lambda: len(dialog.canvases) == 1)
    text = labels_of(dialog)
    assert "All supervisees" in text and "Each PSI dimension over time, across all supervisees" in text
    (multiples,) = dialog.canvases
    panels = [ax for ax in multiples.figure.axes if ax.get_lines()]
    assert len(panels) == 9, "one small chart per dimension"
    legend = " ".join(t.get_text() for leg in multiples.figure.legends for t in leg.get_texts())
    assert "Your supervisees' own ratings, monthly mean of 4 reflections, 2 of them drafts, not signed" in legend
    qtbot.wait(50)
    screenshot(dialog, "supervisees-all")
    screenshot(dialog.body, "supervisees-all-whole")


def _patches(figure, gid: str) -> list:
    return [p for ax in figure.axes for p in ax.patches if p.get_gid() == gid] or [
        p for ax in figure.axes for c in ax.containers for p in c if c.get_gid() == gid
    ]


def test_no_supervisees_yet_says_how_to_bring_them_in(qtbot, session_of, make_profile, tmp_path):
    dialog = SuperviseesDialog(session_of(make_profile(tmp_path / "p", demo=True)), today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.figures == [] and dialog.shown() == ""
    assert "No supervisees yet. Import a bundle from a practitioner you supervise" in labels_of(dialog)


def test_your_details_are_kept_and_a_wrong_pin_is_explained(qtbot, session_of, make_profile, tmp_path):
    profile = make_profile(tmp_path / "p")
    dialog = YourDetailsDialog(session_of(profile))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Anna Jones")
    dialog.role_edit.setText("Staff nurse")
    dialog.pin_edit.setText("1234")
    dialog.accept()
    assert dialog.message.isVisibleTo(dialog) and "two digits, a letter" in dialog.message.text()
    assert practitioners.owner(profile).name == ""
    dialog.pin_edit.setText("12a3456b")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    me = practitioners.owner(profile)
    assert (me.name, me.role, me.nmc_pin) == ("Anna Jones", "Staff nurse", "12A3456B")


def test_the_supervisees_screen_with_several_hundred_reflections(qtbot, session_of, make_profile, tmp_path, screenshot):
    """Two supervisees of 4 cases x 50 reflections each (400 reflections) beside the demo case."""
    from tests.perf.synthetic import synthetic_bundle

    profile = make_profile(tmp_path / "supervisor", demo=True)
    for seed, (name, role) in enumerate((("Chris Lee", "Staff nurse"), ("Dana Patel", "Deputy ward manager"))):
        doc = synthetic_bundle(4, 50, seed=seed + 1, prefix=name.split()[0])
        person = {"id": f"00000000-0000-4000-8000-00000000000{seed + 1}", "name": name, "role": role, "nmc_pin": None}
        doc["from"], doc["practitioners"] = person["id"], [person]
        path = tmp_path / f"{seed}.psi.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        import_bundle(profile, path, None)
    dialog = SuperviseesDialog(session_of(profile), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    chris, _ = dialog.figures
    assert (chris.cases, chris.sessions, chris.waiting) == (4, 200, 100)
    assert sum(s + d for _, s, d in chris.sessions_by_month) == 200
    qtbot.waitUntil(lambda: len(dialog.canvases) == 2)
    qtbot.wait(50)
    screenshot(dialog, "supervisees-one-large")
    screenshot(dialog.body, "supervisees-one-large-whole")
    dialog.select(ALL)
    qtbot.waitUntil(lambda: len(dialog.canvases) == 1)
    qtbot.wait(50)
    screenshot(dialog, "supervisees-all-large")
    screenshot(dialog.body, "supervisees-all-large-whole")


def test_the_case_list_with_several_hundred_reflections_from_two_practitioners(
    qtbot, open_window, make_profile, tmp_path, screenshot
):
    from tests.perf.synthetic import synthetic_bundle

    profile = make_profile(tmp_path / "supervisor", demo=True)
    for seed, name in enumerate(("Chris Lee", "Dana Patel")):
        doc = synthetic_bundle(6, 40, seed=seed + 1, prefix=name.split()[0])
        person = {"id": f"00000000-0000-4000-8000-00000000000{seed + 1}", "name": name, "role": "", "nmc_pin": None}
        doc["from"], doc["practitioners"] = person["id"], [person]
        path = tmp_path / f"{seed}.psi.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        import_bundle(profile, path, None)
    window = open_window(profile)
    rows = shown_rows(window)
    assert rows[:2] == ["[My cases]", "Demo - Ward 3"] and rows[2] == "[Chris Lee]" and rows[9] == "[Dana Patel]"
    assert len(rows) == 3 + 1 + 12
    screenshot(window, "supervisees-case-list-large")


def test_the_import_preview_says_whom_a_bundle_is_from_and_ticking_mine_files_it_as_yours(
    qtbot, session_of, make_profile, tmp_path, screenshot
):
    anna, _, _ = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", None, "W3 - A")
    export_bundle(anna, tmp_path / "anna.psi.json")
    new_laptop = make_profile(tmp_path / "new")
    dialog = ImportPreviewDialog(session_of(new_laptop), tmp_path / "anna.psi.json")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.whose_label.text() == "From Anna Jones (Staff nurse); 1 case filed under their name."
    assert dialog.mine_check.isVisibleTo(dialog) and not dialog.mine_check.isChecked()
    screenshot(dialog, "supervisees-import-preview")
    first = dialog.plan
    dialog.mine_check.setChecked(True)
    qtbot.waitUntil(lambda: dialog.plan is not first and not dialog.busy, timeout=20_000)
    assert dialog.whose_label.text() == "From you: its cases are filed as your own."
    assert dialog.mine_check.isVisibleTo(dialog), "still there, to untick"
    dialog.import_now()
    qtbot.waitUntil(lambda: dialog.imported, timeout=20_000)
    assert [s.practitioner for s in new_laptop.cases.summaries()] == [None]


def test_the_export_dialog_says_whom_the_bundle_is_from_and_never_needs_it(qtbot, session_of, make_profile, tmp_path):
    profile = make_profile(tmp_path / "p", demo=True)
    dialog = ExportBundleDialog(session_of(profile))
    qtbot.addWidget(dialog)
    assert dialog.from_label.text().startswith("From an unnamed practitioner")
    assert dialog.export_button.isEnabled()
    practitioners.set_owner_details(profile, "Anna Jones", "Staff nurse")
    dialog._show_from()
    assert dialog.from_label.text() == "From Anna Jones (Staff nurse)."
