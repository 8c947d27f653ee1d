"""Bookmarks (the PDF outline) in the note and the case report: one per section and reflection, each
pointing at the page its heading is printed on, on A4 and Letter."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from psi_desktop.services import exports

DEMO = "Demo - Ward 3"


def outline(path) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    reader = PdfReader(path)
    found: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_each_on_its_page(path, marks) -> None:
    pages = [flat(page.extract_text()) for page in PdfReader(path).pages]
    for _depth, title, number in marks:
        assert flat(title) in pages[number - 1], f"{title!r} is not on page {number}"


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, profile.cases.reflections(case.id)


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_note_has_a_bookmark_for_each_section_on_its_page(demo, tmp_path, page_size):
    profile, _case, reflections = demo
    out = exports.export_note(profile, reflections[-2].id, tmp_path / "note.pdf", page_size=page_size)
    marks = outline(out)
    assert marks[0][:2] == (0, "Supervision note")
    titles = [title for depth, title, _ in marks if depth == 1]
    assert titles == [
        *("Context", "Power", "Safety", "Identity", "Synthesis"),
        *("Ratings", "Discussion points", "Impact on distress", "Actions agreed", "Sign-off"),
    ]
    assert len({number for *_, number in marks}) > 1, "the sections are on several pages"
    assert_each_on_its_page(out, marks)


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_case_report_has_a_bookmark_for_each_section_and_reflection(demo, tmp_path, page_size):
    profile, case, reflections = demo
    out = exports.export_case_report(profile, case.id, tmp_path / "case.pdf", page_size=page_size)
    marks = outline(out)
    signed = [r for r in reflections if r.signature is not None]  # drafts are left out unless asked for
    assert 0 < len(signed) < len(reflections)
    assert [(d, t) for d, t, _ in marks if d < 2] == [
        (0, "Case report"),
        *((1, t) for t in ("Radar over time", "Trends", "Reflections", "Action history")),
    ]
    assert len([m for m in marks if m[0] == 2]) == len(signed)
    assert_each_on_its_page(out, marks)
