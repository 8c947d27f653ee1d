"""The one table that menus, shortcuts and the shortcuts list are built from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

MENUS = ("&File", "&Case", "&Reflection", "&View", "&Help")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    menu: str
    text: str
    shortcut: QKeySequence.StandardKey | str | None
    tip: str
    checkable: bool = False
    while_locked: bool = False  # usable on the lock screen; everything else needs the profile unlocked
    separator_before: bool = False
    needs_reflection: bool = False  # only while a reflection is open; the window enables it then


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_case", "&File", "&New case\u2026", "Ctrl+Shift+N", "Create a case with a pseudonymised code"),
    ActionSpec(
        "export_bundle",
        "&File",
        "&Export bundle\u2026",
        None,
        "Save cases in a bundle for your supervisor or another computer",
        separator_before=True,
    ),
    ActionSpec("import_bundle", "&File", "&Import\u2026", None, "Bring in records from a bundle, after a preview"),
    ActionSpec("conflicts", "&File", "Con&flicts from imports\u2026", None, "Versions from imports kept beside yours"),
    ActionSpec(
        "portfolio", "&File", "&Portfolio pack\u2026", None, "NMC reflective accounts as a PDF, for revalidation"
    ),
    ActionSpec(
        "person_form",
        "&File",
        "Print a f&orm for the person\u2026",
        None,
        "The person's questions on paper, in large print, for someone who would rather write",
    ),
    ActionSpec(
        "your_details", "&File", "Your &details\u2026", None, "Your name, role and NMC Pin, for bundles you send"
    ),
    ActionSpec("lock", "&File", "&Lock now", "Ctrl+L", "Hide your records until you unlock", separator_before=True),
    ActionSpec("change_passphrase", "&File", "C&hange passphrase\u2026", None, "Choose a new passphrase"),
    ActionSpec("auto_lock", "&File", "Lock a&utomatically after\u2026", None, "Minutes without use before it locks"),
    ActionSpec(
        "back_up_now", "&File", "&Back up now", None, "Make a backup of your records now", separator_before=True
    ),
    ActionSpec("restore", "&File", "&Restore from a backup\u2026", None, "Put back your records from a backup"),
    ActionSpec("quit", "&File", "&Quit", "Ctrl+Q", "Close PSI Desktop", while_locked=True, separator_before=True),
    ActionSpec("rename_case", "&Case", "&Rename case\u2026", "F2", "Change the chosen case's code or setting"),
    ActionSpec("archive_case", "&Case", "&Archive", None, "Move the chosen case out of the list; nothing is deleted"),
    ActionSpec("unarchive_case", "&Case", "&Unarchive", None, "Bring the chosen case back into the list"),
    ActionSpec("delete_case", "&Case", "&Delete case\u2026", None, "Delete the chosen case; you are asked first"),
    ActionSpec("new_reflection", "&Reflection", "&New reflection", "Ctrl+N", "Start a reflection on the chosen case"),
    ActionSpec(
        "next_step",
        "&Reflection",
        "Ne&xt step",
        "Alt+Right",
        "Go to the next step",
        needs_reflection=True,
        separator_before=True,
    ),
    ActionSpec(
        "previous_step",
        "&Reflection",
        "&Previous step",
        "Alt+Left",
        "Go to the previous step",
        needs_reflection=True,
    ),
    ActionSpec(
        "why",
        "&Reflection",
        "&Why is this asked?",
        None,  # F1 (Help on this screen) does it while a reflection is open
        "Show or hide why the prompt you are answering is asked",
        needs_reflection=True,
    ),
    ActionSpec(
        "reveal",
        "&Reflection",
        "&Reveal the practitioner's ratings",
        None,
        "Show both sets of ratings side by side, with what to talk about",
        needs_reflection=True,
        separator_before=True,
    ),
    ActionSpec(
        "sign_off",
        "&Reflection",
        "&Sign off\u2026",
        None,
        "The supervisor signs; the reflection is then locked",
        needs_reflection=True,
    ),
    ActionSpec(
        "add_amendment",
        "&Reflection",
        "Add &amendment\u2026",
        None,
        "Add a correction to a signed reflection; the original stays",
        needs_reflection=True,
    ),
    ActionSpec(
        "export_pdf",
        "&Reflection",
        "&Export PDF\u2026",
        "Ctrl+E",
        "Export this reflection's supervision note as a PDF",
        needs_reflection=True,
        separator_before=True,
    ),
    ActionSpec(
        "share_back",
        "&Reflection",
        "S&ummary to share back\u2026",
        None,
        "One page in plain words to give the person: what you talked about and what staff will do",
        needs_reflection=True,
    ),
    ActionSpec(
        "delete_reflection",
        "&Reflection",
        "&Delete this draft\u2026",
        None,
        "Delete this unsigned reflection with its answers, ratings and actions",
        needs_reflection=True,
        separator_before=True,
    ),
    ActionSpec(
        "close_reflection",
        "&Reflection",
        "&Back to the case",
        None,
        "Close this reflection; it is already saved",
        needs_reflection=True,
        separator_before=True,
    ),
    ActionSpec(
        "search",
        "&View",
        "&Search reflections\u2026",
        QKeySequence.StandardKey.Find,
        "Find words in your answers, actions and amendments, across every case",
    ),
    ActionSpec("show_archived", "&View", "Show a&rchived cases", None, "Include archived cases in the list", True),
    ActionSpec(
        "all_actions",
        "&View",
        "&All actions\u2026",
        "Ctrl+Shift+A",
        "Every action of every case: overdue and due this week first; mark them kept, not kept or dropped",
    ),
    ActionSpec(
        "supervisees", "&View", "&Supervisees\u2026", None, "The practitioners you supervise: sessions, drafts, actions"
    ),
    ActionSpec(
        "screen_help",
        "&Help",
        "&Help on this screen",
        QKeySequence.StandardKey.HelpContents,
        "What this screen is for and its keys; in a reflection, why the prompt you are answering is asked",
        while_locked=True,
    ),
    ActionSpec("shortcuts", "&Help", "&Keyboard shortcuts", None, "List every keyboard shortcut", while_locked=True),
    ActionSpec(
        "about", "&Help", "&About PSI Desktop", None, "The PSI model and where it comes from", while_locked=True
    ),
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
        if spec.separator_before:
            menus[spec.menu].addSeparator()
        menus[spec.menu].addAction(action)
        actions[spec.name] = action
    return actions


def set_locked(actions: Mapping[str, QAction], locked: bool) -> None:
    """While locked only the actions that touch no records stay enabled."""
    for spec in ACTIONS:
        if not spec.while_locked:
            actions[spec.name].setEnabled(not locked and not spec.needs_reflection)


KEYS_IN_PLACE: tuple[tuple[str, str], ...] = (
    ("Open the chosen reflection or search hit", "Return"),
    ("Delete the chosen draft, in a case's list of reflections (you are asked first)", "Delete"),
    ("Rate the focused dimension", "0 to 4"),
    ("Clear the focused rating", "Delete"),
    ("Back to your cases, from the search", "Esc"),
)
"""Keys that work where the focus is rather than from a menu, listed after the menus' shortcuts."""


def shortcut_rows() -> list[tuple[str, str]]:
    """(what it does, keys) for the Help \u2192 Keyboard shortcuts list, in the keys of this OS."""
    rows = []
    for spec in ACTIONS:
        if spec.shortcut is None:
            continue
        keys = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((spec.text.replace("&", "").rstrip("\u2026"), keys))
    return rows + list(KEYS_IN_PLACE)
