"""A supervisor's charts of a supervisee: sessions per month (signed solid, drafts hatched and said so),
and the gap between their ratings and the supervisor's, month by month, in the gap chart's panels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

import matplotlib
import matplotlib.dates as mdates
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from psi_desktop.charts.data import NAN, chart_gid, format_gap, gap, is_draft, month_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.gaps import DISCUSSION_MARK, PAIR_STYLES, GapsView
from psi_desktop.charts.practice import _month_axis, _plain
from psi_desktop.charts.radar import fitting_legend
from psi_desktop.charts.style import MUTED_COLOUR, NEUTRAL_COLOUR, RC_PARAMS
from psi_desktop.charts.trends import plot_series
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection
from psi_desktop.domain.rules import DISCUSSION_GAP

NO_SESSIONS = "No sessions from this practitioner yet. They appear here once their bundle brings reflections."
SIGNED_GID = "sessions-signed"
WAITING_GID = "sessions-not-signed"

Month = tuple[dt.date, int, int]  # first day of the month, signed, not signed yet


def sessions_figure(
    months: Sequence[Month],
    *,
    size: tuple[float, float] = (9, 2.6),
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """Sessions per month as bars: signed (solid) below, not signed yet (hatched, "draft") on top."""
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        if not months:
            return draw_message(fig, NO_SESSIONS, title=title)
        add_title(fig, title)
        ax = fig.subplots()
        dates = [m for m, _, _ in months]
        signed = [s for _, s, _ in months]
        waiting = [d for _, _, d in months]
        ax.bar(dates, signed, width=18, color="#8C8C8C", gid=SIGNED_GID)
        ax.bar(
            dates, waiting, width=18, bottom=signed, color="white", edgecolor=NEUTRAL_COLOUR,
            hatch="///", linewidth=0.8, gid=WAITING_GID,
        )  # fmt: skip
        for date, s, d in months if len(months) <= 12 else []:  # beyond a year the bars say it
            ax.annotate(
                f"{s + d}" + (f" ({d} draft)" if d and len(months) <= 6 else ""),
                (date, s + d),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=MUTED_COLOUR,
            )
        top = max(s + d for _, s, d in months)
        ax.set_ylim(0, top * 1.35 + 0.5)
        ax.set_ylabel("Sessions")
        ax.yaxis.get_major_locator().set_params(integer=True)
        _plain(ax)
        if len(dates) == 1:
            pad = dt.timedelta(days=45)
            ax.set_xlim(dates[0] - pad, dates[0] + pad)
            ax.set_xticks(dates, [month_label(dates[0])])
        else:
            _month_axis(ax, dates)
        handles = [Patch(facecolor="#8C8C8C", label="Signed")]
        if any(waiting):
            handles.append(
                Patch(facecolor="white", edgecolor=NEUTRAL_COLOUR, hatch="///", label="Draft, not signed yet")
            )
        fitting_legend(fig, handles)
    return fig


# -- the gap between a supervisee's ratings and the supervisor's, month by month --------------------------

NO_GAP_MONTHS = (
    "The gap over time needs sessions rated by both of you in two months at least. It appears here once there are."
)
DRAFT_MONTHS_GID = "draft-months"


@dataclass(frozen=True, slots=True)
class GapMonth:
    """One month of the practitioner-minus-supervisor gap: per dimension the mean over the sessions
    both rated (None where none), how many sessions that pools, and how many of them are drafts."""

    month: dt.date
    means: Mapping[str, float | None]
    sessions: int
    drafts: int


def monthly_gaps(
    reflections: Iterable[Reflection],
    framework: Framework,
    first: Perspective = Perspective.PRACTITIONER,
    second: Perspective = Perspective.SUPERVISOR,
) -> list[GapMonth]:
    """Month by month, ``first`` minus ``second`` on each dimension, over the sessions both rated."""
    by_month: dict[dt.date, list[Reflection]] = {}
    for r in reflections:
        if r.ratings_of(first) and r.ratings_of(second):
            by_month.setdefault(r.session_date.replace(day=1), []).append(r)
    months = []
    for month in sorted(by_month):
        group = by_month[month]
        means: dict[str, float | None] = {}
        for d in framework.dimension_ids:
            gaps = [g for r in group if (g := gap(r, first, second, d)) == g]  # NaN != NaN: one did not rate it
            means[d] = fmean(gaps) if gaps else None
        months.append(GapMonth(month, means, len(group), sum(is_draft(r) for r in group)))
    return months


def gap_months_figure(
    reflections: Iterable[Reflection],
    framework: Framework,
    *,
    size: tuple[float, float] = (9, 7.2),
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """The monthly mean gap (practitioner minus supervisor) per dimension, in the gap chart's panels
    and bands; a mean of DISCUSSION_GAP or more is filled; a month that pools drafts has the dotted
    upright line the charts mark drafts with."""
    months = monthly_gaps(reflections, framework)
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        if len(months) < 2:
            return draw_message(fig, NO_GAP_MONTHS, title=title)
        view = GapsView(fig, framework, title=title)
        pair = (Perspective.PRACTITIONER, Perspective.SUPERVISOR)
        look = PAIR_STYLES[pair]
        dates = [m.month for m in months]
        drafts = [m.month for m in months if m.drafts]
        for panel in view.panels:
            values = [NAN if m.means[panel.key] is None else float(m.means[panel.key]) for m in months]
            texts = [
                None if v != v else f"{panel.label} · {month_label(m.month)} · mean gap {format_gap(v)} · {_pooled(m)}"
                for m, v in zip(months, values, strict=True)
            ]
            plot_series(panel.ax, dates, values, look.style(False), gid=chart_gid(dimension=panel.key), texts=texts)
            flagged = [(d, v) for d, v in zip(dates, values, strict=True) if abs(v) >= DISCUSSION_GAP]
            if flagged:
                panel.ax.plot(
                    [d for d, _ in flagged], [v for _, v in flagged], linestyle="none", marker=look.marker,
                    markersize=6.5, color=look.colour, zorder=5, clip_on=False,
                    gid=chart_gid(dimension=panel.key, mark=DISCUSSION_MARK),
                )  # fmt: skip
            if drafts:
                panel.ax.add_collection(
                    LineCollection(
                        [[(x, 0), (x, 1)] for x in mdates.date2num(drafts)],
                        transform=panel.ax.get_xaxis_transform(),
                        colors=MUTED_COLOUR,
                        linestyles=[(0, (1.0, 2.0))],
                        linewidths=1.4,
                        zorder=2,
                        gid=DRAFT_MONTHS_GID,
                    ),
                    autolim=False,
                )
            _few_months(panel.ax, dates)
        total, waiting = sum(m.sessions for m in months), sum(m.drafts for m in months)
        handles = [
            Line2D([], [], color=look.colour, linewidth=1.8, marker=look.marker, markerfacecolor="white",
                   label=f"Their ratings minus yours, monthly mean of {total} sessions"),
            Line2D([], [], color=look.colour, linestyle="none", marker=look.marker,
                   label=f"Filled, in the shaded bands: {DISCUSSION_GAP} or more apart, worth talking about"),
        ]  # fmt: skip
        if waiting:
            handles.append(
                Line2D([], [], color=MUTED_COLOUR, marker="|", markersize=14, markeredgewidth=1.4, linestyle="none",
                       label=f"Dotted upright line: a month with drafts, not signed ({waiting} of {total} sessions)")
            )  # fmt: skip
        fitting_legend(fig, handles, title="Above 0: they rated higher than you. Below 0: you did.")
    return fig


def _pooled(m: GapMonth) -> str:
    sessions = f"{m.sessions} session{'' if m.sessions == 1 else 's'}"
    return sessions + (f" ({m.drafts} draft{'' if m.drafts == 1 else 's'})" if m.drafts else "")


def _few_months(ax, dates: Sequence[dt.date]) -> None:
    """Month labels that fit a narrow panel: about three."""
    span = (dates[-1].year - dates[0].year) * 12 + dates[-1].month - dates[0].month + 1
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, -(-span // 3))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: month_label(mdates.num2date(value).date())))
    pad = dt.timedelta(days=16)
    ax.set_xlim(dates[0] - pad, dates[-1] + pad)
