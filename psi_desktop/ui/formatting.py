"""How dates, times, fonts, messages and passphrase fields look on screen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget

from psi_desktop.errors import UserFacingError


def day(value: dt.date | None) -> str:
    """``17 Nov 2026``: unambiguous on any locale, and how UK staff write dates."""
    return "" if value is None else f"{value.day} {value:%b %Y}"


def moment(value: dt.datetime) -> str:
    local = value.astimezone()
    return f"{day(local.date())} at {local:%H:%M}"


def when(value: dt.datetime, today: dt.date | None = None) -> str:
    """``Today at 14:02``, ``Yesterday at 09:10``, else ``12 Nov 2026 at 14:02``: for lists of recent things."""
    local = value.astimezone()
    today = today or dt.date.today()
    if local.date() == today:
        return f"Today at {local:%H:%M}"
    if local.date() == today - dt.timedelta(days=1):
        return f"Yesterday at {local:%H:%M}"
    return moment(value)


def passphrase_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setMinimumWidth(320)
    return edit


def heading_font(widget: QWidget, steps: float = 1.5) -> QFont:
    """The widget's own font, ``steps`` times larger and bold, for headings."""
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * steps)
    font.setBold(True)
    return font


def error_text(exc: BaseException) -> str:
    """What to tell the user about ``exc``: its own words when meant for users, else a calm general line."""
    if isinstance(exc, UserFacingError):
        return str(exc)
    return "Something went wrong inside PSI Desktop. What you had saved is safe; details for IT are in the log."


def widen(box: QMessageBox, chars: int = 60) -> None:
    """Qt lays a message box's longer text out in a narrow column; give it room to read easily."""
    for name in ("qt_msgbox_label", "qt_msgbox_informativelabel"):
        label = box.findChild(QLabel, name)
        if label is not None:
            label.setMinimumWidth(label.fontMetrics().averageCharWidth() * chars)


def error_label(parent: QWidget) -> QLabel:
    """A bold line for what went wrong; hidden until there is something to say."""
    label = QLabel(parent)
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: bold;")
    label.hide()
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(f"\u26a0 {text}")
    label.show()


def note_label(parent: QWidget, text: str = "") -> QLabel:
    """A calm note with a blue edge: something to know (text kept from before a lock), not an error."""
    label = QLabel(text, parent)
    label.setObjectName("note")
    label.setWordWrap(True)
    label.setStyleSheet(
        "QLabel#note { border: none; border-left: 4px solid #005EB8; padding: 4px 8px; "
        "background: palette(alternate-base); }"
    )
    return label
