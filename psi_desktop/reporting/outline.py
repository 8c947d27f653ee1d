"""PDF bookmarks (the outline a PDF reader lists beside the pages) and a contents page whose page
numbers are where each section really starts.

A Bookmark is an invisible flowable placed just before a heading: where it is drawn, it adds an
outline entry pointing at that spot and remembers its page. reportlab keeps a flowable with the
next one only when that one is not a KeepTogether, so ``anchored`` puts each bookmark inside the
KeepTogether it stands before: a heading moved to the next page takes its bookmark along.

A contents page prints numbers only known once the whole document is laid out. Each number is a
small form (a PDF XObject) put in its place during the one layout and drawn at the end, when every
page is known (``layout.build_pdf`` holds the pages back until then for "Page N of M" anyway): it
takes the same room whatever it says, and reads in its place in the text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfdoc import PDFObjectReference
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from psi_desktop.reporting.layout import INK, RULE, para
from psi_desktop.reporting.text import one_line

_keys = itertools.count(1)


class Bookmark(Flowable):
    """An outline entry ``title`` at ``level`` (0 is the top) pointing at where it is drawn.

    It keeps with the flowable after it, so a heading moved to the next page takes its bookmark along.
    ``page`` is the page it was drawn on (None until it is).
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
    """The page ``mark`` is printed on, as ``text`` with {page} in it (blank if it is not printed).

    Drawn where it stands as a form that is filled in once the document is laid out (see above), so it
    may point forward; on a canvas that does not hold its pages back, the page ``mark`` was on before.
    """

    def __init__(self, mark: Bookmark, style: ParagraphStyle, text: str = "{page}", *, right: bool = False) -> None:
        super().__init__()
        self.mark, self.style, self.text, self.right = mark, style, text, right

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return (available_width, self.style.leading)

    def draw(self) -> None:
        canvas = self.canv
        later = getattr(canvas, "psi_forms", None)
        if later is None:
            self.draw_number(canvas)
            return
        name = f"PsiPageRef{next(_keys)}"
        canvas.doForm(name)
        later.append((name, self.width, self.style.leading, self.draw_number))

    def draw_number(self, canvas) -> None:
        """The number (in its text) at the flowable's origin; nothing while its mark is not printed."""
        if self.mark.page is None:
            return
        text = self.text.format(page=self.mark.page)
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
