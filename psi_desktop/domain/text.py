"""Text as the app keeps what is typed: one-line fields folded, free text without control characters."""

from __future__ import annotations

import re

# Every control character (C0, DEL, C1). Typed text never holds them; a line break and a tab may be
# typed in free text, so ``multi_line`` keeps those two.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FREE_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n?")


def one_line(text: str) -> str:
    """A code, setting, name or action as stored: control characters as spaces, white space folded, trimmed."""
    return " ".join(_CONTROL.sub(" ", text).split())


def multi_line(text: str) -> str:
    """Free text (an answer, a note) as stored: line breaks as ``\\n``, no control characters but tab and newline."""
    return _FREE_TEXT_CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def is_unicode(text: str) -> bool:
    """False for text holding a lone surrogate, which cannot be written as UTF-8 (nor stored)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
