"""One entry point for every chart: draw a ChartRequest on a Figure, redrawing only what changed."""

from __future__ import annotations

from typing import Literal

import matplotlib
from matplotlib.figure import Figure

from psi_desktop.charts.data import ChartData, ChartKind, ChartRequest, TrendBy, in_date_order
from psi_desktop.charts.figures import add_title, draw_message, message_of, new_figure
from psi_desktop.charts.gaps import GapsView, gaps_problem
from psi_desktop.charts.multiples import PER_PAGE, MultiplesView, multiples_problem, page_count
from psi_desktop.charts.overlay import OverlayView, overlay_problem
from psi_desktop.charts.practice import practice_figure
from psi_desktop.charts.radar import RadarView
from psi_desktop.charts.style import RC_PARAMS
from psi_desktop.charts.trends import TrendsView, trends_problem
from psi_desktop.domain.model import Perspective, Reflection

NO_REFLECTIONS = "No reflections on this case yet. Once a reflection has ratings, its radar appears here."
NO_CHOICE = "Tick a reflection in the list to see its radar."
NONE_CHOSEN = "Tick one or more reflections in the list to chart them."

EXPORT_SIZES: dict[ChartKind, tuple[float, float]] = {
    ChartKind.RADAR: (7, 7.4),
    ChartKind.OVERLAY: (8, 8.6),
    ChartKind.MULTIPLES: (11, 8.5),
    ChartKind.TRENDS: (11, 8.5),
    ChartKind.GAPS: (11, 8.5),
    ChartKind.PRACTICE: (10, 7),
}
"""Inches: a fixed size for files, so an export does not depend on the window's size."""

Outcome = Literal["built", "updated"]


def export_size(request: ChartRequest) -> tuple[float, float]:
    if request.kind in (ChartKind.TRENDS, ChartKind.PRACTICE) and request.by is TrendBy.COMPONENT:
        return (11, 5.8)
    return EXPORT_SIZES[request.kind]


def radar_reflection(request: ChartRequest, data: ChartData) -> Reflection | None:
    """The reflection a radar shows: the first chosen one, else the newest with ratings, else the newest."""
    if request.reflection_ids is not None:
        chosen = data.chosen(request.reflection_ids[:1])
        return chosen[0] if chosen else None
    rated = [r for r in data.reflections if any(r.ratings.values())]
    pool = rated or list(data.reflections)
    return in_date_order(pool)[-1] if pool else None


def pages(request: ChartRequest, data: ChartData, per_page: int = PER_PAGE) -> int:
    """How many pages the chart has (more than one only for many small multiples)."""
    if request.kind is not ChartKind.MULTIPLES:
        return 1
    return page_count(len(data.chosen(request.reflection_ids)), per_page)


class ChartDrawer:
    """Draws chart requests on one Figure, which keeps its canvas (a Qt canvas on screen).

    When only the chosen reflections or perspectives change, the radar frame or the trend
    panels stay and only the polygons or lines are replaced (small multiples move their frames
    to the new page); anything else rebuilds the figure.
    """

    def __init__(
        self,
        figure: Figure | None = None,
        *,
        size: tuple[float, float] = (8, 6),
        dpi: float = 100,
        per_page: int = PER_PAGE,
    ) -> None:
        self.figure = new_figure(size, dpi, None) if figure is None else figure
        self.per_page = per_page
        self._view: object | None = None
        self._view_key: tuple | None = None
        self.message: str | None = None  # the empty-state sentence shown, if any

    def draw(self, request: ChartRequest, data: ChartData) -> Outcome:
        """Show ``request``; returns "updated" when the frame was kept, "built" when redrawn from scratch."""
        with matplotlib.rc_context(RC_PARAMS):
            if self._view is not None and self._view_key == self._key(request, data):
                problem = self._update(request, data)
                if problem is None:
                    self.message = None
                    return "updated"
            self._build(request, data)
        return "built"

    def _key(self, request: ChartRequest, data: ChartData) -> tuple:
        framework = data.framework
        if request.kind is ChartKind.RADAR:
            reflection = radar_reflection(request, data)
            framework = data.framework_of(reflection) if reflection else framework
        return (request.kind, request.by, framework.key, request.title)

    def _update(self, request: ChartRequest, data: ChartData) -> str | None:
        view = self._view
        chosen = data.chosen(request.reflection_ids)
        if request.kind.needs_many and data.reflections and not chosen:
            return NONE_CHOSEN
        if isinstance(view, RadarView):
            reflection = radar_reflection(request, data)
            if reflection is None:
                return NO_CHOICE
            view.show_reflection(reflection, request.perspectives)
            return None
        if isinstance(view, OverlayView):
            return view.show(chosen, request.perspectives)
        if isinstance(view, TrendsView):
            return view.show(chosen, request.perspectives)
        if isinstance(view, GapsView):
            return view.show(chosen, request.perspectives)
        if isinstance(view, MultiplesView):
            perspectives = [p for p in Perspective if p in request.perspectives]
            problem = multiples_problem(chosen, perspectives)
            if problem is not None:
                return problem
            # Other reflections or another page: the frames drawn so far move into the new page.
            ordered = in_date_order(chosen)
            if not view.set_page(ordered, request.page, data.frameworks):
                return "rebuild"
            view.show(ordered, perspectives)
            return None
        return "rebuild"

    def _build(self, request: ChartRequest, data: ChartData) -> None:
        fig = new_figure(self.figure.get_size_inches(), self.figure.dpi, self.figure)
        self._view, self._view_key, self.message = None, None, None
        kind, title = request.kind, request.title
        chosen = in_date_order(data.chosen(request.reflection_ids))
        perspectives = [p for p in Perspective if p in request.perspectives]
        view: object | None = None
        problem: str | None = None
        if kind.needs_many and data.reflections and not chosen:
            problem = NONE_CHOSEN
        elif kind is ChartKind.RADAR:
            reflection = radar_reflection(request, data)
            if reflection is None:
                problem = NO_REFLECTIONS if not data.reflections else NO_CHOICE
            else:
                add_title(fig, title)
                view = RadarView(fig.add_subplot(projection="polar"), data.framework_of(reflection))
                view.show_reflection(reflection, perspectives)
        elif kind is ChartKind.OVERLAY:
            problem = overlay_problem(chosen, perspectives)
            if problem is None:
                view = OverlayView(fig, data.framework, title=title)
                view.show(chosen, perspectives)
        elif kind is ChartKind.TRENDS:
            problem = trends_problem(chosen, perspectives)
            if problem is None:
                view = TrendsView(fig, data.framework, request.by, title=title)
                view.show(chosen, perspectives)
        elif kind is ChartKind.GAPS:
            problem = gaps_problem(chosen, perspectives)
            if problem is None:
                view = GapsView(fig, data.framework, title=title)
                view.show(chosen, perspectives)
        elif kind is ChartKind.MULTIPLES:
            problem = multiples_problem(chosen, perspectives)
            if problem is None:
                view = MultiplesView(
                    fig,
                    data.framework,
                    chosen,
                    page=request.page,
                    per_page=self.per_page,
                    title=title,
                    frameworks=data.frameworks,
                )
                view.show(chosen, perspectives)
        elif kind is ChartKind.PRACTICE:
            practice_figure(data.months, data.framework, by=request.by, figure=fig, title=title)
        if problem:
            draw_message(fig, problem, title=title)
            self.message = problem
        else:
            self.message = message_of(fig)
        if view is not None:
            self._view, self._view_key = view, self._key(request, data)


def chart_figure(
    request: ChartRequest, data: ChartData, *, size: tuple[float, float] | None = None, dpi: float = 100
) -> Figure:
    """A new Figure of ``request`` at its export size (or ``size``): for files and reports."""
    drawer = ChartDrawer(size=size or export_size(request), dpi=dpi)
    drawer.draw(request, data)
    return drawer.figure
