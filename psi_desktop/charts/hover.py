"""What a point on a chart means, for tooltips: each drawn line carries one sentence per vertex.

Builders ``register`` a line with its texts; a screen asks ``point_at(figure, x, y)`` with the
mouse position in display pixels. Kept apart from Qt so it can be tested on an Agg figure.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

_TEXTS: weakref.WeakKeyDictionary[Line2D, tuple[str | None, ...]] = weakref.WeakKeyDictionary()

HOVER_RADIUS = 9.0  # display pixels: about a marker and a half


@dataclass(frozen=True, slots=True)
class HoverHit:
    text: str
    x: float  # display pixels of the vertex
    y: float


def register(line: Line2D, texts: Sequence[str | None]) -> Line2D:
    """Attach one text per vertex of ``line`` (None where the vertex says nothing)."""
    if len(texts) != len(line.get_xdata()):
        raise ValueError("one hover text per vertex")
    _TEXTS[line] = tuple(texts)
    return line


def texts_of(line: Line2D) -> tuple[str | None, ...] | None:
    return _TEXTS.get(line)


def point_at(figure: Figure, x: float, y: float, radius: float = HOVER_RADIUS) -> HoverHit | None:
    """The vertex nearest (x, y) within ``radius`` pixels, with every line's text at that spot.

    Polygons often share a vertex (two perspectives both rated 3): all of them are named,
    the one drawn on top first.
    """
    found: list[tuple[float, float, str, float, float]] = []  # distance, -zorder, text, px, py
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        for line in ax.get_lines():
            texts = _TEXTS.get(line)
            if texts is None or not line.get_visible():
                continue
            points = line.get_transform().transform(line.get_xydata())
            distances = numpy.hypot(points[:, 0] - x, points[:, 1] - y)
            distances[~numpy.isfinite(distances)] = numpy.inf
            for index in numpy.flatnonzero(distances <= radius):
                text = texts[index]
                if text:
                    px, py = points[index]
                    found.append((float(distances[index]), -line.get_zorder(), text, float(px), float(py)))
    if not found:
        return None
    nearest = min(found)[0]
    # Vertices within a pixel of the nearest one are the same spot on screen.
    same_spot = sorted((f for f in found if f[0] <= nearest + 1.0), key=lambda f: f[1])
    lines: list[str] = []
    for _, _, text, _, _ in same_spot:
        if text not in lines:
            lines.append(text)
    best = min(found)
    return HoverHit("\n".join(lines), best[3], best[4])
