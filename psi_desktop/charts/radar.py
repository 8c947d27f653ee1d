"""The radar of one reflection: one axis per dimension, grouped by component, one polygon per perspective."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence

import matplotlib
import numpy
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from psi_desktop.charts import hover
from psi_desktop.charts.data import session_label
from psi_desktop.charts.figures import SAVE_DPI, add_title, figure_png, new_figure, save_figure
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

__all__ = [
    "EMPTY_TEXT",
    "SAVE_DPI",
    "RadarView",
    "figure_png",
    "perspective_gid",
    "radar_figure",
    "rated_perspectives",
    "rated_runs",
    "save_figure",
]

EMPTY_TEXT = "No ratings yet"
GRID_GID = "grid"

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
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """A Figure with the reflection's radar; ``perspectives`` defaults to all that have ratings.

    An unrated dimension is a gap in its polygon, never a 0. With nothing rated, the empty
    grid says "No ratings yet". ``figure`` is cleared and reused when given (a canvas on screen).
    """
    with matplotlib.rc_context(RC_PARAMS):
        # Constrained layout keeps the rim labels and the legend inside the figure at any size,
        # including when a Qt canvas resizes it.
        fig = new_figure(size, dpi, figure)
        add_title(fig, title)
        view = RadarView(fig.add_subplot(projection="polar"), framework)
        view.show_reflection(reflection, perspectives)
    return fig


class RadarView:
    """A radar frame drawn once on a polar Axes, and polygons on it that can be replaced.

    Replacing polygons leaves the rings, spokes, bands and rim labels alone: switching the
    reflection or the perspectives on screen redraws without rebuilding the frame.
    ``compact`` leaves out the rim labels and ring numbers, for small multiples.
    """

    def __init__(self, ax, framework: Framework, *, compact: bool = False) -> None:
        self.ax = ax
        self.framework = framework
        self.compact = compact
        self._drawn: list[Artist] = []
        self._legends: list[Legend] = []
        _draw_frame(ax, framework, compact=compact)

    @property
    def figure(self) -> Figure:
        return self.ax.figure

    def clear(self) -> None:
        """Remove the polygons, the legend and any empty-state text; keep the frame."""
        for artist in self._drawn:
            artist.remove()
        self._drawn.clear()
        for legend in self._legends:
            legend.remove()
        self._legends.clear()

    def show_reflection(self, reflection: Reflection, perspectives: Iterable[Perspective] | None = None) -> None:
        """The reflection's polygons, one per chosen perspective that has ratings, with their legend."""
        self.clear()
        wanted = rated_perspectives(reflection) if perspectives is None else list(perspectives)
        shown = [p for p in Perspective if p in wanted and reflection.ratings_of(p)]
        handles = []
        for rank, perspective in enumerate(shown):
            style = perspective_style(perspective, reflection.service_user_source)
            values = [reflection.ratings_of(perspective).get(d.id) for d in self.framework.dimensions]
            self.add_polygon(
                values,
                style,
                gid=perspective_gid(perspective),
                zorder=10 - rank,
                texts=self.vertex_texts(values, style.label, reflection),
            )
            handles.append(legend_handle(style, _legend_label(style, values)))
        if handles:
            self.add_legend(fitting_legend(self.figure, handles))
        else:
            self.show_empty(EMPTY_TEXT)

    def show_empty(self, text: str) -> None:
        self._drawn.append(
            self._inside(
                self.ax.text(
                    0.5,
                    0.5,
                    text,
                    transform=self.ax.transAxes,
                    ha="center",
                    va="center",
                    fontsize=12,
                    color=MUTED_COLOUR,
                    gid="empty-state",
                    bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": GRID_COLOUR},
                    zorder=20,
                )
            )
        )

    @staticmethod
    def _inside(artist: Artist) -> Artist:
        """An artist drawn inside the frame, so it cannot move the layout: kept out of it (see figures.SteadyLayout)."""
        artist.set_in_layout(False)
        return artist

    def add_legend(self, legend: Legend) -> None:
        """A figure legend that belongs to the polygons: removed with them."""
        self._legends.append(legend)

    def vertex_texts(self, values: Sequence[int | None], who: str, reflection: Reflection) -> list[str | None]:
        """Tooltips, "Trust · Practitioner · 3 Mostly · 18 Aug 2026", per dimension (None if unrated)."""
        when = session_label(reflection)
        texts: list[str | None] = []
        for dimension, value in zip(self.framework.dimensions, values, strict=True):
            if value is None:
                texts.append(None)
            else:
                texts.append(f"{dimension.label} · {who} · {_scale_text(self.framework, value)} · {when}")
        return texts

    def add_polygon(
        self,
        values: Sequence[int | None],
        style: PerspectiveStyle,
        *,
        gid: str,
        zorder: float,
        alpha: float = 1.0,
        linewidth: float | None = None,
        markersize: float | None = None,
        fill: bool = True,
        texts: Sequence[str | None] | None = None,
    ) -> list[Line2D]:
        """Draw one polygon: a line per run of rated dimensions, so an unrated one is a gap."""
        count = len(values)
        step = 2 * math.pi / count
        lines = []
        for run in rated_runs(values):
            thetas = [index * step for index in run]
            radii = [values[index % count] for index in run]
            (line,) = self.ax.plot(
                thetas,
                radii,
                color=style.colour,
                linestyle=style.linestyle,
                linewidth=style.linewidth if linewidth is None else linewidth,
                marker=style.marker,
                markersize=style.markersize if markersize is None else markersize,
                markerfacecolor=style.marker_face,
                markeredgecolor=style.colour,
                markeredgewidth=1.5 if markersize is None else max(1.0, markersize / 5),
                alpha=alpha,
                label=style.label,
                gid=gid,
                zorder=zorder,
                clip_on=False,  # a marker on the outer ring is drawn whole
            )
            self._inside(line)  # within the component bands
            if texts is not None:
                hover.register(line, [texts[index % count] for index in run])
            lines.append(line)
        self._drawn.extend(lines)
        if fill and all(v is not None for v in values):
            closed = [*values, values[0]]
            patches = self.ax.fill(
                [i * step for i in range(count + 1)],
                closed,
                color=style.colour,
                alpha=(0.05 if style.hollow else 0.07) * alpha,
                zorder=zorder - 5,
                gid=f"{gid}:fill",
            )
            self._drawn.extend(patches)
        return lines


def _scale_text(framework: Framework, value: int) -> str:
    try:
        return f"{value} {framework.scale_label(value)}"
    except KeyError:
        return str(value)


def fitting_legend(fig: Figure, handles: list[Line2D], *, title: str | None = None) -> Legend:
    """A legend under the chart, in as few rows as fit the figure's width.

    Under rather than beside: a radar's rim labels stick out on both sides, and constrained
    layout only keeps them inside the figure when what is beside them is symmetric.
    Columns are tried from one row down to one column; a number of columns that the entries'
    widths, measured once, show to be far too wide is skipped without building its legend.
    """
    options = {"loc": "outside lower center", "frameon": False, "handlelength": 4.6, "columnspacing": 1.6}
    if title:
        options["title"] = title
    renderer = fig.canvas.get_renderer()
    fits = 0.98 * fig.bbox.width
    columns = len(handles)
    width_of = None
    while True:
        too_wide = width_of is not None and columns > 1 and width_of(columns) > 1.02 * fits
        if not too_wide:
            legend = fig.legend(handles=handles, ncol=columns, **options)
            if columns == 1 or legend.get_window_extent(renderer).width <= fits:
                return legend
            width_of = width_of or _legend_widths(legend, renderer)
            legend.remove()
        # One more row each time, and always fewer columns, so this ends at one column.
        rows = -(-len(handles) // columns) + 1
        columns = min(columns - 1, -(-len(handles) // rows))


def _legend_widths(legend: Legend, renderer):
    """The width in pixels ``legend``'s entries would take in n columns, as a function of n (an estimate).

    Columns are filled as matplotlib fills them (numpy.array_split of the entries), each as wide as
    its widest entry: handle, gap, text.
    """
    size = legend.prop.get_size_in_points()
    px = renderer.points_to_pixels
    entries = [
        px(legend.handlelength * size) + px(legend.handletextpad * size) + t.get_window_extent(renderer).width
        for t in legend.get_texts()
    ]
    title = legend.get_title().get_window_extent(renderer).width if legend.get_title().get_text() else 0.0
    gap, pad = px(legend.columnspacing * size), px(legend.borderpad * size)

    def width(columns: int) -> float:
        split = numpy.array_split(numpy.array(entries), columns)
        body = sum(float(part.max()) for part in split if len(part)) + gap * (columns - 1)
        return max(body, title) + 2 * pad

    return width


def _angles(count: int) -> list[float]:
    return [2 * math.pi * i / count for i in range(count)]


def _draw_frame(ax, framework: Framework, *, compact: bool = False) -> None:
    """Rings, spokes, coloured component bands and the labels round the rim."""
    count = len(framework.dimensions)
    step = 2 * math.pi / count
    angles = _angles(count)
    r_min, r_max = framework.scale_min, framework.scale_max
    runs = framework.component_runs()

    # Clockwise from the top, with the middle of the first component straight up.
    _, first, last = runs[0]
    ax.set_theta_direction(-1)
    ax.set_theta_offset(math.pi / 2 + step * (first + last) / 2)
    ax.set_ylim(r_min, r_max)
    ax.set_rorigin(_R_ORIGIN)
    # The spokes and rings are one collection where the axes' ticks would draw them: a tick is
    # several artists to make, lay out and draw, and a page of small radars has a hundred of them.
    ax.set_xticks([])
    if compact:
        ax.set_yticks([])
    else:
        ax.set_rgrids(
            range(r_min, r_max + 1),
            labels=[str(v) for v in range(r_min, r_max + 1)],
            angle=math.degrees(angles[-1] + step / 2),
            color=MUTED_COLOUR,
        )
        ax.yaxis.grid(False)
        for label in ax.yaxis.get_ticklabels():
            # A white halo keeps the ring numbers readable where a polygon crosses them.
            label.set_path_effects([patheffects.withStroke(linewidth=3, foreground="white")])
            label.set_zorder(15)
    ax.add_collection(_grid(angles, r_min, r_max, 0.6 if compact else 0.8), autolim=False)
    # The axes' own tick labels are empty or inside the circle: leaving them out of the layout
    # changes nothing on the page and saves most of constrained layout's work.
    ax.xaxis.set_in_layout(False)
    ax.yaxis.set_in_layout(False)
    for spine in ("polar", "inner"):
        ax.spines[spine].set_color(GRID_COLOUR)
        ax.spines[spine].set_in_layout(False)  # circles inside the axes' own box: nothing for the layout
    ax.patch.set_in_layout(False)  # the white disc too; measuring its curved outline took ~3 ms per radar
    ax.set_facecolor("white")

    band_gap = 0.35 if compact else _BAND_GAP
    for component_id, start, end in runs:
        component = framework.component(component_id)
        # A band just outside the outer ring, a little short of the neighbouring band.
        arc = numpy.linspace(angles[start] - step / 2 + 0.04, angles[end] + step / 2 - 0.04, 60)
        ax.plot(
            arc,
            [r_max + band_gap] * len(arc),
            color=component.colour,
            linewidth=3 if compact else 5,
            solid_capstyle="butt",
            clip_on=False,
            gid=f"component:{component.id}",
        )
        if compact:
            continue
        centre = (angles[start] + angles[end]) / 2
        _rim_label(
            ax,
            centre,
            r_max + band_gap,
            _COMPONENT_OFFSET,
            component.label,
            color=text_colour(component.colour),
            fontweight="bold",
            fontsize=12,
            gid=f"component-label:{component.id}",
        )
    if compact:
        return
    for angle, dimension in zip(angles, framework.dimensions, strict=True):
        _rim_label(
            ax,
            angle,
            r_max + band_gap,
            _LABEL_OFFSET,
            textwrap.fill(dimension.label, _LABEL_WIDTH),
            color=text_colour(framework.component(dimension.component).colour),
            linespacing=1.1,
            gid=f"dimension:{dimension.id}",
        )


_RING_POINTS = numpy.linspace(0, 2 * math.pi, 361)


def _grid(angles: Sequence[float], r_min: int, r_max: int, linewidth: float) -> LineCollection:
    """The spokes and rings as matplotlib's polar grid draws them (same colour, width, caps, clip and zorder)."""
    spokes = [[(angle, r_min), (angle, r_max)] for angle in angles]
    rings = [numpy.column_stack([_RING_POINTS, numpy.full(len(_RING_POINTS), r)]) for r in range(r_min, r_max + 1)]
    return LineCollection(
        [*spokes, *rings],
        colors=GRID_COLOUR,
        linewidths=linewidth,
        capstyle="projecting",
        joinstyle="round",
        zorder=1.5,  # where the axes draw their grid
        gid=GRID_GID,
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


def _legend_label(style: PerspectiveStyle, values: Sequence[int | None]) -> str:
    """The perspective's name, and how much of it is rated when a gap could be misread."""
    rated = sum(v is not None for v in values)
    return style.label if rated == len(values) else f"{style.label}, {rated} of {len(values)} rated"


def legend_handle(style: PerspectiveStyle, label: str, *, alpha: float = 1.0, linewidth: float | None = None) -> Line2D:
    """A legend entry drawn like the perspective's polygon."""
    return Line2D(
        [],
        [],
        color=style.colour,
        linestyle=style.linestyle,
        linewidth=style.linewidth if linewidth is None else linewidth,
        marker=style.marker,
        markersize=style.markersize,
        markerfacecolor=style.marker_face,
        markeredgecolor=style.colour,
        markeredgewidth=1.5,
        alpha=alpha,
        label=label,
    )
