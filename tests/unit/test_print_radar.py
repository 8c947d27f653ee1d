"""The radar on paper (reporting/print_radar.py): vector graphics that show what the on-screen radar shows.

Read back from real PDFs with pdftotext (its words are text now), and from the Drawing's shapes.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess

import pytest
from reportlab.graphics.shapes import Circle, Line, Path, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from psi_desktop.charts import radar as screen_radar
from psi_desktop.charts.style import ESTIMATE_STYLE, PERSPECTIVE_STYLES, SELF_RATED_STYLE
from psi_desktop.domain.model import Perspective, ServiceUserSource
from psi_desktop.frameworks import default_framework
from psi_desktop.reporting import print_radar
from psi_desktop.reporting.fonts import BOLD, REGULAR
from psi_desktop.reporting.layout import styles
from psi_desktop.reporting.print_radar import RADAR_SIZE, radar_drawing
from psi_desktop.reporting.supervision_note import build_supervision_note
from tests.unit.test_supervision_note import CASE, make_reflection

PRACTITIONER, SUPERVISOR, SERVICE_USER = Perspective.PRACTITIONER, Perspective.SUPERVISOR, Perspective.SERVICE_USER


@pytest.fixture(scope="module")
def framework():
    styles()  # registers the fonts
    return default_framework()


def strings(drawing) -> list[String]:
    return [shape for shape in drawing.contents if isinstance(shape, String)]


def lines_of(drawing, colour: str) -> list[PolyLine]:
    return [s for s in drawing.contents if isinstance(s, PolyLine) and s.strokeColor.hexval()[2:].upper() == colour[1:]]


def pdftotext(path, page: int | None = None) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_notes_radar_prints_its_words_as_text(framework, tmp_path):
    """Its labels, its legend (the estimate named, its gap counted) and its ring numbers are text in the PDF."""
    reflection = make_reflection(framework, signed=True)  # the service user's view: an estimate, 7 of 9 rated
    out = build_supervision_note(reflection, framework, CASE, tmp_path / "note.pdf")
    text = " ".join(pdftotext(out).split())
    # Only the radar says how much of a perspective is rated: the tables name the perspectives alone.
    assert "Service user (your estimate), 7 of 9 rated" in text
    for word in ("Practitioner", "Supervisor", "Power", "Safety", "Identity", "Consistency", "Transparency"):
        assert word in text
    assert "Voice and choice" in text  # its two lines, "Voice and" over "choice"
    words = pdftotext(out).split()
    assert all(str(v) in words for v in range(framework.scale_min, framework.scale_max + 1))  # the ring numbers


def test_every_word_of_the_radar_is_in_an_embedded_dejavu_font_and_inside_the_drawing(framework):
    reflection = make_reflection(framework, signed=True)
    drawing = radar_drawing(reflection, framework)
    assert (drawing.width, drawing.height) == RADAR_SIZE
    assert drawing.initialFontName == REGULAR  # else reportlab sets an unembedded Times for the drawing
    for text in strings(drawing):
        assert text.fontName in (REGULAR, BOLD) and text.fontSize >= 10  # UX.md: never below 10 pt
        width = stringWidth(text.text, text.fontName, text.fontSize)
        left = {"start": text.x, "middle": text.x - width / 2, "end": text.x - width}[text.textAnchor]
        assert left >= 0 and left + width <= drawing.width, text.text
        assert text.y - 0.24 * text.fontSize >= 0 and text.y + 0.76 * text.fontSize <= drawing.height, text.text


def test_an_unrated_dimension_is_a_gap_and_the_legend_counts_it(framework):
    ids = framework.dimension_ids
    reflection = make_reflection(framework, signed=True)
    ratings = {p: dict(r) for p, r in reflection.ratings.items()}
    del ratings[PRACTITIONER][ids[4]]  # one gap: the polygon is one open line from after it round to before it
    reflection = dataclasses.replace(reflection, ratings=ratings)
    drawing = radar_drawing(reflection, framework)

    texts = [s.text for s in strings(drawing)]
    assert "Practitioner, 8 of 9 rated" in texts and "Supervisor" in texts
    practitioner = lines_of(drawing, PERSPECTIVE_STYLES[PRACTITIONER].colour)
    radar_lines = [line for line in practitioner if len(line.points) > 4]  # not the legend's handle
    assert len(radar_lines) == 1 and len(radar_lines[0].points) == 2 * 8, "8 rated in one run, not closed"
    fills = [s for s in drawing.contents if isinstance(s, Polygon) and s.fillOpacity]
    assert len(fills) == 1, "only the supervisor, who rated every dimension, is filled"


def test_perspectives_differ_without_colour(framework):
    """Greyscale: the practitioner solid, the supervisor dashed, an estimate long-dashed and hollow (UX.md)."""
    reflection = make_reflection(framework, signed=True)
    drawing = radar_drawing(reflection, framework)
    dashes = {
        name: {tuple(line.strokeDashArray or ()) for line in lines_of(drawing, style.colour)}
        for name, style in (
            ("practitioner", PERSPECTIVE_STYLES[PRACTITIONER]),
            ("supervisor", PERSPECTIVE_STYLES[SUPERVISOR]),
        )
    }
    estimate = {tuple(line.strokeDashArray or ()) for line in lines_of(drawing, ESTIMATE_STYLE.colour)}
    assert dashes["practitioner"] == {()}
    assert dashes["supervisor"] == {(7.4, 3.2)}  # matplotlib's "--" at 2 pt
    assert estimate == {(12.0, 6.0)}
    hollow = [s for s in drawing.contents if isinstance(s, Polygon) and len(s.points) == 6]  # the triangles
    assert hollow and all(s.fillColor.hexval() == "0xffffff" for s in hollow)

    told = dataclasses.replace(reflection, service_user_source=ServiceUserSource.SELF_RATED)
    texts = [s.text for s in strings(radar_drawing(told, framework))]
    assert f"{SELF_RATED_STYLE.label}, 7 of 9 rated" in texts


def test_nothing_rated_says_so(framework):
    reflection = dataclasses.replace(make_reflection(framework, signed=False), ratings={})
    texts = [s.text for s in strings(radar_drawing(reflection, framework))]
    assert screen_radar.EMPTY_TEXT in texts and "Practitioner" not in texts
    assert "Power" in texts  # the frame is drawn


def test_the_geometry_is_the_screen_radars():
    """The print radar repeats charts/radar.py's measures; a change there must be made here too."""
    for name in ("_R_ORIGIN", "_BAND_GAP", "_LABEL_OFFSET", "_COMPONENT_OFFSET", "_LABEL_WIDTH"):
        assert getattr(print_radar, name) == getattr(screen_radar, name), name


def test_bands_labels_and_ring_numbers_sit_where_the_screen_radar_has_them(framework):
    """Each component's band spans its own dimensions' spokes and no other's; the first component's
    band is at the top; the outer ring's number is in the gap between the last dimension and the first."""
    drawing = radar_drawing(make_reflection(framework, signed=True), framework)
    hole = next(s for s in drawing.contents if isinstance(s, Circle) and s.fillColor == colors.white)

    def angle(x: float, y: float) -> float:
        return math.atan2(y - hole.cy, x - hole.cx)

    def clockwise(start: float, to: float) -> float:  # how far clockwise from one page angle to another
        return (start - to) % (2 * math.pi)

    spokes = [angle(s.x2, s.y2) for s in drawing.contents if isinstance(s, Line)]
    bands = [s for s in drawing.contents if isinstance(s, Path)]
    assert len(spokes) == len(framework.dimensions) and len(bands) == len(framework.components)
    for component, band in zip(framework.components, bands, strict=True):
        start, end = angle(*band.points[:2]), angle(*band.points[-2:])
        own = {framework.dimension_ids.index(d.id) for d in framework.dimensions_of(component.id)}
        for index, spoke in enumerate(spokes):
            inside = clockwise(start, spoke) < clockwise(start, end)
            assert inside == (index in own), (component.id, index)
    first = framework.components[0]
    top = next(s for s in strings(drawing) if s.text == first.label)
    assert abs(top.x - hole.cx) < 1 and top.y > hole.cy, "the first component's label is straight up"
    four = next(s for s in strings(drawing) if s.text == str(framework.scale_max))
    step = 2 * math.pi / len(spokes)
    assert 0 < (angle(four.x, four.y + 3.6) - spokes[0]) % (2 * math.pi) < step, "anticlockwise of the first spoke"


def test_the_radar_is_centred_on_the_page_as_the_picture_was(framework, tmp_path):
    """Its circle in the middle of the text column, on A4 and Letter (the first component's label is over it)."""
    from psi_desktop.reporting.layout import PAGE_SIZES

    reflection = make_reflection(framework, signed=True)
    for size in ("A4", "Letter"):
        out = build_supervision_note(reflection, framework, CASE, tmp_path / f"{size}.pdf", page_size=size)
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        boxes = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
        label = framework.components[0].label
        found = re.findall(rf'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">{label}</word>', boxes)
        middle = PAGE_SIZES[size][0] / 2
        assert any(abs((float(a) + float(b)) / 2 - middle) < 1 for a, b in found), (size, found, middle)
