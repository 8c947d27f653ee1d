"""The radar of one reflection on paper, drawn in reportlab's own vector graphics.

The same chart as charts/radar.py draws with matplotlib, from the same data and the shared look
(charts/style.py): rings and spokes, the coloured component bands with their labels, the dimension
labels round the rim, one polygon per perspective in its colour, line style and marker (an
estimate dashed and hollow, the person's own ratings named by where they came from), a gap where
a dimension is unrated ("…, 8 of 9 rated" in the legend), and the legend underneath. Drawn as
vectors it takes milliseconds instead of a rasterised matplotlib figure's third of a second (a
portfolio prints one in every note), is sharp at any zoom, and its words are text in the PDF.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, Path, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from psi_desktop.charts.radar import EMPTY_TEXT, rated_perspectives, rated_runs
from psi_desktop.charts.style import (
    GRID_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
    PerspectiveStyle,
    perspective_style,
    text_colour,
)
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection
from psi_desktop.reporting.fonts import BOLD, REGULAR

__all__ = ["RADAR_SIZE", "radar_drawing"]

RADAR_SIZE = (5.8 * 72, 5.0 * 72)
"""Points: the size the note's radar has always printed at, so its 10 pt text prints at 10 pt."""

# The geometry of charts/radar.py, in the same units: rating units for radii, points for offsets.
_R_ORIGIN = -0.6  # the centre is at this rating (matplotlib's rorigin): a small hole, so ratings of 0 stay apart
_BAND_GAP = 0.3  # the component bands sit this far beyond the outer ring
_LABEL_OFFSET = 10  # points outward from the band: a dimension's label
_COMPONENT_OFFSET = 38  # points: a component's label, beyond a two-line dimension label
_LABEL_WIDTH = 12  # characters per line of a dimension label
_PAD = 3  # points of white round the drawing (matplotlib's constrained layout pad)
_NUMBER_ASIDE = 8  # points: a ring's number from the ray it is on

_SIZE = 10  # points: the text (UX.md: never below 10 pt)
_COMPONENT_SIZE = 12
_ASCENT, _DESCENT = 0.76, 0.24  # of DejaVu Sans, per point of size: how matplotlib aligns a line of text
_LINESPACING = 1.1  # of a dimension label's lines

# The legend, as matplotlib lays it out (in font sizes): under the chart, frameless, centred.
_HANDLE = 4.6 * _SIZE
_HANDLE_PAD = 0.8 * _SIZE
_COLUMN_GAP = 1.6 * _SIZE
_ROW_GAP = 0.5 * _SIZE
_BORDER = 0.4 * _SIZE

# matplotlib's dash patterns (rcParams lines.*_pattern), scaled by the line width as it scales them.
_DASHES = {"--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}


def radar_drawing(
    reflection: Reflection,
    framework: Framework,
    perspectives: Sequence[Perspective] | None = None,
    *,
    size: tuple[float, float] = RADAR_SIZE,
) -> Drawing:
    """A Drawing (a flowable) of the reflection's radar, ``size`` points; ``perspectives`` defaults to all rated.

    As radar_figure: an unrated dimension is a gap in its polygon, never a 0; with nothing rated
    the empty grid says "No ratings yet".
    """
    width, height = size
    wanted = rated_perspectives(reflection) if perspectives is None else list(perspectives)
    shown = [p for p in Perspective if p in wanted and reflection.ratings_of(p)]
    polygons = []
    for perspective in shown:
        style = perspective_style(perspective, reflection.service_user_source)
        values = [reflection.ratings_of(perspective).get(d.id) for d in framework.dimensions]
        polygons.append((style, values))
    legend = _Legend.fit([(style, _legend_label(style, values)) for style, values in polygons], width)
    drawing = Drawing(width, height, initialFontName=REGULAR, initialFontSize=_SIZE)
    drawing.hAlign = "CENTER"  # after: Drawing.__init__ sets "LEFT" over a keyword
    frame = _Frame.fit(framework, width, height, bottom=legend.height if polygons else 0.0)
    frame.draw(drawing)
    # Lowest first, as matplotlib stacks them: the fills under every line, the practitioner on top.
    for style, values in reversed(polygons):
        if all(v is not None for v in values):
            frame.fill(drawing, style, values)
    frame.hole(drawing)
    for style, values in reversed(polygons):
        frame.polygon(drawing, style, values)
    frame.ring_numbers(drawing)
    if polygons:
        legend.draw(drawing, width)
    else:
        _empty(drawing, frame.cx, frame.cy, EMPTY_TEXT)
    return drawing


def _legend_label(style: PerspectiveStyle, values: Sequence[int | None]) -> str:
    """The perspective's name, and how much of it is rated when a gap could be misread (as on screen)."""
    rated = sum(v is not None for v in values)
    return style.label if rated == len(values) else f"{style.label}, {rated} of {len(values)} rated"


@functools.cache
def _colour(hex_colour: str) -> colors.Color:
    return colors.toColor(hex_colour)  # "#RRGGBB", or a name ("white": a hollow marker)


def dash_array(linestyle, linewidth: float) -> list[float] | None:
    """A matplotlib line style ("-", "--", ":", "-.", or (offset, pattern)) as a PDF dash array; None when solid."""
    pattern = linestyle[1] if isinstance(linestyle, tuple) else _DASHES.get(linestyle)
    return [length * linewidth for length in pattern] if pattern else None


def _line_shape(points: list[float], style: PerspectiveStyle, linewidth: float) -> PolyLine:
    dashes = dash_array(style.linestyle, linewidth)
    return PolyLine(
        points,
        strokeColor=_colour(style.colour),
        strokeWidth=linewidth,
        strokeDashArray=dashes,
        strokeLineCap=0 if dashes else 2,  # matplotlib: butt dashes, projecting solid lines
        strokeLineJoin=1,
    )


def _marker(drawing: Drawing, x: float, y: float, style: PerspectiveStyle) -> None:
    """The perspective's marker at (x, y): a circle, square or triangle ``markersize`` points across."""
    half = style.markersize / 2
    common = {"strokeColor": _colour(style.colour), "strokeWidth": 1.5, "fillColor": _colour(style.marker_face)}
    if style.marker == "s":
        drawing.add(Rect(x - half, y - half, 2 * half, 2 * half, strokeLineJoin=0, **common))
    elif style.marker == "^":
        drawing.add(Polygon([x, y + half, x - half, y - half, x + half, y - half], strokeLineJoin=0, **common))
    elif style.marker == "D":
        drawing.add(Polygon([x, y + half, x + half, y, x, y - half, x - half, y], strokeLineJoin=0, **common))
    else:
        drawing.add(Circle(x, y, half, **common))


@dataclass(frozen=True, slots=True)
class _TextBlock:
    """Lines of text anchored at a point, aligned as matplotlib aligns them ("left", "bottom"...)."""

    lines: tuple[str, ...]
    font: str
    size: float
    colour: str
    ha: str
    va: str
    linespacing: float = 1.2

    @property
    def width(self) -> float:
        return max(stringWidth(line, self.font, self.size) for line in self.lines)

    @property
    def height(self) -> float:
        return (len(self.lines) - 1) * self.pitch + (_ASCENT + _DESCENT) * self.size

    @property
    def pitch(self) -> float:
        return self.linespacing * (_ASCENT + _DESCENT) * self.size

    def box(self) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) relative to the anchor."""
        width, height = self.width, self.height
        left = {"center": -width / 2, "left": 0.0, "right": -width}[self.ha]
        bottom = {"center": -height / 2, "bottom": 0.0, "top": -height}[self.va]
        return left, left + width, bottom, bottom + height

    def draw(self, drawing: Drawing, x: float, y: float) -> None:
        top = self.box()[3]
        anchor = {"center": "middle", "left": "start", "right": "end"}[self.ha]
        baseline = y + top - _ASCENT * self.size
        for line in self.lines:
            drawing.add(
                String(
                    x,
                    baseline,
                    line,
                    fontName=self.font,
                    fontSize=self.size,
                    fillColor=_colour(self.colour),
                    textAnchor=anchor,
                )
            )
            baseline -= self.pitch


def _rim_block(direction: tuple[float, float], text: str, **options) -> _TextBlock:
    """A label outward of the rim in ``direction``, aligned to stay clear of it (charts.radar._rim_label)."""
    x, y = direction
    ha = "center" if abs(x) < 0.3 else ("left" if x > 0 else "right")
    va = "center" if abs(y) < 0.3 else ("bottom" if y > 0 else "top")
    return _TextBlock(lines=tuple(text.split("\n")), ha=ha, va=va, **options)


@dataclass(slots=True)
class _Frame:
    """Where the radar sits (centre and outer radius, points) and what goes round its rim."""

    framework: Framework
    cx: float
    cy: float
    radius: float
    labels: list[tuple[float, float, _TextBlock]]  # direction (x, y) and the label: offset from the band
    offset: float  # the page angle of the first dimension (see _offset)
    angles: list[float]  # the page angle of each dimension

    @staticmethod
    def fit(framework: Framework, width: float, height: float, *, bottom: float) -> _Frame:
        """The largest radar whose rim labels fit above ``bottom`` (the legend's top), centred in the room left."""
        labels: list[tuple[float, float, _TextBlock]] = []
        step, first_angle = _step(framework), _offset(framework)
        angles = [first_angle - i * step for i in range(len(framework.dimensions))]
        runs = framework.component_runs()
        for component_id, start, end in runs:
            component = framework.component(component_id)
            theta = first_angle - (start + end) / 2 * step
            direction = (math.cos(theta), math.sin(theta))
            block = _rim_block(
                direction, component.label, font=BOLD, size=_COMPONENT_SIZE, colour=text_colour(component.colour)
            )
            labels.append((*direction, block))
        for theta, dimension in zip(angles, framework.dimensions, strict=True):
            direction = (math.cos(theta), math.sin(theta))
            block = _rim_block(
                direction,
                textwrap.fill(dimension.label, _LABEL_WIDTH),
                font=REGULAR,
                size=_SIZE,
                colour=text_colour(framework.component(dimension.component).colour),
                linespacing=_LINESPACING,
            )
            labels.append((*direction, block))
        band = _band_ratio(framework)
        boxes = []  # (x, y, offset, left, right, bottom, top): an element at (band * R + offset) along (x, y)
        for x, y, block in labels:
            offset = _COMPONENT_OFFSET if block.font == BOLD else _LABEL_OFFSET
            boxes.append((x, y, offset, *block.box()))
        for x, y in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            boxes.append((x, y, 2.5, 0.0, 0.0, 0.0, 0.0))  # the band itself, 5 points wide

        def extent(radius: float) -> tuple[float, float, float, float]:
            xs = [(band * radius + off) * x for x, y, off, *_ in boxes]
            ys = [(band * radius + off) * y for x, y, off, *_ in boxes]
            lo_x = min(px + b[3] for px, b in zip(xs, boxes, strict=True))
            hi_x = max(px + b[4] for px, b in zip(xs, boxes, strict=True))
            lo_y = min(py + b[5] for py, b in zip(ys, boxes, strict=True))
            hi_y = max(py + b[6] for py, b in zip(ys, boxes, strict=True))
            return lo_x, hi_x, lo_y, hi_y

        room_w, room_h = width - 2 * _PAD, height - bottom - 2 * _PAD
        low, high = 5.0, max(width, height)
        for _ in range(40):  # the extents grow with the radius: halve the interval until it is found
            middle = (low + high) / 2
            lo_x, hi_x, lo_y, hi_y = extent(middle)
            if hi_x - lo_x <= room_w and hi_y - lo_y <= room_h:
                low = middle
            else:
                high = middle
        lo_x, hi_x, lo_y, hi_y = extent(low)
        cx = _PAD + room_w / 2 - (lo_x + hi_x) / 2
        cy = bottom + _PAD + room_h / 2 - (lo_y + hi_y) / 2
        return _Frame(framework, cx, cy, low, labels, first_angle, angles)

    def rho(self, rating: float) -> float:
        """The distance from the centre (points) of a rating."""
        return self.radius * (rating - _R_ORIGIN) / (self.framework.scale_max - _R_ORIGIN)

    def point(self, rating: float, theta: float) -> tuple[float, float]:
        return self.at(self.rho(rating), theta)

    def draw(self, drawing: Drawing) -> None:
        """Rings, spokes, the component bands and the labels round the rim."""
        framework, grid = self.framework, _colour(GRID_COLOUR)
        lowest, highest = framework.scale_min, framework.scale_max
        for rating in range(lowest, highest + 1):
            drawing.add(Circle(self.cx, self.cy, self.rho(rating), strokeColor=grid, strokeWidth=0.8, fillColor=None))
        for theta in self.angles:
            inner, outer = self.point(lowest, theta), self.point(highest, theta)
            drawing.add(Line(*inner, *outer, strokeColor=grid, strokeWidth=0.8))
        step = _step(framework)
        band = highest + _BAND_GAP
        for component_id, start, end in framework.component_runs():
            # A little short of the neighbouring band at each end.
            first, last = start * step - step / 2 + 0.04, end * step + step / 2 - 0.04
            colour = _colour(framework.component(component_id).colour)
            arc = self.arc(band, self.offset - first, self.offset - last)
            arc.setProperties({"strokeColor": colour, "strokeWidth": 5, "strokeLineCap": 0, "fillColor": None})
            drawing.add(arc)
        distance = self.rho(band)
        for x, y, block in self.labels:
            offset = _COMPONENT_OFFSET if block.font == BOLD else _LABEL_OFFSET
            block.draw(drawing, self.cx + (distance + offset) * x, self.cy + (distance + offset) * y)

    def arc(self, rating: float, start: float, end: float) -> Path:
        """The circle of a rating from one page angle to another, as Bézier curves of at most a right angle each."""
        radius = self.rho(rating)
        parts = max(1, math.ceil(abs(end - start) / (math.pi / 2)))
        span = (end - start) / parts
        k = 4 / 3 * math.tan(span / 4) * radius  # the control points' distance along the tangents
        path = Path()
        path.moveTo(*self.at(radius, start))
        for index in range(parts):
            a, b = start + index * span, start + (index + 1) * span
            (x0, y0), (x3, y3) = self.at(radius, a), self.at(radius, b)
            path.curveTo(x0 - k * math.sin(a), y0 + k * math.cos(a), x3 + k * math.sin(b), y3 - k * math.cos(b), x3, y3)
        return path

    def at(self, distance: float, theta: float) -> tuple[float, float]:
        return self.cx + distance * math.cos(theta), self.cy + distance * math.sin(theta)

    def fill(self, drawing: Drawing, style: PerspectiveStyle, values: Sequence[int | None]) -> None:
        """The faint fill of a fully rated polygon (hollow styles fainter)."""
        angles = self.angles
        points = [c for value, theta in zip(values, angles, strict=True) for c in self.point(value or 0, theta)]
        drawing.add(
            Polygon(
                points,
                fillColor=_colour(style.colour),
                fillOpacity=0.05 if style.hollow else 0.07,
                strokeColor=None,
            )
        )

    def hole(self, drawing: Drawing) -> None:
        """The small hole in the middle, white over the fills (matplotlib clips them to the rings)."""
        drawing.add(
            Circle(
                self.cx,
                self.cy,
                self.rho(self.framework.scale_min),
                fillColor=colors.white,
                strokeColor=_colour(GRID_COLOUR),
                strokeWidth=0.8,
            )
        )

    def polygon(self, drawing: Drawing, style: PerspectiveStyle, values: Sequence[int | None]) -> None:
        """One polygon: a line per run of rated dimensions (an unrated one is a gap), markers at the ratings."""
        angles = self.angles
        count = len(values)
        closed = all(v is not None for v in values)  # then the one run repeats its first point at its end
        for run in rated_runs(values):
            points = [self.point(values[i % count] or 0, angles[i % count]) for i in run]
            if len(points) > 1:
                drawing.add(_line_shape([c for p in points for c in p], style, style.linewidth))
            for x, y in points[:-1] if closed else points:
                _marker(drawing, x, y, style)

    def ring_numbers(self, drawing: Drawing) -> None:
        """The scale's values up the gap between the last dimension and the first, on white: never hidden by a line."""
        framework = self.framework
        count = len(framework.dimensions)
        theta = self.offset - (count - 0.5) * _step(framework)
        # Beside the ray rather than on it, on its clockwise side, as matplotlib sets them.
        aside = (_NUMBER_ASIDE * math.cos(theta - math.pi / 2), _NUMBER_ASIDE * math.sin(theta - math.pi / 2))
        for rating in range(framework.scale_min, framework.scale_max + 1):
            x, y = self.point(rating, theta)
            x, y = x + aside[0], y + aside[1]
            text = str(rating)
            width = stringWidth(text, REGULAR, _SIZE)
            drawing.add(Rect(x - width / 2 - 1, y - 4.6, width + 2, 9.2, fillColor=colors.white, strokeColor=None))
            drawing.add(
                String(
                    x,
                    y - 3.6,
                    text,
                    fontName=REGULAR,
                    fontSize=_SIZE,
                    fillColor=_colour(MUTED_COLOUR),
                    textAnchor="middle",
                )
            )


def _step(framework: Framework) -> float:
    return 2 * math.pi / len(framework.dimensions)


def _offset(framework: Framework) -> float:
    """The page angle (anticlockwise from 3 o'clock) of the first dimension; the radar goes clockwise from it.

    A radar angle ``a`` is the page angle ``offset - a``: the middle of the first component points straight
    up, as on screen.
    """
    _, first, last = framework.component_runs()[0]
    return math.pi / 2 + _step(framework) * (first + last) / 2


def _band_ratio(framework: Framework) -> float:
    """The band's distance from the centre as a share of the outer ring's."""
    return (framework.scale_max + _BAND_GAP - _R_ORIGIN) / (framework.scale_max - _R_ORIGIN)


@dataclass(frozen=True, slots=True)
class _Legend:
    """The legend's entries in columns (filled top to bottom, as matplotlib fills them) and its height."""

    columns: list[list[tuple[PerspectiveStyle, str]]]
    height: float

    @staticmethod
    def fit(entries: list[tuple[PerspectiveStyle, str]], width: float) -> _Legend:
        """In as few rows as fit ``width`` (charts.radar.fitting_legend): one more row each time, fewer columns."""
        columns = len(entries)
        while True:
            legend = _Legend._in(entries, columns)
            if columns <= 1 or legend.width <= 0.98 * width:
                return legend
            rows = -(-len(entries) // columns) + 1
            columns = min(columns - 1, -(-len(entries) // rows))

    @staticmethod
    def _in(entries: list[tuple[PerspectiveStyle, str]], count: int) -> _Legend:
        count = max(count, 1)
        per, extra = divmod(len(entries), count)
        columns, at = [], 0
        for index in range(count):  # numpy.array_split: the first columns take one more
            size = per + (1 if index < extra else 0)
            columns.append(entries[at : at + size])
            at += size
        rows = max((len(c) for c in columns), default=0)
        line = (_ASCENT + _DESCENT) * _SIZE
        height = 2 * _BORDER + rows * line + max(rows - 1, 0) * _ROW_GAP + _PAD if rows else 0.0
        return _Legend([c for c in columns if c], height)

    @staticmethod
    def _column_width(column: list[tuple[PerspectiveStyle, str]]) -> float:
        return _HANDLE + _HANDLE_PAD + max(stringWidth(label, REGULAR, _SIZE) for _, label in column)

    @property
    def width(self) -> float:
        widths = [self._column_width(c) for c in self.columns]
        return sum(widths) + _COLUMN_GAP * max(len(widths) - 1, 0)

    def draw(self, drawing: Drawing, width: float) -> None:
        line = (_ASCENT + _DESCENT) * _SIZE
        x = (width - self.width) / 2
        top = self.height - _BORDER
        for column in self.columns:
            y = top - line / 2
            for style, label in column:
                drawing.add(_line_shape([x, y, x + _HANDLE, y], style, style.linewidth))
                _marker(drawing, x + _HANDLE / 2, y, style)
                drawing.add(
                    String(
                        x + _HANDLE + _HANDLE_PAD,
                        y - 3.6,
                        label,
                        fontName=REGULAR,
                        fontSize=_SIZE,
                        fillColor=_colour(TEXT_COLOUR),
                    )
                )
                y -= line + _ROW_GAP
            x += self._column_width(column) + _COLUMN_GAP


def _empty(drawing: Drawing, x: float, y: float, text: str) -> None:
    """The empty grid's "No ratings yet", in a rounded box in the middle."""
    size = 12
    width = stringWidth(text, REGULAR, size)
    pad = 0.5 * size
    drawing.add(
        Rect(
            x - width / 2 - pad,
            y - size / 2 - pad,
            width + 2 * pad,
            size + 2 * pad,
            rx=pad,
            ry=pad,
            fillColor=colors.white,
            strokeColor=_colour(GRID_COLOUR),
            strokeWidth=0.8,
        )
    )
    drawing.add(
        String(
            x,
            y - 0.36 * size,
            text,
            fontName=REGULAR,
            fontSize=size,
            fillColor=_colour(MUTED_COLOUR),
            textAnchor="middle",
        )
    )
