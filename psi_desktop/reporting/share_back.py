"""The summary to share back: one plain-language page the practitioner gives or reads to the person
after supervision (the model's transparency dimension turned into practice).

It says what we talked about (the topics the practitioner chose, in the person's words), what staff
will do differently (the reflection's actions, as written) and, only when the reflection holds the
person's own view (never an estimate), what they told us: their answers in the scale's words, their
change answer and their own words, quoted as written. Nothing else of the reflection is printed:
no ratings of the practitioner or the supervisor, no answers to the prompts (the private "For me"
ones least of all), no case code. The only identifying text is the label the practitioner chooses.

It is one page: when the text does not fit, the type gets smaller, then long texts are shortened
and then only the first actions are listed, each time saying so on the page.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from psi_desktop import __version__
from psi_desktop.domain import person_paper, person_view
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.person_paper import SummaryContent
from psi_desktop.reporting.fonts import BOLD, OBLIQUE, REGULAR, register_fonts
from psi_desktop.reporting.layout import (
    INK,
    MARGIN,
    MUTED,
    PADDING,
    RULE,
    SHADE,
    WARNING,
    Cancelled,
    ExportCancelled,
    Page,
    Progress,
    build_pdf,
    draw_draft_mark,
    draw_footer,
    header_table,
    keep_headings_with_next,
    keep_tables_whole,
    long_date,
    para,
)
from psi_desktop.reporting.provenance import NOT_VALIDATED, citations
from psi_desktop.reporting.text import clean, paragraphs

_MARGINS = (2.2 * cm, 2.0 * cm)  # top, bottom


@dataclass(frozen=True, slots=True)
class Fit:
    """How the page is made to fit: the type's scale, how long a text may be, how many actions are listed."""

    scale: float = 1.0
    limit: int | None = None
    actions: int | None = None


FITS = (
    Fit(1.0),
    Fit(0.92),
    Fit(0.84),
    Fit(0.76),
    Fit(0.76, 300),
    Fit(0.76, 160),
    Fit(0.76, 100),
    Fit(0.76, 100, 6),
    Fit(0.76, 80, 4),
    Fit(0.76, 60, 2),
)
"""Tried in turn until the page fits; the first is the summary as written, in full."""
SHORTENED = "Some of this is shortened to fit on one page. Staff have it in full."
MORE_ACTIONS = "and {n} more: ask staff about them."


# --- the page -------------------------------------------------------------------------------------


def summary_styles(scale: float = 1.0) -> dict[str, ParagraphStyle]:
    register_fonts()

    def size(points: float) -> float:
        return round(points * scale, 1)

    body = ParagraphStyle(
        "share-body",
        fontName=REGULAR,
        bulletFontName=REGULAR,
        fontSize=size(12),
        leading=size(16.5),
        textColor=INK,
        spaceAfter=size(4),
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "share-title", parent=body, fontName=BOLD, fontSize=size(20), leading=size(25), spaceAfter=size(6)
        ),
        "for": ParagraphStyle("share-for", parent=body, fontSize=size(13), leading=size(18)),
        "h2": ParagraphStyle(
            "share-h2",
            parent=body,
            fontName=BOLD,
            fontSize=size(14),
            leading=size(18),
            spaceBefore=size(10),
            spaceAfter=size(2),
            keepWithNext=1,
        ),
        "bullet": ParagraphStyle("share-bullet", parent=body, leftIndent=16, bulletIndent=3, spaceAfter=size(2)),
        "cell": ParagraphStyle("share-cell", parent=body, spaceAfter=0),
        "answer": ParagraphStyle("share-answer", parent=body, fontName=BOLD, spaceAfter=0),
        "words": ParagraphStyle("share-words", parent=body, spaceAfter=size(2)),
        "draft": ParagraphStyle("share-draft", parent=body, fontName=BOLD, textColor=WARNING),
        "note": ParagraphStyle("share-note", parent=body, fontName=OBLIQUE, textColor=MUTED),
        "foot": ParagraphStyle(
            "share-foot", parent=body, fontName=REGULAR, fontSize=8, leading=10, textColor=MUTED, spaceBefore=6
        ),
    }


def _cut(text: str, limit: int | None) -> tuple[str, bool]:
    """``text`` flattened to one paragraph, cut to ``limit`` characters at a word (with "…"); and whether it was."""
    flat = " ".join(" ".join(paragraphs(text)).split()) if text.strip() else ""
    if limit is None or len(flat) <= limit:
        return flat, False
    return flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "\u2026", True


def _heading(text: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=1.5, color=RULE, spaceBefore=1, spaceAfter=4)
    rule.keepWithNext = 1
    return [para(escape(text), styles["h2"]), rule]


def summary_story(content: SummaryContent, framework: Framework, page: Page, fit: Fit = FITS[0]) -> list[Flowable]:
    """The page's flowables, laid out at ``fit``."""
    s = summary_styles(fit.scale)
    shortened = False
    story: list[Flowable] = [para(escape(person_paper.SUMMARY_TITLE), s["title"])]
    if content.label:
        story.append(para(f"{escape(person_paper.FOR_LINE)} <b>{escape(clean(content.label))}</b>", s["for"]))
    story.append(
        para(
            f"{escape(person_paper.session_line(long_date(content.session_date)))} "
            f"{escape(person_paper.WHAT_SUPERVISION_IS)}",
            s["body"],
        )
    )
    if content.draft:
        story.append(para(escape(person_paper.DRAFT_NOTE), s["draft"]))

    if content.topics:
        story += _heading(person_paper.TALKED_ABOUT, s)
        story += [para(escape(clean(topic)), s["bullet"], bulletText="\u2022") for topic in content.topics]

    story += _heading(person_paper.STAFF_WILL, s)
    actions = content.actions if fit.actions is None else content.actions[: fit.actions]
    for text in actions:
        cut, was = _cut(text, fit.limit)
        shortened |= was
        story.append(para(escape(clean(cut)), s["bullet"], bulletText="\u2022"))
    if len(actions) < len(content.actions):
        more = MORE_ACTIONS.format(n=len(content.actions) - len(actions))
        story.append(para(f"<i>{escape(more)}</i>", s["bullet"], bulletText="\u2022"))
    if not content.actions:
        story.append(para(escape(person_paper.NOTHING_AGREED), s["body"]))

    if content.has_own_view:
        story += _heading(person_paper.YOU_TOLD_US, s)
        story.append(para(f"{escape(content.source_intro)} {escape(person_paper.THANK_YOU)}", s["body"]))
        if content.told_us:
            story.append(_told_us_table(content.told_us, s, page))
        if content.change:
            story.append(
                para(
                    f"{escape(person_view.CHANGE_QUESTION)} {escape(person_paper.YOUR_ANSWER)}: "
                    f"<b>{escape(content.change)}</b>",
                    s["body"],
                )
            )
        words, was = _cut(content.words, fit.limit)
        shortened |= was
        if words:
            story.append(para(escape(person_paper.YOUR_WORDS), s["body"]))
            story.append(_quoted(words, s, page))
    if shortened:
        story.append(para(escape(SHORTENED), s["note"]))
    story.append(_footnote(framework, s))
    return story


def _told_us_table(rows: Sequence[tuple[str, str]], s: dict[str, ParagraphStyle], page: Page) -> Table:
    head = ParagraphStyle("share-head", parent=s["cell"], fontName=BOLD)
    data: list[list[Flowable]] = [[para(escape(person_paper.THE_SENTENCE), head), para(person_paper.YOUR_ANSWER, head)]]
    data += [
        [para(f"\u201c{escape(clean(statement))}\u201d", s["cell"]), para(escape(clean(answer)), s["answer"])]
        for statement, answer in rows
    ]
    answer_width = 4.2 * cm
    return header_table(
        data,
        (page.frame_width - answer_width, answer_width),
        extra=[("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)],
    )


def _quoted(words: str, s: dict[str, ParagraphStyle], page: Page) -> Table:
    """The person's own words, as written, in a shaded box with a bar beside it."""
    table = Table([[para(f"\u201c{escape(clean(words))}\u201d", s["words"])]], colWidths=(page.frame_width,))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor("#005EB8")),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _footnote(framework: Framework, s: dict[str, ParagraphStyle]) -> Flowable:
    works = " Also: ".join(clean(work) for work in citations([framework]))
    text = f"{person_paper.TOPICS_PROPOSED} {clean(framework.name)} is built from {works} {NOT_VALIDATED}"
    return KeepTogether([Spacer(1, 4), para(escape(text), s["foot"])])


def _decorate(
    canvas: Canvas,
    page: int,
    total: int,
    *,
    cases: Sequence[str],
    draft: bool,
    generated_on: dt.date,
    size: tuple[float, float],
) -> None:
    """Who made it at the bottom; DRAFT at the top and across a draft's page (the label is under the title)."""
    width, height = size
    left, right = MARGIN + PADDING, width - MARGIN - PADDING
    top = height - 1.3 * cm
    canvas.saveState()
    if draft:
        draw_draft_mark(canvas, size, right, top)
    draw_footer(
        canvas, left, right, 1.1 * cm, f"Made {long_date(generated_on)} with PSI Desktop {__version__}", page, total
    )
    canvas.restoreState()


def pages_at(content: SummaryContent, framework: Framework, page: Page, fit: Fit) -> int:
    """How many pages the summary takes at ``fit`` (laid out in memory, as build_pdf lays it out)."""
    story = keep_headings_with_next(summary_story(content, framework, page, fit))
    keep_tables_whole(story)
    doc = SimpleDocTemplate(
        io.BytesIO(),
        pagesize=page.size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_MARGINS[0],
        bottomMargin=_MARGINS[1],
        initialFontName=REGULAR,
    )
    doc.build(story)
    return int(doc.page)


def fitting(content: SummaryContent, framework: Framework, page: Page) -> Fit:
    """The first of FITS at which the summary takes one page (the last, if none does)."""
    for fit in FITS:
        if pages_at(content, framework, page, fit) == 1:
            return fit
    return FITS[-1]


def build_summary(
    content: SummaryContent,
    framework: Framework,
    out_path: str | os.PathLike[str],
    *,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the one-page summary of ``content`` to ``out_path`` (PDF, A4 or "Letter"); return that path."""
    page = Page(page_size)
    if progress is not None:
        progress(0.1, "Fitting the summary on one page")
    fit = fitting(content, framework, page)
    if cancelled is not None and cancelled():
        raise ExportCancelled
    if progress is not None:
        progress(0.5, "Laying out the page")
    return build_pdf(
        summary_story(content, framework, page, fit),
        out_path,
        title=person_paper.SUMMARY_TITLE,
        author="PSI Desktop",
        subject=f"A summary to share back, of the supervision on {long_date(content.session_date)}",
        draft=content.draft,
        page_size=page_size,
        progress=progress,
        cancelled=cancelled,
        decorate=_decorate,
        margins=_MARGINS,
    )
