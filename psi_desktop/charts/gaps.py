"""Gaps between two perspectives over time: practitioner minus supervisor, per dimension."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from psi_desktop.charts.data import TrendBy, chart_gid, day_label, format_gap, gap, in_date_order, rating
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import fitting_legend
from psi_desktop.charts.style import BAND_COLOUR, NEUTRAL_COLOUR, RC_PARAMS, PerspectiveStyle
from psi_desktop.charts.trends import SIZE, Panel, make_panels, one_reflection_text, plot_series, set_date_limits
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection
from psi_desktop.domain.rules import DISCUSSION_GAP

NO_REFLECTIONS = "No reflections to show yet. Gaps appear once a case has two reflections rated from two perspectives."
CHOOSE_TWO = "Choose two perspectives to compare, such as the practitioner and the supervisor."
GAP_STYLE = PerspectiveStyle("Gap", NEUTRAL_COLOUR, "-", "o", hollow=True, linewidth=1.8, markersize=6.5)
DISCUSSION_MARK = "discussion"


def nobody_rated_both(first: Perspective, second: Perspective) -> str:
    return (
        f"No reflection here has ratings from both the {first.label.lower()} and the "
        f"{second.label.lower()} yet. Gaps appear once both have rated."
    )


def gaps_problem(ordered: Sequence[Reflection], first: Perspective | None, second: Perspective | None) -> str | None:
    """Why the gaps cannot be drawn (the sentence to show instead), or None."""
    if not ordered:
        return NO_REFLECTIONS
    if len(ordered) == 1:
        return one_reflection_text(ordered[0])
    if first is None or second is None or first is second:
        return CHOOSE_TWO
    if not any(r.ratings_of(first) and r.ratings_of(second) for r in ordered):
        return nobody_rated_both(first, second)
    return None


def gaps_figure(
    reflections: Iterable[Reflection],
    framework: Framework,
    first: Perspective = Perspective.PRACTITIONER,
    second: Perspective = Perspective.SUPERVISOR,
    *,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """``first`` minus ``second`` per dimension over the session dates, a panel per dimension.

    Above 0 the first rated higher. Differences of DISCUSSION_GAP or more sit in the shaded
    bands and have filled markers: the ones worth talking about. A session where either did not
    rate a dimension is a gap in its line.
    """
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        view = GapsView(fig, framework, title=title)
        problem = view.show(reflections, first, second)
        if problem:
            draw_message(fig, problem, title=title)
    return fig


class GapsView:
    """The gap panels, drawn once; ``show`` replaces the lines and the legend."""

    def __init__(self, figure: Figure, framework: Framework, *, title: str | None = None) -> None:
        add_title(figure, title)
        self.figure = figure
        self.framework = framework
        span = framework.scale_max - framework.scale_min
        ticks = list(range(-span, span + 1, 2))
        self.panels = make_panels(
            figure,
            framework,
            TrendBy.DIMENSION,
            ylim=(-span - 0.4, span + 0.4),
            yticks=ticks,
            yticklabels=[format_gap(t) for t in ticks],
        )
        for panel in self.panels:
            ax = panel.ax
            ax.axhspan(DISCUSSION_GAP - 0.25, span + 0.4, color=BAND_COLOUR, zorder=0, linewidth=0)
            ax.axhspan(-span - 0.4, -DISCUSSION_GAP + 0.25, color=BAND_COLOUR, zorder=0, linewidth=0)
            ax.axhline(0, color="#888888", linewidth=1.0, zorder=1)
        self._drawn: list[Artist] = []
        self._legend: Legend | None = None

    def clear(self) -> None:
        for artist in self._drawn:
            artist.remove()
        self._drawn.clear()
        if self._legend is not None:
            self._legend.remove()
            self._legend = None

    def show(
        self,
        reflections: Iterable[Reflection],
        first: Perspective | None = Perspective.PRACTITIONER,
        second: Perspective | None = Perspective.SUPERVISOR,
    ) -> str | None:
        """Draw the gaps; returns the empty-state sentence instead when there is nothing to draw."""
        ordered = in_date_order(reflections)
        problem = gaps_problem(ordered, first, second)
        if problem:
            return problem
        assert first is not None and second is not None
        with matplotlib.rc_context(RC_PARAMS):
            self.clear()
            dates = [r.session_date for r in ordered]
            for panel in self.panels:
                values = [gap(r, first, second, panel.key) for r in ordered]
                texts = [_text(panel, r, first, second, v) for r, v in zip(ordered, values, strict=True)]
                self._drawn.append(
                    plot_series(panel.ax, dates, values, GAP_STYLE, gid=chart_gid(dimension=panel.key), texts=texts)
                )
                flagged = [(d, v) for d, v in zip(dates, values, strict=True) if abs(v) >= DISCUSSION_GAP]
                if flagged:
                    (marks,) = panel.ax.plot(
                        [d for d, _ in flagged],
                        [v for _, v in flagged],
                        linestyle="none",
                        marker="o",
                        markersize=GAP_STYLE.markersize,
                        color=NEUTRAL_COLOUR,
                        gid=chart_gid(dimension=panel.key, mark=DISCUSSION_MARK),
                        zorder=5,
                        clip_on=False,
                    )
                    self._drawn.append(marks)
            set_date_limits([p.ax for p in self.panels], dates)
            self._legend = fitting_legend(
                self.figure,
                [
                    Line2D(
                        [],
                        [],
                        color=NEUTRAL_COLOUR,
                        linewidth=1.8,
                        marker="o",
                        markerfacecolor="white",
                        label=f"{first.label} minus {second.label.lower()}",
                    ),
                    Line2D(
                        [],
                        [],
                        color=NEUTRAL_COLOUR,
                        linestyle="none",
                        marker="o",
                        label=f"In the shaded bands, {DISCUSSION_GAP} or more apart: worth talking about",
                    ),
                ],
                title=f"Above 0: the {first.label.lower()} rated higher. Below 0: the {second.label.lower()} did.",
            )
        return None


def _text(panel: Panel, reflection: Reflection, first: Perspective, second: Perspective, value: float) -> str | None:
    """Tooltip: "Trust · 18 Aug 2026 · Practitioner 3, supervisor 1 · gap +2, worth talking about"."""
    if value != value:  # NaN: one of them did not rate it
        return None
    a, b = rating(reflection, first, panel.key), rating(reflection, second, panel.key)
    note = ", worth talking about" if abs(value) >= DISCUSSION_GAP else ""
    return (
        f"{panel.label} · {day_label(reflection.session_date)} · {first.label} {a:.0f}, "
        f"{second.label.lower()} {b:.0f} · gap {format_gap(value)}{note}"
    )
