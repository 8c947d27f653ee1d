"""The portfolio pack for NMC revalidation: a cover, contents with page numbers, the NMC forms (the
reflective accounts the practitioner wrote and the reflective discussion form), then what supports
them: my practice, and the signed reflections as supervision notes.

The NMC forms print only what the practitioner wrote, the NMC's own words and blank lines; each
form carries the NMC's instruction not to identify anyone, and names no case, supervisor or exact
date unless the practitioner chose to link the accounts to their records. Every section, form and
note has a bookmark.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from psi_desktop.charts.data import ChartData, ChartKind, ChartRequest, TrendBy
from psi_desktop.domain.framework import CodeThemeInfo
from psi_desktop.domain.model import Action, Perspective, Reflection
from psi_desktop.domain.nmc import (
    ACCOUNT_INSTRUCTION,
    ANSWERS,
    ASKED,
    DATA_PROTECTION,
    DISCUSSION_INSTRUCTION,
    PARTNER_SIGNS,
    QUESTIONS,
    ReflectiveAccount,
    ReflectiveDiscussion,
    account_header,
    month,
    relevance_question,
)
from psi_desktop.reporting.case_report import key_value_table
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
    long_date,
    para,
    private_notice,
    styles,
    text_paragraphs,
)
from psi_desktop.reporting.outline import (
    Bookmark,
    PageRef,
    anchored,
    bookmark,
    contents_table,
    first_bookmark,
    nested,
)
from psi_desktop.reporting.provenance import citation_block
from psi_desktop.reporting.supervision_note import note_story
from psi_desktop.reporting.text import one_line

BLANK = "______________________________"
LINE = "_" * 80
"""A line to write on, where a field was left empty."""


@dataclass(slots=True)
class PortfolioEntry:
    """A chosen signed reflection with what its supporting note needs."""

    reflection: Reflection
    case_code: str
    actions: Sequence[Action] = ()


@dataclass(frozen=True, slots=True)
class NmcForms:
    """What the NMC forms print: the written accounts (oldest first), the discussion, the Code's themes.

    ``linked`` prints each account's case code and session date; ``unsigned`` counts the drafts of
    the period, which are not in the pack.
    """

    accounts: Sequence[ReflectiveAccount]
    discussion: ReflectiveDiscussion
    themes: Sequence[CodeThemeInfo]
    linked: bool = False
    unsigned: int = 0


def build_portfolio(
    entries: Sequence[PortfolioEntry],
    forms: NmcForms,
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

    step(0.02, "Writing the NMC forms")
    notes = [_note(entry, number, practice, include_private, s, page) for number, entry in enumerate(entries, 1)]
    note_marks = [first_bookmark(note) for note in notes]
    by_reflection = {e.reflection.id: mark for e, mark in zip(entries, note_marks, strict=True)}
    forms_mark = bookmark("NMC revalidation forms")
    account_marks, accounts_story = [], []
    for number, account in enumerate(forms.accounts, start=1):
        mark = bookmark(f"Reflective account {number}, {month(account.session_date)}", 1)
        account_marks.append(mark)
        note_mark = by_reflection.get(account.reflection_id)
        accounts_story += [
            PageBreak(),
            *([forms_mark] if number == 1 else []),
            mark,
            *account_story(account, number, practitioner, forms, note_mark, s, page),
        ]
    if not forms.accounts:
        accounts_story = [PageBreak(), forms_mark, *_no_accounts(s)]
    discussion_mark = bookmark("Reflective discussion form", 1)
    practice_mark, notes_mark = bookmark("My practice"), bookmark("Supporting supervision notes")

    story: list[Flowable] = _cover(
        entries, forms, codes, practitioner, date_from, date_to, s, page, private=include_private
    )
    story += citation_block(practice.frameworks.values() or [practice.framework], s)  # once, on the cover
    marks = [forms_mark, *account_marks, discussion_mark, practice_mark, notes_mark, *note_marks]
    story += [PageBreak(), *heading("Contents", s, level="h1"), contents_table(marks, s["body"], page.frame_width)]
    story += accounts_story
    story += [PageBreak(), discussion_mark, *discussion_story(forms.discussion, len(forms.accounts), s, page)]
    step(0.05, "Drawing my practice")
    story += [
        PageBreak(),
        PageMark(", ".join(codes), draft=False),
        practice_mark,
        *_practice(practice, chosen, s, page),
    ]
    story += [PageBreak(), notes_mark, *heading("Supporting supervision notes", s, level="h1")]
    story.append(
        Paragraph(
            "The signed supervision notes the accounts draw on, oldest first. They are supervision records: they "
            "name the case and the people in each session, so they are not NMC forms and stay with you.",
            s["muted"],
        )
    )
    for index, note in enumerate(notes):
        step(0.1 + 0.35 * index / max(len(notes), 1), f"Adding supervision note {index + 1} of {len(notes)}")
        if index:
            story.append(PageBreak())
        story += note
    story = anchored(story)
    step(0.5, "Laying out the pages")
    period = _period(date_from, date_to)
    written = len(forms.accounts)

    # One layout: the contents' page numbers are filled in as it ends (outline.PageRef).
    return build_pdf(
        story,
        out_path,
        title=f"Portfolio pack{' - ' + period if period else ''}",
        author=practitioner,
        subject=f"Reflective practice for NMC revalidation: {written} reflective account(s), "
        f"{len(entries)} supervision note(s)",
        private=include_private,
        page_size=page_size,
        progress=progress,
        cancelled=cancelled,
    )


def _note(entry: PortfolioEntry, number: int, practice: ChartData, include_private: bool, s, page: Page):
    reflection = entry.reflection
    framework = practice.frameworks.get((reflection.framework_id, reflection.framework_version), practice.framework)
    title = f"Supervision note {number}: {long_date(reflection.session_date)}, {one_line(entry.case_code, 60)}"
    story = note_story(
        reflection,
        framework,
        entry.case_code,
        s,
        page,
        include_restorative=include_private,
        actions=entry.actions,
        title=title,
    )
    return nested(story)


def _period(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to:
        return f"{long_date(date_from)} to {long_date(date_to)}"
    if date_from:
        return f"from {long_date(date_from)}"
    if date_to:
        return f"up to {long_date(date_to)}"
    return ""


def accounts_held(written: int) -> str:
    """E.g. "3 written. The NMC asks for five ..."."""
    return f"{written} written. {ASKED}"


def _cover(
    entries, forms: NmcForms, codes, practitioner, date_from, date_to, s, page: Page, *, private: bool = False
) -> list[Flowable]:
    dates = [e.reflection.session_date for e in entries]
    unsigned = f" ({forms.unsigned} not signed yet in the period: not included)" if forms.unsigned else ""
    rows = [
        ("Practitioner", one_line(practitioner, 200) or "–"),
        (
            "Period",
            _period(date_from, date_to) or (f"{long_date(min(dates))} to {long_date(max(dates))}" if dates else "–"),
        ),
        ("Cases", one_line(", ".join(codes), 300) or "–"),
        ("Signed reflections", f"{len(entries)}{unsigned}"),
        ("Reflective accounts", accounts_held(len(forms.accounts))),
    ]
    linked = (
        "Each account also prints its case code and session date, as you chose: leave that off for forms you hand on."
        if forms.linked
        else "The NMC forms name no case, supervisor or exact date."
    )
    return [
        Spacer(1, 60),
        Paragraph("Portfolio pack", s["cover"]),
        Paragraph("Reflective practice for NMC revalidation", s["h1"]),
        *([private_notice(s, "pack")] if private else []),
        Spacer(1, 18),
        key_value_table(rows, s, page, key_width=4.4 * cm),
        Spacer(1, 24),
        Paragraph(
            "The reflective accounts are in your own words, as you wrote them in PSI Desktop; it offered starting "
            "points from your signed reflections and wrote none of the answers.",
            s["body"],
        ),
        Paragraph(
            f"{escape(linked)} Check that nothing in them identifies a patient, service user or colleague "
            "before you share them.",
            s["body"],
        ),
        Paragraph(
            "The supporting supervision notes are your supervision records: they name the case and the people in "
            "each session.",
            s["muted"],
        ),
    ]


def _no_accounts(s) -> list[Flowable]:
    return [
        Paragraph("Reflective accounts", s["title"]),
        Paragraph(
            "No reflective account is written yet. Write them in PSI Desktop (File \u2192 Portfolio pack), from the "
            "starting points it offers beside each question; each written account is printed here on its own page.",
            s["body"],
        ),
        Paragraph(escape(ASKED), s["muted"]),
    ]


def _instruction(text: str, s) -> Paragraph:
    return Paragraph(escape(text), s["muted"])


def _answer(label: str, text: str, s) -> list[Flowable]:
    chunks = text_paragraphs(text, s["body"])
    block: list[Flowable] = [para(escape(label), s["prompt"])]
    block += chunks or [Paragraph(LINE, s["body"]) for _ in range(4)]
    return [KeepTogether(block)] if len(block) <= 3 else block


def _header(
    account: ReflectiveAccount, number: int, practitioner: str, forms: NmcForms, note: Bookmark | None, s, page: Page
) -> Table:
    rows: list[tuple[Flowable, Flowable]] = [
        (para(escape(k), s["cell"]), para(escape(one_line(v, 200)), s["cell"]))
        for k, v in account_header(account, practitioner, linked=forms.linked)
    ]
    if note is not None:
        number_of = note.title.split(":", 1)[0]
        rows.append(
            (para("Supporting record", s["cell"]), PageRef(note, s["cell"], f"{number_of} in this pack, page {{page}}"))
        )
    table = Table(rows, colWidths=(4.4 * cm, page.frame_width - 4.4 * cm), hAlign="LEFT")
    table.setStyle(TableStyle(KEY_VALUE_STYLE))
    return table


def account_story(
    account: ReflectiveAccount,
    number: int,
    practitioner: str,
    forms: NmcForms,
    note: Bookmark | None,
    s,
    page: Page,
) -> list[Flowable]:
    """One reflective account in the shape of the NMC's form: its instruction, then the four questions."""
    story: list[Flowable] = [
        Paragraph(f"Reflective account {number}", s["title"]),
        Paragraph("NMC reflective accounts form", s["h3"]),
        _instruction(ACCOUNT_INSTRUCTION, s),
        Spacer(1, 4),
        _header(account, number, practitioner, forms, note, s, page),
        Spacer(1, 6),
    ]
    for name in ANSWERS[:3]:
        story += _answer(QUESTIONS[name], account.answer(name), s)
    labels = [t.label for t in forms.themes]
    block: list[Flowable] = [para(escape(relevance_question(labels)), s["prompt"])]
    ticked = {t.id for t in forms.themes if t.id in account.themes}
    for theme in forms.themes:
        block.append(Paragraph(escape(f"{'☒' if theme.id in ticked else '☐'}  {theme.label}"), s["body"]))
    story.append(KeepTogether(block))
    story += text_paragraphs(account.relevance, s["body"])
    return story


def discussion_story(discussion: ReflectiveDiscussion, accounts: int, s, page: Page) -> list[Flowable]:
    """The reflective discussion form: who, with whom, when, a summary, and both signatures with dates."""

    def rows(pairs) -> Table:
        return key_value_table([(k, one_line(v, 300) or BLANK) for k, v in pairs], s, page, key_width=4.4 * cm)

    d = discussion
    story: list[Flowable] = [
        Paragraph("Reflective discussion form", s["title"]),
        _instruction(DISCUSSION_INSTRUCTION, s),
        Spacer(1, 6),
        para("<b>Your details</b>", s["body"]),
        rows([("Name", d.registrant_name), ("NMC Pin", d.registrant_pin)]),
        Spacer(1, 8),
        para("<b>The NMC registrant you had your reflective discussion with</b>", s["body"]),
        rows(
            [
                ("Name", d.partner_name),
                ("NMC Pin", d.nmc_pin),
                ("Email", d.email),
                ("Professional address", d.professional_address),
                ("Postcode", d.postcode),
                ("Date of discussion", long_date(d.date) if d.date else ""),
            ]
        ),
        Spacer(1, 4),
        Paragraph(escape(PARTNER_SIGNS), s["muted"]),
        Spacer(1, 4),
    ]
    held = "1 written reflective account" if accounts == 1 else f"{accounts} written reflective accounts"
    story += _answer(f"Brief summary of your discussion (this pack holds {held})", d.summary, s)
    lines = [
        ("Signature of the NMC registrant you had the discussion with", BLANK, "Date", "____________"),
        ("Your signature", BLANK, "Date", "____________"),
    ]
    signatures = Table(
        [[para(escape(cell), s["cell"]) for cell in line] for line in lines],
        colWidths=(5.6 * cm, page.frame_width - 9.8 * cm, 1.6 * cm, 2.6 * cm),
        hAlign="LEFT",
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), s["cell"].fontName),  # else an unembedded Helvetica comes along
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 16),
            ]
        )
    )
    story += [Spacer(1, 12), KeepTogether([signatures, Spacer(1, 10), _instruction(DATA_PROTECTION, s)])]
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
        Paragraph(
            "My own ratings in the signed reflections, averaged by component for each month of the period, "
            "across every case.",
            s["muted"],
        ),
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


__all__ = [
    "NmcForms",
    "PortfolioEntry",
    "build_portfolio",
]
