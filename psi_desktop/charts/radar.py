"""The radar of one reflection: one axis per dimension, grouped by component, one polygon per perspective."""

from __future__ import annotations

import io
import math
import os
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib
import numpy
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from psi_desktop.charts.style import (
    GRID_COLOUR,
    MUTED_COLOUR,
    RC_PARAMS,
    PerspectiveStyle,
    perspective_style,
    text_colour,
)
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection

EMPTY_TEXT = "No ratings yet"
SAVE_DPI = 200

# Radii beyond the outer ring, in rating units: where the component bands and labels sit.
_BAND_GAP = 0.3
_LABEL_OFFSET = 10  # points outward from the band
_COMPONENT_OFFSET = 38  # points: beyond a two-line dimension label
_R_ORIGIN = -0.6  # a small hole in the middle, so ratings of 0 stay apart instead of one dot
_LABEL_WIDTH = 12  # characters per line of a dimension label


def perspective_gid(perspective: Perspective) -> str:
    """The ``gid`` on every line artist of a perspective's polygon, e.g. "perspective:supervisor"."""
    return f"perspective:{perspective.value}"


def rated_perspectives(reflection: Reflection) -> list[Perspective]:
    """The perspectives with at least one rating, in the usual order."""
    return [p for p in Perspective if reflection.ratings_of(p)]


def radar_figure(
    reflection: Reflection,
    framework: Framework,
    perspectives: Iterable[Perspective] | None = None,
    *,
    size: tuple[float, float] = (6, 6),
    dpi: int = 100,
) -> Figure:
    """A new Figure with the reflection's radar; ``perspectives`` defaults to all that have ratings.

    An unrated dimension is a gap in its polygon, never a 0. With nothing rated, the empty
    grid says "No ratings yet".
    """
    wanted = rated_perspectives(reflection) if perspectives is None else list(perspectives)
    shown = [p for p in Perspective if p in wanted and reflection.ratings_of(p)]
    with matplotlib.rc_context(RC_PARAMS):
        # Constrained layout keeps the rim labels and the legend inside the figure at any size,
        # including when a Qt canvas resizes it.
        fig = Figure(figsize=size, dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(projection="polar")
        _draw_frame(ax, framework)
        handles = []
        for rank, perspective in enumerate(shown):
            style = perspective_style(perspective, reflection.service_user_source)
            values = [reflection.ratings_of(perspective).get(d.id) for d in framework.dimensions]
            _draw_polygon(ax, values, style, gid=perspective_gid(perspective), zorder=10 - rank)
            handles.append(_legend_handle(style, _legend_label(style, values)))
        if handles:
            _add_legend(fig, handles)
        else:
            ax.text(
                0.5,
                0.5,
                EMPTY_TEXT,
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=12,
                color=MUTED_COLOUR,
                gid="empty-state",
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": GRID_COLOUR},
                zorder=20,
            )
    return fig


def _add_legend(fig: Figure, handles: list[Line2D]) -> None:
    """One row under the radar, or one column when a row would not fit the figure's width."""
    options = {"loc": "outside lower center", "frameon": False, "handlelength": 3.2, "columnspacing": 1.6}
    legend = fig.legend(handles=handles, ncol=len(handles), **options)
    width = legend.get_window_extent(fig.canvas.get_renderer()).width
    if len(handles) > 1 and width > 0.98 * fig.bbox.width:
        legend.remove()
        fig.legend(handles=handles, ncol=1, **options)


def _angles(count: int) -> list[float]:
    return [2 * math.pi * i / count for i in range(count)]


def _component_runs(framework: Framework) -> list[tuple[str, int, int]]:
    """(component id, first index, last index) for each run of neighbouring dimensions."""
    runs: list[tuple[str, int, int]] = []
    for index, dimension in enumerate(framework.dimensions):
        if runs and runs[-1][0] == dimension.component:
            runs[-1] = (dimension.component, runs[-1][1], index)
        else:
            runs.append((dimension.component, index, index))
    return runs


def _draw_frame(ax, framework: Framework) -> None:
    """Rings, spokes, coloured component bands and the labels round the rim."""
    count = len(framework.dimensions)
    step = 2 * math.pi / count
    angles = _angles(count)
    r_min, r_max = framework.scale_min, framework.scale_max
    runs = _component_runs(framework)

    # Clockwise from the top, with the middle of the first component straight up.
    _, first, last = runs[0]
    ax.set_theta_direction(-1)
    ax.set_theta_offset(math.pi / 2 + step * (first + last) / 2)
    ax.set_ylim(r_min, r_max)
    ax.set_rorigin(_R_ORIGIN)
    ax.set_xticks(angles)
    ax.set_xticklabels([])
    ax.set_rgrids(
        range(r_min, r_max + 1),
        labels=[str(v) for v in range(r_min, r_max + 1)],
        angle=math.degrees(angles[-1] + step / 2),
        color=MUTED_COLOUR,
    )
    for label in ax.yaxis.get_ticklabels():
        # A white halo keeps the ring numbers readable where a polygon crosses them.
        label.set_path_effects([patheffects.withStroke(linewidth=3, foreground="white")])
        label.set_zorder(15)
    ax.grid(color=GRID_COLOUR, linewidth=0.8)
    ax.spines["polar"].set_color(GRID_COLOUR)
    ax.spines["inner"].set_color(GRID_COLOUR)
    ax.set_facecolor("white")

    for component_id, start, end in runs:
        component = framework.component(component_id)
        # A band just outside the outer ring, a little short of the neighbouring band.
        arc = numpy.linspace(angles[start] - step / 2 + 0.04, angles[end] + step / 2 - 0.04, 60)
        ax.plot(
            arc,
            [r_max + _BAND_GAP] * len(arc),
            color=component.colour,
            linewidth=5,
            solid_capstyle="butt",
            clip_on=False,
            gid=f"component:{component.id}",
        )
        centre = (angles[start] + angles[end]) / 2
        _rim_label(
            ax,
            centre,
            r_max + _BAND_GAP,
            _COMPONENT_OFFSET,
            component.label,
            color=text_colour(component.colour),
            fontweight="bold",
            fontsize=12,
            gid=f"component-label:{component.id}",
        )
    for angle, dimension in zip(angles, framework.dimensions, strict=True):
        _rim_label(
            ax,
            angle,
            r_max + _BAND_GAP,
            _LABEL_OFFSET,
            textwrap.fill(dimension.label, _LABEL_WIDTH),
            color=text_colour(framework.component(dimension.component).colour),
            linespacing=1.1,
            gid=f"dimension:{dimension.id}",
        )


def _rim_label(ax, angle: float, radius: float, offset: float, text: str, **options) -> None:
    """A label ``offset`` points outward from (angle, radius), aligned to stay clear of the rim.

    Points rather than data units, so the gap to the rim looks the same at every figure size.
    """
    on_screen = ax.get_theta_offset() + ax.get_theta_direction() * angle
    x, y = math.cos(on_screen), math.sin(on_screen)
    ax.annotate(
        text,
        xy=(angle, radius),
        xytext=(offset * x, offset * y),
        textcoords="offset points",
        ha="center" if abs(x) < 0.3 else ("left" if x > 0 else "right"),
        va="center" if abs(y) < 0.3 else ("bottom" if y > 0 else "top"),
        annotation_clip=False,
        **options,
    )


def rated_runs(values: Sequence[int | None]) -> list[list[int]]:
    """Runs of neighbouring rated positions round the circle, as unwrapped indices.

    All rated: one closed run (its first index repeated at the end). Otherwise each run stops at
    an unrated position, so the polygon has a gap there; an index may exceed ``len(values) - 1``
    where a run wraps past the start (take it modulo the length).
    """
    count = len(values)
    rated = [v is not None for v in values]
    if all(rated):
        return [[*range(count), count]] if count else []
    runs: list[list[int]] = []
    start = rated.index(False)
    current: list[int] = []
    for index in range(start + 1, start + count + 1):
        if rated[index % count]:
            current.append(index)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _draw_polygon(ax, values: Sequence[int | None], style: PerspectiveStyle, *, gid: str, zorder: float) -> None:
    count = len(values)
    step = 2 * math.pi / count
    for run in rated_runs(values):
        thetas = [index * step for index in run]
        radii = [values[index % count] for index in run]
        ax.plot(
            thetas,
            radii,
            color=style.colour,
            linestyle=style.linestyle,
            linewidth=style.linewidth,
            marker=style.marker,
            markersize=style.markersize,
            markerfacecolor=style.marker_face,
            markeredgecolor=style.colour,
            markeredgewidth=1.5,
            label=style.label,
            gid=gid,
            zorder=zorder,
            clip_on=False,  # a marker on the outer ring is drawn whole
        )
    if all(v is not None for v in values):
        closed = [*values, values[0]]
        ax.fill(
            [i * step for i in range(count + 1)],
            closed,
            color=style.colour,
            alpha=0.05 if style.hollow else 0.07,
            zorder=zorder - 5,
            gid=f"{gid}:fill",
        )


def _legend_label(style: PerspectiveStyle, values: Sequence[int | None]) -> str:
    """The perspective's name, and how much of it is rated when a gap could be misread."""
    rated = sum(v is not None for v in values)
    return style.label if rated == len(values) else f"{style.label}, {rated} of {len(values)} rated"


def _legend_handle(style: PerspectiveStyle, label: str) -> Line2D:
    return Line2D(
        [],
        [],
        color=style.colour,
        linestyle=style.linestyle,
        linewidth=style.linewidth,
        marker=style.marker,
        markersize=style.markersize,
        markerfacecolor=style.marker_face,
        markeredgecolor=style.colour,
        markeredgewidth=1.5,
        label=label,
    )


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write the figure as PNG (at 200 dpi) or SVG, chosen by the file's suffix."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"Charts are saved as .png or .svg, not {path.suffix or 'no suffix'}")
    with matplotlib.rc_context(RC_PARAMS):
        fig.savefig(path, format=fmt, dpi=SAVE_DPI, facecolor="white")
    return path


def figure_png(fig: Figure, *, dpi: int = SAVE_DPI) -> bytes:
    """The figure as PNG bytes, e.g. for a PDF report."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC_PARAMS):
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
