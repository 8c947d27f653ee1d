"""How dates, times and fonts look on screen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget


def day(value: dt.date | None) -> str:
    """``17 Nov 2026``: unambiguous on any locale, and how UK staff write dates."""
    return "" if value is None else f"{value.day} {value:%b %Y}"


def moment(value: dt.datetime) -> str:
    local = value.astimezone()
    return f"{day(local.date())} at {local:%H:%M}"


def heading_font(widget: QWidget, steps: float = 1.5) -> QFont:
    """The widget's own font, ``steps`` times larger and bold, for headings."""
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * steps)
    font.setBold(True)
    return font
