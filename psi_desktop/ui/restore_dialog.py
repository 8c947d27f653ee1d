"""Choosing a backup to put back in place of the store."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.services.backups import BACKUP_INTERVAL_MINUTES, BackupInfo, list_backups
from psi_desktop.ui.formatting import error_label, error_text, moment, show_error, when, widen
from psi_desktop.ui.workers import Worker, dialog_pool


def describe(info: BackupInfo) -> str:
    """``12 Nov 2026 at 14:02, with 3 cases and 12 reflections``, for the confirmation."""
    return (
        f"{moment(info.made_at)}, with {info.cases} case{'' if info.cases == 1 else 's'} "
        f"and {info.reflections} reflection{'' if info.reflections == 1 else 's'}"
    )


class RestoreDialog(QDialog):
    """Lists the backups (checked on a worker: each one is opened and checked in full) and asks which to use.

    Restoring itself is left to the caller, which must close the store first; ``chosen`` says which.
    """

    HEADERS = ("Made", "Cases", "Reflections", "State")

    def __init__(self, directory: Path, key: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from a backup")
        self.setModal(True)
        self.backups: list[BackupInfo] = []
        self.chosen: BackupInfo | None = None

        text = QLabel(
            f"PSI Desktop makes a backup every {BACKUP_INTERVAL_MINUTES} minutes while you use it, and when you "
            "close it. Choose one to put back. Your records as they are now are kept aside, not deleted.",
            self,
        )
        text.setWordWrap(True)
        self.status_label = QLabel("Checking your backups\u2026", self)
        self.error_label = error_label(self)

        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setAccessibleName("Backups")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.itemDoubleClicked.connect(self._on_restore_button_clicked)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.restore_button = buttons.addButton("Restore\u2026", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        buttons.accepted.connect(self._on_restore_button_clicked)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(600, 420)

        Worker(
            partial(list_backups, directory, key), owner=self, done=self.show_backups, failed=self._on_list_failed
        ).start(dialog_pool(self))

    def show_backups(self, backups: list[BackupInfo]) -> None:
        self.backups = backups
        self.table.setRowCount(len(backups))
        for row, info in enumerate(backups):
            state = "Good" if info.ok else "Damaged: cannot be used"
            if info.set_aside:
                # What an earlier restore put aside: the records as they were just before it.
                state = "Set aside by a restore" if info.ok else "Set aside by a restore; damaged"
            cells = (
                (when(info.made_at), str(info.cases), str(info.reflections), state)
                if info.ok
                else (when(info.made_at), "\u2013", "\u2013", state)
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if not info.ok:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        if not backups:
            self.status_label.setText("There are no backups yet. One is made when you close PSI Desktop.")
            return
        damaged = sum(not info.ok for info in backups)
        made = sum(not info.set_aside for info in backups)
        aside = len(backups) - made
        self.status_label.setText(
            f"{made} backup{'' if made == 1 else 's'}, newest first."
            + (
                f" Then {aside} set{'' if aside == 1 else 's'} of records put aside by earlier restores."
                if aside
                else ""
            )
            + (f" {damaged} {'is' if damaged == 1 else 'are'} damaged and cannot be used." if damaged else "")
        )
        first_good = next((row for row, info in enumerate(backups) if info.ok), None)
        if first_good is not None:
            self.table.selectRow(first_good)
        self.table.setFocus()

    def selected(self) -> BackupInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        info = self.backups[rows.pop()]
        return info if info.ok else None

    def _on_table_selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _on_list_failed(self, exc: BaseException) -> None:
        self.status_label.hide()
        show_error(self.error_label, error_text(exc))

    def _on_restore_button_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.confirm(info):
            self.chosen = info
            self.accept()

    def confirm(self, info: BackupInfo) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restore this backup?")
        what = "the records set aside by the restore on" if info.set_aside else "the backup from"
        box.setText(f"Put back {what} {describe(info)}?")
        box.setInformativeText(
            "Anything saved since then will no longer show. Your records as they are now are kept aside in the "
            "profile folder, not deleted.\n\nPSI Desktop locks while it does this: then type your passphrase "
            "to open the restored records."
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        widen(box)
        box.exec()
        confirmed = box.clickedButton() is restore
        box.deleteLater()
        return confirmed
