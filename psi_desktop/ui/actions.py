"""The one table that menus, shortcuts and the shortcuts list are built from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

MENUS = ("&File", "&Case", "&View", "&Help")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    menu: str
    text: str
    shortcut: QKeySequence.StandardKey | str | None
    tip: str
    checkable: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_case", "&File", "&New case\u2026", "Ctrl+Shift+N", "Create a case with a pseudonymised code"),
    ActionSpec("quit", "&File", "&Quit", "Ctrl+Q", "Close PSI Desktop"),
    ActionSpec("rename_case", "&Case", "&Rename case\u2026", "F2", "Change the chosen case's code or setting"),
    ActionSpec("archive_case", "&Case", "&Archive", None, "Move the chosen case out of the list; nothing is deleted"),
    ActionSpec("unarchive_case", "&Case", "&Unarchive", None, "Bring the chosen case back into the list"),
    ActionSpec("find", "&View", "&Find a case", QKeySequence.StandardKey.Find, "Filter the case list by code"),
    ActionSpec("show_archived", "&View", "Show a&rchived cases", None, "Include archived cases in the list", True),
    ActionSpec("shortcuts", "&Help", "&Keyboard shortcuts", None, "List every keyboard shortcut"),
    ActionSpec("about", "&Help", "&About PSI Desktop", None, "The PSI model and where it comes from"),
)


def build_actions(window: QMainWindow, handlers: Mapping[str, Callable[[], None]]) -> dict[str, QAction]:
    """Create every action with its shortcut and handler, and put it in its menu."""
    menus = {title: window.menuBar().addMenu(title) for title in MENUS}
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(f"action_{spec.name}")
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        action.setStatusTip(spec.tip)
        action.setToolTip(spec.tip)
        action.setCheckable(spec.checkable)
        if spec.checkable:
            action.toggled.connect(handlers[spec.name])
        else:
            action.triggered.connect(handlers[spec.name])
        menus[spec.menu].addAction(action)
        actions[spec.name] = action
    return actions


def shortcut_rows() -> list[tuple[str, str]]:
    """(what it does, keys) for the Help \u2192 Keyboard shortcuts list, in the keys of this OS."""
    rows = []
    for spec in ACTIONS:
        if spec.shortcut is None:
            continue
        keys = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((spec.text.replace("&", "").rstrip("\u2026"), keys))
    return rows
