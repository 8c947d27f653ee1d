"""User text made safe for reportlab: cleaned, escaped, and cut into paragraphs reportlab lays out fast.

reportlab's Paragraph parses its text as markup, so raw user text could break the export (``<b>``
unclosed), vanish (``<email@x>``), become a live link (``<a href=…>``) or embed a local file
(``<img src=…>``). Everything a user typed goes through :func:`paragraphs` (for Paragraphs) or
:func:`clean` (for canvas strings and table cells, which are not parsed). Never log user text, nor
reportlab's error messages, which quote it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from xml.sax.saxutils import escape

MAX_CHUNK = 2000
"""Characters per Paragraph at most: one 1 MB Paragraph took minutes to lay out, 2,000-char ones seconds."""

# Bidirectional embeddings, overrides and isolates: reportlab does no bidi reordering, so they
# would only hide or spoof text (U+202E reverses what follows in viewers that honour it).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
# Where to cut an over-long paragraph, best first: a line break, a sentence end, any space.
_CUT_AFTER = ("\n", ". ", "! ", "? ", "; ", " ")


_ASCII_CONTROLS = dict.fromkeys([*range(0x20), 0x7F]) | {ord("\n"): "\n", ord("\t"): "\t"}
"""str.translate's table for ASCII text: the control characters deleted, but newline and tab."""

PLACEHOLDER = "\u25a1"
"""Printed in place of a character the PDF font has no glyph for (an emoji, say), so it is seen."""


def clean(text: str) -> str:
    """``text`` without control characters (but newline and tab), lone surrogates and bidi controls.

    Line breaks are normalised to ``\\n``; a character the font cannot draw becomes PLACEHOLDER.
    Nothing is escaped: use this for strings that are drawn, not parsed.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # most text: every printable ASCII character has a glyph, so only controls go
        return text.translate(_ASCII_CONTROLS)
    covered = _covered()
    return "".join(ch if ord(ch) in covered or ch in "\n\t" else PLACEHOLDER for ch in text if _keep(ch))


def has_unprintable(text: str) -> bool:
    """True when ``text`` holds a character the PDF font cannot draw (it would print as PLACEHOLDER)."""
    covered = _covered()
    return any(ord(ch) not in covered and ch not in "\n\t" and _keep(ch) for ch in text)


@functools.cache
def _covered() -> frozenset[int]:
    """The code points DejaVu Sans has glyphs for (the font every document embeds)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    from psi_desktop.reporting.fonts import font_dir

    return frozenset(TTFontFile(str(font_dir() / "DejaVuSans.ttf")).charToGlyph)


def _keep(ch: str) -> bool:
    if ch in "\n\t":
        return True
    if ch in _BIDI_CONTROLS:
        return False
    return unicodedata.category(ch) not in ("Cc", "Cs")


def one_line(text: str, limit: int = 120) -> str:
    """Cleaned text on one line, shortened with "…" past ``limit`` characters (for headers, cells)."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def paragraphs(text: str) -> list[str]:
    """Safe Paragraph markup for user text: one string per Paragraph, each of at most ~MAX_CHUNK chars.

    Blank lines separate paragraphs; single newlines become ``<br/>``. An over-long paragraph is
    cut at a line break, sentence end or space, and a word longer than MAX_CHUNK is cut anyway.
    Whitespace-only text gives an empty list.
    """
    result = []
    for block in _BLANK_LINES.split(clean(text).strip()):
        for chunk in _chunks(block.strip(), MAX_CHUNK):
            if chunk:
                result.append(escape(chunk).replace("\n", "<br/>"))
    return result


def _chunks(text: str, limit: int) -> list[str]:
    chunks = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    chunks.append(text)
    return chunks


def _cut_point(text: str, limit: int) -> int:
    """Where to end the next chunk: after the best separator in its second half, else at ``limit``."""
    window = text[:limit]
    for separator in _CUT_AFTER:
        at = window.rfind(separator)
        if at >= limit // 2:
            return at + len(separator)
    return limit
