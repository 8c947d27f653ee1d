"""Small multiples: one small radar per reflection, in date order, a page at a time."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from psi_desktop.charts.data import chart_gid, in_date_order, session_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import RadarView, fitting_legend, legend_handle, perspective_gid
from psi_desktop.charts.style import MUTED_COLOUR, RC_PARAMS, perspective_style
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection, perspective_name

PER_PAGE = 12
SIZE = (11, 8.5)
NO_REFLECTIONS = "No reflections to show yet. Each reflection you save gets its own small radar here."
NO_PERSPECTIVE = "Choose at least one perspective to draw."
NOT_RATED = "Not rated"
PAGE_GID = "page"


def page_count(count: int, per_page: int = PER_PAGE) -> int:
    """How many pages ``count`` small radars take (at least one)."""
    return max(1, math.ceil(count / per_page))


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, columns) for ``count`` radars on a landscape page: up to 3 columns, 4 beyond nine."""
    if count <= 0:
        return (1, 1)
    columns = count if count <= 3 else (2 if count == 4 else (3 if count <= 9 else 4))
    return (math.ceil(count / columns), columns)


def multiples_figure(
    reflections: Iterable[Reflection],
    framework: Framework,
    perspectives: Iterable[Perspective] | None = None,
    *,
    page: int = 0,
    per_page: int = PER_PAGE,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
    frameworks: Mapping[tuple[str, int], Framework] | None = None,
) -> Figure:
    """One compact radar per reflection (oldest first), ``per_page`` to a page; ``page`` counts from 0.

    Each radar is titled with its session date and carries the gid "reflection:<id>"; the
    perspectives keep their line styles. ``perspectives`` defaults to all three.
    ``frameworks`` maps (id, version) to the framework a reflection was made with, if not ``framework``.
    """
    ordered = in_date_order(reflections)
    chosen = list(Perspective) if perspectives is None else [p for p in Perspective if p in set(perspectives)]
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        problem = multiples_problem(ordered, chosen)
        if problem:
            return draw_message(fig, problem, title=title)
        view = MultiplesView(fig, framework, ordered, page=page, per_page=per_page, title=title, frameworks=frameworks)
        view.show(ordered, chosen)
    return fig


def multiples_problem(ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> str | None:
    if not ordered:
        return NO_REFLECTIONS
    if not chosen:
        return NO_PERSPECTIVE
    return None


class MultiplesView:
    """A page of small radar frames; ``show`` replaces the polygons and the key, ``show_page`` the page.

    Another page, or other reflections chosen, keeps the frames drawn so far where it can: each is
    moved to its place in the new page's grid and re-titled, and only missing ones are made (a polar
    frame is most of what a small radar costs to draw).
    """

    def __init__(
        self,
        figure: Figure,
        framework: Framework,
        ordered: Sequence[Reflection],
        *,
        page: int = 0,
        per_page: int = PER_PAGE,
        title: str | None = None,
        frameworks: Mapping[tuple[str, int], Framework] | None = None,
    ) -> None:
        self.figure = figure
        self.framework = framework
        self.per_page = per_page
        self.radars: list[RadarView] = []
        self.reflection_ids: tuple = ()
        self._grid = None
        self._footer = None
        add_title(figure, title)
        figure.get_layout_engine().set(h_pad=0.06, w_pad=0.06)
        self.set_page(ordered, page, frameworks)

    def set_page(
        self,
        ordered: Sequence[Reflection],
        page: int,
        frameworks: Mapping[tuple[str, int], Framework] | None = None,
    ) -> bool:
        """Frames for page ``page`` of ``ordered``, titled with their dates; the polygons come with ``show``.

        Returns False, changing nothing, when a frame drawn so far has another framework than the
        reflection now in its place (the chart is then built afresh).
        """
        pages = page_count(len(ordered), self.per_page)
        number = min(max(page, 0), pages - 1)
        on_page = list(ordered[number * self.per_page : (number + 1) * self.per_page])
        own = [(frameworks or {}).get((r.framework_id, r.framework_version), self.framework) for r in on_page]
        if any(radar.framework.key != fw.key for radar, fw in zip(self.radars, own, strict=False)):
            return False
        figure = self.figure
        # Every page has the first page's grid, so radars keep their size from page to page.
        shape = grid_shape(min(len(ordered), self.per_page))
        if self._grid is None or self._grid.get_geometry() != shape:
            self._grid = figure.add_gridspec(*shape)
        columns = shape[1]
        for radar in self.radars[len(on_page) :]:
            radar.ax.remove()
        del self.radars[len(on_page) :]
        for index, (reflection, framework) in enumerate(zip(on_page, own, strict=True)):
            place = self._grid[index // columns, index % columns]
            if index < len(self.radars):
                ax = self.radars[index].ax
                if ax.get_subplotspec() != place:
                    ax.set_subplotspec(place)  # moved: laid out again
            else:
                ax = figure.add_subplot(place, projection="polar")
                self.radars.append(RadarView(ax, framework, compact=True))
            ax.set_gid(chart_gid(reflection=reflection.id))
            # A fixed place just above the band: matplotlib's own title placement measures every tick.
            ax.set_title(session_label(reflection), y=1.06, pad=2, fontweight="bold")
        self.page = number
        self.reflection_ids = tuple(r.id for r in on_page)
        self._set_footer(pages, len(ordered), len(on_page))
        return True

    def _set_footer(self, pages: int, count: int, shown: int) -> None:
        if self._footer is not None:
            self._footer.remove()
            self._footer = None
        if pages > 1:
            first = self.page * self.per_page + 1
            self._footer = self.figure.text(
                0.99,
                0.005,
                f"Page {self.page + 1} of {pages} · sessions {first}–{first + shown - 1} of {count}",
                ha="right",
                va="bottom",
                color=MUTED_COLOUR,
                gid=PAGE_GID,
            )

    def show(self, ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> None:
        """The page's polygons from the ``chosen`` perspectives, and the key; the frames stay."""
        by_id = {r.id: r for r in ordered}
        for radar, reflection_id in zip(self.radars, self.reflection_ids, strict=True):
            _small_polygons(radar, by_id[reflection_id], chosen)
        if self.radars:
            self.radars[0].add_legend(_key(self.figure, self.framework, ordered, chosen))


def _small_polygons(view: RadarView, reflection: Reflection, chosen: Sequence[Perspective]) -> None:
    view.clear()
    drawn = False
    for rank, perspective in enumerate(chosen):
        scores = reflection.ratings_of(perspective)
        if not scores:
            continue
        style = perspective_style(perspective, reflection.service_user_source)
        values = [scores.get(d.id) for d in view.framework.dimensions]
        view.add_polygon(
            values,
            style,
            gid=perspective_gid(perspective),
            zorder=10 - rank,
            linewidth=1.4,
            markersize=4.5,
            fill=not drawn,  # one light fill shows the shape; three would muddy it
            texts=view.vertex_texts(values, perspective_name(perspective, reflection.service_user_source), reflection),
        )
        drawn = True
    if not drawn:
        view.show_empty(NOT_RATED)


def _key(fig: Figure, framework: Framework, ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> Legend:
    """Which line is which perspective, and which coloured band is which component."""
    handles: list[Line2D] = []
    for perspective in chosen:
        sources = {r.service_user_source for r in ordered if r.ratings_of(perspective)}
        if not sources:
            continue
        if perspective is Perspective.SERVICE_USER:
            # Both kinds of service-user line, when both occur.
            for source in sorted(sources, key=lambda s: (s is not None, str(s))):
                style = perspective_style(perspective, source)
                if style.label not in [h.get_label() for h in handles]:
                    handles.append(legend_handle(style, style.label, linewidth=1.6))
        else:
            style = perspective_style(perspective)
            handles.append(legend_handle(style, style.label, linewidth=1.6))
    for component in framework.components:
        names = ", ".join(d.label for d in framework.dimensions_of(component.id))
        handles.append(Line2D([], [], color=component.colour, linewidth=5, label=f"{component.label}: {names}"))
    order = ", then ".join(c.label for c in framework.components)
    rings = f"rings from {framework.scale_min} in the middle to {framework.scale_max} at the rim"
    # The order is in words too: in greyscale the component bands look alike.
    return fitting_legend(fig, handles, title=f"Clockwise from the top: {order};\n{rings}")
