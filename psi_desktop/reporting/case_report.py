"""The case report: a case's radar over time and trends, every reflection summarised, and its action history."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Table, TableStyle

from psi_desktop.charts.data import ChartData, ChartKind, ChartRequest, TrendBy
from psi_desktop.domain.model import Action, ActionStatus, Case, Perspective, Reflection
from psi_desktop.domain.rules import component_means, discussion_points
from psi_desktop.reporting.layout import (
    KEY_VALUE_STYLE,
    Cancelled,
    ExportCancelled,
    Page,
    PageMark,
    Progress,
    build_pdf,
    chart_image,
    heading,
    local_date,
    long_date,
    para,
    safe,
    styles,
)
from psi_desktop.reporting.text import one_line, paragraphs

SUMMARY_CHARS = 700
"""How much of an answer a reflection's summary quotes before "…"."""

_OVERLAY_SIZE = (6.6, 6.4)  # inches, drawn at print size
_TRENDS_SIZE = (8.6, 8.2)  # drawn larger and scaled down, so the date labels do not collide


def build_case_report(
    case: Case,
    data: ChartData,
    actions: Sequence[Action],
    out_path: str | os.PathLike[str],
    *,
    author: str = "",
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the case report of ``case`` (its reflections and frameworks in ``data``) and return the path."""
    page = Page(page_size)
    s = styles()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ExportCancelled
        if progress is not None:
            progress(fraction, message)

    story: list[Flowable] = [PageMark(case.code, draft=False), Paragraph("Case report", s["title"])]
    story.append(_case_table(case, data, actions, s, page))
    step(0.05, "Drawing the radar over time")
    story += charts_story(data, s, page)
    step(0.35, "Summarising the reflections")
    story += [PageBreak(), *heading("Reflections", s, level="h1")]
    if not data.reflections:
        story.append(Paragraph("No reflections on this case yet.", s["muted"]))
    for reflection in data.reflections:
        story += reflection_summary(reflection, data, actions, s)
    story += action_history(data.reflections, actions, data, s)
    step(0.5, "Laying out the pages")
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


def charts_story(data: ChartData, s, page: Page) -> list[Flowable]:
    """The radar over time (practitioner) and the trends of every perspective, each on its own page."""
    from psi_desktop.charts.drawer import chart_figure

    overlay = chart_figure(
        ChartRequest(ChartKind.OVERLAY, perspectives=(Perspective.PRACTITIONER,)), data, size=_OVERLAY_SIZE
    )
    trends = chart_figure(ChartRequest(ChartKind.TRENDS, by=TrendBy.DIMENSION), data, size=_TRENDS_SIZE)
    width = min(_OVERLAY_SIZE[0] * 72, page.frame_width)
    story: list[Flowable] = [
        KeepTogether(
            [
                *heading("Radar over time", s),
                Paragraph("The practitioner's own ratings at each session; the newest is strongest.", s["muted"]),
                chart_image(overlay, width),
            ]
        )
    ]
    width = min(_TRENDS_SIZE[0] * 72, page.frame_width)
    height = min(width * _TRENDS_SIZE[1] / _TRENDS_SIZE[0], page.frame_height - 3 * cm)
    story.append(
        KeepTogether(
            [
                *heading("Trends", s),
                Paragraph("Each dimension over the session dates, by perspective.", s["muted"]),
                chart_image(trends, height * _TRENDS_SIZE[0] / _TRENDS_SIZE[1], height),
            ]
        )
    )
    return story


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
            parts.append(f"<i>{perspective.label}:</i> {escape(', '.join(values))}")
    return "; ".join(parts)


def reflection_summary(
    reflection: Reflection, data: ChartData, actions: Sequence[Action], s, *, case_code: str | None = None
) -> list[Flowable]:
    """One reflection in a few lines: who, ratings by component, what happened, what changes next."""
    framework = data.framework_of(reflection)
    title = f"{long_date(reflection.session_date)} - {reflection.status.label}"
    if case_code:
        title = f"{one_line(case_code, 60)}, {title}"
    story: list[Flowable] = [para(escape(title), s["h3"])]
    people = [f"<i>Practitioner:</i> {safe(reflection.practitioner, 120) or '–'}"]
    if reflection.supervisor:
        people.append(f"<i>Supervisor:</i> {safe(reflection.supervisor, 120)}")
    story.append(para("; ".join(people), s["body"]))
    means = _means_line(reflection, data)
    story.append(para(f"<i>Mean ratings by component.</i> {means}" if means else "<i>No ratings yet.</i>", s["body"]))
    for prompt_id, label in (("context", "What happened"), ("synthesis.next_time", "Next time")):
        answer = reflection.answers.get(prompt_id, "")
        if answer.strip():
            chunks = paragraphs(_shortened(answer))
            story.append(para(f"<i>{label}:</i> {chunks[0]}", s["body"]))
            story += [para(chunk, s["body"]) for chunk in chunks[1:]]
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
                f"content SHA-256 {escape(signed.content_sha256)}",
                s["muted"],
            )
        )
    if reflection.amendments:
        story.append(para(f"<i>Amended after signing</i> {len(reflection.amendments)} time(s).", s["muted"]))
    return [KeepTogether(story)] if len(story) <= 8 else story


def _tally(actions: Sequence[Action]) -> str:
    counts = {status: sum(1 for a in actions if a.status is status) for status in ActionStatus}
    return ", ".join(f"{n} {status.label.lower()}" for status, n in counts.items() if n)


def action_history(reflections: Sequence[Reflection], actions: Sequence[Action], data: ChartData, s) -> list[Flowable]:
    """Every action in the order agreed: what, when, due, and whether it was kept."""
    story = heading("Action history", s, level="h1")
    if not actions:
        return [*story, Paragraph("No actions were agreed on this case.", s["muted"])]
    dates = {r.id: r.session_date for r in reflections}
    story.append(Paragraph(escape(f"{len(actions)} action(s): {_tally(actions)}."), s["body"]))
    ordered = sorted(actions, key=lambda a: (dates.get(a.reflection_id) is None, dates.get(a.reflection_id), a.text))
    for action in ordered:
        details = []
        if action.reflection_id in dates:
            details.append(f"agreed {long_date(dates[action.reflection_id])}")
        if action.due_on is not None:
            details.append(f"due {long_date(action.due_on)}")
        if action.reviewed_in in dates:
            details.append(f"reviewed {long_date(dates[action.reviewed_in])}")
        if action.dimension and action.dimension in data.framework.dimension_ids:
            details.append(data.framework.dimension(action.dimension).label)
        chunks = paragraphs(action.text) or [""]
        status = f"<b>{escape(action.status.label)}</b>"
        item: list[Flowable] = [para(f"{status}: {chunks[0]}", s["bullet"], bulletText="•")]
        item += [para(chunk, s["bullet"]) for chunk in chunks[1:]]
        item.append(para(f"<i>{escape(', '.join(details))}</i>", s["bullet"]))
        story += [KeepTogether(item)] if len(item) <= 4 else item
    return story
