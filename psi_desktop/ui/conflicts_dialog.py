"""Conflicts from imports: incoming versions kept beside the records here, listed read-only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.ui.formatting import day, when

KINDS = {"case": "Case", "reflection": "Reflection", "action": "Action"}
LOCAL_DRAFT_SOURCE = "local draft replaced by a signed version"


def describe_record(kind: str, record: dict, codes: dict[str, str] | None = None) -> str:
    """Which record a conflict is about, from the incoming copy: a code, a session date, an action's words."""
    if kind == "case":
        return " ".join(str(record.get("code", "")).split())
    if kind == "reflection":
        code = (codes or {}).get(str(record.get("case_id")), "")
        try:
            text = f"Session of {day(dt.date.fromisoformat(str(record.get('session_date'))))}"
        except ValueError:
            text = "A reflection"
        return f"{text} \u00b7 {code}" if code else text
    text = " ".join(str(record.get("text", "")).split())
    return text if len(text) <= 60 else text[:59] + "\u2026"


def describe_source(source: str) -> str:
    if source == LOCAL_DRAFT_SOURCE:
        return "Your draft, kept when a signed version arrived"
    return f"From {source}" if source else "From an import"


def _imported(value: str) -> str:
    try:
        return when(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return value


class ConflictsDialog(QDialog):
    """Lists ``store.conflicts.open()`` rows: (kind, record id, incoming record, source, imported at)."""

    HEADERS = ("Record", "Which", "Imported", "Where it came from")

    def __init__(
        self,
        rows: list[tuple[str, str, dict, str, str]],
        parent: QWidget | None = None,
        *,
        codes: dict[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conflicts from imports")
        self.setModal(True)
        text = QLabel(
            "When an import brought a different version of something you already had, your version was kept "
            "and the one from the bundle was stored here, so nothing was lost. Nothing here needs doing now; "
            "talk them over with whoever sent the bundle.",
            self,
        )
        text.setWordWrap(True)
        self.table = QTableWidget(len(rows), len(self.HEADERS), self)
        self.table.setAccessibleName("Conflicts from imports")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        for row, (kind, _record_id, record, source, imported_at) in enumerate(rows):
            cells = (
                KINDS.get(kind, kind),
                describe_record(kind, record, codes),
                _imported(imported_at),
                describe_source(source),
            )
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.empty = QLabel("There are no conflicts from imports.", self)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(680, 360 if rows else 180)
        (self.table if rows else buttons).setFocus()
