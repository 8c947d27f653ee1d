"""My practice: the practitioner's own ratings across all cases, month by month (for portfolios)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib
import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from psi_desktop.charts.data import MonthProfile, TrendBy, chart_gid, format_value, month_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import fitting_legend, legend_handle
from psi_desktop.charts.style import (
    GRID_COLOUR,
    MUTED_COLOUR,
    RC_PARAMS,
    PerspectiveStyle,
    component_line,
    perspective_style,
    text_colour,
)
from psi_desktop.charts.trends import make_panels, plot_series, rating_text, scale_title
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective

SIZE = (10, 7)
NO_MONTHS = (
    "No reflections with your own ratings yet. My practice shows how you rate your relationships "
    "across all your cases, month by month."
)


def one_month_text(month: dt.date) -> str:
    return (
        "My practice needs reflections in at least two months to show a trend. "
        f"So far they are all in {month_label(month)}."
    )


def practice_problem(months: Sequence[MonthProfile]) -> str | None:
    if not months:
        return NO_MONTHS
    if len(months) == 1:
        return one_month_text(months[0].month)
    return None


def practice_figure(
    months: Sequence[MonthProfile],
    framework: Framework,
    *,
    by: TrendBy = TrendBy.COMPONENT,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
    whose: str = "Your own ratings",
) -> Figure:
    """Monthly means of the practitioner's own ratings across all cases.

    ``whose`` names the ratings in the key by dimension ("Their own ratings" on a supervisor's view).

    By component: one line per component on one chart (each with its own line style and marker,
    so it reads in greyscale) over a bar chart of reflections per month. By dimension: a panel
    per dimension. A month where a dimension was never rated is a gap in its line.
    """
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        problem = practice_problem(months)
        if problem:
            return draw_message(fig, problem, title=title)
        add_title(fig, title)
        if by is TrendBy.COMPONENT:
            _by_component(fig, months, framework)
        else:
            _by_dimension(fig, months, framework, whose)
    return fig


def _by_component(fig: Figure, months: Sequence[MonthProfile], framework: Framework) -> None:
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[4, 1])
    dates = [m.month for m in months]
    handles = []
    for index, component in enumerate(framework.components):
        linestyle, marker = component_line(index)
        style = PerspectiveStyle(component.label, component.colour, linestyle, marker, linewidth=2.2, markersize=7.5)
        values = [_nan(m.component_means.get(component.id)) for m in months]
        texts = [
            None if v != v else f"{component.label} · {month_label(m.month)} · mean {format_value(v)} · {_count(m)}"
            for m, v in zip(months, values, strict=True)
        ]
        plot_series(
            top, dates, values, style, gid=chart_gid(component=component.id), texts=texts, zorder=4 - 0.1 * index
        )
        handles.append(legend_handle(style, component.label, linewidth=2.2))
    top.set_ylim(framework.scale_min - 0.25, framework.scale_max + 0.25)
    top.set_yticks(range(framework.scale_min, framework.scale_max + 1))
    top.set_ylabel("Mean of your own ratings")
    _plain(top)
    bars = bottom.bar(dates, [m.reflections for m in months], width=18, color="#9A9A9A", gid="reflections-per-month")
    # A month that pools drafts says how many: they can still change.
    bottom.bar_label(bars, labels=[_bar_text(m) for m in months], padding=2, color=MUTED_COLOUR)
    bottom.set_ylim(0, max(m.reflections for m in months) * 1.5)
    bottom.set_yticks([])
    bottom.set_ylabel("Reflections", rotation=0, ha="right", va="center")
    _plain(bottom)
    bottom.spines["left"].set_visible(False)
    _month_axis(bottom, dates)
    fitting_legend(fig, handles, title=scale_title(framework))


def _by_dimension(fig: Figure, months: Sequence[MonthProfile], framework: Framework, whose: str) -> None:
    panels = make_panels(
        fig,
        framework,
        TrendBy.DIMENSION,
        ylim=(framework.scale_min - 0.25, framework.scale_max + 0.25),
        yticks=range(framework.scale_min, framework.scale_max + 1),
    )
    dates = [m.month for m in months]
    own = perspective_style(Perspective.PRACTITIONER)
    for panel in panels:
        values = [_nan(m.dimension_means.get(panel.key)) for m in months]
        texts = [
            None
            if v != v
            else f"{panel.label} · {month_label(m.month)} · mean {rating_text(framework, v)} · {_count(m)}"
            for m, v in zip(months, values, strict=True)
        ]
        colour = text_colour(framework.component(panel.component).colour)
        plot_series(panel.ax, dates, values, own, gid=chart_gid(dimension=panel.key), texts=texts, colour=colour)
    for panel in panels:
        _month_axis(panel.ax, dates)
    total = sum(m.reflections for m in months)
    drafts = sum(m.drafts for m in months)
    pooled = f"{total} reflections" + (f", {drafts} of them drafts, not signed" if drafts else "")
    fitting_legend(
        fig,
        [legend_handle(own, f"{whose}, monthly mean of {pooled}")],
        title=scale_title(framework),
    )


def _month_axis(ax, dates: Sequence[dt.date]) -> None:
    span = (dates[-1].year - dates[0].year) * 12 + dates[-1].month - dates[0].month + 1
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, -(-span // 8))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: month_label(mdates.num2date(value).date())))
    pad = dt.timedelta(days=16)
    ax.set_xlim(dates[0] - pad, dates[-1] + pad)


def _plain(ax) -> None:
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GRID_COLOUR)
    ax.spines["bottom"].set_color(GRID_COLOUR)


def _count(month: MonthProfile) -> str:
    reflections = f"{month.reflections} reflection{'s' if month.reflections != 1 else ''}"
    drafts = f" ({month.drafts} draft{'s' if month.drafts != 1 else ''})" if month.drafts else ""
    return f"{reflections}{drafts}, {month.cases} case{'s' if month.cases != 1 else ''}"


def _bar_text(month: MonthProfile) -> str:
    return f"{month.reflections} ({month.drafts} draft)" if month.drafts else str(month.reflections)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)
