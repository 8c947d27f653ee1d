"""Page layout of the three documents of the demo case, read back: times in the local zone, tables kept whole."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time

import pytest
from pypdf import PdfReader

from psi_desktop.reporting.layout import local_time, zone_name
from psi_desktop.services import exports

DEMO = "Demo - Ward 3"


def texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def layout_texts(path) -> list[str]:
    """Each page as pdftotext lays it out: a table row on one line (pypdf gives a line per cell)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[: len(PdfReader(path).pages)]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, profile.cases.reflections(case.id)


@pytest.fixture
def zone(monkeypatch):
    """``zone("Europe/London")`` makes that this computer's time zone for the test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


# --- times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "instant", "printed"),
    [
        ("Europe/London", "2026-08-18T15:10:00+00:00", "18 August 2026, 16:10 BST (UTC+01:00)"),
        ("Europe/London", "2026-12-01T15:10:00+00:00", "1 December 2026, 15:10 GMT"),
        ("America/New_York", "2026-08-18T02:30:00+00:00", "17 August 2026, 22:30 EDT (UTC-04:00)"),
        ("Asia/Kolkata", "2026-08-18T15:10:00+00:00", "18 August 2026, 20:40 IST (UTC+05:30)"),
        ("Asia/Dubai", "2026-08-18T15:10:00+00:00", "18 August 2026, 19:10 UTC+04:00"),
        ("UTC", "2026-08-18T15:10:00+00:00", "18 August 2026, 15:10 UTC"),
    ],
)
def test_a_time_is_printed_in_the_local_zone_which_is_named(zone, name, instant, printed):
    zone(name)
    moment = dt.datetime.fromisoformat(instant)
    assert local_time(moment) == printed
    assert zone_name(moment.astimezone()) in printed


def test_the_note_prints_signing_and_amendments_in_local_time(demo, zone, tmp_path):
    zone("Europe/London")
    profile, _case, reflections = demo
    signed = reflections[0]  # signed 2026-08-18T15:10:00Z, in British Summer Time
    assert signed.signature.signed_at == dt.datetime(2026, 8, 18, 15, 10, tzinfo=dt.UTC)
    amended = profile.reflections.amend(signed, "A. Practitioner", "A date was wrong", "The walk was on Monday.")
    made_at = amended.amendments[-1].made_at.astimezone()

    text = flat(" ".join(texts(exports.export_note(profile, signed.id, tmp_path / "note.pdf"))))
    assert "18 August 2026, 16:10 BST (UTC+01:00)" in text
    assert f"{made_at:%H:%M} {zone_name(made_at)}, A. Practitioner" in text
    assert " UTC," not in text and "15:10" not in text


def test_the_case_report_dates_a_signature_by_the_local_day(demo, zone, tmp_path):
    zone("Pacific/Auckland")  # 15:10 UTC on 18 August is the early hours of 19 August there
    profile, case, _reflections = demo
    text = flat(" ".join(texts(exports.export_case_report(profile, case.id, tmp_path / "case.pdf"))))
    assert "Signed by B. Supervisor on 19 August 2026" in text
    assert "Signed by B. Supervisor on 18 August 2026" not in text


# --- tables kept whole ----------------------------------------------------------------------------

RATED = re.compile(
    r"^(?P<label>[A-Z][\w ,'-]+?)(?: \((?:from the paper|proposed)[^)]*\))?"  # a dimension's provenance mark
    r"\s+(?:mean \d\.\d|\d (?:Not at all|A little|Partly|Mostly|Fully)|–)"
)


def table_rows_by_page(pages: list[str], labels: set[str]) -> list[int]:
    """How many rows of a ratings table each page prints (a row: a label, then a mean or a rating)."""
    counts = []
    for page in pages:
        found = [m["label"] for line in page.splitlines() if (m := RATED.match(line.strip()))]
        counts.append(sum(1 for label in found if label in labels))
    return counts


def table_story(filler_lines: int, rows: int):
    from reportlab.platypus import Paragraph, Table

    from psi_desktop.reporting.layout import styles

    s = styles()
    filler = [Paragraph(f"Filler line {n}.", s["body"]) for n in range(filler_lines)]
    data = [["Row", "Value"], *([f"Row {n:02d}", f"value {n:02d}"] for n in range(1, rows + 1))]
    return [*filler, Table(data, repeatRows=1)]


def printed_rows(path) -> list[list[int]]:
    return [[int(n) for n in re.findall(r"Row (\d\d)", page)] for page in texts(path)]


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
@pytest.mark.parametrize("rows", [8, 14, 90])
def test_a_table_never_leaves_fewer_than_three_rows_on_a_page(tmp_path, page_size, rows):
    from psi_desktop.reporting.layout import build_pdf

    cut_short = set()
    for filler in range(30, 52):  # pushes the table's start down the first page, line by line
        story = table_story(filler, rows)
        out = build_pdf(story, tmp_path / f"t{filler}.pdf", title="t", author="a", subject="s", page_size=page_size)
        parts = [part for part in printed_rows(out) if part]
        assert [n for part in parts for n in part] == list(range(1, rows + 1))  # every row, once, in order
        assert all(len(part) >= 3 for part in parts), (filler, [len(p) for p in parts])
        if len(parts) > 1:
            cut_short.add(filler)
        for page in texts(out):
            if re.search(r"Row \d\d", page):
                assert "Row Value" in flat(page)  # the header, repeated on every page of the table
    if rows > 8:
        assert cut_short, "no filler made the table split: the test did not test splitting"


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_no_ratings_table_of_the_demo_is_split_into_a_part_of_fewer_than_three_rows(demo, tmp_path, page_size):
    profile, case, reflections = demo
    framework = profile.reflections.framework_of(reflections[0])
    labels = {d.label for d in framework.dimensions} | {c.label for c in framework.components}
    notes = [
        exports.export_note(profile, r.id, tmp_path / f"note-{n}.pdf", page_size=page_size)
        for n, r in enumerate(reflections)
    ]
    draft = exports.portfolio_draft(profile, [case.id])
    pack = exports.export_portfolio(profile, draft, tmp_path / "pack.pdf", page_size=page_size)
    tables = 0
    for path in [*notes, pack]:
        counts = table_rows_by_page(layout_texts(path), labels)
        parts = [n for n in counts if n]
        tables += sum(parts) // len(labels)
        assert all(n >= 3 for n in parts), (path.name, counts)
    # every note's table was found and counted, and each of the pack's (signed reflections only)
    assert tables >= len(reflections) + len(draft.reflection_ids)


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_ratings_table_splits_only_between_components(demo, tmp_path, page_size):
    """The note's own ratings table, laid out where it has to split (no KeepTogether round it here)."""
    from reportlab.platypus import Paragraph, Table

    from psi_desktop.reporting.layout import Page, build_pdf, styles
    from psi_desktop.reporting.supervision_note import _ratings

    profile, _case, reflections = demo
    reflection = reflections[0]
    framework = profile.reflections.framework_of(reflection)
    components = {c.label for c in framework.components}
    labels = components | {d.label for d in framework.dimensions}
    s = styles()

    def found(flowable):
        if isinstance(flowable, Table):
            return flowable
        return next((t for f in getattr(flowable, "_content", ()) if (t := found(f))), None)

    splits = 0
    for filler in range(20, 42):
        table = next(t for f in _ratings(reflection, framework, s, Page(page_size)) if (t := found(f)))
        story = [*(Paragraph(f"Filler line {n}.", s["body"]) for n in range(filler)), table]
        out = build_pdf(story, tmp_path / f"r{filler}.pdf", title="t", author="a", subject="s", page_size=page_size)
        parts = []
        for page in layout_texts(out):
            rows = [m["label"] for line in page.splitlines() if (m := RATED.match(line.strip()))]
            rows = [label for label in rows if label in labels]
            if rows:
                parts.append(rows)
        assert sum(len(p) for p in parts) == len(labels)
        assert all(len(part) >= 3 and part[0] in components for part in parts), (filler, parts)
        splits += len(parts) > 1
    assert splits, "the table never had to split: the test did not test splitting"


# --- short blocks kept together -------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_a_heading_never_ends_a_page_above_the_block_it_heads(tmp_path, page_size):
    """A section heading, then a question and its short answer kept together (as the note prints them)."""
    from reportlab.platypus import KeepTogether, Paragraph

    from psi_desktop.reporting.layout import build_pdf, heading, styles

    s = styles()
    for filler in range(30, 50):
        story = [Paragraph(f"Filler line {n}.", s["body"]) for n in range(filler)]
        story += heading("Safety heading", s)
        story.append(KeepTogether([Paragraph("The question?", s["prompt"]), Paragraph("The answer.", s["body"])]))
        out = build_pdf(story, tmp_path / f"h{filler}.pdf", title="t", author="a", subject="s", page_size=page_size)
        pages = texts(out)
        (at,) = [n for n, page in enumerate(pages) if "Safety heading" in page]
        assert "The question?" in pages[at] and "The answer." in pages[at], filler
    assert any("Safety heading" not in texts(tmp_path / f"h{filler}.pdf")[0] for filler in range(30, 50)), (
        "the heading never had to move: the test did not test a page end"
    )


def test_no_section_heading_of_the_demo_notes_ends_a_page(demo, tmp_path):
    profile, _case, reflections = demo
    framework = profile.reflections.framework_of(reflections[0])
    headings = {section.label for section in framework.sections} | {"Ratings", "Discussion points", "Sign-off"}
    for page_size in ("A4", "Letter"):
        for reflection in reflections:
            out = exports.export_note(
                profile, reflection.id, tmp_path / f"n-{page_size}-{reflection.id}.pdf", page_size=page_size
            )
            for page in layout_texts(out):
                lines = [line.strip() for line in page.splitlines() if line.strip()]
                body = [line for line in lines if not line.startswith(("Generated ", "Case ", "DRAFT"))]
                assert body and body[-1] not in headings, (page_size, str(reflection.session_date), body[-3:])


def test_clean_keeps_the_same_characters_of_ascii_text_as_of_any_other():
    """All-ASCII text takes a quicker path through clean; it must drop and keep exactly what the other keeps."""
    from psi_desktop.reporting.text import clean

    every = "".join(chr(code) for code in range(128))
    assert clean(every + "é") == clean(every) + "é"  # "é": the general path, character by character
    assert clean(every) == "\t\n\n" + "".join(chr(code) for code in range(32, 127))  # "\r" is a line break
