"""The person form: the questions of hand-over mode on paper, in large print, for people who would
rather write (or when the laptop cannot be handed over).

It prints exactly the wording of domain.person_view: the consent words, each easy-read statement
with the scale's anchors as big tick boxes and "I'd rather not say", the change question, a lined
box for their own words, and thanks. Large print throughout: 16 pt body, nothing under 14 pt, not
even the page numbers; boxes 1 cm across. No case code, no dimension names or ids: the only
identifying text is the label the practitioner chooses (a first name, initials), if any. At the
end, for staff: how to type the answers in (source "Feedback form") and where the sentences come from.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from psi_desktop.domain import person_paper, person_view
from psi_desktop.domain.framework import Framework, Provenance
from psi_desktop.reporting.fonts import BOLD, REGULAR, register_fonts
from psi_desktop.reporting.layout import (
    INK,
    MARGIN,
    MUTED,
    PADDING,
    RULE,
    Cancelled,
    ExportCancelled,
    Page,
    Progress,
    build_pdf,
    para,
)
from psi_desktop.reporting.provenance import NOT_VALIDATED, citations
from psi_desktop.reporting.text import clean, one_line

BODY_PT = 16
"""The body text: large print."""
SMALLEST_PT = 14
"""Nothing on the form is smaller, the page furniture and the notes for staff included."""
BOX = 1.0 * cm
"""A tick box's side: big enough to mark by hand."""
WRITING_LINES = 6
"""Lines to write on under "Anything you want staff to know?"."""
_LINE_GAP = 1.3 * cm


def form_styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle(
        "form-body", fontName=REGULAR, fontSize=BODY_PT, leading=BODY_PT * 1.45, textColor=INK, spaceAfter=12
    )
    return {
        "body": body,
        "title": ParagraphStyle("form-title", parent=body, fontName=BOLD, fontSize=28, leading=34, spaceAfter=18),
        "question": ParagraphStyle(
            "form-question", parent=body, fontName=BOLD, fontSize=18, leading=25, spaceAfter=10, keepWithNext=1
        ),
        "choice": ParagraphStyle("form-choice", parent=body, spaceAfter=0),
        "anchor": ParagraphStyle("form-anchor", parent=body, alignment=TA_CENTER, leading=20, spaceAfter=0),
        "line": ParagraphStyle("form-line", parent=body, fontSize=18, leading=26, spaceAfter=6),
        "staff": ParagraphStyle(
            "form-staff", parent=body, fontSize=SMALLEST_PT, leading=SMALLEST_PT * 1.25, textColor=MUTED, spaceAfter=6
        ),
    }


class TickBox(Flowable):
    """An empty square ``size`` across, to tick by hand."""

    def __init__(self, size: float = BOX) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return (self.size, self.size)

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setFillColor(colors.white)
        canvas.setLineWidth(1.6)
        canvas.rect(0, 0, self.size, self.size, stroke=1, fill=1)
        canvas.restoreState()


class WritingLines(Flowable):
    """``count`` ruled lines across the frame, ``gap`` apart, to write on."""

    def __init__(self, count: int, gap: float = _LINE_GAP) -> None:
        super().__init__()
        self.count, self.gap = count, gap

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = available_width, self.count * self.gap
        return (self.width, self.height)

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.8)
        for n in range(self.count):
            y = self.height - (n + 1) * self.gap + 2
            canvas.line(0, y, self.width, y)
        canvas.restoreState()


def _box_row(labels: Sequence[str], styles: dict[str, ParagraphStyle], page: Page) -> Table:
    """The scale's anchors side by side, each a box above its label, in the scale's order."""
    width = page.frame_width / len(labels)
    boxes = [TickBox() for _ in labels]
    names = [para(escape(clean(label)), styles["anchor"]) for label in labels]
    table = Table([boxes, names], colWidths=[width] * len(labels), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 0),
            ]
        )
    )
    return table


def _box_list(labels: Sequence[str], styles: dict[str, ParagraphStyle], page: Page) -> Table:
    """Choices one under another, each a box with its label beside it."""
    rows = [[TickBox(), para(escape(clean(label)), styles["choice"])] for label in labels]
    table = Table(rows, colWidths=(BOX + 0.5 * cm, page.frame_width - BOX - 0.5 * cm), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _filled_line(label: str, styles: dict[str, ParagraphStyle]) -> Paragraph:
    return para(f"{escape(label)} {'_' * 24}", styles["line"])


def form_story(framework: Framework, label: str, styles: dict[str, ParagraphStyle], page: Page) -> list[Flowable]:
    """The form's flowables: the welcome page, one block per statement, the change question, the
    words box, thanks, then the notes for staff."""
    story: list[Flowable] = [para(escape(person_view.TITLE), styles["title"])]
    label = one_line(label, 60)
    if label:
        story.append(para(f"{escape(person_paper.FOR_LINE)} <b>{escape(label)}</b>", styles["line"]))
    story += [_filled_line(person_paper.DATE_LINE, styles), Spacer(1, 14)]
    story += [para(escape(text), styles["body"]) for text in person_view.CONSENT]
    story += [
        Spacer(1, 10),
        para(f"<b>{escape(person_view.ANSWER_HOW)}</b>", styles["body"]),
        para(escape(person_paper.TICK_ONE), styles["body"]),
        Spacer(1, 20),
    ]
    anchors = [point.label for point in framework.scale]
    for number, dimension in enumerate(person_view.statements(framework), start=1):
        assert dimension.easy_read is not None  # statements() gives only those with one
        story.append(
            KeepTogether(
                [
                    para(f"{number}.&nbsp;&nbsp;{escape(clean(dimension.easy_read.text))}", styles["question"]),
                    _box_row(anchors, styles, page),
                    Spacer(1, 10),
                    _box_list([person_view.RATHER_NOT_SAY], styles, page),
                    Spacer(1, 26),
                ]
            )
        )
    story.append(
        KeepTogether(
            [
                para(escape(person_view.CHANGE_QUESTION), styles["question"]),
                _box_list([choice.label for choice in person_view.CHANGE_CHOICES], styles, page),
                Spacer(1, 26),
            ]
        )
    )
    story.append(
        KeepTogether(
            [
                para(escape(person_view.WORDS_QUESTION), styles["question"]),
                para(escape(person_view.WORDS_HINT), styles["body"]),
                WritingLines(WRITING_LINES),
                Spacer(1, 14),
            ]
        )
    )
    story.append(
        KeepTogether(
            [
                para(f"<b>{escape(person_view.THANKS[0])}</b>", styles["body"]),
                para(escape(person_paper.FORM_THANKS), styles["body"]),
            ]
        )
    )
    story += [PageBreak(), *staff_notes(framework, styles)]
    return story


def staff_notes(framework: Framework, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The last page, for staff: how to type the answers in, and where the sentences come from (the
    paper cited once)."""
    numbered = list(enumerate(person_view.statements(framework), start=1))
    added = [str(n) for n, d in numbered if d.provenance is Provenance.PROPOSED]
    if len(added) > 1:
        parts = f"Sentences {', '.join(added[:-1])} and {added[-1]} are about dimensions PSI Desktop added"
    elif added:
        parts = f"Sentence {added[0]} is about a dimension PSI Desktop added"
    parts = f"{parts}; the others about what the study found." if added else "Each is about what the study found."
    works = " Also: ".join(clean(work) for work in citations([framework]))
    return [
        para(escape(person_paper.FOR_STAFF), styles["question"]),
        para(escape(person_paper.TYPE_IN), styles["body"]),
        _filled_line(person_paper.TYPED_IN_LINE, styles),
        Spacer(1, 20),
        Paragraph(
            f"{escape(person_paper.STATEMENTS_PROPOSED)} {escape(parts)} "
            f"{escape(clean(framework.name))} is built from {escape(works)} {escape(NOT_VALIDATED)}",
            styles["staff"],
        ),
    ]


def _decorate(
    canvas: Canvas,
    page: int,
    total: int,
    *,
    label: str,
    cases: Sequence[str],
    draft: bool,
    generated_on: dt.date,
    size: tuple[float, float],
) -> None:
    """The label (if any) at the top, the page number at the bottom, both in 14 pt: nothing else."""
    width, height = size
    left, right = MARGIN + PADDING, width - MARGIN - PADDING
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, SMALLEST_PT)
    if label and page > 1:  # the first page has it under the title
        canvas.drawString(left, height - 1.5 * cm, one_line(f"{person_paper.FOR_LINE} {label}", 60))
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(left, 1.3 * cm + SMALLEST_PT + 4, right, 1.3 * cm + SMALLEST_PT + 4)
    canvas.drawRightString(right, 1.3 * cm, f"Page {page} of {total}")
    canvas.restoreState()


def build_person_form(
    framework: Framework,
    out_path: str | os.PathLike[str],
    *,
    label: str = "",
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the blank person form of ``framework`` to ``out_path`` (PDF, A4 or "Letter"); return that path.

    ``label`` (a first name or initials the practitioner chose) is printed at the top of every page;
    nothing else on it names anyone.
    """
    from functools import partial

    page = Page(page_size)
    if progress is not None:
        progress(0.1, "Writing the form")
    story = form_story(framework, label, form_styles(), page)
    if cancelled is not None and cancelled():
        raise ExportCancelled
    return build_pdf(
        story,
        out_path,
        title=person_view.TITLE,
        author="PSI Desktop",
        subject="A form for the person's own view, in large print",
        page_size=page_size,
        progress=progress,
        cancelled=cancelled,
        decorate=partial(_decorate, label=one_line(label, 60)),
        margins=(2.6 * cm, 2.6 * cm),
    )
