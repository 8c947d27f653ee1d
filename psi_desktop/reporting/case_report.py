"""The case report: a case's radar over time and trends, its impact on distress and the gaps between
perspectives over time, every reflection summarised, and its action history with what was kept.

Drafts are left out unless the export chooses them (services/exports.py); a draft that is in is
marked "draft" in every chart, table and summary, and its pages say DRAFT.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Table, TableStyle

from psi_desktop.charts.data import ChartData, ChartKind, ChartRequest, TrendBy, is_draft
from psi_desktop.domain.framework import Framework, PromptMarker, PromptRole
from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    Case,
    Perspective,
    Reflection,
    perspective_name,
)
from psi_desktop.domain.rules import DISCUSSION_GAP, GAP_PAIRS, component_means, discussion_points, perspective_gaps
from psi_desktop.reporting.fonts import BOLD
from psi_desktop.reporting.layout import (
    KEY_VALUE_STYLE,
    UNRATED,
    Cancelled,
    ExportCancelled,
    Page,
    PageMark,
    Progress,
    build_pdf,
    chart_image,
    header_table,
    heading,
    local_date,
    long_date,
    para,
    safe,
    styles,
)
from psi_desktop.reporting.outline import anchored, bookmark
from psi_desktop.reporting.provenance import citation_block, dimensions_table, mark, with_mark
from psi_desktop.reporting.text import clean, one_line, paragraphs

SUMMARY_CHARS = 700
"""How much of an answer a reflection's summary quotes before "…"."""

_OVERLAY_SIZE = (6.6, 6.4)  # inches, drawn at print size
_TRENDS_SIZE = (8.6, 8.2)  # drawn larger and scaled down, so the date labels do not collide
_DISTRESS_SIZE = (6.6, 3.3)


def build_case_report(
    case: Case,
    data: ChartData,
    actions: Sequence[Action],
    out_path: str | os.PathLike[str],
    *,
    author: str = "",
    left_out: Sequence[Reflection] = (),
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the case report of ``case`` (its reflections and frameworks in ``data``) and return the path.

    ``left_out`` are the case's drafts not in ``data``: the report says which, so nobody reads it as
    the whole record. ``actions`` are those of the reflections in ``data``.
    """
    page = Page(page_size)
    s = styles()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ExportCancelled
        if progress is not None:
            progress(fraction, message)

    story: list[Flowable] = [PageMark(case.code, draft=False), Paragraph("Case report", s["title"])]
    story.insert(1, bookmark("Case report"))
    story.append(_case_table(case, data, actions, s, page))
    story += citation_block([data.framework, *data.frameworks.values()], s)
    story += _drafts_note(data.reflections, left_out, s)
    story += [*heading("The dimensions", s), dimensions_table(data.framework, s, page)]
    step(0.05, "Drawing the radar over time")
    story += charts_story(data, s, page)
    step(0.25, "Drawing the impact on distress")
    story += distress_story(data, s, page)
    story += gaps_story(data, s, page)
    step(0.35, "Summarising the reflections")
    story += [PageBreak(), bookmark("Reflections", 1), *heading("Reflections", s, level="h1")]
    if not data.reflections:
        story.append(Paragraph("No reflections on this case yet.", s["muted"]))
    for reflection in data.reflections:
        summary = [
            bookmark(f"{long_date(reflection.session_date)} - {reflection.status.label}", 2),
            *reflection_summary(reflection, data, actions, s),
        ]
        if is_draft(reflection):
            # Its pages say DRAFT, then the signed ones after it do not.
            summary = [PageMark(case.code, draft=True), *summary, PageMark(case.code, draft=False)]
        story += summary
    story.append(bookmark("Action history", 1))
    story += action_history(data.reflections, actions, data, s, page)
    step(0.5, "Laying out the pages")
    story = anchored(story)
    return build_pdf(
        story,
        out_path,
        title=f"Case report - {one_line(case.code, 80)}",
        author=author,
        subject=f"Case report of {one_line(case.code, 80)}: {len(data.reflections)} reflection(s)",
        case_code=case.code,
        page_size=page_size,
        progress=progress,
        cancelled=cancelled,
    )


def _case_table(case: Case, data: ChartData, actions: Sequence[Action], s, page: Page) -> Table:
    dates = [r.session_date for r in data.reflections]
    rows = [
        ("Case", one_line(case.code, 200)),
        ("Setting", one_line(case.setting, 200) or "–"),
        ("Opened", long_date(case.opened_on) if case.opened_on else "–"),
        ("Sessions", f"{len(dates)}" + (f", {long_date(min(dates))} to {long_date(max(dates))}" if dates else "")),
        ("Actions", _tally(actions) or "none"),
        ("Framework", f"{one_line(data.framework.name)}, version {data.framework.version}"),
    ]
    if case.archived and case.closed_on:
        rows.append(("Closed", long_date(case.closed_on)))
    return key_value_table(rows, s, page)


def key_value_table(rows: Sequence[tuple[str, str]], s, page: Page, key_width: float = 3.6 * cm) -> Table:
    """A two-column table of short, one-line values (already cleaned; escaped here)."""
    table = Table(
        [(para(escape(k), s["cell"]), para(escape(v), s["cell"])) for k, v in rows],
        colWidths=(key_width, page.frame_width - key_width),
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(KEY_VALUE_STYLE))
    return table


def _drafts_note(included: Sequence[Reflection], left_out: Sequence[Reflection], s) -> list[Flowable]:
    """What the report holds of drafts: which were left out, or that those in are marked."""
    story: list[Flowable] = []
    if left_out:
        days = ", ".join(long_date(r.session_date) for r in left_out)
        story.append(
            Paragraph(
                f"<b>Drafts left out.</b> {len(left_out)} reflection(s) not signed yet ({escape(days)}) are not in "
                "this report: a draft can still change. To show them, marked as drafts, export again with "
                "\u201cInclude drafts\u201d ticked (psi-desktop export pdf --include-drafts).",
                s["body"],
            )
        )
    drafts = [r for r in included if is_draft(r)]
    if drafts:
        days = ", ".join(long_date(r.session_date) for r in drafts)
        story.append(
            Paragraph(
                f"<b>Includes drafts.</b> {len(drafts)} reflection(s) not signed yet ({escape(days)}) are in this "
                "report, marked \u201cdraft\u201d in every chart, table and summary: they can still change.",
                s["body"],
            )
        )
    return story


def _session(reflection: Reflection) -> str:
    """A session in a table: "13 October 2026", or "17 November 2026 (draft)"."""
    day = long_date(reflection.session_date)
    return f"{day} (draft)" if is_draft(reflection) else day


def _head(s) -> ParagraphStyle:
    return ParagraphStyle("table-head", parent=s["cell"], fontName=BOLD)


def charts_story(data: ChartData, s, page: Page) -> list[Flowable]:
    """The radar over time (practitioner) and the trends of every perspective, each on its own page."""
    from psi_desktop.charts.drawer import chart_figure

    overlay = chart_figure(
        ChartRequest(ChartKind.OVERLAY, perspectives=(Perspective.PRACTITIONER,)), data, size=_OVERLAY_SIZE
    )
    trends = chart_figure(ChartRequest(ChartKind.TRENDS, by=TrendBy.DIMENSION), data, size=_TRENDS_SIZE)
    width = min(_OVERLAY_SIZE[0] * 72, page.frame_width)
    story: list[Flowable] = [
        bookmark("Radar over time", 1),
        KeepTogether(
            [
                *heading("Radar over time", s),
                Paragraph("The practitioner's own ratings at each session; the newest is strongest.", s["muted"]),
                chart_image(overlay, width),
            ]
        ),
    ]
    width = min(_TRENDS_SIZE[0] * 72, page.frame_width)
    height = min(width * _TRENDS_SIZE[1] / _TRENDS_SIZE[0], page.frame_height - 3 * cm)
    story.append(bookmark("Trends", 1))
    story.append(
        KeepTogether(
            [
                *heading("Trends", s),
                Paragraph(
                    "Each dimension over the session dates, by perspective. An estimate of the service user's view "
                    "is a line of its own, named as your estimate.",
                    s["muted"],
                ),
                chart_image(trends, height * _TRENDS_SIZE[0] / _TRENDS_SIZE[1], height),
            ]
        )
    )
    return story


# --- impact on distress ----------------------------------------------------------------------------


def distress_story(data: ChartData, s, page: Page) -> list[Flowable]:
    """Impact on distress at each session, per perspective: a small chart, then the same as a table."""
    from psi_desktop.charts.distress import distress_figure

    prompt = data.framework.prompt_with_marker(PromptMarker.DISTRESS_IMPACT)
    intro = (
        f"Answers to \u201c{with_mark(prompt, prompt.text)}\u201d at each session, by perspective."
        if prompt is not None
        else "What each perspective recorded at each session."
    )
    story: list[Flowable] = [*heading("Impact on distress over time", s), para(intro, s["muted"])]
    recorded = [r for r in data.reflections if r.distress_impact]
    if not recorded:
        return [KeepTogether([*story, Paragraph("No impact on distress is recorded yet.", s["muted"])])]
    figure = distress_figure(data.reflections, size=_DISTRESS_SIZE)
    story.append(chart_image(figure, min(_DISTRESS_SIZE[0] * 72, page.frame_width)))
    story = [KeepTogether(story)]
    head = _head(s)
    columns = list(Perspective)
    rows: list[list] = [[para("Session", head), *(para(perspective_name(p), head) for p in columns)]]
    for reflection in data.reflections:
        cells = [para(escape(_session(reflection)), s["cell"])]
        for perspective in columns:
            impact = reflection.distress_impact.get(perspective)
            text = UNRATED if impact is None else impact.label
            if impact is not None and perspective is Perspective.SERVICE_USER:
                # Where the person's view came from, in the cell: an estimate always says so.
                named = perspective_name(perspective, reflection.service_user_source, with_source=True)
                text += named.removeprefix(perspective.label)
            cells.append(para(escape(text), s["cell"]))
        rows.append(cells)
    # Room for "17 November 2026 (draft)" and "Maintained (your estimate)" on one line each.
    widths = [5.4 * cm, *([2.8 * cm] * (len(columns) - 1))]
    story.append(KeepTogether([header_table(rows, [*widths, page.frame_width - sum(widths)])]))
    return story


# --- gaps between perspectives ---------------------------------------------------------------------


def gap_summary(reflection: Reflection, framework: Framework, other: Perspective) -> tuple[float, list[str]] | None:
    """The practitioner against ``other`` in one session: (mean difference, dimensions 2 or more apart).

    The mean is of the absolute differences over the dimensions both rated; None when they share none.
    """
    gaps = [
        g
        for g in perspective_gaps(reflection, Perspective.PRACTITIONER, other)
        if g.dimension in framework.dimension_ids
    ]
    if not gaps:
        return None
    order = {d: i for i, d in enumerate(framework.dimension_ids)}
    apart = [framework.dimension(g.dimension).label for g in sorted(gaps, key=lambda g: order[g.dimension])
             if abs(g.difference) >= DISCUSSION_GAP]  # fmt: skip
    return fmean(abs(g.difference) for g in gaps), apart


def gaps_story(data: ChartData, s, page: Page) -> list[Flowable]:
    """How far apart the practitioner and each other perspective were, session by session: a table, then the
    practitioner-minus-supervisor chart by dimension."""
    from psi_desktop.charts.drawer import chart_figure

    story: list[Flowable] = [
        *heading("Gaps between perspectives over time", s),
        Paragraph(
            f"How far apart the practitioner's ratings and each other perspective's were at each session: the mean "
            f"gap (the difference, either way) over the dimensions both rated, and the dimensions {DISCUSSION_GAP} "
            "or more apart "
            "(the discussion points).",
            s["muted"],
        ),
    ]
    head = _head(s)
    titles = ("Session", "Practitioner compared with", "Mean gap", f"{DISCUSSION_GAP} or more apart")
    rows: list[list] = [[para(t, head) for t in titles]]
    for reflection in data.reflections:
        framework = data.framework_of(reflection)
        for other in (Perspective.SUPERVISOR, Perspective.SERVICE_USER):
            summary = gap_summary(reflection, framework, other)
            if summary is None:
                continue
            mean, apart = summary
            rows.append(
                [
                    para(escape(_session(reflection)), s["cell"]),
                    para(escape(perspective_name(other, reflection.service_user_source, with_source=True)), s["cell"]),
                    para(f"{mean:.1f}", s["cell"]),
                    para(escape(", ".join(apart)) or "none", s["cell"]),
                ]
            )
    if len(rows) == 1:
        return [KeepTogether([*story, Paragraph("No session has ratings from two perspectives yet.", s["muted"])])]
    widths = [4.0 * cm, 5.8 * cm, 2.4 * cm]  # "Service user (your estimate)" on one line
    # A row or two a session: whole on one page with its heading when it fits one.
    story = [KeepTogether([*story, header_table(rows, [*widths, page.frame_width - sum(widths)])])]
    rated = {
        pair: sum(bool(r.ratings_of(pair[0]) and r.ratings_of(pair[1])) for r in data.reflections) for pair in GAP_PAIRS
    }
    pairs = [pair for pair, count in rated.items() if count]  # as the chart draws them
    if max(rated.values()) >= 2:
        figure = chart_figure(ChartRequest(ChartKind.GAPS), data, size=_TRENDS_SIZE)
        width = min(_TRENDS_SIZE[0] * 72, page.frame_width)
        height = min(width * _TRENDS_SIZE[1] / _TRENDS_SIZE[0], page.frame_height - 3 * cm)
        named = "; ".join(f"the {a.label.lower()} minus the {b.label.lower()}" for a, b in pairs)
        story.append(
            KeepTogether(
                [
                    Paragraph(
                        f"On each dimension over time: {named}. Above 0 the first named rated higher. A gap to "
                        "an estimate of the service user's view has long dashes and says so.",
                        s["muted"],
                    ),
                    chart_image(figure, height * _TRENDS_SIZE[0] / _TRENDS_SIZE[1], height),
                ]
            )
        )
    return story


# --- the reflections -------------------------------------------------------------------------------


def _shortened(text: str, limit: int = SUMMARY_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _means_line(reflection: Reflection, data: ChartData) -> str:
    framework = data.framework_of(reflection)
    means = component_means(reflection, framework)
    parts = []
    for perspective in Perspective:
        values = [
            f"{c.label} {means[perspective][c.id]:.1f}"
            for c in framework.components
            if means.get(perspective, {}).get(c.id) is not None
        ]
        if values:
            name = perspective_name(perspective, reflection.service_user_source, with_source=True)
            parts.append(f"<i>{escape(name)}:</i> {escape(', '.join(values))}")
    return "; ".join(parts)


def reflection_summary(
    reflection: Reflection, data: ChartData, actions: Sequence[Action], s, *, case_code: str | None = None
) -> list[Flowable]:
    """One reflection in a few lines: who, ratings by component, what happened, what changes next."""
    framework = data.framework_of(reflection)
    title = f"{long_date(reflection.session_date)} - {reflection.status.label}"
    if is_draft(reflection):
        title += " (draft: not signed, can still change)"
    if case_code:
        title = f"{one_line(case_code, 60)}, {title}"
    story: list[Flowable] = [para(escape(title), s["h3"])]
    people = [f"<i>Practitioner:</i> {safe(reflection.practitioner, 120) or '–'}"]
    if reflection.supervisor:
        people.append(f"<i>Supervisor:</i> {safe(reflection.supervisor, 120)}")
    story.append(para("; ".join(people), s["body"]))
    means = _means_line(reflection, data)
    story.append(para(f"<i>Mean ratings by component.</i> {means}" if means else "<i>No ratings yet.</i>", s["body"]))
    for role in (PromptRole.CONTEXT, PromptRole.NEXT_TIME):
        prompt = framework.prompt_with_role(role)
        answer = framework.answer_with_role(reflection.answers, role)
        if prompt is not None and answer:
            chunks = paragraphs(_shortened(answer))
            story.append(para(f"<i>{escape(role.label)}</i> {mark(prompt)}: {chunks[0]}", s["body"]))
            story += [para(chunk, s["body"]) for chunk in chunks[1:]]
    if reflection.distress_impact:
        said = [
            f"{escape(perspective_name(p, reflection.service_user_source, with_source=True))} "
            f"{reflection.distress_impact[p].label.lower()}"
            for p in Perspective
            if p in reflection.distress_impact
        ]
        story.append(para(f"<i>Impact on distress:</i> {'; '.join(said)}", s["body"]))
    points = discussion_points(reflection)
    if points:
        labels = ", ".join(
            framework.dimension(p.dimension).label for p in points if p.dimension in framework.dimension_ids
        )
        story.append(para(f"<i>Discussion points:</i> {escape(labels)}", s["body"]))
    agreed = [a for a in actions if a.reflection_id == reflection.id]
    if agreed:
        story.append(para(f"<i>Actions agreed:</i> {len(agreed)} ({escape(_tally(agreed))})", s["body"]))
    if reflection.signature is not None:
        signed = reflection.signature
        story.append(
            para(
                f"<i>Signed by</i> {safe(signed.signed_by, 120)} on {long_date(local_date(signed.signed_at))}; "
                f"record fingerprint (SHA-256) {escape(signed.content_sha256)}",
                s["muted"],
            )
        )
    if reflection.amendments:
        story.append(para(f"<i>Amended after signing</i> {len(reflection.amendments)} time(s).", s["muted"]))
    return [KeepTogether(story)] if len(story) <= 9 else story


# --- actions ---------------------------------------------------------------------------------------


def _tally(actions: Sequence[Action]) -> str:
    counts = {status: sum(1 for a in actions if a.status is status) for status in ActionStatus}
    return ", ".join(f"{n} {status.label.lower()}" for status, n in counts.items() if n)


def action_history(
    reflections: Sequence[Reflection], actions: Sequence[Action], data: ChartData, s, page: Page
) -> list[Flowable]:
    """Every action in the order agreed: when, what, and whether it was kept, marked at which session."""
    story = heading("Action history", s, level="h1")
    if not actions:
        return [*story, Paragraph("No actions were agreed on this case.", s["muted"])]
    by_id = {r.id: r for r in reflections}
    story.append(Paragraph(escape(f"{len(actions)} action(s): {_tally(actions)}."), s["body"]))

    def agreed_on(action: Action) -> tuple:
        agreed = by_id.get(action.reflection_id)
        return (agreed is None, agreed.session_date if agreed else None, action.text)

    head = _head(s)
    rows: list[list] = [[para(t, head) for t in ("Agreed", "Action", "Outcome", "Marked at")]]
    for action in sorted(actions, key=agreed_on):
        agreed = by_id.get(action.reflection_id)
        text = "<br/>".join(paragraphs(action.text))
        details = []
        if action.due_on is not None:
            details.append(f"due {long_date(action.due_on)}")
        if action.dimension and action.dimension in data.framework.dimension_ids:
            details.append(escape(data.framework.dimension(action.dimension).label))
        if action.carried_from is not None:
            details.append("carried forward: not kept before")
        if details:
            text += f' <font size="8">({", ".join(details)})</font>'
        if action.reviewed_in is None:
            marked = "–"
        elif action.reviewed_in in by_id:
            marked = escape(_session(by_id[action.reviewed_in]))
        else:
            marked = "a draft not in this report"
        outcome = "Open: not marked yet" if action.status is ActionStatus.OPEN else action.status.label
        outcome = f"<b>{escape(outcome)}</b>"
        if action.review_note:  # the reviewer's own words on how it went
            outcome += f'<br/><font size="8">{escape(clean(" ".join(action.review_note.split())))}</font>'
        rows.append(
            [
                para(escape(_session(agreed)) if agreed else "–", s["cell"]),
                para(text, s["cell"]),
                para(outcome, s["cell"]),
                para(marked, s["cell"]),
            ]
        )
    widths = [3.6 * cm, 0.0, 2.6 * cm, 3.6 * cm]
    widths[1] = page.frame_width - sum(widths)
    story.append(header_table(rows, widths))
    return story
