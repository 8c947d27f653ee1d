"""About PSI Desktop, help on each screen (F1), and the list of keyboard shortcuts."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
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
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # The whole list at once where the screen allows: every row on one or two lines, as tall as the rows.
        metrics = self.fontMetrics()
        room = self.screen().availableGeometry()
        self.resize(
            min(metrics.averageCharWidth() * 80, int(room.width() * 0.9)),
            min(int(metrics.lineSpacing() * (len(rows) * 1.5 + 5)), int(room.height() * 0.9)),
        )


SCREEN_HELP: dict[str, tuple[str, str]] = {
    "lock": (
        "Unlocking",
        "<p>Your records are locked: nobody can see them until the profile's passphrase is typed.</p>"
        "<p>Type the passphrase and press <b>Return</b>. If you have forgotten it, <b>Forgot your "
        "passphrase?</b> opens the records with the recovery key you kept when the profile was made, "
        "and you choose a new passphrase.</p>",
    ),
    "cases": (
        "Your cases",
        "<p>Each case is one relationship with a service user, under a pseudonymised code (never a "
        "name, NHS number or date of birth).</p>"
        "<p>Type in <b>Find a case\u2026</b> to narrow the list; the arrow keys move along it and "
        "<b>Tab</b> moves on to the chosen case. <b>Ctrl+Shift+N</b> makes a new case, <b>Ctrl+F</b> "
        "searches what you have written in every case.</p>",
    ),
    "case": (
        "A case",
        "<p>The reflections on this case, newest first, and the actions agreed in them.</p>"
        "<p><b>Ctrl+N</b> starts a reflection (or opens the empty draft waiting). In the list, the arrow "
        "keys choose a reflection, <b>Return</b> opens it and <b>Delete</b> deletes a draft, after asking. "
        "<b>Charts</b> shows how the relationship has changed over time; <b>F2</b> renames the case.</p>",
    ),
    "charts": (
        "Charts",
        "<p>Radar, trends and patterns of this case's reflections. Choose a chart kind, tick the "
        "perspectives to show and the reflections to chart.</p>"
        "<p>The service user's view drawn dashed and hollow is your estimate, not their own words; "
        "solid is what they said or rated themselves. Ratings are a reflective aid, not a validated "
        "measure.</p>",
    ),
    "search": (
        "Searching your reflections",
        "<p>Type plain words: every word must appear, in any order. Put words in double quotes to find "
        "them together; end a word with * to find every word it begins.</p>"
        "<p><b>Down</b> moves into the hits, <b>Return</b> opens the reflection at the step that holds "
        "it, <b>Esc</b> goes back to your cases.</p>",
    ),
}
"""F1 outside a reflection: for each screen (``MainWindow.current_screen``), a title and a few lines."""


class ScreenHelpDialog(QDialog):
    """What the screen F1 was pressed on is for, and its keys; Keyboard shortcuts lists the rest."""

    shortcuts_requested = Signal()

    def __init__(self, screen: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title, html = SCREEN_HELP[screen]
        self.setWindowTitle(f"Help: {title}")
        self.text = QLabel(f"<h3>{escape(title)}</h3>{html}", self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAccessibleName(f"Help: {title}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.shortcuts_button = QPushButton("&Keyboard shortcuts\u2026", self)
        buttons.addButton(self.shortcuts_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.shortcuts_button.clicked.connect(self._on_shortcuts_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def _on_shortcuts_button_clicked(self) -> None:
        self.accept()
        self.shortcuts_requested.emit()
