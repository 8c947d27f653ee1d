"""The supervision note: one reflection as an A4 PDF, with its answers, radar, ratings and sign-off."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape as _escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
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
    Spacer,
    Table,
    TableStyle,
)

from psi_desktop import __version__
from psi_desktop.charts.radar import figure_png, radar_figure, rated_perspectives
from psi_desktop.charts.style import text_colour
from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.framework import Framework, PromptMarker
from psi_desktop.domain.model import Action, Perspective, Reflection, ServiceUserSource
from psi_desktop.domain.rules import component_means, discussion_points
from psi_desktop.reporting.fonts import BOLD, OBLIQUE, REGULAR, register_fonts
from psi_desktop.reporting.text import clean, one_line, paragraphs

CONFIDENTIAL = "Confidential - supervision record"
DRAFT_MARK = "DRAFT - not signed"
NOT_ANSWERED = "Not answered."
UNRATED = "–"

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 2 * cm
_PADDING = 6  # points: the frame's padding, so the running header lines up with the text
_FRAME_WIDTH = _PAGE_WIDTH - 2 * _MARGIN - 2 * _PADDING
_RADAR_SIZE = (5.8, 5.0)  # inches: drawn at print size, so its 10 pt text prints at 10 pt
_INK = colors.HexColor("#222222")
_MUTED = colors.HexColor("#555555")
_RULE = colors.HexColor("#BBBBBB")
_SHADE = colors.HexColor("#F2F2F2")
_WARNING = colors.HexColor("#B00020")
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def build_supervision_note(
    reflection: Reflection,
    framework: Framework,
    case_code: str,
    out_path: str | os.PathLike[str],
    *,
    include_restorative: bool = False,
    actions: Sequence[Action] = (),
) -> Path:
    """Write the reflection's supervision note to ``out_path`` (A4 PDF) and return that path.

    The restorative section ("For me") is left out unless ``include_restorative``: it belongs to
    the practitioner. ``actions`` are those agreed in this reflection, listed after the discussion
    points. The file appears whole or not at all.
    """
    register_fonts()
    out_path = Path(out_path)
    styles = _styles()
    story = _story(reflection, framework, case_code, styles, include_restorative, actions)
    decorate = functools.partial(
        _decorate_page,
        case_code=one_line(case_code, 50),
        draft=not reflection.signed,
        generated_on=dt.date.today(),
    )
    practitioner = one_line(reflection.practitioner, 200)
    handle, part_name = tempfile.mkstemp(prefix=".supervision-note-", suffix=".pdf.part", dir=out_path.parent)
    os.close(handle)
    try:
        doc = SimpleDocTemplate(
            part_name,
            pagesize=A4,
            leftMargin=_MARGIN,
            rightMargin=_MARGIN,
            topMargin=2.5 * cm,
            bottomMargin=2.2 * cm,
            title=f"Supervision note - {one_line(case_code, 80)}",
            author=practitioner,
            subject=f"Supervision note of the session on {_long_date(reflection.session_date)}",
            creator=f"PSI Desktop {__version__}",
            initialFontName=REGULAR,
        )
        doc.build(story, canvasmaker=functools.partial(_NumberedCanvas, decorate=decorate))
        os.replace(part_name, out_path)
    except BaseException:
        Path(part_name).unlink(missing_ok=True)
        raise
    return out_path


# --- the pages' frame: header, footer, draft mark --------------------------------------------------


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages back until the end, so each can say "Page N of M"."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._decorate(self, self._pageNumber, total)
            super().showPage()
        super().save()


def _decorate_page(
    canvas: Canvas, page: int, total: int, *, case_code: str, draft: bool, generated_on: dt.date
) -> None:
    top = _PAGE_HEIGHT - 1.3 * cm
    left, right = _MARGIN + _PADDING, _PAGE_WIDTH - _MARGIN - _PADDING
    canvas.saveState()
    canvas.setFillColor(_INK)
    canvas.setFont(BOLD, 9)
    canvas.drawString(left, top, f"Case {case_code}")
    canvas.setFont(REGULAR, 9)
    canvas.drawRightString(right, top, CONFIDENTIAL)
    canvas.setStrokeColor(_RULE)
    canvas.setLineWidth(0.6)
    canvas.line(left, top - 6, right, top - 6)
    if draft:
        canvas.setFillColor(_WARNING)
        canvas.setFont(BOLD, 10)
        canvas.drawRightString(right, top - 20, DRAFT_MARK)
        # A faint diagonal mark across the page as well, so no printed page passes for signed.
        canvas.saveState()
        canvas.setFillAlpha(0.08)
        canvas.setFont(BOLD, 54)
        canvas.translate(_PAGE_WIDTH / 2, _PAGE_HEIGHT / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -18, DRAFT_MARK)
        canvas.restoreState()
    bottom = 1.2 * cm
    canvas.setStrokeColor(_RULE)
    canvas.line(left, bottom + 12, right, bottom + 12)
    canvas.setFillColor(_MUTED)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(left, bottom, f"Generated {_long_date(generated_on)} by PSI Desktop {__version__}")
    canvas.drawRightString(right, bottom, f"Page {page} of {total}")
    canvas.restoreState()


# --- the story ------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=10, leading=14, textColor=_INK, spaceAfter=4
    )
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=20, leading=24, spaceAfter=10),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=13, leading=17, spaceBefore=14, spaceAfter=2, keepWithNext=1
        ),
        "prompt": ParagraphStyle("prompt", parent=body, fontName=BOLD, spaceBefore=8, spaceAfter=2, keepWithNext=1),
        "muted": ParagraphStyle("muted", parent=body, fontName=OBLIQUE, textColor=_MUTED),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=2),
        "warning": ParagraphStyle("warning", parent=body, fontName=BOLD, textColor=_WARNING),
    }


def _story(
    reflection: Reflection,
    framework: Framework,
    case_code: str,
    styles: dict[str, ParagraphStyle],
    include_restorative: bool,
    actions: Sequence[Action],
) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("Supervision note", styles["title"])]
    story.append(_header_table(reflection, framework, case_code, styles))
    wellbeing_prompt = framework.prompt_with_marker(PromptMarker.WELLBEING)
    restorative = wellbeing_prompt.section if wellbeing_prompt else None
    for section in framework.sections:
        if section.id == restorative and not include_restorative:
            continue
        story += _section(reflection, framework, section.id, styles)
    story += _ratings(reflection, framework, styles)
    story += _discussion(reflection, framework, styles)
    story += _distress(reflection, styles)
    if actions:
        story += _actions(actions, framework, styles)
    story += _sign_off(reflection, styles)
    if reflection.amendments:
        story += _amendments(reflection, styles)
    return story


def _header_table(reflection: Reflection, framework: Framework, case_code: str, styles) -> Table:
    def cell(text: str) -> Paragraph:
        return Paragraph(_escape(text), styles["cell"])

    rows = [
        ("Case", one_line(case_code, 200)),
        ("Session date", _long_date(reflection.session_date)),
        ("Practitioner", one_line(reflection.practitioner, 200) or "–"),
        ("Supervisor", one_line(reflection.supervisor, 200) or "–"),
        ("Framework", f"{one_line(framework.name)}, version {reflection.framework_version}"),
        ("Status", reflection.status.label),
    ]
    table = Table(
        [(cell(key), cell(value)) for key, value in rows],
        colWidths=(3.6 * cm, _FRAME_WIDTH - 3.6 * cm),
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # else reportlab adds an unembedded Helvetica
                ("BACKGROUND", (0, 0), (0, -1), _SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, _RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _heading(text: str, colour: str, styles) -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=2, color=colors.HexColor(colour), spaceBefore=1, spaceAfter=4)
    rule.keepWithNext = 1  # a heading never ends a page
    return [Paragraph(_escape(text), styles["h2"]), rule]


def _section(reflection: Reflection, framework: Framework, section_id: str, styles) -> list[Flowable]:
    section = framework.section(section_id)
    component = framework.component_for_section(section_id)
    story = _heading(section.label, component.colour if component else "#999999", styles)
    for prompt in framework.prompts_of(section_id):
        block: list[Flowable] = [Paragraph(_escape(clean(prompt.text)), styles["prompt"])]
        answer = [Paragraph(chunk, styles["body"]) for chunk in paragraphs(reflection.answers.get(prompt.id, ""))]
        marker = _marker_text(reflection, framework, prompt.marker)
        if marker:
            answer.append(Paragraph(marker, styles["body"]))
        block += answer or [Paragraph(NOT_ANSWERED, styles["muted"])]
        # A short answer stays on the page of its question; a long one flows on.
        story += [KeepTogether(block)] if len(block) <= 3 else block
    return story


def _marker_text(reflection: Reflection, framework: Framework, marker: PromptMarker | None) -> str:
    """The structured answer a prompt carries beside its text, as Paragraph markup, or ""."""
    if marker is PromptMarker.TRAUMA_ECHO and reflection.trauma_echo is not None:
        return f"<i>Could echo earlier trauma:</i> {reflection.trauma_echo.value.capitalize()}"
    if marker is PromptMarker.WELLBEING and reflection.wellbeing is not None:
        return f"<i>My wellbeing:</i> {_rating(framework, reflection.wellbeing)}"
    return ""


def _rating(framework: Framework, value: int | None) -> str:
    if value is None:
        return UNRATED
    try:
        return f"{value} {framework.scale_label(value)}"
    except KeyError:
        return str(value)


def _perspective_heading(perspective: Perspective, source: ServiceUserSource | None) -> str:
    if perspective is Perspective.SERVICE_USER and source is not None:
        return f"{perspective.label}\n({'estimate' if source is ServiceUserSource.ESTIMATE else source.label})"
    return perspective.label


def _ratings(reflection: Reflection, framework: Framework, styles) -> list[Flowable]:
    story = _heading("Ratings", "#999999", styles)
    shown = rated_perspectives(reflection)
    if not shown:
        return [*story, Paragraph("No ratings yet.", styles["muted"])]
    scale = ", ".join(f"{point.value} {point.label}" for point in framework.scale)
    story.append(Paragraph(f"{_escape(clean(framework.question))} ({_escape(scale)})", styles["body"]))

    figure = radar_figure(reflection, framework, size=_RADAR_SIZE)
    width, height = (inches * 72 for inches in _RADAR_SIZE)
    story.append(Image(_opaque_png(figure_png(figure)), width=width, height=height, hAlign="CENTER"))
    story = [KeepTogether(story)]

    means = component_means(reflection, framework)
    header = ["Dimension", *(_perspective_heading(p, reflection.service_user_source) for p in shown)]
    rows: list[list[str]] = [header]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("LEADING", (0, 0), (-1, -1), 12),
        ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for component in framework.components:
        row = len(rows)
        rows.append([component.label, *(_mean(means[p][component.id]) for p in shown)])
        commands += [
            ("FONTNAME", (0, row), (-1, row), BOLD),
            ("TEXTCOLOR", (0, row), (0, row), colors.HexColor(text_colour(component.colour))),
            ("BACKGROUND", (0, row), (-1, row), _SHADE),
            ("LINEBEFORE", (0, row), (0, row), 4, colors.HexColor(component.colour)),
        ]
        for dimension in framework.dimensions_of(component.id):
            rows.append(
                [
                    f"   {dimension.label}",
                    *(_rating(framework, reflection.ratings_of(p).get(dimension.id)) for p in shown),
                ]
            )
    value_width = min(3.8 * cm, (_FRAME_WIDTH - 5.5 * cm) / len(shown))
    table = Table(rows, colWidths=(5.5 * cm, *([value_width] * len(shown))), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    story += [Spacer(1, 6), table]
    return story


def _opaque_png(png: bytes) -> io.BytesIO:
    """The PNG without its alpha channel: the chart is drawn on white, and an alpha channel would
    add a second image (a soft mask) to the PDF."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as picture:
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _mean(value: float | None) -> str:
    return UNRATED if value is None else f"mean {value:.1f}"


def _dimension_label(framework: Framework, dimension_id: str) -> str:
    try:
        return framework.dimension(dimension_id).label
    except KeyError:
        return dimension_id


def _discussion(reflection: Reflection, framework: Framework, styles) -> list[Flowable]:
    story = _heading("Discussion points", "#999999", styles)
    if not (reflection.ratings_of(Perspective.PRACTITIONER) and reflection.ratings_of(Perspective.SUPERVISOR)):
        return [
            *story,
            Paragraph("Discussion points appear once you and your supervisor have both rated.", styles["muted"]),
        ]
    order = {dim_id: index for index, dim_id in enumerate(framework.dimension_ids)}
    gaps = sorted(discussion_points(reflection), key=lambda gap: order.get(gap.dimension, len(order)))
    if not gaps:
        return [*story, Paragraph("No dimension differs by 2 or more between you and your supervisor.", styles["body"])]
    for gap in gaps:
        label = _escape(clean(_dimension_label(framework, gap.dimension)))
        text = f"You rated {label} {_rating(framework, gap.first)}, your supervisor {_rating(framework, gap.second)}."
        story.append(Paragraph(text, styles["bullet"], bulletText="•"))
    return [KeepTogether(story)]


def _distress(reflection: Reflection, styles) -> list[Flowable]:
    story = _heading("Impact on distress", "#999999", styles)
    impacts = reflection.distress_impact
    if not impacts:
        return [*story, Paragraph("Not recorded.", styles["muted"])]
    for perspective in Perspective:
        if perspective in impacts:
            text = f"{perspective.label}: {impacts[perspective].value.capitalize()}"
            story.append(Paragraph(text, styles["bullet"], bulletText="•"))
    return [KeepTogether(story)]


def _actions(actions: Sequence[Action], framework: Framework, styles) -> list[Flowable]:
    story = _heading("Actions agreed", "#999999", styles)
    for action in actions:
        details = [action.status.label]
        if action.due_on is not None:
            details.append(f"due {_long_date(action.due_on)}")
        if action.dimension:
            details.append(_escape(clean(_dimension_label(framework, action.dimension))))
        chunks = paragraphs(action.text) or [""]
        chunks[-1] += f" <i>({', '.join(details)})</i>"
        story.append(Paragraph(chunks[0], styles["bullet"], bulletText="•"))
        story += [Paragraph(chunk, styles["bullet"]) for chunk in chunks[1:]]
    return story


def _sign_off(reflection: Reflection, styles) -> list[Flowable]:
    story = _heading("Sign-off", "#999999", styles)
    signature = reflection.signature
    if signature is None:
        story.append(Paragraph("Not signed yet. This is a draft: the record can still change.", styles["body"]))
        return [KeepTogether(story)]
    signed_at = signature.signed_at.astimezone(dt.UTC)
    story += [
        Paragraph(f"<b>Signed by:</b> {_escape(one_line(signature.signed_by, 200))}", styles["body"]),
        Paragraph(f"<b>Signed at:</b> {_long_date(signed_at.date())}, {signed_at:%H:%M} UTC", styles["body"]),
        Paragraph(f"<b>Content SHA-256:</b> {_escape(signature.content_sha256)}", styles["body"]),
        Paragraph(
            "The hash covers the record's content: anyone can check this page against the record or a bundle of it.",
            styles["muted"],
        ),
    ]
    if reflection_sha256(reflection) != signature.content_sha256:
        story.append(Paragraph("Warning: the content printed here does not match the signed hash.", styles["warning"]))
    return [KeepTogether(story)]


def _amendments(reflection: Reflection, styles) -> list[Flowable]:
    story = _heading("Amendments after signing", "#999999", styles)
    for amendment in reflection.amendments:
        made_at = amendment.made_at.astimezone(dt.UTC)
        story.append(
            Paragraph(
                f"{_long_date(made_at.date())}, {made_at:%H:%M} UTC, {_escape(one_line(amendment.author, 200))}",
                styles["prompt"],
            )
        )
        story += [Paragraph(f"<i>Reason:</i> {chunk}", styles["body"]) for chunk in paragraphs(amendment.reason)[:1]]
        story += [Paragraph(chunk, styles["body"]) for chunk in paragraphs(amendment.reason)[1:]]
        story += [Paragraph(chunk, styles["body"]) for chunk in paragraphs(amendment.changes)]
    return story


def _long_date(day: dt.date) -> str:
    """E.g. "2 October 2026" (English month names, whatever the machine's locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
