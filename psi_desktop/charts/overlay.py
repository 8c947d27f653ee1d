"""The radar over time: chosen reflections of a case on one radar, oldest faint to newest strong."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from psi_desktop.charts.data import chart_gid, in_date_order, session_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import RadarView, fitting_legend
from psi_desktop.charts.style import MUTED_COLOUR, RC_PARAMS, overlay_strengths, perspective_style
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection, is_estimate, perspective_name

NO_REFLECTIONS = "No reflections to show yet. Each reflection you save appears here as a polygon."
NOTHING_RATED = "Nothing is rated from the chosen perspectives in these reflections yet."
NO_PERSPECTIVE = "Choose at least one perspective to draw."
LEGEND_LIMIT = 10  # dated entries in the legend; more would not fit beside the radar
SIZE = (8.5, 6.5)


def overlay_figure(
    reflections: Iterable[Reflection],
    framework: Framework,
    perspectives: Iterable[Perspective] = (Perspective.PRACTITIONER,),
    *,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """Every reflection's polygons on one radar, with a legend of session dates.

    Older sessions are fainter and thinner; the newest is strongest. Each perspective keeps
    its own line style and marker, so two perspectives over time still tell apart. With
    nothing to draw, the figure says why in one sentence.
    """
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        view = OverlayView(fig, framework, title=title)
        problem = view.show(reflections, perspectives)
        if problem:
            draw_message(fig, problem, title=title)
    return fig


class OverlayView:
    """The overlay's radar frame, drawn once; ``show`` replaces the polygons and the legend."""

    def __init__(self, figure: Figure, framework: Framework, *, title: str | None = None) -> None:
        add_title(figure, title)
        self.radar = RadarView(figure.add_subplot(projection="polar"), framework)
        self.framework = framework

    @property
    def figure(self) -> Figure:
        return self.radar.figure

    def show(self, reflections: Iterable[Reflection], perspectives: Iterable[Perspective]) -> str | None:
        """Draw the reflections; returns the empty-state sentence instead when there is nothing to draw."""
        ordered = in_date_order(reflections)
        chosen = [p for p in Perspective if p in set(perspectives)]
        problem = overlay_problem(ordered, chosen)
        if problem:
            return problem
        with matplotlib.rc_context(RC_PARAMS):
            self._draw(ordered, chosen)
        return None

    def _draw(self, ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> None:
        radar = self.radar
        radar.clear()
        drawn = [r for r in ordered if any(r.ratings_of(p) for p in chosen)]
        strengths = overlay_strengths(len(drawn))
        newest = len(drawn) - 1
        for age, (reflection, (alpha, width)) in enumerate(zip(drawn, strengths, strict=True)):
            for rank, perspective in enumerate(chosen):
                scores = reflection.ratings_of(perspective)
                if not scores:
                    continue
                style = perspective_style(perspective, reflection.service_user_source)
                values = [scores.get(d.id) for d in self.framework.dimensions]
                radar.add_polygon(
                    values,
                    style,
                    gid=chart_gid(reflection=reflection.id, perspective=perspective.value),
                    zorder=4 + 5 * age / max(newest, 1) + 0.1 * (len(chosen) - rank),
                    alpha=alpha,
                    linewidth=width,
                    markersize=4 + 3 * (alpha if newest else 1),
                    fill=age == newest,
                    texts=radar.vertex_texts(
                        values, perspective_name(perspective, reflection.service_user_source), reflection
                    ),
                )
        radar.add_legend(self._legend(drawn, strengths, chosen))

    def _legend(self, drawn: Sequence[Reflection], strengths, chosen: Sequence[Perspective]):
        """Session dates, faint to strong like their polygons; with two or more perspectives, those too."""
        shown = legend_indices(len(drawn))
        single = chosen[0] if len(chosen) == 1 else None
        handles: list[Line2D] = []
        for index in shown:
            reflection, (alpha, width) = drawn[index], strengths[index]
            label = session_label(reflection)
            if single is not None:
                style = perspective_style(single, reflection.service_user_source)
                if is_estimate(single, reflection.service_user_source):
                    label += f" \u00b7 {perspective_name(single, reflection.service_user_source)}"
                handles.append(
                    _handle(style.colour, style.linestyle, style.marker, style.marker_face, alpha, width, label)
                )
            else:
                handles.append(_handle(MUTED_COLOUR, "-", None, None, alpha, width, label))
        if single is None:
            handles += perspective_handles(chosen, drawn)
        who = perspective_name(single) if single is not None else "Each perspective"
        title = f"{who}, oldest session faint, newest strong"
        if len(shown) < len(drawn):
            title += f" ({len(shown)} of {len(drawn)} sessions in this key)"
        return fitting_legend(self.figure, handles, title=title)


def overlay_problem(ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> str | None:
    """Why an overlay cannot be drawn (the sentence to show instead), or None."""
    if not ordered:
        return NO_REFLECTIONS
    if not chosen:
        return NO_PERSPECTIVE
    if not any(r.ratings_of(p) for r in ordered for p in chosen):
        return NOTHING_RATED
    return None


def legend_indices(count: int, limit: int = LEGEND_LIMIT) -> list[int]:
    """Which of ``count`` sessions get a legend entry: all, or evenly spread with the first and last."""
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


def _handle(colour, linestyle, marker, face, alpha: float, width: float, label: str) -> Line2D:
    return Line2D(
        [],
        [],
        color=colour,
        linestyle=linestyle,
        linewidth=width,
        marker=marker,
        markersize=6,
        markerfacecolor=face,
        markeredgecolor=colour,
        alpha=alpha,
        label=label,
    )


def perspective_handles(chosen: Sequence[Perspective], drawn: Sequence[Reflection]) -> list[Line2D]:
    """A key entry per perspective drawn; a service user's estimate and their own view apart."""
    handles: list[Line2D] = []
    for perspective in chosen:
        sources = [r.service_user_source for r in drawn if r.ratings_of(perspective)]
        styles = {perspective_style(perspective, source): None for source in sources}
        for style in styles:
            handles.append(
                _handle(
                    style.colour, style.linestyle, style.marker, style.marker_face, 1.0, style.linewidth, style.label
                )
            )
    return handles
