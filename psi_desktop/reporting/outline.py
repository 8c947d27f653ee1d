"""PDF bookmarks (the outline a PDF reader lists beside the pages) and a contents page whose page
numbers are where each section really starts.

A Bookmark is an invisible flowable placed just before a heading: where it is drawn, it adds an
outline entry pointing at that spot and remembers its page. reportlab keeps a flowable with the
next one only when that one is not a KeepTogether, so ``anchored`` puts each bookmark inside the
KeepTogether it stands before: a heading moved to the next page takes its bookmark along.

A contents page is laid out from the pages the previous layout found, so a document with one is
laid out until they stop changing (``lay_out_until_settled``: twice, as the contents' height does
not depend on its numbers).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TypeVar
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfdoc import PDFObjectReference
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from psi_desktop.reporting.layout import INK, RULE, para
from psi_desktop.reporting.text import one_line

_keys = itertools.count(1)
T = TypeVar("T")


class Bookmark(Flowable):
    """An outline entry ``title`` at ``level`` (0 is the top) pointing at where it is drawn.

    It keeps with the flowable after it, so a heading moved to the next page takes its bookmark along.
    ``page`` is the page it was drawn on in the latest layout; ``known_page`` the one a contents page prints.
    """

    # Like reportlab's own zero-size marks: the space between the flowables around it is kept as if it
    # were not there (else a heading's space before stops merging and a block that fitted no longer does).
    _ZEROSIZE = 1
    _SPACETRANSFER = True

    def __init__(self, title: str, level: int = 0) -> None:
        super().__init__()
        self.title = one_line(title, 120) or "Untitled"
        self.level = level
        self.key = f"psi-{next(_keys)}"
        self.page: int | None = None
        self.known_page: int | None = None
        self.keepWithNext = 1
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        canvas = self.canv
        self.page = canvas.getPageNumber()
        _, top = canvas.absolutePosition(0, 0)
        dest = canvas._bookmarkReference(self.key)
        dest.xyz("null", round(top + 12), "null")  # a little above, so the heading shows whole
        # The page by its number, not canvas.bookmarkPage's "current page": documents that say
        # "Page N of M" hold their pages back and write them all at the end (layout._NumberedCanvas).
        dest.setPage(PDFObjectReference(f"Page{self.page}"))
        canvas.addOutlineEntry(self.title, self.key, self.level)
        canvas.showOutline()


def bookmark(title: str, level: int = 0) -> Bookmark:
    """A bookmark to put before the heading it names."""
    return Bookmark(title, level)


def anchored(story: list[Flowable]) -> list[Flowable]:
    """``story`` with each bookmark that stands before a KeepTogether moved to the start of it."""
    out: list[Flowable] = []
    waiting: list[Bookmark] = []
    for flowable in story:
        if isinstance(flowable, Bookmark):
            waiting.append(flowable)
            continue
        if waiting and isinstance(flowable, KeepTogether):
            target = flowable
            while target._content and isinstance(target._content[0], KeepTogether):
                target = target._content[0]
            target._content[0:0] = waiting
        else:
            out += waiting
        waiting = []
        out.append(flowable)
    return out + waiting


def nested(story: list[Flowable], by: int = 1) -> list[Flowable]:
    """``story`` with its bookmarks one level (or ``by``) deeper: a document inside another."""
    for flowable in story:
        if isinstance(flowable, Bookmark):
            flowable.level += by
    return story


def first_bookmark(story: Sequence[Flowable]) -> Bookmark:
    """The first bookmark of ``story``: where a document inside another starts."""
    return next(f for f in story if isinstance(f, Bookmark))


class PageRef(Flowable):
    """The page ``mark`` was on in the previous layout, as ``text`` with {page} in it; blank at first.

    It takes the same room either way, so printing the numbers does not move anything.
    """

    def __init__(self, mark: Bookmark, style: ParagraphStyle, text: str = "{page}", *, right: bool = False) -> None:
        super().__init__()
        self.mark, self.style, self.text, self.right = mark, style, text, right

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return (available_width, self.style.leading)

    def draw(self) -> None:
        if self.mark.known_page is None:
            return
        text = self.text.format(page=self.mark.known_page)
        canvas = self.canv
        canvas.setFont(self.style.fontName, self.style.fontSize)
        canvas.setFillColor(self.style.textColor or INK)
        baseline = self.style.leading - self.style.fontSize
        if self.right:
            canvas.drawRightString(self.width, baseline, text)
        else:
            canvas.drawString(0, baseline, text)


def contents_table(entries: Sequence[Bookmark], style: ParagraphStyle, width: float) -> Table:
    """The contents: each entry's title, indented by its level, and its page on the right."""
    number_width = 1.6 * cm
    indented = {level: ParagraphStyle(f"contents{level}", parent=style, leftIndent=14 * level) for level in range(4)}
    rows = [
        (para(escape(entry.title), indented[min(entry.level, 3)]), PageRef(entry, style, right=True))
        for entry in entries
    ]
    table = Table(rows, colWidths=(width - number_width, number_width), hAlign="LEFT", repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), style.fontName),  # else reportlab adds an unembedded Helvetica
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


_UNSET = object()
_EDITED = ("keepWithNext", "_postponed")
"""What reportlab's layout changes on the flowables themselves (its multiBuild undoes the same two)."""


def _as_they_are(story: Sequence[Flowable]) -> list[tuple[Flowable, dict[str, object]]]:
    """Every flowable of ``story`` (inside KeepTogethers too) with its own values of the attributes layout edits."""
    found = []
    stack = list(story)
    while stack:
        flowable = stack.pop()
        found.append((flowable, {name: flowable.__dict__.get(name, _UNSET) for name in _EDITED}))
        if isinstance(flowable, KeepTogether):
            stack += flowable._content
    return found


def _restore(saved: list[tuple[Flowable, dict[str, object]]]) -> None:
    for flowable, values in saved:
        for name, value in values.items():
            if value is _UNSET:
                flowable.__dict__.pop(name, None)
            else:
                flowable.__dict__[name] = value


def lay_out_until_settled(
    build: Callable[[int, list[Flowable]], T], story: list[Flowable], marks: Sequence[Bookmark], passes: int = 3
) -> T:
    """Run ``build(pass_number, story)`` until every mark is on the page the contents printed for it.

    The first layout finds the pages, the second prints them; a third only if a number moved a page.
    Each layout gets the flowables as they were: reportlab clears the keepWithNext of those it kept
    together and marks those it moved on as postponed, so both are put back before the next layout.
    """
    saved = _as_they_are(story)
    result = build(0, list(story))
    for number in range(1, passes):
        if all(mark.known_page == mark.page for mark in marks):
            break
        for mark in marks:
            mark.known_page = mark.page
        _restore(saved)
        result = build(number, list(story))
    return result
