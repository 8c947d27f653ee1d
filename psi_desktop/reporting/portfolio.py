"""The portfolio pack for NMC revalidation: cover, "my practice" charts, the chosen reflections,
a reflective account for each, and a reflective discussion record.

The account and discussion fields are plain data the export dialog edits before the PDF is made
(services/exports.py pre-fills them from the reflections).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from psi_desktop.charts.data import ChartData, ChartKind, ChartRequest, TrendBy
from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.model import Action, Perspective, Reflection
from psi_desktop.reporting.case_report import key_value_table
from psi_desktop.reporting.layout import (
    Cancelled,
    ExportCancelled,
    Page,
    PageMark,
    Progress,
    build_pdf,
    chart_image,
    heading,
    long_date,
    para,
    private_notice,
    styles,
    text_paragraphs,
)
from psi_desktop.reporting.supervision_note import note_story
from psi_desktop.reporting.text import one_line

NMC_QUESTIONS = (
    "What was the nature of the CPD activity and/or practice-related feedback and/or event or experience "
    "in your practice?",
    "What did you learn from the CPD activity and/or feedback and/or event or experience in your practice?",
    "How did you change or improve your practice as a result?",
    "How is this relevant to the Code? Select one or more themes: Prioritise people - Practise effectively - "
    "Preserve safety - Promote professionalism and trust",
)
"""The four questions of the NMC's reflective accounts form, as the form asks them."""

CODE_THEME_LABELS = {
    CodeTheme.PRIORITISE_PEOPLE: "Prioritise people",
    CodeTheme.PRACTISE_EFFECTIVELY: "Practise effectively",
    CodeTheme.PRESERVE_SAFETY: "Preserve safety",
    CodeTheme.PROMOTE_PROFESSIONALISM_AND_TRUST: "Promote professionalism and trust",
}
BLANK = "______________________________"
LINE = "_" * 80
"""A line to write on, where a field was left empty."""


@dataclass(slots=True)
class ReflectiveAccount:
    """One NMC reflective account, pre-filled from a reflection and editable before export."""

    reflection_id: uuid.UUID
    case_code: str
    session_date: dt.date
    nature: str = ""
    learned: str = ""
    changed: str = ""
    relevance: str = ""
    themes: list[CodeTheme] = field(default_factory=list)


@dataclass(slots=True)
class ReflectiveDiscussion:
    """The NMC reflective discussion record: who the discussion was with, when, and what it covered."""

    partner_name: str = ""
    nmc_pin: str = ""
    email: str = ""
    professional_address: str = ""
    postcode: str = ""
    date: dt.date | None = None
    summary: str = ""


@dataclass(slots=True)
class PortfolioEntry:
    """A chosen reflection with what its pages need."""

    reflection: Reflection
    case_code: str
    actions: Sequence[Action] = ()


def build_portfolio(
    entries: Sequence[PortfolioEntry],
    accounts: Sequence[ReflectiveAccount],
    discussion: ReflectiveDiscussion,
    practice: ChartData,
    chosen: ChartData,
    out_path: str | os.PathLike[str],
    *,
    practitioner: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_private: bool = False,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the portfolio pack and return its path.

    ``practice`` is my practice month by month (its ``months``) over the period; ``chosen`` the
    chosen reflections with their frameworks, for the radar over time.
    """
    page = Page(page_size)
    s = styles()
    codes = list(dict.fromkeys(e.case_code for e in entries))

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ExportCancelled
        if progress is not None:
            progress(fraction, message)

    step(0.02, "Making the cover")
    story: list[Flowable] = _cover(
        entries, accounts, codes, practitioner, date_from, date_to, s, page, private=include_private
    )
    step(0.05, "Drawing my practice")
    story += _practice(practice, chosen, s, page)
    for index, entry in enumerate(entries):
        step(0.1 + 0.35 * index / max(len(entries), 1), f"Adding reflection {index + 1} of {len(entries)}")
        story.append(PageBreak())
        title = f"Reflection {index + 1}: supervision note"
        story += note_story(
            entry.reflection,
            practice.frameworks.get(
                (entry.reflection.framework_id, entry.reflection.framework_version), practice.framework
            ),
            entry.case_code,
            s,
            page,
            include_restorative=include_private,
            actions=entry.actions,
            title=title,
        )
    story.append(PageMark(", ".join(codes), draft=False))
    for index, account in enumerate(accounts):
        story += [PageBreak(), *account_story(account, index + 1, practitioner, s, page)]
    story += [PageBreak(), *discussion_story(discussion, len(accounts), s, page)]
    step(0.5, "Laying out the pages")
    period = _period(date_from, date_to)
    return build_pdf(
        story,
        out_path,
        title=f"Portfolio pack{' - ' + period if period else ''}",
        author=practitioner,
        subject=f"Reflective practice for NMC revalidation: {len(entries)} reflection(s), {len(codes)} case(s)",
        case_code=", ".join(codes),
        private=include_private,
        page_size=page_size,
        progress=progress,
        cancelled=cancelled,
    )


def _period(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to:
        return f"{long_date(date_from)} to {long_date(date_to)}"
    if date_from:
        return f"from {long_date(date_from)}"
    if date_to:
        return f"up to {long_date(date_to)}"
    return ""


def _cover(
    entries, accounts, codes, practitioner, date_from, date_to, s, page: Page, *, private: bool = False
) -> list[Flowable]:
    story: list[Flowable] = [
        PageMark(", ".join(codes), draft=False),
        Spacer(1, 60),
        Paragraph("Portfolio pack", s["cover"]),
        Paragraph("Reflective practice for NMC revalidation", s["h1"]),
        *([private_notice(s, "pack")] if private else []),
        Spacer(1, 18),
    ]
    dates = [e.reflection.session_date for e in entries]
    rows = [
        ("Practitioner", one_line(practitioner, 200) or "–"),
        (
            "Period",
            _period(date_from, date_to) or (f"{long_date(min(dates))} to {long_date(max(dates))}" if dates else "–"),
        ),
        ("Cases", one_line(", ".join(codes), 300) or "–"),
        ("Reflections", str(len(entries))),
        ("Reflective accounts", str(len(accounts))),
    ]
    story.append(key_value_table(rows, s, page, key_width=4.4 * cm))
    story += [
        Spacer(1, 24),
        Paragraph("<b>Contents</b>", s["body"]),
        Paragraph(
            "My practice: my own ratings month by month, and the chosen reflections on one radar",
            s["bullet"],
            bulletText="1.",
        ),
        Paragraph("The chosen reflections as supervision notes", s["bullet"], bulletText="2."),
        Paragraph("An NMC reflective account for each reflection", s["bullet"], bulletText="3."),
        Paragraph("The reflective discussion record", s["bullet"], bulletText="4."),
        Spacer(1, 24),
        Paragraph(
            "Records in this pack use case codes, not names. Check that nothing in it identifies a patient, "
            "service user or colleague before you share it.",
            s["muted"],
        ),
        PageBreak(),
    ]
    return story


def _practice(practice: ChartData, chosen: ChartData, s, page: Page) -> list[Flowable]:
    from psi_desktop.charts.drawer import chart_figure

    width = page.frame_width
    monthly = chart_figure(
        ChartRequest(ChartKind.PRACTICE, perspectives=(Perspective.PRACTITIONER,), by=TrendBy.COMPONENT),
        practice,
        size=(7.0, 4.6),
    )
    overlay = chart_figure(
        ChartRequest(ChartKind.OVERLAY, perspectives=(Perspective.PRACTITIONER,)), chosen, size=(6.2, 6.0)
    )
    return [
        *heading("My practice", s, level="h1"),
        Paragraph("My own ratings, averaged by component for each month of the period, across every case.", s["muted"]),
        chart_image(monthly, width),
        CondPageBreak(7 * 72),
        KeepTogether(
            [
                *heading("The chosen reflections on one radar", s),
                Paragraph("My own ratings at each chosen session; the newest is strongest.", s["muted"]),
                chart_image(overlay, min(width, 6.2 * 72 * 0.95)),
            ]
        ),
    ]


def _answer(label: str, text: str, s) -> list[Flowable]:
    chunks = text_paragraphs(text, s["body"])
    block: list[Flowable] = [para(escape(label), s["prompt"])]
    block += chunks or [Paragraph(LINE, s["body"]) for _ in range(4)]
    return [KeepTogether(block)] if len(block) <= 3 else block


def account_story(account: ReflectiveAccount, number: int, practitioner: str, s, page: Page) -> list[Flowable]:
    """One reflective account in the shape of the NMC's form."""
    story: list[Flowable] = [
        PageMark(account.case_code, draft=False),
        Paragraph(f"Reflective account {number}", s["title"]),
        key_value_table(
            [
                ("Case", one_line(account.case_code, 200)),
                ("Session date", long_date(account.session_date)),
                ("Practitioner", one_line(practitioner, 200) or "–"),
            ],
            s,
            page,
        ),
        Spacer(1, 6),
    ]
    story += _answer(NMC_QUESTIONS[0], account.nature, s)
    story += _answer(NMC_QUESTIONS[1], account.learned, s)
    story += _answer(NMC_QUESTIONS[2], account.changed, s)
    themes = [CODE_THEME_LABELS[t] for t in CodeTheme if t in account.themes]
    block: list[Flowable] = [para(escape(NMC_QUESTIONS[3]), s["prompt"])]
    for label in CODE_THEME_LABELS.values():
        block.append(Paragraph(escape(f"{'☒' if label in themes else '☐'}  {label}"), s["body"]))
    story.append(KeepTogether(block))
    story += text_paragraphs(account.relevance, s["body"])
    return story


def discussion_story(discussion: ReflectiveDiscussion, accounts: int, s, page: Page) -> list[Flowable]:
    """The reflective discussion record: the partner's details, the date, and a summary."""
    rows = [
        ("Partner's name", one_line(discussion.partner_name, 200) or BLANK),
        ("NMC PIN", one_line(discussion.nmc_pin, 40) or BLANK),
        ("Email", one_line(discussion.email, 200) or BLANK),
        ("Professional address", one_line(discussion.professional_address, 300) or BLANK),
        ("Postcode", one_line(discussion.postcode, 20) or BLANK),
        ("Date of discussion", long_date(discussion.date) if discussion.date else BLANK),
    ]
    story: list[Flowable] = [
        Paragraph("Reflective discussion", s["title"]),
        Paragraph(
            escape(
                f"A discussion with another NMC registrant about the {accounts} reflective account(s) in this pack."
            ),
            s["muted"],
        ),
        key_value_table(rows, s, page, key_width=4.4 * cm),
        Spacer(1, 6),
    ]
    story += _answer("Summary of the discussion", discussion.summary, s)
    story += [
        Spacer(1, 24),
        Paragraph(f"Signature of the partner: {BLANK}", s["body"]),
        Paragraph(f"Signature of the registrant: {BLANK}", s["body"]),
    ]
    return story


__all__ = [
    "NMC_QUESTIONS",
    "PortfolioEntry",
    "ReflectiveAccount",
    "ReflectiveDiscussion",
    "build_portfolio",
]
