"""What every PDF shares: page sizes, styles, the running header and footer, DRAFT marks, charts, the build.

Every page says which case it is about, "Confidential - supervision record", "Page N of M" and
the date it was made. A document is written to a temporary file beside its name and renamed at
the end, so a cancelled or failed export never leaves half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from psi_desktop import __version__
from psi_desktop.reporting.archival import Attachment, make_archival
from psi_desktop.reporting.fonts import BOLD, OBLIQUE, REGULAR, register_fonts
from psi_desktop.reporting.text import clean, one_line, paragraphs

CONFIDENTIAL = "Confidential - supervision record"
DRAFT_MARK = "DRAFT - not signed"
PRIVATE_MARK = "PRIVATE - includes the \u201cFor me\u201d answers"
"""On every page of a document that prints the private "For me" answers (and in its metadata)."""
NOT_ANSWERED = "Not answered."
UNRATED = "–"

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
MARGIN = 2 * cm
PADDING = 6  # points: the frame's padding, so the running header lines up with the text
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#F2F2F2")
KEY_VALUE_STYLE = [
    ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # else reportlab adds an unembedded Helvetica
    ("BACKGROUND", (0, 0), (0, -1), SHADE),
    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]
"""The two-column "label: value" tables at the top of each document."""
WARNING = colors.HexColor("#B00020")
NEUTRAL = "#999999"
MIN_TABLE_ROWS = 3
"""A table split across pages keeps at least this many rows (besides its repeated header) on each page."""
CHART_DPI = 200
"""Charts are drawn at print size and rasterised at this resolution: sharp on paper, not too heavy."""

_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]
Decorate = Callable[..., None]
"""Draws one page's header and footer: ``(canvas, page, total, *, cases, draft, generated_on, size)``."""


class ExportCancelled(Exception):
    """The person cancelled the export; nothing was written."""


@dataclass(frozen=True, slots=True)
class Page:
    """A page size ("A4" or "Letter") and the width left for text between the margins."""

    name: str = "A4"

    @property
    def size(self) -> tuple[float, float]:
        try:
            return PAGE_SIZES[self.name]
        except KeyError:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}") from None

    @property
    def frame_width(self) -> float:
        return self.size[0] - 2 * MARGIN - 2 * PADDING

    @property
    def frame_height(self) -> float:
        return self.size[1] - 4.7 * cm - 2 * PADDING


# --- text -----------------------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    """E.g. "2 October 2026" (English month names, whatever the machine's locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def local_time(moment: dt.datetime) -> str:
    """E.g. "2 October 2026, 16:10 BST (UTC+01:00)": in this computer's time zone, which is named.

    Records keep UTC instants; a page printed in UTC would read an hour off all summer in Britain.
    """
    local = moment.astimezone()
    return f"{long_date(local.date())}, {local:%H:%M} {zone_name(local)}"


def local_date(moment: dt.datetime) -> dt.date:
    """The day ``moment`` falls on in this computer's time zone (not in UTC)."""
    return moment.astimezone().date()


def zone_name(local: dt.datetime) -> str:
    """The zone of an aware time, named and pinned to UTC: "BST (UTC+01:00)", "GMT", "UTC+05:30"."""
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    utc = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}" if minutes else "UTC"
    name = (local.tzname() or "").strip()
    if not name or name[0] in "+-" or name.startswith("UTC"):
        return utc  # no name of its own (many zones have only "+04"): the offset is the name
    return name if name == "GMT" and not minutes else f"{name} ({utc})"


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=10, leading=14, textColor=INK, spaceAfter=4
    )
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=20, leading=24, spaceAfter=10),
        "cover": ParagraphStyle("cover", parent=body, fontName=BOLD, fontSize=26, leading=32, spaceAfter=16),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=BOLD, fontSize=16, leading=20, spaceBefore=4, spaceAfter=6, keepWithNext=1
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=13, leading=17, spaceBefore=14, spaceAfter=2, keepWithNext=1
        ),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=11, leading=15, spaceBefore=10, keepWithNext=1),
        "prompt": ParagraphStyle("prompt", parent=body, fontName=BOLD, spaceBefore=8, spaceAfter=2, keepWithNext=1),
        "muted": ParagraphStyle("muted", parent=body, fontName=OBLIQUE, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=2),
        "warning": ParagraphStyle("warning", parent=body, fontName=BOLD, textColor=WARNING),
    }


def needs_shaping(text: str) -> bool:
    """Whether ``text`` has right-to-left or joining script in it (Hebrew, Arabic, Syriac, N'Ko…).

    Only such paragraphs are shaped: shaping Latin text adds ligatures ("ﬁ") that break the PDF's
    text layer for search, copy-paste and screen readers.
    """
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text if ord(ch) >= 0x0590)


@functools.cache
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    _no_latin_ligatures()
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


@functools.cache
def _no_latin_ligatures() -> None:
    """Keep the optional ligatures out of shaped text; Arabic's required joining forms stay.

    reportlab shapes each word with fixed HarfBuzz features (kern, liga, dlig); "liga" and "dlig"
    are the Latin ones that turn "first" into "ﬁrst" in the text layer.
    """
    try:
        from reportlab.pdfbase import ttfonts
    except ImportError:  # pragma: no cover
        return
    defaults = getattr(ttfonts.shapeFragWord, "__defaults__", None)
    if defaults and isinstance(defaults[0], dict):
        defaults[0].update(liga=False, dlig=False)


def para(markup: str, style: ParagraphStyle, **kwargs) -> Paragraph:
    """A Paragraph of safe markup, shaped when it holds right-to-left or joining script."""
    return Paragraph(markup, _shaped(style) if needs_shaping(markup) else style, **kwargs)


def text_paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    """User text as short, escaped Paragraphs (none for blank text)."""
    return [para(chunk, style) for chunk in paragraphs(text)]


def safe(text: str, limit: int | None = None) -> str:
    """User text for one line of Paragraph markup: cleaned, flattened, escaped (and shortened)."""
    return escape(one_line(text, limit) if limit else " ".join(clean(text).split()))


def private_notice(styles: dict[str, ParagraphStyle], what: str) -> Paragraph:
    """The line under a title (or on a cover) of a ``what`` ("note", "pack") with the "For me" answers."""
    return Paragraph(
        f"Private: this {escape(what)} includes the \u201cFor me\u201d answers, which are for you and your "
        "supervisor. Do not share it with anyone else.",
        styles["warning"],
    )


def heading(text: str, styles: dict[str, ParagraphStyle], colour: str = NEUTRAL, level: str = "h2") -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=2, color=colors.HexColor(colour), spaceBefore=1, spaceAfter=4)
    rule.keepWithNext = 1  # a heading never ends a page
    return [para(escape(clean(text)), styles[level]), rule]


class KeptTable(Table):
    """A Table that splits across pages only where each part keeps MIN_TABLE_ROWS rows or more.

    A table that fits is never split; one that does not is cut no later than MIN_TABLE_ROWS rows
    before its end, and moved to the next page rather than leave fewer on this one. NOSPLIT
    commands (rows that belong together) are honoured as before. The parts are KeptTables too.
    """

    def _getFirstPossibleSplitRowPosition(self, availHeight, ignoreSpans=0):
        rows = len(self._rowHeights)
        fits = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans)
        if fits >= rows:
            return fits
        last_allowed = sum(self._rowHeights[: max(rows - MIN_TABLE_ROWS, 0)])
        at = super()._getFirstPossibleSplitRowPosition(min(availHeight, last_allowed), ignoreSpans)
        repeated = self.repeatRows if isinstance(self.repeatRows, int) else max(self.repeatRows) + 1
        return at if at - repeated >= MIN_TABLE_ROWS else 0  # 0: not here, on the next page


def header_table(rows: list[list], widths: Sequence[float], extra: Sequence[tuple] = ()) -> Table:
    """A table with a shaded header row that repeats on every page it runs onto, rows ruled below;
    ``extra`` style commands go after the shared ones (a component's bar, bold rows)."""
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *extra,
            ]
        )
    )
    return table


def draw_footer(canvas: Canvas, left: float, right: float, bottom: float, made: str, page: int, total: int) -> None:
    """The rule, who made it and when (``made``), and "Page N of M" at the foot of a page."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(left, bottom + 12, right, bottom + 12)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(left, bottom, made)
    canvas.drawRightString(right, bottom, f"Page {page} of {total}")


def keep_tables_whole(flowables: Sequence[Flowable]) -> None:
    """Make every reportlab Table in ``flowables`` (and inside KeepTogethers) a KeptTable, in place.

    Done once in build_pdf, so no document can print a table part of one or two orphan rows,
    whichever module made the table.
    """
    for flowable in flowables:
        if type(flowable) is Table:
            flowable.__class__ = KeptTable
        keep_tables_whole(getattr(flowable, "_content", ()))


class _WrapOnce(Paragraph):
    """A Paragraph that breaks its lines once per width.

    reportlab wraps a paragraph again each time it is measured (a kept-together block, then the frame,
    then a table being split): in a portfolio two wraps in three were of a width already done. The
    lines depend only on the width, so the last ones are kept. Parts of a split are new paragraphs.
    """

    def wrap(self, availWidth, availHeight):
        if availWidth == self.__dict__.get("_psi_width") and "blPara" in self.__dict__:
            self.width = availWidth
            return availWidth, self.height
        width, height = super().wrap(availWidth, availHeight)
        self._psi_width = availWidth
        return width, height


def wrap_once(flowables: Sequence[Flowable]) -> None:
    """Make every plain Paragraph in ``flowables`` (in KeepTogethers and table cells too) a _WrapOnce, in place."""
    for flowable in flowables:
        if type(flowable) is Paragraph:
            flowable.__class__ = _WrapOnce
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                for cell in row:
                    if isinstance(cell, Flowable):
                        wrap_once([cell])
                    elif isinstance(cell, list | tuple):
                        wrap_once(cell)
        wrap_once(getattr(flowable, "_content", ()))


def keep_headings_with_next(story: Sequence[Flowable]) -> list[Flowable]:
    """``story`` with each run of keep-with-next flowables (a heading and its rule) put in the KeepTogether after it.

    reportlab keeps a heading with the next flowable, but not when that one is a KeepTogether (a
    question and its short answer): the heading could end a page alone. Here it joins that block.
    """
    result: list[Flowable] = []
    waiting: list[Flowable] = []
    for flowable in story:
        if isinstance(flowable, KeepTogether) and waiting:
            result.append(KeepTogether([*waiting, *flowable._content]))
            waiting = []
        elif not isinstance(flowable, KeepTogether) and flowable.getKeepWithNext():
            waiting.append(flowable)
        else:
            result += [*waiting, flowable]
            waiting = []
    return result + waiting


# --- charts ---------------------------------------------------------------------------------------


def _pixel_size(pixels: io.BytesIO, fig_w: float, fig_h: float) -> tuple[int, int]:
    """The (width, height) of ``pixels`` (RGBA) rendered from a figure of these inches at CHART_DPI.

    matplotlib rounds its canvas to whole pixels through its transforms (8.2 in at 200 dpi is 1640, not
    int(1639.99...)): the size within a pixel of the inches' that the bytes fill exactly.
    """
    count = len(pixels.getbuffer()) // 4
    for width in (math.floor(fig_w * CHART_DPI), math.ceil(fig_w * CHART_DPI)):
        height, rest = divmod(count, width)
        if not rest and abs(height - fig_h * CHART_DPI) < 1:
            return width, height
    raise ValueError("the chart's pixels do not match its size")


class _Picture(Image):
    """An Image of pixels already in memory (a PIL image), drawn as they are: no file to read or decode."""

    def __init__(self, picture, width: float, height: float) -> None:
        from reportlab.lib.utils import ImageReader

        self._img = ImageReader(picture)  # before Image.__init__, which measures it
        super().__init__(io.BytesIO(), width=width, height=height, hAlign="CENTER")


def chart_image(figure, width: float, height: float | None = None) -> Image:
    """A matplotlib figure as a print-sharp image ``width`` points wide (height from the figure).

    Rendered at CHART_DPI straight to pixels, which reportlab deflates: no PNG to encode and decode twice.
    """
    import matplotlib
    from PIL import Image as PILImage

    from psi_desktop.charts.style import RC_PARAMS

    fig_w, fig_h = figure.get_size_inches()
    height = height or width * fig_h / fig_w
    pixels = io.BytesIO()
    with matplotlib.rc_context(RC_PARAMS):  # as charts.figures.figure_png saves it
        figure.savefig(pixels, format="rgba", dpi=CHART_DPI, facecolor="white")
    rgba = PILImage.frombuffer("RGBA", _pixel_size(pixels, fig_w, fig_h), pixels.getbuffer(), "raw", "RGBA", 0, 1)
    # Without its alpha channel: an alpha channel would add a second image (a soft mask).
    return _Picture(rgba.convert("RGB"), width, height)


# --- pages ----------------------------------------------------------------------------------------


class PageMark(Flowable):
    """An invisible mark in the story: from here on, pages belong to ``case_code`` and are (not) drafts.

    A page that holds any draft content is marked DRAFT; one showing several cases names them all.
    """

    def __init__(self, case_code: str, *, draft: bool) -> None:
        super().__init__()
        self.case_code = one_line(case_code, 50)
        self.draft = draft
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        canvas = self.canv
        canvas.psi_case, canvas.psi_draft = self.case_code, self.draft
        if self.case_code not in canvas.psi_page_cases:
            canvas.psi_page_cases.append(self.case_code)
        canvas.psi_page_draft = canvas.psi_page_draft or self.draft


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages back until the end, so each can say "Page N of M".

    ``psi_forms`` are (name, width, height, draw) of forms used on the pages and drawn only then, when
    the whole document is laid out (outline.PageRef: a page number in a contents page)."""

    def __init__(self, *args, decorate: Callable[..., None], case_code: str, draft: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict] = []
        self.psi_case, self.psi_draft = case_code, draft
        self.psi_page_cases, self.psi_page_draft = [case_code] if case_code else [], draft
        self.psi_forms: list[tuple[str, float, float, Callable[[Canvas], None]]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()
        self.psi_page_cases = [self.psi_case] if self.psi_case else []
        self.psi_page_draft = self.psi_draft

    def save(self) -> None:
        for name, width, height, draw in self.psi_forms:
            self.beginForm(name, 0, 0, width, height)
            draw(self)
            self.endForm()
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._decorate(self, self._pageNumber, total, cases=self.psi_page_cases, draft=self.psi_page_draft)
            super().showPage()
        super().save()


def draw_draft_mark(canvas: Canvas, size: tuple[float, float], right: float, y: float, font_size: float = 10) -> None:
    """DRAFT_MARK at the right of the line at ``y``, and faintly across the page: no printed page passes for signed."""
    width, height = size
    canvas.saveState()
    canvas.setFillColor(WARNING)
    canvas.setFont(BOLD, font_size)
    canvas.drawRightString(right, y, DRAFT_MARK)
    canvas.setFillAlpha(0.08)
    canvas.setFont(BOLD, 54)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -18, DRAFT_MARK)
    canvas.restoreState()


def _decorate_page(
    canvas: Canvas,
    page: int,
    total: int,
    *,
    cases: Sequence[str],
    draft: bool,
    private: bool,
    generated_on: dt.date,
    size: tuple[float, float],
) -> None:
    width, height = size
    top = height - 1.3 * cm
    left, right = MARGIN + PADDING, width - MARGIN - PADDING
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 9)
    label = "Case" if len(cases) <= 1 else "Cases"
    canvas.drawString(left, top, one_line(f"{label} {', '.join(cases)}", 70) if cases else "PSI Desktop")
    canvas.setFont(REGULAR, 9)
    canvas.drawRightString(right, top, CONFIDENTIAL)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(left, top - 6, right, top - 6)
    if private:
        canvas.setFillColor(WARNING)
        canvas.setFont(BOLD, 10)
        canvas.drawString(left, top - 20, PRIVATE_MARK)
    if draft:
        draw_draft_mark(canvas, size, right, top - 20)
    made = f"Generated {long_date(generated_on)} by PSI Desktop {__version__}"
    draw_footer(canvas, left, right, 1.2 * cm, made, page, total)
    canvas.restoreState()


class _Document(SimpleDocTemplate):
    """Reports progress and honours cancel between flowables while laying out."""

    def __init__(self, *args, steps: int, progress: Progress | None, cancelled: Cancelled | None, **kwargs):
        super().__init__(*args, **kwargs)
        self._steps, self._done = max(steps, 1), 0
        self._progress, self._cancelled = progress, cancelled

    def afterFlowable(self, flowable: Flowable) -> None:
        self._done += 1
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled
        if self._progress is not None and self._done % 20 == 0:
            self._progress(0.5 + 0.45 * min(self._done / self._steps, 1.0), f"Laying out page {self.page}")


@contextlib.contextmanager
def _without_ascii85() -> Iterator[None]:
    """reportlab's streams only deflated, not also ASCII85-encoded (its default, in pure Python without rl_accel).

    make_archival rewrites every stream anyway, and would have to decode the ASCII85 first: encoding it
    was a tenth of a long document's time, for nothing.
    """
    from reportlab import rl_config

    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def build_pdf(
    story: list[Flowable],
    out_path: str | os.PathLike[str],
    *,
    title: str,
    author: str,
    subject: str,
    case_code: str = "",
    draft: bool = False,
    private: bool = False,
    page_size: str = "A4",
    attachments: Sequence[Attachment] = (),
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    decorate: Decorate | None = None,
    margins: tuple[float, float] = (2.5 * cm, 2.2 * cm),
) -> Path:
    """Lay ``story`` out on numbered, decorated pages and write it to ``out_path``; return that path.

    ``case_code`` and ``draft`` are what the first pages say; PageMarks in the story change them.
    A ``private`` document (one with the "For me" answers) says so on every page and in its metadata.
    ``decorate`` draws a page's header and footer instead of the supervision record's own (a paper
    for the person is not headed "Confidential - supervision record"); ``margins`` are the top and
    bottom margins it leaves room for.
    The PDF is made archival (reporting.archival: PDF/A, with ``attachments`` inside it), written
    beside ``out_path`` and renamed at the end: it appears whole or not at all.
    """
    register_fonts()
    story = keep_headings_with_next(story)
    keep_tables_whole(story)
    wrap_once(story)
    out_path = Path(out_path)
    page = Page(page_size)
    decorate = decorate or functools.partial(_decorate_page, private=private)
    decorate = functools.partial(decorate, generated_on=dt.date.today(), size=page.size)
    title, author, subject = one_line(title, 200), one_line(author, 200), one_line(subject, 200)
    keywords = ["PSI Desktop", CONFIDENTIAL, *([PRIVATE_MARK] if private else [])]
    if private:
        title, subject = f"{title} (private)", f"{subject}. It includes the private \u201cFor me\u201d answers."
    handle, part_name = tempfile.mkstemp(prefix=f".{out_path.stem[:40]}-", suffix=".pdf.part", dir=out_path.parent)
    os.close(handle)
    try:
        doc = _Document(
            part_name,
            steps=len(story),
            progress=progress,
            cancelled=cancelled,
            pagesize=page.size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=margins[0],
            bottomMargin=margins[1],
            title=title,
            author=author,
            subject=subject,
            keywords=keywords,
            creator=f"PSI Desktop {__version__}",
            producer=f"PSI Desktop {__version__}",
            initialFontName=REGULAR,
        )
        canvasmaker = functools.partial(
            _NumberedCanvas, decorate=decorate, case_code=one_line(case_code, 50), draft=draft
        )
        with _without_ascii85():
            doc.build(story, canvasmaker=canvasmaker)
        if cancelled is not None and cancelled():
            raise ExportCancelled
        make_archival(
            part_name, title=title, author=author, subject=subject, keywords=keywords, attachments=attachments
        )
        os.replace(part_name, out_path)
    except BaseException:
        Path(part_name).unlink(missing_ok=True)
        raise
    return out_path
