"""The supervision note: one reflection as an A4 PDF, with its answers, radar, ratings and sign-off."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from psi_desktop.charts.radar import rated_perspectives
from psi_desktop.charts.style import text_colour
from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.framework import Framework, PromptMarker
from psi_desktop.domain.model import Action, ActionStatus, Perspective, Reflection, perspective_name
from psi_desktop.domain.person_view import WORDS_QUESTION
from psi_desktop.domain.rules import DISCUSSION_GAP, Gap, component_means, discussion_points, own_view_points
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
    heading,
    local_time,
    long_date,
    para,
    private_notice,
    safe,
    styles,
    text_paragraphs,
)
from psi_desktop.reporting.outline import anchored, bookmark
from psi_desktop.reporting.print_radar import RADAR_SIZE, radar_drawing
from psi_desktop.reporting.provenance import citation_block, with_mark
from psi_desktop.reporting.text import clean, one_line, paragraphs

__all__ = ["CONFIDENTIAL", "DRAFT_MARK", "build_supervision_note", "note_story"]


def build_supervision_note(
    reflection: Reflection,
    framework: Framework,
    case_code: str,
    out_path: str | os.PathLike[str],
    *,
    include_restorative: bool = False,
    actions: Sequence[Action] = (),
    looked_back: Sequence[Action] = (),
    record: Attachment | None = None,
    record_withheld: bool = False,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the reflection's supervision note to ``out_path`` (PDF, A4 or "Letter") and return that path.

    The restorative section ("For me") is left out unless ``include_restorative``: it belongs to
    the practitioner. ``actions`` are those agreed in this reflection, listed after the discussion
    points; ``looked_back`` those agreed last time, printed with how each was marked in this session.
    The file appears whole or not at all; ``progress(fraction, message)`` is told how far
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
        looked_back=looked_back,
        cite=True,
        after_sign_off=_record_line(record, record_withheld, s),
    )
    story = anchored(story)
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
    looked_back: Sequence[Action] = (),
    title: str = "Supervision note",
    cite: bool = False,
    after_sign_off: Sequence[Flowable] = (),
) -> list[Flowable]:
    """The note's flowables, from its title to its amendments (also used inside the portfolio).

    ``cite`` adds the citation of the paper: a document cites it once, so a pack does on its cover.
    ``after_sign_off`` is printed right after the sign-off's last block, on its page (where the record is).
    """
    story: list[Flowable] = [
        PageMark(case_code, draft=not reflection.signed),
        bookmark(title),
        Paragraph(escape(title), styles["title"]),
        *([private_notice(styles, "note")] if include_restorative else []),
        _header_table(reflection, framework, case_code, styles, page),
    ]
    if cite:
        story += citation_block([framework], styles)
    wellbeing_prompt = framework.prompt_with_marker(PromptMarker.WELLBEING)
    restorative = wellbeing_prompt.section if wellbeing_prompt else None
    consistency = framework.prompt_with_marker(PromptMarker.OPEN_ACTIONS)
    for section in framework.sections:
        if section.id == restorative and not include_restorative:
            continue
        story.append(bookmark(section.label, 1))
        story += _section(reflection, framework, section.id, styles, looked_back)
    if consistency is None and looked_back:
        story += [
            *heading("Actions agreed last time", styles),
            *_looked_back(reflection, looked_back, framework, styles),
        ]
    story.append(bookmark("Ratings", 1))
    story += _ratings(reflection, framework, styles, page)
    story.append(bookmark("Discussion points", 1))
    story += _discussion(reflection, framework, styles)
    story.append(bookmark("Impact on distress", 1))
    story += _distress(reflection, styles)
    if reflection.service_user_words.strip():
        story.append(bookmark("In the person's own words", 1))
        story += _own_words(reflection, styles)
    if actions:
        story.append(bookmark("Actions agreed", 1))
        story += _actions(actions, framework, styles)
    story.append(bookmark("Sign-off", 1))
    # The sign-off, how to check it and where the record is: on one page, so none is left alone.
    story.append(KeepTogether([*_sign_off(reflection, styles, page), *after_sign_off]))
    if reflection.amendments:
        story.append(bookmark("Amendments after signing", 1))
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


def _section(
    reflection: Reflection, framework: Framework, section_id: str, styles, looked_back: Sequence[Action] = ()
) -> list[Flowable]:
    section = framework.section(section_id)
    component = framework.component_for_section(section_id)
    story = heading(section.label, styles, component.colour if component else NEUTRAL)
    for prompt in framework.prompts_of(section_id):
        # Provenance travels with every prompt (PRODUCT.md), as the framework file or bundle gave it.
        block: list[Flowable] = [para(with_mark(prompt, prompt.text), styles["prompt"])]
        answer: list[Flowable] = text_paragraphs(reflection.answers.get(prompt.id, ""), styles["body"])
        marker = _marker_text(reflection, framework, prompt.marker)
        if marker:
            answer.append(Paragraph(marker, styles["body"]))
        if prompt.marker is PromptMarker.OPEN_ACTIONS and looked_back:
            # The evidence "Was I consistent?" rests on, beside the answer.
            answer += _looked_back(reflection, looked_back, framework, styles)
        block += answer or [Paragraph(NOT_ANSWERED, styles["muted"])]
        # A short answer stays on the page of its question; a long one flows on. The first question
        # stays loose: the heading and the question keep with what follows them, so a heading never
        # ends a page (a KeepTogether after a heading can leave it there).
        first = len(story) == 2
        story += block if first or len(block) > 3 else [KeepTogether(block)]
    return story


def _marker_text(reflection: Reflection, framework: Framework, marker: PromptMarker | None) -> str:
    """The structured answer a prompt carries beside its text, as Paragraph markup, or ""."""
    if marker is PromptMarker.TRAUMA_ECHO and reflection.trauma_echo is not None:
        return f"<i>Could echo earlier trauma:</i> {reflection.trauma_echo.value.capitalize()}"
    if marker is PromptMarker.WELLBEING and reflection.wellbeing is not None:
        return f"<i>My wellbeing:</i> {_rating(framework, reflection.wellbeing)}"
    return ""


def _looked_back(reflection: Reflection, looked_back: Sequence[Action], framework: Framework, styles) -> list[Flowable]:
    """The actions agreed last time, each with how it was marked in this session."""
    story: list[Flowable] = [Paragraph("<i>Actions agreed last time, as marked in this session:</i>", styles["body"])]
    for action in looked_back:
        if action.reviewed_in == reflection.id and action.status is not ActionStatus.OPEN:
            marked = f"<b>{escape(action.status.label)}</b>"
            if action.review_note:  # the reviewer's own words on how it went
                marked += f": {escape(clean(' '.join(action.review_note.split())))}"
        else:
            marked = "<b>Not marked in this session</b>"
        details = [escape(clean(_dimension_label(framework, action.dimension)))] if action.dimension else []
        chunks = paragraphs(action.text) or [""]
        chunks[-1] += f" \u2014 {marked}" + (f" <i>({', '.join(details)})</i>" if details else "")
        story.append(para(chunks[0], styles["bullet"], bulletText="\u2022"))
        story += [para(chunk, styles["bullet"]) for chunk in chunks[1:]]
    return story


def _rating(framework: Framework, value: int | None) -> str:
    if value is None:
        return UNRATED
    try:
        return f"{value} {framework.scale_label(value)}"
    except KeyError:
        return str(value)


def _ratings(reflection: Reflection, framework: Framework, styles, page: Page) -> list[Flowable]:
    story = heading("Ratings", styles)
    shown = rated_perspectives(reflection)
    if not shown:
        return [*story, Paragraph("No ratings yet.", styles["muted"])]
    scale = ", ".join(f"{point.value} {point.label}" for point in framework.scale)
    story.append(Paragraph(f"{escape(clean(framework.question))} ({escape(scale)})", styles["body"]))

    # Drawn at print size (its 10 pt text prints at 10 pt), narrower only on a narrower page.
    width = min(RADAR_SIZE[0], page.frame_width)
    story.append(radar_drawing(reflection, framework, size=(width, width * RADAR_SIZE[1] / RADAR_SIZE[0])))
    story = [KeepTogether(story)]

    means = component_means(reflection, framework)
    label_style = ParagraphStyle("dimension", parent=styles["cell"], leftIndent=10)
    head = ParagraphStyle("head", parent=styles["cell"], fontName=BOLD)
    names = [perspective_name(p, reflection.service_user_source, with_source=True) for p in shown]
    header = [para("Dimension", head), *(para(escape(name), head) for name in names)]
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
                    # A Paragraph, so a long label (a bundle's framework may bring one) wraps in its column;
                    # its provenance beside it.
                    para(with_mark(dimension, dimension.label), label_style),
                    *(_rating(framework, reflection.ratings_of(p).get(dimension.id)) for p in shown),
                ]
            )
    # Each perspective's column as wide as its longest word in bold ("Practitioner", "themselves)"),
    # never breaking one, and the rest for the labels with their provenance: "Person, not object
    # (from the paper, theme 1)" on one line when the page has room.
    longest = max(stringWidth(word, BOLD, 10) for name in names for word in name.split())
    value_width = max(2.7 * cm, longest + 14)
    label_width = max(5.5 * cm, min(8.8 * cm, page.frame_width - value_width * len(shown)))
    value_width = min(3.8 * cm, (page.frame_width - label_width) / len(shown))
    table = Table(rows, colWidths=(label_width, *([value_width] * len(shown))), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    story += [Spacer(1, 6), KeepTogether([table])]
    return story


def _mean(value: float | None) -> str:
    return UNRATED if value is None else f"mean {value:.1f}"


def _dimension_label(framework: Framework, dimension_id: str) -> str:
    try:
        return framework.dimension(dimension_id).label
    except KeyError:
        return dimension_id


def _discussion(reflection: Reflection, framework: Framework, styles) -> list[Flowable]:
    """Where the staff differ by DISCUSSION_GAP or more, then where the person's own view and the practitioner do."""
    story = heading("Discussion points", styles)
    order = {dim_id: index for index, dim_id in enumerate(framework.dimension_ids)}

    def ordered(gaps: list[Gap]) -> list[Gap]:
        return sorted(gaps, key=lambda gap: order.get(gap.dimension, len(order)))

    def label(gap: Gap) -> str:
        return escape(clean(_dimension_label(framework, gap.dimension)))

    if not (reflection.ratings_of(Perspective.PRACTITIONER) and reflection.ratings_of(Perspective.SUPERVISOR)):
        story.append(
            Paragraph("Discussion points appear once you and your supervisor have both rated.", styles["muted"])
        )
    elif gaps := ordered(discussion_points(reflection)):
        for gap in gaps:
            text = (
                f"You rated {label(gap)} {_rating(framework, gap.first)}, "
                f"your supervisor {_rating(framework, gap.second)}."
            )
            story.append(para(text, styles["bullet"], bulletText="•"))
    else:
        story.append(
            Paragraph(
                f"No dimension differs by {DISCUSSION_GAP} or more between you and your supervisor.", styles["body"]
            )
        )
    source = reflection.service_user_source
    for gap in ordered(own_view_points(reflection)):
        assert source is not None  # own_view_points has none without the person's own view
        text = (
            f"You rated {label(gap)} {_rating(framework, gap.first)}; the person's own view "
            f"({escape(source.label)}) is {_rating(framework, gap.second)}."
        )
        story.append(para(text, styles["bullet"], bulletText="•"))
    return [KeepTogether(story)]


def _own_words(reflection: Reflection, styles) -> list[Flowable]:
    """What the person wrote for staff in hand-over mode, as they wrote it."""
    return [
        KeepTogether(
            [
                *heading("In the person's own words", styles),
                Paragraph(f"What they wrote when asked \u201c{escape(WORDS_QUESTION)}\u201d:", styles["muted"]),
                *text_paragraphs(reflection.service_user_words, styles["body"]),
            ]
        )
    ]


def _distress(reflection: Reflection, styles) -> list[Flowable]:
    story = heading("Impact on distress", styles)
    impacts = reflection.distress_impact
    if not impacts:
        return [*story, Paragraph("Not recorded.", styles["muted"])]
    for perspective in Perspective:
        if perspective in impacts:
            name = perspective_name(perspective, reflection.service_user_source, with_source=True)
            text = f"{escape(name)}: {impacts[perspective].value.capitalize()}"
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
        if action.carried_from is not None:
            details.append("carried forward: not kept before")
        chunks = paragraphs(action.text) or [""]
        chunks[-1] += f" <i>({', '.join(details)})</i>"
        story.append(para(chunks[0], styles["bullet"], bulletText="•"))
        story += [para(chunk, styles["bullet"]) for chunk in chunks[1:]]
    return story


SUPERVISEE_ROLE = "Practitioner (supervisee)"
SUPERVISOR_ROLE = "Clinical supervisor"
SIGN_LINE = "_" * 22
DATE_LINE = "_" * 12
VERIFY_COMMAND = "psi-desktop verify FILE.pdf"


def _sign_off(reflection: Reflection, styles, page: Page) -> list[Flowable]:
    """Who took part, in which role, with room to sign on paper; then how to check the record.

    The fingerprint is kept apart from the signatures, and says it is none: it only shows whether
    the content printed here is the content that was signed.
    """
    story = heading("Sign-off", styles)
    head = ParagraphStyle("sign-head", parent=styles["cell"], fontName=BOLD)
    rows = [[para(t, head) for t in ("Role", "Name", "Signature", "Date")]]
    for role, name in ((SUPERVISEE_ROLE, reflection.practitioner), (SUPERVISOR_ROLE, reflection.supervisor)):
        rows.append(
            [
                para(role, styles["cell"]),
                para(safe(name, 120) or "\u2013", styles["cell"]),
                para(SIGN_LINE, styles["cell"]),
                para(DATE_LINE, styles["cell"]),
            ]
        )
    widths = [5.4 * cm, 0.0, 4.4 * cm, 2.6 * cm]  # the role on one line
    widths[1] = page.frame_width - sum(widths)
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
                ("TOPPADDING", (0, 1), (-1, -1), 14),  # room to write
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story += [table, Spacer(1, 6)]
    signature = reflection.signature
    if signature is None:
        story.append(Paragraph("Not signed yet. This is a draft: the record can still change.", styles["body"]))
        return [KeepTogether(story)]
    story.append(
        para(
            f"<b>Signed in PSI Desktop</b> by {safe(signature.signed_by, 200)} ({SUPERVISOR_ROLE.lower()}) on "
            f"{local_time(signature.signed_at)}. The record has been locked since; any later "
            "change is an amendment, listed below when there is one.",
            styles["body"],
        )
    )
    check = [
        *heading("Checking this record", styles),
        Paragraph(f"<b>Record fingerprint (SHA-256):</b> {escape(signature.content_sha256)}", styles["body"]),
        Paragraph(
            "The fingerprint is not a signature. It is worked out from the record's content when it was signed, so "
            "any change to the content gives a different one. To check that this document prints the signed record, "
            f"check it with <b>{VERIFY_COMMAND}</b> (FILE.pdf being this document), on a computer with the profile "
            "that holds the record or a bundle of it.",
            styles["muted"],
        ),
    ]
    if reflection_sha256(reflection) != signature.content_sha256:
        check.append(
            Paragraph("Warning: the content printed here does not match the signed fingerprint.", styles["warning"])
        )
    return [KeepTogether(story), KeepTogether(check)]


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
