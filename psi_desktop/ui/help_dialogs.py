"""About PSI Desktop, and the list of keyboard shortcuts."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from psi_desktop import __version__
from psi_desktop.domain.framework import Framework
from psi_desktop.ui.actions import shortcut_rows


def about_html(framework: Framework) -> str:
    source = framework.source
    return f"""
<h2>PSI Desktop {escape(__version__)}</h2>
<p>PSI Desktop helps a practitioner and their supervisor reflect on the practitioner's relationship
with a service user, through three things that service users said made relationships with staff
helpful and transformative: <b>power</b>, <b>safety</b> and <b>identity</b>. Relationships helped
recovery when they were consistent, safe and trusting, used power to protect rather than to control,
and mirrored back a positive sense of self. The model is <i>reflexive</i>: a way for staff to think
about their own work and whether a relationship maintains, increases or alleviates distress.</p>
<p>It comes from interviews with eight service users: {escape(source.citation)} Only the paper's
abstract and practitioner points were available to us, so every prompt and dimension is marked
<b>from the paper</b> when it comes from the study's findings, or <b>proposed</b> when we added it to
make the reflection complete. PSI Desktop is a reflective aid built from the paper's model, not a
validated measure.</p>
<p>Everything stays on this computer. Nothing is sent anywhere.</p>
"""


class AboutDialog(QDialog):
    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About PSI Desktop")
        text = QLabel(about_html(framework), self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setAccessibleName("About PSI Desktop")
        self.text = text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows()
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["What it does", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(420, 320)
