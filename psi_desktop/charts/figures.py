"""Figures shared by every chart: a fresh or reused Figure, the friendly empty state, saving to files."""

from __future__ import annotations

import io
import os
import tempfile
import textwrap
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from psi_desktop.charts.style import GRID_COLOUR, MUTED_COLOUR, RC_PARAMS, TEXT_COLOUR

EXPORT_DPI = 300
"""PNG exports print sharply at this resolution (the issue asks for 300 dpi)."""

SAVE_DPI = 200
"""PNG bytes for PDF reports: sharp on paper and not too heavy."""

MESSAGE_GID = "empty-state"
TITLE_GID = "title"


class SteadyLayout(ConstrainedLayoutEngine):
    """Constrained layout that runs again only when something it measures has changed.

    A chart's frame (its axes, titles, bands and rim labels) stays while a selection change replaces
    the lines and the legend, and what a view adds on an update stays out of the layout
    (``set_in_layout(False)``: it lies inside its axes). So the layout is a function of what
    ``layout_inputs`` lists; when those are as they were at the last run, the positions that run
    set are still the ones it would set, and measuring every decoration again is skipped. A legend
    under the chart that still fits the room the last run left for it (a perspective unticked: one
    row fewer) needs no new layout either: it sits at the bottom of that room.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._inputs: tuple | None = None
        self._room: tuple[float, ...] = ()

    def execute(self, fig):
        inputs, legends = layout_inputs(fig, self._params)
        fits = len(legends) == len(self._room) and all(h <= room for h, room in zip(legends, self._room, strict=True))
        if inputs == self._inputs and fits:
            return None
        result = super().execute(fig)
        # Taken after the run, with the positions it set: an axes moved since (a small radar put
        # in another place in its grid) is laid out again.
        self._inputs, self._room = layout_inputs(fig, self._params)
        return result


def layout_inputs(fig: Figure, params: dict) -> tuple[tuple, tuple[float, ...]]:
    """What constrained layout's result depends on, short of the frame itself (which a view never changes),
    and apart from it the height of each figure legend (a legend outside the axes only takes room below them).

    The figure's size and the layout's settings; the suptitle; and, per axes, its identity, place in
    its grid, position and titles and, for each axis in the layout, its label and its tick labels
    (``_tick_labels``).
    """
    renderer = fig._get_renderer()  # the renderer constrained layout measures with
    parts: list = [tuple(fig.bbox.size), fig.dpi, tuple(sorted(params.items())), fig.get_suptitle()]
    legends = tuple(legend.get_tightbbox(renderer).height for legend in fig.legends)
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        parts += [id(ax), spec.get_geometry() if spec else None, ax.get_position(original=True).bounds]
        parts += [ax.get_visible()]
        parts += [ax.get_title("left"), ax.get_title(), ax.get_title("right")]
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_visible() and axis.get_in_layout():
                parts += [axis.get_label_text(), _tick_labels(ax, axis, renderer)]
    return tuple(parts), legends


def _tick_labels(ax, axis, renderer) -> tuple:
    """An axis's tick labels as the layout sees them: their texts (which set how much room they take
    beside the axis) and how far any sticks out past an end of the axes (which the layout makes room
    for too). Where labels sit between the ends changes nothing, so dates that move along a time axis
    when other sessions are chosen need no new layout.
    """
    low, high = sorted(axis.get_view_interval())
    locs = axis.get_majorticklocs()
    labels = axis.get_major_formatter().format_ticks(locs)  # all of them: a FixedFormatter goes by place
    span = (high - low) or 1.0
    shown = [(label, (loc - low) / span) for loc, label in zip(locs, labels, strict=True) if low <= loc <= high]
    ticks = axis.get_major_ticks(len(locs))
    if not shown or not ticks or ticks[0].label1.get_rotation() % 180:
        return tuple(shown)  # a turned label sticks out in both directions: where it sits counts
    prop = ticks[0].label1.get_fontproperties()
    along = ax.bbox.width if axis is ax.xaxis else ax.bbox.height
    beyond = []
    for label, where in shown:
        width, height, _ = renderer.get_text_width_height_descent(label, prop, ismath=False)
        half = (width if axis is ax.xaxis else height) / 2
        out = (max(0.0, half - where * along), max(0.0, half - (1 - where) * along))
        if any(out):
            beyond.append((label, round(out[0], 1), round(out[1], 1)))
    return tuple(label for label, _ in shown), tuple(beyond)


def new_figure(size: tuple[float, float], dpi: float, figure: Figure | None = None) -> Figure:
    """A blank Figure with constrained layout (``SteadyLayout``): ``figure`` cleared for reuse, or a new one on Agg.

    A reused Figure keeps its canvas (a Qt canvas on screen), so nothing there is rebuilt.
    """
    if figure is None:
        figure = Figure(figsize=size, dpi=dpi, layout=SteadyLayout())
        FigureCanvasAgg(figure)
    else:
        figure.clear()
        figure.set_layout_engine(SteadyLayout())
    figure.set_facecolor("white")
    return figure


def add_title(figure: Figure, title: str | None) -> None:
    """A bold title at the top, when the chart is exported and has to say what it is."""
    if title:
        figure.suptitle(title, fontsize=13, fontweight="bold", color=TEXT_COLOUR, gid=TITLE_GID)


def draw_message(figure: Figure, text: str, *, title: str | None = None) -> Figure:
    """Replace what ``figure`` shows with one friendly sentence (or two), centred."""
    figure.clear()
    add_title(figure, title)
    wrapped = "\n\n".join(textwrap.fill(part, 58) for part in text.split("\n\n"))
    figure.text(
        0.5,
        0.5,
        wrapped,
        ha="center",
        va="center",
        fontsize=13,
        color=MUTED_COLOUR,
        linespacing=1.4,
        gid=MESSAGE_GID,
        bbox={"boxstyle": "round,pad=1.0", "facecolor": "#FAFAFA", "edgecolor": GRID_COLOUR},
    )
    return figure


def message_figure(
    text: str,
    *,
    size: tuple[float, float] = (7, 5),
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """A Figure that only says ``text``: the empty state of any chart."""
    with matplotlib.rc_context(RC_PARAMS):
        return draw_message(new_figure(size, dpi, figure), text, title=title)


def message_of(figure: Figure) -> str | None:
    """The empty-state sentence the figure shows, if it shows one (unwrapped)."""
    for text in figure.texts:
        if text.get_gid() == MESSAGE_GID:
            return " ".join(text.get_text().split())
    return None


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: float = EXPORT_DPI) -> Path:
    """Write the figure as PNG (at ``dpi``, 300 by default) or SVG, chosen by the file's suffix.

    The file appears whole or not at all: it is written beside its name, then renamed.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"Charts are saved as .png or .svg, not {path.suffix or 'no suffix'}")
    handle, part = tempfile.mkstemp(prefix=f".{path.stem[:40]}-", suffix=f".{fmt}.part", dir=path.parent)
    os.close(handle)
    try:
        with matplotlib.rc_context(RC_PARAMS):
            fig.savefig(part, format=fmt, dpi=dpi, facecolor="white")
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    return path


def figure_png(fig: Figure, *, dpi: float = SAVE_DPI) -> bytes:
    """The figure as PNG bytes, e.g. for a PDF report."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC_PARAMS):
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
