"""Gaps between perspectives over time, per dimension: practitioner minus supervisor, and staff minus
the service user's view."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from psi_desktop.charts.data import NAN, TrendBy, chart_gid, format_gap, gap, in_date_order, rating, session_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import fitting_legend
from psi_desktop.charts.style import (
    BAND_COLOUR,
    NEUTRAL_COLOUR,
    RC_PARAMS,
    SERVICE_USER_COLOUR,
    SUPERVISOR_COLOUR,
    PerspectiveStyle,
    text_colour,
)
from psi_desktop.charts.trends import (
    SIZE,
    Panel,
    draft_handles,
    make_panels,
    mark_drafts,
    one_reflection_text,
    plot_series,
    set_date_limits,
)
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection, ServiceUserSource, is_estimate, perspective_name
from psi_desktop.domain.rules import DISCUSSION_GAP, GAP_PAIRS

NO_REFLECTIONS = "No reflections to show yet. Gaps appear once a case has two reflections rated from two perspectives."
CHOOSE_TWO = "Choose two perspectives to compare, such as the practitioner and the supervisor."
DISCUSSION_MARK = "discussion"


@dataclass(frozen=True, slots=True)
class PairStyle:
    """How the gap of one pair of perspectives is drawn: its own colour and marker, so three pairs in one
    panel are told apart (the marker without colour); a gap to an estimate has long dashes."""

    colour: str
    marker: str

    def style(self, estimate: bool) -> PerspectiveStyle:
        linestyle = (0, (6.0, 3.0)) if estimate else "-"
        return PerspectiveStyle("Gap", self.colour, linestyle, self.marker, hollow=True, linewidth=1.8, markersize=6.5)


PAIR_STYLES = {
    (Perspective.PRACTITIONER, Perspective.SUPERVISOR): PairStyle(NEUTRAL_COLOUR, "o"),
    (Perspective.PRACTITIONER, Perspective.SERVICE_USER): PairStyle(text_colour(SERVICE_USER_COLOUR), "^"),
    (Perspective.SUPERVISOR, Perspective.SERVICE_USER): PairStyle(text_colour(SUPERVISOR_COLOUR), "s"),
}
"""Every pair a gap chart draws, in GAP_PAIRS order."""


def nobody_rated_both(first: Perspective, second: Perspective) -> str:
    return (
        f"No reflection here has ratings from both the {first.label.lower()} and the "
        f"{second.label.lower()} yet. Gaps appear once both have rated."
    )


def chosen_pairs(perspectives: Iterable[Perspective]) -> list[tuple[Perspective, Perspective]]:
    """The pairs of the chosen perspectives, staff first: practitioner-supervisor, then each against the person."""
    chosen = set(perspectives)
    return [pair for pair in GAP_PAIRS if set(pair) <= chosen]


def gaps_problem(ordered: Sequence[Reflection], perspectives: Iterable[Perspective]) -> str | None:
    """Why the gaps cannot be drawn (the sentence to show instead), or None."""
    if not ordered:
        return NO_REFLECTIONS
    if len(ordered) == 1:
        return one_reflection_text(ordered[0])
    pairs = chosen_pairs(perspectives)
    if not pairs:
        return CHOOSE_TWO
    if not any(r.ratings_of(a) and r.ratings_of(b) for r in ordered for a, b in pairs):
        return nobody_rated_both(*pairs[0]) if len(pairs) == 1 else NOBODY_RATED_TWO
    return None


NOBODY_RATED_TWO = (
    "No reflection here has ratings from two of the chosen perspectives yet. Gaps appear once two have rated."
)


def gaps_figure(
    reflections: Iterable[Reflection],
    framework: Framework,
    perspectives: Sequence[Perspective] = (Perspective.PRACTITIONER, Perspective.SUPERVISOR),
    *,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """The gap of every pair of ``perspectives`` per dimension over the session dates, a panel per dimension.

    A gap is the first of the pair minus the second (practitioner minus supervisor, then each minus
    the service user): above 0 the first rated higher. Differences of DISCUSSION_GAP or more sit in the
    shaded bands and have filled markers: the ones worth talking about. A session where either did
    not rate a dimension is a gap in its line.
    """
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        view = GapsView(fig, framework, title=title)
        problem = view.show(reflections, perspectives)
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
        perspectives: Iterable[Perspective] = (Perspective.PRACTITIONER, Perspective.SUPERVISOR),
    ) -> str | None:
        """Draw the gaps; returns the empty-state sentence instead when there is nothing to draw."""
        ordered = in_date_order(reflections)
        perspectives = tuple(perspectives)
        problem = gaps_problem(ordered, perspectives)
        if problem:
            return problem
        pairs = [
            (a, b) for a, b in chosen_pairs(perspectives) if any(r.ratings_of(a) and r.ratings_of(b) for r in ordered)
        ]
        with matplotlib.rc_context(RC_PARAMS):
            self.clear()
            dates = [r.session_date for r in ordered]
            handles: list[Artist] = []
            for first, second in pairs:
                handles += self._draw_pair(ordered, dates, first, second, with_pair=len(pairs) > 1)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=NEUTRAL_COLOUR,
                    linestyle="none",
                    marker="o",
                    label=f"Filled, in the shaded bands: {DISCUSSION_GAP} or more apart, worth talking about",
                )
            )
            self._drawn += mark_drafts([p.ax for p in self.panels], ordered)
            set_date_limits([p.ax for p in self.panels], dates)
            first, second = pairs[0]
            self._legend = fitting_legend(
                self.figure,
                handles + draft_handles(ordered),
                title=(
                    f"Above 0: the {first.label.lower()} rated higher. Below 0: the {second.label.lower()} did."
                    if len(pairs) == 1
                    else "Each gap is the first named minus the second. Above 0: the first rated higher."
                ),
            )
        return None

    def _draw_pair(
        self, ordered: Sequence[Reflection], dates: list, first: Perspective, second: Perspective, *, with_pair: bool
    ) -> list[Artist]:
        """One pair's lines in every panel (its own view and an estimate apart); returns its legend entries."""
        look = PAIR_STYLES[(first, second)]
        pair = {"pair": f"{first.value}-{second.value}"} if with_pair else {}
        kinds = estimate_kinds(ordered, first, second)
        for panel in self.panels:
            every = [gap(r, first, second, panel.key) for r in ordered]
            for estimate in kinds:
                values = [
                    v if _estimated(r, first, second) == estimate else NAN for r, v in zip(ordered, every, strict=True)
                ]
                texts = [_text(panel, r, first, second, v) for r, v in zip(ordered, values, strict=True)]
                where = {"dimension": panel.key, **pair, **({"source": "estimate"} if estimate else {})}
                gid = chart_gid(**where)
                self._drawn.append(plot_series(panel.ax, dates, values, look.style(estimate), gid=gid, texts=texts))
            flagged = [(d, v) for d, v in zip(dates, every, strict=True) if abs(v) >= DISCUSSION_GAP]
            if flagged:
                (marks,) = panel.ax.plot(
                    [d for d, _ in flagged],
                    [v for _, v in flagged],
                    linestyle="none",
                    marker=look.marker,
                    markersize=6.5,
                    color=look.colour,
                    gid=chart_gid(dimension=panel.key, **pair, mark=DISCUSSION_MARK),
                    zorder=5,
                    clip_on=False,
                )
                marks.set_in_layout(False)  # on the gap line's markers, inside the panel
                self._drawn.append(marks)
        return [
            Line2D(
                [],
                [],
                color=look.colour,
                linewidth=1.8,
                linestyle=look.style(estimate).linestyle,
                marker=look.marker,
                markerfacecolor="white",
                label=f"{_name(first, estimate)} minus {_name(second, estimate, lower=True)}",
            )
            for estimate in kinds
        ]


def _estimated(reflection: Reflection, first: Perspective, second: Perspective) -> bool:
    """Whether this reflection's gap is to an estimate of the service user's view."""
    return any(is_estimate(p, reflection.service_user_source) for p in (first, second))


def estimate_kinds(ordered: Sequence[Reflection], first: Perspective, second: Perspective) -> list[bool]:
    """The gap lines to draw: to the person's own view (False) and to an estimate of it (True), as they occur.

    An estimate is never pooled with what the person said: its gaps are a line of their own, named so.
    """
    rated = [r for r in ordered if r.ratings_of(first) and r.ratings_of(second)]
    kinds = sorted({_estimated(r, first, second) for r in rated})
    return kinds or [False]


def _name(perspective: Perspective, estimate: bool, *, lower: bool = False) -> str:
    name = perspective_name(perspective, ServiceUserSource.ESTIMATE if estimate else None)
    return name[0].lower() + name[1:] if lower else name


def _text(panel: Panel, reflection: Reflection, first: Perspective, second: Perspective, value: float) -> str | None:
    """Tooltip: "Trust · 18 Aug 2026 · Practitioner 3, supervisor 1 · gap +2, worth talking about"."""
    if value != value:  # NaN: one of them did not rate it
        return None
    a, b = rating(reflection, first, panel.key), rating(reflection, second, panel.key)
    note = ", worth talking about" if abs(value) >= DISCUSSION_GAP else ""
    estimate = _estimated(reflection, first, second)
    return (
        f"{panel.label} · {session_label(reflection)} · {_name(first, estimate)} {a:.0f}, "
        f"{_name(second, estimate, lower=True)} {b:.0f} · gap {format_gap(value)}{note}"
    )
