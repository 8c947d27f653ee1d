"""Where the questions come from, on paper: the paper cited once per document, a mark beside every
prompt and dimension, and a table of the dimensions with their sources.

Provenance travels with every prompt and dimension (PRODUCT.md): a reader of any page can tell
what the study found from what PSI Desktop added, and nobody mistakes the app for a validated scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from psi_desktop.charts.style import text_colour
from psi_desktop.domain.framework import Dimension, Framework, Prompt
from psi_desktop.reporting.fonts import BOLD, REGULAR
from psi_desktop.reporting.layout import MUTED, Page, header_table, para
from psi_desktop.reporting.text import clean

NOT_VALIDATED = "PSI Desktop is a reflective aid built from the paper's model, not a validated measure."
MARKS_EXPLAINED = (
    "Each question and dimension is marked \u201cfrom the paper\u201d where it comes from the study's findings, "
    "or \u201cproposed\u201d where PSI Desktop added it."
)
_MUTED_HEX = "#555555"


def citations(frameworks: Iterable[Framework]) -> list[str]:
    """Each distinct work the frameworks are built from, cited once, in first-seen order."""
    return list(dict.fromkeys(framework.source.citation for framework in frameworks))


def citation_block(frameworks: Iterable[Framework], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The document's one citation of the paper, with what PSI Desktop is and is not, and what the marks mean."""
    chosen = list(frameworks)
    names = list(dict.fromkeys(clean(f.name) for f in chosen))
    works = citations(chosen)
    built = f"{escape(' and '.join(names))} {'is' if len(names) == 1 else 'are'} built from"
    lines = [f"<b>Where the questions come from.</b> {built} {escape(clean(works[0]))}"]
    lines += [f"Also: {escape(clean(work))}" for work in works[1:]]
    lines.append(f"{escape(NOT_VALIDATED)} {escape(MARKS_EXPLAINED)}")
    return [Spacer(1, 6), KeepTogether([Paragraph(line, styles["muted"]) for line in lines])]


def mark_text(item: Prompt | Dimension) -> str:
    """The provenance of a prompt or dimension in one bracket: "from the paper, theme 1", "proposed"."""
    note = clean(item.provenance_note).strip()
    return f"{item.provenance.label}, {note}" if note else item.provenance.label


def mark(item: Prompt | Dimension, size: int = 8) -> str:
    """Markup for the provenance beside a prompt or dimension: "(from the paper, theme 1)", "(proposed)"."""
    return f'<font name="{REGULAR}" size="{size}" color="{_MUTED_HEX}">({escape(mark_text(item))})</font>'


def with_mark(item: Prompt | Dimension, text: str, size: int = 8) -> str:
    """``text`` (plain, escaped here) followed by its provenance mark."""
    return f"{escape(clean(text))} {mark(item, size)}"


def dimensions_table(framework: Framework, styles: dict[str, ParagraphStyle], page: Page) -> Table:
    """Every dimension with its component, meaning and source: the key to the charts around it."""
    cell = styles["cell"]
    head = ParagraphStyle("provenance-head", parent=cell, fontName=BOLD)
    rows: list[list[Flowable]] = [
        [para("Component", head), para("Dimension", head), para("What it means", head), para("Source", head)]
    ]
    bars: list[tuple] = []
    source_style = ParagraphStyle("provenance-source", parent=cell, textColor=MUTED)
    for component in framework.components:
        first = len(rows)
        colour = colors.HexColor(text_colour(component.colour))
        label = ParagraphStyle(f"provenance-{component.id}", parent=head, textColor=colour)
        for dimension in framework.dimensions_of(component.id):
            rows.append(
                [
                    para(escape(clean(component.label)) if len(rows) == first else "", label),
                    para(escape(clean(dimension.label)), cell),
                    para(escape(clean(dimension.meaning)), cell),
                    para(escape(mark_text(dimension)), source_style),
                ]
            )
        bars.append(("LINEBEFORE", (0, first), (0, len(rows) - 1), 4, colors.HexColor(component.colour)))
    widths = (2.9 * cm, 3.5 * cm, page.frame_width - 2.9 * cm - 3.5 * cm - 3.3 * cm, 3.3 * cm)
    return header_table(rows, widths, bars)
