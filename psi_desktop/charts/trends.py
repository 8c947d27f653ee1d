"""Trends over real session dates: one panel per dimension (or component), one line per perspective."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import matplotlib
import matplotlib.dates as mdates
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter

from psi_desktop.charts import hover
from psi_desktop.charts.data import (
    TrendBy,
    chart_gid,
    component_mean,
    day_label,
    format_value,
    in_date_order,
    is_draft,
    month_label,
    parse_gid,
    rating,
    session_label,
)
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import fitting_legend, legend_handle
from psi_desktop.charts.style import (
    GRID_COLOUR,
    MUTED_COLOUR,
    RC_PARAMS,
    PerspectiveStyle,
    perspective_style,
    text_colour,
)
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection, ServiceUserSource

SIZE = (11, 8.5)
NO_REFLECTIONS = "No reflections to show yet. Trends appear once a case has two reflections with ratings."
NO_PERSPECTIVE = "Choose at least one perspective to draw."
NOTHING_RATED = "Nothing is rated from the chosen perspectives in these reflections yet."


def one_reflection_text(reflection: Reflection) -> str:
    return (
        "A trend needs at least two reflections. There is one here, from "
        f"{day_label(reflection.session_date)}; the radar shows it on its own."
    )


@dataclass(frozen=True, slots=True)
class Panel:
    """One small chart of the grid: a dimension, or a whole component."""

    key: str  # a dimension id, or a component id
    label: str
    component: str  # component id
    ax: object


def scale_title(framework: Framework) -> str:
    """What the numbers on the y axes mean: "0 Not at all · 1 A little · … · 4 Fully"."""
    return " · ".join(f"{p.value} {p.label}" for p in framework.scale)


def make_panels(
    figure: Figure,
    framework: Framework,
    by: TrendBy,
    *,
    ylim: tuple[float, float],
    yticks: Sequence[float],
    yticklabels: Sequence[str] | None = None,
) -> list[Panel]:
    """A grid of panels with the same axes: a row per component (by dimension) or one row (by component).

    Each panel's left spine carries its component's colour, as in the PDF tables. Dates are written
    under the bottom row and ratings beside the first column only. The panels do not share their axes
    in matplotlib's sense: that would make every panel measure all the others' tick labels on each draw;
    ``set_date_limits`` gives them all the same dates instead.
    """
    if by is TrendBy.DIMENSION:
        rows = len(framework.components)
        columns = max(len(framework.dimensions_of(c.id)) for c in framework.components)
    else:
        rows, columns = 1, len(framework.components)
    axes = figure.subplots(rows, columns, squeeze=False)
    panels: list[Panel] = []
    for row, component in enumerate(framework.components):
        members = (
            [(d.id, d.label) for d in framework.dimensions_of(component.id)]
            if by is TrendBy.DIMENSION
            else [(component.id, f"{component.label}, mean of its dimensions")]
        )
        for column, (key, label) in enumerate(members):
            ax = axes[row][column] if by is TrendBy.DIMENSION else axes[0][row]
            _style_panel(ax, component.colour, label, ylim, yticks, yticklabels)
            ax.set_gid(chart_gid(**{by.value: key}))
            panels.append(Panel(key, label, component.id, ax))
        if by is TrendBy.DIMENSION:
            for column in range(len(members), columns):
                axes[row][column].set_visible(False)
            axes[row][0].set_ylabel(
                component.label, color=text_colour(component.colour), fontweight="bold", fontsize=12, labelpad=8
            )
    for row, ax_row in enumerate(axes):
        for column, ax in enumerate(ax_row):
            date_axis(ax)
            # The inner panels' tick labels are hidden, as shared axes would hide them, and kept out
            # of the layout, which saves measuring them on every draw. Beside the first column the
            # ratings have no labels and their lines are drawn by _style_panel: no ticks at all.
            if row < len(axes) - 1:
                ax.xaxis.set_tick_params(which="both", labelbottom=False)
                ax.xaxis.set_in_layout(False)
            else:
                ax.spines["bottom"].set_in_layout(False)  # the dates under it reach further down
            if column > 0:
                ax.set_yticks([])
                ax.yaxis.set_in_layout(False)
            # Its ticks have no length: the left spine is the axes' own edge, nothing for the layout.
            ax.spines["left"].set_in_layout(False)
    return panels


def _style_panel(ax, colour: str, label: str, ylim, yticks, yticklabels) -> None:
    ax.set_title(label, loc="left", y=1.0, pad=5, color=text_colour(colour), fontsize=11, fontweight="bold")
    ax.set_ylim(*ylim)
    ax.set_yticks(list(yticks))
    if yticklabels is not None:
        ax.set_yticklabels(list(yticklabels))
    # The rating lines across, as the axes' grid draws them (width, colour, caps, clip, zorder), in one
    # collection that stays when ticks go.
    rules = LineCollection(
        [[(0, y), (1, y)] for y in yticks],
        transform=ax.get_yaxis_transform(),
        colors=GRID_COLOUR,
        linewidths=0.6,
        capstyle="projecting",
        zorder=1.5,
        gid="grid",
    )
    ax.add_collection(rules, autolim=False)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.4, alpha=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(colour)
    ax.spines["left"].set_linewidth(3)
    ax.spines["bottom"].set_color(GRID_COLOUR)
    ax.tick_params(axis="y", length=0)
    ax.set_facecolor("white")


def date_axis(ax) -> None:
    """Dates written as ``date_tick`` does; ``set_date_limits`` chooses where."""
    ax.xaxis.set_major_formatter(FuncFormatter(date_tick))


def date_tick(value: float, _position: object = None) -> str:
    """A date tick: "Sep 2026" on the first of a month, else "18 Aug" (no strftime: locale-proof)."""
    day = mdates.num2date(value).date()
    return month_label(day) if day.day == 1 else day_label(day).rsplit(" ", 1)[0]


def set_date_limits(axes: Iterable, dates: Sequence[dt.date]) -> None:
    """The x range of every panel: the sessions, with room for their markers at either end.

    The dated ticks are the ones matplotlib's AutoDateLocator chooses for that range, chosen once
    here rather than by every panel on every draw.
    """
    first, last = min(dates), max(dates)
    pad = max(dt.timedelta(days=3), (last - first) * 0.06)
    low, high = mdates.date2num(first - pad), mdates.date2num(last + pad)
    locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
    ticks = locator.tick_values(mdates.num2date(low), mdates.num2date(high))
    labels = [date_tick(tick) for tick in ticks]
    for ax in axes:
        ax.set_xlim(low, high)
        ax.xaxis.set_major_locator(FixedLocator(ticks))  # not set_xticks: that would widen the range to them
        ax.xaxis.set_major_formatter(FixedFormatter(labels))


def plot_series(
    ax,
    dates: Sequence[dt.date],
    values: Sequence[float],
    style: PerspectiveStyle,
    *,
    gid: str,
    texts: Sequence[str | None],
    zorder: float = 3,
    colour: str | None = None,
    markersize: float | None = None,
) -> Line2D:
    """A line with a marker at every dated value; NaN values break the line (a gap, never a zero)."""
    colour = colour or style.colour
    (line,) = ax.plot(
        list(dates),
        list(values),
        color=colour,
        linestyle=style.linestyle,
        linewidth=style.linewidth,
        marker=style.marker,
        markersize=style.markersize if markersize is None else markersize,
        markerfacecolor="white" if style.hollow else colour,
        markeredgecolor=colour,
        markeredgewidth=1.5,
        label=style.label,
        gid=gid,
        zorder=zorder,
        clip_on=False,
    )
    # Inside its axes (set_date_limits leaves room for the markers), so kept out of the layout.
    line.set_in_layout(False)
    return hover.register(line, texts)


def mark_drafts(axes: Iterable, ordered: Sequence[Reflection]) -> list[Artist]:
    """A dotted upright line at each draft session in every panel: a draft is always marked.

    One collection per panel holds them all, with the gid "drafts:<id>,<id>,..." (``draft_ids``).
    """
    drafts = [r for r in ordered if is_draft(r)]
    if not drafts:
        return []
    days = mdates.date2num([r.session_date for r in drafts])
    gid = chart_gid(drafts=",".join(str(r.id) for r in drafts))
    drawn: list[Artist] = []
    for ax in axes:
        marks = LineCollection(
            [[(day, 0), (day, 1)] for day in days],
            transform=ax.get_xaxis_transform(),  # dates across, the panel's full height up
            colors=MUTED_COLOUR,
            linestyles=[(0, (1.0, 2.0))],
            linewidths=1.4,
            zorder=2,
            gid=gid,
        )
        drawn.append(ax.add_collection(marks, autolim=False))
    return drawn


def draft_ids(artist: Artist) -> list[str]:
    """The ids of the drafts a ``mark_drafts`` collection marks, in date order (none for other artists)."""
    value = parse_gid(artist.get_gid()).get("drafts")
    return value.split(",") if value else []


def draft_handles(ordered: Sequence[Reflection]) -> list[Line2D]:
    """The key's entry for the draft sessions marked by ``mark_drafts`` (none without drafts)."""
    drafts = [day_label(r.session_date) for r in ordered if is_draft(r)]
    if not drafts:
        return []
    label = f"Dotted upright line: a draft, not signed ({', '.join(drafts)})"
    return [
        Line2D(
            [], [], color=MUTED_COLOUR, marker="|", markersize=14, markeredgewidth=1.4, linestyle="none", label=label
        )
    ]


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """One line: a perspective, with a service user's estimates apart from what they said."""

    perspective: Perspective
    estimate: bool = False

    def style(self) -> PerspectiveStyle:
        return perspective_style(self.perspective, ServiceUserSource.ESTIMATE if self.estimate else None)

    def matches(self, reflection: Reflection) -> bool:
        if self.perspective is not Perspective.SERVICE_USER:
            return True
        return (reflection.service_user_source is ServiceUserSource.ESTIMATE) == self.estimate

    def gid(self, **where: object) -> str:
        parts: dict[str, object] = {**where, "perspective": self.perspective.value}
        if self.estimate:
            parts["source"] = "estimate"
        return chart_gid(**parts)


def series_keys(ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> list[SeriesKey]:
    """The lines to draw: each chosen perspective rated somewhere, the estimate as its own line."""
    keys = []
    for perspective in chosen:
        rated = [r for r in ordered if r.ratings_of(perspective)]
        if perspective is Perspective.SERVICE_USER:
            for estimate in (False, True):
                key = SeriesKey(perspective, estimate)
                if any(key.matches(r) for r in rated):
                    keys.append(key)
        elif rated:
            keys.append(SeriesKey(perspective))
    return keys


def trends_problem(ordered: Sequence[Reflection], chosen: Sequence[Perspective]) -> str | None:
    """Why a trend cannot be drawn (the sentence to show instead), or None."""
    if not ordered:
        return NO_REFLECTIONS
    if len(ordered) == 1:
        return one_reflection_text(ordered[0])
    if not chosen:
        return NO_PERSPECTIVE
    if not series_keys(ordered, chosen):
        return NOTHING_RATED
    return None


def trends_figure(
    reflections: Iterable[Reflection],
    framework: Framework,
    perspectives: Iterable[Perspective] = (Perspective.PRACTITIONER, Perspective.SUPERVISOR),
    *,
    by: TrendBy = TrendBy.DIMENSION,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """Ratings over the real session dates: a panel per dimension (a 3 x 3 grid) or per component.

    Each chosen perspective is a line with its own style; a component's value is the mean of
    its rated dimensions. Unrated is NaN, so the line breaks there instead of dropping to 0.
    """
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        view = TrendsView(fig, framework, by, title=title)
        problem = view.show(reflections, perspectives)
        if problem:
            draw_message(fig, problem, title=title)
    return fig


class TrendsView:
    """The trend panels, drawn once; ``show`` replaces only the lines and the legend."""

    def __init__(self, figure: Figure, framework: Framework, by: TrendBy, *, title: str | None = None) -> None:
        add_title(figure, title)
        self.figure = figure
        self.framework = framework
        self.by = by
        top = framework.scale_max
        self.panels = make_panels(
            figure,
            framework,
            by,
            ylim=(framework.scale_min - 0.25, top + 0.25),
            yticks=range(framework.scale_min, top + 1),
        )
        self._drawn: list[Artist] = []
        self._legend: Legend | None = None

    def clear(self) -> None:
        for artist in self._drawn:
            artist.remove()
        self._drawn.clear()
        if self._legend is not None:
            self._legend.remove()
            self._legend = None

    def show(self, reflections: Iterable[Reflection], perspectives: Iterable[Perspective]) -> str | None:
        """Draw the lines; returns the empty-state sentence instead when there is nothing to draw."""
        ordered = in_date_order(reflections)
        chosen = [p for p in Perspective if p in set(perspectives)]
        problem = trends_problem(ordered, chosen)
        if problem:
            return problem
        with matplotlib.rc_context(RC_PARAMS):
            self.clear()
            keys = series_keys(ordered, chosen)
            dates = [r.session_date for r in ordered]
            value_of = self._value_function()
            for panel in self.panels:
                for rank, key in enumerate(keys):
                    values = [
                        value_of(r, key.perspective, panel.key) if key.matches(r) else float("nan") for r in ordered
                    ]
                    texts = [self._text(panel, key, r, v) for r, v in zip(ordered, values, strict=True)]
                    self._drawn.append(
                        plot_series(
                            panel.ax,
                            dates,
                            values,
                            key.style(),
                            gid=key.gid(**{self.by.value: panel.key}),
                            texts=texts,
                            # Later perspectives on top with smaller markers, so where two
                            # agree a square still shows inside the circle.
                            zorder=4 + 0.1 * rank,
                            markersize=max(5.5, key.style().markersize - 1.5 * rank),
                        )
                    )
            self._drawn += mark_drafts([p.ax for p in self.panels], ordered)
            set_date_limits([p.ax for p in self.panels], dates)
            handles = [legend_handle(k.style(), k.style().label) for k in keys] + draft_handles(ordered)
            self._legend = fitting_legend(self.figure, handles, title=scale_title(self.framework))
        return None

    def _value_function(self) -> Callable[[Reflection, Perspective, str], float]:
        if self.by is TrendBy.DIMENSION:
            return rating
        framework = self.framework
        return lambda reflection, perspective, key: component_mean(reflection, perspective, framework, key)

    def _text(self, panel: Panel, key: SeriesKey, reflection: Reflection, value: float) -> str | None:
        if value != value:  # NaN: nothing to say
            return None
        who = key.style().label
        when = session_label(reflection)
        if self.by is TrendBy.COMPONENT:
            count = len(self.framework.dimensions_of(panel.key))
            name = self.framework.component(panel.key).label
            return f"{name} (mean of {count}) · {who} · {format_value(value)} · {when}"
        return f"{panel.label} · {who} · {rating_text(self.framework, value)} · {when}"


def rating_text(framework: Framework, value: float) -> str:
    """A rating with its words ("3 Mostly"), or just the number for a mean ("2.5")."""
    if float(value).is_integer():
        try:
            return f"{value:.0f} {framework.scale_label(int(value))}"
        except KeyError:
            pass
    return format_value(value)
