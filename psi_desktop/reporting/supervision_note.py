"""The supervision note: one reflection as an A4 PDF, with its answers, radar, ratings and sign-off."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from psi_desktop.charts.radar import radar_figure, rated_perspectives
from psi_desktop.charts.style import text_colour
from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.framework import Framework, PromptMarker
from psi_desktop.domain.model import Action, Perspective, Reflection, ServiceUserSource
from psi_desktop.domain.rules import component_means, discussion_points
from psi_desktop.reporting.archival import Attachment
from psi_desktop.reporting.fonts import BOLD, REGULAR
from psi_desktop.reporting.layout import (
    CONFIDENTIAL,
    DRAFT_MARK,
    INK,
    KEY_VALUE_STYLE,
    NEUTRAL,
    NOT_ANSWERED,
    RULE,
    SHADE,
    UNRATED,
    Cancelled,
    ExportCancelled,
    Page,
    PageMark,
    Progress,
    build_pdf,
    chart_image,
    heading,
    local_time,
    long_date,
    para,
    private_notice,
    styles,
    text_paragraphs,
)
from psi_desktop.reporting.text import clean, one_line, paragraphs

__all__ = ["CONFIDENTIAL", "DRAFT_MARK", "build_supervision_note", "note_story"]

_RADAR_SIZE = (5.8, 5.0)  # inches: drawn at print size, so its 10 pt text prints at 10 pt


def build_supervision_note(
    reflection: Reflection,
    framework: Framework,
    case_code: str,
    out_path: str | os.PathLike[str],
    *,
    include_restorative: bool = False,
    actions: Sequence[Action] = (),
    record: Attachment | None = None,
    record_withheld: bool = False,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the reflection's supervision note to ``out_path`` (PDF, A4 or "Letter") and return that path.

    The restorative section ("For me") is left out unless ``include_restorative``: it belongs to
    the practitioner. ``actions`` are those agreed in this reflection, listed after the discussion
    points. The file appears whole or not at all; ``progress(fraction, message)`` is told how far
    it has got and ``cancelled()`` is asked between steps (ExportCancelled if it says yes).
    ``record`` (a signed reflection's own record) is attached to the PDF and named on its last page;
    ``record_withheld`` says there that it was left out, because it holds private answers.
    """
    page = Page(page_size)
    if progress is not None:
        progress(0.05, "Drawing the radar")
    s = styles()
    story = note_story(
        reflection,
        framework,
        case_code,
        s,
        page,
        include_restorative=include_restorative,
        actions=actions,
        after_sign_off=_record_line(record, record_withheld, s),
    )
    if cancelled is not None and cancelled():
        raise ExportCancelled
    if progress is not None:
        progress(0.5, "Laying out the pages")
    return build_pdf(
        story,
        out_path,
        title=f"Supervision note - {one_line(case_code, 80)}",
        author=one_line(reflection.practitioner, 200),
        subject=f"Supervision note of the session on {long_date(reflection.session_date)}",
        case_code=case_code,
        draft=not reflection.signed,
        private=include_restorative,
        page_size=page_size,
        attachments=[record] if record else [],
        progress=progress,
        cancelled=cancelled,
    )


# --- the story ------------------------------------------------------------------------------------


def note_story(
    reflection: Reflection,
    framework: Framework,
    case_code: str,
    styles: dict[str, ParagraphStyle],
    page: Page,
    *,
    include_restorative: bool = False,
    actions: Sequence[Action] = (),
    title: str = "Supervision note",
    after_sign_off: Sequence[Flowable] = (),
) -> list[Flowable]:
    """The note's flowables, from its title to its amendments (also used inside the portfolio).

    ``after_sign_off`` is printed on the sign-off's page, right after it (where the record is).
    """
    story: list[Flowable] = [
        PageMark(case_code, draft=not reflection.signed),
        Paragraph(escape(title), styles["title"]),
        *([private_notice(styles, "note")] if include_restorative else []),
        _header_table(reflection, framework, case_code, styles, page),
        Spacer(1, 4),
        Paragraph(
            f"{escape(clean(framework.name))} comes from {escape(clean(framework.source.citation))} "
            "Each question and dimension is marked \u201cfrom the paper\u201d or \u201cproposed\u201d.",
            styles["muted"],
        ),
    ]
    wellbeing_prompt = framework.prompt_with_marker(PromptMarker.WELLBEING)
    restorative = wellbeing_prompt.section if wellbeing_prompt else None
    for section in framework.sections:
        if section.id == restorative and not include_restorative:
            continue
        story += _section(reflection, framework, section.id, styles)
    story += _ratings(reflection, framework, styles, page)
    story += _discussion(reflection, framework, styles)
    story += _distress(reflection, styles)
    if actions:
        story += _actions(actions, framework, styles)
    story += (
        [KeepTogether([*_sign_off(reflection, styles), *after_sign_off])]
        if after_sign_off
        else _sign_off(reflection, styles)
    )
    if reflection.amendments:
        story += _amendments(reflection, styles)
    return story


def _header_table(reflection: Reflection, framework: Framework, case_code: str, styles, page: Page) -> Table:
    def cell(text: str) -> Paragraph:
        return para(escape(text), styles["cell"])

    rows = [
        ("Case", one_line(case_code, 200)),
        ("Session date", long_date(reflection.session_date)),
        ("Practitioner", one_line(reflection.practitioner, 200) or "–"),
        ("Supervisor", one_line(reflection.supervisor, 200) or "–"),
        ("Framework", f"{one_line(framework.name)}, version {reflection.framework_version}"),
        ("Status", reflection.status.label),
    ]
    table = Table(
        [(cell(key), cell(value)) for key, value in rows],
        colWidths=(3.6 * cm, page.frame_width - 3.6 * cm),
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(KEY_VALUE_STYLE))
    return table


def _section(reflection: Reflection, framework: Framework, section_id: str, styles) -> list[Flowable]:
    section = framework.section(section_id)
    component = framework.component_for_section(section_id)
    story = heading(section.label, styles, component.colour if component else NEUTRAL)
    for prompt in framework.prompts_of(section_id):
        # Provenance travels with every prompt (PRODUCT.md), as the framework file or bundle gave it.
        source = f' <font name="{REGULAR}" size="8">({escape(clean(prompt.provenance_text))})</font>'
        block: list[Flowable] = [para(escape(clean(prompt.text)) + source, styles["prompt"])]
        answer: list[Flowable] = text_paragraphs(reflection.answers.get(prompt.id, ""), styles["body"])
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


def _ratings(reflection: Reflection, framework: Framework, styles, page: Page) -> list[Flowable]:
    story = heading("Ratings", styles)
    shown = rated_perspectives(reflection)
    if not shown:
        return [*story, Paragraph("No ratings yet.", styles["muted"])]
    scale = ", ".join(f"{point.value} {point.label}" for point in framework.scale)
    story.append(Paragraph(f"{escape(clean(framework.question))} ({escape(scale)})", styles["body"]))

    figure = radar_figure(reflection, framework, size=_RADAR_SIZE)
    story.append(chart_image(figure, min(_RADAR_SIZE[0] * 72, page.frame_width)))
    story = [KeepTogether(story)]

    means = component_means(reflection, framework)
    label_style = ParagraphStyle("dimension", parent=styles["cell"], leftIndent=10)
    header = ["Dimension", *(_perspective_heading(p, reflection.service_user_source) for p in shown)]
    rows: list[list[str | Flowable]] = [header]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("LEADING", (0, 0), (-1, -1), 12),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for component in framework.components:
        row = len(rows)
        rows.append([component.label, *(_mean(means[p][component.id]) for p in shown)])
        commands += [
            ("FONTNAME", (0, row), (-1, row), BOLD),
            ("TEXTCOLOR", (0, row), (0, row), colors.HexColor(text_colour(component.colour))),
            ("BACKGROUND", (0, row), (-1, row), SHADE),
            ("LINEBEFORE", (0, row), (0, row), 4, colors.HexColor(component.colour)),
            # A component's row stays on the page of its dimensions (layout.KeptTable splits the rest).
            ("NOSPLIT", (0, row), (-1, row + len(framework.dimensions_of(component.id)))),
        ]
        for dimension in framework.dimensions_of(component.id):
            rows.append(
                [
                    # A Paragraph, so a long label (a bundle's framework may bring one) wraps in its column.
                    para(escape(clean(dimension.label)), label_style),
                    *(_rating(framework, reflection.ratings_of(p).get(dimension.id)) for p in shown),
                ]
            )
    value_width = min(3.8 * cm, (page.frame_width - 5.5 * cm) / len(shown))
    table = Table(rows, colWidths=(5.5 * cm, *([value_width] * len(shown))), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    story += [Spacer(1, 6), KeepTogether([table, Spacer(1, 4), _dimension_sources(framework, styles)])]
    return story


def _dimension_sources(framework: Framework, styles) -> Paragraph:
    """One line per provenance: which dimensions are from the paper and which are proposed."""
    groups: dict[str, list[str]] = {}
    for dimension in framework.dimensions:
        label = escape(clean(dimension.label))
        note = f" ({escape(clean(dimension.provenance_note))})" if dimension.provenance_note else ""
        groups.setdefault(dimension.provenance.label, []).append(label + note)
    lines = [f"<i>{kind.capitalize()}:</i> {'; '.join(labels)}." for kind, labels in groups.items()]
    return Paragraph("<br/>".join(lines), styles["muted"])


def _mean(value: float | None) -> str:
    return UNRATED if value is None else f"mean {value:.1f}"


def _dimension_label(framework: Framework, dimension_id: str) -> str:
    try:
        return framework.dimension(dimension_id).label
    except KeyError:
        return dimension_id


def _discussion(reflection: Reflection, framework: Framework, styles) -> list[Flowable]:
    story = heading("Discussion points", styles)
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
        label = escape(clean(_dimension_label(framework, gap.dimension)))
        text = f"You rated {label} {_rating(framework, gap.first)}, your supervisor {_rating(framework, gap.second)}."
        story.append(para(text, styles["bullet"], bulletText="•"))
    return [KeepTogether(story)]


def _distress(reflection: Reflection, styles) -> list[Flowable]:
    story = heading("Impact on distress", styles)
    impacts = reflection.distress_impact
    if not impacts:
        return [*story, Paragraph("Not recorded.", styles["muted"])]
    for perspective in Perspective:
        if perspective in impacts:
            text = f"{perspective.label}: {impacts[perspective].value.capitalize()}"
            story.append(para(text, styles["bullet"], bulletText="•"))
    return [KeepTogether(story)]


def _actions(actions: Sequence[Action], framework: Framework, styles) -> list[Flowable]:
    story = heading("Actions agreed", styles)
    for action in actions:
        details = [action.status.label]
        if action.due_on is not None:
            details.append(f"due {long_date(action.due_on)}")
        if action.dimension:
            details.append(escape(clean(_dimension_label(framework, action.dimension))))
        chunks = paragraphs(action.text) or [""]
        chunks[-1] += f" <i>({', '.join(details)})</i>"
        story.append(para(chunks[0], styles["bullet"], bulletText="•"))
        story += [para(chunk, styles["bullet"]) for chunk in chunks[1:]]
    return story


def _sign_off(reflection: Reflection, styles) -> list[Flowable]:
    story = heading("Sign-off", styles)
    signature = reflection.signature
    if signature is None:
        story.append(Paragraph("Not signed yet. This is a draft: the record can still change.", styles["body"]))
        return [KeepTogether(story)]
    story += [
        para(f"<b>Signed by:</b> {escape(one_line(signature.signed_by, 200))}", styles["body"]),
        Paragraph(f"<b>Signed at:</b> {local_time(signature.signed_at)}", styles["body"]),
        Paragraph(f"<b>Content SHA-256:</b> {escape(signature.content_sha256)}", styles["body"]),
        Paragraph(
            "The hash covers the record's content: anyone can check this page against the record or a bundle of it.",
            styles["muted"],
        ),
    ]
    if reflection_sha256(reflection) != signature.content_sha256:
        story.append(Paragraph("Warning: the content printed here does not match the signed hash.", styles["warning"]))
    return [KeepTogether(story)]


def _record_line(record: Attachment | None, withheld: bool, styles) -> list[Flowable]:
    """Where the record to check this note against is: attached to it, or (private) not."""
    if record is not None:
        text = (
            f"The signed record is attached to this PDF as {escape(record.name)}: <i>psi-desktop verify</i> "
            "checks the printed hash against it, and the record can be saved from the PDF and imported again."
        )
    elif withheld:
        text = (
            "The signed record is not attached to this PDF: it holds the private \u201cFor me\u201d answers, "
            "which this note leaves out. Check the hash against the profile or a bundle."
        )
    else:
        return []
    return [Spacer(1, 8), Paragraph(text, styles["muted"])]


def _amendments(reflection: Reflection, styles) -> list[Flowable]:
    story = heading("Amendments after signing", styles)
    for amendment in reflection.amendments:
        story.append(
            para(
                f"{local_time(amendment.made_at)}, {escape(one_line(amendment.author, 200))}",
                styles["prompt"],
            )
        )
        reason = paragraphs(amendment.reason)
        story += [para(f"<i>Reason:</i> {chunk}", styles["body"]) for chunk in reason[:1]]
        story += [para(chunk, styles["body"]) for chunk in reason[1:]]
        story += text_paragraphs(amendment.changes, styles["body"])
    return story
