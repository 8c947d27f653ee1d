"""Asking for a file with the system's dialogs (light: the main window makes one before it first paints)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget


class FileChooser:
    """Asks for a file with the system's dialogs. Tests put something that answers at once in its place.

    ``save`` returns a path the user confirmed: the system's dialog asks before it names an existing file.
    """

    def save(self, parent: QWidget, title: str, suggested: Path, name_filter: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), name_filter)
        return Path(chosen) if chosen else None

    def open(self, parent: QWidget, title: str, name_filter: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(parent, title, str(documents_folder()), name_filter)
        return Path(chosen) if chosen else None


def documents_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()
