"""A rating row takes only 0-4, Delete and arrows (issue 18 item 2): a stray space must not rate."""

from __future__ import annotations

from PySide6.QtCore import Qt

from psi_desktop.frameworks import default_framework
from psi_desktop.ui.rating_row import RatingRow


def row_shown(qtbot) -> RatingRow:
    row = RatingRow("Trust", "They could rely on me", default_framework().scale)
    qtbot.addWidget(row)
    row.show()
    qtbot.waitExposed(row)
    return row


def focused(row: RatingRow):
    """Where a keyboard user's keys go: the chosen circle, or the first (RatingRow.focus)."""
    return row.group.checkedButton() or row.buttons[0]


def test_space_on_an_unrated_row_leaves_it_unrated(qtbot):
    row = row_shown(qtbot)
    changes: list[object] = []
    row.rating_changed.connect(changes.append)
    qtbot.keyClick(focused(row), Qt.Key.Key_Space)
    assert row.value() is None and not any(b.isChecked() for b in row.buttons) and changes == []


def test_space_and_letters_never_change_a_rating_but_digits_and_delete_do(qtbot):
    row = row_shown(qtbot)
    changes: list[object] = []
    row.rating_changed.connect(changes.append)
    qtbot.keyClick(focused(row), Qt.Key.Key_3)
    assert row.value() == 3
    for key in (Qt.Key.Key_Space, Qt.Key.Key_A, Qt.Key.Key_Minus, Qt.Key.Key_9):
        qtbot.keyClick(focused(row), key)
        assert row.value() == 3, key
    qtbot.keyClick(focused(row), Qt.Key.Key_2)
    assert row.value() == 2
    qtbot.keyClick(focused(row), Qt.Key.Key_Delete)
    assert row.value() is None
    assert changes == [3, 2, None]  # arrows: tests/ui/test_walkthrough.py, in a window with focus
